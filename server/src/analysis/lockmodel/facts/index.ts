/**
 * Every lock fact, in match order. Each family lives in its own file; facts for the same statement (and ALTER
 * TABLE subcommand) are tried in the order they appear, so more specific facts come first.
 */
import type { LockFact } from '../fact';
import { indexFacts } from './indexes';
import { alterTableFacts } from './alter-table';

export const lockFacts: readonly LockFact[] = [...indexFacts, ...alterTableFacts];

const byKey = new Map<string, LockFact[]>();
for (const fact of lockFacts) {
  const key = `${fact.statement}/${fact.subcommand ?? ''}`;
  const list = byKey.get(key) ?? [];
  list.push(fact);
  byKey.set(key, list);
}

export function factsFor(statement: string, subcommand: string | undefined): readonly LockFact[] {
  return byKey.get(`${statement}/${subcommand ?? ''}`) ?? [];
}
