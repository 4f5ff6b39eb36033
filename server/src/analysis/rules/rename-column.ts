import { defineRule, ruleDocPath } from './rule';
import type { RuleContext } from './rule';
import { asNode } from '../node-kinds';
import { relationNameRange } from './relation-ranges';

/**
 * RENAME COLUMN is a catalog change (brief AccessExclusiveLock), but the release that is running while the migration
 * deploys still names the old column: its queries fail until every server runs the new release, and the new release
 * fails if it is deployed before the migration. No order of deploy and migrate avoids an error window; expand/contract
 * does: add the new column, keep both in sync, switch the code, drop the old one later.
 *
 * Not reported: a swap in one transaction (`RENAME c TO c_old; RENAME c_new TO c`, the last step of expand/contract
 * for a type change), or a column replacement (`ADD c_new; …; DROP c; RENAME c_new TO c`): the name running code
 * uses, c, never stops existing for other sessions.
 */
export const renameColumn = defineRule({
  meta: {
    id: 'rename-column',
    description: 'RENAME COLUMN on an existing table breaks application code that still uses the old name.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('rename-column'),
  },
  kinds: ['RenameStmt'],
  check(context, stmt) {
    if (stmt.renameType !== 'OBJECT_COLUMN' || stmt.relationType !== 'OBJECT_TABLE') return;
    if (!stmt.relation || !stmt.subname || !stmt.newname) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const table = context.file.schema.resolve(stmt.relation);
    if (partOfSwap(context, table, stmt.subname, stmt.newname)) return;
    const name = relationNameRange(context.statement, stmt.relation);
    context.report({
      message:
        `Renaming ${table}.${stmt.subname} to ${stmt.newname} breaks the application code still running while this migration deploys: its ` +
        `queries that name ${stmt.subname} fail with "column does not exist" from the commit until the new release is everywhere (and the ` +
        `new release fails if it starts first). Expand/contract instead: add ${stmt.newname}, keep both columns in sync (trigger), backfill ` +
        `in batches, switch the code to ${stmt.newname}, and drop ${stmt.subname} in a later release.`,
      data: { table, column: stmt.subname, newName: stmt.newname, lock: 'AccessExclusiveLock' },
      ...(name ? { range: { start: name.start, end: context.statement.text.length } } : {}),
    });
  },
});

/** What a statement of the current transaction does to a column name of `table`. */
export interface ColumnNameEvent {
  kind: 'rename' | 'add' | 'drop';
  /** rename: the old name; add/drop: the column. */
  from: string;
  /** rename: the new name; add/drop: the column. */
  to: string;
  order: 'earlier' | 'this' | 'later';
}

/** Column renames, ADD COLUMNs and DROP COLUMNs on `table` by the statements of the current transaction, in order. */
export function columnNameEvents(context: RuleContext, table: string): ColumnNameEvent[] {
  const events: ColumnNameEvent[] = [];
  for (const member of context.file.statementsInSameTransaction()) {
    const rename = asNode(member.ast, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_COLUMN' && rename.relation && rename.subname && rename.newname) {
      if (context.file.schema.resolve(rename.relation) === table) events.push({ kind: 'rename', from: rename.subname, to: rename.newname, order: member.order });
      continue;
    }
    const alter = asNode(member.ast, 'AlterTableStmt');
    if (!alter?.relation || context.file.schema.resolve(alter.relation) !== table) continue;
    for (const item of alter.cmds ?? []) {
      const cmd = asNode(item, 'AlterTableCmd');
      const added = asNode(cmd?.def, 'ColumnDef')?.colname;
      if (cmd?.subtype === 'AT_AddColumn' && added) events.push({ kind: 'add', from: added, to: added, order: member.order });
      else if (cmd?.subtype === 'AT_DropColumn' && cmd.name) events.push({ kind: 'drop', from: cmd.name, to: cmd.name, order: member.order });
    }
  }
  return events;
}

/**
 * True when, within the transaction, the name running code knows survives: this rename frees a name a later
 * statement takes again (rename or ADD COLUMN), or takes back a name an earlier statement freed (rename or DROP
 * COLUMN) — the swaps and column replacements migrations write.
 */
function partOfSwap(context: RuleContext, table: string, from: string, to: string): boolean {
  const events = columnNameEvents(context, table);
  const retakenLater = events.some((e) => e.order === 'later' && (e.kind === 'rename' || e.kind === 'add') && e.to === from);
  if (retakenLater) return true;
  // The second half of a swap frees the helper's name (c_new); migrations do not name helpers in application code.
  return events.some((e) => e.order === 'earlier' && (e.kind === 'rename' || e.kind === 'drop') && e.from === to);
}
