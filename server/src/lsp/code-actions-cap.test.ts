// A code-action request over a whole generated file computes fixes for at most MAX_FIXED_PER_REQUEST statements
// and diagnostics: fuzz cases 21 and 22 (20,000 and 100,000 statements, a range over most of them) held the
// server for seconds building thousands of phased fixes, and hover and inlay hints waited behind them.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analysis/analyzer';
import { TextIndex } from '../analysis/text/text-index';
import { codeActionsFor, MAX_FIXED_PER_REQUEST } from './code-actions';
import type { DocumentAnalysis } from './document-diagnostics';
import { findingToDiagnostic } from './diagnostics';

beforeAll(() => initParser());

const COUNT = 4 * MAX_FIXED_PER_REQUEST;
const text = Array.from({ length: COUNT }, (_, k) => `CREATE INDEX i_${k} ON t_${k} (x);`).join('\n');

function analysisOf(source: string): DocumentAnalysis {
  const result = analyzeText(source, { pgVersion: 17 });
  return { version: 1, text: source, result, pgVersion: 17, context: undefined, summary: () => ({}) as never };
}

const host = { options: () => ({ pgVersion: 17 }), filePath: () => undefined, docsUrl: (rule: string) => `https://docs/${rule}.md` };
const support = { createFiles: false, documentChanges: false, disabled: true };
const uri = 'untitled:cap.sql';

describe('code actions over a large range', () => {
  let analysis: DocumentAnalysis;
  const index = new TextIndex(text);
  const whole = { start: { line: 0, character: 0 }, end: index.rangeOf(text.length, text.length).end };
  beforeAll(() => {
    analysis = analysisOf(text);
  });

  it('offer the fixes of the first MAX_FIXED_PER_REQUEST statements in range', () => {
    const ask = (range: typeof whole) => codeActionsFor({ textDocument: { uri }, range, context: { diagnostics: [] } }, analysis, host, support);
    // Each statement alone (a range within it touches no other).
    const each = analysis.result.statements.map((s) => ask(s.range).length);
    expect(each.every((n) => n > 0)).toBe(true);
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    expect(ask(whole).length).toBe(sum(each.slice(0, MAX_FIXED_PER_REQUEST)));
    expect(sum(each)).toBeGreaterThan(sum(each.slice(0, MAX_FIXED_PER_REQUEST)));
  });

  it('look at the first MAX_FIXED_PER_REQUEST of the diagnostics sent', () => {
    const diagnostics = analysis.result.findings.map((f) => findingToDiagnostic(f, 'https://docs/'));
    expect(diagnostics.length).toBeGreaterThanOrEqual(COUNT);
    const docs = (actions: ReturnType<typeof codeActionsFor>) => actions.filter((a) => a.title.startsWith('Show documentation')).length;
    const point = { start: whole.start, end: whole.start };
    const asked = codeActionsFor({ textDocument: { uri }, range: point, context: { diagnostics } }, analysis, host, support);
    expect(docs(asked)).toBe(MAX_FIXED_PER_REQUEST);
  });
});
