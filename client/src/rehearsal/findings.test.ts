import { describe, expect, it } from 'vitest';
import { compact, rehearsalDiagnostics, resultLenses } from './findings';
import { sampleReport } from './sample-report.test-data';

const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 20 } });

describe('rehearsalDiagnostics', () => {
  it('gives one warning per statement and table, naming reads and writes together, with the measured figure', () => {
    const diagnostics = rehearsalDiagnostics({ report: sampleReport(), ranges: [{ index: 0, range: range(1) }, { index: 1, range: range(2) }] });
    expect(diagnostics.map((d) => [d.statement, d.severity, d.code, d.range.start.line])).toEqual([
      [0, 'warning', 'rehearsal-blocking', 1],
      [1, 'warning', 'rehearsal-blocking', 2],
    ]);
    expect(diagnostics[0]!.message).toBe(
      'Rehearsal: AccessExclusive on orders blocks reads and writes ≈ 24.0 s at 1M rows (measured 45 ms at 4k), held until its COMMIT',
    );
    expect(diagnostics[1]!.message).toMatch(/^Rehearsal: Share on orders blocks writes/);
  });

  it('falls back to the report line when the server had no range, and reports a failed statement as an error', () => {
    const report = sampleReport();
    report.findings = [];
    report.statements[1]!.error = { message: 'relation "x" does not exist', code: '42P01', line: 3, column: 1, size: 4000 };
    const [failed] = rehearsalDiagnostics({ report, ranges: [null, null] });
    expect(failed).toMatchObject({ statement: 1, severity: 'error', code: 'rehearsal-failed' });
    expect(failed!.range.start).toEqual({ line: 2, character: 0 });
    expect(failed!.message).toContain('SQLSTATE 42P01');
  });

  it('says "measured" when there is no target to extrapolate to', () => {
    const report = sampleReport();
    report.findings = report.findings.map((f) => ({ ...f, basis: 'measured', rows: 4000, ms: 1500 }));
    expect(rehearsalDiagnostics({ report, ranges: [] })[0]!.message).toContain('1.50 s at 4k rows (measured; no --rows target');
  });
});

describe('resultLenses', () => {
  it('shows the headline figure above each measured statement', () => {
    const lenses = resultLenses({ report: sampleReport(), ranges: [] });
    expect(lenses.map((l) => l.title)).toEqual(['Rehearsal: ≈ 11.0 s at 1M rows · blocks reads 24.0 s', 'Rehearsal: ≈ 13.0 s at 1M rows · blocks writes 24.0 s']);
  });
});

describe('compact', () => {
  it('shortens row counts', () => {
    expect([999, 1000, 12_500, 50_000_000, 2_000_000_000].map(compact)).toEqual(['999', '1k', '12.5k', '50M', '2G']);
  });
});
