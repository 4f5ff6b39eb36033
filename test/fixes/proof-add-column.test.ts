/**
 * Proof of ADD COLUMN … DEFAULT <volatile> NOT NULL → plain column + SET DEFAULT + batched backfill + NOT NULL via
 * a validated CHECK, on the embedded PostgreSQL 17. The volatile default is a user function declared VOLATILE that
 * returns a constant after a short sleep: VOLATILE is what makes PostgreSQL rewrite, the constant keeps the data
 * comparable row for row, and the sleep makes the backfill last long enough for its locks to be sampled.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { prove, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE FUNCTION default_score() RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT 42 FROM pg_sleep(0.0005) $$;
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.test' FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('add-column-then-backfill', () => {
  it('goose: column and default here, backfill without a transaction, then NOT NULL without a scan', async () => {
    const c: ProofCase = {
      name: 'add-column',
      runner: 'goose',
      setup: SETUP,
      document: {
        path: '/db/migrations/20240102120000_users_score.sql',
        text: '-- +goose Up\nALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT default_score();\n\n-- +goose Down\nALTER TABLE users DROP COLUMN score;\n',
      },
      siblings: [{ path: '/db/migrations/20240101120000_init.sql', text: SETUP }],
      rule: 'add-column-volatile-default',
      recipe: 'add-column-then-backfill',
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    // The original rewrites users under AccessExclusiveLock.
    expect(result.originalViolations.some((v) => v.work === 'rewrites' && v.lock === 'AccessExclusiveLock')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased[0]!.text).toContain(
      'ALTER TABLE users ADD COLUMN score int;\n\nALTER TABLE users ALTER COLUMN score SET DEFAULT default_score();\n\n' +
        'ALTER TABLE users ADD CONSTRAINT users_score_not_null_check CHECK (score IS NOT NULL) NOT VALID;\n',
    );
    // The backfill was seen holding only RowExclusiveLock on users, and no phase rewrote the table.
    const backfill = result.phasedTraces.flatMap((f) => f.traces).find((t) => /^DO/.test(t.sql))!;
    expect(backfill.error).toBeUndefined();
    expect(backfill.locks.find((l) => l.relation === 'public.users')?.mode).toBe('RowExclusiveLock');
    expect(result.phasedTraces.flatMap((f) => f.traces).flatMap((t) => t.rewritten)).toEqual([]);
    recordProof('add-column-then-backfill', c, result);
  });
});
