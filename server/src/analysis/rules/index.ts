/**
 * The rule registry. Adding a rule: create rules/<id>.ts (+ <id>.test.ts) and docs/rules/<id>.md, then add
 * one line here.
 */
import type { Rule, RuleMeta } from './rule';
import { notAnalyzedRules } from './not-analyzed';
import { unusedIgnoreMeta } from './unused-ignore';
import { createIndexNonconcurrent } from './create-index-nonconcurrent';
import { dropIndexNonconcurrent } from './drop-index-nonconcurrent';
import { reindexNonconcurrent } from './reindex-nonconcurrent';
import { createIndexConcurrentlyIfNotExists } from './create-index-concurrently-if-not-exists';
import { fkWithoutIndex } from './fk-without-index';
import { checkWithoutNotValid } from './check-without-not-valid';
import { uniqueConstraintWithoutIndex } from './unique-constraint-without-index';
import { primaryKeyWithoutIndex } from './primary-key-without-index';
import { exclusionConstraint } from './exclusion-constraint';
import { domainConstraintAdded } from './domain-constraint-added';
import { addColumnVolatileDefault } from './add-column-volatile-default';
import { addColumnGeneratedStored } from './add-column-generated-stored';
import { addColumnSerialOrIdentity } from './add-column-serial-or-identity';
import { addColumnRequired } from './add-column-required';
import { addColumnUniqueOrPk } from './add-column-unique-or-pk';
import { addColumnReferences } from './add-column-references';
import { addColumnJson } from './add-column-json';
import { addColumnConstrainedDomain } from './add-column-constrained-domain';
import { columnTypeRewrite } from './column-type-rewrite';
import { typeChangeRebuildsIndex } from './type-change-rebuilds-index';
import { timestampToTimestamptzTimezone } from './timestamp-to-timestamptz-timezone';
import { preferBigint } from './prefer-bigint';
import { preferIdentity } from './prefer-identity';
import { preferText } from './prefer-text';
import { preferTimestamptz } from './prefer-timestamptz';
import { identifierTooLong } from './identifier-too-long';
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
import { updateWithoutWhere } from './update-without-where';
import { deleteWithoutWhere } from './delete-without-where';
import { unbatchedBackfill } from './unbatched-backfill';
import { dropColumn } from './drop-column';
import { dropTable } from './drop-table';
import { renameColumn } from './rename-column';
import { renameTable } from './rename-table';
import { dropNotNull } from './drop-not-null';
import { enumValueRename } from './enum-value-rename';
import { truncate } from './truncate';
import { cascade } from './cascade';
import { detachPartitionNonconcurrent } from './detach-partition-nonconcurrent';
import { attachPartitionWithoutCheck } from './attach-partition-without-check';
import { refreshMatviewBlocking } from './refresh-matview-blocking';
import { vacuumFullOrCluster } from './vacuum-full-or-cluster';
import { setLoggedOrTablespace } from './set-logged-or-tablespace';
import { triggerChanges } from './trigger-changes';
import { alterEnumAddValue } from './alter-enum-add-value';

export const rules: readonly Rule[] = [
  createIndexNonconcurrent,
  dropIndexNonconcurrent,
  reindexNonconcurrent,
  createIndexConcurrentlyIfNotExists,
  fkWithoutIndex,
  checkWithoutNotValid,
  uniqueConstraintWithoutIndex,
  primaryKeyWithoutIndex,
  exclusionConstraint,
  domainConstraintAdded,
  addColumnVolatileDefault,
  addColumnGeneratedStored,
  addColumnSerialOrIdentity,
  addColumnRequired,
  addColumnUniqueOrPk,
  addColumnReferences,
  addColumnJson,
  addColumnConstrainedDomain,
  columnTypeRewrite,
  typeChangeRebuildsIndex,
  timestampToTimestamptzTimezone,
  preferBigint,
  preferIdentity,
  preferText,
  preferTimestamptz,
  identifierTooLong,
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
  updateWithoutWhere,
  deleteWithoutWhere,
  unbatchedBackfill,
  dropColumn,
  dropTable,
  renameColumn,
  renameTable,
  dropNotNull,
  enumValueRename,
  truncate,
  cascade,
  detachPartitionNonconcurrent,
  attachPartitionWithoutCheck,
  refreshMatviewBlocking,
  vacuumFullOrCluster,
  setLoggedOrTablespace,
  triggerChanges,
  alterEnumAddValue,
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
