// `lockstep lint` over enough files to use worker threads (cli/analyze-files.ts: 150 or more, whole folders per
// thread) must print exactly what one thread prints: the same report, the same messages in the same order, the same
// exit code — schema context included, since each folder's earlier migrations are replayed in the thread that has it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstep, type CliRun } from './run-cli';

const FOLDERS = ['alpha', 'beta', 'gamma'];
const FILES_PER_FOLDER = 60;
/** diesel: one folder per version, all of them one tree of context (the threads must keep it together). */
const DIESEL_VERSIONS = 30;

function project(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  for (const folder of FOLDERS) {
    files[`${folder}/0001_create.up.sql`] = `CREATE TABLE ${folder}_items (id bigint PRIMARY KEY, owner_id bigint);\n`;
    for (let i = 2; i <= FILES_PER_FOLDER; i++) {
      const version = String(i).padStart(4, '0');
      // Findings depend on the context: the table comes from 0001, so the index and the column are on an existing table.
      files[`${folder}/${version}_change.up.sql`] =
        i % 2 === 0
          ? `CREATE INDEX ${folder}_c${i}_idx ON ${folder}_items (owner_id);\n`
          : `ALTER TABLE ${folder}_items ADD COLUMN c${i} text NOT NULL;\n`;
    }
  }
  files['diesel/2020-01-01-000001_create/up.sql'] =
    'CREATE TABLE customers (id bigint PRIMARY KEY);\n' +
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n' +
    'CREATE INDEX orders_customer_idx ON orders (customer_id);\n';
  for (let i = 2; i <= DIESEL_VERSIONS; i++) {
    // fk-without-index reports this unless the index of the first version is known: context, not the file itself.
    files[`diesel/2020-01-01-${String(i).padStart(6, '0')}_step/up.sql`] =
      `ALTER TABLE orders ADD CONSTRAINT orders_customer_fk${i} FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n`;
  }
  // Not UTF-8: the files after it in its folder are checked without its changes, and lint says so once.
  files['beta/0030_change.up.sql'] = Buffer.from('CREATE TABLE caf\xe9 (id int);\n', 'latin1');
  return files;
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-lint-threads-'));
  for (const [path, content] of Object.entries(project())) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function lintWithThreads(threads: number): Promise<CliRun> {
  const previous = process.env.LOCKSTEP_LINT_THREADS;
  process.env.LOCKSTEP_LINT_THREADS = String(threads);
  try {
    return await lockstep(['lint', '--format', 'json', ...FOLDERS, 'diesel'], root);
  } finally {
    if (previous === undefined) delete process.env.LOCKSTEP_LINT_THREADS;
    else process.env.LOCKSTEP_LINT_THREADS = previous;
  }
}

describe('lockstep lint on worker threads', () => {
  it('prints the same report, messages and exit code as one thread', async () => {
    const one = await lintWithThreads(1);
    const two = await lintWithThreads(2);
    const report = JSON.parse(one.stdout) as { files: Array<{ path: string; findings: Array<{ rule: string }> }> };
    // Every file but the unreadable one.
    expect(report.files).toHaveLength(FOLDERS.length * FILES_PER_FOLDER - 1 + DIESEL_VERSIONS);
    // The diesel project's later versions know the index its first version created, whichever thread has them.
    const diesel = report.files.filter((f) => f.path.startsWith('diesel/') && !f.path.includes('000001_create'));
    expect(diesel).toHaveLength(DIESEL_VERSIONS - 1);
    expect(diesel.flatMap((f) => f.findings).filter((x) => x.rule === 'fk-without-index')).toEqual([]);
    // The context reached the later files: indexes on a table an earlier migration created are reported.
    const rules = new Set(report.files.flatMap((f) => f.findings.map((x) => x.rule)));
    expect(rules).toContain('create-index-nonconcurrent');
    expect(rules).toContain('add-column-required');
    expect(one.stderr).toContain("cannot read 'beta/0030_change.up.sql'");
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
    expect(two.code).toBe(one.code);
  });
});
