import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity } from './table-size';
import { changedColumnTypesOnExistingTable, displayType, isTimestampConversion, rebuiltIndexes, rewrittenTables } from './column-definitions';

/**
 * ALTER COLUMN … TYPE rewrites the table and every index only when a function must convert each value (int →
 * bigint, a typmod cut, text → varchar(n), a USING expression, a constrained domain…). Binary-coercible changes
 * (varchar → text, varchar(n) up, numeric precision up) change only the catalog. Which is which is the lock model's
 * answer (facts alter-table.alter-column-type.*, lockmodel/type-change.ts, proven on PostgreSQL 17): this rule
 * reports only a rewrite the model is sure of. timestamp ⇄ timestamptz is timestamp-to-timestamptz-timezone's.
 * https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
 */
export const columnTypeRewrite = defineRule({
  meta: {
    id: 'column-type-rewrite',
    description: 'ALTER COLUMN … TYPE that PostgreSQL implements by rewriting the table and all its indexes under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('column-type-rewrite'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const change of changedColumnTypesOnExistingTable(context, stmt)) {
      if (isTimestampConversion(change.from, change.to)) continue;
      const effect = change.effect;
      const tables = rewrittenTables(effect);
      if (tables.length === 0) continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const indexes = rebuiltIndexes(effect);
      const sized = sizedSeverity(context, [table, ...tables], columnTypeRewrite.meta.defaultSeverity);
      const from = change.from ? displayType(change.from) : undefined;
      const to = displayType(change.to);
      const others = effect.scans.filter((s) => !tables.includes(s) && s !== table);
      const indexText =
        indexes.length === 0 ? 'its indexes (none known)' : `its ${indexes.length} ${indexes.length === 1 ? 'index' : 'indexes'} (${indexes.join(', ')})`;
      const foreignKeys = others.length > 0 ? ` Foreign keys on the column are re-validated, reading ${others.join(', ')}.` : '';
      context.report({
        message:
          `ALTER COLUMN ${change.column} TYPE ${to}${from ? ` (from ${from})` : ''} converts every value: PostgreSQL rewrites all of ${table} and rebuilds ` +
          `${indexText} under AccessExclusiveLock; reads and writes wait until it finishes (${sized.phrase}).${foreignKeys} ` +
          `Add a new column of the new type, keep it in sync with a trigger, backfill in batches, then switch by rename (expand/contract).`,
        severity: sized.severity,
        data: {
          table,
          column: change.column,
          ...(from ? { from } : {}),
          to,
          indexesRebuilt: indexes.length,
          lock: 'AccessExclusiveLock',
          sizeClass: sized.sizeClass,
          ...(sized.rows !== undefined ? { rows: sized.rows } : {}),
        },
        ...(change.range ? { range: change.range } : {}),
      });
    }
  },
});
