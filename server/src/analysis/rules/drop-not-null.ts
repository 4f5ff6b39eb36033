import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { alterTableClauses, existingAlteredTable } from './alter-table-clauses';
import type { RuleContext } from './rule';

/**
 * DROP NOT NULL is instant (a catalog change under a brief AccessExclusiveLock) and breaks no query by itself: old
 * code keeps writing values. What breaks is every reader that assumes the column is never NULL — the running
 * release, reports, consumers of the data — once some writer stores a NULL. So readers must handle NULL before any
 * writer may write one: deploy them first, then drop the constraint, then let writers store NULL. Not reported for a
 * column renamed earlier in the same transaction (the old column of an expand/contract swap): no reader knows its
 * new name.
 */
export const dropNotNull = defineRule({
  meta: {
    id: 'drop-not-null',
    description: 'DROP NOT NULL on an existing table: readers that assume the column is never NULL break once NULLs are written.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('drop-not-null'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    const table = existingAlteredTable(context, stmt);
    if (table === undefined) return;
    for (const clause of alterTableClauses(context.statement, stmt)) {
      const { cmd } = clause;
      if (cmd.subtype !== 'AT_DropNotNull' || !cmd.name) continue;
      const column = cmd.name;
      // A name an earlier rename of this transaction gave the column is unknown to any running reader.
      if (renamedToInTransaction(context, table, column)) continue;
      context.report({
        message:
          `After DROP NOT NULL, ${table}.${column} may hold NULL: the statement itself is instant (brief AccessExclusiveLock, no scan) and ` +
          `old writers keep working, but code that reads ${column} assuming it is never NULL (the running release, reports, data ` +
          'consumers, non-nullable ORM fields) fails or misbehaves on the first NULL a writer stores. Deploy readers that handle NULL ' +
          'first, then drop the constraint, then release the code that writes NULL.',
        data: { table, column, lock: 'AccessExclusiveLock' },
        ...(clause.range ? { range: clause.range } : {}),
      });
    }
  },
});

function renamedToInTransaction(context: RuleContext, table: string, column: string): boolean {
  return context.file.statementsInSameTransaction().some((m) => {
    const rename = asNode(m.ast, 'RenameStmt');
    return (
      m.order === 'earlier' &&
      rename?.renameType === 'OBJECT_COLUMN' &&
      rename.newname === column &&
      rename.relation !== undefined &&
      context.file.schema.resolve(rename.relation) === table
    );
  });
}
