/**
 * The rule registry. Adding a rule: create rules/<id>.ts (+ <id>.test.ts) and docs/rules/<id>.md, then add
 * one line here.
 */
import type { Rule, RuleMeta } from './rule';
import { notAnalyzedRules } from './not-analyzed';
import { unusedIgnoreMeta } from './unused-ignore';
import { createIndexNonconcurrent } from './create-index-nonconcurrent';
import { addColumnVolatileDefault } from './add-column-volatile-default';
import { setNotNullScan } from './set-not-null-scan';
import { fkWithoutNotValid } from './fk-without-not-valid';
import { concurrentlyInTransaction } from './concurrently-in-transaction';
import { transactionNesting } from './transaction-nesting';
import { uncommittedTransaction } from './uncommitted-transaction';
import { statementAfterAccessExclusive } from './statement-after-access-exclusive';
import { wideLockWindow } from './wide-lock-window';
import { multipleAlterSameTable } from './multiple-alter-same-table';
import { missingLockTimeout } from './missing-lock-timeout';
import { missingStatementTimeout } from './missing-statement-timeout';
import { validateInSameTransaction } from './validate-in-same-transaction';
import { ddlWithBackfillInOneTransaction } from './ddl-with-backfill-in-one-transaction';

export const rules: readonly Rule[] = [
  createIndexNonconcurrent,
  addColumnVolatileDefault,
  setNotNullScan,
  fkWithoutNotValid,
  concurrentlyInTransaction,
  transactionNesting,
  uncommittedTransaction,
  statementAfterAccessExclusive,
  wideLockWindow,
  multipleAlterSameTable,
  missingLockTimeout,
  missingStatementTimeout,
  validateInSameTransaction,
  ddlWithBackfillInOneTransaction,
];

/** Metadata of every rule id the analyzer can report, including the ones no check produces (syntax-error…). */
export const allRuleMetas: readonly RuleMeta[] = [...notAnalyzedRules, unusedIgnoreMeta, ...rules.map((r) => r.meta)];

const metaById = new Map(allRuleMetas.map((m) => [m.id, m]));
const byKind = new Map<string, Rule[]>();
const forEveryKind = rules.filter((r) => r.kinds === 'all');
for (const rule of rules) {
  if (rule.kinds === 'all') continue;
  for (const kind of rule.kinds) {
    const list = byKind.get(kind) ?? [];
    list.push(rule);
    byKind.set(kind, list);
  }
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return metaById.get(id);
}

const merged = new Map<string, readonly Rule[]>();

export function rulesForKind(kind: string): readonly Rule[] {
  let list = merged.get(kind);
  if (!list) {
    list = [...(byKind.get(kind) ?? []), ...forEveryKind];
    merged.set(kind, list);
  }
  return list;
}
