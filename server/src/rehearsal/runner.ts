/**
 * Runs a migration's statements on a real database the way the migration tool would, and measures each one:
 * duration, the relation locks it took and how long they stayed held, rewrites (relfilenode changed), sequential
 * scans, rows affected and WAL written.
 *
 * Transaction semantics: each statement says which transaction it runs in (`transaction`, from the analysis
 * core's plan — see migration-plan.ts), and the runner reproduces exactly that:
 * - statements of one transaction block (the migration runner's, the implicit one of a multi-statement query, the
 *   file's own BEGIN … COMMIT) run inside one BEGIN … COMMIT: a lock taken by statement k is held until the COMMIT
 *   after the block's last statement, so its hold time is the duration of statements k…n plus the COMMIT. A
 *   statement PostgreSQL refuses inside a block (SQLSTATE 25001) fails there, as it would in production;
 * - a statement on its own (autocommit) that can run in a transaction block is wrapped in BEGIN/COMMIT by us — it
 *   takes the same locks and releases them at the same moment, and the wrapper lets us read pg_locks before they
 *   go. One PostgreSQL refuses to run in a block (CREATE INDEX CONCURRENTLY, VACUUM, …: 25001, raised before it
 *   does anything) runs outside one, and its locks are sampled from a second connection every few milliseconds
 *   while it runs (a lower bound: a lock held between two samples can be missed).
 * Statements without `transaction` follow `mode`: 'single' = one block for all, 'per-statement' = each on its own.
 *
 * Measured time excludes our own catalog reads between statements: durations and hold times add up only the
 * statements and COMMITs themselves, as they would run in production.
 *
 * Differences from tracer.ts (which proves the lock model): the tracer commits or rolls back after every
 * statement and deliberately holds blockers to catch the locks of non-transactional statements, which makes them
 * slower; a rehearsal needs the file's own transaction and undisturbed timing.
 */
import { isDbError, type DbDriver, type DbSession } from './driver.js';
import { isLockMode, lockStrength, type LockMode } from '../analysis/lockmodel/lock-modes.js';

export type TransactionMode = 'single' | 'per-statement';

export interface RunnableStatement {
  /** Index of the statement in the file (what reports call it by). */
  index: number;
  text: string;
  /** PostgreSQL refuses it inside a transaction block (known statically; 25001 from the server also counts). */
  outsideTransaction: boolean;
  /** The file's own transaction control. */
  transactionControl?: 'begin' | 'commit' | 'rollback';
  /**
   * The transaction it runs in: statements with the same id share one; `inTransaction` = inside a transaction block
   * (a BEGIN runs outside the block it opens). Absent: decided by RunOptions.mode.
   */
  transaction?: { id: number; inTransaction: boolean };
}

export interface HeldLock {
  relation: string;
  /** The table the lock is on, or whose index / TOAST / sequence it is; null when unknown. */
  table: string | null;
  relkind: string;
  mode: LockMode;
  /** From the start of the statement that took it to the end of the COMMIT that released it (sampled: first to last sight). */
  heldMs: number;
  /** The relation existed before the migration ran (a new one blocks nobody: others cannot see it yet). */
  preexisting: boolean;
  /** 'observed': read from pg_locks inside the transaction (exact); 'sampled': seen from outside (a lower bound). */
  source: 'observed' | 'sampled';
}

export interface StatementRun {
  index: number;
  ms: number;
  rowsAffected: number | null;
  /** WAL bytes inserted while it ran (the whole server's WAL; on a busy --url server, others' writes count too). */
  walBytes: number | null;
  rewritten: string[];
  scanned: string[];
  /** Locks this statement acquired or strengthened. */
  locks: HeldLock[];
  via: 'transaction' | 'monitor';
  /** Index of the last statement of its transaction: its locks are released by the COMMIT after that one. */
  releasedAfter: number;
  /** Duration of the COMMIT that released its locks (0 for a statement outside a transaction). */
  commitMs: number;
  error?: StatementFailure;
}

export interface StatementFailure {
  message: string;
  code: string;
  /** 1-based character position in the statement text, as PostgreSQL reports it. */
  position?: number;
  detail?: string;
  hint?: string;
}

