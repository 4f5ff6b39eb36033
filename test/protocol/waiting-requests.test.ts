// Two-phase diagnostics and requests that wait without blocking, over the real protocol. A schema-changing edit
// near the top of a 5,000-statement document re-checks every statement after it: the server first publishes
// provisional diagnostics (marked `provisional: true`; the edited statement's findings exact), then the final ones
// (or `$/lockstep/diagnosticsSettled` when they would be the same). A code action and an explain request sent
// during that walk wait for it — answered after the final diagnostics, from the current version — while a hover
// sent after them is answered at once. Also: code actions use an open sqitch.plan's unsaved text and version.
// Ordering and state only, no durations.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  type ClientCapabilities,
  type CodeAction,
  type PublishDiagnosticsParams,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { generateMigration } from '../../bench/generate-migration';
import { LspClient } from './lsp-client';

const SETTLED = '$/lockstep/diagnosticsSettled';
const CAPABILITIES: ClientCapabilities = { workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } };

type Published = PublishDiagnosticsParams & { provisional?: boolean };

describe('a long re-check of a 5,000-statement document', () => {
  let client: LspClient;
  const events: string[] = [];
  /** Resolved by `$/lockstep/diagnosticsSettled` (which LspClient does not record). */
  let settled: (version: number) => void = () => {};

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 }, capabilities: CAPABILITIES }));
    client.connection.onNotification(SETTLED, (params: { uri: string; version: number }) => {
      events.push(`settled v${params.version}`);
      settled(params.version);
    });
  }, 20_000);

  afterAll(() => client?.dispose());

  it('publishes provisional then final diagnostics; code actions and explain wait for the final ones, hover does not', async () => {
    const uri = 'file:///project/migrations/400_waiting.sql';
    const { text } = generateMigration(5000, 11);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text },
    });
    await client.waitFor('the final diagnostics of version 1', () => client.publishedFor(uri).find((p) => p.version === 1), 120_000);
    const publishedBefore = client.allPublishedFor(uri).length;

    // A new index on an existing table after the 10th statement: every later statement sees another schema.
    const line = text.slice(0, [...text.matchAll(/;\n\n/g)][10]!.index! + 3).split('\n').length - 1;
    const at = { line, character: 0 };
    void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: at, end: at }, text: 'CREATE INDEX early_idx ON users (email);\n\n' }],
    });
    const codeAction = client.connection
      .sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: at, end: { line, character: 10 } }, context: { diagnostics: [] } })
      .then((actions) => {
        events.push('codeAction answered');
        return (actions ?? []) as CodeAction[];
      });
    const explain = client.connection.sendRequest<{ text: string }>('lockstep/explain', { uri }).then((answer) => {
      events.push('explain answered');
      return answer;
    });
    const hover = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at }).then((h) => {
      events.push('hover answered');
      return h;
    });
    // Publishes are recorded by LspClient; merged into `events` in arrival order whenever the server sends something.
    let seen = publishedBefore;
    const onPublish = (): void => {
      const mine = client.allPublishedFor(uri) as Published[];
      for (; seen < mine.length; seen++) events.push(`publish v${mine[seen]!.version}${mine[seen]!.provisional ? ' provisional' : ''}`);
    };
    const [actions, explained] = await Promise.all([
      codeAction,
      explain,
      hover,
      Promise.race([
        client.waitFor('the final diagnostics of version 2', () => {
          onPublish();
          return events.find((e) => e === 'publish v2');
        }, 120_000),
        new Promise<void>((resolve) => (settled = (version) => version === 2 && resolve())),
      ]),
    ]);
    onPublish();

    // The edited statement's finding was shown before the walk ended.
    const provisional = (client.allPublishedFor(uri) as Published[]).find((p) => p.version === 2 && p.provisional === true);
    expect(provisional, 'a provisional publish of version 2').toBeDefined();
    expect(provisional!.diagnostics.some((d) => d.code === 'create-index-nonconcurrent' && d.range.start.line === line)).toBe(true);
    const settledAt = events.findIndex((e) => e === 'publish v2' || e === 'settled v2');
    expect(events.indexOf('publish v2 provisional')).toBeLessThan(settledAt);
    // Nothing provisional after the final diagnostics.
    expect(events.slice(settledAt).some((e) => e.includes('provisional'))).toBe(false);
    // The hover, sent last, did not wait: answered (with nothing, the version being analyzed) before the final publish.
    expect(events.indexOf('hover answered')).toBeLessThan(settledAt);
    expect(await hover).toBeNull();
    // Explain waited for the final analysis of version 2 and answered from it. Code actions wait at most
    // REQUEST_WAIT_MS (document-diagnostics.ts): answered after the final publish, or before it with nothing —
    // never with fixes of version 1; asked again once it is out, they come from version 2.
    expect(events.indexOf('explain answered')).toBeGreaterThan(settledAt);
    if (events.indexOf('codeAction answered') < settledAt) expect(actions).toEqual([]);
    const again =
      events.indexOf('codeAction answered') < settledAt
        ? (((await client.connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri },
            range: { start: at, end: { line, character: 10 } },
            context: { diagnostics: [] },
          })) ?? []) as CodeAction[])
        : actions;
    const concurrently = again.find((a) => a.title.toLowerCase().includes('concurrently'));
    expect(concurrently, `a CONCURRENTLY fix among ${again.map((a) => a.title).join('; ')}`).toBeDefined();
    expect((concurrently!.edit!.documentChanges![0] as TextDocumentEdit).textDocument).toEqual({ uri, version: 2 });
    expect(explained.text).toContain('early_idx');
  }, 240_000);
});

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

