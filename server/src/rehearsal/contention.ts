/**
 * Contention (--workload): what the application's own queries go through while the migration runs, measured on
 * fresh copies of the largest size that ran (after the measured samples, which stay undisturbed).
 *
 * 1. Workload: N clients (workload.ts) query the tables the migration locks while it runs; their slowest and
 *    99th-percentile waits and their timeouts are reported, and so are deadlocks between them and the migration.
 * 2. The classic outage, twice: a long transaction holds a plain read lock (AccessShareLock, from a SELECT in an
 *    open transaction) on the table; the migration asks for its lock and waits; every client that touches the table
 *    then queues behind the migration's request (PostgreSQL grants locks in order: a request that conflicts with a
 *    waiting one waits too), although the read lock alone would not have blocked them. A monitor samples
 *    pg_stat_activity and pg_blocking_pids() to show who waits on whom. Run once without lock_timeout — the queue
 *    lasts as long as the long transaction — and once with the file's lock_timeout (or the one Lockstep
 *    recommends): the migration gives up with 55P03 after the timeout and the queue drains.
 */
import { isDbError } from './driver.js';
import type { PlannedStatement } from './migration-plan.js';
import type { ContentionReport, ContentionRun, QueueRun, WorkloadKind } from './report.js';
import { runStatements, type RunOutcome, type TransactionMode } from './runner.js';
import type { RehearsalServer } from './server.js';
import type { SeedPlan } from './seed/plan.js';
import type { SeedSchema } from './seed/schema.js';
import { seedInto, type SeedOptions } from './seed/seeder.js';
import { conflicts, type LockMode } from '../analysis/lockmodel/lock-modes.js';
import {
  DEFAULT_WORKLOAD_CLIENTS,
  DEFAULT_WORKLOAD_RATE,
  DEFAULT_WORKLOAD_STATEMENT_TIMEOUT_MS,
  Workload,
  buildWorkloadQueries,
  workloadStats,
  type QueryRecord,
  type WorkloadQuery,
} from './workload.js';

/** The lock_timeout Lockstep recommends for migrations (docs/rules): long enough for a catalog-only change. */
export const RECOMMENDED_LOCK_TIMEOUT_MS = 2_000;

export interface WorkloadOptions {
  /** Client connections (default 4). */
  clients?: number;
  /** Queries per second, all clients together (default 40). */
  ratePerSecond?: number;
  /** The clients' statement_timeout (default 2 s). */
  statementTimeoutMs?: number;
  /** Only these tables (default: every existing table the migration locks). */
  tables?: readonly string[];
  /** Run the queue demo (default true). */
  queue?: boolean;
  /** lock_timeout for the bounded queue run when the file sets none (default 2 s). */
  lockTimeoutMs?: number;
  /** How long the long transaction stays open after the migration starts (default: the lock_timeout + 2 s). */
  blockerHoldMs?: number;
}

export interface ContentionInput {
  server: RehearsalServer;
  /** The schema database, copied for the seeded base. */
  scratch: string;
  schema: SeedSchema;
  /** The seed plan of the size to run at, and that size. */
  seedPlan: SeedPlan;
  size: number;
  seedOptions: SeedOptions;
  statements: readonly PlannedStatement[];
  mode: TransactionMode;
  file: string;
  /** Session settings of the measured runs (scaled memory). */
  settings: Readonly<Record<string, string>>;
  canFlushStats: boolean;
  /** Existing tables the migration locked at the largest size, with the strongest mode. */
  locked: ReadonlyMap<string, LockMode>;
  options: WorkloadOptions;
  signal?: AbortSignal;
  progress: (message: string) => void;
}

/** How long the clients run before the migration starts, and after it ends (so the queue drains into the record). */
const WARM_UP_MS = 300;
const DRAIN_MS = 300;
const MONITOR_INTERVAL_MS = 25;

