// Hover and inlay hints over the real protocol: the bundled server (`node bin/lockstep.js lsp --stdio`) driven
// like an editor. Positions are computed from the document text with JavaScript string offsets (UTF-16 units,
// as LSP requires). Expectations use the lock facts proven on a real server (ADD COLUMN, CREATE INDEX [CONCURRENTLY]).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  FileChangeType,
  HoverRequest,
  InlayHintRefreshRequest,
  InlayHintRequest,
  type Hover,
  type InlayHint,
  type MarkupContent,
  type Position,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from './lsp-client';

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Position of the first occurrence of `needle`, shifted by `delta` UTF-16 units. */
function positionOf(text: string, needle: string, delta = 0): Position {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`test bug: '${needle}' not in document`);
  return positionAt(text, offset + delta);
}

/** Polls `condition` (for events the test client records without waking its waiters). */
async function eventually(describe: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const WHOLE = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

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

async function hover(client: LspClient, uri: string, position: Position): Promise<Hover | null> {
  return client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
}

async function hoverText(client: LspClient, uri: string, position: Position): Promise<string> {
  const result = await hover(client, uri, position);
  if (!result) throw new Error(`no hover at ${JSON.stringify(position)}`);
  return (result.contents as MarkupContent).value;
}

async function hints(client: LspClient, uri: string): Promise<InlayHint[]> {
  return (await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: WHOLE })) ?? [];
}

const ADD_COLUMN = 'ALTER TABLE parent ADD COLUMN c int DEFAULT 0;';
const PREFIX = '/* 🐘👍🏽 café */ ';
const INDEX = 'CREATE INDEX parent_c_idx ON parent (c);';
const DOCUMENT = [
  '-- 🐘 a migration',
  ADD_COLUMN,
  '',
  `${PREFIX}${INDEX}`,
  'CREATE TABLE kid (id int);',
  'CREATE INDEX ON kid (id);',
  'SELECT 1;',
  '',
].join('\n');

