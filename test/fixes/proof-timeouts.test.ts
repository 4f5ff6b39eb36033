/**
 * Proof of the lock_timeout fix on the embedded PostgreSQL: with another session holding a conflicting lock, the
 * original migration waits (and every query on the table would queue behind it); with the fix it gives up after
 * the timeout with lock_not_available (55P03) — so the SET landed where it takes effect: SET LOCAL inside the
 * implicit transaction a two-statement golang-migrate file becomes, SET for the session where goose sends
 * statements one by one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../server/src/analysis/analyzer.js';
import { applyTextEdits, fixAllEdits, fixesForFinding } from '../../server/src/analysis/fixes/index.js';
import { withScratchDatabase } from '../setup/pg.js';
import { analyzeCase, migrationInput, runFiles, type MigrationFile, type ProofCase, type TestRunner } from './harness.js';
import { replayMigrations } from '../../server/src/analysis/schema-context.js';

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.test' FROM generate_series(1, 500) g;`;

beforeAll(() => initParser());

/** Runs `file` while another session reads the table in an open transaction; resolves to how the run ended. */
async function runBlocked(runner: TestRunner, file: MigrationFile): Promise<{ outcome: 'lock-timeout' | 'waited'; ms: number }> {
  return withScratchDatabase(async ({ driver }) => {
    const setup = await driver.connect();
    await setup.query(SETUP);
    await setup.close();
    const blocker = await driver.connect();
    const migration = await driver.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT count(*) FROM users');
      const started = performance.now();
      const run = runFiles(migration, runner, [file]).then(
        () => 'done' as const,
        (error: Error) => ((error.cause as { code?: string } | undefined)?.code === '55P03' ? ('lock-timeout' as const) : Promise.reject(error)),
      );
      const waited = await Promise.race([run, new Promise<'waited'>((r) => setTimeout(() => r('waited'), 1500))]);
      const ms = performance.now() - started;
      await blocker.query('ROLLBACK');
      await run;
      if (waited === 'done') throw new Error('the migration did not need the lock this test holds');
      return { outcome: waited, ms };
    } finally {
      await blocker.close();
      await migration.close();
    }
  });
}

describe('set-timeout', () => {
  for (const [runner, document] of [
    ['golang-migrate', { path: '/db/migrations/000002_nickname.up.sql', text: 'ALTER TABLE users ADD COLUMN nickname text;\n' }],
    ['goose', { path: '/db/migrations/00002_nickname.sql', text: '-- +goose NO TRANSACTION\n-- +goose Up\nALTER TABLE users ADD COLUMN nickname text;\n' }],
  ] as const) {
    it(`${runner}: the SET takes effect, and the finding is gone`, async () => {
      const c: ProofCase = { name: runner, runner, setup: SETUP, document, rule: 'missing-lock-timeout', recipe: 'set-timeout' };
      const { input, finding } = analyzeCase(c);
      const fix = fixesForFinding({ ...input, policy: { lockTimeout: '300ms' } }, finding!).find((f) => f.recipe === 'set-timeout')!;
      expect(fix.fixAll).toBe(true);
      const fixed: MigrationFile = { path: document.path, text: applyTextEdits(document.text, fix.edits) };
      expect(fixed.text).toContain(runner === 'goose' ? "SET lock_timeout = '300ms';\nALTER TABLE" : "SET LOCAL lock_timeout = '300ms';\nALTER TABLE");

      const original = await runBlocked(runner, document);
      expect(original.outcome).toBe('waited');
      const phased = await runBlocked(runner, fixed);
      expect(phased.outcome).toBe('lock-timeout');
      expect(phased.ms).toBeLessThan(1500);

      const lint = analyzeText(fixed.text, { pgVersion: 17, migration: migrationInput(fixed, [fixed]) }, replayMigrations([{ path: 'setup.sql', text: SETUP }]));
      expect(lint.findings.filter((f) => f.rule === 'missing-lock-timeout')).toEqual([]);
      expect(lint.findings.filter((f) => f.severity === 'warning' || f.severity === 'error')).toEqual([]);
      // The same edit is part of source.fixAll.lockstep.
      expect(fixAllEdits({ ...input, policy: { lockTimeout: '300ms' } })).toEqual(fix.edits);
    });
  }
});
