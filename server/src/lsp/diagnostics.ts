// Converts core findings into LSP diagnostics. This is the only place that knows both shapes.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding, ProvisionalAnalysisResult, Severity } from '../analysis/types';

export const DIAGNOSTIC_SOURCE = 'lockstep';

/** Rule id of the diagnostic published when Lockstep itself fails; it has no documentation page. */
export const INTERNAL_ERROR_CODE = 'internal-error';

/** Code of the diagnostic that says a document was only partly analyzed because of its size. */
export const DOCUMENT_TOO_LARGE_CODE = 'document-too-large';

/** Code of the diagnostic that says how many findings were left out of a document's list. */
export const TOO_MANY_FINDINGS_CODE = 'too-many-findings';

/** Code of the notice a provisional publish carries while the analysis goes on (see analysisInProgressDiagnostic). */
export const ANALYSIS_IN_PROGRESS_CODE = 'analysis-in-progress';

/**
 * At most this many findings are published per document. Beyond it a list helps nobody, while its cost does
 * not stop growing: 100,000 findings are a 36 MB message that takes the server and the editor seconds per edit.
 */
export const MAX_DIAGNOSTICS_PER_DOCUMENT = 1000;

/**
 * Longest message or data string sent. PostgreSQL quotes the offending token in syntax errors, and an
 * unterminated string or dollar quote makes that token the rest of the file — megabytes in one hover.
 */
export const MAX_DIAGNOSTIC_TEXT = 1000;

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function findingToDiagnostic(finding: Finding, docsBaseUrl: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: severities[finding.severity] ?? DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: finding.rule,
    codeDescription: { href: `${docsBaseUrl}${finding.rule}.md` },
    message: shorten(finding.message),
  };
  // Carried so code actions can rebuild fixes from the same named values the message used.
  if (finding.data !== undefined) diagnostic.data = shortenValues(finding.data);
  return diagnostic;
}

/**
 * The first MAX_DIAGNOSTICS_PER_DOCUMENT findings by severity (errors first), then by position, and one more
 * diagnostic at 0:0 saying how many were left out. Under the cap, the list is returned unchanged.
 */
export function capDiagnostics(diagnostics: Diagnostic[], max = MAX_DIAGNOSTICS_PER_DOCUMENT): Diagnostic[] {
  if (diagnostics.length <= max) return diagnostics;
  return withTooManyNote(keptByRank(diagnostics, (d) => d.severity ?? DiagnosticSeverity.Warning, max), diagnostics.length, max);
}

/**
 * `capDiagnostics(findings.map(findingToDiagnostic))`, converting only the findings it keeps: a document of
 * 100,000 findings spent ~100 ms per publish converting and sorting diagnostics it then dropped.
 */
export function cappedDiagnosticsOf(findings: readonly Finding[], docsBaseUrl: string, max = MAX_DIAGNOSTICS_PER_DOCUMENT): Diagnostic[] {
  if (findings.length <= max) return findings.map((f) => findingToDiagnostic(f, docsBaseUrl));
  const kept = keptByRank(findings, (f) => severities[f.severity] ?? DiagnosticSeverity.Warning, max);
  return withTooManyNote(kept.map((f) => findingToDiagnostic(f, docsBaseUrl)), findings.length, max);
}

