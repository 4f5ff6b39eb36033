/**
 * The proof for facts the tracer cannot run: transaction control (BEGIN, COMMIT, SAVEPOINT …) — the tracer opens
 * and ends transactions itself and refuses them. Each example runs in a plain session on the embedded server,
 * after the prelude it needs (an open transaction, a savepoint), and the relation locks the session holds on user
 * relations are read from pg_locks before and after it: the statement must add none, and the model must predict
 * none, through this very fact. A control statement (LOCK TABLE) shows the probe does see locks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { untracedFacts } from '../../server/src/analysis/lockmodel/facts';
import { initParser } from '../../server/src/analysis/parse/parser';
import { DEFAULT_PG_VERSION } from '../../server/src/analysis/types';
import { withScratchDatabase } from '../setup/pg';
import type { DbSession } from '../../server/src/rehearsal/driver';
import { predictExample } from './predict';

const major = Number(process.env.LOCKSTEP_PG ?? DEFAULT_PG_VERSION);

beforeAll(async () => {
  await initParser();
});

/** Relation locks this session holds on relations outside the system schemas, as `relation mode`. */
async function userRelationLocks(session: DbSession): Promise<string[]> {
  const { rows } = await session.query<{ lock: string }>(`
    SELECT format('%I.%I %s', n.nspname, c.relname, l.mode) AS lock
    FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
      AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
    ORDER BY 1`);
  return rows.map((r) => r.lock);
}

/** What must run first for the statement to be valid: an open transaction, a savepoint to release or roll back to. */
function preludeFor(sql: string): string[] {
  const verb = sql.trim().split(/\s+/).slice(0, 2).join(' ').toUpperCase();
  if (verb.startsWith('BEGIN') || verb.startsWith('START')) return [];
  if (verb.startsWith('RELEASE') || verb === 'ROLLBACK TO') return ['BEGIN', 'SAVEPOINT before_backfill'];
  return ['BEGIN'];
}

/** Runs `sql` after its prelude and returns the user-relation locks it added. */
async function locksAddedBy(session: DbSession, sql: string): Promise<string[]> {
  for (const step of preludeFor(sql)) await session.query(step);
  const before = new Set(await userRelationLocks(session));
  await session.query(sql);
  const after = await userRelationLocks(session);
  // Leave no transaction open for the next example (a warning when none is open is harmless).
  await session.query('ROLLBACK');
  return after.filter((l) => !before.has(l));
}

describe('facts proven outside the tracer (transaction control)', () => {
  it('the probe sees a lock the session takes (control)', async () => {
    await withScratchDatabase(async (db) => {
      const session = await db.driver.connect();
      try {
        await session.query('CREATE TABLE t (id int PRIMARY KEY)');
        expect(await locksAddedBy(session, 'LOCK TABLE t IN ACCESS SHARE MODE')).toEqual(['public.t AccessShareLock']);
      } finally {
        await session.close();
      }
    });
  });

  for (const fact of untracedFacts) {
    it(`${fact.id}: every example takes the locks the model predicts`, async () => {
      expect(fact.examples.length).toBeGreaterThan(0);
      for (const example of fact.examples) {
        const predicted = predictExample(example, major);
        expect(predicted.factIds, example.sql).toEqual([fact.id]);
        await withScratchDatabase(async (db) => {
          const session = await db.driver.connect();
          try {
            await session.query(example.setup);
            const observed = await locksAddedBy(session, example.sql);
            expect(observed, example.sql).toEqual(predicted.locks.map((l) => `${l.relation} ${l.mode}`));
          } finally {
            await session.close();
          }
        });
      }
    });
  }
});
