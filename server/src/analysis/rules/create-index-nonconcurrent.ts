import { defineRule, ruleDocPath } from './rule';
import { qualifiedName } from '../relations';

/**
 * CREATE INDEX without CONCURRENTLY takes a SHARE lock on the table for the whole build: reads go on, every
 * INSERT/UPDATE/DELETE waits. A table created earlier in the same file is new and empty, so it is exempt.
 */
export const createIndexNonconcurrent = defineRule({
  meta: {
    id: 'create-index-nonconcurrent',
    description: 'CREATE INDEX without CONCURRENTLY blocks writes to an existing table while the index builds.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('create-index-nonconcurrent'),
  },
  kinds: ['IndexStmt'],
  check(context, stmt) {
    if (stmt.concurrent || !stmt.relation) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = qualifiedName(stmt.relation);
    const range = context.statement.findWords('CREATE', 'UNIQUE', 'INDEX') ?? context.statement.findWords('CREATE', 'INDEX');
    context.report({
      message: `CREATE INDEX takes a ShareLock on ${table}: writes (INSERT/UPDATE/DELETE) wait until the index is built. Use CREATE INDEX CONCURRENTLY outside a transaction.`,
      data: { table, lock: 'ShareLock' },
      ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
    });
  },
});