export interface RunOptions {
  driver: DbDriver;
  database: string;
  statements: readonly RunnableStatement[];
  /** For statements without `transaction`. */
  mode?: TransactionMode;
  /** PostgreSQL ≥ 15 can flush statistics on demand, which scan detection outside a transaction needs. */
  canFlushStats: boolean;
  signal?: AbortSignal;
  /** Runs are pushed here as they complete, so a caller keeps them when the run is cancelled or fails. */
  onStatement?: (run: StatementRun, statement: RunnableStatement) => void;
  onStart?: (statement: RunnableStatement) => void;
  sampleIntervalMs?: number;
  /**
   * Roll the transaction still open at the end back instead of committing it, after `beforeRollback` has looked at
   * the database as the migration left it. Lets a probe run a one-transaction migration without a copy of the database.
   */
  rollback?: { beforeRollback: (session: DbSession) => Promise<void> };
  /** Session settings applied before the first statement (SET name = value), e.g. scaled work_mem. */
  settings?: Readonly<Record<string, string>>;
}

export interface RunOutcome {
  runs: StatementRun[];
  /** Index of the statement that failed (its run carries the error); the ones after it did not run. */
  failedAt?: number;
}

interface Relation {
  oid: string;
  name: string;
  relkind: string;
  filenode: string;
  table: string | null;
}

interface Observation {
  lsn: string;
  relations: Map<string, Relation>;
  scans: Map<string, number>;
}

/** What is held in the open transaction: per relation oid, the strongest mode, who took it, since when. */
interface OpenLock {
  oid: string;
  mode: LockMode;
  run: StatementRun;
  /** Virtual clock (sum of statement durations in this transaction) when the statement that took it started. */
  since: number;
  relation: Relation;
}

const USER_SCHEMA = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

const OBSERVE_SQL = (scanSource: string) => `
  SELECT pg_current_wal_insert_lsn()::text AS lsn,
    coalesce((SELECT json_agg(json_build_object(
        'oid', c.oid::text, 'name', format('%I.%I', n.nspname, c.relname), 'relkind', c.relkind::text,
        'filenode', c.relfilenode::text,
        'table', CASE WHEN c.relkind IN ('i', 'I') THEN
                   (SELECT format('%I.%I', tn.nspname, t.relname) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                      JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE i.indexrelid = c.oid)
                 WHEN c.relkind IN ('r', 'p', 'm', 'f') THEN format('%I.%I', n.nspname, c.relname) END))
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA}), '[]') AS relations,
    coalesce((SELECT json_object_agg(relid::text, coalesce(seq_scan, 0)) FROM ${scanSource}), '{}') AS scans`;

const OWN_LOCKS_SQL = `
  SELECT l.relation::text AS oid, l.mode FROM pg_locks l
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

const SAMPLE_SQL = `
  SELECT l.relation::text AS oid, l.mode FROM pg_locks l
  WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** Command tags whose row count means "rows affected". */
const ROW_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SELECT', 'COPY']);

