import { defineRule, ruleDocPath } from './rule';
import { describeProblem, suggestedSet, timeoutProblem } from './timeout-policy';
import { isLong } from '../file-context';
import { tablesAmong } from './transaction-wording';

/** What to suggest when lockstep.json sets no limit. */
const DEFAULT_SUGGESTION_MS = 5 * 60_000;

/**
 * A statement that blocks reads or writes of an existing table while rewriting or scanning a table, with no
 * statement_timeout in effect (or 0, or longer than lockstep.json `statementTimeout`): on a table larger than
 * expected it keeps the table blocked for as long as the work takes. statement_timeout bounds that. Reported once:
 * at the first such statement since the setting last changed.
 */
export const missingStatementTimeout = defineRule({
  meta: {
    id: 'missing-statement-timeout',
    description: 'A statement blocks a table while it rewrites or scans, with no statement_timeout to bound how long.',
    defaultSeverity: 'info',
    docs: ruleDocPath('missing-statement-timeout'),
  },
  kinds: 'all',
  check(context) {
    const blocked = context.file.blockedTables(context.effect);
    if (blocked.length === 0 || !isLong(context.effect)) return;
    const limit = context.file.options.project?.statementTimeoutMs;
    const problem = timeoutProblem(context, 'statement_timeout', limit);
    if (!problem) return;
    if (context.file.blockedSinceSettingChanged('statement_timeout', 'blocking-long')) return;
    const rewrites = tablesAmong(context.effect.rewrites, context.effect);
    const work = rewrites.length > 0 ? `rewrites ${rewrites.join(', ')}` : `scans ${tablesAmong(context.effect.scans, context.effect).join(', ')}`;
    const rows = blocked.map((t) => context.file.tableRows(t)).find((r) => r !== undefined);
    context.report({
      message:
        `This statement ${work} while ${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} blocked, and ${describeProblem('statement_timeout', problem)}: ` +
        `${rows !== undefined ? `with about ${rows.toLocaleString('en-US')} rows` : 'on a large table'} the block lasts as long as the work. ` +
        `Put ${suggestedSet(context, 'statement_timeout', limit ?? DEFAULT_SUGGESTION_MS)} before it, so the migration fails instead of blocking for hours.`,
      data: {
        table: blocked[0]!,
        setting: 'statement_timeout',
        problem: problem.kind,
        ...(problem.kind !== 'missing' ? { value: problem.value.text } : {}),
        ...(limit !== undefined ? { limitMs: limit } : {}),
      },
    });
  },
});
