/**
 * Every lock fact, in match order. Each family lives in its own file; facts for the same statement (and ALTER
 * TABLE subcommand) are tried in the order they appear, so more specific facts come first.
 */
import type { LockFact } from '../fact';
import { indexFacts } from './indexes';
import { alterTableFacts } from './alter-table';
import { alterTableColumnFacts } from './alter-table-columns';
import { alterTableTypeFacts } from './alter-table-type';
import { alterTableConstraintFacts } from './alter-table-constraints';
import { alterTablePartitionFacts } from './alter-table-partitions';
import { renameFacts } from './rename';
import { tableFacts } from './tables';
import { dmlFacts } from './dml';
import { maintenanceFacts } from './maintenance';
import { viewFacts } from './views';
import { triggerFacts } from './triggers';
import { typeFacts } from './types';
import { sequenceFacts } from './sequences';
import { miscFacts, transactionControlFacts } from './misc';

export const lockFacts: readonly LockFact[] = [...indexFacts, ...alterTableFacts, ...alterTableColumnFacts, ...alterTableTypeFacts, ...alterTableConstraintFacts, ...alterTablePartitionFacts, ...renameFacts, ...tableFacts, ...dmlFacts, ...maintenanceFacts, ...viewFacts, ...triggerFacts, ...typeFacts, ...sequenceFacts, ...miscFacts];

/** Facts the tracer cannot prove (transaction control); test/lockmodel/untraced.test.ts proves their examples. */
export const untracedFacts: readonly LockFact[] = [...transactionControlFacts];

const byKey = new Map<string, LockFact[]>();
for (const fact of [...lockFacts, ...untracedFacts]) {
  const key = `${fact.statement}/${fact.subcommand ?? ''}`;
  const list = byKey.get(key) ?? [];
  list.push(fact);
  byKey.set(key, list);
}

export function factsFor(statement: string, subcommand: string | undefined): readonly LockFact[] {
  return byKey.get(`${statement}/${subcommand ?? ''}`) ?? [];
}
