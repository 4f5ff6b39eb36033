import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { changedColumnTypesOnExistingTable, displayType, isTimestampConversion, rebuiltIndexes, rewrittenTables } from './column-definitions';

/**
 * An ALTER COLUMN … TYPE that keeps the rows can still rebuild indexes: PostgreSQL keeps an index's storage only
 * when it has no expression or predicate and the column keeps its operator class and collation (indexcmds.c
 * CheckIndexCompatible). An expression or partial index on the column, a COLLATE change or a new operator class
 * (text → citext) rebuilds it, reading the whole table under AccessExclusiveLock (fact
 * alter-table.alter-column-type.in-place.reads-table, `column.indexes.rebuilt`). A type change that rewrites the
 * table rebuilds every index as part of the rewrite: column-type-rewrite reports that, with the count.
 */
export const typeChangeRebuildsIndex = defineRule({
  meta: {
    id: 'type-change-rebuilds-index',
    description: 'ALTER COLUMN … TYPE that keeps the table but rebuilds indexes on the column, reading the table under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('type-change-rebuilds-index'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const change of changedColumnTypesOnExistingTable(context, stmt)) {
      // timestamp ⇄ timestamptz under UTC rebuilds its indexes too; timestamp-to-timestamptz-timezone reports it.
      if (isTimestampConversion(change.from, change.to)) continue;
      const effect = change.effect;
      if (rewrittenTables(effect).length > 0) continue;
      const indexes = rebuiltIndexes(effect);
      if (indexes.length === 0) continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const sized = sizedSeverity(context, [table, ...effect.scans], typeChangeRebuildsIndex.meta.defaultSeverity);
      const to = displayType(change.to);
      const from = change.from ? displayType(change.from) : undefined;
      const list = indexes.join(', ');
      context.report({
        message:
          `ALTER COLUMN ${change.column} TYPE ${to}${from ? ` (from ${from})` : ''} keeps the rows of ${table} but rebuilds ${indexes.length === 1 ? 'index' : 'indexes'} ${list} ` +
          `(an expression or partial index, or a new collation or operator class), reading the whole table under AccessExclusiveLock: ` +
          `reads and writes wait until ${indexes.length === 1 ? 'it is' : 'they are'} built (${sized.phrase}). ` +
          `Build the replacement ${indexes.length === 1 ? 'index' : 'indexes'} for the new type with CREATE INDEX CONCURRENTLY in a later step, and DROP INDEX CONCURRENTLY the old ${indexes.length === 1 ? 'one' : 'ones'} before the type change.`,
        severity: sized.severity,
        data: {
          table,
          column: change.column,
          ...(from ? { from } : {}),
          to,
          indexes: list,
          lock: 'AccessExclusiveLock',
          ...sizeData(sized),
        },
        ...(change.range ? { range: change.range } : {}),
      });
    }
  },
});
