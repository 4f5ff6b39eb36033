import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { quoted } from './transaction-wording';

/**
 * ADD CONSTRAINT … NOT VALID exists to split a constraint's validation from the strong lock the ADD takes: the ADD
 * is instant, and VALIDATE CONSTRAINT later scans under a lock that lets writes go on (ShareUpdateExclusiveLock;
 * RowShareLock on the referenced table for a foreign key). Validating in the same transaction as the ADD keeps the
 * ADD's lock held through the whole scan — the same outage as adding the constraint without NOT VALID.
 */
export const validateInSameTransaction = defineRule({
  meta: {
    id: 'validate-in-same-transaction',
    description: 'VALIDATE CONSTRAINT in the same transaction as its ADD … NOT VALID keeps the ADD’s lock through the scan.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('validate-in-same-transaction'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    if (!stmt.relation) return;
    const table = context.file.schema.resolve(stmt.relation);
    const cmds = (stmt.cmds ?? []).map((c) => asNode(c, 'AlterTableCmd'));
    const addedHere = new Set(
      cmds
        .filter((c) => c?.subtype === 'AT_AddConstraint' && asNode(c.def, 'Constraint')?.skip_validation)
        .map((c) => asNode(c!.def, 'Constraint')?.conname)
        .filter((n): n is string => n !== undefined),
    );
    for (const cmd of cmds) {
      if (cmd?.subtype !== 'AT_ValidateConstraint' || !cmd.name) continue;
      const constraint = cmd.name;
      const sameStatement = addedHere.has(constraint);
      const earlier = sameStatement ? undefined : context.file.notValidAddedInTransaction(table, constraint);
      if (!sameStatement && earlier === undefined) continue;
      const lock = sameStatement
        ? (context.effect.locks.find((l) => l.relation === table)?.mode ?? 'AccessExclusiveLock')
        : (context.file.heldLock(table)?.mode ?? 'AccessExclusiveLock');
      const where = sameStatement ? 'in the same statement as the ADD CONSTRAINT … NOT VALID that creates it' : `in the same transaction as ${quoted(earlier!)}, which added it NOT VALID`;
      context.report({
        message:
          `VALIDATE CONSTRAINT ${constraint} runs ${where}: the ${lock} the ADD took on ${table} is still held while VALIDATE scans every row, ` +
          'so the table is blocked for the whole scan — what NOT VALID was meant to avoid. Commit after the ADD and validate in a later transaction (or migration).',
        data: { table, constraint, lock, sameStatement },
      });
    }
  },
});
