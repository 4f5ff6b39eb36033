// analyzeAsync's provisional result: handed out once, while a schema-changing edit's re-check walks the statements
// after it; exact up to where the walk is, the previous findings moved for the rest; marked as provisional; never
// for edits that converge at once or when there is no previous analysis; and the final result stays exact.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMigration } from '../../../bench/generate-migration';
import { DocumentAnalyzer, initParser } from './analyzer';
import { TextIndex } from './text/text-index';
import type { AnalysisOptions, AnalysisResult, Finding, ProvisionalAnalysisResult } from './types';

beforeAll(async () => {
  await initParser();
});

const options: AnalysisOptions = { pgVersion: 16 };
const { text } = generateMigration(1200, 5);
/** Offset just after the 10th statement's line break: an insertion there changes the schema of all later ones. */
const early = [...text.matchAll(/;\n\n/g)][10]!.index! + 3;
const inserted = 'CREATE INDEX early_idx ON users (email);\n\n';
const schemaEdit = text.slice(0, early) + inserted + text.slice(early);

const indexes = new Map<string, TextIndex>();
/** A finding as the text it underlines, so findings of the same statement compare across positions. */
function located(source: string, f: Finding): string {
  let index = indexes.get(source);
  if (!index) indexes.set(source, (index = new TextIndex(source)));
  return `${f.rule}|${f.message}|${source.slice(index.offsetAt(f.range.start), index.offsetAt(f.range.end))}`;
}

async function runWithProvisional(analyzer: DocumentAnalyzer, next: string): Promise<{ final: AnalysisResult; calls: ProvisionalAnalysisResult[] }> {
  const calls: ProvisionalAnalysisResult[] = [];
  const final = await analyzer.analyzeAsync(next, options, { sliceMs: 0, provisional: (r) => calls.push(r) });
  if (final === 'cancelled') throw new Error('the analysis was cancelled, but nothing aborted it');
  return { final, calls };
}

