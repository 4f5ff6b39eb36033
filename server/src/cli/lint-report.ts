// What `lockstep lint` found, independent of how it is printed.
import { isAbsolute, relative, sep } from 'node:path';
import type { Finding, Severity } from '../analysis/types';

export interface LintedFile {
  /** As shown to the user: relative to the working directory when inside it, else absolute. */
  displayPath: string;
  /** Sorted by position, then rule id, so output is stable across runs. */
  findings: Finding[];
  /** Findings a `-- lockstep-ignore` comment suppressed (not in `findings`). */
  suppressed?: number;
}

export function displayPathFor(absolutePath: string, cwd: string): string {
  const rel = relative(cwd, absolutePath);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return absolutePath;
  return rel;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

export function countBySeverity(files: readonly LintedFile[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const file of files) for (const finding of file.findings) counts[finding.severity]++;
  return counts;
}

/**
 * e.g. "3 findings (1 error, 2 warnings) in 2 of 5 files" or "no findings in 5 files", followed by
 * "; 2 suppressed by lockstep-ignore comments" when comments suppressed any.
 */
export function summaryLine(files: readonly LintedFile[]): string {
  const counts = countBySeverity(files);
  const total = counts.error + counts.warning + counts.info + counts.hint;
  const fileCount = plural(files.length, 'file');
  const suppressed = files.reduce((n, f) => n + (f.suppressed ?? 0), 0);
  const suffix = suppressed > 0 ? `; ${suppressed} suppressed by lockstep-ignore comments` : '';
  if (total === 0) return `no findings in ${fileCount}${suffix}`;
  const parts = (['error', 'warning', 'info', 'hint'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => (s === 'info' ? `${counts[s]} info` : plural(counts[s], s)));
  const withFindings = files.filter((f) => f.findings.length > 0).length;
  return `${plural(total, 'finding')} (${parts.join(', ')}) in ${withFindings} of ${fileCount}${suffix}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
