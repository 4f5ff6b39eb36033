import { defineRule, ruleDocPath } from './rule';
import { relationNameRange } from './relation-ranges';

/**
 * ALTER TABLE … RENAME TO is a catalog change (brief AccessExclusiveLock), but the running release still names the
 * old table: its queries fail ("relation does not exist") until the new release is everywhere. A view under the old
 * name, created in the same transaction, keeps old code working (a simple view is updatable) until it is dropped in
 * a later release.
 */
export const renameTable = defineRule({
  meta: {
    id: 'rename-table',
    description: 'RENAME of an existing table breaks application code that still uses the old name.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('rename-table'),
  },
  kinds: ['RenameStmt'],
  check(context, stmt) {
    if (stmt.renameType !== 'OBJECT_TABLE' || !stmt.relation || !stmt.newname) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    // A view with the old name in the same transaction is the expand step already done.
    const oldName = stmt.relation.relname;
    const bridged = context.file
      .statementsInSameTransaction()
      .some((m) => m.order === 'later' && viewName(m.ast) === oldName);
    if (bridged) return;
    const name = relationNameRange(context.statement, stmt.relation);
    context.report({
      message:
        `Renaming ${table} to ${stmt.newname} breaks the application code still running while this migration deploys: its queries of ` +
        `${table} fail with "relation does not exist" from the commit until the new release is everywhere. Keep the old name working: ` +
        `in the same transaction, CREATE VIEW ${oldName} AS SELECT * FROM ${stmt.newname} (a simple view is updatable), and drop the view ` +
        'in a later release once no code uses the old name.',
      data: { table, newName: stmt.newname, lock: 'AccessExclusiveLock' },
      ...(name ? { range: { start: name.start, end: context.statement.text.length } } : {}),
    });
  },
});

function viewName(ast: unknown): string | undefined {
  return (ast as { ViewStmt?: { view?: { relname?: string } } } | undefined)?.ViewStmt?.view?.relname;
}
