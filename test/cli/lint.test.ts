// End-to-end tests of `lockstep lint` and the top-level CLI, run through bin/lockstep.js against the build
// (`npm test` builds first) on migration folders written to a temp directory.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstep } from './run-cli';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));



const INDEX_USERS = 'CREATE INDEX users_email_idx ON users (email);';
const UNICODE_PREFIX = '/* café 🐘 */ ';

/** Relative path → content. Folders that must be skipped hold findings that would show up if they were not. */
const project: Record<string, string | Buffer> = {
  'migrations/001_create.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX ON users (email);\n',
  'migrations/002_index.sql': `-- existing table\n${INDEX_USERS}\n`,
  'migrations/010_unicode.sql': `${UNICODE_PREFIX}CREATE INDEX ON orders (id);\n`,
  'migrations/sub/003_nested.sql': 'CREATE INDEX CONCURRENTLY ON users (id);\n',
  'migrations/notes.txt': 'CREATE INDEX ON users (id);\n',
  'migrations/.drafts/999.sql': 'CREATE INDEX ON users (id);\n',
  'migrations/node_modules/pkg/x.sql': 'CREATE INDEX ON users (id);\n',
  'clean/001.sql': 'SELECT 1;\n',
  'broken/001.sql': "ALTER TABLE users ADD COLUMN nick text DEFALT 'x';\n",
  'empty/README.md': '# nothing here\n',
  'bom.sql': '\uFEFFCREATE INDEX ON orders (id);\n',
  'latin1.sql': Buffer.from([0x2d, 0x2d, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]), // "-- café" in Latin-1
};

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-cli-'));
  for (const [path, content] of Object.entries(project)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('lockstep lint', () => {
  it('prints one line per finding with 1-based positions and exits 0 when nothing is an error', async () => {
    const run = await lockstep(['lint', 'migrations'], root);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^\S+:\d+:\d+  (error|warning|info|hint)  [a-z-]+  \S.*$/);
    // 001 creates users before indexing it (exempt); 003 is concurrent; .drafts, node_modules and .txt skipped.
    // Other rules may add lines of their own; this test is about the format and the file walk.
    const indexLines = lines.filter((l) => l.includes('  create-index-nonconcurrent  '));
    expect(indexLines.map((l) => l.split('  ').slice(0, 2))).toEqual([
      [join('migrations', '002_index.sql:2:1'), 'warning'],
      [join('migrations', `010_unicode.sql:1:${UNICODE_PREFIX.length + 1}`), 'warning'],
    ]);
    expect(indexLines[0]).toMatch(/\busers\b/);
    const summary = run.stderr.match(/^lockstep: (\d+) findings? \((.+)\) in \d+ of 4 files\n$/);
    expect(summary?.[1]).toBe(String(lines.length));
  });

  it('exits 1 when a finding is at error severity', async () => {
    const run = await lockstep(['lint', 'broken/001.sql'], root);
    expect(run.code).toBe(1);
    const col = "ALTER TABLE users ADD COLUMN nick text ".length + 1;
    expect(run.stdout).toMatch(new RegExp(`^broken/001\\.sql:1:${col}  error  syntax-error  .*DEFALT.*\\n$`));
  });

  it('exits 0 with empty output and a summary for clean files', async () => {
    const run = await lockstep(['lint', 'clean'], root);
    expect(run).toEqual({ code: 0, stdout: '', stderr: 'lockstep: no findings in 1 file\n' });
  });

  it('writes the JSON contract: version 1, files in order, 0-based UTF-16 ranges, statement index', async () => {
    const run = await lockstep(['lint', 'migrations', 'clean/001.sql', '--format', 'json'], root);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report.version).toBe(1);
    expect(report.files.map((f: { path: string }) => f.path)).toEqual([
      'migrations/001_create.sql',
      'migrations/002_index.sql',
      'migrations/010_unicode.sql',
      'migrations/sub/003_nested.sql',
      'clean/001.sql',
    ]);
    type JsonFinding = { rule: string; range: { start: { line: number; character: number } } };
    const indexFindings = (file: { findings: JsonFinding[] }) =>
      file.findings.filter((f) => f.rule === 'create-index-nonconcurrent');
    expect(indexFindings(report.files[1])).toEqual([
      {
        rule: 'create-index-nonconcurrent',
        severity: 'warning',
        message: expect.stringContaining('users'),
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: INDEX_USERS.length - 1 } },
        statement: 0,
      },
    ]);
    // JavaScript string lengths are UTF-16 units: 🐘 counts 2, é counts 1.
    expect(indexFindings(report.files[2])[0].range.start).toEqual({ line: 0, character: UNICODE_PREFIX.length });
    expect(indexFindings(report.files[0])).toEqual([]);
  });

  it('prints paths outside the working directory as absolute paths', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'lockstep-cwd-'));
    try {
      const run = await lockstep(['lint', join(root, 'migrations', '002_index.sql'), '--format', 'json'], elsewhere);
      expect(JSON.parse(run.stdout).files[0].path).toBe(join(root, 'migrations', '002_index.sql'));
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('reports a missing file in one line, exits 2, and still lints the files it can read', async () => {
    const run = await lockstep(['lint', 'nope.sql', 'migrations/002_index.sql'], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("lockstep: cannot read 'nope.sql': no such file\n");
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).toMatch(/^migrations\/002_index\.sql:2:1  warning  create-index-nonconcurrent  /);
  });

  it('refuses a file that is not UTF-8 instead of guessing positions', async () => {
    const run = await lockstep(['lint', 'latin1.sql'], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("lockstep: cannot read 'latin1.sql': not valid UTF-8; convert the file to UTF-8 and try again\n");
  });

  it('drops a byte-order mark, as editors do, so line 1 columns match the editor', async () => {
    const run = await lockstep(['lint', 'bom.sql'], root);
    expect(run.stdout).toMatch(/^bom\.sql:1:1 /);
  });

  it('notes a folder without .sql files but does not fail', async () => {
    const run = await lockstep(['lint', 'empty'], root);
    expect(run).toEqual({ code: 0, stdout: '', stderr: "lockstep: no .sql files in 'empty'\n" });
  });

  it.each([
    [['lint'], 'no files or folders given'],
    [['lint', 'migrations', '--format', 'xml'], "unknown --format 'xml'"],
    [['lint', 'migrations', '--pg-version', '9'], 'PostgreSQL 9 is not supported'],
    [['lint', 'migrations', '--pg-version', 'latest'], 'expected a PostgreSQL major version number'],
    [['lint', '--fix', 'migrations'], "Unknown option '--fix'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['lsp'], 'lsp needs --stdio'],
  ])('exits 2 on a usage error: lockstep %j', async (args, message) => {
    const run = await lockstep(args, root);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/Run 'lockstep (\w+ )?--help' for usage\.\n$/);
  });

  it('lints with another --pg-version', async () => {
    const run = await lockstep(['lint', 'migrations/002_index.sql', '--pg-version', '13'], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('create-index-nonconcurrent');
  });
});

describe('lockstep', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));
    expect(await lockstep(['--version'], root)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help lists the commands on stdout and exits 0', async () => {
    const run = await lockstep(['--help'], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: lockstep <command>/);
    expect(run.stdout).toMatch(/^ {2}lint +\S/m);
    expect(run.stdout).toMatch(/^ {2}lsp +\S/m);
  });

  it('lint --help describes the lint options', async () => {
    const run = await lockstep(['lint', '--help'], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--format text|json');
    expect(run.stdout).toContain('--pg-version N');
  });

  it('without arguments prints help on stderr and exits 2', async () => {
    const run = await lockstep([], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Usage: lockstep <command>/);
  });
});
