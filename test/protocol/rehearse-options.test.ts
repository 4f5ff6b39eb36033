// `lockstep/rehearse` options over the protocol (bundled server, embedded PostgreSQL): the transactions come from
// the same lockstep.json / runner facts as `lockstep rehearse` (checked against the CLI's own report), a remote
// URL is refused unless allowed, one statement can be rehearsed with the ones before it as context, and
// `lockstep/explain` answers exactly what `lockstep explain` prints.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DidOpenTextDocumentNotification, ResponseError } from 'vscode-languageserver-protocol/node';
import type { RehearsalReport } from '../../server/src/rehearsal/report';
import { EXPLAIN_METHOD, REHEARSE_METHOD, type ExplainResult, type RehearseParams, type RehearseResult } from '../../server/src/lsp/rehearse-protocol';
import { LspClient, repoRoot } from './lsp-client';

// golang-migrate sends the whole file as one query: one implicit transaction. `"transaction": "none"` in
// lockstep.json says the team runs it statement by statement (x-multi-statement).
const TWO_STATEMENTS = 'CREATE TABLE items (id bigint PRIMARY KEY, name text);\nCREATE INDEX items_name_idx ON items (name);\n';
const SETUP = 'CREATE TABLE orders (id bigint PRIMARY KEY, note text NOT NULL);\n';
const THREE = '-- three steps\nCREATE TABLE audit (id bigint);\nALTER TABLE orders ADD COLUMN seen boolean;\nCREATE INDEX orders_note_idx ON orders (note);\n';

function cliReport(file: string): RehearsalReport {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['bin/lockstep.js', 'rehearse', file, '--format', 'json', '--sizes', '1000', '--repeat', '1', '--quiet'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
  } catch (error) {
    // Exit code 1 (findings) still prints the report.
    out = (error as { stdout: string }).stdout;
  }
  return JSON.parse(out) as RehearsalReport;
}

