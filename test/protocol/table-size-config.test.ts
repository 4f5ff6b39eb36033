// Table sizes reach the editor: a changed `tables` in lockstep.json, or a changed statsFile (`lockstep stats`
// output), changes the severity of a size-scaled finding in an open document without the document being edited.
// Runs `lockstep lsp --stdio` from the build, as an editor would.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  FileChangeType,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from './lsp-client';

const RULE = 'create-index-nonconcurrent';

describe('table sizes from lockstep.json and the statsFile reach the language server', () => {
  let root: string;
  let client: LspClient;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lockstep-sizes-'));
    ({ client } = await LspClient.start({
      initializationOptions: { diagnosticsDelayMs: 0 },
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    }));
  }, 30_000);

  afterAll(async () => {
    client?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function open(folder: string): Promise<string> {
    const path = join(root, folder, 'db', '001_index.sql');
    await mkdir(join(root, folder, 'db'), { recursive: true });
    const text = 'CREATE INDEX orders_status_idx ON orders (status);\n';
    await writeFile(path, text);
    const uri = pathToFileURL(path).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text } });
    return uri;
  }

  async function changed(path: string): Promise<void> {
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: pathToFileURL(path).href, type: FileChangeType.Changed }],
    });
  }

  const finding = (diagnostics: Diagnostic[]) => diagnostics.find((d) => d.code === RULE);

  it('re-analyzes open files with the new severity when lockstep.json "tables" changes', async () => {
    const config = join(root, 'tables', 'lockstep.json');
    await mkdir(join(root, 'tables'), { recursive: true });
    await writeFile(config, JSON.stringify({ tables: { orders: { rows: 200 } } }));
    const uri = await open('tables');
    const first = finding((await client.diagnosticsNumber(uri, 0)).diagnostics);
    expect(first?.severity).toBe(DiagnosticSeverity.Information);
    expect(first?.message).toContain('public.orders has about 200 rows');

    await writeFile(config, JSON.stringify({ tables: { orders: { rows: 50_000_000 } } }));
    await changed(config);
    const second = finding((await client.diagnosticsNumber(uri, 1)).diagnostics);
    expect(second?.severity).toBe(DiagnosticSeverity.Error);
    expect(second?.message).toContain('public.orders has about 50,000,000 rows');
  });

  it('re-analyzes open files when the statsFile changes (lockstep stats run again)', async () => {
    const stats = join(root, 'stats', 'lockstep-stats.json');
    await mkdir(join(root, 'stats'), { recursive: true });
    await writeFile(join(root, 'stats', 'lockstep.json'), JSON.stringify({ statsFile: 'lockstep-stats.json' }));
    await writeFile(stats, JSON.stringify({ tables: { 'public.orders': { rows: 50_000, bytes: 1 } }, collectedAt: '2026-11-22T00:00:00Z', server: '17.2' }));
    const uri = await open('stats');
    expect(finding((await client.diagnosticsNumber(uri, 0)).diagnostics)?.severity).toBe(DiagnosticSeverity.Warning);
    // The server asks to be told of changes to the statsFiles it read, whatever their names.
    await client.waitFor('a watcher for the statsFile', () => (client.registrations.includes('workspace/didChangeWatchedFiles') ? true : undefined));

    await writeFile(stats, JSON.stringify({ tables: { 'public.orders': { rows: 3_000_000, bytes: 1 } } }));
    await changed(stats);
    const after = finding((await client.diagnosticsNumber(uri, 1)).diagnostics);
    expect(after?.severity).toBe(DiagnosticSeverity.Error);
    expect(after?.message).toContain('public.orders has about 3,000,000 rows');
  });
});