/** The first `max` items by rank (lowest first), then by position, in their original order; no full sort. */
function keptByRank<T>(items: readonly T[], rank: (item: T) => number, max: number): T[] {
  const counts = new Map<number, number>();
  for (const item of items) {
    const r = rank(item);
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  // Ranks kept whole, and how many of the first rank that does not fit in full.
  let room = max;
  let partialRank = Number.POSITIVE_INFINITY;
  let partialQuota = 0;
  for (const r of [...counts.keys()].sort((a, b) => a - b)) {
    const count = counts.get(r)!;
    if (count <= room) {
      room -= count;
      continue;
    }
    partialRank = r;
    partialQuota = room;
    break;
  }
  const kept: T[] = [];
  for (const item of items) {
    const r = rank(item);
    if (r < partialRank) kept.push(item);
    else if (r === partialRank && partialQuota > 0) {
      kept.push(item);
      partialQuota--;
    }
  }
  return kept;
}

/** The kept diagnostics after a note at 0:0 saying how many of `total` were left out. */
function withTooManyNote(kept: Diagnostic[], total: number, max: number): Diagnostic[] {
  const left = total - max;
  kept.unshift({
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: TOO_MANY_FINDINGS_CODE,
    message:
      `Lockstep found ${total} problems in this file and shows the first ${max} (errors first); ` +
      `${left} more are not listed. Fix the ones shown, or run \`lockstep lint <file>\` to see them all.`,
  });
  return kept;
}

/** Published at 0:0 of a document larger than maxDocumentBytes, which is then only partly analyzed. */
export function documentTooLargeDiagnostic(
  part: { totalBytes: number; lastAnalyzedLine: number },
  maxDocumentBytes: number,
  docsBaseUrl: string,
): Diagnostic {
  const analyzed =
    part.lastAnalyzedLine === 0
      ? 'so Lockstep did not analyze it: its first statement alone reaches past the limit'
      : `so Lockstep analyzed only its statements up to line ${part.lastAnalyzedLine} (the last one that ends ` +
        `within the limit); statements after line ${part.lastAnalyzedLine} are not checked`;
  const diagnostic: Diagnostic = {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: DOCUMENT_TOO_LARGE_CODE,
    message:
      `This file is ${formatBytes(part.totalBytes)}, more than the ${formatBytes(maxDocumentBytes)} Lockstep ` +
      `analyzes while you edit, ${analyzed}. To check the whole file, raise the setting lockstep.maxDocumentBytes ` +
      `(initializationOptions.maxDocumentBytes in other editors) above ${part.totalBytes} — each edit then takes ` +
      'longer to check — or run `lockstep lint` on it.',
    data: { totalBytes: part.totalBytes, maxDocumentBytes, lastAnalyzedLine: part.lastAnalyzedLine },
  };
  const href = docsLink(docsBaseUrl, '../performance.md#document-size-limit');
  if (href) diagnostic.codeDescription = { href };
  return diagnostic;
}

function docsLink(docsBaseUrl: string, relative: string): string | undefined {
  try {
    return new URL(relative, docsBaseUrl).href;
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : 1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} KB`;
  return `${bytes} bytes`;
}

function shorten(text: string): string {
  if (text.length <= MAX_DIAGNOSTIC_TEXT) return text;
  let end = MAX_DIAGNOSTIC_TEXT - 1;
  // Never cut a surrogate pair in half: a lone surrogate is not valid Unicode text.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function shortenValues(data: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  let copy: Record<string, string | number | boolean> | undefined;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' && value.length > MAX_DIAGNOSTIC_TEXT) {
      copy ??= { ...data };
      copy[key] = shorten(value);
    }
  }
  return copy ?? data;
}

/**
 * Published instead of findings when analysis throws, so the user sees that Lockstep is not checking this
 * file: silence would read as "no problems".
 */
export function analysisFailedDiagnostic(error: unknown): Diagnostic {
  return internalError(
    `Lockstep failed while analyzing this file, so it is not being checked: ${reason(error)}. ` +
      'This is a bug in Lockstep. Please open an issue and attach this file (or the smallest part of it that ' +
      'still fails); the full error is in the language server log (the Lockstep output channel in VS Code).',
  );
}

/** Published on every document when the parser could not be loaded at start-up. */
export function parserUnavailableDiagnostic(error: unknown): Diagnostic {
  return internalError(
    `Lockstep could not load its PostgreSQL parser (libpg-query), so no file is being checked: ${reason(error)}. ` +
      'Reinstall or update Lockstep; if this persists, open an issue with the details from the language ' +
      'server log (the Lockstep output channel in VS Code).',
  );
}

function internalError(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    code: INTERNAL_ERROR_CODE,
    message,
  };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Shown with provisional diagnostics, at the first statement not checked yet: that the analysis goes on, how far it
 * is, and that the findings after it may still change. A diagnostic rather than a progress notification: every
 * client shows it, next to the findings it qualifies, and the final publish (which lacks it) removes it.
 * Undefined when the provisional result is exact throughout.
 */
export function analysisInProgressDiagnostic(result: ProvisionalAnalysisResult): Diagnostic | undefined {
  const n = result.statements.length;
  const k = result.exactThrough;
  if (n === 0 && k === 0) {
    return {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      code: ANALYSIS_IN_PROGRESS_CODE,
      message: 'Lockstep is still analyzing this file (reading its statements); its findings appear when it is done.',
    };
  }
  const statement = result.statements[k];
  if (statement === undefined) return undefined;
  return {
    range: { start: statement.range.start, end: statement.range.start },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: ANALYSIS_IN_PROGRESS_CODE,
    message:
      `Lockstep is still analyzing this file (statement ${k + 1} of ${n}): findings from here on are not final yet ` +
      'and are updated when it is done.',
  };
}
