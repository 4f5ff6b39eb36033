/**
 * The rule registry. Adding a rule: create rules/<id>.ts (+ <id>.test.ts) and docs/rules/<id>.md, then add
 * one line here.
 */
import type { Rule, RuleMeta } from './rule';
import { notAnalyzedRules } from './not-analyzed';
import { createIndexNonconcurrent } from './create-index-nonconcurrent';
import { addColumnVolatileDefault } from './add-column-volatile-default';
import { setNotNullScan } from './set-not-null-scan';
import { fkWithoutNotValid } from './fk-without-not-valid';

export const rules: readonly Rule[] = [createIndexNonconcurrent, addColumnVolatileDefault, setNotNullScan, fkWithoutNotValid];

/** Metadata of every rule id the analyzer can report, including the ones no check produces (syntax-error…). */
export const allRuleMetas: readonly RuleMeta[] = [...notAnalyzedRules, ...rules.map((r) => r.meta)];

const metaById = new Map(allRuleMetas.map((m) => [m.id, m]));
const byKind = new Map<string, Rule[]>();
for (const rule of rules) {
  for (const kind of rule.kinds) {
    const list = byKind.get(kind) ?? [];
    list.push(rule);
    byKind.set(kind, list);
  }
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return metaById.get(id);
}

export function rulesForKind(kind: string): readonly Rule[] {
  return byKind.get(kind) ?? [];
}