describe('hover and inlay hints', () => {
  let client: LspClient;

  beforeAll(async () => {
    ({ client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } }));
  }, 20_000);

  afterAll(() => client?.dispose());

  it('advertises hover and inlay hints', async () => {
    const { client: other, initializeResult } = await LspClient.start({});
    try {
      expect(initializeResult.capabilities).toMatchObject({ hoverProvider: true, inlayHintProvider: true });
    } finally {
      other.dispose();
    }
  }, 20_000);

  it('describes the statement under the cursor: lock, what waits, docs of the configured major', async () => {
    const uri = 'file:///project/migrations/010_hover.sql';
    await open(client, uri, DOCUMENT);
    const result = await hover(client, uri, positionOf(DOCUMENT, 'ADD COLUMN', 4));
    expect(result?.range).toEqual({ start: positionOf(DOCUMENT, ADD_COLUMN), end: positionOf(DOCUMENT, ADD_COLUMN, ADD_COLUMN.length - 1) });
    const text = (result!.contents as MarkupContent).value;
    expect((result!.contents as MarkupContent).kind).toBe('markdown');
    expect(text).toContain('`public.parent`: **AccessExclusiveLock** — reads, writes');
    expect(text).toMatch(/\]\(https:\/\/www\.postgresql\.org\/docs\/17\/sql-altertable\.html/);

    // The semicolon belongs to the statement; the blank line after it to none.
    expect(await hoverText(client, uri, positionOf(DOCUMENT, ADD_COLUMN, ADD_COLUMN.length - 1))).toBe(text);
    expect(await hover(client, uri, positionOf(DOCUMENT, `\n\n${PREFIX}`, 1))).toBeNull();
    await close(client, uri);
  });

  it('finds statements by UTF-16 position after emoji, and says what a lock lets through', async () => {
    const uri = 'file:///project/migrations/011_emoji.sql';
    await open(client, uri, DOCUMENT);
    // The first character of CREATE, right after two astral emoji and a skin-tone modifier.
    const text = await hoverText(client, uri, positionOf(DOCUMENT, INDEX));
    expect(text).toContain('`public.parent`: **ShareLock** — writes');
    expect(text).not.toContain('`public.parent`: **ShareLock** — reads');
    expect(text).toContain('Scans `public.parent`');
    // One unit before CREATE is the comment's trailing space: no statement there.
    expect(await hover(client, uri, positionOf(DOCUMENT, INDEX, -1))).toBeNull();
    await close(client, uri);
  });

  it('puts a label after each risky statement, right after its semicolon, and none on new or harmless ones', async () => {
    const uri = 'file:///project/migrations/012_hints.sql';
    await open(client, uri, DOCUMENT);
    const found = await hints(client, uri);
    expect(found).toEqual([
      { position: positionOf(DOCUMENT, ADD_COLUMN, ADD_COLUMN.length), label: 'AccessExclusive · blocks reads, writes', paddingLeft: true },
      { position: positionOf(DOCUMENT, INDEX, INDEX.length), label: 'Share · blocks writes', paddingLeft: true },
    ]);
    // After the emoji, the hint's character counts UTF-16 units: 🐘 and 👍🏽 are 2 + 4.
    expect(found[1]!.position.character).toBe(PREFIX.length + INDEX.length);

    // Only statements ending inside the requested range.
    const line3 = await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri },
      range: { start: { line: 3, character: 0 }, end: { line: 4, character: 0 } },
    });
    expect(line3?.map((h) => h.label)).toEqual(['Share · blocks writes']);
    await close(client, uri);
  });

  it('answers for the text as it is now, even while an analysis is pending', async () => {
    const { client: slow } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 5000 } });
    try {
      const uri = 'file:///project/migrations/013_pending.sql';
      await open(slow, uri, 'SELECT 1;\n');
      await slow.diagnosticsNumber(uri, 0);
      await replace(slow, uri, 2, 'CREATE INDEX ON t (a);\n');
      expect((await hints(slow, uri)).map((h) => h.label)).toEqual(['Share · blocks writes']);
    } finally {
      slow.dispose();
    }
  }, 20_000);
});

describe('inlay hints turned off', () => {
  it('sends none when initializationOptions say inlayHints: false, but still hovers', async () => {
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0, inlayHints: false } });
    try {
      const uri = 'file:///project/migrations/020_off.sql';
      await open(client, uri, DOCUMENT);
      expect(await hints(client, uri)).toEqual([]);
      expect(await hoverText(client, uri, positionOf(DOCUMENT, ADD_COLUMN))).toContain('AccessExclusiveLock');
    } finally {
      client.dispose();
    }
  }, 20_000);

  it('follows the lockstep.inlayHints.enabled setting and asks the client to refresh', async () => {
    const { client } = await LspClient.start({
      initializationOptions: { diagnosticsDelayMs: 0 },
      capabilities: { workspace: { inlayHint: { refreshSupport: true } } },
    });
    let refreshes = 0;
    client.connection.onRequest(InlayHintRefreshRequest.type, () => {
      refreshes++;
    });
    try {
      const uri = 'file:///project/migrations/021_setting.sql';
      await open(client, uri, DOCUMENT);
      expect(await hints(client, uri)).toHaveLength(2);
      await client.changeConfiguration({ lockstep: { inlayHints: { enabled: false } } });
      await eventually('an inlay hint refresh', () => refreshes > 0);
      expect(await hints(client, uri)).toEqual([]);
      await client.changeConfiguration({ lockstep: { inlayHints: { enabled: true } } });
      await eventually('a second refresh', () => refreshes > 1);
      expect(await hints(client, uri)).toHaveLength(2);
    } finally {
      client.dispose();
    }
  }, 20_000);
});

