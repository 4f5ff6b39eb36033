/**
 * Shared by missing-lock-timeout and missing-statement-timeout: is the setting in effect for this statement
 * missing, disabled (0), or longer than lockstep.json allows?
 */
import type { RuleContext } from './rule';
import type { SettingInEffect } from '../file-context';
import { formatDuration } from '../config/durations';

export type TimeoutProblem =
  | { kind: 'missing' }
  | { kind: 'zero'; value: SettingInEffect }
  | { kind: 'too-long'; value: SettingInEffect; limitMs: number };

export function timeoutProblem(context: RuleContext, setting: 'lock_timeout' | 'statement_timeout', limitMs: number | undefined): TimeoutProblem | undefined {
  const value = context.file.setting(setting);
  if (!value) return { kind: 'missing' };
  // A value PostgreSQL would reject fails the SET itself; that is not this rule's to report.
  if (value.ms === undefined) return undefined;
  if (value.ms === 0) return { kind: 'zero', value };
  if (limitMs !== undefined && value.ms > limitMs) return { kind: 'too-long', value, limitMs };
  return undefined;
}

/** "no lock_timeout is set", "lock_timeout is 0 (no limit)", "lock_timeout is 10s, longer than the 2s lockstep.json allows". */
export function describeProblem(setting: string, problem: TimeoutProblem): string {
  switch (problem.kind) {
    case 'missing':
      return `no ${setting} is set`;
    case 'zero':
      return `${setting} is 0, which means no limit (set by \`${problem.value.setBy}\`)`;
    case 'too-long':
      return `${setting} is ${problem.value.text} (set by \`${problem.value.setBy}\`), longer than the ${formatDuration(problem.limitMs)} lockstep.json allows`;
  }
}

/** The SET to suggest: SET LOCAL inside a transaction block (it then ends with it), SET otherwise. */
export function suggestedSet(context: RuleContext, setting: string, ms: number): string {
  const local = context.file.transaction().inTransaction ? 'LOCAL ' : '';
  return `SET ${local}${setting} = '${formatDuration(ms)}';`;
}
