/**
 * Applies ignore directives to a file's findings: a finding whose rule a directive lists, on the directive's
 * statement (or anywhere, for a file directive), is removed and counted. Every listed rule that removed nothing is
 * returned as unused, with the reason, so the analyzer can report it (rule `unused-ignore`): a stale ignore hides
 * the next real problem of that rule.
 */
import type { Finding } from '../types';
import type { IgnoreDirective } from './directives';

/** Findings about statements that were not analyzed cannot be ignored: there is nothing to be sure about. */
export const NOT_IGNORABLE: ReadonlySet<string> = new Set(['syntax-error', 'unused-ignore']);

export interface UnusedIgnore {
  directive: IgnoreDirective;
  /** The rule entry, or undefined when the directive names no rule at all. */
  rule: { id: string; start: number; end: number } | undefined;
  why: 'no-rule-listed' | 'unknown-rule' | 'not-ignorable' | 'nothing-to-ignore' | 'no-statement-follows';
}

export interface SuppressionOutcome {
  kept: Finding[];
  suppressed: Finding[];
  unused: UnusedIgnore[];
}

export interface SuppressionOptions {
  /** Whether a rule id exists. */
  isKnownRule(rule: string): boolean;
  /** Rules turned off in the configuration: an ignore of them is moot, not stale. */
  isOff(rule: string): boolean;
}

export function applySuppressions(findings: readonly Finding[], directives: readonly IgnoreDirective[], options: SuppressionOptions): SuppressionOutcome {
  const used = new Set<string>();
  const entryKey = (d: IgnoreDirective, rule: string) => `${d.start}:${rule}`;
  const fileRules = new Map<string, IgnoreDirective>();
  const statementRules = new Map<string, IgnoreDirective>();
  for (const d of directives) {
    for (const r of d.rules) {
      if (d.scope === 'file') {
        if (!fileRules.has(r.id)) fileRules.set(r.id, d);
      } else if (d.statement !== undefined) {
        statementRules.set(`${d.statement}:${r.id}`, d);
      }
    }
  }

  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of findings) {
    const by = NOT_IGNORABLE.has(finding.rule)
      ? undefined
      : (statementRules.get(`${finding.statement}:${finding.rule}`) ?? fileRules.get(finding.rule));
    if (by) {
      used.add(entryKey(by, finding.rule));
      suppressed.push(finding);
    } else kept.push(finding);
  }

  const unused: UnusedIgnore[] = [];
  for (const d of directives) {
    if (d.rules.length === 0) {
      unused.push({ directive: d, rule: undefined, why: 'no-rule-listed' });
      continue;
    }
    for (const r of d.rules) {
      if (used.has(entryKey(d, r.id))) continue;
      if (!options.isKnownRule(r.id)) unused.push({ directive: d, rule: r, why: 'unknown-rule' });
      else if (NOT_IGNORABLE.has(r.id)) unused.push({ directive: d, rule: r, why: 'not-ignorable' });
      else if (options.isOff(r.id)) continue;
      else if (d.scope === 'statement' && d.statement === undefined) unused.push({ directive: d, rule: r, why: 'no-statement-follows' });
      else unused.push({ directive: d, rule: r, why: 'nothing-to-ignore' });
    }
  }
  return { kept, suppressed, unused };
}
