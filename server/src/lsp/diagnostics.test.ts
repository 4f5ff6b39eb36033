import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/types';
import {
  analysisInProgressDiagnostic,
  ANALYSIS_IN_PROGRESS_CODE,
  capDiagnostics,
  cappedDiagnosticsOf,
  documentTooLargeDiagnostic,
  findingToDiagnostic,
  MAX_DIAGNOSTIC_TEXT,
  TOO_MANY_FINDINGS_CODE,
} from './diagnostics';

const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 1 } });

function diagnostic(line: number, severity: DiagnosticSeverity): Diagnostic {
  return { range: at(line), severity, message: `line ${line}`, source: 'lockstep', code: 'x' };
}

describe('findingToDiagnostic', () => {
  it('shortens a megabyte-long message and data value without splitting a surrogate pair', () => {
    const token = `'${'🐘'.repeat(600_000)}`;
    const finding: Finding = {
      rule: 'syntax-error',
      severity: 'error',
      message: `Syntax error: unterminated quoted string at or near "${token}"`,
      range: at(0),
      statement: 0,
      data: { postgresMessage: token, table: 'public.users', count: 3 },
    };
    const d = findingToDiagnostic(finding, 'file:///docs/rules/');
    const message = d.message as string;
    expect(message.length).toBeLessThanOrEqual(MAX_DIAGNOSTIC_TEXT);
    expect(message.startsWith('Syntax error: unterminated quoted string')).toBe(true);
    expect(message.endsWith('…')).toBe(true);
    // No lone surrogate before the ellipsis (🐘 is a pair; the cut must not fall inside one).
    expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(message)).toBe(false);
    expect(String(d.data.postgresMessage).length).toBeLessThanOrEqual(MAX_DIAGNOSTIC_TEXT);
    expect(d.data).toMatchObject({ table: 'public.users', count: 3 });
  });
});

describe('capDiagnostics', () => {
  it('leaves a list within the cap as it is', () => {
    const list = [diagnostic(0, DiagnosticSeverity.Warning), diagnostic(1, DiagnosticSeverity.Error)];
    expect(capDiagnostics(list, 2)).toBe(list);
  });

  it('keeps errors first, then the earliest of the rest, in document order, and says how many it left out', () => {
    const list = [
      diagnostic(0, DiagnosticSeverity.Information),
      diagnostic(1, DiagnosticSeverity.Warning),
      diagnostic(2, DiagnosticSeverity.Error),
      diagnostic(3, DiagnosticSeverity.Warning),
      diagnostic(4, DiagnosticSeverity.Error),
    ];
    const capped = capDiagnostics(list, 3);
    expect(capped[0]).toMatchObject({ code: TOO_MANY_FINDINGS_CODE, range: { start: { line: 0, character: 0 } } });
    expect(capped[0]!.message as string).toContain('5 problems');
    expect(capped[0]!.message as string).toContain('2 more');
    expect(capped.slice(1).map((d) => d.range.start.line)).toEqual([1, 2, 4]);
  });
});

describe('cappedDiagnosticsOf', () => {
  it('gives what capping all converted findings gives, for every cap', () => {
    const severities: Finding['severity'][] = ['info', 'warning', 'error', 'hint', 'warning', 'error', 'error', 'info', 'warning', 'hint'];
    const findings: Finding[] = severities.map((severity, line) => ({ rule: `r${line % 3}`, severity, message: `m${line}`, range: at(line), statement: line }));
    const all = findings.map((f) => findingToDiagnostic(f, 'https://docs/'));
    for (let max = 0; max <= findings.length + 1; max++) {
      const capped = cappedDiagnosticsOf(findings, 'https://docs/', max);
      expect(capped, `cap ${max}`).toEqual(capDiagnostics(all, max));
      // Both select without sorting: checked against a plain sort by severity, then position.
      if (max >= findings.length) continue;
      const bySort = all
        .map((d, i) => ({ d, i }))
        .sort((a, b) => a.d.severity! - b.d.severity! || a.i - b.i)
        .slice(0, max)
        .sort((a, b) => a.i - b.i)
        .map(({ d }) => d);
      expect(capped.slice(1), `cap ${max}`).toEqual(bySort);
    }
  });
});

describe('analysisInProgressDiagnostic', () => {
  const statement = (line: number) => ({ index: line, text: 'x', start: line, end: line + 1, range: at(line), kind: 'SelectStmt' }) as never;

  it('marks the first statement not checked yet, with how far the analysis is', () => {
    const d = analysisInProgressDiagnostic({ statements: [statement(0), statement(1), statement(2)], findings: [], provisional: true, exactThrough: 1 });
    expect(d).toMatchObject({ code: ANALYSIS_IN_PROGRESS_CODE, severity: DiagnosticSeverity.Information, range: { start: { line: 1 }, end: { line: 1 } } });
    expect(d!.message).toContain('statement 2 of 3');
  });

  it('is at 0:0 before any statement is known, and absent when the provisional result is exact throughout', () => {
    expect(analysisInProgressDiagnostic({ statements: [], findings: [], provisional: true, exactThrough: 0 })?.range.start).toEqual({ line: 0, character: 0 });
    expect(analysisInProgressDiagnostic({ statements: [statement(0)], findings: [], provisional: true, exactThrough: 1 })).toBeUndefined();
  });
});

describe('documentTooLargeDiagnostic', () => {
  it('says what happened, what was analyzed and how to raise the limit, with a link to the explanation', () => {
    const d = documentTooLargeDiagnostic({ totalBytes: 10_485_760, lastAnalyzedLine: 8123 }, 1_000_000, 'file:///ext/docs/rules/');
    expect(d).toMatchObject({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Warning,
      code: 'document-too-large',
      codeDescription: { href: 'file:///ext/docs/performance.md#document-size-limit' },
      data: { totalBytes: 10_485_760, maxDocumentBytes: 1_000_000, lastAnalyzedLine: 8123 },
    });
    const message = d.message as string;
    expect(message).toContain('10 MB');
    expect(message).toContain('1.0 MB');
    expect(message).toContain('up to line 8123');
    expect(message).toContain('lockstep.maxDocumentBytes');
    expect(message).toContain('above 10485760');
  });

  it('says nothing was analyzed when the first statement reaches past the limit', () => {
    const d = documentTooLargeDiagnostic({ totalBytes: 2_000_000, lastAnalyzedLine: 0 }, 1_000_000, 'file:///ext/docs/rules/');
    expect(d.message as string).toContain('did not analyze it');
  });
});
