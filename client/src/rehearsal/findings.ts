// What a finished rehearsal puts in the editor: diagnostics on the statements whose blocking window exceeds the
// threshold (and on a statement that failed), and the headline figure above each measured statement. Plain data
// with LSP-style ranges; extension.ts converts to vscode types. Pure, so unit-tested.
import { formatMs, shortTable } from '../../../server/src/cli/formatters/rehearsal-common';
import type { LspRange, RehearseResult } from '../../../server/src/lsp/rehearse-protocol';
import type { RehearsalReport, StatementReport } from '../../../server/src/rehearsal/report';

export const REHEARSAL_SOURCE = 'lockstep rehearsal';

export interface RehearsalDiagnostic {
  statement: number;
  range: LspRange;
  severity: 'warning' | 'error';
  message: string;
  /** 'rehearsal-blocking' or 'rehearsal-failed': what the Problems panel shows beside the source. */
  code: string;
}

export interface ResultLens {
  statement: number;
  range: LspRange;
  title: string;
}

/** One diagnostic per statement and table whose reads or writes wait longer than the threshold; one per failure. */
export function rehearsalDiagnostics(result: Pick<RehearseResult, 'report' | 'ranges'>): RehearsalDiagnostic[] {
  const { report } = result;
  const diagnostics: RehearsalDiagnostic[] = [];
  const groups = new Map<string, RehearsalReport['findings']>();
  for (const finding of report.findings) {
    const key = `${finding.statement}\u0000${finding.table}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  for (const group of groups.values()) {
    const worst = [...group].sort((a, b) => b.ms - a.ms)[0]!;
    const statement = report.statements.find((s) => s.index === worst.statement);
    const workloads = group.some((f) => f.workload === 'reads') && group.some((f) => f.workload === 'writes') ? 'reads and writes' : worst.workload;
    const figure = worst.basis === 'estimate' ? `≈ ${formatMs(worst.ms)} at ${compact(worst.rows)} rows` : `${formatMs(worst.ms)} at ${compact(worst.rows)} rows`;
    const sample = statement?.samples.at(-1);
    const measured = worst.basis === 'estimate' && sample ? ` (measured ${formatMs(sample.ms)} at ${compact(sample.rows)})` : worst.basis === 'measured' ? ' (measured; no --rows target to extrapolate to)' : '';
    diagnostics.push({
      statement: worst.statement,
      range: rangeOf(result, worst.statement, worst.line),
      severity: 'warning',
      code: 'rehearsal-blocking',
      message: `Rehearsal: ${worst.mode.replace(/Lock$/, '')} on ${shortTable(worst.table)} blocks ${workloads} ${figure}${measured}, held ${worst.heldUntil}`,
    });
  }
  for (const statement of report.statements) {
    if (!statement.error) continue;
    const e = statement.error;
    diagnostics.push({
      statement: statement.index,
      range: rangeOf(result, statement.index, statement.line),
      severity: 'error',
      code: 'rehearsal-failed',
      message: `Rehearsal: statement ${statement.index + 1} failed at ${compact(e.size)} rows: ${e.message} (SQLSTATE ${e.code})${e.hint ? `. ${e.hint}` : ''}`,
    });
  }
  return diagnostics.sort((a, b) => a.statement - b.statement);
}

/** Above each measured statement: "Rehearsal: ≈ 61 s at 50M rows · blocks writes 61 s" (or the measured figure). */
export function resultLenses(result: Pick<RehearseResult, 'report' | 'ranges'>): ResultLens[] {
  const lenses: ResultLens[] = [];
  for (const statement of result.report.statements) {
    const title = lensTitle(statement);
    if (title !== undefined) lenses.push({ statement: statement.index, range: rangeOf(result, statement.index, statement.line), title });
  }
  return lenses;
}

function lensTitle(statement: StatementReport): string | undefined {
  if (statement.error) return `Rehearsal: failed at ${compact(statement.error.size)} rows`;
  const sample = statement.samples.at(-1);
  if (!sample) return undefined;
  const duration = statement.estimate
    ? `≈ ${formatMs(statement.estimate.ms)} at ${compact(statement.estimate.rows)} rows`
    : `${formatMs(sample.ms)} at ${compact(sample.rows)} rows (measured)`;
  const blocking = statement.blocking;
  const longest = (workload: 'reads' | 'writes'): number => Math.max(0, ...Object.values(blocking?.[workload] ?? {}));
  const reads = longest('reads');
  const writes = longest('writes');
  const blocks = reads > 0 ? ` · blocks reads ${formatMs(reads)}` : writes > 0 ? ` · blocks writes ${formatMs(writes)}` : ' · blocks nothing';
  return `Rehearsal: ${duration}${blocks}`;
}

/** The statement's range from the server, else its first line (the report's 1-based line) as a whole. */
function rangeOf(result: Pick<RehearseResult, 'ranges'>, statement: number, line: number): LspRange {
  const known = result.ranges.find((r) => r?.index === statement);
  if (known) return known.range;
  const zeroBased = Math.max(0, line - 1);
  // Character 10_000: editors clamp a range to the line's end.
  return { start: { line: zeroBased, character: 0 }, end: { line: zeroBased, character: 10_000 } };
}

/** 50000000 → 50M, 1000000 → 1M, 12500 → 12.5k. */
export function compact(rows: number): string {
  if (rows >= 1e9) return `${+(rows / 1e9).toFixed(1)}G`;
  if (rows >= 1e6) return `${+(rows / 1e6).toFixed(1)}M`;
  if (rows >= 1e3) return `${+(rows / 1e3).toFixed(1)}k`;
  return String(rows);
}
