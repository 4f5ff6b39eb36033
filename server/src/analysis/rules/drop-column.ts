import { defineRule, ruleDocPath } from './rule';
import { alterTableClauses, existingAlteredTable } from './alter-table-clauses';
import { columnNameEvents } from './rename-column';

/**
 * DROP COLUMN is quick — PostgreSQL only marks the column dropped, under a brief AccessExclusiveLock, no rewrite —
 * but the application release still running while the migration deploys keeps naming the column, and ORMs that
 * select every mapped column fail on every query of the table the moment it is gone. Contract in two releases.
 * Not reported when a later statement of the same transaction gives a column that name again (a column
 * replacement: ADD c_new, copy, DROP c, RENAME c_new TO c): other sessions see the name throughout.
 */
export const dropColumn = defineRule({
  meta: {
    id: 'drop-column',
    description: 'DROP COLUMN on an existing table breaks application code that still reads or writes the column.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('drop-column'),
  },
  kinds: ['AlterTableStmt'],
  check(context, stmt) {
    const table = existingAlteredTable(context, stmt);
    if (table === undefined) return;
    for (const clause of alterTableClauses(context.statement, stmt)) {
      const { cmd } = clause;
      if (cmd.subtype !== 'AT_DropColumn' || !cmd.name) continue;
      const column = cmd.name;
      // Replaced in the same transaction (`DROP c; RENAME c_new TO c`): other sessions never miss the name.
      if (columnNameEvents(context, table).some((e) => e.order === 'later' && (e.kind === 'rename' || e.kind === 'add') && e.to === column)) continue;
      context.report({
        message:
          `Dropping ${table}.${column} breaks the application code still running while this migration deploys: queries of the previous ` +
          `release that name ${column} fail with "column does not exist", and ORMs that select every mapped column fail on every query of ${table}. ` +
          '(The drop itself is brief: AccessExclusiveLock, no rewrite.) Contract in two releases: deploy code that no longer uses ' +
          `${column} (ORM: ignore the column), then drop it in a later migration.`,
        data: { table, column, lock: 'AccessExclusiveLock' },
        ...(clause.range ? { range: clause.range } : {}),
      });
    }
  },
});