export async function runStatements(options: RunOptions): Promise<RunOutcome> {
  const runs: StatementRun[] = [];
  const session = await options.driver.connect(options.database);
  for (const [name, value] of Object.entries(options.settings ?? {})) {
    await session.query(`SELECT set_config($1, $2, false)`, [name, value]);
  }
  let monitor: DbSession | undefined;
  const record = (run: StatementRun, statement: RunnableStatement): void => {
    runs.push(run);
    options.onStatement?.(run, statement);
  };
  try {
    const initial = await observe(session, 'pg_stat_xact_user_tables');
    const preexisting = new Set(initial.relations.keys());

    // Transaction state: locks taken since BEGIN, and the virtual clock of statement time.
    let open: OpenLock[] = [];
    let openRuns: StatementRun[] = [];
    let clock = 0;
    let inTransaction = false;

    const begin = async (): Promise<void> => {
      await session.query('BEGIN');
      inTransaction = true;
      open = [];
      openRuns = [];
      clock = 0;
    };
    /** Ends the transaction; `endStatement` is a COMMIT/ROLLBACK statement of the file, already executed and timed. */
    const finish = async (lastIndex: number, how: 'commit' | 'rollback' | { executedMs: number }): Promise<StatementFailure | undefined> => {
      let endMs: number;
      let failure: StatementFailure | undefined;
      if (typeof how === 'object') {
        endMs = how.executedMs;
      } else {
        const started = performance.now();
        try {
          await session.query(how === 'commit' ? 'COMMIT' : 'ROLLBACK');
        } catch (error) {
          // COMMIT can fail (a deferred constraint); the transaction is gone either way.
          if (!isDbError(error)) throw error;
          failure = failureOf(error);
        }
        endMs = performance.now() - started;
      }
      inTransaction = false;
      const releasedAt = clock + endMs;
      for (const lock of open) {
        lock.run.locks.push({
          relation: lock.relation.name,
          table: lock.relation.table,
          relkind: lock.relation.relkind,
          mode: lock.mode,
          heldMs: round(releasedAt - lock.since),
          preexisting: preexisting.has(lock.oid),
          source: 'observed',
        });
      }
      for (const run of openRuns) {
        run.releasedAfter = lastIndex;
        run.commitMs = round(endMs);
        run.locks.sort((a, b) => compareText(a.relation, b.relation));
      }
      open = [];
      openRuns = [];
      return failure;
    };

    /** Runs one statement inside the open transaction and records what it newly locked. */
    const inside = async (statement: RunnableStatement): Promise<StatementRun | { refused: true }> => {
      const before = await observe(session, 'pg_stat_xact_user_tables');
      options.signal?.throwIfAborted();
      options.onStart?.(statement);
      const started = performance.now();
      let result;
      try {
        result = await session.query(statement.text);
      } catch (error) {
        const ms = performance.now() - started;
        // A statement cancelled because the rehearsal was aborted is not the migration's failure.
        options.signal?.throwIfAborted();
        if (!isDbError(error)) throw error;
        if (error.code === '25001') return { refused: true };
        const run = emptyRun(statement.index, ms, 'transaction');
        run.error = failureOf(error);
        return run;
      }
      const ms = performance.now() - started;
      const after = await observe(session, 'pg_stat_xact_user_tables');
      const { rows: lockRows } = await session.query<{ oid: string; mode: string }>(OWN_LOCKS_SQL);
      const run = emptyRun(statement.index, ms, 'transaction');
      run.rowsAffected = ROW_COMMANDS.has(result.command) ? result.rowCount : null;
      run.walBytes = lsnDiff(before.lsn, after.lsn);
      run.rewritten = rewritten(before.relations, after.relations);
      run.scanned = scanned(before, after);
      const strongest = strongestPerRelation(lockRows);
      for (const [oid, mode] of strongest) {
        const relation = after.relations.get(oid) ?? before.relations.get(oid);
        if (!relation) continue; // catalogs, transient rewrite heaps
        const held = open.find((l) => l.oid === oid);
        if (held && rank(held.mode) >= rank(mode)) continue;
        if (held) open.splice(open.indexOf(held), 1);
        open.push({ oid, mode, run, since: clock, relation });
      }
      clock += ms;
      openRuns.push(run);
      return run;
    };

    const planned = (statement: RunnableStatement): { id: number; inTransaction: boolean } =>
      statement.transaction ?? (options.mode === 'single' ? { id: 0, inTransaction: true } : { id: -1 - statement.index, inTransaction: false });
    /** The transaction whose block is open on the session, and the last statement run in it. */
    let blockId: number | undefined;
    let previous: RunnableStatement | undefined;

    try {
      for (const statement of options.statements) {
        options.signal?.throwIfAborted();
        const transaction = planned(statement);
        // The block of the previous statement's transaction ends before a statement of another one: the runner's
        // COMMIT, the end of a multi-statement query, or (a BEGIN the file never ends) the runner's next step.
        if (inTransaction && blockId !== transaction.id && previous) {
          const commitFailure = await finish(previous.index, 'commit');
          if (commitFailure) {
            const lastRun = runs[runs.length - 1];
            if (lastRun) lastRun.error = { ...commitFailure, message: `COMMIT failed: ${commitFailure.message}` };
            return { runs, failedAt: previous.index };
          }
        }
        previous = statement;

        if (statement.transactionControl === 'begin' && !inTransaction) {
          const started = performance.now();
          try {
            await session.query(statement.text);
          } catch (error) {
            if (!isDbError(error)) throw error;
            const run = emptyRun(statement.index, performance.now() - started, 'transaction');
            run.error = failureOf(error);
            record(run, statement);
            return { runs, failedAt: statement.index };
          }
          const run = emptyRun(statement.index, performance.now() - started, 'transaction');
          inTransaction = true;
          blockId = transaction.id;
          open = [];
          openRuns = [run];
          clock = run.ms;
          record(run, statement);
          continue;
        }
        if ((statement.transactionControl === 'commit' || statement.transactionControl === 'rollback') && inTransaction) {
          const run = emptyRun(statement.index, 0, 'transaction');
          const started = performance.now();
          try {
            await session.query(statement.text);
          } catch (error) {
            if (!isDbError(error)) throw error;
            run.error = failureOf(error);
          }
          run.ms = round(performance.now() - started);
          openRuns.push(run);
          await finish(statement.index, { executedMs: run.ms });
          record(run, statement);
          if (run.error) return { runs, failedAt: statement.index };
          continue;
        }
        if (transaction.inTransaction) {
          if (!inTransaction) {
            await begin();
            blockId = transaction.id;
          }
          const outcome = await inside(statement);
          if ('refused' in outcome || outcome.error) {
            const run = 'refused' in outcome ? refusedRun(statement) : outcome;
            await finish(statement.index, 'rollback');
            record(run, statement);
            return { runs, failedAt: statement.index };
          }
          record(outcome, statement);
          continue;
        }
        if (!statement.outsideTransaction) {
          await begin();
          blockId = transaction.id;
          const outcome = await inside(statement);
          if (!('refused' in outcome)) {
            if (outcome.error) {
              await finish(statement.index, 'rollback');
              record(outcome, statement);
              return { runs, failedAt: statement.index };
            }
            const commitFailure = await finish(statement.index, 'commit');
            if (commitFailure) outcome.error = commitFailure;
            record(outcome, statement);
            if (commitFailure) return { runs, failedAt: statement.index };
            continue;
          }
          // PostgreSQL says it cannot run in a block: it did nothing yet; run it outside.
          await session.query('ROLLBACK');
          inTransaction = false;
        }
        monitor ??= await options.driver.connect(options.database);
        const run = await outside(session, monitor, statement, options, preexisting);
        record(run, statement);
        if (run.error) return { runs, failedAt: statement.index };
      }
      if (inTransaction) {
        const last = options.statements[options.statements.length - 1]!;
        // The runner's transaction ends with its COMMIT. The file's own BEGIN without COMMIT: psql and most tools
        // commit at the end of the file… or roll back; we commit.
        if (options.rollback) {
          await options.rollback.beforeRollback(session);
          await finish(last.index, 'rollback');
          return { runs };
        }
        const commitFailure = await finish(last.index, 'commit');
        if (commitFailure) {
          const lastRun = runs[runs.length - 1];
          if (lastRun) lastRun.error = { ...commitFailure, message: `COMMIT failed: ${commitFailure.message}` };
          return { runs, failedAt: last.index };
        }
      }
      return { runs };
    } catch (error) {
      // Cancelled (or the connection was lost) inside a transaction: its locks were held until now, and that is
      // worth keeping in the partial result.
      for (const lock of open) {
        lock.run.locks.push({
          relation: lock.relation.name,
          table: lock.relation.table,
          relkind: lock.relation.relkind,
          mode: lock.mode,
          heldMs: round(clock - lock.since),
          preexisting: preexisting.has(lock.oid),
          source: 'observed',
        });
      }
      open = [];
      throw error;
    }
  } finally {
    await monitor?.close();
    await session.close();
  }
}