export async function rehearseContention(input: ContentionInput): Promise<ContentionReport> {
  const { server, options } = input;
  const settings = {
    clients: options.clients ?? DEFAULT_WORKLOAD_CLIENTS,
    ratePerSecond: options.ratePerSecond ?? DEFAULT_WORKLOAD_RATE,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_WORKLOAD_STATEMENT_TIMEOUT_MS,
  };
  const tables = [...input.locked.keys()].filter((t) => !options.tables || options.tables.includes(t)).sort();
  const report: ContentionReport = { size: input.size, ...settings, tables, workload: null, queue: null, notes: [] };
  if (tables.length === 0) {
    report.notes.push(
      options.tables
        ? `the migration locks none of ${options.tables.join(', ')}: the workload did not run`
        : 'the migration locks no existing table, so no query of the application can wait for it: the workload did not run',
    );
    return report;
  }

  const base = `${input.scratch}_wl`;
  const copies: string[] = [];
  try {
    input.progress(`seeding a copy for the workload (${input.size.toLocaleString('en-US')} rows)`);
    await server.createDatabase(base, input.scratch);
    await seedInto(server, base, input.seedPlan, input.seedOptions);
    const setup = await server.driver.connect(base);
    let queries: WorkloadQuery[];
    try {
      const built = await buildWorkloadQueries(setup, input.schema, input.seedPlan, tables);
      queries = built.queries;
      report.notes.push(...built.notes);
    } finally {
      await setup.close();
    }
    if (queries.length === 0) {
      report.notes.push('no query could be built for the locked tables: the workload did not run');
      return report;
    }
    const copy = async (suffix: string): Promise<string> => {
      const name = `${input.scratch}_${suffix}`;
      copies.push(name);
      await server.createDatabase(name, base);
      return name;
    };

    // 1. The workload alongside the migration.
    input.signal?.throwIfAborted();
    input.progress(`${settings.clients} clients, ${settings.ratePerSecond} queries/s, while the migration runs`);
    const database = await copy('w0');
    const workload = await Workload.start(server.driver, database, queries, settings);
    let outcome: RunOutcome | undefined;
    let span: [number, number] = [0, 0];
    try {
      await sleep(WARM_UP_MS);
      const started = workload.now();
      outcome = await runMigration(input, database, input.statements, input.settings);
      span = [started, workload.now()];
      await sleep(DRAIN_MS);
    } finally {
      const records = await workload.stop();
      if (outcome) report.workload = contentionRun(queries, records, span, outcome);
    }
    await server.dropDatabase(database);
    describeDeadlocks(report, input);

    // 2. The queue behind a long read transaction, without and with lock_timeout.
    if (options.queue !== false) {
      const table = pickQueueTable(input.locked, tables);
      const fileTimeout = fileLockTimeout(input.statements);
      const bound = fileTimeout ?? { ms: options.lockTimeoutMs ?? RECOMMENDED_LOCK_TIMEOUT_MS, statements: [] };
      const holdMs = options.blockerHoldMs ?? Math.min(bound.ms + 2_000, 15_000);
      report.queue = { table, blockerHoldMs: holdMs, runs: [] };
      const withoutTimeout = input.statements.filter((s) => !bound.statements.includes(s.index));
      const runs: Array<{ lockTimeoutMs: number | null; source: QueueRun['lockTimeoutSource']; statements: readonly PlannedStatement[]; settings: Record<string, string> }> = [
        { lockTimeoutMs: null, source: 'none', statements: withoutTimeout, settings: { ...input.settings, lock_timeout: '0' } },
        fileTimeout
          ? { lockTimeoutMs: fileTimeout.ms, source: 'file', statements: input.statements, settings: { ...input.settings, lock_timeout: '0' } }
          : { lockTimeoutMs: bound.ms, source: 'recommended', statements: input.statements, settings: { ...input.settings, lock_timeout: `${bound.ms}ms` } },
      ];
      for (const [k, run] of runs.entries()) {
        input.signal?.throwIfAborted();
        input.progress(
          `queue demo ${k + 1}/2: a transaction holds a read lock on ${table} for ${(holdMs / 1000).toFixed(1)} s; ` +
            (run.lockTimeoutMs === null ? 'no lock_timeout' : `lock_timeout ${run.lockTimeoutMs} ms (${run.source === 'file' ? 'the file’s' : 'recommended'})`),
        );
        const db = await copy(`q${k}`);
        report.queue.runs.push(await queueRun(input, db, table, holdMs, queries, settings, run));
        await server.dropDatabase(db);
      }
      if (fileTimeout === undefined) {
        report.notes.push(`the file sets no lock_timeout: the bounded run used Lockstep's recommendation, SET lock_timeout = '${bound.ms}ms'`);
      }
    }
    return report;
  } finally {
    for (const name of copies) await server.dropDatabase(name).catch(() => undefined);
    await server.dropDatabase(base).catch(() => undefined);
  }
}

