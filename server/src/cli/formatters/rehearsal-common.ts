// Pieces shared by the text and markdown renderings of a rehearsal report: one row per statement.
import type { ContentionRun, RehearsalReport, StatementReport, WorkloadStats } from '../../rehearsal/report';

import { formatDuration as formatMs } from '../../rehearsal/report';

export { formatMs };

export function formatRows(rows: number): string {
  return rows.toLocaleString('en-US');
}

/** public.orders → orders: the public schema is the default everyone reads past. */
export function shortTable(name: string): string {
  return name.startsWith('public.') ? name.slice('public.'.length) : name;
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface StatementRow {
  number: string;
  line: string;
  statement: string;
  locks: string;
  effect: string;
  /** One cell per report.sizes entry. */
  measured: string[];
  estimate: string;
  reads: string;
  writes: string;
}

export function statementRows(report: RehearsalReport, statementWidth: number): StatementRow[] {
  return report.statements.map((s) => ({
    number: String(s.index + 1),
    line: String(s.line),
    statement: oneLine(s.text, statementWidth),
    locks: locksCell(s),
    effect: effectCell(s),
    measured: report.sizes.map((size) => {
      const sample = s.samples.find((x) => x.size === size);
      if (sample) return formatMs(sample.ms);
      if (s.error && s.error.size === size) return 'failed';
      return '—';
    }),
    estimate: estimateCell(s),
    reads: blockingCell(s, 'reads'),
    writes: blockingCell(s, 'writes'),
  }));
}

/** The strongest lock on each pre-existing table the statement locked: "AccessExclusive orders". */
function locksCell(s: StatementReport): string {
  const sample = s.samples.at(-1);
  if (!sample) return s.error ? 'error' : '—';
  const strongest = new Map<string, string>();
  const order = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
  for (const lock of sample.locks) {
    if (!lock.preexisting || lock.table === null) continue;
    const known = strongest.get(lock.table);
    if (!known || order.indexOf(lock.mode) > order.indexOf(known)) strongest.set(lock.table, lock.mode);
  }
  if (strongest.size === 0) return sample.locks.length > 0 ? 'new objects only' : 'none';
  return [...strongest].map(([table, mode]) => `${mode.replace(/Lock$/, '')} ${shortTable(table)}`).join(', ');
}

function effectCell(s: StatementReport): string {
  const sample = s.samples.at(-1);
  if (!sample) return '—';
  const parts = [sample.rewrite ? 'rewrite' : '', sample.scan ? 'scan' : ''].filter(Boolean);
  return parts.length > 0 ? parts.join('+') : 'catalog';
}

function estimateCell(s: StatementReport): string {
  if (!s.estimate) return s.estimateNote?.startsWith('no --rows') ? 'no target' : '—';
  const e = s.estimate;
  return `${formatMs(e.ms)} (${formatMs(e.lowMs)}–${formatMs(e.highMs)})`;
}

function blockingCell(s: StatementReport, workload: 'reads' | 'writes'): string {
  const entries = Object.entries(s.blocking?.[workload] ?? {});
  if (entries.length === 0) return s.blocking ? 'no' : '—';
  const suffix = s.blocking?.basis === 'measured' ? ' (measured)' : '';
  return entries.map(([table, ms]) => `${formatMs(ms)} ${shortTable(table)}`).join(', ') + suffix;
}

export function headline(report: RehearsalReport): string {
  const server = report.server.version ? `PostgreSQL ${report.server.version}${report.server.embedded ? ' (embedded)' : ''}` : 'no server';
  return `${server} · ${report.transaction.reason || 'not run'}`;
}

export function targetLine(report: RehearsalReport): string {
  if (!report.target) return 'no --rows target: durations are measured only, not extrapolated';
  return `target: ${Object.entries(report.target).map(([t, n]) => `${shortTable(t)} ${formatRows(n)} rows`).join(', ')}`;
}

export function seedingLine(report: RehearsalReport): string | undefined {
  const last = report.seeding.at(-1);
  if (!last) return undefined;
  const tables = last.tables.length > 0 ? last.tables.map((t) => shortTable(t.table)).join(', ') : 'from a template';
  const reused = report.seeding.filter((s) => s.reused).length;
  return `seeded ${tables}${reused > 0 ? ` (${reused} of ${report.seeding.length} sizes reused a template)` : ''}`;
}

export function errorLines(report: RehearsalReport): string[] {
  const error = report.error;
  if (!error) return [];
  const where = error.file ? `${error.file}${error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : ''}: ` : '';
  return [`${where}${error.message}`, ...(error.hint ? [error.hint] : [])];
}

/**
 * One line per statement and table: "statement 1 blocks reads and writes on public.orders for ~4.1 min
 * (3.5 min–5.2 min) at 50,000,000 rows: AccessExclusiveLock held until its COMMIT".
 */
export function findingLines(report: RehearsalReport): Array<{ line: number; text: string }> {
  const groups = new Map<string, RehearsalReport['findings']>();
  for (const finding of report.findings) {
    const key = `${finding.statement}\u0000${finding.table}\u0000${finding.ms}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.values()].map((group) => {
    const f = group[0]!;
    const workloads = group.length > 1 ? 'reads and writes' : f.workload === 'reads' ? 'reads (SELECT)' : 'writes (INSERT/UPDATE/DELETE)';
    const range = f.lowMs !== undefined && f.highMs !== undefined ? ` (${formatMs(f.lowMs)}–${formatMs(f.highMs)})` : '';
    const duration = f.basis === 'estimate' ? `~${formatMs(f.ms)}${range} at ${formatRows(f.rows)} rows` : `${formatMs(f.ms)} at ${formatRows(f.rows)} rows (measured)`;
    return { line: f.line, text: `statement ${f.statement + 1} blocks ${workloads} on ${f.table} for ${duration}: ${f.mode} held ${f.heldUntil}` };
  });
}

/** "memory: work_mem 4 MB, maintenance_work_mem 64 MB in production; scaled per size: 64 kB/1 MB … 80 kB/1.3 MB". */
export function memoryLine(report: RehearsalReport): string | undefined {
  const memory = report.memory;
  if (!memory) return undefined;
  const kb = (value: number): string => (value >= 1024 * 1024 ? `${+(value / 1024 / 1024).toFixed(1)} GB` : value >= 1024 ? `${+(value / 1024).toFixed(1)} MB` : `${value} kB`);
  const sizes = memory.sizes.map((s) => `${kb(s.workMemKb)}/${kb(s.maintenanceWorkMemKb)}`);
  return (
    `memory: production work_mem ${kb(memory.production.workMemKb)}, maintenance_work_mem ${kb(memory.production.maintenanceWorkMemKb)}; ` +
    `scaled to each size${sizes.length > 0 ? ` (${sizes.join(', ')})` : ''} so sorts and hashes spill as they would in production`
  );
}

/**
 * The --workload section as lines (text) or bullet items (markdown): what the clients waited while the migration
 * ran, then the queue demo. Empty without --workload.
 */
export function contentionLines(report: RehearsalReport): { heading: string; lines: string[] } | undefined {
  const c = report.contention;
  if (!c) return undefined;
  const lines: string[] = [];
  const stats = (s: WorkloadStats): string => {
    const errors = s.errors.map((e) => `${e.count} failed with ${e.code}${e.code === '40P01' ? ' (deadlock)' : ''}`);
    return [
      `${s.queries} quer${s.queries === 1 ? 'y' : 'ies'}`,
      `slowest ${formatMs(s.maxMs)}`,
      `p99 ${formatMs(s.p99Ms)}`,
      `${s.timedOut} timed out`,
      ...errors,
    ].join(', ');
  };
  const migration = (m: ContentionRun['migration']): string =>
    m.status === 'completed'
      ? `completed in ${formatMs(m.ms)}`
      : `failed after ${formatMs(m.ms)} at statement ${(m.statement ?? 0) + 1} (${m.code}${m.code === '55P03' ? ': lock_timeout' : m.code === '40P01' ? ': deadlock' : ''})`;
  if (c.workload) {
    lines.push(`while the migration ran (${migration(c.workload.migration)}): ${stats(c.workload.all)}`);
    for (const q of c.workload.byQuery) lines.push(`  ${shortTable(q.table)} ${q.kind}: ${stats(q)}`);
  }
  if (c.queue) {
    lines.push(`lock queue: a transaction holds a read lock (AccessShareLock) on ${shortTable(c.queue.table)} for ${formatMs(c.queue.blockerHoldMs)} after the migration starts`);
    for (const run of c.queue.runs) {
      const timeout = run.lockTimeoutMs === null ? 'no lock_timeout' : `lock_timeout ${formatMs(run.lockTimeoutMs)} (${run.lockTimeoutSource === 'file' ? "the file's" : 'recommended'})`;
      lines.push(
        `  ${timeout}: the migration waited ${formatMs(run.migrationWaitedMs)} for its lock and ${migration(run.migration)}; ` +
          `up to ${run.maxQueued} client${run.maxQueued === 1 ? '' : 's'} queued behind it; clients: ${stats(run.workload)}`,
      );
    }
    const chains = new Set(c.queue.runs.flatMap((r) => r.waits.map((w) => `${w.waiter} → ${w.blockedBy}`)));
    if (chains.size > 0) lines.push(`  who waited on whom: ${[...chains].join('; ')}`);
  }
  lines.push(...c.notes.map((n) => `note: ${n}`));
  const tables = c.tables.map(shortTable).join(', ') || 'no table';
  const heading =
    c.clients > 0
      ? `Workload at ${formatRows(c.size)} rows: ${c.clients} clients, ${c.ratePerSecond} queries/s on ${tables}, statement_timeout ${formatMs(c.statementTimeoutMs)}`
      : 'Workload';
  return { heading, lines };
}
