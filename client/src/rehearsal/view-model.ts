// A rehearsal report (server/src/rehearsal/report.ts, the `lockstep rehearse --format json` contract) turned into
// what the report view draws: a lock timeline per table, duration-vs-rows series with the fitted extrapolation,
// the per-statement table and the per-table blocking summary. Pure data in, pure data out — no vscode, no HTML —
// so it is unit-tested without an editor. The table cells come from the CLI's own formatter (rehearsal-common), so
// the view, the terminal and the Markdown export never disagree about a number.
import { contentionLines, findingLines, formatMs, formatRows, headline, shortTable, statementRows, targetLine, type StatementRow } from '../../../server/src/cli/formatters/rehearsal-common';
import { blockedWorkloads, LOCK_MODES, type LockMode } from '../../../server/src/analysis/lockmodel/lock-modes';
import type { ContentionRun, QueueRun, RehearsalReport, StatementReport, WorkloadStats } from '../../../server/src/rehearsal/report';

/** Weakest to strongest (the lock model's order); a bar's height and colour follow the position. */
export const LOCK_ORDER: readonly LockMode[] = LOCK_MODES;

export interface TimelineCell {
  /** 0-based statement index. */
  statement: number;
  mode: LockMode;
  /** 1 (AccessShare) … 8 (AccessExclusive). */
  strength: number;
  heldMs: number;
  blocksReads: boolean;
  blocksWrites: boolean;
}

export interface TimelineRow {
  table: string;
  /** The strongest lock per statement on this table, in statement order; statements that do not lock it are absent. */
  cells: TimelineCell[];
}

export interface ChartSeries {
  statement: number;
  label: string;
  subject: string | null;
  points: Array<{ rows: number; ms: number }>;
  /** The fitted extrapolation to the production row count, when there is a --rows target for the subject. */
  estimate: { rows: number; ms: number; lowMs: number; highMs: number; model: string } | null;
}

export interface BlockingRow {
  table: string;
  /** The longest wait for reads/writes on the table, which statement causes it, and on what basis. */
  reads: { ms: number; statement: number; text: string } | null;
  writes: { ms: number; statement: number; text: string } | null;
}

/** One row of the contention table: what the clients' queries waited while the migration ran. */
export interface WaitRow {
  /** Short table name, or 'all' for every query together. */
  table: string;
  kind: 'read' | 'insert' | 'update' | 'all';
  queries: number;
  maxMs: number;
  p99Ms: number;
  timedOut: number;
  /** Other failures, e.g. "2 × 40P01 (deadlock)"; empty when none. */
  errors: string;
}

export interface QueueSeries {
  /** "no lock_timeout" / "lock_timeout 2 s (recommended)". */
  label: string;
  /** What happened in words: how long the migration waited, how it ended, how many clients queued. */
  summary: string;
  maxQueued: number;
  /** Client sessions waiting for a lock over time (ms from the migration's start), as a step function. */
  points: Array<{ ms: number; queued: number }>;
  /** Where the line ends: the migration's end (or failure), or the last sample. */
  endMs: number;
  bounded: boolean;
}

export interface ContentionView {
  /** The CLI's heading: size, clients, rate, tables, statement_timeout. */
  heading: string;
  /** How the migration itself fared under the workload. */
  migration: string | null;
  waits: WaitRow[];
  queue: { table: string; blockerHoldMs: number; series: QueueSeries[] } | null;
  notes: string[];
}

export interface ReportViewModel {
  title: string;
  status: RehearsalReport['status'];
  verdict: string;
  headline: string;
  target: string;
  sizes: string[];
  statements: Array<StatementRow & { index: number; failed: boolean }>;
  timeline: { statementCount: number; rows: TimelineRow[] };
  charts: ChartSeries[];
  blocking: BlockingRow[];
  findings: Array<{ line: number; text: string }>;
  error: string | null;
  notes: string[];
  /** The simulated workload and lock-queue demo (`--workload` / lockstep.rehearsal.workload); null when it did not run. */
  contention: ContentionView | null;
}

