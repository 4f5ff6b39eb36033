// End-to-end protocol tests: the bundled server (`node bin/lockstep.js lsp --stdio`, built by `npm test`)
// driven over JSON-RPC like an editor would. Positions in expectations are computed from the document text
// with JavaScript string offsets, which are UTF-16 code units — exactly what LSP requires.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DiagnosticSeverity,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeResult,
  type Position,
  type Range,
} from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from './lsp-client';

const docsBase = `${pathToFileURL(join(repoRoot, 'docs', 'rules')).href}/`;

/** Line/character (UTF-16) of the first occurrence of `needle` in `text`, optionally shifted by `delta` units. */
function positionOf(text: string, needle: string, delta = 0): Position {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`test bug: '${needle}' not in document`);
  return positionAt(text, offset + delta);
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Range from the start of `from` to just before the next ';' after it (statements exclude their semicolon). */
function statementRange(text: string, from: string): Range {
  const start = text.indexOf(from);
  return { start: positionAt(text, start), end: positionAt(text, text.indexOf(';', start)) };
}

function byCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

async function open(client: LspClient, uri: string, text: string, version = 1): Promise<void> {
  await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'sql', version, text },
  });
}

describe('language server over stdio', () => {
  let client: LspClient;
  let initializeResult: InitializeResult;

  beforeAll(async () => {
    ({ client, initializeResult } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('announces incremental document sync', () => {
    expect(initializeResult.capabilities.textDocumentSync).toMatchObject({
      openClose: true,
      change: TextDocumentSyncKind.Incremental,
    });
    expect(initializeResult.serverInfo?.name).toBe('lockstep');
  });

  it('reports CREATE INDEX on an existing table, follows incremental edits, and clears on close', async () => {
    const uri = 'file:///project/migrations/002_users_email.sql';
    const text = '-- Speed up login lookups\nCREATE INDEX users_email_idx ON users (email);\n';
    await open(client, uri, text);

    const first = await client.diagnosticsNumber(uri, 0);
    expect(first.version).toBe(1);
    // Filtered by rule: this test is about the protocol, and other rules may report on the same text.
    const found = byCode(first.diagnostics, 'create-index-nonconcurrent');
    expect(found).toHaveLength(1);
    const [d] = found;
    expect(d).toMatchObject({
      source: 'lockstep',
      code: 'create-index-nonconcurrent',
      severity: DiagnosticSeverity.Warning,
      codeDescription: { href: `${docsBase}create-index-nonconcurrent.md` },
      range: statementRange(text, 'CREATE INDEX'),
      // The finding's named values travel with the diagnostic (code actions read them back).
      data: { table: expect.stringContaining('users') },
    });
    expect(d!.message).toContain('users');

    // Edit 1 (version 2): prepend a new table with its own index. The new table's index is exempt (the table
    // is empty), and the users finding must move down three lines.
    const prefix = 'CREATE TABLE audit_log (id bigint, at timestamptz);\nCREATE INDEX ON audit_log (at);\n\n';
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: prefix }],
    });
    const second = await client.diagnosticsNumber(uri, 1);
    const text2 = prefix + text;
    expect(second.version).toBe(2);
    expect(byCode(second.diagnostics, 'create-index-nonconcurrent').map((x) => x.range)).toEqual([
      statementRange(text2, 'CREATE INDEX users_email_idx'),
    ]);

    // Edit 2 (version 3): insert CONCURRENTLY into the users index, in the middle of its line.
    const at = positionOf(text2, 'CREATE INDEX users_email_idx', 'CREATE INDEX'.length);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: at, end: at }, text: ' CONCURRENTLY' }],
    });
    const third = await client.diagnosticsNumber(uri, 2);
    expect(third.version).toBe(3);
    expect(byCode(third.diagnostics, 'create-index-nonconcurrent')).toEqual([]);

    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    const closed = await client.diagnosticsNumber(uri, 3);
    expect(closed.diagnostics).toEqual([]);
  });

  it('puts a syntax error at the exact token and still reports the statements after it', async () => {
    const uri = 'file:///project/migrations/003_broken.sql';
    const text = [
      'ALTER TABLE accounts ADD COLUMN nickname text;',
      "ALTER TABLE accounts ADD COLUMN email text DEFALT 'x';",
      'CREATE INDEX accounts_email_idx ON accounts (email);',
      '',
    ].join('\n');
    await open(client, uri, text);
    const { diagnostics } = await client.diagnosticsNumber(uri, 0);

    const syntax = byCode(diagnostics, 'syntax-error');
    expect(syntax).toHaveLength(1);
    expect(syntax[0]).toMatchObject({
      severity: DiagnosticSeverity.Error,
      source: 'lockstep',
      codeDescription: { href: `${docsBase}syntax-error.md` },
      range: { start: positionOf(text, 'DEFALT'), end: positionOf(text, 'DEFALT', 'DEFALT'.length) },
    });
    expect(syntax[0]!.message).toContain('DEFALT');

    expect(byCode(diagnostics, 'create-index-nonconcurrent').map((x) => x.range)).toEqual([
      statementRange(text, 'CREATE INDEX accounts_email_idx'),
    ]);
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('gives UTF-16 ranges after emoji, accents and astral characters', async () => {
    const uri = 'file:///project/migrations/004_unicode.sql';
    // 🐘 and 👍🏽 are two UTF-16 units each (four UTF-8 bytes); é and ü are one unit (two bytes). A server that
    // counted bytes or code points would put every range below off by several characters.
    const text = [
      '-- Größere Tabelle für Café-Kunden 🐘👍🏽',
      "/* ünïcödé 🐘 */ CREATE INDEX idx_kunden_name ON \"kündé\" (name) WHERE note <> '🐘';",
      "SELECT '😀😀' FROM WHERE;",
      '',
    ].join('\n');
    await open(client, uri, text);
    const { diagnostics } = await client.diagnosticsNumber(uri, 0);

    const index = byCode(diagnostics, 'create-index-nonconcurrent');
    expect(index.map((x) => x.range)).toEqual([statementRange(text, 'CREATE INDEX idx_kunden_name')]);
    // The name survives the trip through the parser's UTF-8 (however the core chooses to quote it).
    expect(String(index[0]!.data?.table)).toContain('kündé');

    // PostgreSQL reports this error position in code points; the server must convert it.
    const syntax = byCode(diagnostics, 'syntax-error');
    expect(syntax.map((x) => x.range.start)).toEqual([positionOf(text, 'WHERE;')]);
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('takes pgVersion from pushed settings when the client does not support workspace/configuration', async () => {
    const uri = 'file:///project/migrations/007_push.sql';
    await open(client, uri, 'CREATE INDEX ON invoices (due);\n');
    await client.diagnosticsNumber(uri, 0);
    await client.changeConfiguration({ lockstep: { pgVersion: 14 } });
    // A changed pgVersion re-analyzes open documents: same version, published again.
    expect((await client.diagnosticsNumber(uri, 1)).version).toBe(1);
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('shuts down and exits with code 0 when asked', async () => {
    const { client: other } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } });
    try {
      expect(await other.stop()).toBe(0);
    } finally {
      other.dispose();
    }
  }, 20_000);
});

describe('language server debouncing', () => {
  let client: LspClient;

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 300 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('analyzes a burst of changes once, for the latest version only', async () => {
    const uri = 'file:///project/migrations/005_typing.sql';
    await open(client, uri, 'SELECT 1;\n');
    expect((await client.diagnosticsNumber(uri, 0)).version).toBe(1);

    // Three edits well inside the 300 ms window: only version 4 may be published.
    for (const [version, table] of [[2, 'a'], [3, 'ab'], [4, 'abc']] as const) {
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ text: `CREATE INDEX ON ${table} (id);\n` }],
      });
    }
    const next = await client.diagnosticsNumber(uri, 1);
    expect(next.version).toBe(4);
    expect(byCode(next.diagnostics, 'create-index-nonconcurrent').map((d) => d.data)).toEqual([
      expect.objectContaining({ table: expect.stringMatching(/\babc$/) }),
    ]);
    // Give a wrongly scheduled analysis of version 2 or 3 time to show up.
    await new Promise((r) => setTimeout(r, 500));
    expect(client.publishedFor(uri).map((p) => p.version)).toEqual([1, 4]);
  });
});

