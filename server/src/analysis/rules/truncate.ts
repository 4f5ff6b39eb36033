import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { headThroughRelation } from './relation-ranges';

/**
 * TRUNCATE empties a table under AccessExclusiveLock: even plain SELECTs wait for it, and once it commits the running
 * application finds its rows gone. It is also not MVCC-safe: a transaction whose snapshot predates it sees the table
 * empty. In a migration of a live table it is either data loss or a purge that DELETE in batches does without
 * blocking readers.
 */
export const truncate = defineRule({
  meta: {
    id: 'truncate',
    description: 'TRUNCATE of an existing table: every row is gone and reads and writes wait for AccessExclusiveLock.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('truncate'),
  },
  kinds: ['TruncateStmt'],
  check(context, stmt) {
    const named = (stmt.relations ?? []).map((r) => asNode(r, 'RangeVar')).filter((r) => r !== undefined);
    const existing = named.filter((r) => !context.file.createdInFile(r));
    if (existing.length === 0) return;
    const tables = existing.map((r) => context.file.schema.resolve(r));
    const list = tables.join(', ');
    const range = headThroughRelation(context.statement, named[named.length - 1]);
    context.report({
      message:
        `TRUNCATE removes every row of ${list} and holds AccessExclusiveLock until the transaction commits: every read and write waits ` +
        '(even plain SELECT), and afterwards the application code still running finds the rows gone; transactions with an older snapshot ' +
        'see the table empty. If the data must go while the application runs, stop the code that uses it first, or DELETE in batches ' +
        '(row locks only, readers never wait).',
      data: { tables: list, lock: 'AccessExclusiveLock' },
      ...(range ? { range } : {}),
    });
  },
});
