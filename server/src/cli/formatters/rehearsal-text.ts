// `lockstep rehearse --format text`: a summary table, then findings, skipped sizes and notes.
import type { RehearsalReport } from '../../rehearsal/report';
import { contentionLines, errorLines, findingLines, formatMs, formatRows, headline, memoryLine, seedingLine, statementRows, targetLine } from './rehearsal-common';

export function formatRehearsalText(report: RehearsalReport): string {
  const out: string[] = [];
  out.push(`Rehearsal of ${report.file} — ${headline(report)}`);
  if (report.replayed.length > 0) out.push(`replayed ${report.replayed.length} earlier migration${report.replayed.length === 1 ? '' : 's'}`);
  const seeded = seedingLine(report);
  if (seeded) out.push(seeded);
  out.push(targetLine(report));
  const memory = memoryLine(report);
  if (memory) out.push(memory);
  out.push('');

  if (report.statements.length > 0) {
    const rows = statementRows(report, 44);
    const header = ['#', 'line', 'statement', 'locks', 'effect', ...report.sizes.map((s) => `${formatRows(s)} rows`), 'estimate at target', 'blocks reads', 'blocks writes'];
    const body = rows.map((r) => [r.number, r.line, r.statement, r.locks, r.effect, ...r.measured, r.estimate, r.reads, r.writes]);
    out.push(...table(header, body, new Set([0, 1, ...report.sizes.map((_, i) => 5 + i)])));
    out.push('');
  }

  if (report.findings.length > 0) {
    out.push(`Findings (blocking longer than ${formatMs(report.thresholdMs)}):`);
    for (const f of findingLines(report)) out.push(`  ${report.file}:${f.line}  ${f.text}`);
    out.push('');
  } else if (report.status === 'completed') {
    out.push(`No statement blocks reads or writes for longer than ${formatMs(report.thresholdMs)}.`);
    out.push('');
  }

  for (const statement of report.statements) {
    if (!statement.error) continue;
    const e = statement.error;
    out.push(`${report.file}:${e.line}:${e.column}: statement ${statement.index + 1} failed at ${formatRows(e.size)} rows: ${e.message} (SQLSTATE ${e.code})`);
    if (e.detail) out.push(`  detail: ${e.detail}`);
    if (e.hint) out.push(`  hint: ${e.hint}`);
  }
  if (report.error && report.error.phase !== 'run') out.push(...errorLines(report).map((line, i) => (i === 0 ? `error: ${line}` : `  ${line}`)));
  const contention = contentionLines(report);
  if (contention) {
    out.push(`${contention.heading}:`);
    for (const line of contention.lines) out.push(`  ${line}`);
    out.push('');
  }
  for (const skipped of report.skippedSizes) out.push(`skipped ${formatRows(skipped.rows)} rows: ${skipped.reason}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  if (report.status === 'cancelled') out.push('Cancelled: results above are partial.');
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** Left-aligned columns separated by two spaces; `right` columns (numbers) are right-aligned. */
function table(header: string[], body: string[][], right: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const render = (row: string[]): string =>
    row.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...body.map(render)];
}
