// Which relations a statement names. The analyzer keys its per-statement cache on these (with their digests), so
// the walk errs on the side of naming too much: every RangeVar, plus names that DROP / COMMENT carry as plain lists.
import type { CommentStmt, DropStmt, IndexStmt, Node, RangeVar } from '@pgsql/types';
import { nodeAs, nodeKind, stringList, visit } from './ast';
import { qualifiedKey } from './names';
import { cteNames } from './views';

export interface NamedRelation {
  schema?: string;
  name: string;
  temporary: boolean;
  /** For CREATE INDEX: the index is created in the schema of this table. */
  indexOn?: NamedRelation;
}

/** DROP / COMMENT object types whose name list ends with a relation name. */
const RELATION_OBJECTS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_FOREIGN_TABLE',
  'OBJECT_SEQUENCE',
  'OBJECT_INDEX',
]);
/** Object types named `table.object`: the relation is everything but the last name. */
const RELATION_MEMBER_OBJECTS = new Set(['OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT']);

function fromNames(names: readonly string[]): NamedRelation | undefined {
  if (names.length === 0) return undefined;
  return {
    ...(names.length >= 2 ? { schema: names[names.length - 2] } : {}),
    name: names[names.length - 1]!,
    temporary: false,
  };
}

/** Relation names in a statement, unresolved: schema is set only when the statement qualifies the name. */
export function namedRelations(stmt: Node): NamedRelation[] {
  const out: NamedRelation[] = [];
  const ctes = cteNames(stmt);
  visit(stmt, (key, value) => {
    if (Array.isArray(value)) return;
    // A composite type's name is a RangeVar too, but names a type, not a relation.
    if (key === 'typevar') return;
    const rv = value as RangeVar;
    if (typeof rv.relname !== 'string') return;
    if (!rv.schemaname && ctes.has(rv.relname)) return;
    out.push({
      ...(rv.schemaname ? { schema: rv.schemaname } : {}),
      name: rv.relname,
      temporary: rv.relpersistence === 't',
    });
  });
  const kind = nodeKind(stmt);
  if (kind === 'IndexStmt') {
    const idx = (stmt as { IndexStmt: IndexStmt }).IndexStmt;
    if (idx.idxname && idx.relation) {
      out.push({
        name: idx.idxname,
        temporary: false,
        indexOn: {
          ...(idx.relation.schemaname ? { schema: idx.relation.schemaname } : {}),
          name: idx.relation.relname ?? '',
          temporary: idx.relation.relpersistence === 't',
        },
      });
    }
  } else if (kind === 'DropStmt') {
    const drop = (stmt as { DropStmt: DropStmt }).DropStmt;
    for (const object of drop.objects ?? []) {
      const names = stringList(nodeAs<{ items?: Node[] }>(object, 'List')?.items);
      const named = RELATION_OBJECTS.has(drop.removeType ?? '')
        ? fromNames(names)
        : RELATION_MEMBER_OBJECTS.has(drop.removeType ?? '')
          ? fromNames(names.slice(0, -1))
          : undefined;
      if (named) out.push(named);
    }
  } else if (kind === 'CommentStmt') {
    const comment = (stmt as { CommentStmt: CommentStmt }).CommentStmt;
    const names = stringList(nodeAs<{ items?: Node[] }>(comment.object, 'List')?.items);
    const named = RELATION_OBJECTS.has(comment.objtype ?? '')
      ? fromNames(names)
      : RELATION_MEMBER_OBJECTS.has(comment.objtype ?? '')
        ? fromNames(names.slice(0, -1))
        : undefined;
    if (named) out.push(named);
  }
  return out;
}

/**
 * Every relation `stmt` names, schema-qualified (`public.users`), without a catalog: unqualified names take the
 * first schema of `searchPath` (temporary tables: pg_temp). Catalog#referencedRelations resolves against the
 * relations that exist instead, which is what PostgreSQL does.
 */
export function referencedRelations(stmt: Node, searchPath: readonly string[]): string[] {
  const first = searchPath.find((s) => s !== '$user' && s !== 'pg_catalog' && s !== 'pg_temp') ?? 'public';
  const out = new Set<string>();
  const qualify = (n: NamedRelation): string => qualifiedKey(n.schema ?? (n.temporary ? 'pg_temp' : first), n.name);
  for (const n of namedRelations(stmt)) {
    if (n.indexOn) out.add(qualifiedKey(n.indexOn.schema ?? (n.indexOn.temporary ? 'pg_temp' : first), n.name));
    else out.add(qualify(n));
  }
  return [...out];
}