describe('sqitch fixes with sqitch.plan open in the editor', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'lockstep-open-plan-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const PLAN = '%syntax-version=1.0.0\n%project=shop\n\ninit 2024-01-01T11:00:00Z Ann <ann@example.test>\nusers_score 2024-01-02T11:00:00Z Ann <ann@example.test>\n';
  // Unsaved in the editor: a note above the changes, so the end of the plan is one line further down than on disk.
  const UNSAVED = PLAN.replace('\ninit ', '\n# reviewed by Bo\ninit ');

  it('appends the plan line to the unsaved text, versioned with the open document', async () => {
    const files: Record<string, string> = {
      'shop/sqitch.plan': PLAN,
      'shop/deploy/init.sql': 'BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCOMMIT;\n',
      'shop/deploy/users_score.sql': 'BEGIN;\nALTER TABLE users ADD COLUMN score int DEFAULT random();\nCOMMIT;\n',
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), content);
    }
    const planUri = pathToFileURL(join(folder, 'shop/sqitch.plan')).href;
    const uri = pathToFileURL(join(folder, 'shop/deploy/users_score.sql')).href;
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 }, capabilities: CAPABILITIES });
    try {
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: planUri, languageId: 'plaintext', version: 7, text: UNSAVED },
      });
      await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'sql', version: 1, text: files['shop/deploy/users_score.sql']! },
      });
      const published = await client.diagnosticsNumber(uri, 0);
      const diagnostic = published.diagnostics.find((d) => d.code === 'add-column-volatile-default')!;
      expect(diagnostic).toBeDefined();
      const actions = ((await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic] },
      })) ?? []) as CodeAction[];
      const fix = actions.find((a) => a.title.startsWith('Add score without a rewrite'))!;
      expect(fix).toBeDefined();
      const planEdit = (fix.edit!.documentChanges! as TextDocumentEdit[]).at(-1)!;
      expect(planEdit.textDocument).toEqual({ uri: planUri, version: 7 });
      const plan = applyEdits(UNSAVED, planEdit.edits as TextEdit[]);
      expect(plan.startsWith(UNSAVED)).toBe(true);
      expect(plan.slice(UNSAVED.length)).toMatch(/^backfill_users_score .* # Lockstep: step 1 of 1 after users_score\n$/);
      // The plan is not linted as SQL: nothing was published for it.
      expect(client.publishedFor(planUri)).toEqual([]);
    } finally {
      client.dispose();
    }
  }, 30_000);
});
