// CodeLens "AccessExclusive · rewrite — Rehearse" above each risky statement: the same label as the inlay hint
// (analysis/presentation), with the client's rehearse command. Offered only to a client that said it has that
// command (initializationOptions.rehearseCommand): another editor would show a lens that does nothing.
import type { CodeLens } from 'vscode-languageserver/node';
import { inlayLabel } from '../analysis/presentation/effect-text';
import type { DocumentAnalysis } from './document-diagnostics';

export function rehearseLenses(analysis: DocumentAnalysis, uri: string, command: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const statement of analysis.result.statements) {
    const summary = analysis.summary(statement.index);
    const label = inlayLabel(summary);
    if (label === undefined) continue;
    const start = summary.statement.range.start;
    lenses.push({
      range: { start, end: start },
      command: { title: `${label} — Rehearse`, command, arguments: [uri, statement.index] },
    });
  }
  return lenses;
}
