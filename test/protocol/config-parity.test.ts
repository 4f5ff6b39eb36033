// The CLI and the language server must report exactly the same findings for the same files and lockstep.json:
// both read the configuration through cli/config-loader.ts and analyze with the same options. This runs
// `lockstep lint --format json` and `lockstep lsp --stdio` (the build, as an editor would) on one temp project,
// then changes lockstep.json and checks that the server reloads it.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  FileChangeType,
  ShowMessageNotification,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from './lsp-client';

const files: Record<string, string> = {
  'lockstep.json': JSON.stringify({
    pgVersion: 16,
    rules: { 'create-index-nonconcurrent': 'error', 'missing-statement-timeout': 'off' },
    lockTimeout: '1s',
    tables: { orders: { rows: 1000000 } },
  }),
  // golang-migrate: one implicit transaction per file.
  'db/000001_init.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, status text, total int);\nCREATE TABLE customers (id bigint PRIMARY KEY);\n',
  'db/000002_mixed.up.sql': [
    "SET lock_timeout = '5s';",
    'ALTER TABLE orders ADD COLUMN note text;',
    'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);',
    '-- lockstep-ignore create-index-nonconcurrent: orders is small here',
    'CREATE INDEX orders_total_idx ON orders (total);',
    'ALTER TABLE customers ADD COLUMN email text;',
    '-- lockstep-ignore validate-in-same-transaction: nothing is validated here, so this is reported as unused',
    'UPDATE orders SET note = status;',
    '',
  ].join('\n'),
  'db/000002_mixed.down.sql': 'ALTER TABLE orders DROP COLUMN note;\nALTER TABLE orders DROP COLUMN note2;\n',
  // goose, detected from its markers.
  'goose/20240101120000_goose.sql': '-- +goose Up\nBEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\n-- +goose Down\nALTER TABLE orders DROP COLUMN a;\n',
};

interface Comparable {
  rule: string;
  severity: string;
  message: string;
  range: string;
}

const SEVERITY_NAMES = ['', 'error', 'warning', 'info', 'hint'];

function fromDiagnostic(d: Diagnostic): Comparable {
  const r = d.range;
  const message = typeof d.message === 'string' ? d.message : d.message.value;
  return { rule: String(d.code), severity: SEVERITY_NAMES[d.severity ?? 2]!, message, range: `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}` };
}

function sorted(list: Comparable[]): Comparable[] {
  return [...list].sort((a, b) => (a.range + a.rule < b.range + b.rule ? -1 : 1));
}

function cliLint(root: string): Promise<Record<string, Comparable[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'lockstep.js'), 'lint', '--format', 'json', '.'], { cwd: root });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => {
      const report = JSON.parse(out) as { files: Array<{ path: string; findings: Array<{ rule: string; severity: string; message: string; range: Diagnostic['range'] }> }> };
      resolve(
        Object.fromEntries(
          report.files.map((f) => [
            f.path,
            sorted(f.findings.map((x) => ({ rule: x.rule, severity: x.severity, message: x.message, range: `${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character}` }))),
          ]),
        ),
      );
    });
  });
}

describe('CLI and language server parity under lockstep.json', () => {
  let root: string;
  let client: LspClient;
  const shown: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lockstep-parity-'));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0, pgVersion: 17 } }));
    client.connection.onNotification(ShowMessageNotification.type, (params) => {
      shown.push(params.message);
    });
  }, 30_000);

  afterAll(async () => {
    client?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('reports exactly the same findings, file by file', async () => {
    const cli = await cliLint(root);
    const paths = Object.keys(files).filter((p) => p.endsWith('.sql'));
    expect(Object.keys(cli).sort()).toEqual([...paths].sort());
    let total = 0;
    for (const path of paths) {
      const uri = pathToFileURL(join(root, path)).href;
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'sql', version: 1, text: await readFile(join(root, path), 'utf8') },
      });
      const published = await client.diagnosticsNumber(uri, 0);
      expect(sorted(published.diagnostics.map(fromDiagnostic)), path).toEqual(cli[path]);
      total += cli[path]!.length;
    }
    // The project exercises the configuration, the transaction rules and the ignore comments, not empty output.
    const rules = new Set(Object.values(cli).flat().map((f) => f.rule));
    for (const rule of ['concurrently-in-transaction', 'missing-lock-timeout', 'unused-ignore', 'transaction-nesting', 'ddl-with-backfill-in-one-transaction']) {
      expect(rules, rule).toContain(rule);
    }
    expect(rules).not.toContain('missing-statement-timeout');
    expect(Object.values(cli).flat().filter((f) => f.rule === 'create-index-nonconcurrent')).toEqual([]);
    expect(total).toBeGreaterThan(5);
  });

  it('reloads lockstep.json when the client reports it changed, and says once when it is invalid', async () => {
    const uri = pathToFileURL(join(root, 'db/000002_mixed.up.sql')).href;
    const before = client.publishedFor(uri).length;
    const config = JSON.parse(files['lockstep.json']!) as { rules: Record<string, string> };
    config.rules['missing-lock-timeout'] = 'off';
    await writeFile(join(root, 'lockstep.json'), JSON.stringify(config));
    const configUri = pathToFileURL(join(root, 'lockstep.json')).href;
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: configUri, type: FileChangeType.Changed }] });
    const after = await client.diagnosticsNumber(uri, before);
    expect(after.diagnostics.some((d) => d.code === 'missing-lock-timeout')).toBe(false);
    expect((await cliLint(root))['db/000002_mixed.up.sql']).toEqual(sorted(after.diagnostics.map(fromDiagnostic)));

    await writeFile(join(root, 'lockstep.json'), '{ "rules": { "no-such-rule": "off" } }');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: configUri, type: FileChangeType.Changed }] });
    const defaults = await client.diagnosticsNumber(uri, before + 1);
    // Defaults apply: the rule lockstep.json had turned off is back.
    expect(defaults.diagnostics.some((d) => d.code === 'missing-statement-timeout')).toBe(true);
    const message = await client.waitFor('the invalid-configuration message', () => shown.find((m) => m.includes('no-such-rule')));
    expect(message).toMatch(/\$\.rules\["no-such-rule"\]: unknown rule/);
    expect(shown.filter((m) => m.includes('no-such-rule'))).toHaveLength(1);
  });
});
