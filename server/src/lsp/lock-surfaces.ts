// Hover and inlay hints: the lock model's answer for a statement, shown where the statement is. The words come
// from analysis/presentation; this file only finds the statement and converts to LSP types.
import { InlayHint, MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver/node';
import { hoverMarkdown, inlayLabel } from '../analysis/presentation/effect-text';
import { TextIndex } from '../analysis/text/text-index';
import type { DocumentAnalysis } from './document-diagnostics';

/** The hover for the statement under `position` (anywhere from its first token to its semicolon). */
export function statementHover(analysis: DocumentAnalysis, position: Position): Hover | null {
  const offset = new TextIndex(analysis.text).offsetAt(position);
  const statements = analysis.result.statements;
  // The hovered character is [offset, offset + 1): the statement's text or its semicolon.
  const hit = statements.findIndex((s) => offset >= s.start && offset < Math.max(semicolonEnd(analysis.text, s.end), s.start + 1));
  if (hit < 0) return null;
  const summary = analysis.summary(hit);
  return {
    contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(summary, { pgVersion: analysis.pgVersion }) },
    range: summary.statement.range,
  };
}

/** A label after each risky statement whose end lies in `range`. */
export function lockInlayHints(analysis: DocumentAnalysis, range: Range): InlayHint[] {
  const index = new TextIndex(analysis.text);
  const from = index.offsetAt(range.start);
  const to = index.offsetAt(range.end);
  const hints: InlayHint[] = [];
  for (const statement of analysis.result.statements) {
    const at = semicolonEnd(analysis.text, statement.end);
    if (at < from) continue;
    if (statement.start > to) break;
    if (at > to) continue;
    const label = inlayLabel(analysis.summary(statement.index));
    if (label === undefined) continue;
    const hint = InlayHint.create(index.positionAt(at), label);
    hint.paddingLeft = true;
    hints.push(hint);
  }
  return hints;
}

/** Just past the statement's `;` when it follows on the same line (statements end before it), else the end. */
function semicolonEnd(text: string, end: number): number {
  let i = end;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === ';' ? i + 1 : end;
}
