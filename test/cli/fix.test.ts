// End-to-end tests of `lockstep fix`, run through bin/lockstep.js against the build (`npm test` builds first) on
// migration folders written to a temp directory: fixes Lockstep refuses are reported with their reasons, and sqitch
// projects get new changes plus their sqitch.plan lines, as a diff or on disk; --rule / --fix apply the fixes that
// are never preferred (expand/contract, drop in a later release) exactly as the language server's code action does.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  DidOpenTextDocumentNotification,
  type CodeAction,
  type CreateFile,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from '../protocol/lsp-client';
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

/** Applies LSP edits (all against the same original text) the way an editor does. */
function applyLspEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  }
  return out;
}

async function sqlFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

describe('--rule: fixes that are never preferred, the same as the code action the editor offers', () => {
  const INIT =
    'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, visits int NOT NULL, legacy text);\n' +
    'CREATE INDEX users_visits_idx ON users (visits);\n' +
    'CREATE TABLE audit (id bigint PRIMARY KEY, note text);\n';
  const DOCUMENT = 'm/000002_change.up.sql';
  const cases = [
    { rule: 'rename-column', recipe: 'expand-contract', sql: 'ALTER TABLE users RENAME COLUMN visits TO visit_count;\n' },
    { rule: 'rename-table', recipe: 'expand-contract', sql: 'ALTER TABLE users RENAME TO members;\n' },
    { rule: 'column-type-rewrite', recipe: 'expand-contract', sql: 'ALTER TABLE users ALTER COLUMN visits TYPE bigint;\n' },
    { rule: 'drop-column', recipe: 'drop-in-later-release', sql: 'ALTER TABLE users DROP COLUMN legacy;\n', laterDrop: true },
    { rule: 'drop-table', recipe: 'drop-in-later-release', sql: 'DROP TABLE audit;\n', laterDrop: true },
  ];

  /**
   * The files the language server's fix for the `rule` finding produces (path relative to the temp root → text):
   * the fix the editor lists first for the finding, as the CLI picks it, applied the way an editor applies it.
   */
  async function codeActionFiles(rule: string, text: string): Promise<{ title: string; preferred: boolean; files: Map<string, string> }> {
    const uri = pathToFileURL(join(root, DOCUMENT)).href;
    const { client } = await LspClient.start({
      initializationOptions: { diagnosticsDelayMs: 0 },
      capabilities: { workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } },
    });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text } });
      const diagnostic = (await client.diagnosticsNumber(uri, 0)).diagnostics.find((d) => d.code === rule);
      expect(diagnostic, `the language server reports ${rule}`).toBeDefined();
      const actions = ((await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: diagnostic!.range,
        context: { diagnostics: [diagnostic!] },
      })) ?? []) as CodeAction[];
      const fix = actions.find((a) => a.edit && !a.disabled && !a.title.startsWith('Ignore '));
      expect(fix, `a code action fixes ${rule}`).toBeDefined();
      const files = new Map<string, string>();
      for (const change of fix!.edit!.documentChanges as Array<TextDocumentEdit | CreateFile>) {
        if ('kind' in change) {
          files.set(change.uri, '');
          continue;
        }
        const current = files.get(change.textDocument.uri) ?? (change.textDocument.uri === uri ? text : await readFile(fileURLToPath(change.textDocument.uri), 'utf8'));
        files.set(change.textDocument.uri, applyLspEdits(current, change.edits as TextEdit[]));
      }
      return { title: fix!.title, preferred: fix!.isPreferred === true, files: new Map([...files].map(([u, t]) => [relative(root, fileURLToPath(u)), t])) };
    } finally {
      client.dispose();
    }
  }

  for (const c of cases) {
    it(`${c.rule}: the dry run prints the code action's change as a diff; --write writes its files, and lint no longer finds ${c.rule} in the file`, async () => {
      await write({ 'm/000001_init.up.sql': INIT, [DOCUMENT]: c.sql });
      const expected = await codeActionFiles(c.rule, c.sql);
      // The point of --rule: the editor does not mark this fix preferred, so a plain `lockstep fix` never applies it.
      expect(expected.preferred).toBe(false);
      const plain = await lockstep(['fix', DOCUMENT], root);
      expect(plain.stdout).not.toContain('+++ b/m/000003');
      expect(plain.stderr).not.toContain('fixed by recipe');

      const dry = await lockstep(['fix', '--rule', c.rule, DOCUMENT], root);
      expect(dry.code).toBe(0);
      expect(dry.stderr).toContain(`lockstep: ${DOCUMENT}:1:`);
      expect(dry.stderr).toContain(`: ${c.rule} fixed by recipe ${c.recipe}: ${expected.title}\n`);
      const created = [...expected.files.keys()].filter((p) => p !== DOCUMENT);
      expect(created.length).toBeGreaterThan(0);
      expect(dry.stdout).toContain(`--- a/${DOCUMENT}\n+++ b/${DOCUMENT}\n`);
      for (const path of created) {
        // A new file's diff is all additions: its text, line by line.
        const added = expected.files.get(path)!.replace(/\n$/, '').split('\n').map((l) => `+${l}\n`).join('');
        expect(dry.stdout).toContain(`--- /dev/null\n+++ b/${path}\n@@ -0,0 +1`);
        expect(dry.stdout).toContain(added);
      }
      expect(dry.stderr).toContain(`lockstep: 1 fix: 1 file(s) changed, ${created.length} new (dry run; --write applies them)`);
      expect(await readFile(join(root, DOCUMENT), 'utf8')).toBe(c.sql);
      expect(await sqlFilesUnder(join(root, 'm'))).toEqual(['m/000001_init.up.sql', DOCUMENT]);

      const run = await lockstep(['fix', '--write', '--rule', c.rule, DOCUMENT], root);
      expect(run.code).toBe(0);
      expect(await sqlFilesUnder(join(root, 'm'))).toEqual(['m/000001_init.up.sql', ...expected.files.keys()].sort());
      for (const [path, text] of expected.files) expect(await readFile(join(root, path), 'utf8'), path).toBe(text);

      const lint = await lockstep(['lint', '--format', 'json', 'm'], root);
      const files = (JSON.parse(lint.stdout) as { files: Array<{ path: string; findings: Array<{ rule: string }> }> }).files;
      const flagged = files.filter((f) => f.findings.some((x) => x.rule === c.rule)).map((f) => f.path);
      expect(flagged).not.toContain(DOCUMENT);
      // The drop itself still happens, in its own migration deployed after the release that stops using the
      // column or table; that migration carries an ignore comment saying so, so lint reports it nowhere.
      if (c.laterDrop) expect(created.some((p) => /_drop_/.test(p))).toBe(true);
      expect(flagged).toEqual([]);
    }, 60_000);
  }

  it('--fix <recipe> chooses by recipe; only chosen findings are fixed, and a refused chosen fix keeps its note', async () => {
    // The view on orgs.name blocks the rename's expand/contract; the drop of audit can move to a later release.
    await write({
      'm/000001_init.up.sql': `${INIT}CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);\nCREATE VIEW org_names AS SELECT id, name FROM orgs;\n`,
      [DOCUMENT]: 'ALTER TABLE orgs RENAME COLUMN name TO title;\nDROP TABLE audit;\nCREATE INDEX users_email_idx ON users (email);\n',
    });
    const run = await lockstep(['fix', '--fix', 'drop-in-later-release', '--fix', 'expand-contract', DOCUMENT], root);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^lockstep: m\/000002_change\.up\.sql:2:1: drop-table fixed by recipe drop-in-later-release: Drop audit in a later release/m);
    expect(run.stderr).toMatch(/^lockstep: m\/000002_change\.up\.sql:1:\d+: rename-column not fixed: Lockstep refuses to rename name to title .*view public\.org_names/m);
    // Neither the preferred CREATE INDEX CONCURRENTLY fix nor a lock_timeout SET in the document: not chosen.
    expect(run.stdout).not.toContain('CONCURRENTLY');
    const documentDiff = run.stdout.slice(0, run.stdout.indexOf('--- /dev/null'));
    expect(documentDiff).toMatch(/^-DROP TABLE audit;$/m);
    expect(documentDiff).not.toMatch(/^\+SET/m);
    expect(run.stderr).not.toContain('create-index-nonconcurrent');
    expect(run.stderr).toContain('lockstep: 1 fix: 1 file(s) changed, 2 new (dry run; --write applies them)');
  }, 30_000);

  it('an unknown rule or recipe is a usage error that says what exists', async () => {
    await write({ [DOCUMENT]: 'DROP TABLE audit;\n' });
    const rule = await lockstep(['fix', '--rule', 'drop-tabel', DOCUMENT], root);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toContain("--rule: no rule 'drop-tabel'");
    const recipe = await lockstep(['fix', '--fix', 'drop-later', DOCUMENT], root);
    expect(recipe.code).toBe(2);
    expect(recipe.stderr).toMatch(/--fix: no recipe 'drop-later'; the recipes are .*drop-in-later-release/);
  }, 30_000);
});
