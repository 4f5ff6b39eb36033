// Inputs the fuzzer once broke the core with, kept as tests. Every *.sql file in this folder must analyze
// (one-shot and incrementally, with the fuzz run's consistency checks) without an error, within its budget
// (`-- budget-ms: N`, default 10000). A file marked `-- check: linear-growth` must also cost about twice as
// much as its first half: a ratio, so the check holds on a slow or busy machine where absolute times do not.
// Add a file here when `npm run fuzz` finds a failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../../server/src/analysis/analyzer';
import { runCoreCase } from '../harness';

const folder = __dirname;
const files = readdirSync(folder).filter((f) => f.endsWith('.sql')).sort();

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

  it.each(files)('%s analyzes without failing, within its budget', (file) => {
    const text = readFileSync(join(folder, file), 'utf8');
    const budgetMs = Number(/^-- budget-ms: (\d+)$/m.exec(text)?.[1] ?? 60_000);
    // The text as opened, then with its first line deleted: the incremental path sees the input too.
    const steps = [text, text.slice(text.indexOf('\n') + 1)];
    const started = performance.now();
    const problem = runCoreCase({ number: -1, description: file, steps }, 17);
    const ms = performance.now() - started;
    expect(problem).toBeUndefined();
    expect(ms, `${file}: ${steps.length + 1} analyses took ${ms.toFixed(0)} ms`).toBeLessThan(budgetMs);
  }, 300_000);

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
