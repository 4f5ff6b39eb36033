// Code actions over the protocol: the bundled server (`node bin/lockstep.js lsp --stdio`) asked for code actions
// on a real migration folder, and the returned edits applied to the document text the way an editor applies them.
// Also: fixes Lockstep refuses (disabled actions with the reason) and sqitch changes with their sqitch.plan line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionKind,
  CodeActionRequest,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ShowDocumentRequest,
  type ClientCapabilities,
  type CodeAction,
  type CreateFile,
  type Diagnostic,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from './lsp-client';

const SETUP = 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n';
const DOCUMENT = '-- Speed up login lookups\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN nickname text;\n';

/** Applies LSP edits (all against the same original text) the way an editor does. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const CREATE_CAPABILITIES: ClientCapabilities = {
  workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
  window: { showDocument: { support: true } },
};

describe('code actions over stdio', () => {
  let folder: string;
  let uri: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'lockstep-code-actions-'));
    writeFileSync(join(folder, '000001_init.up.sql'), SETUP);
    writeFileSync(join(folder, '000002_users_email.up.sql'), DOCUMENT);
    uri = pathToFileURL(join(folder, '000002_users_email.up.sql')).href;
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  async function session(capabilities: ClientCapabilities): Promise<{ client: LspClient; diagnostic: Diagnostic }> {
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 }, capabilities });
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text: DOCUMENT },
    });
    const published = await client.diagnosticsNumber(uri, 0);
    const diagnostic = published.diagnostics.find((d) => d.code === 'create-index-nonconcurrent');
    expect(diagnostic).toBeDefined();
    return { client, diagnostic: diagnostic! };
  }

  async function actionsFor(client: LspClient, diagnostic: Diagnostic, only?: string[]): Promise<CodeAction[]> {
    const result = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], ...(only ? { only } : {}) },
    });
    return (result ?? []) as CodeAction[];
  }

  it('announces quick fixes, source.fixAll.lockstep and the documentation command', async () => {
    const { client, initializeResult } = await LspClient.start({ capabilities: CREATE_CAPABILITIES });
    try {
      expect(initializeResult.capabilities.codeActionProvider).toEqual({
        codeActionKinds: [CodeActionKind.QuickFix, 'source.fixAll.lockstep'],
      });
      expect(initializeResult.capabilities.executeCommandProvider).toEqual({ commands: ['lockstep.showRuleDocumentation'] });
    } finally {
      client.dispose();
    }
  }, 20_000);

  it('creates the phase file with CreateFile + TextDocumentEdit when the client can, and rewrites the document', async () => {
    const { client, diagnostic } = await session(CREATE_CAPABILITIES);
    try {
      const actions = await actionsFor(client, diagnostic);
      const fix = actions.find((a) => a.title.startsWith('Build users_email_idx with CREATE INDEX CONCURRENTLY'))!;
      expect(fix).toMatchObject({ kind: CodeActionKind.QuickFix, isPreferred: true, diagnostics: [diagnostic] });
      const changes = fix.edit!.documentChanges! as Array<TextDocumentEdit | CreateFile>;
      const documentEdit = changes[0] as TextDocumentEdit;
      expect(documentEdit.textDocument).toEqual({ uri, version: 1 });
      // The ALTER TABLE on users depends on the index being built first, so it moves into a file after it.
      expect(applyEdits(DOCUMENT, documentEdit.edits as TextEdit[])).toBe(
        '-- Speed up login lookups\n-- Lockstep fix: build users_email_idx with CREATE INDEX CONCURRENTLY outside a transaction, in 000003_create_users_email_idx_concurrently.up.sql.\n',
      );
      const created = changes.filter((c): c is CreateFile => 'kind' in c && c.kind === 'create').map((c) => c.uri.slice(uri.lastIndexOf('/') + 1));
      expect(created).toEqual([
        '000003_create_users_email_idx_concurrently.up.sql',
        '000003_create_users_email_idx_concurrently.down.sql',
        '000004_create_users_email_idx_concurrently_rest.up.sql',
        '000004_create_users_email_idx_concurrently_rest.down.sql',
      ]);
      // Each CreateFile is followed by the edit that fills it.
      const phaseIndex = changes.findIndex((c) => 'kind' in c && c.uri.endsWith('000003_create_users_email_idx_concurrently.up.sql'));
      const fill = changes[phaseIndex + 1] as TextDocumentEdit;
      expect(fill.textDocument.uri).toBe((changes[phaseIndex] as CreateFile).uri);
      const phase = applyEdits('', fill.edits as TextEdit[]);
      expect(phase).toMatch(/^-- Lockstep fix for 000002_users_email\.up\.sql \(line 2\)/);
      expect(phase.endsWith('\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n')).toBe(true);
      const rest = applyEdits('', (changes[changes.findIndex((c) => 'kind' in c && c.uri.endsWith('_rest.up.sql')) + 1] as TextDocumentEdit).edits as TextEdit[]);
      expect(rest.endsWith('\nALTER TABLE users ADD COLUMN nickname text;\n')).toBe(true);

      // "Ignore" comments and the documentation command for the same diagnostic.
      const ignore = actions.find((a) => a.title === 'Ignore create-index-nonconcurrent for this statement')!;
      const ignoreEdit = (ignore.edit!.documentChanges![0] as TextDocumentEdit).edits as TextEdit[];
      expect(applyEdits(DOCUMENT, ignoreEdit)).toBe(
        '-- Speed up login lookups\n-- lockstep-ignore create-index-nonconcurrent: TODO say why this is safe\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN nickname text;\n',
      );
      const ignoreFile = actions.find((a) => a.title === 'Ignore create-index-nonconcurrent in this file')!;
      expect(applyEdits(DOCUMENT, (ignoreFile.edit!.documentChanges![0] as TextDocumentEdit).edits as TextEdit[])).toBe(
        `-- lockstep-ignore-file create-index-nonconcurrent: TODO say why this is safe\n${DOCUMENT}`,
      );
      const docs = actions.find((a) => a.title === 'Show documentation for create-index-nonconcurrent')!;
      expect(docs.command).toEqual({
        title: 'Show documentation for create-index-nonconcurrent',
        command: 'lockstep.showRuleDocumentation',
        arguments: ['create-index-nonconcurrent'],
      });
      const shown: string[] = [];
      client.connection.onRequest(ShowDocumentRequest.type, (params) => {
        shown.push(params.uri);
        return { success: true };
      });
      await client.connection.sendRequest(ExecuteCommandRequest.type, { command: docs.command!.command, arguments: docs.command!.arguments! });
      expect(shown).toHaveLength(1);
      expect(shown[0]).toMatch(/docs\/rules\/create-index-nonconcurrent\.md$/);
    } finally {
      client.dispose();
    }
  }, 20_000);

  it('falls back to the phases as comments when the client cannot create files', async () => {
    const { client, diagnostic } = await session({});
    try {
      const actions = await actionsFor(client, diagnostic);
      const fix = actions.find((a) => a.title.startsWith('Build users_email_idx'))!;
      expect(fix.title).toContain('(phases as comments: this editor cannot create files)');
      expect(fix.edit!.documentChanges).toBeUndefined();
      const edited = applyEdits(DOCUMENT, fix.edit!.changes![uri]!);
      expect(edited).toContain('-- Lockstep fix: this work must run as separate migrations, in this order, after this file.\n');
      expect(edited).toContain('--   CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n');
      // Nothing is lost: the statement after it stays, and the comment says it must move.
      expect(edited).toContain('\nALTER TABLE users ADD COLUMN nickname text;\n');
      expect(edited).not.toMatch(/^CREATE INDEX users_email_idx/m);
    } finally {
      client.dispose();
    }
  }, 20_000);

  it('source.fixAll.lockstep applies only what stays in the document, and only when asked for', async () => {
    const single = 'CREATE INDEX users_email_idx ON users (email);\n';
    const singleUri = pathToFileURL(join(folder, '000003_single.up.sql')).href;
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 }, capabilities: CREATE_CAPABILITIES });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: singleUri, languageId: 'sql', version: 1, text: single },
      });
      await client.diagnosticsNumber(singleUri, 0);
      const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const unasked = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: singleUri }, range, context: { diagnostics: [] } })) as CodeAction[];
      expect(unasked.some((a) => a.kind === 'source.fixAll.lockstep')).toBe(false);
      const [all] = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: singleUri },
        range,
        context: { diagnostics: [], only: ['source.fixAll'] },
      })) as CodeAction[];
      expect(all!.kind).toBe('source.fixAll.lockstep');
      // golang-migrate sends a one-statement file on its own: CONCURRENTLY can go right there.
      expect(applyEdits(single, (all!.edit!.documentChanges![0] as TextDocumentEdit).edits as TextEdit[])).toBe(
        '-- If it fails, PostgreSQL leaves an INVALID index users_email_idx behind: run DROP INDEX CONCURRENTLY IF EXISTS users_email_idx; before running this migration again (after `migrate force` to the previous version).\n' +
          'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n',
      );
    } finally {
      client.dispose();
    }
  }, 20_000);
});

describe('refused fixes and sqitch projects over stdio', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'lockstep-code-actions-more-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Writes the files, opens `document` (relative to the folder) and waits for the diagnostic of `rule`. */
  async function open(capabilities: ClientCapabilities, files: Record<string, string>, document: string, rule: string) {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), text);
    }
    const uri = pathToFileURL(join(folder, document)).href;
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 }, capabilities });
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text: files[document]! },
    });
    const published = await client.diagnosticsNumber(uri, 0);
    const diagnostic = published.diagnostics.find((d) => d.code === rule);
    expect(diagnostic, `a ${rule} diagnostic on ${document}`).toBeDefined();
    const actions = async () =>
      ((await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: diagnostic!.range,
        context: { diagnostics: [diagnostic!] },
      })) ?? []) as CodeAction[];
    return { client, uri, diagnostic: diagnostic!, actions };
  }

  const VIEW_PROJECT = {
    'view/000001_init.up.sql': 'CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL);\nCREATE VIEW org_names AS SELECT id, name FROM orgs;\n',
    'view/000002_rename.up.sql': 'ALTER TABLE orgs RENAME COLUMN name TO title;\n',
  };
  const DISABLED_CAPABILITIES: ClientCapabilities = { ...CREATE_CAPABILITIES, textDocument: { codeAction: { disabledSupport: true } } };

  it('a rename of a column a view reads: the expand/contract fix is a disabled action whose reason names the view', async () => {
    const { client, diagnostic, actions } = await open(DISABLED_CAPABILITIES, VIEW_PROJECT, 'view/000002_rename.up.sql', 'rename-column');
    try {
      const listed = await actions();
      const disabled = listed.filter((a) => a.disabled);
      expect(disabled).toHaveLength(1);
      expect(disabled[0]).toMatchObject({ kind: CodeActionKind.QuickFix, diagnostics: [diagnostic] });
      expect(disabled[0]!.title).toMatch(/^Rename name to title/);
      expect(disabled[0]!.disabled!.reason).toMatch(/view public\.org_names reads public\.orgs: a view keeps the column it was created with/);
      // Nothing to apply: no edit, no command; the "ignore" actions are still offered as usual.
      expect(disabled[0]!.edit).toBeUndefined();
      expect(disabled[0]!.command).toBeUndefined();
      expect(listed.some((a) => a.title === 'Ignore rename-column for this statement' && !a.disabled)).toBe(true);
    } finally {
      client.dispose();
    }
  }, 20_000);

  it('a client without codeAction.disabledSupport gets no refused fix at all (it would show an action that does nothing)', async () => {
    const { client, actions } = await open(CREATE_CAPABILITIES, VIEW_PROJECT, 'view/000002_rename.up.sql', 'rename-column');
    try {
      const listed = await actions();
      expect(listed.some((a) => a.disabled !== undefined)).toBe(false);
      expect(listed.some((a) => a.title.startsWith('Rename name to title'))).toBe(false);
      expect(listed.some((a) => a.title === 'Ignore rename-column for this statement')).toBe(true);
    } finally {
      client.dispose();
    }
  }, 20_000);

  const PLAN = '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T11:00:00Z Ann <ann@example.test>\nusers_score 2024-01-02T11:00:00Z Ann <ann@example.test>\n';
  const SQITCH_PROJECT = {
    'shop/sqitch.plan': PLAN,
    'shop/deploy/init.sql': 'BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCOMMIT;\n',
    'shop/deploy/users_score.sql': 'BEGIN;\nALTER TABLE users ADD COLUMN score int DEFAULT random();\nCOMMIT;\n',
  };

  it('sqitch: the phases become a change (deploy, revert, verify files) and a line appended to sqitch.plan', async () => {
    const { client, uri, actions } = await open(CREATE_CAPABILITIES, SQITCH_PROJECT, 'shop/deploy/users_score.sql', 'add-column-volatile-default');
    try {
      const fix = (await actions()).find((a) => a.title.startsWith('Add score without a rewrite'))!;
      expect(fix.title).not.toContain('phases as comments');
      const changes = fix.edit!.documentChanges! as Array<TextDocumentEdit | CreateFile>;
      expect((changes[0] as TextDocumentEdit).textDocument).toEqual({ uri, version: 1 });
      const shop = pathToFileURL(join(folder, 'shop')).href;
      const created = changes.filter((c): c is CreateFile => 'kind' in c && c.kind === 'create').map((c) => c.uri.slice(shop.length + 1));
      expect(created).toEqual(['deploy/backfill_users_score.sql', 'revert/backfill_users_score.sql', 'verify/backfill_users_score.sql']);
      const deployFill = changes[changes.findIndex((c) => 'kind' in c && c.uri.endsWith('/deploy/backfill_users_score.sql')) + 1] as TextDocumentEdit;
      expect(applyEdits('', deployFill.edits as TextEdit[])).toMatch(/UPDATE users SET score = random\(\)/);
      // The plan edit comes last, after the files it names exist; the plan is not open, so its version is null.
      const planEdit = changes[changes.length - 1] as TextDocumentEdit;
      expect(planEdit.textDocument).toEqual({ uri: `${shop}/sqitch.plan`, version: null });
      const plan = applyEdits(PLAN, planEdit.edits as TextEdit[]);
      expect(plan.startsWith(PLAN)).toBe(true);
      expect(plan.slice(PLAN.length)).toMatch(/^backfill_users_score \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Ann <ann@example\.test> # Lockstep: step 1 of 1 after users_score\n$/);
    } finally {
      client.dispose();
    }
  }, 20_000);
});
