// `lockstep/explain`: the text `lockstep explain <file>` prints, for an open document, so the editor's "Explain
// Locks in File" shows exactly the CLI's output (its formatter, not a second one) for the text being edited.
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import { formatExplainText } from '../cli/formatters/explain-text';
import type { DocumentAnalysis } from './document-diagnostics';
import { EXPLAIN_METHOD, type ExplainParams, type ExplainResult } from './rehearse-protocol';

export interface ExplainHost {
  /**
   * The analysis diagnostics were computed from (lockstep.json, earlier migrations and pgVersion applied), of the
   * current version: waited for without blocking the server; undefined when cancelled or not analyzable.
   */
  analysis(uri: string, token?: CancellationToken): Promise<DocumentAnalysis | undefined>;
  /** How the CLI would name the file (relative to the workspace when inside it). */
  displayPath(uri: string): string;
}

export function listenForExplain(connection: Connection, host: ExplainHost): void {
  connection.onRequest(EXPLAIN_METHOD, async (params: ExplainParams, token: CancellationToken): Promise<ExplainResult> => {
    const analysis = typeof params?.uri === 'string' ? await host.analysis(params.uri, token) : undefined;
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Lockstep: explain was cancelled.');
    if (analysis === undefined) {
      throw new ResponseError(
        ErrorCodes.InvalidRequest,
        `Lockstep: ${JSON.stringify(params?.uri)} is not analyzed (yet): open the SQL file in the editor and try again once its diagnostics show.`,
      );
    }
    return { text: explainText(analysis, host.displayPath(params.uri)) };
  });
}

export function explainText(analysis: DocumentAnalysis, displayPath: string): string {
  const statements = analysis.result.statements.map((_, index) => analysis.summary(index));
  return formatExplainText([{ displayPath, pgVersion: analysis.pgVersion, statements }]);
}