describe('language server settings', () => {
  let client: LspClient;
  // Starts at the default (17) so the initial pull changes nothing and re-analyzes nothing.
  let pgVersionSetting: unknown = 17;

  beforeAll(async () => {
    ({ client } = await LspClient.start({
      initializationOptions: { diagnosticsDelayMs: 0, docsBaseUrl: 'https://lockstep.example/docs/rules' },
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
      configuration: (section) => (section === 'lockstep' ? { pgVersion: pgVersionSetting } : null),
    }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('uses docsBaseUrl from initializationOptions for rule links', async () => {
    const uri = 'file:///project/migrations/006_docs.sql';
    await open(client, uri, 'CREATE INDEX ON orders (customer_id);\n');
    const { diagnostics } = await client.diagnosticsNumber(uri, 0);
    expect(byCode(diagnostics, 'create-index-nonconcurrent').map((d) => d.codeDescription?.href)).toEqual([
      'https://lockstep.example/docs/rules/create-index-nonconcurrent.md',
    ]);
  });

  it('pulls lockstep settings from the client and re-analyzes open documents when pgVersion changes', async () => {
    expect(client.registrations).toContain('workspace/didChangeConfiguration');
    await client.waitFor('the initial settings pull', () => (client.configurationRequests.length > 0 ? true : undefined));
    const uri = 'file:///project/migrations/006_docs.sql';
    const before = client.publishedFor(uri).length;

    pgVersionSetting = 15;
    await client.changeConfiguration(null);
    const republished = await client.diagnosticsNumber(uri, before);
    expect(republished.version).toBe(1);

    // An unsupported version is refused with a message, and nothing is re-analyzed.
    pgVersionSetting = 9;
    await client.changeConfiguration(null);
    await client.waitFor('a warning about pgVersion 9', () =>
      client.logMessages.find((m) => m.includes('lockstep.pgVersion') && m.includes('9')),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(client.publishedFor(uri)).toHaveLength(before + 1);
  });
});
