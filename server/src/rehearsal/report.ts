/**
 * The result of a rehearsal as plain data — also the `lockstep rehearse --format json` contract. Times are in
 * milliseconds, row counts are rows. Bump REHEARSAL_REPORT_VERSION on any incompatible change; adding fields is
 * compatible.
 */
import type { GrowthModel } from '../analysis/estimate';
import type { LockMode } from '../analysis/lockmodel/lock-modes.js';

export const REHEARSAL_REPORT_VERSION = 1;

export interface RehearsalReport {
  version: typeof REHEARSAL_REPORT_VERSION;
  /** completed: every planned size ran (or was skipped for the budget, see skippedSizes); failed: see `error`. */
  status: 'completed' | 'failed' | 'cancelled';
  /** The target migration, as given. */
  file: string;
  server: { version: string; embedded: boolean };
  /** Row counts of the largest seeded table, one per size that ran. */
  sizes: number[];
  skippedSizes: Array<{ rows: number; reason: string }>;
  /** Production row counts per table (--rows), schema-qualified; null when none was given. */
  target: Record<string, number> | null;
  /**
   * The transactions the migration ran in, as the analysis core plans them for its runner (`lockstep explain` shows
   * the same): 'single' = one for every statement; `runner` = the migration tool it was planned for.
   */
  transaction: { mode: 'single' | 'per-statement'; reason: string; runner?: string };
  /** Earlier migrations replayed before the target, in run order. */
  replayed: string[];
  seeding: SeedingReport[];
  /**
   * The memory limits each size ran with. With a --rows target they are the production limits scaled by
   * size / production rows (not below PostgreSQL's minimums), so a sort or hash that would spill to disk at
   * production size spills in the samples too; null without a target (the server's own settings).
   */
  memory: { production: MemoryLimits; sizes: Array<{ size: number } & MemoryLimits> } | null;
  statements: StatementReport[];
  /** Statements whose blocking window exceeds thresholdMs. */
  findings: BlockingFinding[];
  thresholdMs: number;
  /** Why the rehearsal failed or could not finish; for a failing migration statement also `statements[k].error`. */
  error: RehearsalProblem | null;
  notes: string[];
  durationMs: number;
  /** Simulated concurrent traffic (--workload): what it waited for, and the lock queue demo; null without --workload. */
  contention: ContentionReport | null;
}

/**
 * What concurrent clients experience while the migration runs (contention.ts). Waits are client-side latencies of
 * one-row queries, so nearly all of a long one is time spent waiting for a lock.
 */
export interface ContentionReport {
  /** The size (rows of the largest seeded table) the workload ran at: the largest that ran. */
  size: number;
  clients: number;
  /** Queries per second, all clients together (each client waits for its query before sending the next). */
  ratePerSecond: number;
  /** The clients' statement_timeout: a query waiting longer is cancelled by the server and counted as timed out. */
  statementTimeoutMs: number;
  /** The tables the clients query: the existing tables the migration locks. */
  tables: string[];
  /** The migration run with the workload alongside it (on its own fresh copy; not one of the measured samples). */
  workload: ContentionRun | null;
  /** The classic outage: a long transaction holding a plain read lock, the migration queued behind it, and the clients queued behind the migration. */
  queue: QueueDemo | null;
  /** Why a part did not run, or what to know about it. */
  notes: string[];
}

export interface ContentionRun {
  /** The migration: how long it took from its first statement to its end, and how it ended. */
  migration: { ms: number; status: 'completed' | 'failed'; code?: string; message?: string; statement?: number };
  /** Every query the clients ran while the migration ran (from its start to its end). */
  all: WorkloadStats;
  /** Per table and kind of query. */
  byQuery: Array<WorkloadStats & { table: string; kind: WorkloadKind }>;
}

export type WorkloadKind = 'read' | 'insert' | 'update';

export interface WorkloadStats {
  queries: number;
  /** Slowest query, and the 99th percentile (ms). 0 when no query ran. */
  maxMs: number;
  p99Ms: number;
  /** Cancelled by the clients' statement_timeout (SQLSTATE 57014). */
  timedOut: number;
  /** Other failures by SQLSTATE: a deadlock victim is 40P01; each with the first message seen. */
  errors: Array<{ code: string; count: number; message: string }>;
}

export interface QueueDemo {
  /** The table the long transaction reads (and holds AccessShareLock on). */
  table: string;
  /** How long the long transaction stays open after the migration starts. */
  blockerHoldMs: number;
  runs: QueueRun[];
}

export interface QueueRun {
  /** null: no lock_timeout (the file's own SET lock_timeout left out); otherwise the one in effect. */
  lockTimeoutMs: number | null;
  /** Where the timeout came from: the file's SET lock_timeout, or Lockstep's recommendation. */
  lockTimeoutSource: 'none' | 'file' | 'recommended';
  migration: ContentionRun['migration'];
  /** How long the migration waited for a lock (sampled). */
  migrationWaitedMs: number;
  /** Most client sessions waiting for a lock at one time, and for how long any client waited at most. */
  maxQueued: number;
  workload: WorkloadStats;
  /** Who waited on whom (pg_blocking_pids), each pair once, with when it was first seen and how often. */
  waits: Array<{ waiter: string; blockedBy: string; firstMs: number; samples: number; waitEvent: string }>;
  /** Sessions waiting for a lock over time (ms from the migration's start), one point per sample that changed. */
  timeline: Array<{ ms: number; queued: number; migrationWaiting: boolean }>;
}

