import type { Node } from '@pgsql/types';
import { defineRule, ruleDocPath } from './rule';
import { blockedWorkloads } from '../lockmodel/lock-modes';
import { quoted } from './transaction-wording';

/**
 * An UPDATE or DELETE of many rows in the same transaction as an earlier DDL statement that took a lock blocking
 * reads or writes: locks are held until the transaction ends, so the DDL's lock lasts for the whole backfill.
 * "Many rows": no WHERE, or a WHERE that is not an equality (or IN list) of columns with constants — a point fix-up
 * next to DDL is harmless.
 */
export const ddlWithBackfillInOneTransaction = defineRule({
  meta: {
    id: 'ddl-with-backfill-in-one-transaction',
    description: 'An UPDATE/DELETE backfill in the same transaction as DDL keeps the DDL’s lock held for the whole backfill.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('ddl-with-backfill-in-one-transaction'),
  },
  kinds: ['UpdateStmt', 'DeleteStmt'],
  check(context, stmt) {
    const where = (stmt as { whereClause?: Node }).whereClause;
    if (where && isPointPredicate(where)) return;
    const held = context.file.heldLocks().filter((l) => {
      const blocked = blockedWorkloads(l.mode);
      return l.kind !== 'sequence' && (blocked.includes('reads') || blocked.includes('writes'));
    });
    if (held.length === 0) return;
    const relation = (stmt as { relation?: { relname?: string; schemaname?: string } }).relation;
    const target = relation ? context.file.schema.resolve(relation as never) : 'the table';
    const verb = context.statement.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const first = held.find((l) => l.relation === target) ?? held[0]!;
    const waits = blockedWorkloads(first.mode).includes('reads') ? 'every read and write' : 'every write';
    context.report({
      message:
        `${verb} of ${target} (${where ? 'a range of rows' : 'every row: no WHERE'}) runs in the same transaction as the earlier ` +
        `${quoted(first.excerpt)}, which holds ${first.mode} on ${first.relation}: ${waits} of ${first.relation} waits until the backfill commits. ` +
        'Commit the DDL first, then backfill in batches, each in its own transaction.',
      data: { table: first.relation, lock: first.mode, backfill: target, earlier: first.excerpt },
    });
  },
});

/** `col = const`, `col IN (consts)`, and ANDs of them: a bounded set of rows. */
function isPointPredicate(node: Node): boolean {
  const bool = (node as { BoolExpr?: { boolop?: string; args?: Node[] } }).BoolExpr;
  if (bool) return bool.boolop === 'AND_EXPR' && (bool.args ?? []).some(isPointPredicate);
  const expr = (node as { A_Expr?: { kind?: string; name?: Node[]; lexpr?: Node; rexpr?: Node } }).A_Expr;
  if (!expr) return false;
  const op = (expr.name?.[0] as { String?: { sval?: string } } | undefined)?.String?.sval;
  const isColumn = (n: Node | undefined) => (n as { ColumnRef?: unknown } | undefined)?.ColumnRef !== undefined;
  const isConstant = (n: Node | undefined) =>
    (n as { A_Const?: unknown } | undefined)?.A_Const !== undefined || (n as { ParamRef?: unknown } | undefined)?.ParamRef !== undefined;
  if (expr.kind === 'AEXPR_OP' && op === '=') return (isColumn(expr.lexpr) && isConstant(expr.rexpr)) || (isColumn(expr.rexpr) && isConstant(expr.lexpr));
  if (expr.kind === 'AEXPR_IN' && op === '=') {
    const list = (expr.rexpr as { List?: { items?: Node[] } } | undefined)?.List?.items ?? [];
    return isColumn(expr.lexpr) && list.length > 0 && list.every(isConstant);
  }
  return false;
}
