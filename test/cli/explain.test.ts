// End-to-end tests of `lockstep explain`, run through bin/lockstep.js against the build (`npm test` builds first)
// on migration folders written to a temp directory. Expected positions are computed from the file text with
// JavaScript string offsets, which are UTF-16 units like the contract.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstep } from './run-cli';




const ADD_COLUMN = 'ALTER TABLE parent ADD COLUMN c int DEFAULT 0';
const EMOJI = '/* 🐘 café */ ';
const SECOND = `${ADD_COLUMN};\n${EMOJI}CREATE INDEX ON parent (c);\nCREATE TABLE kid (id int);\nCREATE INDEX ON kid (id);\n\\set x 1\nSELECT FROM WHERE;\n`;

const project: Record<string, string> = {
  'm/000001_parent.up.sql': 'CREATE TABLE parent (id bigint PRIMARY KEY);\n',
  'm/000001_parent.down.sql': 'DROP TABLE parent;\n',
  'm/000002_change.up.sql': SECOND,
  'm/000003_concurrent.up.sql': 'CREATE INDEX CONCURRENTLY parent_c_idx ON parent (c);\n',
  // No version in the name: run as psql runs it, statement by statement, BEGIN … COMMIT as written.
  'm/blocks.sql': 'CREATE INDEX CONCURRENTLY a_idx ON parent (id);\nBEGIN;\nCREATE INDEX CONCURRENTLY b_idx ON parent (id);\nCOMMIT;\n',
};

type JsonStatement = Record<string, unknown> & { index: number; kind: string; text: string };
type JsonReport = { version: number; pgVersion: number; files: Array<{ path: string; statements: JsonStatement[] }> };

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-explain-'));
  for (const [path, content] of Object.entries(project)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function explainJson(args: string[]): Promise<JsonReport> {
  const run = await lockstep(['explain', ...args, '--format', 'json'], root);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as JsonReport;
}

describe('lockstep explain --format json', () => {
  it('writes the contract: version, pgVersion, per statement range, text, kind, locks, blocks, facts', async () => {
    const report = await explainJson(['m/000002_change.up.sql', '--pg-version', '15']);
    expect(report.version).toBe(1);
    expect(report.pgVersion).toBe(15);
    expect(report.files.map((f) => ({ path: f.path, pgVersion: (f as { pgVersion?: number }).pgVersion }))).toEqual([
      { path: 'm/000002_change.up.sql', pgVersion: 15 },
    ]);
    const [first] = report.files[0]!.statements;
    expect(first).toEqual({
      index: 0,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: ADD_COLUMN.length } },
      text: ADD_COLUMN,
      kind: 'AlterTableStmt',
      inTransaction: true,
      locks: [{ relation: 'public.parent', kind: 'table', mode: 'AccessExclusiveLock' }],
      rewrites: [],
      scans: [],
      blocks: {
        reads: ['public.parent'],
        writes: ['public.parent'],
        selectForUpdate: ['public.parent'],
        ddl: ['public.parent'],
        maintenance: ['public.parent'],
      },
      transaction: 'allowed',
      // golang-migrate sends the file as one query: PostgreSQL runs its statements in one implicit transaction.
      transactionSource: 'implicit',
      facts: [expect.any(String)],
      newRelations: [],
      unknown: false,
    });
    // reads and writes come first, for readers of the raw JSON.
    expect(Object.keys(first!.blocks as object).slice(0, 2)).toEqual(['reads', 'writes']);
  });

  it('gives UTF-16 positions after emoji and accents', async () => {
    const report = await explainJson(['m/000002_change.up.sql']);
    const index = report.files[0]!.statements[1]!;
    expect(index.kind).toBe('IndexStmt');
    expect(index.range).toEqual({
      start: { line: 1, character: EMOJI.length },
      end: { line: 1, character: EMOJI.length + 'CREATE INDEX ON parent (c)'.length },
    });
  });

  it("takes the table from the earlier migration as existing, and the file's own table as new", async () => {
    const report = await explainJson(['m/000002_change.up.sql']);
    const [, onParent, , onKid] = report.files[0]!.statements;
    expect(onParent).toMatchObject({
      locks: expect.arrayContaining([{ relation: 'public.parent', kind: 'table', mode: 'ShareLock' }]),
      blocks: expect.objectContaining({ reads: [], writes: ['public.parent'] }),
      scans: ['public.parent'],
      newRelations: ['public.parent_c_idx'],
    });
    expect(onKid).toMatchObject({ newRelations: ['public.kid', 'public.kid_id_idx'] });
  });

  it('reports statements that were not analyzed as unknown, with the reason', async () => {
    const report = await explainJson(['m/000002_change.up.sql']);
    const [meta, syntax] = report.files[0]!.statements.slice(-2);
    expect(meta).toMatchObject({ kind: 'PsqlMetaCommand', unknown: true, transaction: 'unknown', locks: [], reason: expect.stringContaining('psql meta-command') });
    expect(syntax).toMatchObject({ kind: 'SyntaxError', unknown: true, reason: expect.stringContaining('WHERE') });
  });

  it('says where a statement runs: a lone statement on its own, explicit BEGIN … COMMIT as written', async () => {
    const report = await explainJson(['m/000003_concurrent.up.sql', 'm/blocks.sql']);
    const [lone] = report.files[0]!.statements;
    expect(lone).toMatchObject({ inTransaction: false, transactionSource: 'autocommit', transaction: 'forbidden' });
    expect(report.files[1]!.statements.map((s) => [s.kind, s.inTransaction])).toEqual([
      ['IndexStmt', false],
      ['TransactionStmt', false],
      ['IndexStmt', true],
      ['TransactionStmt', true],
    ]);
  });

  it('explains a whole folder in file order, with each file in its context', async () => {
    const report = await explainJson(['m']);
    expect(report.files.map((f) => f.path)).toEqual([
      'm/000001_parent.down.sql',
      'm/000001_parent.up.sql',
      'm/000002_change.up.sql',
      'm/000003_concurrent.up.sql',
      'm/blocks.sql',
    ]);
  });
});

