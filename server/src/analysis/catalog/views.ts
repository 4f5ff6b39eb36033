// CREATE [OR REPLACE] VIEW, CREATE MATERIALIZED VIEW and CREATE TABLE AS: the relation, its columns as far as
// they can be known without executing the query, and the relations the query reads.
import type {
  CommonTableExpr,
  CreateTableAsStmt,
  JoinExpr,
  Node,
  RangeSubselect,
  RangeVar,
  ResTarget,
  SelectStmt,
  TypeCast,
  ViewStmt,
} from '@pgsql/types';
import { figureColumnName, nodeAs, nodeKind, stringList, visit } from './ast';
import { ApplyContext, newRelation } from './context';
import type { Column, ColumnType, Relation, RelationKind } from './model';
import { dropRelation } from './tables';
import { columnTypeOf, UNKNOWN_TYPE } from './type-names';

/** Names of CTEs defined anywhere in a statement: an unqualified RangeVar with such a name is not a relation. */
export function cteNames(node: unknown): Set<string> {
  const out = new Set<string>();
  visit(node, (key, value) => {
    if (key === 'CommonTableExpr') {
      const name = (value as CommonTableExpr).ctename;
      if (name) out.add(name);
    }
  });
  return out;
}

/** Keys of the relations a query reads (CTE names excluded), in first-mention order. */
export function queryDependencies(ctx: ApplyContext, query: Node | undefined): string[] {
  const ctes = cteNames(query);
  const out: string[] = [];
  visit(query, (_key, value) => {
    const rv = value as RangeVar;
    if (typeof rv.relname !== 'string' || Array.isArray(value)) return;
    if (!rv.schemaname && ctes.has(rv.relname)) return;
    const key = ctx.relationKeyOf(rv);
    if (!out.includes(key)) out.push(key);
  });
  return out;
}

interface FromItem {
  alias: string;
  columns: readonly { name: string; type: ColumnType }[];
}

function fromItems(ctx: ApplyContext, nodes: readonly Node[] | undefined, ctes: Set<string>): FromItem[] {
  const out: FromItem[] = [];
  for (const n of nodes ?? []) {
    const kind = nodeKind(n);
    if (kind === 'RangeVar') {
      const rv = (n as { RangeVar: RangeVar }).RangeVar;
      const key = !rv.schemaname && ctes.has(rv.relname ?? '') ? undefined : ctx.existingRelationKey(rv);
      const rel = key !== undefined ? ctx.relation(key) : undefined;
      out.push({ alias: rv.alias?.aliasname ?? rv.relname ?? '', columns: rel?.columns ?? [] });
    } else if (kind === 'JoinExpr') {
      const j = (n as { JoinExpr: JoinExpr }).JoinExpr;
      out.push(...fromItems(ctx, [j.larg, j.rarg].filter((x): x is Node => x !== undefined), ctes));
    } else if (kind === 'RangeSubselect') {
      const sub = (n as { RangeSubselect: RangeSubselect }).RangeSubselect;
      out.push({ alias: sub.alias?.aliasname ?? '', columns: queryColumns(ctx, sub.subquery, ctes) });
    }
  }
  return out;
}

/**
 * Output columns of a query: names the way PostgreSQL derives them (explicit alias, column name, function name,
 * `?column?`), `*` expanded from known relations, types copied from plain column references and casts.
 */
export function queryColumns(
  ctx: ApplyContext,
  query: Node | undefined,
  ctes: Set<string> = cteNames(query),
): { name: string; type: ColumnType }[] {
  const select = nodeAs<SelectStmt>(query, 'SelectStmt');
  if (!select) return [];
  if (select.larg && select.op && select.op !== 'SETOP_NONE') return queryColumns(ctx, { SelectStmt: select.larg }, ctes);
  if (select.valuesLists && select.valuesLists.length > 0) {
    const first = nodeAs<{ items?: Node[] }>(select.valuesLists[0], 'List')?.items ?? [];
    return first.map((_, i) => ({ name: `column${i + 1}`, type: UNKNOWN_TYPE }));
  }
  const items = fromItems(ctx, select.fromClause, ctes);
  const out: { name: string; type: ColumnType }[] = [];
  for (const t of select.targetList ?? []) {
    const rt = nodeAs<ResTarget>(t, 'ResTarget');
    if (!rt) continue;
    const ref = nodeAs<{ fields?: Node[] }>(rt.val, 'ColumnRef');
    const fields = ref?.fields ?? [];
    if (ref && fields.length > 0 && nodeKind(fields[fields.length - 1]!) === 'A_Star') {
      const qualifier = stringList(fields.slice(0, -1));
      for (const item of items) {
        if (qualifier.length > 0 && item.alias !== qualifier[qualifier.length - 1]) continue;
        out.push(...item.columns.map((c) => ({ name: c.name, type: c.type })));
      }
      continue;
    }
    const name = rt.name ?? figureColumnName(rt.val) ?? '?column?';
    out.push({ name, type: expressionType(ctx, rt.val, items) });
  }
  return out;
}

