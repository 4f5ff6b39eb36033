import type { Node, UpdateStmt } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import type { RuleContext } from './rule';
import { asNode } from '../node-kinds';
import { sizedSeverity, sizeData } from './table-size';
import { headThroughRelation } from './relation-ranges';

/**
 * UPDATE without WHERE writes a new version of every row in one transaction: each row stays locked until it
 * commits (any concurrent UPDATE/DELETE/SELECT FOR UPDATE of any row waits), the table and its indexes grow by a
 * full copy until VACUUM reclaims it, and a forgotten WHERE is a data loss. The backfill of a column added just
 * before is rule unbatched-backfill's (same advice, said as a backfill), so this rule leaves it alone.
 */
export const updateWithoutWhere = defineRule({
  meta: {
    id: 'update-without-where',
    description: 'UPDATE without WHERE on an existing table: every row is rewritten and stays locked until the transaction commits.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('update-without-where'),
  },
  kinds: ['UpdateStmt'],
  check(context, stmt) {
    if (stmt.whereClause || !stmt.relation) return;
    if (context.file.createdInFile(stmt.relation)) return;
    if (backfillOfColumnAddedBefore(context, stmt)) return;
    const table = context.file.schema.resolve(stmt.relation);
    const sized = sizedSeverity(context, [table], updateWithoutWhere.meta.defaultSeverity);
    const range = headThroughRelation(context.statement, stmt.relation);
    context.report({
      message:
        `UPDATE without WHERE changes every row of ${table} in one transaction (${sized.phrase}): each row keeps its RowExclusiveLock row lock ` +
        'until the transaction commits, so concurrent UPDATE/DELETE/SELECT FOR UPDATE of any row waits, and every row gets a new version ' +
        '(the table and its indexes grow until VACUUM). If every row is meant, update in batches by primary-key range and commit between ' +
        'batches; otherwise add the missing WHERE.',
      data: { table, lock: 'RowExclusiveLock', ...sizeData(sized) },
      severity: sized.severity,
      ...(range ? { range } : {}),
    });
  },
});

/** Columns the UPDATE assigns (`SET a = …, (b, c) = …`). */
export function setColumns(stmt: UpdateStmt): string[] {
  return (stmt.targetList ?? []).map((t) => asNode(t, 'ResTarget')?.name).filter((n): n is string => !!n);
}

/**
 * True when the statement just before this one, or an earlier statement of its transaction, added one of the
 * columns this UPDATE sets (`ALTER TABLE t ADD COLUMN c …; UPDATE t SET c = …`): a backfill, not a stray UPDATE.
 */
export function backfillOfColumnAddedBefore(context: RuleContext, stmt: UpdateStmt): boolean {
  if (!stmt.relation) return false;
  const table = context.file.schema.resolve(stmt.relation);
  const columns = new Set(setColumns(stmt));
  const addsColumn = (ast: Node | undefined): boolean => {
    const alter = asNode(ast, 'AlterTableStmt');
    if (!alter?.relation || context.file.schema.resolve(alter.relation) !== table) return false;
    return (alter.cmds ?? []).some((c) => {
      const cmd = asNode(c, 'AlterTableCmd');
      const name = asNode(cmd?.def, 'ColumnDef')?.colname;
      return cmd?.subtype === 'AT_AddColumn' && name !== undefined && columns.has(name);
    });
  };
  if (addsColumn(context.file.previousStatement()?.ast)) return true;
  return context.file.statementsInSameTransaction().some((m) => m.order === 'earlier' && addsColumn(m.ast));
}
