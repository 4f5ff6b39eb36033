// What the language server itself answers for a file, over the protocol (test/protocol/lsp-client.ts): the
// reference for surfaces the CLI has no output for, such as inlay hints, so an editor test checks that the
// editor shows the server's answer rather than a label written into the test.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification, InlayHintRequest, type InlayHint } from 'vscode-languageserver-protocol/node';
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