describe('lockstep explain (text)', () => {
  it('prints one line per statement: position, kind, locks, what waits, scans, transaction, unknowns', async () => {
    const run = await lockstep(['explain', 'm/000002_change.up.sql', 'm/000003_concurrent.up.sql'], root);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines[0]).toBe('m/000002_change.up.sql:1:1  AlterTableStmt  AccessExclusiveLock public.parent · blocks reads, writes');
    expect(lines[1]).toBe(
      `m/000002_change.up.sql:2:${EMOJI.length + 1}  IndexStmt  AccessExclusiveLock public.parent_c_idx (new), ShareLock public.parent · blocks writes · scan public.parent`,
    );
    expect(lines[3]).toMatch(/^m\/000002_change\.up\.sql:4:1  IndexStmt  .* · nothing existing waits · scan public\.kid \(new\)$/);
    expect(lines[4]).toMatch(/^m\/000002_change\.up\.sql:5:1  PsqlMetaCommand  unknown: psql meta-command/);
    expect(lines[5]).toMatch(/^m\/000002_change\.up\.sql:6:1  SyntaxError  unknown: syntax error at or near "WHERE"$/);
    expect(lines[6]).toMatch(/^m\/000003_concurrent\.up\.sql:1:1  IndexStmt  ShareUpdateExclusiveLock public\.parent · reads and writes continue · scan public\.parent · must run outside a transaction$/);
    expect(lines).toHaveLength(7);
  });

  it('says when a statement that must run outside a transaction runs inside one', async () => {
    const run = await lockstep(['explain', 'm/blocks.sql'], root);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/must run outside a transaction$/);
    expect(lines[2]).toMatch(/must run outside a transaction, but runs inside one here$/);
  });
});

describe('lockstep explain (usage)', () => {
  it('--help documents the formats and the transaction assumption', async () => {
    const run = await lockstep(['explain', '--help'], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--format text|json');
    expect(run.stdout).toContain('--pg-version N');
    expect(run.stdout).toMatch(/as the file's migration runner sends it/);
    expect(run.stdout).toMatch(/ONE implicit\s+transaction/);
    const top = await lockstep(['--help'], root);
    expect(top.stdout).toMatch(/^ {2}explain +\S/m);
  });

  it.each([
    [['explain'], 'no files or folders given'],
    [['explain', 'm', '--format', 'xml'], "unknown --format 'xml'"],
    [['explain', 'm', '--pg-version', '11'], 'PostgreSQL 11 is not supported'],
  ])('exits 2 on a usage error: lockstep %j', async (args, message) => {
    const run = await lockstep(args, root);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/Run 'lockstep explain --help' for usage\.\n$/);
  });

  it('reports a missing file, exits 2, and still explains the others', async () => {
    const run = await lockstep(['explain', 'nope.sql', 'm/000003_concurrent.up.sql'], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("lockstep: cannot read 'nope.sql': no such file\n");
    expect(run.stdout).toMatch(/^m\/000003_concurrent\.up\.sql:1:1  IndexStmt  /);
  });
});
