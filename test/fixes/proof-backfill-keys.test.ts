/**
 * Proof of batched backfills on tables without a single-column primary key, on the embedded PostgreSQL 17:
 * - a composite primary key is walked by row comparison `(a, b) > (…)`; an UPDATE that is not idempotent
 *   (`visits = visits + 1`) ends with the same data as the original, so every row was updated exactly once;
 * - a table without any primary key is walked by ctid (heap page) ranges for a backfill that skips rows already
 *   done (`c IS NULL`); an AFTER UPDATE trigger records every row the backfill updates, and each row appears once
 *   — including rows whose new version landed on a page the walk had not reached yet.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { withScratchDatabase } from '../setup/pg.js';
import { prove, runFiles, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

beforeAll(() => initParser());

function backfillTrace(result: Awaited<ReturnType<typeof prove>>) {
  return result.phasedTraces.flatMap((f) => f.traces).find((t) => /^DO/.test(t.sql))!;
}

describe('backfills without a single-column primary key', () => {
  it('goose: UPDATE of a table with a composite primary key, in batches by (org_id, user_id), each row once', async () => {
    // The trigger only slows each row's update a little, in the original and the phased run alike, so the backfill
    // lasts long enough for the monitor to sample its locks.
    const SETUP = `CREATE TABLE memberships (org_id int, user_id int, visits int NOT NULL, PRIMARY KEY (org_id, user_id));
CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.0005); RETURN NEW; END $$;
CREATE TRIGGER slow_row BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION slow_row();
INSERT INTO memberships SELECT g % 7, g, g FROM generate_series(1, 500) g;`;
    const c: ProofCase = {
      name: 'batch-update-composite-key',
      runner: 'goose',
      setup: SETUP,
      document: { path: '/db/migrations/00002_count_visit.sql', text: '-- +goose Up\nUPDATE memberships SET visits = visits + 1;\n' },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      rule: 'update-without-where',
      recipe: 'batch-update',
      // Not a divisor of any org's row count, so batches end in the middle of an org_id.
      policy: { batchSize: 37 },
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    const backfill = result.fix.files[0]!.text;
    expect(backfill).toContain('(memberships.org_id, memberships.user_id) > (lockstep_last_1, lockstep_last_2)');
    const trace = backfillTrace(result);
    expect(trace.error).toBeUndefined();
    expect(trace.locks.find((l) => l.relation === 'public.memberships')?.mode).toBe('RowExclusiveLock');
    recordProof('batch-update-composite-key', c, result);
  });

  it('goose: ADD COLUMN with a volatile default on a table without a primary key, backfilled by ctid ranges, each row once', async () => {
    const SETUP = `CREATE FUNCTION default_score() RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT 42 FROM pg_sleep(0.0005) $$;
CREATE TABLE events (n int NOT NULL, kind text NOT NULL);
INSERT INTO events SELECT g, 'kind ' || g FROM generate_series(1, 500) g;`;
    const c: ProofCase = {
      name: 'add-column-ctid',
      runner: 'goose',
      setup: SETUP,
      document: {
        path: '/db/migrations/20240102120000_events_score.sql',
        text: '-- +goose Up\nALTER TABLE events ADD COLUMN score int NOT NULL DEFAULT default_score();\n',
      },
      siblings: [{ path: '/db/migrations/20240101120000_init.sql', text: SETUP }],
      rule: 'add-column-volatile-default',
      recipe: 'add-column-then-backfill',
      policy: { batchSize: 50 },
    };
    const result = await prove(c);
    expect(result.originalViolations.some((v) => v.work === 'rewrites' && v.lock === 'AccessExclusiveLock')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    const trace = backfillTrace(result);
    expect(trace.sql).toContain("ctid >= format('(%s,0)', lockstep_page)::tid");
    expect(trace.error).toBeUndefined();
    expect(trace.locks.find((l) => l.relation === 'public.events')?.mode).toBe('RowExclusiveLock');
    expect(result.phasedTraces.flatMap((f) => f.traces).flatMap((t) => t.rewritten)).toEqual([]);

    // Exactly once, counted by a trigger; and the hazard was real: some new versions went past the first end.
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(SETUP);
        await session.query(`CREATE TABLE backfilled (n int NOT NULL);
CREATE FUNCTION record_backfill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO backfilled VALUES (NEW.n); RETURN NULL; END $$;
CREATE TRIGGER record_backfill AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION record_backfill();`);
        const pages = Number((await session.query<{ pages: string }>("SELECT (pg_relation_size('events') / 8192)::text AS pages")).rows[0]!.pages);
        await runFiles(session, 'goose', result.phased);
        const counts = await session.query<{ rows: string; once: string }>(
          'SELECT count(*)::text AS rows, count(*) FILTER (WHERE times = 1)::text AS once FROM (SELECT n, count(*) AS times FROM backfilled GROUP BY n) AS t',
        );
        expect(counts.rows[0]).toEqual({ rows: '500', once: '500' });
        const moved = await session.query<{ moved: string }>(`SELECT count(*)::text AS moved FROM events WHERE (ctid::text::point)[0] >= ${pages}`);
        expect(Number(moved.rows[0]!.moved)).toBeGreaterThan(0);
      } finally {
        await session.close();
      }
    });
    recordProof('add-column-ctid', c, result);
  });
});
