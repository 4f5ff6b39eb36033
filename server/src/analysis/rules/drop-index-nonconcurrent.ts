import type { RangeVar } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { lockOn } from './lock-wording';

/**
 * DROP INDEX without CONCURRENTLY takes AccessExclusiveLock on the index's TABLE, not only on the index (lock
 * model fact `drop-index`): the drop itself is instant, but it queues behind every running query on the table and
 * every later query queues behind it. DROP INDEX CONCURRENTLY waits for those queries under
 * ShareUpdateExclusiveLock instead. The cost does not grow with the table, so the severity is not size-scaled.
 * Not reported: indexes of tables created earlier in the file (nobody else uses them), and partitioned indexes,
 * which PostgreSQL cannot drop concurrently.
 * https://www.postgresql.org/docs/current/sql-dropindex.html
 */
export const dropIndexNonconcurrent = defineRule({
  meta: {
    id: 'drop-index-nonconcurrent',
    description: 'DROP INDEX without CONCURRENTLY takes AccessExclusiveLock on the table: reads and writes of it wait.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('drop-index-nonconcurrent'),
  },
  kinds: ['DropStmt'],
  check(context, stmt) {
    if (stmt.removeType !== 'OBJECT_INDEX' || stmt.concurrent) return;
    const { schema } = context.file;
    const dropped = (stmt.objects ?? []).map((o) => {
      const parts = (asNode(o, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? '');
      const rv: RangeVar = parts.length >= 2 ? { schemaname: parts[parts.length - 2]!, relname: parts[parts.length - 1]! } : { relname: parts[0] ?? '' };
      const index = schema.resolve(rv);
      return { index, table: schema.tableOfIndex(index), kind: schema.relationKind(index) };
    });
    const reported = dropped.filter((d) => d.kind !== 'partitioned index' && !(d.table !== undefined && context.file.createdInFile(d.table)));
    if (reported.length === 0) return;
    const known = reported.filter((d): d is { index: string; table: string; kind: typeof d.kind } => d.table !== undefined);
    const tables = [...new Set(known.map((d) => d.table))];
    // The model locks the index's table; when the catalog does not know the index, only the index's own lock is known.
    const lock = (tables[0] !== undefined ? lockOn(context.effect, tables[0]) : undefined) ?? lockOn(context.effect, reported[0]!.index) ?? 'AccessExclusiveLock';
    const on = tables.length > 0 ? tables.join(', ') : `the table of ${reported.map((d) => d.index).join(', ')}`;
    const range = context.statement.findWords('DROP', 'INDEX');
    context.report({
      message:
        `DROP INDEX takes ${lock} on ${on} — ${tables.length > 1 ? 'the tables, not only the indexes: reads and writes of them' : 'the table, not only the index: reads and writes of it'} wait, ` +
        `and while the DROP waits for running queries on ${tables.length > 1 ? 'them' : 'the table'}, every new query queues behind it. ` +
        `Use DROP INDEX CONCURRENTLY (one index per statement, outside a transaction block).`,
      data: {
        index: reported.map((d) => d.index).join(', '),
        // `tables`, not `table`: one DROP INDEX can name indexes of several tables, or of tables Lockstep does not know.
        tables: tables.join(', '),
        lock,
        tableKnown: tables.length > 0,
      },
      ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
    });
  },
});
