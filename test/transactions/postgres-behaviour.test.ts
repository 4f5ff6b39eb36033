/**
 * Proves, on the embedded PostgreSQL, every transaction behaviour the planner relies on
 * (server/src/analysis/transactions/postgres-behaviour.ts): each example's steps run in order on one session of a
 * fresh scratch database, and each step must fail with the stated SQLSTATE or return the stated rows.
 */
import { describe, expect, it } from 'vitest';
import {
  LOCKS_HELD_UNTIL_TRANSACTION_END,
  transactionBehaviours,
  type BehaviourStep,
} from '../../server/src/analysis/transactions/postgres-behaviour';
import type { DbSession } from '../../server/src/rehearsal/driver';
import { withScratchDatabase } from '../setup/pg';

async function runStep(session: DbSession, step: BehaviourStep, label: string): Promise<void> {
  let rows: unknown[] | undefined;
  let code: string | undefined;
  try {
    rows = (await session.query(step.query)).rows;
  } catch (error) {
    code = (error as { code?: string }).code ?? `not a server error: ${String(error)}`;
  }
  expect(code, `${label}: ${step.query}`).toBe(step.error);
  if (step.rows) expect(rows, `${label}: rows of ${step.query}`).toEqual(step.rows);
}

describe('PostgreSQL transaction behaviours the planner relies on', () => {
  it('behaviour ids are unique', () => {
    const ids = transactionBehaviours.map((b) => b.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  for (const behaviour of transactionBehaviours) {
    it(`${behaviour.id}: ${behaviour.claim}`, async () => {
      await withScratchDatabase(async ({ driver }) => {
        const session = await driver.connect();
        try {
          if (behaviour.example.setup) await session.query(behaviour.example.setup);
          for (const [i, step] of behaviour.example.steps.entries()) await runStep(session, step, `step ${i + 1}`);
        } finally {
          await session.close();
        }
        if (behaviour.afterDisconnect) {
          const other = await driver.connect();
          try {
            await runStep(other, behaviour.afterDisconnect, 'after disconnect');
          } finally {
            await other.close();
          }
        }
      });
    });
  }

  it(`${LOCKS_HELD_UNTIL_TRANSACTION_END.id}: ${LOCKS_HELD_UNTIL_TRANSACTION_END.claim}`, async () => {
    await withScratchDatabase(async ({ driver }) => {
      const migrator = await driver.connect();
      const monitor = await driver.connect();
      try {
        await migrator.query('CREATE TABLE t (id bigint PRIMARY KEY, a int)');
        // The second statement sleeps, so the ALTER TABLE is over while its lock would be visible if still held.
        const running = migrator.query('ALTER TABLE t ADD COLUMN b int; SELECT pg_sleep(1)');
        let seen: unknown[] = [];
        for (let i = 0; i < 100 && seen.length === 0; i++) {
          const { rows } = await monitor.query(
            `SELECT l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.pid = $1 AND l.relation = 't'::regclass AND l.granted AND a.state = 'active'
                AND a.wait_event = 'PgSleep'`,
            [migrator.backendPid],
          );
          seen = rows;
          if (seen.length === 0) await new Promise((r) => setTimeout(r, 20));
        }
        await running;
        expect(seen).toEqual([{ mode: 'AccessExclusiveLock' }]);
      } finally {
        await migrator.close();
        await monitor.close();
      }
    });
  });
});