export function reportViewModel(report: RehearsalReport): ReportViewModel {
  const findings = findingLines(report);
  return {
    title: `Rehearsal: ${report.file}`,
    status: report.status,
    verdict: verdictOf(report, findings.length),
    headline: headline(report),
    target: targetLine(report),
    sizes: report.sizes.map((s) => `${formatRows(s)} rows`),
    statements: statementRows(report, 70).map((row, k) => ({ ...row, index: report.statements[k]!.index, failed: report.statements[k]!.error !== undefined })),
    timeline: { statementCount: report.statements.length, rows: timelineRows(report.statements) },
    charts: report.statements.flatMap((s) => chartSeries(s)),
    blocking: blockingRows(report.statements),
    findings,
    error: report.error ? `${report.error.file ? `${report.error.file}${report.error.line ? `:${report.error.line}` : ''}: ` : ''}${report.error.message}${report.error.hint ? ` — ${report.error.hint}` : ''}` : null,
    notes: [...report.skippedSizes.map((s) => `skipped ${formatRows(s.rows)} rows: ${s.reason}`), ...report.notes],
    contention: contentionView(report),
  };
}

export function contentionView(report: RehearsalReport): ContentionView | null {
  const c = report.contention;
  if (!c) return null;
  const waitRow = (table: string, kind: WaitRow['kind'], stats: WorkloadStats): WaitRow => ({
    table,
    kind,
    queries: stats.queries,
    maxMs: stats.maxMs,
    p99Ms: stats.p99Ms,
    timedOut: stats.timedOut,
    errors: stats.errors.map((e) => `${e.count} × ${e.code}${e.code === '40P01' ? ' (deadlock)' : ''}`).join(', '),
  });
  const waits = c.workload ? [...c.workload.byQuery.map((q) => waitRow(shortTable(q.table), q.kind, q)), waitRow('all', 'all', c.workload.all)] : [];
  return {
    heading: contentionLines(report)!.heading,
    migration: c.workload ? `The migration ${migrationOutcome(c.workload.migration)} with the workload running.` : null,
    waits,
    queue: c.queue
      ? { table: shortTable(c.queue.table), blockerHoldMs: c.queue.blockerHoldMs, series: c.queue.runs.map((run) => queueSeries(run)) }
      : null,
    notes: c.notes,
  };
}

function migrationOutcome(m: ContentionRun['migration']): string {
  if (m.status === 'completed') return `completed in ${formatMs(m.ms)}`;
  const why = m.code === '55P03' ? ': lock_timeout' : m.code === '40P01' ? ': deadlock' : '';
  return `failed after ${formatMs(m.ms)} at statement ${(m.statement ?? 0) + 1} (${m.code ?? 'error'}${why})`;
}

function queueSeries(run: QueueRun): QueueSeries {
  const label = run.lockTimeoutMs === null ? 'no lock_timeout' : `lock_timeout ${formatMs(run.lockTimeoutMs)} (${run.lockTimeoutSource === 'file' ? "the file's" : 'recommended'})`;
  const points = run.timeline.map((p) => ({ ms: p.ms, queued: p.queued }));
  const endMs = Math.max(run.migration.ms, points.at(-1)?.ms ?? 0);
  return {
    label,
    summary:
      `the migration waited ${formatMs(run.migrationWaitedMs)} for its lock and ${migrationOutcome(run.migration)}; ` +
      `up to ${run.maxQueued} client${run.maxQueued === 1 ? '' : 's'} queued; slowest client ${formatMs(run.workload.maxMs)}, ${run.workload.timedOut} timed out`,
    maxQueued: run.maxQueued,
    points,
    endMs,
    bounded: run.lockTimeoutMs !== null,
  };
}

