import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { addedColumnsOnExistingTable, rewriteCauseOf, rewrittenTables, uniqueIndexNote } from './column-definitions';

/**
 * ADD COLUMN … GENERATED ALWAYS AS (…) STORED computes the expression for every existing row and writes it: the
 * table and all its indexes are rewritten under AccessExclusiveLock (lock fact alter-table.add-column.rewrite,
 * proven on PostgreSQL 17). PostgreSQL 18 adds VIRTUAL generated columns (its default kind), computed on read:
 * no rewrite (fact alter-table.add-column.virtual-generated), so they are not reported.
 * https://www.postgresql.org/docs/current/ddl-generated-columns.html
 */
export const addColumnGeneratedStored = defineRule({
  meta: {
    id: 'add-column-generated-stored',
    description: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED rewrites an existing table and its indexes under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('add-column-generated-stored'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const added of addedColumnsOnExistingTable(context, stmt)) {
      if (rewriteCauseOf(context, added.column, added.constraints)?.cause !== 'stored-generated') continue;
      const rewritten = rewrittenTables(added.effect);
      if (rewritten.length === 0) continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const sized = sizedSeverity(context, [table, ...rewritten], addColumnGeneratedStored.meta.defaultSeverity);
      const column = added.column.colname;
      const virtual =
        context.pgVersion >= 18
          ? ' Or, on PostgreSQL 18, make it VIRTUAL (computed on read, no rewrite).'
          : ' (PostgreSQL 18 also offers VIRTUAL generated columns, computed on read, which add without a rewrite.)';
      context.report({
        message:
          `ADD COLUMN ${column} … GENERATED ALWAYS AS (…) STORED computes and writes the value for every existing row: PostgreSQL rewrites all of ` +
          `${table} and its indexes under AccessExclusiveLock, and reads and writes wait until it finishes (${sized.phrase}).${uniqueIndexNote(added.constraints)} ` +
          `Add a plain column kept current by a trigger, backfill it in batches instead.${virtual}`,
        severity: sized.severity,
        data: {
          table,
          column,
          lock: 'AccessExclusiveLock',
          ...sizeData(sized),
        },
        ...(added.range ? { range: added.range } : {}),
      });
    }
  },
});
