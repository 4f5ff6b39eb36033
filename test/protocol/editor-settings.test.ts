// `lockstep.rules` / `lockstep.tables` editor settings stand in for lockstep.json where none applies, and are
// ignored where one does (lockstep.json is what `lockstep lint` reads in CI). Bundled server over stdio.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, DidOpenTextDocumentNotification, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { LspClient } from './lsp-client';

const SETUP = 'CREATE TABLE orders (id bigint PRIMARY KEY, total int);\n';
const INDEX = 'CREATE INDEX orders_total_idx ON orders (total);\n';
const RULE = 'create-index-nonconcurrent';

describe('lockstep.rules and lockstep.tables settings', () => {
  let root: string;
  let client: LspClient;
  const bare = () => pathToFileURL(join(root, 'bare', '000002_index.up.sql')).href;
  const configured = () => pathToFileURL(join(root, 'configured', '000002_index.up.sql')).href;
  const severity = (published: PublishDiagnosticsParams) => published.diagnostics.find((d) => d.code === RULE)?.severity;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lockstep-editor-settings-'));
    for (const folder of ['bare', 'configured']) {
      mkdirSync(join(root, folder));
      writeFileSync(join(root, folder, '000001_init.up.sql'), SETUP);
      writeFileSync(join(root, folder, '000002_index.up.sql'), INDEX);
    }
    // An empty lockstep.json still applies: the rule's defaults, whatever the editor says.
    writeFileSync(join(root, 'configured', 'lockstep.json'), '{}');
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } }));
    for (const uri of [bare(), configured()]) {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text: INDEX } });
      await client.diagnosticsNumber(uri, 0);
    }
  });
  afterAll(() => {
    client?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('a rule severity applies where no lockstep.json does, and not where one does', async () => {
    const before = [severity(client.publishedFor(bare())[0]!), severity(client.publishedFor(configured())[0]!)];
    expect(before[0]).toBe(before[1]);
    expect(before[0]).not.toBe(DiagnosticSeverity.Error);
    const bareCount = client.publishedFor(bare()).length;
    const configuredCount = client.publishedFor(configured()).length;
    await client.changeConfiguration({ lockstep: { rules: { [RULE]: 'error' } } });
    expect(severity(await client.diagnosticsNumber(bare(), bareCount))).toBe(DiagnosticSeverity.Error);
    // Reanalyzed too (every open file is), but lockstep.json wins.
    expect(severity(await client.diagnosticsNumber(configured(), configuredCount))).toBe(before[1]);

    await client.changeConfiguration({ lockstep: { rules: { [RULE]: 'off' } } });
    expect(severity(await client.diagnosticsNumber(bare(), bareCount + 1))).toBeUndefined();
    await client.changeConfiguration({ lockstep: { rules: {} } });
    expect(severity(await client.diagnosticsNumber(bare(), bareCount + 2))).toBe(before[0]);
  });

  it('table row counts scale the severity where no lockstep.json applies', async () => {
    const bareCount = client.publishedFor(bare()).length;
    const configuredCount = client.publishedFor(configured()).length;
    const baseline = severity(client.publishedFor(configured()).at(-1)!);
    await client.changeConfiguration({ lockstep: { tables: { orders: { rows: 50_000_000 } } } });
    expect(severity(await client.diagnosticsNumber(bare(), bareCount))).toBe(DiagnosticSeverity.Error);
    expect(severity(await client.diagnosticsNumber(configured(), configuredCount))).toBe(baseline);
    await client.changeConfiguration({ lockstep: { tables: { orders: { rows: 100 } } } });
    expect(severity(await client.diagnosticsNumber(bare(), bareCount + 1))).toBe(DiagnosticSeverity.Information);
  });

  it('an invalid value is reported and changes nothing', async () => {
    const count = client.publishedFor(bare()).length;
    await client.changeConfiguration({ lockstep: { rules: { 'no-such-rule': 'error' } } });
    const warning = await client.waitFor('the invalid-settings warning', () => client.logMessages.find((m) => m.includes('no-such-rule')));
    expect(warning).toMatch(/lockstep\.rules\["no-such-rule"\]: unknown rule/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.publishedFor(bare())).toHaveLength(count);
  });
});