describe('schema context from sibling migrations on disk', () => {
  let dir: string;
  const first = () => join(dir, 'migrations', '000001_measurements.up.sql');
  const second = () => join(dir, 'migrations', '000002_index.up.sql');
  const PARTITIONED = 'CREATE TABLE measurements (id bigint, at timestamptz) PARTITION BY RANGE (at);\n';
  const PLAIN = 'CREATE TABLE measurements (id bigint, at timestamptz);\n';
  const SECOND = 'CREATE INDEX measurements_at_idx ON measurements (at);\n';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-lsp-context-'));
    await mkdir(join(dir, 'migrations'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the earlier migration from disk, follows its unsaved edits in the editor, and its changes on disk', async () => {
    await writeFile(first(), PARTITIONED);
    await writeFile(second(), SECOND);
    const { client } = await LspClient.start({
      initializationOptions: { diagnosticsDelayMs: 0 },
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    });
    try {
      await eventually('the file-watcher registration', () => client.registrations.includes('workspace/didChangeWatchedFiles'));
      const uri = pathToFileURL(second()).href;
      const at = positionOf(SECOND, 'CREATE');
      await open(client, uri, SECOND);
      await client.diagnosticsNumber(uri, 0);
      // The table comes from 000001 on disk: the lock is on a partitioned table, and it exists (a hint).
      expect(await hoverText(client, uri, at)).toContain('`public.measurements` (partitioned table): **ShareLock**');
      expect((await hints(client, uri)).map((h) => h.label)).toEqual(['Share · blocks writes']);

      // 000001 opened and edited without saving: its editor text is the context, and 000002 is re-analyzed.
      const firstUri = pathToFileURL(first()).href;
      await open(client, firstUri, PARTITIONED);
      await replace(client, firstUri, 2, PLAIN);
      await client.waitFor('000002 re-analyzed after the edit of 000001', () => (client.publishedFor(uri).length >= 2 ? true : undefined));
      let text = await hoverText(client, uri, at);
      expect(text).toContain('`public.measurements`: **ShareLock**');
      expect(text).not.toContain('partitioned');

      // Closed without saving: the disk counts again.
      await close(client, firstUri);
      await client.waitFor('000002 re-analyzed after 000001 closed', () => (client.publishedFor(uri).length >= 3 ? true : undefined));
      expect(await hoverText(client, uri, at)).toContain('(partitioned table)');

      // Changed on disk, reported by the client's file watcher.
      const before = client.publishedFor(uri).length;
      await writeFile(first(), PLAIN);
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: firstUri, type: FileChangeType.Changed }],
      });
      await client.waitFor('000002 re-analyzed after the file watcher event', () =>
        client.publishedFor(uri).length > before ? true : undefined,
      );
      text = await hoverText(client, uri, at);
      expect(text).not.toContain('partitioned');
    } finally {
      client.dispose();
    }
  }, 30_000);

  it('without a file watcher, sees a change on disk at the next analysis', async () => {
    await writeFile(first(), PARTITIONED);
    await writeFile(second(), SECOND);
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } });
    try {
      const uri = pathToFileURL(second()).href;
      const at = positionOf(SECOND, 'CREATE');
      await open(client, uri, SECOND);
      expect(await hoverText(client, uri, at)).toContain('(partitioned table)');
      await writeFile(first(), PLAIN);
      await replace(client, uri, 2, `-- edited\n${SECOND}`);
      expect(await hoverText(client, uri, { line: at.line + 1, character: at.character })).not.toContain('partitioned');
    } finally {
      client.dispose();
    }
  }, 20_000);

  it('treats a table created earlier in the same file as new: no hint', async () => {
    const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0 } });
    try {
      const uri = pathToFileURL(join(dir, 'migrations', '000009_alone.up.sql')).href;
      const text = `CREATE TABLE fresh (id int, at timestamptz);\n${SECOND.replaceAll('measurements', 'fresh')}`;
      await open(client, uri, text);
      expect(await hints(client, uri)).toEqual([]);
      expect(await hoverText(client, uri, positionOf(text, 'CREATE INDEX'))).toContain('created in this file, so no existing work waits');
    } finally {
      client.dispose();
    }
  }, 20_000);
});
