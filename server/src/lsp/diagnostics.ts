// Converts core findings into LSP diagnostics. This is the only place that knows both shapes.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding, Severity } from '../analysis/types';

export const DIAGNOSTIC_SOURCE = 'lockstep';

/** Rule id of the diagnostic published when Lockstep itself fails; it has no documentation page. */
export const INTERNAL_ERROR_CODE = 'internal-error';

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
    message: finding.message,
  };
  // Carried so code actions can rebuild fixes from the same named values the message used.
  if (finding.data !== undefined) diagnostic.data = finding.data;
  return diagnostic;
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
