// analyzeAsync (analysis in slices that yield to the event loop) gives exactly analyze()'s result, and an aborted
// run leaves the analyzer as its last completed analysis left it: the next analyze() equals a fresh analyzer's.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMigration } from '../../../bench/generate-migration';
import { DocumentAnalyzer, initParser } from './analyzer';
import type { AnalysisOptions } from './types';

beforeAll(async () => {
  await initParser();
});

const options: AnalysisOptions = { pgVersion: 16 };
const { text } = generateMigration(600, 3);
/** The same document with one statement changed in the middle, so the incremental path resumes from a checkpoint. */
const edited = text.replace(/;\n/g, (m, offset: number) => (offset > text.length / 2 && offset < text.length / 2 + 200 ? ';\nCREATE INDEX mid_idx ON users (email);\n' : m));

describe('DocumentAnalyzer.analyzeAsync', () => {
  it('gives the same result as analyze(), cold and after an edit, and yields to the event loop meanwhile', async () => {
    expect(edited).not.toBe(text);
    const sync = new DocumentAnalyzer();
    const async = new DocumentAnalyzer();
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    // sliceMs 0: one slice per 16 steps, so the run must cross many event-loop turns whatever the machine speed.
    const cold = await async.analyzeAsync(text, options, { sliceMs: 0 });
    counting = false;
    expect(cold).toEqual(sync.analyze(text, options));
    expect(turns).toBeGreaterThan(10);
    const again = await async.analyzeAsync(edited, options, { sliceMs: 0 });
    expect(again).toEqual(sync.analyze(edited, options));
    expect(async.lastWork).toEqual(sync.lastWork);
  });

  it('stops when aborted, returns cancelled, and keeps the state of the last completed analysis', async () => {
    const analyzer = new DocumentAnalyzer();
    analyzer.analyze(text, options);
    const workBefore = analyzer.lastWork;
    const controller = new AbortController();
    let turns = 0;
    const tick = (): void => {
      // Abort a few turns in, mid-way through the run.
      if (++turns === 5) controller.abort();
      else setImmediate(tick);
    };
    setImmediate(tick);
    const outcome = await analyzer.analyzeAsync(`${edited}\nCREATE TABLE extra (id int);\n`, options, { signal: controller.signal, sliceMs: 0 });
    expect(outcome).toBe('cancelled');
    expect(turns).toBe(5);
    expect(analyzer.lastWork).toBe(workBefore);
    // The aborted run committed nothing: the incremental analysis of the edit equals a fresh one.
    expect(analyzer.analyze(edited, options)).toEqual(new DocumentAnalyzer().analyze(edited, options));
  });

  it('returns cancelled at once for an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const analyzer = new DocumentAnalyzer();
    expect(await analyzer.analyzeAsync(text, options, { signal: controller.signal })).toBe('cancelled');
    expect(analyzer.analyze(text, options)).toEqual(new DocumentAnalyzer().analyze(text, options));
  });
});