function runMigration(input: ContentionInput, database: string, statements: readonly PlannedStatement[], settings: Readonly<Record<string, string>>): Promise<RunOutcome> {
  return runStatements({
    driver: input.server.driver,
    database,
    statements,
    mode: input.mode,
    canFlushStats: input.canFlushStats,
    settings,
    ...(input.signal ? { signal: input.signal } : {}),
  });
}

function migrationOutcome(outcome: RunOutcome, ms: number): ContentionRun['migration'] {
  const failed = outcome.failedAt !== undefined ? outcome.runs.find((r) => r.index === outcome.failedAt) : undefined;
  return failed?.error
    ? { ms: round(ms), status: 'failed', code: failed.error.code, message: failed.error.message, statement: failed.index }
    : { ms: round(ms), status: 'completed' };
}

/** Queries that were running at some point of [from, to]. */
function during(records: readonly QueryRecord[], [from, to]: [number, number]): QueryRecord[] {
  return records.filter((r) => r.startMs <= to && r.startMs + r.ms >= from);
}

function contentionRun(queries: readonly WorkloadQuery[], records: readonly QueryRecord[], span: [number, number], outcome: RunOutcome): ContentionRun {
  const inWindow = during(records, span);
  const groups = new Map<string, { table: string; kind: WorkloadKind; records: QueryRecord[] }>();
  for (const query of queries) groups.set(`${query.table}\u0000${query.kind}`, { table: query.table, kind: query.kind, records: [] });
  for (const record of inWindow) {
    const query = queries[record.query]!;
    groups.get(`${query.table}\u0000${query.kind}`)!.records.push(record);
  }
  return {
    migration: migrationOutcome(outcome, span[1] - span[0]),
    all: workloadStats(inWindow),
    byQuery: [...groups.values()].map((g) => ({ table: g.table, kind: g.kind, ...workloadStats(g.records) })),
  };
}

/** Deadlocks between the migration and the clients, in words: who lost, and what to do. */
function describeDeadlocks(report: ContentionReport, input: ContentionInput): void {
  const run = report.workload;
  if (!run) return;
  const victims = run.byQuery.filter((q) => q.errors.some((e) => e.code === '40P01'));
  if (victims.length > 0) {
    const what = victims.map((q) => `${q.errors.find((e) => e.code === '40P01')!.count} ${q.kind} quer${q.errors.find((e) => e.code === '40P01')!.count === 1 ? 'y' : 'ies'} on ${q.table}`);
    report.notes.push(
      `deadlock: ${what.join(', ')} ended as deadlock victim${what.length === 1 ? '' : 's'} (SQLSTATE 40P01) — the migration and the application lock ` +
        'the same tables in opposite orders, and PostgreSQL aborted the application’s side. Take the migration’s locks in the order the application does ' +
        '(parents before children), or split it into one transaction per table.',
    );
  }
  if (run.migration.code === '40P01') {
    const statement = input.statements.find((s) => s.index === run.migration.statement);
    report.notes.push(
      `deadlock: the migration itself was the deadlock victim at ${input.file}:${statement?.line ?? '?'} (statement ${(run.migration.statement ?? 0) + 1}, SQLSTATE 40P01) ` +
        'while the workload ran: in production it would fail and roll back. Take its locks in the order the application does (parents before ' +
        'children), or lock every table it needs at its start (LOCK TABLE … IN … MODE).',
    );
  }
}

