import { defineRule, ruleDocPath } from './rule';
import { howToRunAlone, statementLabel, whyInTransaction } from './transaction-wording';

/**
 * Statements PostgreSQL refuses inside a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY,
 * VACUUM… — the lock model's `transaction: 'forbidden'` facts) that run inside one here: the migration fails at
 * run time with SQLSTATE 25001. Whether a statement runs inside a block comes from the transaction plan: the
 * runner's wrapping, the one implicit transaction of a multi-statement query, or the file's own BEGIN. Also
 * reports a Flyway migration that mixes such statements with others, which Flyway refuses to run.
 */
export const concurrentlyInTransaction = defineRule({
  meta: {
    id: 'concurrently-in-transaction',
    description: 'A statement that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM…) runs in one: the migration fails.',
    defaultSeverity: 'error',
    docs: ruleDocPath('concurrently-in-transaction'),
  },
  kinds: 'all',
  check(context) {
    const label = statementLabel(context);
    if (context.file.transactionIssues().includes('runner-refuses-mix')) {
      const forbidden = context.effect.transaction === 'forbidden';
      context.report({
        message:
          `Flyway refuses to run this migration: it mixes statements that must run outside a transaction ` +
          `(such as CREATE INDEX CONCURRENTLY) with statements that run inside one, and this is where the mix begins ` +
          `("Detected both transactional and non-transactional statements within the same migration"). ` +
          `Move the ${forbidden ? 'non-transactional statement' : 'other statements'} to a migration of their own (or set mixed=true, which runs the whole script without a transaction).`,
        data: { statement: label, runner: 'Flyway', reason: 'runner-refuses-mix' },
      });
      return;
    }
    if (context.effect.transaction !== 'forbidden') return;
    const t = context.file.transaction();
    if (!t.inTransaction) return;
    context.report({
      message:
        `${label} cannot run inside a transaction block, and here it does: ${whyInTransaction(t)}. PostgreSQL refuses it ` +
        `("${label} cannot run inside a transaction block", SQLSTATE 25001) and the migration fails. ${howToRunAlone(t)}`,
      data: { statement: label, transaction: t.source, runner: t.runner },
    });
  },
});
