import { defineRule, ruleDocPath } from './rule';
import type { Node } from '@pgsql/types';
import type { RuleContext } from './rule';
import { asNode } from '../node-kinds';

/**
 * DROP TABLE of a table the running application still uses: every query of the previous release that names it
 * fails ("relation does not exist") until the new release is everywhere — and the data is gone. Stop using it in
 * one release, drop it in a later one. Not reported when a later statement of the same transaction puts a table or
 * view under the dropped name again (`DROP TABLE t; ALTER TABLE t_new RENAME TO t`): other sessions never miss it.
 */
export const dropTable = defineRule({
  meta: {
    id: 'drop-table',
    description: 'DROP TABLE of an existing table breaks application code that still uses it.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('drop-table'),
  },
  kinds: ['DropStmt'],
  check(context, stmt) {
    if (stmt.removeType !== 'OBJECT_TABLE') return;
    const tables = (stmt.objects ?? [])
      .map((o) => (asNode(o, 'List')?.items ?? []).map((i) => asNode(i, 'String')?.sval ?? ''))
      .filter((parts) => parts.length > 0 && parts.length <= 3 && parts.every(Boolean))
      .map((parts) => {
        const relname = parts[parts.length - 1]!;
        const schemaname = parts.length >= 2 ? parts[parts.length - 2] : undefined;
        return context.file.schema.resolve({ relname, ...(schemaname ? { schemaname } : {}), inh: true, relpersistence: 'p' });
      })
      .filter((table) => !context.file.createdInFile(table) && !replacedLaterInTransaction(context, table));
    if (tables.length === 0) return;
    const list = tables.join(', ');
    const range = context.statement.findWords('DROP', 'TABLE');
    context.report({
      message:
        `Dropping ${list} breaks the application code still running while this migration deploys: its queries of ${list} fail with ` +
        '"relation does not exist", and the rows are gone for good. (AccessExclusiveLock: reads and writes wait for the drop.) ' +
        'Contract in two releases: deploy code that no longer uses the table, then drop it in a later migration (rename it first ' +
        'if you want a way back).',
      data: { tables: list, lock: 'AccessExclusiveLock' },
      ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
    });
  },
});

/** True when a later statement of the current transaction creates or renames a relation to `table`'s name. */
function replacedLaterInTransaction(context: RuleContext, table: string): boolean {
  const schema = context.file.schema;
  const named = (ast: Node | undefined): string | undefined => {
    const rename = asNode(ast, 'RenameStmt');
    if (rename?.relation && rename.newname && !rename.subname && rename.renameType !== 'OBJECT_COLUMN') {
      return schema.resolve({ ...rename.relation, relname: rename.newname });
    }
    const created = asNode(ast, 'CreateStmt')?.relation ?? asNode(ast, 'ViewStmt')?.view ?? asNode(ast, 'CreateTableAsStmt')?.into?.rel;
    return created ? schema.resolve(created) : undefined;
  };
  return context.file.statementsInSameTransaction().some((m) => m.order === 'later' && named(m.ast) === table);
}