/** The table whose lock the migration is most likely to queue on: one it locks in a mode that conflicts with reads. */
function pickQueueTable(locked: ReadonlyMap<string, LockMode>, tables: readonly string[]): string {
  const candidates = tables.filter((t) => locked.has(t));
  return candidates.find((t) => conflicts(locked.get(t)!, 'AccessShareLock')) ?? candidates[0] ?? tables[0]!;
}

/** The file's own SET lock_timeout (or set_config), in ms, and the statements that set it; undefined when it sets none or 0. */
export function fileLockTimeout(statements: readonly Pick<PlannedStatement, 'index' | 'text'>[]): { ms: number; statements: number[] } | undefined {
  let ms: number | undefined;
  const setting: number[] = [];
  for (const statement of statements) {
    const text = statement.text.replace(/--[^\n]*/g, ' ').trim();
    const set = /^SET\s+(?:SESSION\s+|LOCAL\s+)?lock_timeout\s*(?:=|\bTO\b)\s*'?([^';]+?)'?\s*$/i.exec(text);
    const config = /set_config\(\s*'lock_timeout'\s*,\s*'([^']*)'/i.exec(text);
    const value = set?.[1] ?? config?.[1];
    if (value === undefined) continue;
    setting.push(statement.index);
    ms = parseDurationMs(value);
  }
  return ms !== undefined && ms > 0 ? { ms, statements: setting } : undefined;
}

/** PostgreSQL's time units for lock_timeout: a bare number is milliseconds. */
export function parseDurationMs(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!match) return undefined;
  const factor = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms').toLowerCase() as 'ms'];
  return Number(match[1]) * factor;
}

interface Sample {
  pid: number;
  wait_event_type: string | null;
  wait_event: string | null;
  blocked_by: number[];
  query: string;
}