/** A statement that cannot run in a transaction block: sampled from `monitor` while it runs on `session`. */
async function outside(
  session: DbSession,
  monitor: DbSession,
  statement: RunnableStatement,
  options: RunOptions,
  preexisting: Set<string>,
): Promise<StatementRun> {
  const interval = options.sampleIntervalMs ?? 1;
  const scanSource = options.canFlushStats ? 'pg_stat_user_tables' : 'pg_stat_xact_user_tables';
  if (options.canFlushStats) await session.query('SELECT pg_stat_force_next_flush()');
  const before = await observe(monitor, scanSource);
  options.signal?.throwIfAborted();
  options.onStart?.(statement);
  const seen = new Map<string, { mode: LockMode; first: number; last: number }>();
  let done = false;
  let failure: unknown;
  let result: Awaited<ReturnType<DbSession['query']>> | undefined;
  const started = performance.now();
  const running = session.query(statement.text).then(
    (r) => {
      result = r;
    },
    (error: unknown) => {
      failure = error;
    },
  );
  let ended = started;
  void running.finally(() => {
    done = true;
    ended = performance.now();
  });
  while (!done) {
    let rows: Array<{ oid: string; mode: string }>;
    try {
      rows = (await monitor.query<{ oid: string; mode: string }>(SAMPLE_SQL, [session.backendPid])).rows;
    } catch (error) {
      // Our own cancellation (abort, budget) hits the monitor too: stop sampling, let the statement's outcome decide.
      if (isDbError(error) && error.code === '57014') break;
      throw error;
    }
    const now = performance.now();
    for (const [oid, mode] of strongestPerRelation(rows)) {
      const known = seen.get(oid);
      if (!known) seen.set(oid, { mode, first: now, last: now });
      else {
        known.last = now;
        if (rank(mode) > rank(known.mode)) known.mode = mode;
      }
    }
    if (!done) await sleep(interval);
  }
  await running;
  const ms = ended - started;
  const run = emptyRun(statement.index, ms, 'monitor');
  options.signal?.throwIfAborted();
  if (failure !== undefined) {
    if (!isDbError(failure)) throw failure;
    run.error = failureOf(failure);
    return run;
  }
  if (options.canFlushStats) await session.query('SELECT pg_stat_force_next_flush()');
  const after = await observe(monitor, scanSource);
  run.rowsAffected = result && ROW_COMMANDS.has(result.command) ? result.rowCount : null;
  run.walBytes = lsnDiff(before.lsn, after.lsn);
  run.rewritten = rewritten(before.relations, after.relations);
  run.scanned = options.canFlushStats ? scanned(before, after) : [];
  for (const [oid, sight] of seen) {
    const relation = after.relations.get(oid) ?? before.relations.get(oid);
    if (!relation) continue;
    run.locks.push({
      relation: relation.name,
      table: relation.table,
      relkind: relation.relkind,
      mode: sight.mode,
      // Seen from `first` to `last`; it was taken up to one interval earlier and released up to one later.
      heldMs: round(Math.min(ms, sight.last - sight.first + interval)),
      preexisting: preexisting.has(oid),
      source: 'sampled',
    });
  }
  run.locks.sort((a, b) => compareText(a.relation, b.relation));
  return run;
}

