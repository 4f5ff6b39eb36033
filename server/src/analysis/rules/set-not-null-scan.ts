import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauses, existingAlteredTable } from './alter-table-clauses';
import { sizedSeverity, sizeData } from './table-size';

/**
 * ALTER COLUMN … SET NOT NULL reads the whole table to check for NULLs while holding AccessExclusiveLock, so
 * reads and writes wait for the full scan. Since PostgreSQL 12 the scan is skipped when a validated
 * CHECK (col IS NOT NULL) constraint already proves it; the constraint can be added NOT VALID and validated
 * under a weaker lock first. PostgreSQL 18's `ADD CONSTRAINT … NOT NULL col` without NOT VALID scans the same way.
 * The scan time grows with the table, so the severity follows its size (rules/table-size.ts).
 * https://www.postgresql.org/docs/current/sql-altertable.html (SET/DROP NOT NULL)
 */
export const setNotNullScan = defineRule({
  meta: {
    id: 'set-not-null-scan',
    description:
      'SET NOT NULL on an existing table scans every row under AccessExclusiveLock unless a validated CHECK (col IS NOT NULL) exists.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('set-not-null-scan'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    const table = existingAlteredTable(context, stmt);
    if (table === undefined) return;
    const sized = sizedSeverity(context, [table], setNotNullScan.meta.defaultSeverity);
    for (const clause of alterTableClauses(context.statement, stmt)) {
      const { cmd } = clause;
      let columns: string[] = [];
      let form: 'set-not-null' | 'add-not-null-constraint' = 'set-not-null';
      if (cmd.subtype === 'AT_SetNotNull' && cmd.name) {
        columns = [cmd.name];
      } else if (cmd.subtype === 'AT_AddConstraint') {
        const constraint = asNode(cmd.def, 'Constraint');
        if (constraint?.contype !== 'CONSTR_NOTNULL' || constraint.skip_validation) continue;
        columns = (constraint.keys ?? []).map((k) => asNode(k, 'String')?.sval ?? '').filter(Boolean);
        form = 'add-not-null-constraint';
      }
      for (const column of columns) {
        if (context.file.hasValidatedNotNullCheck(table, column)) continue;
        context.report({
          message:
            `${form === 'set-not-null' ? 'SET NOT NULL' : 'ADD CONSTRAINT … NOT NULL'} on ${table}.${column} scans the whole table for NULLs ` +
            `while holding AccessExclusiveLock: reads and writes wait until the scan ends (${sized.phrase}). ` +
            `First ADD CONSTRAINT … CHECK (${column} IS NOT NULL) NOT VALID and VALIDATE it in a separate transaction; SET NOT NULL then skips the scan.`,
          data: { table, column, lock: 'AccessExclusiveLock', form, ...sizeData(sized) },
          severity: sized.severity,
          ...(clause.range ? { range: clause.range } : {}),
        });
      }
    }
  },
});
