// The short fuzz run (`npm run fuzz -- --smoke`) as part of `npm test`: the same harness as the full run, with
// the pathological documents at a tenth of their size. Needs the built server (npm test builds first).
import { describe, expect, it } from 'vitest';
import { formatReport, runFuzz, SMOKE_RUN, SPECIAL_CASE_COUNT, type FuzzOptions } from './harness';
import { findRepoRoot } from './lsp-driver';

describe('fuzz smoke run', () => {
  it('survives broken and pathological documents in the core and the server, answering in time', async () => {
    const log: string[] = [];
    const options: FuzzOptions = {
      seed: 1,
      ...SMOKE_RUN,
      replayFlags: '--smoke',
      repoRoot: findRepoRoot(__dirname),
      maxRssMb: 1024,
      log: (line) => log.push(line),
    };
    const report = await runFuzz(options);
    const summary = formatReport(report, options);
    // The whole report (with replay commands) is the failure message.
    expect(report.failures, summary).toEqual([]);
    expect(report.coreCasesRun).toBe(SMOKE_RUN.coreCases);
    expect(report.serverCasesRun).toBe(SMOKE_RUN.serverCases);
    expect(SMOKE_RUN.serverCases).toBeGreaterThan(SPECIAL_CASE_COUNT); // every pathological case reaches the server
    expect(report.serverExit).toBe('exit code 0');
  }, 180_000);
});
