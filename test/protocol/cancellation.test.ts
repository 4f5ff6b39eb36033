// Long analyses leave the server responsive and are abandoned when stale, over the real protocol: while a
// 5,000-statement version is analyzed (in slices), a hover is answered, and a newer didChange aborts that
// analysis, whose diagnostics are then never published; the last version's are. Ordering only, no durations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  type Hover,
} from 'vscode-languageserver-protocol/node';
import { generateMigration } from '../../bench/generate-migration';
import { LspClient } from './lsp-client';

describe('a long analysis of a 5,000-statement document', () => {
  let client: LspClient;

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('answers a hover meanwhile, is aborted by the next change, and only the last version is published', async () => {
    const uri = 'file:///project/migrations/300_long.sql';
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text: 'SELECT 1;\n' },
    });
    expect((await client.diagnosticsNumber(uri, 0)).version).toBe(1);

    const big = generateMigration(5000, 7).text;
    const edited = `${big}\nCREATE INDEX after_all_idx ON users (email);\n`;
    const at = { line: 0, character: 3 };
    // Sent back to back: the server receives all three while version 2 is (cold) analyzed.
    void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: big }],
    });
    const hover = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at }).then((h: Hover | null) => ({
      hover: h,
      publishedBefore: client.publishedFor(uri).length,
    }));
    void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ text: edited }],
    });

    const answered = await hover;
    // Answered before any diagnostics of the big document: the analysis of version 2 did not block it.
    expect(answered.publishedBefore).toBe(1);
    // Nothing was known of version 2 yet, so nothing about it was claimed.
    expect(answered.hover).toBeNull();

    const last = await client.waitFor(`publishDiagnostics for version 3 of ${uri}`, () => client.publishedFor(uri).find((p) => p.version === 3), 60_000);
    // Version 2 was abandoned when version 3 arrived: its diagnostics never reached the client.
    expect(client.publishedFor(uri).map((p) => p.version)).toEqual([1, 3]);
    const lastLine = edited.split('\n').length - 2;
    expect(last.diagnostics.some((d) => d.code === 'create-index-nonconcurrent' && d.range.start.line === lastLine)).toBe(true);

    // Once done, hover describes the document again.
    const after = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at });
    expect(after).not.toBeNull();
  }, 90_000);
});
