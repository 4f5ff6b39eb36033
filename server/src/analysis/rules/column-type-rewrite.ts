import { defineRule, ruleDocPath, type RuleContext } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { changedColumnTypesOnExistingTable, displayType, type ChangedColumnType, isTimestampConversion, rebuiltIndexes, rewrittenTables } from './column-definitions';

/**
 * ALTER COLUMN … TYPE rewrites the table and every index only when a function must convert each value (int →
 * bigint, a typmod cut, text → varchar(n), a USING expression, a constrained domain…). Binary-coercible changes
 * (varchar → text, varchar(n) up, numeric precision up) change only the catalog. Which is which is the lock model's
 * answer (facts alter-table.alter-column-type.*, lockmodel/type-change.ts, proven on PostgreSQL 17): this rule
 * reports a rewrite the model is sure of, and — with `data.certain: false` — a change the model cannot classify
 * (the column is not in the schema Lockstep replayed, or a type is unknown to it): whoever was burned by a rewrite
 * wants to hear "cannot tell" rather than nothing. Silent only when the model proves the rows stay.
 * timestamp ⇄ timestamptz is timestamp-to-timestamptz-timezone's.
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
      const table = context.file.schema.resolve(stmt.relation!);
      if (tables.length === 0) {
        if (effect.facts.some((f) => f.id === UNKNOWN_FACT)) reportUncertain(context, table, change);
        continue;
      }
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
          certain: true,
          lock: 'AccessExclusiveLock',
          ...sizeData(sized),
        },
        ...(change.range ? { range: change.range } : {}),
      });
    }
  },
});

/** The lock model's answer when the current column or one of the types is not in the catalog (a lower bound). */
const UNKNOWN_FACT = 'alter-table.alter-column-type.unknown-type';

const BINARY_COERCIBLE_EXAMPLES = 'varchar(n) → text, varchar(n) → a longer varchar, numeric precision up with the same scale';

/**
 * The model cannot tell whether the change rewrites: the locks are certain (AccessExclusiveLock on the table), the
 * rewrite is not, so the finding says "may" and carries `certain: false`. Same severity as a proven rewrite: the
 * unknown case is usually an int → bigint or a typmod change on a table created before the migrations Lockstep read.
 */
function reportUncertain(context: RuleContext, table: string, change: ChangedColumnType): void {
  const sized = sizedSeverity(context, [table], columnTypeRewrite.meta.defaultSeverity);
  const to = displayType(change.to);
  const from = change.from ? displayType(change.from) : undefined;
  const why = from
    ? `whether ${from} → ${to} keeps the rows is not known to Lockstep (a type it has not seen)`
    : `the current type of ${change.column} is unknown (not created by the migrations Lockstep read)`;
  context.report({
    message:
      `ALTER COLUMN ${change.column} TYPE ${to} may rewrite ${table} under AccessExclusiveLock: ${why}; the change rewrites the table and ` +
      `rebuilds its indexes unless it is binary-coercible (${BINARY_COERCIBLE_EXAMPLES}), and reads and writes wait until it finishes ` +
      `(${sized.phrase}). If it converts values (int → bigint, a shorter varchar, text → varchar(n), a USING expression), add a new column, ` +
      `keep it in sync with a trigger, backfill in batches, then switch by rename (expand/contract).`,
    severity: sized.severity,
    data: {
      table,
      column: change.column,
      ...(from ? { from } : {}),
      to,
      certain: false,
      lock: 'AccessExclusiveLock',
      ...sizeData(sized),
    },
    ...(change.range ? { range: change.range } : {}),
  });
}
