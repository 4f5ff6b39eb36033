// End-to-end tests of `lockstep fix`, run through bin/lockstep.js against the build (`npm test` builds first) on
// migration folders written to a temp directory: fixes Lockstep refuses are reported with their reasons, and sqitch
// projects get new changes plus their sqitch.plan lines, as a diff or on disk.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockstep } from './run-cli';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-fix-'));
});

afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('refused fixes', () => {
  const INIT = 'CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);\nCREATE VIEW org_names AS SELECT id, name FROM orgs;\nCREATE TABLE users (id bigint PRIMARY KEY);\n';
  const CHANGE = 'ALTER TABLE orgs RENAME COLUMN name TO title;\nALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;\n';

  it('are notes on stderr that name the finding, where it is, and why; the statements stay as written', async () => {
    await write({ 'm/000001_init.up.sql': INIT, 'm/000002_change.up.sql': CHANGE });
    const run = await lockstep(['fix', 'm/000002_change.up.sql'], root);
    expect(run.code).toBe(0);
    const notes = run.stderr.split('\n').filter((l) => l.includes('not fixed'));
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^lockstep: m\/000002_change\.up\.sql:1:\d+: rename-column not fixed: Lockstep refuses to rename name to title .*: view public\.org_names reads public\.orgs: a view keeps the column it was created with/);
    // The line is the one on disk, although the dry run's lock_timeout SET in front of line 1 moved it to line 3.
    expect(notes[1]).toMatch(/^lockstep: m\/000002_change\.up\.sql:2:\d+: add-column-serial-or-identity not fixed: Lockstep refuses to add n without a rewrite.*: n is an identity column: it cannot be added empty and backfilled/);
    // Neither refused statement is rewritten by the diff, only fenced by timeouts.
    expect(run.stdout).not.toMatch(/^[-+]ALTER TABLE/m);
    expect(await readFile(join(root, 'm/000002_change.up.sql'), 'utf8')).toBe(CHANGE);
  }, 30_000);

  it('with --write, the notes point at the lines of the file as written', async () => {
    await write({ 'm/000001_init.up.sql': INIT, 'm/000002_change.up.sql': CHANGE });
    const run = await lockstep(['fix', '--write', 'm/000002_change.up.sql'], root);
    expect(run.code).toBe(0);
    const written = (await readFile(join(root, 'm/000002_change.up.sql'), 'utf8')).split('\n');
    const note = run.stderr.split('\n').find((l) => l.includes('add-column-serial-or-identity not fixed'))!;
    const line = Number(/:(\d+):\d+: add-column/.exec(note)![1]);
    expect(written[line - 1]).toBe('ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;');
    expect(line).not.toBe(2);
  }, 30_000);
});

describe('sqitch', () => {
  const PLAN = '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T11:00:00Z Ann <ann@example.test>\nusers_score 2024-01-02T11:00:00Z Ann <ann@example.test>\n';
  const DEPLOY = 'BEGIN;\nALTER TABLE users ADD COLUMN score int DEFAULT random();\nCOMMIT;\n';
  const project = {
    'shop/sqitch.plan': PLAN,
    'shop/deploy/init.sql': 'BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCOMMIT;\n',
    'shop/revert/init.sql': 'DROP TABLE users;\n',
    'shop/deploy/users_score.sql': DEPLOY,
    'shop/revert/users_score.sql': 'ALTER TABLE users DROP COLUMN score;\n',
  };
  const ENTRY = /^backfill_users_score \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Ann <ann@example\.test> # Lockstep: step 1 of 1 after users_score$/;

  it('a dry run shows the new change (deploy, revert, verify) and the line appended to sqitch.plan, and writes nothing', async () => {
    await write(project);
    const run = await lockstep(['fix', 'shop/deploy/users_score.sql'], root);
    expect(run.code).toBe(0);
    const planDiff = run.stdout.slice(run.stdout.indexOf('--- a/shop/sqitch.plan'));
    expect(planDiff.startsWith('--- a/shop/sqitch.plan\n+++ b/shop/sqitch.plan\n')).toBe(true);
    const added = planDiff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    expect(added[0]!.slice(1)).toMatch(ENTRY);
    for (const kind of ['deploy', 'revert', 'verify']) expect(run.stdout).toContain(`--- /dev/null\n+++ b/shop/${kind}/backfill_users_score.sql\n`);
    // The deploy script and the plan changed (the backfill moved out, a lock_timeout SET went in); three files new.
    expect(run.stderr).toMatch(/lockstep: \d+ fixes: 2 file\(s\) changed, 3 new \(dry run; --write applies them\)/);
    expect(await readFile(join(root, 'shop/sqitch.plan'), 'utf8')).toBe(PLAN);
    expect(existsSync(join(root, 'shop/deploy/backfill_users_score.sql'))).toBe(false);
  }, 30_000);

  it('--write creates the change and appends it to sqitch.plan after the last change', async () => {
    await write(project);
    expect((await lockstep(['lint', 'shop/deploy/users_score.sql'], root)).stdout).toContain('add-column-volatile-default');
    const run = await lockstep(['fix', '--write', 'shop/deploy/users_score.sql'], root);
    expect(run.code).toBe(0);
    const plan = await readFile(join(root, 'shop/sqitch.plan'), 'utf8');
    expect(plan.startsWith(PLAN)).toBe(true);
    expect(plan.slice(PLAN.length).split('\n')).toEqual([expect.stringMatching(ENTRY), '']);
    const deploy = await readFile(join(root, 'shop/deploy/backfill_users_score.sql'), 'utf8');
    expect(deploy).toMatch(/UPDATE users SET score = random\(\)/);
    // A batch that COMMITs cannot sit in BEGIN … COMMIT: psql runs this deploy script outside a transaction.
    expect(deploy).not.toMatch(/^BEGIN;/m);
    expect(existsSync(join(root, 'shop/revert/backfill_users_score.sql'))).toBe(true);
    expect(existsSync(join(root, 'shop/verify/backfill_users_score.sql'))).toBe(true);
    expect(await readFile(join(root, 'shop/deploy/users_score.sql'), 'utf8')).toContain('ALTER TABLE users ADD COLUMN score int;\n');
    // The plan now ends with the new change, so lint sees the phased project clean of the original finding.
    const lint = await lockstep(['lint', 'shop/deploy/users_score.sql'], root);
    expect(lint.stdout).not.toContain('add-column-volatile-default');
  }, 30_000);

  it('a change that is not the last one of sqitch.plan gets no new changes, and the note says why', async () => {
    await write({ ...project, 'shop/sqitch.plan': `${PLAN}later 2024-01-03T11:00:00Z Ann <ann@example.test>\n` });
    const run = await lockstep(['fix', '--write', 'shop/deploy/users_score.sql'], root);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/users_score\.sql:\d+:\d+: add-column-volatile-default not fixed: .*users_score is not the last change of sqitch\.plan \(later follows it\)/);
    const deploy = await readFile(join(root, 'shop/deploy/users_score.sql'), 'utf8');
    expect(deploy).toContain('ALTER TABLE users ADD COLUMN score int DEFAULT random();');
    expect(await readFile(join(root, 'shop/sqitch.plan'), 'utf8')).toBe(`${PLAN}later 2024-01-03T11:00:00Z Ann <ann@example.test>\n`);
    expect(existsSync(join(root, 'shop/deploy/backfill_users_score.sql'))).toBe(false);
  }, 30_000);
});
