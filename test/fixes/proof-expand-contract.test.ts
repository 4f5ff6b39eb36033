/**
 * Proof of the expand/contract recipes on the embedded PostgreSQL 17: RENAME TO with a compatibility view,
 * RENAME COLUMN with a sync trigger, ALTER COLUMN TYPE with a trigger, batched backfill and a swap. All phases,
 * release boundaries included, run in order; the end schema equals the original's except that the replacing
 * column sits at the end of the table (columns are compared by name). In between, old code keeps working: that is
 * checked by writing through the old name after the expand phases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer.js';
import { withScratchDatabase } from '../setup/pg.js';
import { prove, runFiles, upFilesInOrder, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, visits int NOT NULL, note text);
INSERT INTO users SELECT g, 'user' || g || '@example.test', g, 'n' || g FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

describe('expand-contract', () => {
  it('goose: RENAME TO leaves an updatable view under the old name until the code moved', async () => {
    const c: ProofCase = {
      name: 'rename-table',
      runner: 'goose',
      setup: SETUP,
      document: { path: '/db/migrations/00002_rename_users.sql', text: '-- +goose Up\nALTER TABLE users RENAME TO accounts;\n' },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      statementKind: 'RenameStmt',
      recipe: 'expand-contract',
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    // wide-lock-window takes the new view `users` for the table that had that name when the transaction began
    // (it tracks names, not relations): a false positive reported to the rule's owner, excluded here by name only.
    const falsePositive = (f: (typeof result.phasedFindings)[number]) =>
      f.finding.rule === 'wide-lock-window' && f.finding.data?.tables === 'public.accounts, public.users';
    expect(result.phasedFindings.filter((f) => !falsePositive(f))).toEqual([]);
    // Between the releases, code using the old name still reads and writes.
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(SETUP);
        await runFiles(session, 'goose', [result.phased[0]!]);
        await session.query("INSERT INTO users (id, email, visits) VALUES (1000, 'new@example.test', 0)");
        const { rows } = await session.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts');
        expect(rows[0]!.n).toBe('501');
      } finally {
        await session.close();
      }
    });
    recordProof('rename-table', c, result);
  });

  it('golang-migrate: RENAME COLUMN by a synced new column, NOT NULL without a scan, old column dropped later', async () => {
    const c: ProofCase = {
      name: 'rename-column',
      runner: 'golang-migrate',
      setup: SETUP,
      document: { path: '/db/migrations/000002_rename_visits.up.sql', text: 'ALTER TABLE users RENAME COLUMN visits TO visit_count;\n' },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      statementKind: 'RenameStmt',
      recipe: 'expand-contract',
      columnsByName: true,
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    // Before the contract phase, old and new code write through either name.
    const ups = upFilesInOrder('golang-migrate', result.phased);
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(SETUP);
        await runFiles(session, 'golang-migrate', ups.slice(0, -1));
        await session.query("INSERT INTO users (id, email, visits) VALUES (1000, 'old@example.test', 7)");
        await session.query("INSERT INTO users (id, email, visit_count) VALUES (1001, 'new@example.test', 8)");
        await session.query('UPDATE users SET visits = 70 WHERE id = 1000');
        await session.query('UPDATE users SET visit_count = 80 WHERE id = 1001');
        const { rows } = await session.query<{ id: string; visits: number; visit_count: number }>(
          'SELECT id::text, visits, visit_count FROM users WHERE id IN (1, 1000, 1001) ORDER BY id',
        );
        expect(rows).toEqual([
          { id: '1', visits: 1, visit_count: 1 },
          { id: '1000', visits: 70, visit_count: 70 },
          { id: '1001', visits: 80, visit_count: 80 },
        ]);
      } finally {
        await session.close();
      }
    });
    recordProof('rename-column', c, result);
  });

  it('Flyway: ALTER COLUMN TYPE without a rewrite under lock — new column, trigger, backfill, swap', async () => {
    const c: ProofCase = {
      name: 'alter-type',
      runner: 'flyway',
      setup: SETUP,
      document: { path: '/db/migrations/V2__visits_bigint.sql', text: 'ALTER TABLE users ALTER COLUMN visits TYPE bigint USING visits * 10;\n' },
      siblings: [{ path: '/db/migrations/V1__init.sql', text: SETUP }],
      statementKind: 'AlterTableStmt',
      recipe: 'expand-contract',
      columnsByName: true,
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.originalViolations.some((v) => v.work === 'rewrites')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    recordProof('alter-column-type', c, result);
  });

  // Indexes on the column: rebuilt CONCURRENTLY on the new column, and given the old names at the switch, so the
  // end schema has the same indexes (names and definitions) as the original statement leaves.
  const INDEXED = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, visits int NOT NULL, org int NOT NULL);
CREATE INDEX users_visits_idx ON users (visits DESC);
CREATE UNIQUE INDEX users_org_visits_key ON users (org, visits) INCLUDE (email);
INSERT INTO users SELECT g, 'user' || g || '@example.test', g, g % 10 FROM generate_series(1, 500) g;`;

  it('golang-migrate: RENAME COLUMN of an indexed column rebuilds its indexes on the new column, one file each', async () => {
    const c: ProofCase = {
      name: 'rename-column-indexed',
      runner: 'golang-migrate',
      setup: INDEXED,
      document: { path: '/db/migrations/000002_rename_visits.up.sql', text: 'ALTER TABLE users RENAME COLUMN visits TO visit_count;\n' },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: INDEXED }],
      statementKind: 'RenameStmt',
      recipe: 'expand-contract',
      columnsByName: true,
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    const texts = result.fix.files.map((f) => f.text).join('\n');
    expect(texts).toContain('CREATE INDEX CONCURRENTLY users_visits_idx_lockstep ON users (visit_count DESC);');
    expect(texts).toContain('CREATE UNIQUE INDEX CONCURRENTLY users_org_visits_key_lockstep ON users (org, visit_count) INCLUDE (email);');
    expect(texts).toContain('ALTER INDEX users_visits_idx_lockstep RENAME TO users_visits_idx;');
    recordProof('rename-column-indexed', c, result);
  });

  it('goose: ALTER COLUMN TYPE of an indexed column rebuilds its indexes for the new type before the switch', async () => {
    const c: ProofCase = {
      name: 'alter-type-indexed',
      runner: 'goose',
      setup: INDEXED,
      document: { path: '/db/migrations/00002_visits_bigint.sql', text: '-- +goose Up\nALTER TABLE users ALTER COLUMN visits TYPE bigint;\n' },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: INDEXED }],
      statementKind: 'AlterTableStmt',
      recipe: 'expand-contract',
      columnsByName: true,
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.originalViolations.some((v) => v.work === 'rewrites')).toBe(true);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
    const texts = result.fix.files.map((f) => f.text).join('\n');
    expect(texts).toContain('ALTER INDEX users_visits_idx RENAME TO users_visits_idx_lockstep_old;');
    expect(texts).toContain('ALTER INDEX users_visits_idx_lockstep RENAME TO users_visits_idx;');
    recordProof('alter-column-type-indexed', c, result);
  });

  it('dbmate: a view over other columns of the table does not block the type change, and still works after it', async () => {
    const setup = `${SETUP}\nCREATE VIEW user_emails AS SELECT id, email FROM users;`;
    const c: ProofCase = {
      name: 'alter-type-beside-view',
      runner: 'dbmate',
      setup,
      document: { path: '/db/migrations/20240102120000_visits_bigint.sql', text: '-- migrate:up\nALTER TABLE users ALTER COLUMN visits TYPE bigint;\n\n-- migrate:down\n' },
      siblings: [{ path: '/db/migrations/20240101120000_init.sql', text: setup }],
      statementKind: 'AlterTableStmt',
      recipe: 'expand-contract',
      columnsByName: true,
      policy: { batchSize: 100 },
    };
    const result = await prove(c);
    expect(result.phasedViolations).toEqual([]);
    expect(result.phasedFindings).toEqual([]);
  });
});
