import { defineRule, ruleDocPath } from './rule';
import { describeProblem, suggestedSet, timeoutProblem } from './timeout-policy';
import { lockStrength } from '../lockmodel/lock-modes';

/** What to suggest when lockstep.json sets no limit: short enough that a queue behind the migration stays short. */
const DEFAULT_SUGGESTION_MS = 2000;

/**
 * A statement that takes a lock blocking reads or writes of an existing table, with no lock_timeout in effect (or
 * 0, or longer than lockstep.json `lockTimeout`). While it waits for its lock — behind a long query or an idle
 * transaction — every later query on the table queues behind it, so a migration that cannot get its lock takes
 * the table down. lock_timeout makes it give up instead. Respects SET's scopes: SET LOCAL lasts until the end of
 * its transaction and does nothing outside a transaction block; SET lasts for the session (transactions/).
 * Reported once: at the first such statement since the setting last changed.
 */
export const missingLockTimeout = defineRule({
  meta: {
    id: 'missing-lock-timeout',
    description: 'A lock that blocks reads or writes is requested with no lock_timeout: waiting for it queues every query on the table.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('missing-lock-timeout'),
  },
  kinds: 'all',
  check(context) {
    const blocked = context.file.blockedTables(context.effect);
    if (blocked.length === 0) return;
    const limit = context.file.options.project?.lockTimeoutMs;
    const problem = timeoutProblem(context, 'lock_timeout', limit);
    if (!problem) return;
    if (context.file.blockedSinceSettingChanged('lock_timeout')) return;
    const table = blocked[0]!;
    const lock = context.effect.locks
      .filter((l) => l.relation === table || context.file.schema.tableOfIndex(l.relation) === table)
      .sort((a, b) => lockStrength(b.mode) - lockStrength(a.mode))[0]?.mode ?? 'AccessExclusiveLock';
    const waits = context.effect.blocks.reads.includes(table) ? 'reads and writes' : 'writes';
    context.report({
      message:
        `This statement needs ${lock} on ${table}, and ${describeProblem('lock_timeout', problem)}: if another session holds a ` +
        `conflicting lock (a long query, an idle transaction), it waits as long as that takes — and all ${waits} of ${table} ` +
        `queue behind it. Put ${suggestedSet(context, 'lock_timeout', limit ?? DEFAULT_SUGGESTION_MS)} before it and retry the migration when it times out.`,
      data: {
        table,
        lock,
        setting: 'lock_timeout',
        problem: problem.kind,
        ...(problem.kind !== 'missing' ? { value: problem.value.text } : {}),
        ...(limit !== undefined ? { limitMs: limit } : {}),
      },
    });
  },
});
