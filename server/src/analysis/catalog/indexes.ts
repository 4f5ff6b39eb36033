// CREATE INDEX and DROP INDEX.
import type { IndexElem, IndexStmt } from '@pgsql/types';
import { nodeAs } from './ast';
import { ApplyContext } from './context';
import { qualifiedKey } from './names';
import { defineIndex, dropIndexRecord, indexColumnOf } from './tables';

export function createIndex(ctx: ApplyContext, stmt: IndexStmt): void {
  if (!stmt.relation) return;
  const rel = ctx.relationForAlter(stmt.relation, 'table', false);
  if (!rel) return;
  if (stmt.idxname !== undefined && ctx.store.classNameTaken(rel.schema, stmt.idxname)) {
    if (stmt.if_not_exists) return;
    const key = qualifiedKey(rel.schema, stmt.idxname);
    ctx.problem('duplicate-object', `relation ${key} already exists; the new index replaces it`, key);
    dropIndexRecord(ctx, key, true);
  }
  const elems = (stmt.indexParams ?? []).map((n) => nodeAs<IndexElem>(n, 'IndexElem') ?? {});
  const include = (stmt.indexIncludingParams ?? [])
    .map((n) => nodeAs<IndexElem>(n, 'IndexElem')?.name)
    .filter((n): n is string => n !== undefined);
  defineIndex(ctx, rel.key, {
    ...(stmt.idxname !== undefined ? { name: stmt.idxname } : {}),
    unique: stmt.unique === true,
    primary: stmt.primary === true,
    columns: elems.map(indexColumnOf),
    include,
    ...(stmt.whereClause ? { predicate: stmt.whereClause } : {}),
    method: stmt.accessMethod ?? 'btree',
    nullsNotDistinct: stmt.nulls_not_distinct === true,
    concurrently: stmt.concurrent === true,
    // ON ONLY: the RangeVar's inh flag is false.
    only: stmt.relation.inh !== true,
  });
}

/** DROP INDEX name: refuses (as PostgreSQL does) to drop an index that backs a constraint. */
export function dropIndex(ctx: ApplyContext, schema: string | undefined, name: string, missingOk: boolean): void {
  const key = ctx.store.findIndexKey(schema, name);
  if (key === undefined) {
    if (!missingOk) ctx.problem('unknown-index', `index ${name} does not exist`, name);
    return;
  }
  const index = ctx.store.indexes.get(key);
  const table = index && ctx.relation(index.table);
  if (index?.constraint) {
    ctx.problem(
      'dependent-objects',
      `index ${key} backs constraint ${index.constraint} on ${table!.key}; drop the constraint instead`,
      key,
    );
    return;
  }
  dropIndexRecord(ctx, key, true);
}
