// What the language server itself answers for a file, over the protocol (test/protocol/lsp-client.ts): the
// reference for surfaces the CLI has no output for, such as inlay hints, so an editor test checks that the
// editor shows the server's answer rather than a label written into the test.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  DidOpenTextDocumentNotification,
  InlayHintRequest,
  type CodeAction,
  type InlayHint,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from '../../protocol/lsp-client';

/** The inlay hints the server gives for the whole of `path` once it has analyzed it. */
export async function inlayHintsFromServer(path: string, pgVersion: number): Promise<InlayHint[]> {
  const { client } = await LspClient.start({ initializationOptions: { diagnosticsDelayMs: 0, pgVersion } });
  try {
    const text = readFileSync(path, 'utf8');
    const uri = pathToFileURL(path).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text },
    });
    await client.diagnosticsNumber(uri, 0); // analyzed: hints come from the same analysis
    const lines = text.split('\n');
    const end = { line: lines.length - 1, character: lines.at(-1)!.length };
    return (await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end } })) ?? [];
  } finally {
    await client.stop().catch(() => client.dispose());
  }
}

/** An inlay hint's label as text (a label may be a list of parts). */
export function labelText(hint: InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((part) => part.value).join('');
}

/** What applying a code action does to the files: path → new content (created files start empty). */
export interface FixOutcome {
  title: string;
  files: Map<string, string>;
}

/**
 * The server's preferred quick fix for the `rule` finding in `path`, asked with VS Code's capabilities (it creates
 * files, edits are versioned), and what the files look like once it is applied.
 */
export async function preferredFixFromServer(path: string, rule: string, pgVersion: number): Promise<FixOutcome> {
  const { client } = await LspClient.start({
    initializationOptions: { diagnosticsDelayMs: 0, pgVersion },
    capabilities: { workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } },
  });
  try {
    const text = readFileSync(path, 'utf8');
    const uri = pathToFileURL(path).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const diagnostic = (await client.diagnosticsNumber(uri, 0)).diagnostics.find((d) => d.code === rule);
    if (diagnostic === undefined) throw new Error(`the server reports no ${rule} in ${path}`);
    const actions = ((await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    })) ?? []) as CodeAction[];
    const fix = actions.find((a) => a.isPreferred === true && a.edit !== undefined);
    if (fix === undefined) throw new Error(`the server offers no preferred fix for ${rule} in ${path}: ${actions.map((a) => a.title).join('; ')}`);
    const files = new Map<string, string>([[path, text]]);
    for (const change of fix.edit!.documentChanges ?? []) {
      if ('kind' in change) {
        if (change.kind === 'create') files.set(fileURLToPath(change.uri), '');
        continue;
      }
      const file = fileURLToPath(change.textDocument.uri);
      files.set(file, applyEdits(files.get(file) ?? '', change.edits as TextEdit[]));
    }
    for (const [file, edits] of Object.entries(fix.edit!.changes ?? {})) files.set(fileURLToPath(file), applyEdits(files.get(fileURLToPath(file)) ?? '', edits));
    return { title: fix.title, files };
  } finally {
    await client.stop().catch(() => client.dispose());
  }
}

/** LSP text edits (all against the same original text) applied the way an editor applies them. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  }
  return out;
}
