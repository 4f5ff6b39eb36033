// `lockstep fix` end to end, through bin/lockstep.js against the build (`npm test` builds first), on a
// golang-migrate folder written to a temp directory.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'lockstep.js');

function lockstep(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const INIT = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n';
const DOCUMENT = '-- login lookups\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n';

describe('lockstep fix', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-fix-'));
    await writeFile(join(dir, '000001_init.up.sql'), INIT);
    await writeFile(join(dir, '000002_users.up.sql'), DOCUMENT);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('prints a unified diff and writes nothing without --write', async () => {
    const run = await lockstep(['fix', '000002_users.up.sql'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--- a/000002_users.up.sql\n+++ b/000002_users.up.sql\n@@ -1,3 +1,2 @@\n -- login lookups\n');
    expect(run.stdout).toContain('--- /dev/null\n+++ b/000003_create_users_email_idx_concurrently.up.sql\n');
    expect(run.stdout).toContain('+CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n');
    // The SET NOT NULL travelled to the rest file and was fixed there: its phases follow it.
    expect(run.stdout).toContain('+++ b/000005_validate_users_email_not_null_check.up.sql\n');
    // …and so was its missing lock_timeout.
    expect(run.stdout).toContain("+SET LOCAL lock_timeout = '2s';\n+ALTER TABLE users ADD CONSTRAINT users_email_not_null_check");
    expect(run.stderr).toContain('lockstep: 3 fixes: 1 file(s) changed, 8 new (dry run; --write applies them)');
    expect(await readFile(join(dir, '000002_users.up.sql'), 'utf8')).toBe(DOCUMENT);
    expect((await readdir(dir)).sort()).toEqual(['000001_init.up.sql', '000002_users.up.sql']);
  });

  it('--write applies it, and lint then finds neither problem', async () => {
    const run = await lockstep(['fix', '--write', '000002_users.up.sql'], dir);
    expect(run.code).toBe(0);
    expect((await readdir(dir)).filter((f) => f.endsWith('.up.sql')).sort()).toEqual([
      '000001_init.up.sql',
      '000002_users.up.sql',
      '000003_create_users_email_idx_concurrently.up.sql',
      '000004_create_users_email_idx_concurrently_rest.up.sql',
      '000005_validate_users_email_not_null_check.up.sql',
      '000006_set_users_email_not_null.up.sql',
    ]);
    const lint = await lockstep(['lint', '--format', 'json', '.'], dir);
    const rules = (JSON.parse(lint.stdout) as { files: Array<{ findings: Array<{ rule: string }> }> }).files.flatMap((f) => f.findings.map((x) => x.rule));
    expect(rules).not.toContain('create-index-nonconcurrent');
    expect(rules).not.toContain('set-not-null-scan');
  });

  it('refuses to overwrite a file that exists, and writes nothing', async () => {
    await writeFile(join(dir, '000003_create_users_email_idx_concurrently.up.sql'), 'SELECT 1;\n');
    const run = await lockstep(['fix', '--write', '000002_users.up.sql'], dir);
    // 000003 exists now, so there is no free version between 000002 and it: the fix is reported, not applied.
    expect(run.stderr).toContain('create-index-nonconcurrent not fixed: there is no free version between 000002 and the next migration (000003)');
    expect(await readFile(join(dir, '000002_users.up.sql'), 'utf8')).not.toContain('CONCURRENTLY');
  });
});
