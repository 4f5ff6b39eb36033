import { defineRule, ruleDocPath } from './rule';

/**
 * A BEGIN that the file (or its goose/dbmate section) never ends with COMMIT or ROLLBACK. What happens next
 * depends on the runner, and none of it is what the author meant: psql and sqitch disconnect and PostgreSQL rolls
 * the transaction back (begin-in-query-stays-open), so the migration silently does nothing; runners that keep the
 * connection leave it "idle in transaction", holding every lock taken so far, until their next statement commits
 * or fails.
 */
export const uncommittedTransaction = defineRule({
  meta: {
    id: 'uncommitted-transaction',
    description: 'BEGIN without a COMMIT before the end of the file: the work is rolled back or left holding its locks.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('uncommitted-transaction'),
  },
  kinds: ['TransactionStmt'],
  check(context) {
    if (!context.file.transactionIssues().includes('uncommitted')) return;
    const t = context.file.transaction();
    const where = t.section === 'down' ? 'the down section' : t.section === 'up' && /goose|dbmate/.test(t.runner) ? 'the up section' : 'the file';
    context.report({
      message:
        `This BEGIN is never committed: ${where} ends with the transaction still open. psql disconnects and PostgreSQL rolls ` +
        'everything back, so the migration does nothing; a runner that keeps the connection leaves it idle in transaction, ' +
        'holding every lock taken so far, until its next statement commits or fails. End the transaction with COMMIT.',
      data: { runner: t.runner, section: t.section },
    });
  },
});
