import { defineRule, ruleDocPath } from './rule';
import { quoted } from './transaction-wording';

/**
 * One transaction holding AccessExclusiveLock on two or more existing tables: reads and writes of all of them wait
 * until the whole transaction commits, and a session that locks the same tables in the other order deadlocks with
 * the migration. Reported once per transaction, at the statement that locks the second table.
 */
export const wideLockWindow = defineRule({
  meta: {
    id: 'wide-lock-window',
    description: 'One transaction holds AccessExclusiveLock on two or more existing tables until it commits.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('wide-lock-window'),
  },
  kinds: 'all',
  check(context) {
    const isTable = (kind: string) => kind !== 'index' && kind !== 'partitioned index' && kind !== 'sequence';
    const mine = context.effect.locks.filter((l) => l.mode === 'AccessExclusiveLock' && isTable(l.kind) && !context.file.createdInFile(l.relation));
    if (mine.length === 0) return;
    const held = context.file.heldLocks().filter((l) => l.mode === 'AccessExclusiveLock' && isTable(l.kind));
    if (held.length === 0) return;
    const heldNames = new Set(held.map((l) => l.relation));
    const added = mine.filter((l) => !heldNames.has(l.relation)).map((l) => l.relation);
    // Only when the count first reaches two: a third table repeats the same advice.
    if (added.length === 0 || held.length >= 2) return;
    const earlier = held[0]!;
    const all = [earlier.relation, ...added];
    context.report({
      message:
        `This transaction now holds AccessExclusiveLock on ${all.length} existing tables — ${earlier.relation} (since ${quoted(earlier.excerpt)}) ` +
        `and ${added.join(', ')} (this statement) — until it commits: every read and write of all of them waits for the whole ` +
        'transaction, and a session that locks them in the other order deadlocks with it. Change one table per transaction.',
      data: { tables: all.join(', '), lock: 'AccessExclusiveLock', earlier: earlier.excerpt },
    });
  },
});
