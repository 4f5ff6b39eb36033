import { defineRule, ruleDocPath, type RuleContext } from './rule';
import { asNode } from '../node-kinds';
import { quoted, tablesAmong } from './transaction-wording';

/** Statements whose duration grows with the data even when the lock model knows no rewrite or scan for them. */
const DATA_SIZED = new Set([
  'InsertStmt',
  'MergeStmt',
  'CopyStmt',
  'RefreshMatViewStmt',
  'ClusterStmt',
  'VacuumStmt',
  'ReindexStmt',
  'CreateTableAsStmt',
  'DoStmt',
  'CallStmt',
  'SelectStmt',
]);

/** Left to the rules that say more about them: ddl-with-backfill-in-one-transaction. */
const REPORTED_ELSEWHERE = new Set(['UpdateStmt', 'DeleteStmt']);

/**
 * A lock is held until the transaction ends, not until the statement that took it ends (proven:
 * locks-held-until-transaction-end). So a slow statement that follows an ALTER TABLE in the same transaction keeps
 * the ALTER's AccessExclusiveLock held for its whole run: every read and write of that table waits for it.
 * Reported for statements that do table-sized work (a rewrite or scan the lock model knows, or a data statement);
 * UPDATE/DELETE backfills are left to ddl-with-backfill-in-one-transaction, several locked tables to
 * wide-lock-window.
 */
export const statementAfterAccessExclusive = defineRule({
  meta: {
    id: 'statement-after-access-exclusive',
    description: 'A slow statement after one that took AccessExclusiveLock in the same transaction keeps that table locked while it runs.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('statement-after-access-exclusive'),
  },
  kinds: 'all',
  check(context) {
    const { effect, statement } = context;
    if (REPORTED_ELSEWHERE.has(statement.kind) || validatesConstraintAddedInTransaction(context)) return;
    // Refused inside a transaction block: it never runs here (concurrently-in-transaction says so).
    if (effect.transaction === 'forbidden') return;
    const slow = effect.rewrites.length > 0 || effect.scans.length > 0 || DATA_SIZED.has(statement.kind);
    if (!slow) return;
    // Tables this statement locks exclusively itself wait for it anyway; only the other ones are kept waiting.
    const ownExclusive = new Set(effect.locks.filter((l) => l.mode === 'AccessExclusiveLock').map((l) => l.relation));
    const held = context.file
      .heldLocks()
      .filter((l) => l.mode === 'AccessExclusiveLock' && l.kind !== 'index' && l.kind !== 'partitioned index' && l.kind !== 'sequence')
      .filter((l) => !ownExclusive.has(l.relation));
    if (held.length === 0) return;
    const rewrites = tablesAmong(effect.rewrites, effect);
    const scans = tablesAmong(effect.scans, effect);
    const work = rewrites.length > 0 ? `rewrites ${rewrites.join(', ')}` : scans.length > 0 ? `scans ${scans.join(', ')}` : 'runs';
    const first = held[0]!;
    const tables = held.map((l) => l.relation);
    context.report({
      message:
        `While this statement ${work}, ${tables.join(', ')} ${tables.length === 1 ? 'stays' : 'stay'} locked in AccessExclusiveLock — ` +
        `taken by the earlier ${quoted(first.excerpt)} in the same transaction — so every read and write of ${tables.length === 1 ? 'it' : 'them'} ` +
        'waits until the transaction ends. Commit before this statement, or move it to a migration of its own.',
      data: { table: first.relation, tables: tables.join(', '), lock: 'AccessExclusiveLock', earlier: first.excerpt },
    });
  },
});

/** VALIDATE CONSTRAINT of a constraint added NOT VALID earlier in the transaction: validate-in-same-transaction's. */
function validatesConstraintAddedInTransaction(context: RuleContext): boolean {
  const alter = asNode(context.statement.ast, 'AlterTableStmt');
  if (!alter?.relation) return false;
  const table = context.file.schema.resolve(alter.relation);
  return (alter.cmds ?? []).some((c) => {
    const cmd = asNode(c, 'AlterTableCmd');
    return cmd?.subtype === 'AT_ValidateConstraint' && cmd.name !== undefined && context.file.notValidAddedInTransaction(table, cmd.name) !== undefined;
  });
}
