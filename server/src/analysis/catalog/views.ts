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
import { constValue, figureColumnName, nodeAs, nodeKind, stringList, visit } from './ast';
import { ApplyContext, newRelation } from './context';
import type { Column, ColumnType, Relation, RelationKind } from './model';
import { dropRelation } from './tables';
import { builtinType, columnTypeOf, UNKNOWN_TYPE } from './type-names';

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

type CteScope = ReadonlyMap<string, readonly { name: string; type: ColumnType }[]>;

function fromItems(ctx: ApplyContext, nodes: readonly Node[] | undefined, ctes: CteScope): FromItem[] {
  const out: FromItem[] = [];
  for (const n of nodes ?? []) {
    const kind = nodeKind(n);
    if (kind === 'RangeVar') {
      const rv = (n as { RangeVar: RangeVar }).RangeVar;
      const cte = !rv.schemaname ? ctes.get(rv.relname ?? '') : undefined;
      const key = cte ? undefined : ctx.existingRelationKey(rv);
      const rel = key !== undefined ? ctx.relation(key) : undefined;
      out.push({ alias: rv.alias?.aliasname ?? rv.relname ?? '', columns: cte ?? rel?.columns ?? [] });
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
  outer: CteScope = new Map(),
): { name: string; type: ColumnType }[] {
  const select = nodeAs<SelectStmt>(query, 'SelectStmt');
  if (!select) return [];
  let ctes = outer;
  if (select.withClause?.ctes?.length) {
    // Each CTE sees the ones before it; its columns are its query's, renamed by an explicit column list.
    const scope = new Map(outer);
    for (const n of select.withClause.ctes) {
      const cte = nodeAs<CommonTableExpr>(n, 'CommonTableExpr');
      if (!cte?.ctename) continue;
      const aliases = stringList(cte.aliascolnames);
      const columns = queryColumns(ctx, cte.ctequery, scope).map((c, i) => ({ ...c, name: aliases[i] ?? c.name }));
      scope.set(cte.ctename, columns);
    }
    ctes = scope;
  }
  if (select.larg && select.op && select.op !== 'SETOP_NONE') {
    // UNION / INTERSECT / EXCEPT: names come from the left branch; a type the left branch leaves open (a bare
    // NULL) is resolved from the right one.
    const left = queryColumns(ctx, { SelectStmt: select.larg }, ctes);
    const right = select.rarg ? queryColumns(ctx, { SelectStmt: select.rarg }, ctes) : [];
    return left.map((c, i) => (c.type === UNKNOWN_TYPE && right[i] ? { ...c, type: right[i]!.type } : c));
  }
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

const COMPARISON_OPERATORS = new Set([
  '=', '<>', '!=', '<', '>', '<=', '>=', '~~', '!~~', '~~*', '!~~*', '~', '~*', '@>', '<@', '&&', '?', '?|', '?&',
]);
const BOOLEAN_EXPRESSION_KINDS = new Set([
  'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_DISTINCT',
  'AEXPR_NOT_DISTINCT',
]);

/**
 * The type of a select-list expression when it is evident without PostgreSQL's full type resolution: column
 * references, casts, constants, comparisons and the common aggregates. Anything else is `unknown`.
 */
function expressionType(ctx: ApplyContext, node: Node | undefined, items: FromItem[]): ColumnType {
  if (!node) return UNKNOWN_TYPE;
  const kind = nodeKind(node);
  const v = (node as Record<string, any>)[kind];
  switch (kind) {
    case 'TypeCast':
      return columnTypeOf((v as TypeCast).typeName, (s, n) => ctx.store.resolveTypeSchema(s, n));
    case 'ColumnRef': {
      const names = stringList(v.fields);
      const column = names[names.length - 1];
      const qualifier = names.length > 1 ? names[names.length - 2] : undefined;
      for (const item of items) {
        if (qualifier !== undefined && item.alias !== qualifier) continue;
        const found = item.columns.find((c) => c.name === column);
        if (found) return found.type;
      }
      return UNKNOWN_TYPE;
    }
    case 'A_Const': {
      const c = constValue(node);
      if (typeof c === 'boolean') return builtinType('bool');
      if (typeof c === 'number') return Number.isInteger(c) && v.ival !== undefined ? builtinType('int4') : builtinType('numeric');
      return UNKNOWN_TYPE;
    }
    case 'A_Expr':
      if (v.kind === 'AEXPR_OP') {
        return COMPARISON_OPERATORS.has(stringList(v.name).pop() ?? '') ? builtinType('bool') : UNKNOWN_TYPE;
      }
      return BOOLEAN_EXPRESSION_KINDS.has(v.kind) ? builtinType('bool') : UNKNOWN_TYPE;
    case 'BoolExpr':
    case 'NullTest':
    case 'BooleanTest':
      return builtinType('bool');
    case 'CoalesceExpr': {
      for (const arg of (v.args ?? []) as Node[]) {
        const t = expressionType(ctx, arg, items);
        if (t !== UNKNOWN_TYPE) return t;
      }
      return UNKNOWN_TYPE;
    }
    case 'SQLValueFunction': {
      const op = String(v.op ?? '');
      if (op.startsWith('SVFOP_CURRENT_TIMESTAMP')) return builtinType('timestamptz');
      if (op.startsWith('SVFOP_LOCALTIMESTAMP')) return builtinType('timestamp');
      if (op === 'SVFOP_CURRENT_DATE') return builtinType('date');
      return UNKNOWN_TYPE;
    }
    case 'FuncCall': {
      const name = stringList(v.funcname).pop();
      const arg = ((v.args ?? []) as Node[])[0];
      switch (name) {
        case 'count':
          return builtinType('int8');
        case 'max':
        case 'min':
          return expressionType(ctx, arg, items);
        case 'sum': {
          // PostgreSQL's sum(): int2/int4 → int8, int8/numeric → numeric, float4/float8 keep their type.
          const t = expressionType(ctx, arg, items);
          if (t.schema !== 'pg_catalog' || t.arrayDimensions > 0) return UNKNOWN_TYPE;
          if (t.name === 'int2' || t.name === 'int4') return builtinType('int8');
          if (t.name === 'int8' || t.name === 'numeric') return builtinType('numeric');
          if (t.name === 'float4' || t.name === 'float8' || t.name === 'interval' || t.name === 'money') return builtinType(t.name);
          return UNKNOWN_TYPE;
        }
        case 'now':
          return builtinType('timestamptz');
        default:
          return UNKNOWN_TYPE;
      }
    }
    default:
      return UNKNOWN_TYPE;
  }
}

interface ScopeItem {
  /** Name the query refers to the item by: its alias, else the relation name. */
  alias: string;
  /** Relation key, for a base relation (not a CTE or subquery). */
  key?: string;
  /** Column names when known; undefined for relations the catalog knows only partially. */
  columns?: ReadonlySet<string>;
}

/**
 * Whether a view's query uses `column` of `tableKey`: by name (qualified or resolved through the FROM items of
 * its SELECT and the enclosing ones), through `*` / `alias.*`, as a whole-row reference, or in JOIN … USING.
 * PostgreSQL records these dependencies per column; this resolves them the same way on the raw parse tree.
 */
export function queryUsesColumn(ctx: ApplyContext, query: Node | undefined, tableKey: string, column: string): boolean {
  const ctes = cteNames(query);
  // Output column names of CTEs, so unqualified names resolve to them rather than to an enclosing scope.
  const cteColumns = new Map<string, ReadonlySet<string>>();
  visit(query, (key, value) => {
    if (key !== 'CommonTableExpr') return;
    const cte = value as CommonTableExpr;
    const names = stringList(cte.aliascolnames);
    const columns = names.length > 0 ? names : queryColumns(ctx, cte.ctequery).map((c) => c.name);
    if (cte.ctename && columns.length > 0) cteColumns.set(cte.ctename, new Set(columns));
  });
  let uses = false;

  const itemsOf = (nodes: readonly Node[] | undefined, out: ScopeItem[], nested: Node[]): void => {
    for (const n of nodes ?? []) {
      const kind = nodeKind(n);
      if (kind === 'RangeVar') {
        const rv = (n as { RangeVar: RangeVar }).RangeVar;
        const alias = rv.alias?.aliasname ?? rv.relname ?? '';
        if (!rv.schemaname && ctes.has(rv.relname ?? '')) {
          const columns = cteColumns.get(rv.relname ?? '');
          out.push({ alias, ...(columns ? { columns } : {}) });
          continue;
        }
        const key = ctx.existingRelationKey(rv) ?? ctx.relationKeyOf(rv);
        const rel = ctx.relation(key);
        out.push({ alias, key, ...(rel && !rel.partial ? { columns: new Set(rel.columns.map((c) => c.name)) } : {}) });
      } else if (kind === 'JoinExpr') {
        const j = (n as { JoinExpr: JoinExpr }).JoinExpr;
        const before = out.length;
        itemsOf([j.larg, j.rarg].filter((x): x is Node => x !== undefined), out, nested);
        const using = stringList(j.usingClause);
        if (using.includes(column) && out.slice(before).some((i) => i.key === tableKey)) uses = true;
        if (j.quals) nested.push(j.quals);
      } else if (kind === 'RangeSubselect') {
        const sub = (n as { RangeSubselect: RangeSubselect }).RangeSubselect;
        const aliases = stringList(sub.alias?.colnames);
        const inferred = queryColumns(ctx, sub.subquery).map((c, i) => aliases[i] ?? c.name);
        out.push({ alias: sub.alias?.aliasname ?? '', ...(inferred.length > 0 ? { columns: new Set(inferred) } : {}) });
        if (sub.subquery) nested.push(sub.subquery);
      } else {
        // Function calls in FROM and the like: their arguments may still mention columns.
        nested.push(n);
      }
    }
  };

  const checkRef = (fields: Node[] | undefined, scopes: readonly ScopeItem[][]): void => {
    const names = stringList(fields);
    const star = (fields ?? []).length > 0 && nodeKind(fields![fields!.length - 1]!) === 'A_Star';
    const all = scopes.flat();
    if (star) {
      const qualifier = names[names.length - 1];
      const candidates = qualifier === undefined ? scopes[0] ?? [] : all.filter((i) => i.alias === qualifier);
      if (candidates.some((i) => i.key === tableKey)) uses = true;
      return;
    }
    if (names.length >= 2) {
      const [qualifier, name] = names.slice(-2) as [string, string];
      const item = all.find((i) => i.alias === qualifier);
      if (item?.key === tableKey && name === column) uses = true;
      return;
    }
    const name = names[0];
    if (name === undefined) return;
    for (const scope of scopes) {
      // Innermost scope first; a name found there belongs to that scope (PostgreSQL reports ambiguity otherwise).
      const owners = scope.filter((i) => i.columns?.has(name) ?? i.key === tableKey);
      if (owners.length > 0) {
        if (name === column && owners.some((i) => i.key === tableKey)) uses = true;
        return;
      }
      // A bare alias is a whole-row reference.
      const whole = scope.find((i) => i.alias === name);
      if (whole) {
        if (whole.key === tableKey) uses = true;
        return;
      }
    }
  };

  const visitSelect = (select: SelectStmt, outer: readonly ScopeItem[][]): void => {
    if (select.larg || select.rarg) {
      if (select.larg) visitSelect(select.larg, outer);
      if (select.rarg) visitSelect(select.rarg, outer);
    }
    for (const cte of select.withClause?.ctes ?? []) {
      const q = nodeAs<CommonTableExpr>(cte, 'CommonTableExpr')?.ctequery;
      if (q) visitExpression(q, outer);
    }
    const items: ScopeItem[] = [];
    const nested: Node[] = [];
    itemsOf(select.fromClause, items, nested);
    const scopes = [items, ...outer];
    const { fromClause: _from, withClause: _with, larg: _l, rarg: _r, ...rest } = select;
    visitExpression(rest as Node, scopes);
    for (const n of nested) visitExpression(n, scopes);
  };

  /** Walks an expression tree, checking column references and entering nested SELECTs with their own scope. */
  const visitExpression = (node: unknown, scopes: readonly ScopeItem[][]): void => {
    if (uses || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visitExpression(n, scopes);
      return;
    }
    const record = node as Record<string, unknown>;
    if ('SelectStmt' in record) {
      visitSelect(record.SelectStmt as SelectStmt, scopes);
      return;
    }
    if ('ColumnRef' in record) {
      checkRef((record.ColumnRef as { fields?: Node[] }).fields, scopes);
      return;
    }
    for (const v of Object.values(record)) visitExpression(v, scopes);
  };

  visitExpression(query, []);
  return uses;
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
