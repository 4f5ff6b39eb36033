import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';
import { addedConstraints, constraintLabel } from './added-constraints';
import { lockOn, scannedTables, waitingWork } from './lock-wording';

/**
 * ADD CONSTRAINT … CHECK without NOT VALID reads every row of the table (of each partition, for a partitioned
 * one) while holding AccessExclusiveLock: reads and writes wait for the whole scan (lock model fact
 * `alter-table.add-constraint.check`). With NOT VALID the ADD is a brief catalog change, and VALIDATE CONSTRAINT
 * later checks the rows under ShareUpdateExclusiveLock, which blocks neither reads nor writes. The scan grows with
 * the table, so the severity follows its size. NOT ENFORCED (PostgreSQL 18) also skips the scan.
 * https://www.postgresql.org/docs/current/sql-altertable.html (ADD table_constraint … NOT VALID)
 */
export const checkWithoutNotValid = defineRule({
  meta: {
    id: 'check-without-not-valid',
    description: 'ADD CONSTRAINT … CHECK without NOT VALID scans the whole table under AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('check-without-not-valid'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    // Most ALTER TABLEs add no CHECK: decided from the AST before any name resolution or lock-model lookup.
    if (!(stmt.cmds ?? []).some((item) => {
      const cmd = asNode(item, 'AlterTableCmd');
      const constraint = cmd?.subtype === 'AT_AddConstraint' ? asNode(cmd.def, 'Constraint') : undefined;
      return constraint?.contype === 'CONSTR_CHECK' && !constraint.skip_validation;
    })) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    const lock = lockOn(context.effect, table) ?? 'AccessExclusiveLock';
    const waits = waitingWork(context.effect, table) ?? 'reads and writes';
    const scanned = scannedTables(context.effect);
    const sized = sizedSeverity(context, [table, ...scanned], checkWithoutNotValid.meta.defaultSeverity);
    const partitions = scanned.filter((t) => t !== table);
    for (const { constraint, clause } of addedConstraints(context.statement, stmt, 'CONSTR_CHECK')) {
      if (constraint.skip_validation) continue;
      context.report({
        message:
          `ADD CONSTRAINT … CHECK reads every row of ${table}${partitions.length > 0 ? ` (its partitions ${partitions.join(', ')})` : ''} ` +
          `to check ${constraintLabel(constraint)} while holding ${lock}: ${waits} wait until the scan ends (${sized.phrase}). ` +
          `Add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a separate transaction: it scans under ShareUpdateExclusiveLock, so reads and writes go on.`,
        data: { table, lock, ...(constraint.conname ? { constraint: constraint.conname } : {}), ...sizeData(sized) },
        severity: sized.severity,
        ...(clause ? { range: clause } : {}),
      });
    }
  },
});