describe('analyzeAsync provisional results', () => {
  it('hands out one provisional result during a long re-check: exact so far, previous findings moved after', async () => {
    const analyzer = new DocumentAnalyzer();
    const before = analyzer.analyze(text, options);
    const { final, calls } = await runWithProvisional(analyzer, schemaEdit);

    expect(calls).toHaveLength(1);
    const provisional = calls[0]!;
    expect(provisional.provisional).toBe(true);
    expect(final.provisional).toBeUndefined();
    // The final result is that of a fresh analysis.
    expect(final).toEqual(new DocumentAnalyzer().analyze(schemaEdit, options));

    const editedIndex = final.statements.findIndex((s) => s.text.includes('early_idx'));
    expect(editedIndex).toBeGreaterThan(0);
    // Exact past the edited statement, with most of the document still to walk when it was handed out.
    expect(provisional.exactThrough).toBeGreaterThan(editedIndex);
    expect(provisional.exactThrough).toBeLessThan(final.statements.length - 256);
    const upTo = (r: { findings: Finding[] }, exact: boolean) =>
      r.findings.filter((f) => (f.statement < provisional.exactThrough) === exact).map((f) => located(schemaEdit, f));
    expect(upTo(provisional, true)).toEqual(upTo(final, true));
    expect(upTo(provisional, true).some((f) => f.startsWith('create-index-nonconcurrent|') && f.endsWith('CREATE INDEX early_idx ON users (email)'))).toBe(true);
    // After it: the previous analysis's findings for the same statements, at their new positions.
    const delta = final.statements.length - before.statements.length;
    const previousAfter = before.findings.filter((f) => f.statement + delta >= provisional.exactThrough).map((f) => located(text, f));
    expect(upTo(provisional, false)).toEqual(previousAfter);
    expect(previousAfter.length).toBeGreaterThan(0);
    // Statements and their effects are those of the new text.
    expect(provisional.statements.map((s) => s.text)).toEqual(final.statements.map((s) => s.text));
  });

  it('is not changed by the final result assembled after it', async () => {
    const analyzer = new DocumentAnalyzer();
    analyzer.analyze(text, options);
    const calls: ProvisionalAnalysisResult[] = [];
    let snapshot = '';
    await analyzer.analyzeAsync(schemaEdit, options, {
      sliceMs: 0,
      provisional: (r) => {
        calls.push(r);
        snapshot = JSON.stringify(r);
      },
    });
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0])).toBe(snapshot);
  });

  // The time budget (provisionalAfterMs): 0 makes it run out after the first slice (16 steps with sliceMs 0), so
  // these do not depend on the machine's speed. Fuzz cases 12, 21 and 22 (a cold open of 1 MB or 20,000–100,000
  // statements) published nothing for 1–9 s before it existed.
  it('on a cold analysis that runs out of time, hands out one result that claims nothing yet', async () => {
    const calls: ProvisionalAnalysisResult[] = [];
    const final = await new DocumentAnalyzer().analyzeAsync(text, options, { sliceMs: 0, provisionalAfterMs: 0, provisional: (r) => calls.push(r) });
    expect(calls).toEqual([{ statements: [], findings: [], suppressed: [], transactions: [], provisional: true, exactThrough: 0 }]);
    expect(final).toEqual(new DocumentAnalyzer().analyze(text, options));
  });

  it('on an edit that runs out of time, hands out one result: exact before the walk, the previous findings for unedited statements', async () => {
    const analyzer = new DocumentAnalyzer();
    const before = analyzer.analyze(text, options);
    const calls: ProvisionalAnalysisResult[] = [];
    const final = await analyzer.analyzeAsync(schemaEdit, options, { sliceMs: 0, provisionalAfterMs: 0, provisional: (r) => calls.push(r) });
    if (final === 'cancelled') throw new Error('the analysis was cancelled, but nothing aborted it');
    expect(final).toEqual(new DocumentAnalyzer().analyze(schemaEdit, options));
    expect(calls).toHaveLength(1);
    const provisional = calls[0]!;
    expect(provisional.statements.map((s) => s.text)).toEqual(final.statements.map((s) => s.text));
    // Handed out early in the walk, well before its end.
    expect(provisional.exactThrough).toBeLessThan(final.statements.length / 2);
    const exactPart = (r: { findings: Finding[] }) => r.findings.filter((f) => f.statement < provisional.exactThrough).map((f) => located(schemaEdit, f));
    expect(exactPart(provisional)).toEqual(exactPart(final));
    // Past it: every finding shown is one the previous analysis had for an unedited statement (none invented).
    const editedIndex = final.statements.findIndex((s) => s.text.includes('early_idx'));
    const previous = new Set(before.findings.map((f) => located(text, f)));
    const later = provisional.findings.filter((f) => f.statement >= provisional.exactThrough);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((f) => f.statement !== editedIndex && previous.has(located(schemaEdit, f)))).toBe(true);
  });

  it('gives none when the edit converges at once, on a cold analysis, or when the walk is cancelled first', async () => {
    const analyzer = new DocumentAnalyzer();
    // Cold: nothing to move.
    expect((await runWithProvisional(analyzer, text)).calls).toEqual([]);
    // Typing inside an UPDATE leaves the schema alone: the walk stops at the next statement.
    const update = text.indexOf(' IS NULL;', text.length / 2);
    expect(update).toBeGreaterThan(0);
    const typed = `${text.slice(0, update)} AND id > 0${text.slice(update)}`;
    const converged = await runWithProvisional(analyzer, typed);
    expect(converged.calls).toEqual([]);
    expect(converged.final).toEqual(new DocumentAnalyzer().analyze(typed, options));

    const controller = new AbortController();
    controller.abort();
    const calls: ProvisionalAnalysisResult[] = [];
    expect(await analyzer.analyzeAsync(schemaEdit, options, { signal: controller.signal, provisional: (r) => calls.push(r) })).toBe('cancelled');
    expect(calls).toEqual([]);
  });
});
