// Limits that keep the editor responsive, over the real protocol: a document above maxDocumentBytes is analyzed
// only up to a whole statement within the limit and says so at 0:0; a flood of findings is capped; a burst of
// edits to a big document costs one analysis; and the server keeps answering while all this happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from './lsp-client';

async function open(client: LspClient, uri: string, text: string, version = 1): Promise<void> {
  await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'sql', version, text },
  });
}

async function replace(client: LspClient, uri: string, version: number, text: string): Promise<void> {
  await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version },
    contentChanges: [{ text }],
  });
}

async function close(client: LspClient, uri: string): Promise<void> {
  await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
}

/** Like LspClient.diagnosticsNumber, with room for a slow shared machine (analysis of 100 KB, not 10 MB). */
function publishNumber(client: LspClient, uri: string, n: number) {
  return client.waitFor(`publishDiagnostics #${n} for ${uri}`, () => client.publishedFor(uri)[n], 20_000);
}

function byCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

const origin = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** 32 bytes each, one per line; a CREATE INDEX on an existing table is a finding on its line. */
const filler = 'ALTER TABLE t ADD COLUMN c int;\n';
const lateIndex = 'CREATE INDEX late_idx ON users (email);\n';

describe('document size limit (maxDocumentBytes: 3200)', () => {
  let client: LspClient;

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0, maxDocumentBytes: 3200 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('analyzes up to the last whole statement within the limit, says so at 0:0, and lifts it when the file shrinks', async () => {
    const uri = 'file:///project/migrations/100_big.sql';
    const early = 'CREATE INDEX early_idx ON users (name);\n';
    // 40 + 150 × 32 + 40 = 4,880 bytes: line 1 and the early index are within the limit, line 152 is not.
    const text = early + filler.repeat(150) + lateIndex;
    await open(client, uri, text);
    const { diagnostics, version } = await client.diagnosticsNumber(uri, 0);
    expect(version).toBe(1);

    const [tooLarge, ...others] = byCode(diagnostics, 'document-too-large');
    expect(others).toEqual([]);
    // (3200 − 40) / 32 = 98.75: 98 fillers are whole; the 99th crosses the limit. Last analyzed line: 1 + 98.
    expect(tooLarge).toMatchObject({ range: origin, severity: 2, source: 'lockstep', data: { totalBytes: 4880, lastAnalyzedLine: 99 } });
    expect(tooLarge!.message).toMatch(/4\.9 KB|5 KB/);
    expect(tooLarge!.message).toContain('up to line 99');
    expect(tooLarge!.message).toContain('lockstep.maxDocumentBytes');
    expect(tooLarge!.codeDescription?.href).toMatch(/\/docs\/performance\.md#document-size-limit$/);

    const indexLines = byCode(diagnostics, 'create-index-nonconcurrent').map((d) => d.range.start.line);
    expect(indexLines).toEqual([0]); // the index past the limit (line 151) is not analyzed
    expect(diagnostics.every((d) => d.range.start.line <= 98)).toBe(true);

    // Deleting 60 filler lines brings the file to 2,960 bytes: all of it is analyzed again.
    const smaller = early + filler.repeat(90) + lateIndex;
    await replace(client, uri, 2, smaller);
    const after = await client.diagnosticsNumber(uri, 1);
    expect(after.version).toBe(2);
    expect(byCode(after.diagnostics, 'document-too-large')).toEqual([]);
    expect(byCode(after.diagnostics, 'create-index-nonconcurrent').map((d) => d.range.start.line)).toEqual([0, 91]);
    await close(client, uri);
  });

  it('says nothing was analyzed when the first statement alone is over the limit', async () => {
    const uri = 'file:///project/migrations/101_one_huge_statement.sql';
    const text = `INSERT INTO t (a) VALUES ${"('x'), ".repeat(1000)}('y');\n${lateIndex}`;
    await open(client, uri, text);
    const { diagnostics } = await client.diagnosticsNumber(uri, 0);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'document-too-large', range: origin, data: { lastAnalyzedLine: 0 } });
    expect(diagnostics[0]!.message).toContain('did not analyze it');
    await close(client, uri);
  });

  it('re-analyzes open documents when the lockstep.maxDocumentBytes setting is raised', async () => {
    const uri = 'file:///project/migrations/102_setting.sql';
    await open(client, uri, filler.repeat(150) + lateIndex);
    const first = await client.diagnosticsNumber(uri, 0);
    expect(byCode(first.diagnostics, 'document-too-large')).toHaveLength(1);

    await client.changeConfiguration({ lockstep: { maxDocumentBytes: 100_000 } });
    const second = await client.diagnosticsNumber(uri, 1);
    expect(second.version).toBe(1);
    expect(byCode(second.diagnostics, 'document-too-large')).toEqual([]);
    expect(byCode(second.diagnostics, 'create-index-nonconcurrent').map((d) => d.range.start.line)).toEqual([150]);

    // An invalid value is refused with a message and changes nothing.
    const published = client.publishedFor(uri).length;
    await client.changeConfiguration({ lockstep: { maxDocumentBytes: 'lots' } });
    await client.waitFor('a warning about maxDocumentBytes', () => client.logMessages.find((m) => m.includes('lockstep.maxDocumentBytes')));
    await new Promise((r) => setTimeout(r, 200));
    expect(client.publishedFor(uri)).toHaveLength(published);
    await close(client, uri);
  });
});

