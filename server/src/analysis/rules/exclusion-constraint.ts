import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { addedConstraints, constraintLabel } from './added-constraints';
import { lockOn, scannedTables, waitingWork } from './lock-wording';

/**
 * ADD CONSTRAINT … EXCLUDE builds its index while the ALTER TABLE holds AccessExclusiveLock (lock model fact
 * `alter-table.add-constraint.exclusion`), and unlike UNIQUE or PRIMARY KEY there is no way around it:
 * ADD CONSTRAINT … USING INDEX accepts only unique btree indexes, and exclusion constraints cannot be NOT VALID.
 * So the rule can only say what waits and how long; the build grows with the table, so the severity follows its
 * size. A table created earlier in the file is empty, so it is exempt.
 * https://www.postgresql.org/docs/current/sql-altertable.html (ADD table_constraint)
 */
export const exclusionConstraint = defineRule({
  meta: {
    id: 'exclusion-constraint',
    description: 'ADD CONSTRAINT … EXCLUDE builds its index under AccessExclusiveLock, and no concurrent way exists.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('exclusion-constraint'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    const lock = lockOn(context.effect, table) ?? 'AccessExclusiveLock';
    const waits = waitingWork(context.effect, table) ?? 'reads and writes';
    const sized = sizedSeverity(context, [table, ...scannedTables(context.effect)], exclusionConstraint.meta.defaultSeverity);
    for (const { constraint, clause } of addedConstraints(context.statement, stmt, 'CONSTR_EXCLUSION')) {
      const method = constraint.access_method ?? 'btree';
      context.report({
        message:
          `ADD CONSTRAINT … EXCLUDE builds the ${method} index of ${constraintLabel(constraint)} on ${table} while holding ${lock}: ` +
          `${waits} wait until the build ends (${sized.phrase}). There is no CONCURRENTLY or USING INDEX way to add an exclusion constraint: ` +
          `add it when the table is created, or run it when ${table} can be blocked for the build, with a lock_timeout.`,
        data: { table, lock, method, ...(constraint.conname ? { constraint: constraint.conname } : {}), ...sizeData(sized) },
        severity: sized.severity,
        ...(clause ? { range: clause } : {}),
      });
    }
  },
});
