// `lockstep lint` with schema context: each migration is checked against the schema its earlier sibling
// migrations create (read from disk, whether or not they are named on the command line).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstep } from './run-cli';



const project: Record<string, string | Buffer> = {
  'db/000001_accounts.up.sql':
    'CREATE TABLE accounts (id bigint PRIMARY KEY, email text, plan text);\n' +
    'ALTER TABLE accounts ADD CONSTRAINT email_nn CHECK (email IS NOT NULL);\n',
  'db/000001_accounts.down.sql': 'DROP TABLE accounts;\n',
  'db/000002_tighten.up.sql':
    'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n' +
    'ALTER TABLE accounts ALTER COLUMN plan SET NOT NULL;\n' +
    'CREATE INDEX accounts_plan_idx ON accounts (plan);\n',
  'db/000002_tighten.down.sql': 'DROP INDEX accounts_plan_idx;\n',
  // Not UTF-8: its schema changes cannot be known; the files after it say so.
  'broken/000001_latin1.up.sql': Buffer.from('CREATE TABLE caf\xe9 (id int);\n', 'latin1'),
  'broken/000002_next.up.sql': 'CREATE INDEX ON orders (id);\n',
};

type Finding = { rule: string; range: { start: { line: number } } };

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-lint-context-'));
  for (const [path, content] of Object.entries(project)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function findings(args: string[]): Promise<Finding[]> {
  const run = await lockstep(['lint', ...args, '--format', 'json'], root);
  expect(run.stderr).toBe('');
  return (JSON.parse(run.stdout) as { files: Array<{ findings: Finding[] }> }).files.flatMap((f) => f.findings);
}

describe('lockstep lint with schema context', () => {
  it('knows the CHECK validated in an earlier migration: SET NOT NULL on that column does not scan', async () => {
    const found = await findings(['db/000002_tighten.up.sql']);
    // Only `plan` (line 2) lacks a validated CHECK; `email` (line 1) has one from 000001.
    expect(found.filter((f) => f.rule === 'set-not-null-scan').map((f) => f.range.start.line)).toEqual([1]);
  });

  it('still flags CREATE INDEX on a table an earlier migration created: it exists and holds data', async () => {
    const found = await findings(['db/000002_tighten.up.sql']);
    expect(found.filter((f) => f.rule === 'create-index-nonconcurrent').map((f) => f.range.start.line)).toEqual([2]);
  });

  it('gives the same answers when the whole folder is linted', async () => {
    const run = await lockstep(['lint', 'db', '--format', 'json'], root);
    const files = (JSON.parse(run.stdout) as { files: Array<{ path: string; findings: Finding[] }> }).files;
    const tighten = files.find((f) => f.path === 'db/000002_tighten.up.sql')!;
    expect(tighten.findings.filter((f) => f.rule === 'set-not-null-scan').map((f) => f.range.start.line)).toEqual([1]);
  });

  it('says once that an earlier migration could not be read, and lints the file without it', async () => {
    const run = await lockstep(['lint', 'broken/000002_next.up.sql'], root);
    expect(run.stderr).toContain(
      "lockstep: note: cannot read earlier migration 'broken/000001_latin1.up.sql': not valid UTF-8; convert the file to UTF-8 and try again; the files after it are checked without its schema changes\n",
    );
    expect(run.stdout).toContain('create-index-nonconcurrent');
  });
});
