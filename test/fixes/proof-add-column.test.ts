/**
 * Proof of ADD COLUMN … DEFAULT <volatile> NOT NULL → plain column + SET DEFAULT + batched backfill + NOT NULL via
 * a validated CHECK, on the embedded PostgreSQL 17. The volatile default is a user function declared VOLATILE that
 * returns a constant after a short sleep: VOLATILE is what makes PostgreSQL rewrite, the constant keeps the data
 * comparable row for row, and the sleep makes the backfill last long enough for its locks to be sampled.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { withScratchDatabase } from '../setup/pg.js';
import { prove, runFiles, type ProofCase } from './harness.js';
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

  it('golang-migrate: ADD COLUMN … bigserial → its sequence, default for new rows, batched numbering, NOT NULL without a scan', async () => {
    const setup = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.test' FROM generate_series(1, 500) g;`;
    const c: ProofCase = {
      name: 'add-column-serial',
      runner: 'golang-migrate',
      setup,
      document: { path: '/db/migrations/000002_users_number.up.sql', text: 'ALTER TABLE users ADD COLUMN number bigserial;\n' },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: setup }],
      rule: 'add-column-serial-or-identity',
      recipe: 'add-column-then-backfill',
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.originalViolations.some((v) => v.work === 'rewrites' && v.lock === 'AccessExclusiveLock')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedRuleCount).toBeLessThan(result.originalRuleCount);
    expect(result.phasedFindings).toEqual([]);
    expect(result.phased.map((f) => f.text).join('\n')).toContain(
      'CREATE SEQUENCE users_number_seq AS bigint;\n\nALTER TABLE users ADD COLUMN number bigint;\n\nALTER SEQUENCE users_number_seq OWNED BY users.number;',
    );
    // The same sequence state as serial leaves: owned by the column, next value after the last row's.
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(setup);
        await runFiles(session, 'golang-migrate', result.phased);
        const { rows } = await session.query<{ seq: string; next: string }>(
          "SELECT pg_get_serial_sequence('users', 'number') AS seq, nextval(pg_get_serial_sequence('users', 'number'))::text AS next",
        );
        expect(rows).toEqual([{ seq: 'public.users_number_seq', next: '501' }]);
      } finally {
        await session.close();
      }
    });
    recordProof('add-column-serial', c, result);
  });
});
