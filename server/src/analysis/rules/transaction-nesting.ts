import { defineRule, ruleDocPath } from './rule';

/**
 * Transaction control that does not do what it looks like: BEGIN inside an open transaction (PostgreSQL only
 * warns; nothing nests and the first COMMIT ends everything), COMMIT/ROLLBACK in the middle of the transaction the
 * runner opened (what follows runs outside any transaction), SAVEPOINT outside an explicit block (fails), and
 * COMMIT with no transaction open (only a warning). See transactions/postgres-behaviour.ts for the proofs.
 */
export const transactionNesting = defineRule({
  meta: {
    id: 'transaction-nesting',
    description: 'BEGIN inside a transaction, or COMMIT inside the runner’s transaction: PostgreSQL does not nest transactions.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('transaction-nesting'),
  },
  kinds: ['TransactionStmt'],
  check(context) {
    const issues = context.file.transactionIssues();
    if (issues.length === 0) return;
    const t = context.file.transaction();
    const runnerOwn = t.source === 'runner';
    if (issues.includes('nested-begin')) {
      context.report({
        message: runnerOwn
          ? `BEGIN inside the transaction ${t.runner} already opened (${t.why}): PostgreSQL does not nest transactions, it only warns ` +
            `"there is already a transaction in progress", and the file's COMMIT then ends ${t.runner}'s transaction. Remove the file's BEGIN and COMMIT.`
          : 'BEGIN inside a transaction that is already open: PostgreSQL does not nest transactions, it only warns "there is already a ' +
            'transaction in progress", and the first COMMIT ends the whole transaction. Remove this BEGIN (or COMMIT the first transaction before it); use SAVEPOINT for a nested rollback point.',
        data: { issue: 'nested-begin', runner: t.runner, transaction: t.source },
      });
    }
    if (issues.includes('ends-runner-transaction')) {
      context.report({
        message:
          `This ends the transaction ${t.runner} opened for the migration (${t.why}): the statements after it run outside any ` +
          `transaction, so a failure among them leaves the migration half applied, and ${t.runner}'s own COMMIT finds no transaction. ` +
          'Remove it, or split the migration in two.',
        data: { issue: 'ends-runner-transaction', runner: t.runner },
      });
    }
    if (issues.includes('savepoint-outside-block')) {
      context.report({
        message:
          'SAVEPOINT, RELEASE and ROLLBACK TO work only inside an explicit transaction block; here there is none ' +
          `(${t.source === 'implicit' ? 'the implicit transaction of a multi-statement query does not count' : 'the statement runs on its own'}), ` +
          'so PostgreSQL fails with SQLSTATE 25P01 ("SAVEPOINT can only be used in transaction blocks"). Open the block with BEGIN first.',
        severity: 'error',
        data: { issue: 'savepoint-outside-block', transaction: t.source },
      });
    }
    if (issues.includes('nothing-to-end')) {
      context.report({
        message:
          'There is no transaction open here, so this COMMIT/ROLLBACK does nothing (PostgreSQL warns "there is no transaction in progress"). ' +
          'Remove it, or add the BEGIN it was meant to end.',
        severity: 'info',
        data: { issue: 'nothing-to-end' },
      });
    }
  },
});
