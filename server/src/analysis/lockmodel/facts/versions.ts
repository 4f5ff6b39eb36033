/**
 * Facts whose behaviour changed in one PostgreSQL major: `sinceMajor` splits a fact into the fact as it holds up to
 * the major before, and a twin (id suffixed `.pg<major>`) from that major on with what changed. Both keep every
 * example, so the proof suite runs the same statements on each side of the change (LOCKSTEP_PG picks the side).
 */
import type { LockFact } from '../fact';

export function sinceMajor(major: number, fact: LockFact, changes: Partial<LockFact> & { why: string }): LockFact[] {
  const before: LockFact = { ...fact, pg: { ...fact.pg, max: major - 1 } };
  const after: LockFact = {
    ...fact,
    ...changes,
    id: `${fact.id}.pg${major}`,
    summary: `${fact.summary} (PostgreSQL ${major}+)`,
    pg: { ...fact.pg, min: major },
    why: `${fact.why ? fact.why + ' ' : ''}Since PostgreSQL ${major}: ${changes.why}`,
  };
  return [before, after];
}
