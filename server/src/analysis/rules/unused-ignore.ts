import { ruleDocPath, type RuleMeta } from './rule';
import type { UnusedIgnore } from '../suppressions';

/**
 * An ignore comment that ignores nothing. The analyzer reports it after applying the file's ignore comments (there
 * is no statement check to run); a stale ignore would silently hide the next real finding of its rule.
 */
export const unusedIgnoreMeta: RuleMeta = {
  id: 'unused-ignore',
  description: 'A -- lockstep-ignore comment that suppresses nothing: a typo, a rule that no longer fires, or no statement after it.',
  defaultSeverity: 'warning',
  docs: ruleDocPath('unused-ignore'),
};

/** The message and data of an unused-ignore finding. */
export function unusedIgnoreReport(unused: UnusedIgnore, suggestion: string | undefined): { message: string; data: Record<string, string> } {
  const directive = unused.directive.scope === 'file' ? 'lockstep-ignore-file' : 'lockstep-ignore';
  const rule = unused.rule?.id ?? '';
  const target = unused.directive.scope === 'file' ? 'in this file' : 'on the statement after it';
  const messages: Record<UnusedIgnore['why'], string> = {
    'no-rule-listed': `-- ${directive} names no rule, so it ignores nothing. Write the rule ids to ignore: -- ${directive} <rule>, <rule>: <why it is safe>.`,
    'unknown-rule': `-- ${directive} names '${rule}', which is not a Lockstep rule${suggestion ? ` (did you mean '${suggestion}'?)` : ''}, so it ignores nothing. The rules are listed in docs/rules/README.md.`,
    'not-ignorable': `-- ${directive} names '${rule}', which cannot be ignored: fix the statement instead.`,
    'nothing-to-ignore': `-- ${directive} ignores '${rule}', but there is no ${rule} finding ${target}. Remove '${rule}' from the comment, or it will hide the next real one.`,
    'no-statement-follows': `-- lockstep-ignore '${rule}' is not followed by any statement, so it ignores nothing. Move it right above the statement, or remove it.`,
  };
  return { message: messages[unused.why], data: { directive, rule, why: unused.why } };
}
