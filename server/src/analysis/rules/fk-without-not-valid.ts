import type { AlterTableCmd, Constraint } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauseRanges } from './alter-table-clauses';
import { sizedSeverity, sizeData } from './table-size';

/**
 * Adding a foreign key checks every existing row of the referencing table against the referenced one, holding
 * ShareRowExclusiveLock on BOTH tables for the whole check: writes to either wait. With NOT VALID the check is
 * skipped; VALIDATE CONSTRAINT later takes only ShareUpdateExclusiveLock (referencing) and RowShareLock
 * (referenced), so reads and writes continue. Locks measured on PostgreSQL 17 (pg_locks).
 * https://www.postgresql.org/docs/current/sql-altertable.html (ADD table_constraint, VALIDATE CONSTRAINT)
 *
 * ADD COLUMN … REFERENCES is only checked when the column has a DEFAULT: without one every value is NULL and
 * PostgreSQL skips the check (transformAlterTableStmt; observed: no "validating foreign key constraint").
 *
 * The check reads every row of the referencing table and probes the referenced table's key index once per row, so
 * its duration — and how long both locks are held — follows the referencing table's size (rules/table-size.ts).
 */
export const fkWithoutNotValid = defineRule({
  meta: {
    id: 'fk-without-not-valid',
    description:
      'ADD FOREIGN KEY without NOT VALID checks every row while blocking writes to both the referencing and the referenced table.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('fk-without-not-valid'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation || stmt.objtype !== 'OBJECT_TABLE') return;
    if (context.file.createdInFile(stmt.relation)) return;
    // search_path decides which table an unqualified name means, as the lock model resolves it.
    const table = context.file.schema.resolve(stmt.relation);
    const sized = sizedSeverity(context, [table], fkWithoutNotValid.meta.defaultSeverity);
    const cmds = (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd'));
    // ADD COLUMN needs AccessExclusiveLock, which then covers the whole statement, the check included.
    const lock = cmds.some((c) => c?.subtype === 'AT_AddColumn') ? 'AccessExclusiveLock' : 'ShareRowExclusiveLock';
    cmds.forEach((cmd, index) => {
      for (const fk of validatedForeignKeys(cmd)) {
        if (!fk.pktable) continue;
        const referenced = context.file.schema.resolve(fk.pktable);
        // The clause ranges cost a scanner run: only for a key that is reported (most ALTER TABLEs add none).
        const clause = alterTableClauseRanges(context.statement, stmt)?.[index];
        const form = cmd?.subtype === 'AT_AddColumn' ? 'add-column' : 'add-constraint';
        context.report({
          message: messageFor(table, referenced, lock, form, sized.phrase),
          data: {
            table,
            referencedTable: referenced,
            lock,
            referencedLock: 'ShareRowExclusiveLock',
            form,
            ...(fk.conname ? { constraint: fk.conname } : {}),
            ...sizeData(sized),
          },
          severity: sized.severity,
          ...(clause ? { range: clause } : {}),
        });
      }
    });
  },
});

/** Foreign keys this subcommand adds that PostgreSQL will check against the existing rows. */
function validatedForeignKeys(cmd: AlterTableCmd | undefined): Constraint[] {
  if (cmd?.subtype === 'AT_AddConstraint') {
    const constraint = asNode(cmd.def, 'Constraint');
    // skip_validation: NOT VALID, and also NOT ENFORCED (PostgreSQL 18), which never checks rows.
    return constraint?.contype === 'CONSTR_FOREIGN' && !constraint.skip_validation ? [constraint] : [];
  }
  if (cmd?.subtype === 'AT_AddColumn') {
    const constraints = (asNode(cmd.def, 'ColumnDef')?.constraints ?? []).map((c) => asNode(c, 'Constraint'));
    if (!constraints.some((c) => c?.contype === 'CONSTR_DEFAULT')) return [];
    return constraints.filter((c): c is Constraint => c?.contype === 'CONSTR_FOREIGN' && !c.skip_validation);
  }
  return [];
}

function messageFor(table: string, referenced: string, lock: string, form: 'add-column' | 'add-constraint', size: string): string {
  const blocked =
    referenced === table
      ? `${lock === 'AccessExclusiveLock' ? 'reads and writes' : 'writes'} to ${table} wait`
      : lock === 'AccessExclusiveLock'
        ? `reads and writes to ${table} and writes to ${referenced} wait`
        : `writes to both tables wait`;
  const locks =
    referenced === table
      ? `${lock} on ${table}`
      : lock === 'ShareRowExclusiveLock'
        ? `ShareRowExclusiveLock on ${table} and ${referenced}`
        : `${lock} on ${table} and ShareRowExclusiveLock on ${referenced}`;
  // A column constraint cannot be NOT VALID: the foreign key has to move to its own ADD CONSTRAINT.
  const fix =
    form === 'add-column'
      ? 'Add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID and VALIDATE CONSTRAINT in a separate transaction (reads and writes continue).'
      : 'Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (reads and writes continue).';
  return `ADD FOREIGN KEY checks every row of ${table} against ${referenced} while holding ${locks}: ${blocked} until the check ends (${size}). ${fix}`;
}