function verdictOf(report: RehearsalReport, findings: number): string {
  if (report.status === 'cancelled') return 'cancelled (partial results)';
  if (report.status === 'failed') return 'failed';
  return findings === 0 ? `nothing blocks longer than ${formatMs(report.thresholdMs)}` : `${findings} blocking finding${findings === 1 ? '' : 's'}`;
}

/** Tables (pre-existing ones: only they can have waiters) × statements, from the largest sample of each statement. */
function timelineRows(statements: readonly StatementReport[]): TimelineRow[] {
  const rows = new Map<string, Map<number, TimelineCell>>();
  for (const statement of statements) {
    for (const lock of statement.samples.at(-1)?.locks ?? []) {
      if (!lock.preexisting || lock.table === null) continue;
      const cells = rows.get(lock.table) ?? new Map<number, TimelineCell>();
      rows.set(lock.table, cells);
      const strength = LOCK_ORDER.indexOf(lock.mode) + 1;
      const known = cells.get(statement.index);
      if (known && known.strength >= strength) continue;
      cells.set(statement.index, { statement: statement.index, mode: lock.mode, strength, heldMs: lock.heldMs, ...blocks(lock.mode) });
    }
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([table, cells]) => ({ table, cells: [...cells.values()].sort((a, b) => a.statement - b.statement) }));
}

/** Which ordinary work the mode makes wait, from the lock model's conflict table. */
function blocks(mode: LockMode): { blocksReads: boolean; blocksWrites: boolean } {
  const workloads = blockedWorkloads(mode);
  return { blocksReads: workloads.includes('reads'), blocksWrites: workloads.includes('writes') };
}

function chartSeries(statement: StatementReport): ChartSeries[] {
  const points = statement.samples.filter((s) => s.rows > 0).map((s) => ({ rows: s.rows, ms: s.ms }));
  if (points.length === 0) return [];
  const e = statement.estimate;
  return [
    {
      statement: statement.index,
      label: `${statement.index + 1}. ${statement.kind}${statement.subject ? ` on ${shortTable(statement.subject)}` : ''}`,
      subject: statement.subject,
      points,
      estimate: e ? { rows: e.rows, ms: e.ms, lowMs: e.lowMs, highMs: e.highMs, model: e.model } : null,
    },
  ];
}

function blockingRows(statements: readonly StatementReport[]): BlockingRow[] {
  const rows = new Map<string, BlockingRow>();
  for (const statement of statements) {
    for (const workload of ['reads', 'writes'] as const) {
      for (const [table, ms] of Object.entries(statement.blocking?.[workload] ?? {})) {
        const row = rows.get(table) ?? { table, reads: null, writes: null };
        rows.set(table, row);
        if (row[workload] !== null && row[workload].ms >= ms) continue;
        const basis = statement.blocking?.basis === 'estimate' ? `~${formatMs(ms)} at ${formatRows(statement.blocking.rows)} rows` : `${formatMs(ms)} (measured)`;
        row[workload] = { ms, statement: statement.index, text: `${basis} — statement ${statement.index + 1}` };
      }
    }
  }
  return [...rows.values()].sort((a, b) => Math.max(b.reads?.ms ?? 0, b.writes?.ms ?? 0) - Math.max(a.reads?.ms ?? 0, a.writes?.ms ?? 0));
}

/** The status bar's and CodeLens' one-line summary of a finished rehearsal. */
export function reportHeadline(report: RehearsalReport): string {
  if (report.status === 'cancelled') return 'rehearsal cancelled';
  if (report.status === 'failed') return 'rehearsal failed';
  const worst = [...report.findings].sort((a, b) => b.ms - a.ms)[0];
  if (!worst) return `no blocking > ${formatMs(report.thresholdMs)}`;
  return `${worst.workload === 'reads' ? 'blocks reads' : 'blocks writes'} ${worst.basis === 'estimate' ? '~' : ''}${formatMs(worst.ms)} on ${shortTable(worst.table)}`;
}
