// The fuzz harness must notice each kind of failure it claims to detect; otherwise a green fuzz run means
// nothing. These feed it a deliberately broken core and a dead server.
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../server/src/analysis/types';
import { coreCaseLimits, FULL_RUN, runCoreCase, type CoreUnderTest } from './harness';
import { buildCase, decodeLikeAnEditor, SPECIAL_CASE_COUNT, type Seed } from './inputs';
import { findRepoRoot, LspDriver } from './lsp-driver';

const seeds: Seed[] = [{ name: 'test:one', text: 'CREATE INDEX ON t (x);\nALTER TABLE t ADD COLUMN c int;\n' }];
const fuzzCase = { number: 0, description: 'test', steps: ['SELECT 1;\n', 'SELECT 12;\n'] };

const statement = (text: string) => ({
  index: 0,
  text: text.trim(),
  start: 0,
  end: text.trim().length,
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: text.trim().length } },
  kind: 'SelectStmt',
});

function fakeCore(analyze: (text: string, fresh: boolean) => AnalysisResult): CoreUnderTest {
  return {
    analyzeText: (text) => analyze(text, true),
    createAnalyzer: () => ({ analyze: (text) => analyze(text, false) }),
  };
}

describe('runCoreCase', () => {
  it('accepts a core that behaves', () => {
    expect(runCoreCase(fuzzCase, 17, fakeCore((text) => ({ statements: [statement(text)], findings: [] })))).toBeUndefined();
  });

  it('reports an exception with its stack', () => {
    const problem = runCoreCase(fuzzCase, 17, fakeCore(() => {
      throw new TypeError('boom');
    }));
    expect(problem).toMatch(/^analyzeText threw: TypeError: boom\n\s+at /);
  });

  it('reports a finding whose range lies outside the text', () => {
    const problem = runCoreCase(fuzzCase, 17, fakeCore((text) => ({
      statements: [statement(text)],
      findings: [{ rule: 'r', severity: 'warning', message: 'm', statement: 0, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } }],
    })));
    expect(problem).toContain('outside the text');
  });

  it('reports an incremental analyzer that disagrees with a fresh analysis', () => {
    const problem = runCoreCase(fuzzCase, 17, fakeCore((text, fresh) => ({
      statements: [statement(text)],
      findings: fresh ? [] : [{ rule: 'stale', severity: 'warning', message: 'm', statement: 0, range: statement(text).range }],
    })));
    expect(problem).toContain('disagrees with analyzeText');
    expect(problem).toContain('stale');
  });
});

describe('buildCase', () => {
  it('rebuilds the same case from the same seed and number, and different ones otherwise', () => {
    const n = SPECIAL_CASE_COUNT + 5;
    expect(buildCase(7, n, seeds, 1)).toEqual(buildCase(7, n, seeds, 1));
    const others = [buildCase(8, n, seeds, 1), buildCase(7, n + 1, seeds, 1), buildCase(7, n + 2, seeds, 1)];
    expect(new Set(others.map((c) => JSON.stringify(c.steps))).size).toBeGreaterThan(1);
  });

  it('decodes invalid UTF-8 with replacement characters, as editors do', () => {
    expect(decodeLikeAnEditor(new Uint8Array([0x53, 0xc3, 0x28, 0xff]))).toBe('S\ufffd(\ufffd');
  });
});

describe('LspDriver', () => {
  it('turns a request to a server that died into an error answer instead of waiting forever', async () => {
    const driver = await LspDriver.start(findRepoRoot(__dirname), { diagnosticsDelayMs: 0 });
    try {
      driver.child.kill('SIGKILL');
      const outcome = await driver.request('textDocument/hover', { textDocument: { uri: 'file:///x.sql' }, position: { line: 0, character: 0 } }, 5000);
      expect(outcome.kind).toBe('error');
      expect(driver.alive()).toBe(false);
      expect(driver.describeExit()).toBe('killed by SIGKILL');
    } finally {
      driver.dispose();
    }
  }, 20_000);
});

describe('coreCaseLimits', () => {
  it('keeps the flat limits for small cases and grows them with the text analyzed (fuzz case 0: 10 MB, 3 analyses)', () => {
    expect(coreCaseLimits(fuzzCase, FULL_RUN)).toEqual({ slowMs: FULL_RUN.slowCaseMs, hangMs: FULL_RUN.hangMs });
    const tenMb = 'SELECT 1;'.repeat(1_111_112);
    const big = coreCaseLimits({ number: 0, description: '10 MB', steps: [tenMb, tenMb] }, FULL_RUN);
    // 3 analyses of 10 million characters: 20 s + 30 × 8 s; the watchdog twice that.
    expect(big.slowMs).toBeGreaterThan(250_000);
    expect(big.slowMs).toBeLessThan(270_000);
    expect(big.hangMs).toBe(2 * big.slowMs);
  });
});
