/**
 * Proof of the CREATE INDEX → CONCURRENTLY recipe on the embedded PostgreSQL: same schema and data as the
 * original, no lock that blocks reads or writes while a table is scanned, and a clean lint of the phased files —
 * for each runner's way of running files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../server/src/analysis/analyzer.js';
import { applyTextEdits, fixesForFinding } from '../../server/src/analysis/fixes/index.js';
import { withScratchDatabase } from '../setup/pg.js';
import { prove, runFiles, type ProofCase } from './harness.js';
import { recordProof } from './traces.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, org_id int);
INSERT INTO users SELECT g, 'user' || g || '@example.test', g % 10 FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

function expectProven(result: Awaited<ReturnType<typeof prove>>, rule: string | undefined): void {
  expect(result.originalViolations.length, 'the original must block writes while it scans, or this proves nothing').toBeGreaterThan(0);
  expect(result.phasedViolations).toEqual([]);
  expect(result.phasedRuleCount, `${rule} must be gone`).toBeLessThan(result.originalRuleCount);
  expect(result.phasedFindings).toEqual([]);
}

describe('create-index-concurrently', () => {
  it('golang-migrate: moves the index to its own single-statement file and the dependent statements after it', async () => {
    const c: ProofCase = {
      name: 'golang-migrate',
      runner: 'golang-migrate',
      setup: SETUP,
      document: {
        path: '/db/migrations/000002_users_email.up.sql',
        text: [
          '-- Look users up by e-mail',
          'CREATE TABLE audit (id int);',
          'CREATE INDEX ON users (email);',
          '',
          '-- depends on the index being there',
          "COMMENT ON INDEX users_email_idx IS 'login lookups';",
          '',
        ].join('\n'),
      },
      siblings: [{ path: '/db/migrations/000001_init.up.sql', text: SETUP }],
      rule: 'create-index-nonconcurrent',
      recipe: 'create-index-concurrently',
    };
    const result = await prove(c);
    expectProven(result, c.rule);
    expect(result.phased.map((f) => f.path)).toEqual([
      '/db/migrations/000002_users_email.up.sql',
      '/db/migrations/000003_create_users_email_idx_concurrently.up.sql',
      '/db/migrations/000003_create_users_email_idx_concurrently.down.sql',
      '/db/migrations/000004_create_users_email_idx_concurrently_rest.up.sql',
      '/db/migrations/000004_create_users_email_idx_concurrently_rest.down.sql',
    ]);
    // The document keeps what does not depend on the index, and says where the index went.
    expect(result.phased[0]!.text).toBe(
      '-- Look users up by e-mail\nCREATE TABLE audit (id int);\n' +
        '-- Lockstep fix: build users_email_idx with CREATE INDEX CONCURRENTLY outside a transaction, in 000003_create_users_email_idx_concurrently.up.sql.\n',
    );
    expect(result.phased[1]!.text).toMatch(/\nCREATE INDEX CONCURRENTLY users_email_idx ON users \(email\);\n$/);
    expect(result.phased[3]!.text).toContain("-- depends on the index being there\nCOMMENT ON INDEX users_email_idx IS 'login lookups';");
    recordProof('create-index-concurrently', c, result);
  });

  for (const runner of ['goose', 'flyway', 'dbmate', 'diesel'] as const) {
    it(`${runner}: a non-transactional file the runner runs right after the document`, async () => {
      const paths = {
        goose: ['/db/migrations/20240101120000_init.sql', '/db/migrations/20240102120000_users_email.sql'],
        dbmate: ['/db/migrations/20240101120000_init.sql', '/db/migrations/20240102120000_users_email.sql'],
        flyway: ['/db/migrations/V1__init.sql', '/db/migrations/V2__users_email.sql'],
        diesel: ['/db/migrations/2024-01-01-120000_init/up.sql', '/db/migrations/2024-01-02-120000_users_email/up.sql'],
      }[runner];
      const body = 'CREATE UNIQUE INDEX users_email_key ON users (email);\nALTER TABLE users ADD COLUMN nickname text;\n';
      const text =
        runner === 'goose'
          ? `-- +goose Up\n${body}\n-- +goose Down\nDROP INDEX users_email_key;\n`
          : runner === 'dbmate'
            ? `-- migrate:up\n${body}\n-- migrate:down\nDROP INDEX users_email_key;\n`
            : body;
      const c: ProofCase = {
        name: runner,
        runner,
        setup: SETUP,
        document: { path: paths[1]!, text },
        siblings: [{ path: paths[0]!, text: SETUP }],
        rule: 'create-index-nonconcurrent',
        recipe: 'create-index-concurrently',
      };
      const result = await prove(c);
      expectProven(result, c.rule);
      expect(result.fix.files.length).toBeGreaterThan(0);
    });
  }

  // The rule create-index-concurrently-if-not-exists flags CONCURRENTLY IF NOT EXISTS without a leftover guard
  // right before it: the fix's output must not be what that rule flags, guard or no guard.
  for (const runner of ['golang-migrate', 'goose'] as const) {
    it(`${runner}: IF NOT EXISTS in the original leaves no create-index-concurrently-if-not-exists finding in the output`, async () => {
      const path = runner === 'goose' ? '/db/migrations/00002_users_email.sql' : '/db/migrations/000002_users_email.up.sql';
      const body = 'CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n';
      const c: ProofCase = {
        name: `${runner}-if-not-exists`,
        runner,
        setup: SETUP,
        document: { path, text: runner === 'goose' ? `-- +goose Up\n${body}` : body },
        siblings: [{ path: runner === 'goose' ? '/db/migrations/00001_init.sql' : '/db/migrations/000001_init.up.sql', text: SETUP }],
        rule: 'create-index-nonconcurrent',
        recipe: 'create-index-concurrently',
      };
      const result = await prove(c);
      expectProven(result, c.rule);
      expect(result.phasedFindings.filter((f) => f.finding.rule === 'create-index-concurrently-if-not-exists')).toEqual([]);
      const build = result.phased.map((f) => f.text).find((t) => t.includes('CONCURRENTLY users_email_idx') || t.includes('CONCURRENTLY IF NOT EXISTS'))!;
      if (runner === 'golang-migrate') {
        // No guard fits in a one-query file: IF NOT EXISTS goes, so a retry fails loudly instead of keeping an INVALID index.
        expect(build).toMatch(/\nCREATE INDEX CONCURRENTLY users_email_idx ON users \(email\);\n$/);
        expect(build).toContain('IF NOT EXISTS was dropped');
      } else {
        // goose runs statement by statement: the guard drops only an INVALID leftover, and IF NOT EXISTS stays.
        expect(build).toContain('AND NOT indisvalid');
        expect(build).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);');
      }
    });
  }

  it('Supabase: the index moves to the next supabase/migrations/<timestamp>_… file, alone, and what depends on it after', async () => {
    const c: ProofCase = {
      name: 'supabase',
      runner: 'supabase',
      setup: SETUP,
      document: {
        path: '/app/supabase/migrations/20240102120000_users_email.sql',
        text: "CREATE INDEX users_email_idx ON users (email);\nCOMMENT ON INDEX users_email_idx IS 'login lookups';\n",
      },
      siblings: [
        { path: '/app/supabase/migrations/20240101120000_init.sql', text: SETUP },
        { path: '/app/supabase/migrations/20240103120000_later.sql', text: 'SELECT 1;\n' },
      ],
      rule: 'create-index-nonconcurrent',
      recipe: 'create-index-concurrently',
    };
    const result = await prove(c);
    expectProven(result, c.rule);
    expect(result.fix.files.map((f) => f.path)).toEqual([
      '/app/supabase/migrations/20240102120001_create_users_email_idx_concurrently.sql',
      '/app/supabase/migrations/20240102120002_create_users_email_idx_concurrently_rest.sql',
    ]);
    expect(result.fix.files[0]!.text).toMatch(/\nCREATE INDEX CONCURRENTLY users_email_idx ON users \(email\);\n$/);
    recordProof('create-index-supabase', c, result);
  });

  it('goose: a failed concurrent build leaves an INVALID index; running the phase again succeeds thanks to the guard', async () => {
    const c: ProofCase = {
      name: 'goose-retry',
      runner: 'goose',
      setup: SETUP,
      document: { path: '/db/migrations/00002_users_email.sql', text: '-- +goose Up\nCREATE UNIQUE INDEX users_email_key ON users (email);\nSELECT 1;\n' },
      siblings: [{ path: '/db/migrations/00001_init.sql', text: SETUP }],
      rule: 'create-index-nonconcurrent',
      recipe: 'create-index-concurrently',
    };
    const result = await prove(c);
    const phase = result.phased.find((f) => f.path.endsWith('_create_users_email_key_concurrently.sql'))!;
    expect(phase.text).toContain('DROP INDEX CONCURRENTLY IF EXISTS users_email_key;');
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query(SETUP);
        await session.query("UPDATE users SET email = 'dup@example.test' WHERE id IN (1, 2)");
        await expect(runFiles(session, 'goose', [phase])).rejects.toThrow(/could not create unique index/);
        const invalid = await session.query<{ valid: boolean }>("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass");
        expect(invalid.rows).toEqual([{ valid: false }]);
        await session.query("UPDATE users SET email = 'user2@example.test' WHERE id = 2");
        await runFiles(session, 'goose', [phase]);
        const valid = await session.query<{ valid: boolean }>("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass");
        expect(valid.rows).toEqual([{ valid: true }]);
      } finally {
        await session.close();
      }
    });
  });

  it('without the earlier migrations, the guard is a DO block that drops the index only when it is INVALID', async () => {
    const text = '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE UNIQUE INDEX users_email_key ON users (email);\n';
    const options = { pgVersion: 17, migration: { path: '/db/migrations/00002_x.sql' } };
    const analysis = analyzeText(text, options);
    const finding = analysis.findings.find((f) => f.rule === 'create-index-nonconcurrent')!;
    const fix = fixesForFinding({ text, analysis, options, path: '/db/migrations/00002_x.sql' }, finding).find((f) => f.recipe === 'create-index-concurrently')!;
    const file = { path: '/db/migrations/00002_x.sql', text: applyTextEdits(text, fix.edits) };
    expect(file.text).toContain('DO $lockstep$');
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      const validity = async () =>
        (await session.query<{ valid: boolean }>("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('users_email_key')")).rows;
      try {
        await session.query(SETUP);
        // A valid index of that name (made some other way) is kept: the migration then fails as the original would.
        await session.query('CREATE UNIQUE INDEX users_email_key ON users (email)');
        await expect(runFiles(session, 'goose', [file])).rejects.toThrow(/already exists/);
        expect(await validity()).toEqual([{ valid: true }]);
        // An INVALID leftover is dropped and rebuilt.
        await session.query('DROP INDEX users_email_key');
        await session.query("UPDATE users SET email = 'dup@example.test' WHERE id IN (1, 2)");
        await expect(runFiles(session, 'goose', [file])).rejects.toThrow(/could not create unique index/);
        expect(await validity()).toEqual([{ valid: false }]);
        await session.query("UPDATE users SET email = 'user2@example.test' WHERE id = 2");
        await runFiles(session, 'goose', [file]);
        expect(await validity()).toEqual([{ valid: true }]);
      } finally {
        await session.close();
      }
    });
  });
});
