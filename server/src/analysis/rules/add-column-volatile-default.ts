import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { addedColumnsOnExistingTable, rewriteCauseOf, rewrittenTables, uniqueIndexNote } from './column-definitions';

/**
 * Since PostgreSQL 11, ADD COLUMN with a non-volatile DEFAULT stores the value once in the catalog and leaves the
 * rows alone. A VOLATILE default (gen_random_uuid(), clock_timestamp(), nextval()) must run once per row, so
 * PostgreSQL rewrites the table and all its indexes under AccessExclusiveLock. Serial, identity, stored generated
 * and constrained-domain columns rewrite too; each has its own rule (column-definitions.ts).
 * https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
 */
export const addColumnVolatileDefault = defineRule({
  meta: {
    id: 'add-column-volatile-default',
    description: 'ADD COLUMN with a VOLATILE (or unknown) DEFAULT rewrites an existing table under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('add-column-volatile-default'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const added of addedColumnsOnExistingTable(context, stmt)) {
      const found = rewriteCauseOf(context, added.column, added.constraints);
      if (found?.cause !== 'volatile-default' && found?.cause !== 'unknown-volatility') continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const effect = added.effect;
      // A known-volatile default rewrites by the model's own answer; an unknown one is a possible rewrite the model
      // marks `unknown` (functions are VOLATILE unless declared otherwise), sized like the rewrite it may be.
      const rewritten = rewrittenTables(effect);
      if (found.cause === 'volatile-default' && rewritten.length === 0) continue;
      const sized = sizedSeverity(context, [table, ...rewritten], addColumnVolatileDefault.meta.defaultSeverity);
      const column = added.column.colname;
      const rewrite = `PostgreSQL rewrites all of ${table} and its indexes under AccessExclusiveLock: reads and writes wait until it finishes (${sized.phrase}).${uniqueIndexNote(added.constraints)}`;
      const message =
        found.cause === 'volatile-default'
          ? `ADD COLUMN ${column} has a DEFAULT calling ${found.culprit}, which is VOLATILE and must run once per row, so ${rewrite} Add the column without a default, SET DEFAULT for new rows, then backfill in batches.`
          : `ADD COLUMN ${column} has a DEFAULT using ${found.culprit}, whose volatility Lockstep does not know (functions are VOLATILE unless declared otherwise). If it is VOLATILE, ${rewrite} Check pg_proc.provolatile, or add the column without a default and backfill.`;
      context.report({
        message,
        severity: sized.severity,
        data: {
          table,
          column,
          lock: 'AccessExclusiveLock',
          reason: found.cause,
          function: found.function,
          ...sizeData(sized),
        },
        ...(added.range ? { range: added.range } : {}),
      });
    }
  },
});
