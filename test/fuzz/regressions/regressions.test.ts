// Inputs the fuzzer once broke the core with, kept as tests. Every *.sql file in this folder must analyze
// (one-shot and incrementally, with the fuzz run's consistency checks) without an error, within its budget
// (`-- budget-ms: N`, default 10000). A file marked `-- check: linear-growth` must also cost about twice as
// much as its first half: a ratio, so the check holds on a slow or busy machine where absolute times do not.
// A file with lines `-- fuzz-edit --` holds successive versions of a document (what an editor sends): the part
// before the first marker is opened, each later part replaces the text — for failures that need the edits, such
// as an incremental result that disagrees with a fresh one.
// Add a file here when `npm run fuzz` finds a failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../../server/src/analysis/analyzer';
import { indexListSlotsCopied } from '../../../server/src/analysis/catalog/index-list';
import { runCoreCase } from '../harness';

const folder = __dirname;
const files = readdirSync(folder).filter((f) => f.endsWith('.sql')).sort();

const EDIT_MARKER = /^-- fuzz-edit --\r?\n/m;

/** The versions of the document a regression file holds: its parts, or the text and then the text minus its first line. */
function stepsOf(text: string): string[] {
  if (EDIT_MARKER.test(text)) return text.split(new RegExp(EDIT_MARKER.source, 'gm'));
  // The text as opened, then with its first line deleted: the incremental path sees the input too.
  return [text, text.slice(text.indexOf('\n') + 1)];
}

/** Linear growth gives 2 when the input doubles; quadratic 4, cubic 8. 3 leaves room for noise. */
const MAX_GROWTH_RATIO = 3;

function timeAnalysis(text: string): number {
  const started = performance.now();
  analyzeText(text, { pgVersion: 17 });
  return performance.now() - started;
}

/** The first half of the text's lines. */
function firstHalf(text: string): string {
  const lines = text.split('\n');
  return lines.slice(0, Math.ceil(lines.length / 2)).join('\n');
}

describe('fuzz regressions', () => {
  beforeAll(() => initParser());

  it('has regression inputs (the folder is read correctly)', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('splits a file with edit markers into the versions it holds', () => {
    expect(stepsOf('SELECT 1;\n-- fuzz-edit --\nSELECT 2;\n-- fuzz-edit --\r\nSELECT 3;\n')).toEqual(['SELECT 1;\n', 'SELECT 2;\n', 'SELECT 3;\n']);
    expect(stepsOf('-- a\nSELECT 1;\n')).toEqual(['-- a\nSELECT 1;\n', 'SELECT 1;\n']);
  });

  it.each(files)('%s analyzes without failing, within its budget', (file) => {
    const text = readFileSync(join(folder, file), 'utf8');
    const budgetMs = Number(/^-- budget-ms: (\d+)$/m.exec(text)?.[1] ?? 60_000);
    const steps = stepsOf(text);
    const started = performance.now();
    const problem = runCoreCase({ number: -1, description: file, steps }, 17);
    const ms = performance.now() - started;
    expect(problem).toBeUndefined();
    expect(ms, `${file}: ${steps.length + 1} analyses took ${ms.toFixed(0)} ms`).toBeLessThan(budgetMs);
  }, 300_000);

  // Case 21's cost, counted rather than timed: the catalog appends each index without copying the table's others,
  // and no part of the analysis (the lock model's `table.indexes` used to) reads all of them for every statement.
  it('analyzes unnamed-indexes-on-one-table.sql touching each index a bounded number of times', () => {
    const text = readFileSync(join(folder, 'unnamed-indexes-on-one-table.sql'), 'utf8');
    const statements = text.split('\n').filter((line) => line.startsWith('CREATE INDEX')).length;
    expect(statements).toBeGreaterThanOrEqual(1000);
    const before = indexListSlotsCopied();
    analyzeText(text, { pgVersion: 17 });
    // Reading the whole list per statement costs statements / 2 = 500 per statement on average here.
    expect((indexListSlotsCopied() - before) / statements).toBeLessThan(100);
  });

  const growthFiles = files.filter((f) => /^-- check: linear-growth$/m.test(readFileSync(join(folder, f), 'utf8')));
  // A timing ratio is a benchmark, not a unit test (the machines are shared and noisy): it runs only when asked,
  // e.g. `LOCKSTEP_TIMING_CHECKS=1 npx vitest run test/fuzz/regressions`. Plain runs keep the hang guard above.
  it.runIf(growthFiles.length > 0 && process.env.LOCKSTEP_TIMING_CHECKS === '1').each(growthFiles)('%s costs about twice its first half', (file) => {
    const text = readFileSync(join(folder, file), 'utf8');
    const half = firstHalf(text);
    timeAnalysis(firstHalf(half)); // warm-up: JIT and parser, so neither measurement pays for them
    const halfMs = Math.min(timeAnalysis(half), timeAnalysis(half));
    const fullMs = timeAnalysis(text);
    const ratio = fullMs / halfMs;
    expect(ratio, `${file}: first half ${halfMs.toFixed(0)} ms, whole ${fullMs.toFixed(0)} ms`).toBeLessThan(MAX_GROWTH_RATIO);
  }, 300_000);
});
