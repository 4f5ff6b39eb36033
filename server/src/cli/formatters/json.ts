// `--format json`: a stable contract for tools. Positions are 0-based UTF-16 like LSP. Bump `version` on
// any incompatible change; adding fields is compatible.
import { sep } from 'node:path';
import type { Range, Severity } from '../../analysis/types';
import type { LintedFile } from '../lint-report';

export const JSON_REPORT_VERSION = 1;

export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  files: Array<{
    path: string;
    findings: Array<{ rule: string; severity: Severity; message: string; range: Range; statement: number }>;
  }>;
}

export function toJsonReport(files: readonly LintedFile[]): JsonReport {
  return {
    version: JSON_REPORT_VERSION,
    files: files.map((file) => ({
      // Forward slashes on every platform, so the output of a CI run does not depend on its OS.
      path: sep === '\\' ? file.displayPath.split(sep).join('/') : file.displayPath,
      findings: file.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        range: {
          start: { line: f.range.start.line, character: f.range.start.character },
          end: { line: f.range.end.line, character: f.range.end.character },
        },
        statement: f.statement,
      })),
    })),
  };
}

export function formatJson(files: readonly LintedFile[]): string {
  return `${JSON.stringify(toJsonReport(files), null, 2)}\n`;
}