const ACTIVITY_SQL = `
  SELECT pid, wait_event_type, wait_event, pg_blocking_pids(pid) AS blocked_by, left(query, 200) AS query
  FROM pg_stat_activity
  WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

async function queueRun(
  input: ContentionInput,
  database: string,
  table: string,
  holdMs: number,
  queries: readonly WorkloadQuery[],
  settings: { clients: number; ratePerSecond: number; statementTimeoutMs: number },
  run: { lockTimeoutMs: number | null; source: QueueRun['lockTimeoutSource']; statements: readonly PlannedStatement[]; settings: Record<string, string> },
): Promise<QueueRun> {
  const { server } = input;
  const blocker = await server.driver.connect(database);
  const monitor = await server.driver.connect(database);
  let workload: Workload | undefined;
  try {
    // The long transaction: a plain SELECT in a transaction left open (a report, a forgotten psql session).
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM ${table} LIMIT 1`);
    workload = await Workload.start(server.driver, database, queries, settings);
    const clients = new Map(workload.pids.map((pid, i) => [pid, i + 1]));
    const label = (pid: number, query: string): string =>
      pid === blocker.backendPid
        ? 'long-running read transaction'
        : clients.has(pid)
          ? `client (${verbOf(query)})`
          : `migration (${migrationStatement(query)})`;

    // pg_stat_activity shows the statement's text (cut at track_activity_query_size): name it as the report does.
    const migrationStatement = (query: string): string => {
      const statement = run.statements.find((s) => s.text.startsWith(query.slice(0, 150)) || query.startsWith(s.text.slice(0, 150)));
      return statement ? `statement ${statement.index + 1}, line ${statement.line}` : oneLine(query, 40);
    };
    await sleep(WARM_UP_MS);
    const t0 = workload.now();
    let released: Promise<void> | undefined;
    let releasedAt = Infinity;
    const timer = setTimeout(() => {
      released = blocker.query('ROLLBACK').then(
        () => void (releasedAt = workload!.now()),
        () => void (releasedAt = workload!.now()), // the connection went with a cancel: the lock is gone too
      );
    }, holdMs);
    let done = false;
    let doneAt = 0;
    const migration = runMigration(input, database, run.statements, run.settings).finally(() => {
      done = true;
      doneAt = workload!.now();
    });
    // Awaited after sampling; until then a rejection (the rehearsal was cancelled) must not count as unhandled.
    migration.catch(() => undefined);

    // Sample until the migration ended and the long transaction is gone, and a little longer for the queue to drain.
    const waits = new Map<string, QueueRun['waits'][number]>();
    const timeline: QueueRun['timeline'] = [];
    let maxQueued = 0;
    let migrationWaitedMs = 0;
    let lastSample = workload.now();
    let drainUntil = Infinity;
    // A cancelled rehearsal stops sampling at once: the long transaction is ended by closing its session below.
    while (workload.now() < drainUntil && !input.signal?.aborted) {
      if (done && releasedAt !== Infinity && drainUntil === Infinity) drainUntil = workload.now() + DRAIN_MS;
      let rows: Sample[];
      try {
        rows = (await monitor.query<Sample>(ACTIVITY_SQL, [database])).rows;
      } catch (error) {
        if (isDbError(error) && error.code === '57014') break; // cancelled with the rest of the rehearsal
        throw error;
      }
      const now = workload.now();
      const ms = round(now - t0);
      const queryOf = new Map(rows.map((r) => [r.pid, r.query]));
      let queued = 0;
      let migrationWaiting = false;
      for (const row of rows) {
        if (row.wait_event_type !== 'Lock') continue;
        if (clients.has(row.pid)) queued++;
        else if (row.pid !== blocker.backendPid) migrationWaiting = true;
        for (const by of row.blocked_by ?? []) {
          const waiter = label(row.pid, row.query);
          const blockedBy = label(by, queryOf.get(by) ?? '');
          const key = `${waiter}\u0000${blockedBy}`;
          const known = waits.get(key);
          if (known) known.samples++;
          else waits.set(key, { waiter, blockedBy, firstMs: ms, samples: 1, waitEvent: row.wait_event ?? '' });
        }
      }
      if (migrationWaiting) migrationWaitedMs += now - lastSample;
      lastSample = now;
      maxQueued = Math.max(maxQueued, queued);
      const last = timeline.at(-1);
      if (!last || last.queued !== queued || last.migrationWaiting !== migrationWaiting) timeline.push({ ms, queued, migrationWaiting });
      await sleep(MONITOR_INTERVAL_MS);
    }
    clearTimeout(timer);
    const outcome = await migration;
    const migrationMs = doneAt - t0;
    await released;
    const records = await workload.stop();
    workload = undefined;
    const end = releasedAt === Infinity ? lastSample : releasedAt + DRAIN_MS;
    return {
      lockTimeoutMs: run.lockTimeoutMs,
      lockTimeoutSource: run.source,
      migration: migrationOutcome(outcome, migrationMs),
      migrationWaitedMs: round(migrationWaitedMs),
      maxQueued,
      workload: workloadStats(during(records, [t0, end])),
      waits: [...waits.values()].sort((a, b) => a.firstMs - b.firstMs),
      timeline,
    };
  } finally {
    await workload?.stop();
    await monitor.close();
    await blocker.close();
  }
}

function verbOf(query: string): string {
  return /^\s*(\w+)/.exec(query)?.[1]?.toUpperCase() ?? 'query';
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