export interface MemoryLimits {
  workMemKb: number;
  maintenanceWorkMemKb: number;
}

export interface SeedingReport {
  size: number;
  /**
   * The template database the size was copied from (lockstep_tpl_<hash>), or null when the rows were seeded
   * straight into the database the migration ran in (no template outlives the rehearsal, so none is built).
   */
  template: string | null;
  /** true: the template already existed (same schema, same data plan), nothing was seeded. */
  reused: boolean;
  ms: number;
  tables: Array<{ table: string; rows: number; ms: number }>;
}

export interface StatementReport {
  /** 0-based position in the file, as lint and explain count statements. */
  index: number;
  /** 1-based line of the statement's first character. */
  line: number;
  text: string;
  kind: string;
  /** How it ran: inside a transaction (ours or the file's), or on its own with locks sampled from outside. */
  via: 'transaction' | 'monitor' | null;
  /** The table whose row count `samples[].rows` and the estimate refer to; null when it touches no seeded table. */
  subject: string | null;
  samples: StatementSample[];
  estimate: StatementEstimate | null;
  /** Why there is no estimate (no --rows for its table, no samples, …). */
  estimateNote?: string;
  blocking: BlockingReport | null;
  error?: StatementError;
}

export interface StatementSample {
  /** Rows in `subject` (or the largest seeded table when subject is null). */
  rows: number;
  /** The size (rows of the largest seeded table) this sample was taken at. */
  size: number;
  ms: number;
  rewrite: boolean;
  scan: boolean;
  rewritten: string[];
  scanned: string[];
  rowsAffected: number | null;
  walBytes: number | null;
  locks: SampleLock[];
  /** When the size ran several times (on fresh copies): every duration; `ms` and the rest are the fastest run's. */
  repeats?: number[];
}

export interface SampleLock {
  relation: string;
  /** The table the lock blocks work on (an index's table); null for objects that are not tables. */
  table: string | null;
  mode: LockMode;
  heldMs: number;
  /** false: the relation was created by this migration, so no one else can be waiting for it. */
  preexisting: boolean;
  /**
   * 'observed': read from pg_locks inside the transaction (exact). 'sampled': seen from a second connection while
   * a statement ran outside a transaction (a lower bound). 'model': such a statement finished between two samples,
   * so the lock model's lock is shown, held for the statement's duration.
   */
  source: 'observed' | 'sampled' | 'model';
}

export interface StatementEstimate {
  rows: number;
  ms: number;
  lowMs: number;
  highMs: number;
  model: GrowthModel;
  alternatives: Array<{ model: GrowthModel; ms: number }>;
  /** How far beyond the largest measured size it extrapolates (target rows / largest sample rows). */
  extrapolation: number;
}

export interface BlockingReport {
  /** 'estimate': at the production row counts; 'measured': at the largest size that ran (no --rows target). */
  basis: 'estimate' | 'measured';
  /** The row count of the subject the numbers are for. */
  rows: number;
  /** Per table: how long SELECTs wait (locks conflicting with AccessShareLock). */
  reads: Record<string, number>;
  /** Per table: how long INSERT/UPDATE/DELETE wait (locks conflicting with RowExclusiveLock). */
  writes: Record<string, number>;
  /** The estimate's range per table, when basis is 'estimate'. */
  ranges?: { reads: Record<string, [number, number]>; writes: Record<string, [number, number]> };
  /** The lock and how long it stays held: "until COMMIT after statement 3". */
  heldUntil: string;
}

export interface BlockingFinding {
  statement: number;
  line: number;
  workload: 'reads' | 'writes';
  table: string;
  ms: number;
  lowMs?: number;
  highMs?: number;
  basis: 'estimate' | 'measured';
  /** Row count of the statement's subject table the duration is for. */
  rows: number;
  mode: LockMode;
  /** "until its COMMIT", "until the COMMIT after statement 3", "while the statement runs". */
  heldUntil: string;
  message: string;
}

export interface StatementError {
  message: string;
  code: string;
  line: number;
  column: number;
  /** The size at which it failed first. */
  size: number;
  detail?: string;
  hint?: string;
}

export interface RehearsalProblem {
  phase: 'input' | 'server' | 'replay' | 'probe' | 'seed' | 'run' | 'cleanup' | 'internal';
  message: string;
  /** Where, when the problem is in a file: the file as given, 1-based line and column. */
  file?: string;
  line?: number;
  column?: number;
  /** What to do about it. */
  hint?: string;
}

export interface RehearsalProgress {
  phase: 'server' | 'replay' | 'probe' | 'seed' | 'run' | 'skip' | 'workload' | 'estimate' | 'cleanup';
  message: string;
  size?: number;
  statement?: number;
  /** With the 'server' event of an embedded server the engine started: its postmaster's pid. */
  pid?: number;
  elapsedMs: number;
}

/** A failure with its place and remedy, thrown inside the engine and turned into `report.error`. */
export class RehearsalFailure extends Error {
  override readonly name = 'RehearsalFailure';
  constructor(readonly problem: RehearsalProblem) {
    super(problem.message);
  }
}

/** 0.42 ms, 12 ms, 4.10 s, 6.5 min, 1.2 h: the unit a person reads at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
