import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';
import { addedConstraints, constraintLabel } from './added-constraints';
import { lockOn, scannedTables, waitingWork } from './lock-wording';

/**
 * ADD CONSTRAINT … UNIQUE (without USING INDEX) builds the unique index while the ALTER TABLE holds
 * AccessExclusiveLock on the table: reads and writes wait for the whole build (lock model fact
 * `alter-table.add-constraint.unique`) — stronger than CREATE UNIQUE INDEX's ShareLock. The safe path builds the
 * index with CREATE UNIQUE INDEX CONCURRENTLY and then attaches it with ADD CONSTRAINT … UNIQUE USING INDEX, a
 * catalog-only change (docs: ALTER TABLE, "table_constraint_using_index"). The build grows with the table, so the
 * severity follows its size. Partitioned tables have no USING INDEX (nor CONCURRENTLY), so there the message
 * only says what waits.
 */
export const uniqueConstraintWithoutIndex = defineRule({
  meta: {
    id: 'unique-constraint-without-index',
    description: 'ADD CONSTRAINT … UNIQUE builds its index under AccessExclusiveLock; build it CONCURRENTLY and add the constraint USING INDEX.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('unique-constraint-without-index'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    const partitioned = context.file.schema.relationKind(table) === 'partitioned table';
    const lock = lockOn(context.effect, table) ?? 'AccessExclusiveLock';
    const waits = waitingWork(context.effect, table) ?? 'reads and writes';
    const sized = sizedSeverity(context, [table, ...scannedTables(context.effect)], uniqueConstraintWithoutIndex.meta.defaultSeverity);
    for (const { constraint, clause } of addedConstraints(context.statement, stmt, 'CONSTR_UNIQUE')) {
      if (constraint.indexname) continue;
      const columns = (constraint.keys ?? []).map((k) => asNode(k, 'String')?.sval ?? '').filter(Boolean);
      const fix = partitioned
        ? 'A partitioned table has no USING INDEX or CONCURRENTLY path: run it when writes to every partition can wait, with a lock_timeout.'
        : `Build the index first with CREATE UNIQUE INDEX CONCURRENTLY … (${columns.join(', ')}) outside a transaction block, then ADD CONSTRAINT … UNIQUE USING INDEX, which only records it.`;
      context.report({
        message:
          `ADD CONSTRAINT … UNIQUE builds the index of ${constraintLabel(constraint)} on ${table} (a full scan and sort) while holding ${lock}: ` +
          `${waits} wait until the build ends (${sized.phrase}). ${fix}`,
        data: { table, lock, columns: columns.join(', '), ...(constraint.conname ? { constraint: constraint.conname } : {}), ...sizeData(sized) },
        severity: sized.severity,
        ...(clause ? { range: clause } : {}),
      });
    }
  },
});
