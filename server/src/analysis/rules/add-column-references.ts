import { defineRule, ruleDocPath } from './rule';
import { addedColumnsOnExistingTable, rewriteCauseOf } from './column-definitions';

/**
 * ADD COLUMN … REFERENCES without a DEFAULT checks no row — the new column is NULL everywhere, so PostgreSQL skips
 * the validation (fact alter-table.add-column: no scan) — but it still takes ShareRowExclusiveLock on the referenced
 * table to install the key's triggers, held until the transaction commits: writes to the referenced table wait,
 * and the request itself queues behind any long transaction there. With a DEFAULT every row is checked against the
 * referenced table (facts alter-table.add-column.foreign-key.*): that case is fk-without-not-valid's.
 * Informational: no way of adding a foreign key takes less on the referenced table (ADD CONSTRAINT … NOT VALID
 * takes the same ShareRowExclusiveLock); what helps is a short transaction and a lock_timeout.
 */
export const addColumnReferences = defineRule({
  meta: {
    id: 'add-column-references',
    description: 'ADD COLUMN … REFERENCES takes ShareRowExclusiveLock on the referenced table: writes to it wait until the transaction ends.',
    defaultSeverity: 'info',
    docs: ruleDocPath('add-column-references'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    for (const added of addedColumnsOnExistingTable(context, stmt)) {
      const { column, constraints } = added;
      const fk = constraints.find((c) => c.contype === 'CONSTR_FOREIGN');
      if (!fk?.pktable) continue;
      if (constraints.some((c) => c.contype === 'CONSTR_DEFAULT')) continue;
      if (rewriteCauseOf(context, column, constraints)) continue;
      const table = context.file.schema.resolve(stmt.relation!);
      const referenced = context.file.schema.resolve(fk.pktable);
      if (referenced === table || context.file.createdInFile(referenced)) continue;
      const lock = added.effect.locks.find((l) => l.relation === referenced);
      if (!lock) continue;
      const validated = added.effect.scans.includes(referenced);
      context.report({
        message:
          `ADD COLUMN ${column.colname} … REFERENCES ${referenced} takes ${lock.mode} on ${referenced}: writes to it (INSERT/UPDATE/DELETE) wait until ` +
          `this transaction commits, and the lock request waits behind any long transaction on ${referenced}` +
          `${validated ? '' : ' (no row is checked: the new column is NULL everywhere)'}. ` +
          `Keep the transaction short and set lock_timeout; every way of adding a foreign key takes this lock.`,
        data: { table, column: column.colname, referencedTable: referenced, referencedLock: lock.mode },
        ...(added.range ? { range: added.range } : {}),
      });
    }
  },
});
