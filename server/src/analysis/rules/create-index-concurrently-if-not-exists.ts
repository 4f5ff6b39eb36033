import type { RangeVar } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import type { NeighbourStatement } from '../file-context';

/**
 * When CREATE INDEX CONCURRENTLY fails part-way (a duplicate key of a UNIQUE index, a deadlock, a cancel or a
 * statement_timeout), PostgreSQL keeps the half-built index under its name, marked INVALID (docs: CREATE INDEX,
 * "Building Indexes Concurrently"). The planner never uses it, yet every write keeps maintaining it. Running the
 * migration again with IF NOT EXISTS then finds the name taken and skips the build with a notice: the migration
 * "succeeds" and the index never works. A plain CREATE INDEX has no such failure mode (it rolls back), and a build
 * without IF NOT EXISTS fails loudly on the leftover.
 *
 * Not size-scaled: the harm is a silently useless index, whatever the table's size. Not reported on a table
 * created earlier in the file (an empty table's build does not fail part-way), nor when the statement right
 * before drops a leftover of that name — `DROP INDEX [CONCURRENTLY] IF EXISTS` of the same index, or a DO block
 * that drops it when pg_index says it is not valid (what Lockstep's create-index quick fix writes).
 */
export const createIndexConcurrentlyIfNotExists = defineRule({
  meta: {
    id: 'create-index-concurrently-if-not-exists',
    description: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS silently keeps the INVALID index a failed earlier run left behind.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('create-index-concurrently-if-not-exists'),
  },
  kinds: ['IndexStmt'],
  check(context, stmt) {
    if (!stmt.concurrent || !stmt.if_not_exists || !stmt.idxname || !stmt.relation) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    // An index lives in its table's schema.
    const indexRv: RangeVar = { relname: stmt.idxname, ...(stmt.relation.schemaname ? { schemaname: stmt.relation.schemaname } : {}) };
    const index = context.file.schema.resolve(indexRv);
    if (guardsAgainstLeftover(context.file.previousStatement(), index, stmt.idxname, (rv) => context.file.schema.resolve(rv))) return;
    const range = context.statement.findWords('IF', 'NOT', 'EXISTS');
    context.report({
      message:
        `If this CREATE INDEX CONCURRENTLY fails part-way (a duplicate key, a deadlock, a timeout), it leaves an INVALID index ${index} on ${table}; ` +
        `when the migration runs again, IF NOT EXISTS finds that name and skips the build, so the migration succeeds with an index ` +
        `the planner never uses and every write still maintains. Put DROP INDEX CONCURRENTLY IF EXISTS ${index} right before it and drop IF NOT EXISTS.`,
      data: { table, index },
      ...(range ? { range } : {}),
    });
  },
});

/** True when the previous statement removes a leftover `index` (by DROP INDEX … IF EXISTS or a pg_index-guarded DO block). */
function guardsAgainstLeftover(
  previous: NeighbourStatement | undefined,
  index: string,
  bareName: string,
  resolve: (rv: RangeVar) => string,
): boolean {
  if (!previous?.ast) return false;
  const drop = asNode(previous.ast, 'DropStmt');
  if (drop?.removeType === 'OBJECT_INDEX') {
    return (drop.objects ?? []).some((o) => {
      const parts = (asNode(o, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? '');
      const rv: RangeVar = parts.length >= 2 ? { schemaname: parts[parts.length - 2]!, relname: parts[parts.length - 1]! } : { relname: parts[0] ?? '' };
      return resolve(rv) === index;
    });
  }
  // A DO block's body is a string the parser does not look into: its text has to name the index and check validity.
  if (asNode(previous.ast, 'DoStmt')) {
    const text = previous.text.toLowerCase();
    return text.includes('indisvalid') && text.includes(bareName.toLowerCase()) && /\bdrop\s+index\b/.test(text);
  }
  return false;
}
