import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/types';
import {
  capDiagnostics,
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
