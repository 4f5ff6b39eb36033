/**
 * --pg-version: the embedded server runs the asked major when its binaries are installed (the project's package,
 * or the per-major cache of scripts/install-pg-major.mjs), and says how to install them when they are not —
 * before starting anything.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../server/src/cli/run';
import { rehearse } from '../../server/src/rehearsal/engine';
import { resolvePostgresBinaries, startEmbeddedPostgres } from '../../server/src/rehearsal/embedded-server';

const installed16 = await resolvePostgresBinaries({ major: 16 }).then(
  () => true,
  () => false,
);

function ourTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('lockstep-pg-'));
}

const savedDir = process.env.LOCKSTEP_PG_DIR;
afterEach(() => {
  if (savedDir === undefined) delete process.env.LOCKSTEP_PG_DIR;
  else process.env.LOCKSTEP_PG_DIR = savedDir;
});

/** Points the per-major cache at an empty directory, so only the project's major (17) is installed. */
function withEmptyCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-empty-pg-cache-'));
  process.env.LOCKSTEP_PG_DIR = dir;
  return dir;
}

describe('--pg-version', () => {
  it.skipIf(!installed16)('runs the rehearsal on PostgreSQL 16 when its binaries are installed', async () => {
    const report = await rehearse({
      target: { path: 'migrations/002.up.sql', text: 'ALTER TABLE t ADD COLUMN a int;' },
      previous: [{ path: 'migrations/001.up.sql', text: 'CREATE TABLE t (id int PRIMARY KEY);' }],
      server: { kind: 'embedded', pgVersion: 16 },
      sizes: [100],
      repeat: 1,
    });
    expect(report.error).toBeNull();
    expect(report.server).toMatchObject({ embedded: true, version: expect.stringMatching(/^16\./) });
    // The major is passed as a start option, not through the environment.
    expect(process.env.LOCKSTEP_PG).toBeUndefined();
  });

  it('says how to install a major that is not installed, and starts nothing', async () => {
    const cache = withEmptyCache();
    try {
      const before = ourTempDirs();
      const direct = await startEmbeddedPostgres({ major: 15 }).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(direct?.message).toMatch(/the PostgreSQL 15 binaries for .* are not installed \(PostgreSQL 15 was asked for\)/);
      expect(direct?.message).toContain('node scripts/install-pg-major.mjs 15');

      const report = await rehearse({
        target: { path: 'migrations/002.up.sql', text: 'ALTER TABLE t ADD COLUMN a int;' },
        previous: [],
        server: { kind: 'embedded', pgVersion: 15 },
      });
      expect(report.status).toBe('failed');
      expect(report.error).toMatchObject({ phase: 'server', message: expect.stringContaining('node scripts/install-pg-major.mjs 15') });
      expect(ourTempDirs()).toEqual(before);
      expect(process.env.LOCKSTEP_PG).toBeUndefined();
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('the CLI exits 2 with the install command', async () => {
    const cache = withEmptyCache();
    const root = mkdtempSync(join(tmpdir(), 'lockstep-pgv-'));
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(root, 'change.sql'), 'SELECT 1;\n');
      let text = '';
      const code = await runCli(['rehearse', 'change.sql', '--pg-version', '15'], { out: (t) => void (text += t), err: (t) => void (text += t), cwd: root });
      expect(code).toBe(2);
      expect(text).toContain('node scripts/install-pg-major.mjs 15');
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