describe('lockstep/rehearse options and lockstep/explain over stdio', () => {
  let folder: string;
  const clients: LspClient[] = [];
  const uriOf = (...parts: string[]) => pathToFileURL(join(folder, ...parts)).href;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-options-'));
    for (const sub of ['plain', 'configured']) mkdirSync(join(folder, sub));
    writeFileSync(join(folder, 'plain', '000001_items.up.sql'), TWO_STATEMENTS);
    writeFileSync(join(folder, 'configured', '000001_items.up.sql'), TWO_STATEMENTS);
    writeFileSync(join(folder, 'configured', 'lockstep.json'), JSON.stringify({ transaction: 'none' }));
    mkdirSync(join(folder, 'steps'));
    writeFileSync(join(folder, 'steps', '000001_init.up.sql'), SETUP);
    writeFileSync(join(folder, 'steps', '000002_three.up.sql'), THREE);
  });
  afterAll(() => {
    for (const client of clients) client.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  async function start(): Promise<LspClient> {
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } });
    clients.push(client);
    return client;
  }

  it('plans the transactions from lockstep.json as `lockstep rehearse` does', async () => {
    const client = await start();
    const params = (uri: string): RehearseParams => ({ uri, sizes: [1000], repeat: 1 });
    const plain = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, params(uriOf('plain', '000001_items.up.sql')));
    const configured = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, params(uriOf('configured', '000001_items.up.sql')));
    expect(plain.report.status, JSON.stringify(plain.report.error)).toBe('completed');
    expect(configured.report.status, JSON.stringify(configured.report.error)).toBe('completed');
    // The setting changes the plan (so the test can fail), and the editor's plan is the CLI's, file by file.
    expect(plain.report.transaction.mode).toBe('single');
    expect(configured.report.transaction.mode).toBe('per-statement');
    expect(plain.report.transaction).toEqual(cliReport(join(folder, 'plain', '000001_items.up.sql')).transaction);
    expect(configured.report.transaction).toEqual(cliReport(join(folder, 'configured', '000001_items.up.sql')).transaction);
    await client.stop();
  }, 120_000);

  it('refuses a remote database URL unless allowRemote, without echoing its password', async () => {
    const client = await start();
    const params: RehearseParams = { uri: uriOf('plain', '000001_items.up.sql'), url: 'postgres://app:s3cr3t-pw@db.example.com:5432/app' };
    const error = await client.connection.sendRequest(REHEARSE_METHOD, params).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseError);
    const message = (error as ResponseError<unknown>).message;
    expect(message).toContain('host db.example.com is not this machine');
    expect(message).toContain('lockstep.rehearsal.allowRemote');
    expect(message).not.toContain('s3cr3t-pw');
    // Allowed, the refusal is gone: what fails now is reaching the (nonexistent) host, with the password scrubbed.
    const allowed = await client.connection.sendRequest(REHEARSE_METHOD, { ...params, url: 'postgres://app:s3cr3t-pw@db.invalid:5432/app', allowRemote: true }).then(
      () => undefined,
      (e: unknown) => e as ResponseError<unknown>,
    );
    expect(allowed?.message ?? '').not.toContain('allowRemote');
    expect(allowed?.message ?? '').not.toContain('s3cr3t-pw');
    await client.stop();
  }, 60_000);

  it('rehearses only the statement at a position, the ones before it applied as context', async () => {
    const client = await start();
    const uri = uriOf('steps', '000002_three.up.sql');
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text: THREE } });
    await client.diagnosticsNumber(uri, 0);
    // Line 2 (0-based): ALTER TABLE orders ADD COLUMN seen.
    const result = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, { uri, sizes: [1000], repeat: 1, statementAt: { line: 2, character: 5 } });
    expect(result.report.status, JSON.stringify(result.report.error)).toBe('completed');
    expect(result.report.statements).toHaveLength(1);
    expect(result.report.statements[0]!.text).toMatch(/^ALTER TABLE orders ADD COLUMN seen/);
    expect(result.report.statements[0]!.line).toBe(3);
    expect(result.ranges[0]?.range.start.line).toBe(2);
    // The earlier migration and the statement before it in the file (CREATE TABLE audit) ran first.
    expect(result.report.replayed).toHaveLength(2);
    expect(result.report.replayed[1]).toContain('statements 1–1');
    await client.stop();
  }, 120_000);

  it('runs the simulated workload when asked, with lockstep.json\'s lockTimeout for the bounded queue run', async () => {
    mkdirSync(join(folder, 'workload'));
    writeFileSync(join(folder, 'workload', '000001_init.up.sql'), SETUP);
    writeFileSync(join(folder, 'workload', '000002_add.up.sql'), 'ALTER TABLE orders ADD COLUMN seen boolean;\n');
    writeFileSync(join(folder, 'workload', 'lockstep.json'), JSON.stringify({ lockTimeout: '700ms' }));
    const client = await start();
    const uri = uriOf('workload', '000002_add.up.sql');
    const without = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, { uri, sizes: [1000], repeat: 1 });
    expect(without.report.contention).toBeNull();
    const result = await client.connection.sendRequest<RehearseResult>(REHEARSE_METHOD, { uri, sizes: [1000], repeat: 1, workload: true });
    expect(result.report.status, JSON.stringify(result.report.error)).toBe('completed');
    const contention = result.report.contention!;
    expect(contention.clients).toBeGreaterThan(0);
    expect(contention.tables).toEqual(['public.orders']);
    expect(contention.workload?.byQuery.length).toBeGreaterThan(0);
    expect(contention.queue?.runs.map((r) => r.lockTimeoutMs)).toEqual([null, 700]);
    await client.stop();
  }, 120_000);

  it('lockstep/explain answers what `lockstep explain` prints', async () => {
    const client = await start();
    const file = join(folder, 'steps', '000002_three.up.sql');
    const uri = pathToFileURL(file).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text: THREE } });
    await client.diagnosticsNumber(uri, 0);
    const result = await client.connection.sendRequest<ExplainResult>(EXPLAIN_METHOD, { uri });
    const cli = execFileSync(process.execPath, ['bin/lockstep.js', 'explain', file], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.text).toContain('AccessExclusive');
    expect(result.text).toBe(cli);
    await client.stop();
  }, 30_000);
});