describe('a 10 MB file (maxDocumentBytes: 100 KB)', () => {
  let client: LspClient;

  beforeAll(async () => {
    // A small limit keeps this test about the limit, not about how fast the core analyzes its share.
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0, maxDocumentBytes: 100_000 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('is opened in degraded mode, costing about what its first 100 KB cost, and the server keeps answering', async () => {
    const uri = 'file:///project/migrations/200_ten_megabytes.sql';
    const statements: string[] = [];
    for (let i = 0, size = 0; size < 10_000_000; i++) {
      // One table per pair: many indexes on one table are slow in the core today (test/fuzz/regressions).
      const statement = `ALTER TABLE orders_${i} ADD COLUMN note text; CREATE INDEX orders_${i}_note_idx ON orders_${i} (note); `;
      statements.push(statement);
      size += statement.length;
    }
    const text = statements.join('');
    const started = performance.now();
    await open(client, uri, text);
    const { diagnostics } = await publishNumber(client, uri, 0);
    const openMs = performance.now() - started;
    const [tooLarge] = byCode(diagnostics, 'document-too-large');
    expect(tooLarge).toMatchObject({ range: origin, data: { lastAnalyzedLine: 1, maxDocumentBytes: 100_000 } });
    expect(tooLarge!.message).toContain('10 MB');
    // Analyzing all 10 MB takes minutes; the first 100 KB (~1,000 statements) well under a few seconds.
    expect(openMs).toBeLessThan(10_000);
    const indexFindings = byCode(diagnostics, 'create-index-nonconcurrent');
    expect(indexFindings.length).toBeGreaterThan(100);
    expect(indexFindings.every((d) => d.range.end.character <= 100_000)).toBe(true);

    const hoverStarted = performance.now();
    const hover = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 5 } });
    // Any answer (a hover, null or an error response) shows the server is not stuck on the big document.
    await hover.then(() => undefined, () => undefined);
    expect(performance.now() - hoverStarted).toBeLessThan(1000);
    await close(client, uri);
  }, 60_000);

  it('caps thousands of findings at 1,000 and says how many were left out', async () => {
    const uri = 'file:///project/migrations/201_many_findings.sql';
    // 2,500 × ~30 bytes: under the 100 KB limit, so every statement is analyzed and reported on.
    const text = Array.from({ length: 2500 }, (_, i) => `CREATE INDEX i_${i} ON u_${i} (e);`).join('\n');
    await open(client, uri, text);
    const { diagnostics } = await publishNumber(client, uri, 0);
    const [note, ...others] = byCode(diagnostics, 'too-many-findings');
    expect(others).toEqual([]);
    expect(note).toMatchObject({ range: origin, severity: 3 });
    expect(byCode(diagnostics, 'document-too-large')).toEqual([]);
    expect(note!.message).toMatch(/found \d{4} problems in this file and shows the first 1000/);
    expect(diagnostics).toHaveLength(1001);
    await close(client, uri);
  }, 60_000);
});

describe('default settings', () => {
  let client: LspClient;

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('keeps a half-megabyte PostgreSQL error message out of the diagnostic', async () => {
    const uri = 'file:///project/migrations/202_unterminated.sql';
    const text = `CREATE INDEX ON users (a);\nSELECT 'never closed ${'x'.repeat(500_000)}\n`;
    await open(client, uri, text);
    const { diagnostics } = await publishNumber(client, uri, 0);
    const [syntax] = byCode(diagnostics, 'syntax-error');
    expect(syntax).toBeDefined();
    expect((syntax!.message as string).length).toBeLessThanOrEqual(1000);
    expect(JSON.stringify(diagnostics).length).toBeLessThan(20_000);
    await close(client, uri);
  }, 30_000);
});

describe('debouncing a big document', () => {
  let client: LspClient;

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 300, maxDocumentBytes: 100_000 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('analyzes a burst of edits to a 2 MB document once, for the latest version', async () => {
    const uri = 'file:///project/migrations/300_burst.sql';
    const base = filler.repeat(62_500); // 2 MB
    await open(client, uri, base);
    expect((await publishNumber(client, uri, 0)).version).toBe(1);
    for (let version = 2; version <= 6; version++) {
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `-- edit ${version}\n` }],
      });
    }
    const next = await publishNumber(client, uri, 1);
    expect(next.version).toBe(6);
    await new Promise((r) => setTimeout(r, 600));
    expect(client.publishedFor(uri).map((p) => p.version)).toEqual([1, 6]);
    await close(client, uri);
  }, 60_000);
});
