import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';

/**
 * CREATE INDEX without CONCURRENTLY takes a SHARE lock on the table for the whole build: reads go on, every
 * INSERT/UPDATE/DELETE waits. A table created earlier in the same file is new and empty, so it is exempt.
 * The build time grows with the table, so the severity follows its size (rules/table-size.ts).
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
    // search_path decides which table an unqualified name means, as the lock model resolves it.
    const table = context.file.schema.resolve(stmt.relation);
    const sized = sizedSeverity(context, [table], createIndexNonconcurrent.meta.defaultSeverity);
    const range = context.statement.findWords('CREATE', 'UNIQUE', 'INDEX') ?? context.statement.findWords('CREATE', 'INDEX');
    context.report({
      message: `CREATE INDEX takes a ShareLock on ${table}: writes (INSERT/UPDATE/DELETE) wait until the index is built (${sized.phrase}). Use CREATE INDEX CONCURRENTLY outside a transaction.`,
      data: { table, lock: 'ShareLock', ...sizeData(sized) },
      severity: sized.severity,
      ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
    });
  },
});