async function observe(session: DbSession, scanSource: string): Promise<Observation> {
  const { rows } = await session.query<{ lsn: string; relations: Relation[]; scans: Record<string, number> }>(OBSERVE_SQL(scanSource));
  const row = rows[0]!;
  return {
    lsn: row.lsn,
    relations: new Map(row.relations.map((r) => [r.oid, r])),
    scans: new Map(Object.entries(row.scans).map(([oid, n]) => [oid, Number(n)])),
  };
}

function emptyRun(index: number, ms: number, via: StatementRun['via']): StatementRun {
  return { index, ms: round(ms), rowsAffected: null, walBytes: null, rewritten: [], scanned: [], locks: [], via, releasedAfter: index, commitMs: 0 };
}

function refusedRun(statement: RunnableStatement): StatementRun {
  const run = emptyRun(statement.index, 0, 'transaction');
  run.error = {
    message:
      statement.transactionControl === undefined && statement.transaction === undefined
        ? 'this statement cannot run inside a transaction block, and the file opened one with BEGIN'
        : 'PostgreSQL refuses to run this statement inside a transaction block, and the migration runs it inside one (the runner’s transaction, a multi-statement query, or the file’s BEGIN)',
    code: '25001',
    hint:
      'It fails like this in production too. Move it into a migration of its own that runs without a transaction ' +
      '(goose: -- +goose NO TRANSACTION; dbmate: transaction:false; Flyway: its own script), or out of the BEGIN … COMMIT block.',
  };
  return run;
}

function failureOf(error: { message: string; code: string; position?: number; detail?: string; hint?: string }): StatementFailure {
  return {
    message: error.message,
    code: error.code,
    ...(error.position !== undefined ? { position: error.position } : {}),
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

function strongestPerRelation(rows: Array<{ oid: string; mode: string }>): Map<string, LockMode> {
  const strongest = new Map<string, LockMode>();
  for (const { oid, mode } of rows) {
    if (rank(mode) < 0) continue; // SIReadLock and other non-table modes
    const known = strongest.get(oid);
    if (!known || rank(mode) > rank(known)) strongest.set(oid, mode as LockMode);
  }
  return strongest;
}

function rewritten(before: Map<string, Relation>, after: Map<string, Relation>): string[] {
  const afterByName = new Map([...after.values()].map((r) => [`${r.relkind}:${r.name}`, r]));
  const names = new Set<string>();
  for (const old of before.values()) {
    if (old.filenode === '0') continue; // no storage of its own (partitioned, views)
    // The same relation, or one rebuilt under the same name (ALTER COLUMN TYPE re-creates its indexes).
    const now = after.get(old.oid) ?? afterByName.get(`${old.relkind}:${old.name}`);
    if (now && now.filenode !== old.filenode) names.add(now.name);
  }
  return [...names].sort(compareText);
}

function scanned(before: Observation, after: Observation): string[] {
  const names = new Set<string>();
  for (const [oid, count] of after.scans) {
    const relation = after.relations.get(oid) ?? before.relations.get(oid);
    if (relation && count > (before.scans.get(oid) ?? 0)) names.add(relation.name);
  }
  return [...names].sort(compareText);
}

/** Bytes between two LSNs ('16/B374D848'). */
export function lsnDiff(from: string, to: string): number | null {
  const parse = (lsn: string): bigint | undefined => {
    const match = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn);
    return match ? (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`) : undefined;
  };
  const a = parse(from);
  const b = parse(to);
  return a === undefined || b === undefined ? null : Number(b - a);
}

function rank(mode: string): number {
  return isLockMode(mode) ? lockStrength(mode) : -1;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
