// `lockstep rehearse --format markdown`: a pull-request comment (GitHub-flavoured tables, details for notes).
import type { RehearsalReport } from '../../rehearsal/report';
import { contentionLines, errorLines, findingLines, formatMs, formatRows, headline, memoryLine, seedingLine, statementRows, targetLine } from './rehearsal-common';

export function formatRehearsalMarkdown(report: RehearsalReport): string {
  const out: string[] = [];
  const verdict =
    report.status === 'cancelled'
      ? 'cancelled (partial results)'
      : report.status === 'failed'
        ? 'failed'
        : report.findings.length > 0
          ? `${findingLines(report).length} blocking finding${findingLines(report).length === 1 ? '' : 's'}`
          : 'no blocking finding';
  out.push(`### Lockstep rehearsal: \`${escapeCode(report.file)}\` — ${verdict}`);
  out.push('');
  out.push([headline(report), seedingLine(report), targetLine(report)].filter(Boolean).join(' · '));
  out.push('');

  if (report.statements.length > 0) {
    const rows = statementRows(report, 60);
    const header = ['#', 'Line', 'Statement', 'Locks', 'Effect', ...report.sizes.map((s) => `${formatRows(s)} rows`), 'Estimate at target', 'Blocks reads', 'Blocks writes'];
    out.push(`| ${header.join(' | ')} |`);
    out.push(`|${header.map((_, i) => (i < 2 || (i >= 5 && i < 5 + report.sizes.length) ? ' ---: ' : ' --- ')).join('|')}|`);
    for (const r of rows) {
      const cells = [r.number, r.line, `\`${escapeCode(r.statement)}\``, r.locks, r.effect, ...r.measured, r.estimate, r.reads, r.writes];
      out.push(`| ${cells.map(escapeCell).join(' | ')} |`);
    }
    out.push('');
  }

  if (report.findings.length > 0) {
    out.push(`**Blocking longer than ${formatMs(report.thresholdMs)}**`);
    out.push('');
    for (const f of findingLines(report)) out.push(`- ⚠️ line ${f.line}: ${escapeCell(f.text)}`);
    out.push('');
  }
  const failures = report.statements.filter((s) => s.error);
  for (const s of failures) {
    out.push(`- ❌ line ${s.error!.line}: statement ${s.index + 1} failed at ${formatRows(s.error!.size)} rows: ${escapeCell(s.error!.message)} (SQLSTATE ${s.error!.code})`);
  }
  if (report.error && report.error.phase !== 'run') out.push(`- ❌ ${errorLines(report).map(escapeCell).join(' — ')}`);
  if (failures.length > 0 || (report.error && report.error.phase !== 'run')) out.push('');

  const contention = contentionLines(report);
  if (contention) {
    out.push(`**${escapeCell(contention.heading)}**`);
    out.push('');
    for (const line of contention.lines) out.push(`${line.startsWith('  ') ? '  - ' : '- '}${escapeCell(line.trim())}`);
    out.push('');
  }
  const memory = memoryLine(report);
  const details = [
    ...(memory ? [memory] : []),
    ...report.skippedSizes.map((s) => `skipped ${formatRows(s.rows)} rows: ${s.reason}`),
    ...report.notes,
    ...(contention ? [] : ['Concurrent traffic was not simulated (run with --workload to see what the application would wait).']),
  ];
  out.push('<details><summary>Notes</summary>');
  out.push('');
  for (const line of details) out.push(`- ${escapeCell(line)}`);
  out.push('');
  out.push('</details>');
  return `${out.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'");
}
