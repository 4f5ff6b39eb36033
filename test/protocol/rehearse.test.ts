// `lockstep/rehearse` over the protocol: the bundled server (`node bin/lockstep.js lsp --stdio`) rehearses a real
// migration folder on an embedded PostgreSQL, reports work-done progress, answers with the JSON report, and on
// `$/cancelRequest` stops the running statement and the server it started.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancellationTokenSource,
  CodeLensRequest,
  DidOpenTextDocumentNotification,
  InlayHintRequest,
  ResponseError,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
} from 'vscode-languageserver-protocol/node';
import { REHEARSE_METHOD, type RehearseParams, type RehearseProgressReport, type RehearseResult } from '../../server/src/lsp/rehearse-protocol';
import { LspClient } from './lsp-client';

const SETUP = 'CREATE TABLE orders (id bigint PRIMARY KEY, note text NOT NULL);\n';
const MIGRATION = '-- widen the note\nALTER TABLE orders ALTER COLUMN note TYPE varchar(500);\nCREATE INDEX orders_note_idx ON orders (note);\n';
// Seeding a million rows for it is what the cancel interrupts: a running INSERT on a backend of the embedded server.
const SLOW = 'UPDATE orders SET note = md5(note || id::text) WHERE id > 0;\n';

type ProgressValue = WorkDoneProgressBegin | RehearseProgressReport | WorkDoneProgressEnd;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls: LspClient.waitFor re-checks only on diagnostics and log messages, not on `$/progress`. */
async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('lockstep/rehearse over stdio', () => {
  let folder: string;
  let uri: string;
  let slowUri: string;
  const clients: LspClient[] = [];

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-'));
    writeFileSync(join(folder, '000001_init.up.sql'), SETUP);
    writeFileSync(join(folder, '000002_widen_note.up.sql'), MIGRATION);
    writeFileSync(join(folder, '000003_rewrite_notes.up.sql'), SLOW);
    uri = pathToFileURL(join(folder, '000002_widen_note.up.sql')).href;
    slowUri = pathToFileURL(join(folder, '000003_rewrite_notes.up.sql')).href;
  });
  afterAll(() => {
    for (const client of clients) client.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  async function start(initializationOptions: Record<string, unknown> = { diagnosticsDelayMs: 0 }): Promise<LspClient> {
    const { client } = await LspClient.start({ initializationOptions, capabilities: { window: { workDoneProgress: true } } });
    clients.push(client);
    return client;
  }

  function collectProgress(client: LspClient, token: string): ProgressValue[] {
    const values: ProgressValue[] = [];
    client.connection.onProgress(WorkDoneProgress.type, token, (value) => {
      values.push(value as ProgressValue);
    });
    return values;
  }

  it('reports progress and answers with the report, its markdown and the statement ranges', async () => {
    const client = await start();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text: MIGRATION } });
    await client.diagnosticsNumber(uri, 0);
    const progress = collectProgress(client, 'rehearse-1');
    const params: RehearseParams = { uri, sizes: [1000, 4000], rows: { orders: 1_000_000 }, repeat: 1, workDoneToken: 'rehearse-1' };
    const result = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, params);

    expect(result.report.status, JSON.stringify(result.report.error)).toBe('completed');
    expect(result.report.version).toBe(1);
    expect(result.report.file).toMatch(/000002_widen_note\.up\.sql$/);
    expect(result.report.replayed).toHaveLength(1);
    expect(result.report.sizes).toEqual([1000, 4000]);
    expect(result.report.statements.map((s) => s.kind)).toHaveLength(2);
    const alter = result.report.statements[0]!;
    expect(alter.samples.map((s) => s.rows)).toEqual([1000, 4000]);
    expect(alter.samples[0]!.rewrite).toBe(true);
    expect(alter.samples[0]!.locks.some((l) => l.table === 'public.orders' && l.mode === 'AccessExclusiveLock')).toBe(true);
    expect(alter.estimate?.rows).toBe(1_000_000);
    expect(result.markdown).toContain('### Lockstep rehearsal');
    expect(result.markdown).toContain('AccessExclusive');
    // The document was open and analyzed: each statement comes with its range (line 2 is the ALTER, 0-based 1).
    expect(result.ranges.map((r) => r?.range.start.line)).toEqual([1, 2]);

    expect(progress[0]).toMatchObject({ kind: 'begin', cancellable: true });
    expect(progress.at(-1)).toMatchObject({ kind: 'end' });
    const reports = progress.filter((p): p is RehearseProgressReport => p.kind === 'report');
    const phases = new Set(reports.map((r) => r.phase));
    for (const phase of ['server', 'replay', 'seed', 'run']) expect(phases, [...phases].join(', ')).toContain(phase);
    expect(reports.some((r) => r.phase === 'seed' && r.size === 4000)).toBe(true);
    expect(reports.some((r) => r.phase === 'run' && r.statement === 1)).toBe(true);
    const pid = reports.find((r) => r.pid !== undefined)?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid!), 'the embedded postmaster is gone once the request answered').toBe(false);
    await client.stop();
  }, 120_000);

  it('on cancel stops the running statement and the embedded server, and answers with the partial report', async () => {
    const client = await start();
    const progress = collectProgress(client, 'rehearse-2');
    const cancel = new CancellationTokenSource();
    const params: RehearseParams = { uri: slowUri, sizes: [1_000_000], repeat: 1, budgetMs: 600_000, workDoneToken: 'rehearse-2' };
    const pending = client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, params, cancel.token);
    // Cancel while the rows are being seeded: the abort must reach a query running on a backend, not a pause between steps.
    await until('the seed phase', () => progress.some((p) => p.kind === 'report' && p.phase === 'seed' && p.size !== undefined), 90_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pid = progress.flatMap((p) => (p.kind === 'report' && p.pid !== undefined ? [p.pid] : []))[0];
    expect(pid, 'the server progress report names the postmaster').toBeGreaterThan(0);
    expect(isRunning(pid!)).toBe(true);
    const cancelledAt = performance.now();
    cancel.cancel();
    const result = await pending;
    expect(result.report.status).toBe('cancelled');
    expect(performance.now() - cancelledAt, 'cancel does not wait for seeding to finish').toBeLessThan(20_000);
    expect(progress.some((p) => p.kind === 'report' && p.phase === 'run'), 'the migration never ran').toBe(false);
    expect(isRunning(pid!), 'no postgres process is left').toBe(false);
    expect(progress.at(-1)).toMatchObject({ kind: 'end', message: 'cancelled' });
    await client.stop();
  }, 150_000);

  it('refuses to rehearse in an untrusted workspace, and says why', async () => {
    const client = await start({ diagnosticsDelayMs: 0, workspaceTrusted: false });
    const error = await client.connection.sendRequest(REHEARSE_METHOD, { uri }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError<unknown>).message).toMatch(/untrusted workspace/);
    await client.stop();
  });

  it('keeps the password of a --url out of every message', async () => {
    const client = await start();
    const url = 'postgres://someone:s3cr%21t@127.0.0.1:1/nowhere';
    const result = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, { uri, url, sizes: [1000] });
    expect(result.report.status).toBe('failed');
    const everything = JSON.stringify(result) + client.stderr + client.logMessages.join('\n');
    expect(everything).not.toContain('s3cr');
    await client.stop();
  });

  it('puts a "— Rehearse" CodeLens with the inlay hint\'s label above each risky statement, for a client with the command', async () => {
    const { client, initializeResult } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0, rehearseCommand: 'lockstep.rehearseMigration' } });
    clients.push(client);
    expect(initializeResult.capabilities.codeLensProvider).toBeDefined();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text: MIGRATION } });
    await client.diagnosticsNumber(uri, 0);
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const hints = (await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } } })) ?? [];
    expect(hints.length).toBeGreaterThan(0);
    expect(lenses.map((l) => l.command?.title)).toEqual(hints.map((h) => `${typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')} — Rehearse`));
    expect(lenses.map((l) => l.range.start.line)).toEqual(hints.map((h) => h.position.line));
    expect(lenses[0]!.command).toMatchObject({ command: 'lockstep.rehearseMigration', arguments: [uri, 0] });
    await client.stop();

    const { client: other, initializeResult: plain } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } });
    clients.push(other);
    expect(plain.capabilities.codeLensProvider, 'an editor without the command gets no lens that does nothing').toBeUndefined();
    await other.stop();
  });
});