function expressionType(ctx: ApplyContext, node: Node | undefined, items: FromItem[]): ColumnType {
  const cast = nodeAs<TypeCast>(node, 'TypeCast');
  if (cast) return columnTypeOf(cast.typeName, (s, n) => ctx.store.resolveTypeSchema(s, n));
  const ref = nodeAs<{ fields?: Node[] }>(node, 'ColumnRef');
  if (!ref) return UNKNOWN_TYPE;
  const names = stringList(ref.fields);
  const column = names[names.length - 1];
  const qualifier = names.length > 1 ? names[names.length - 2] : undefined;
  for (const item of items) {
    if (qualifier !== undefined && item.alias !== qualifier) continue;
    const found = item.columns.find((c) => c.name === column);
    if (found) return found.type;
  }
  return UNKNOWN_TYPE;
}

function viewRelation(
  ctx: ApplyContext,
  kind: RelationKind,
  rv: RangeVar,
  query: Node | undefined,
  aliases: readonly string[],
  existing: Relation | undefined,
): Relation {
  const target = ctx.targetOf(rv);
  const inferred = queryColumns(ctx, query);
  const columns: Column[] = inferred.map((c, i) => ({
    name: aliases[i] ?? c.name,
    type: c.type,
    notNull: false,
    inherited: false,
    createdBy: existing?.columns.find((e) => e.name === (aliases[i] ?? c.name))?.createdBy ?? ctx.origin,
  }));
  return newRelation(kind, target.schema, target.name, {
    persistence: rv.relpersistence === 't' ? 'temporary' : rv.relpersistence === 'u' ? 'unlogged' : 'permanent',
    columns,
    dependsOn: kind === 'table' ? [] : queryDependencies(ctx, query),
    ...(kind === 'table' ? {} : query ? { query } : {}),
    createdBy: existing?.createdBy ?? ctx.origin,
  });
}

function touchDependencies(ctx: ApplyContext, rel: Relation | undefined): void {
  for (const dep of rel?.dependsOn ?? []) if (ctx.relation(dep)) ctx.touchRelation(dep);
}

export function createView(ctx: ApplyContext, stmt: ViewStmt): void {
  if (!stmt.view) return;
  const target = ctx.targetOf(stmt.view);
  let existing = ctx.relation(target.key);
  if (existing && !(stmt.replace && existing.kind === 'view')) {
    ctx.problem('duplicate-object', `relation ${target.key} already exists; the view replaces it`, target.key);
    dropRelation(ctx, target.key, true);
    existing = undefined;
  }
  const view = viewRelation(ctx, 'view', stmt.view, stmt.query, stringList(stmt.aliases), existing);
  // Dependents of the old definition and of the new one both see a changed set of dependent views.
  touchDependencies(ctx, existing);
  ctx.putRelation(view);
  touchDependencies(ctx, view);
}

export function createTableAs(ctx: ApplyContext, stmt: CreateTableAsStmt): void {
  const rv = stmt.into?.rel;
  if (!rv) return;
  const kind: RelationKind = stmt.objtype === 'OBJECT_MATVIEW' ? 'materialized-view' : 'table';
  const target = ctx.targetOf(rv);
  if (ctx.store.classNameTaken(target.schema, target.name)) {
    if (stmt.if_not_exists) return;
    ctx.problem('duplicate-object', `relation ${target.key} already exists; the new definition replaces it`, target.key);
    dropRelation(ctx, target.key, true);
  }
  const rel = viewRelation(ctx, kind, rv, stmt.query, stringList(stmt.into?.colNames), undefined);
  ctx.putRelation(rel);
  touchDependencies(ctx, rel);
}
