/**
 * The lock tracer: runs migration statements on a real PostgreSQL server and records, per statement, which
 * relation-level locks it took, which relations it rewrote and which tables it scanned. The static lock model
 * (analysis/lockmodel) is proven against these observations.
 *
 * How a statement is observed
 * - In a transaction block (the normal case): `BEGIN; <statement>;` then, still inside that transaction, read
 *   pg_locks for our own backend, pg_class (relfilenodes) and pg_stat_xact_user_tables, then ROLLBACK (isolation
 *   'rollback') or COMMIT ('commit'). Locks are held until the transaction ends, so this sees every relation lock
 *   the statement took, at the strongest mode it took it — exactly, not sampled.
 * - From a monitor connection, for statements PostgreSQL refuses to run in a transaction block (SQLSTATE 25001:
 *   CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, ALTER TABLE … DETACH PARTITION CONCURRENTLY, …).
 *   We do not keep a list of them: every statement is first tried inside BEGIN, and the server's 25001 — raised
 *   before the statement does anything — sends it here. Such a statement commits internally and releases locks as
 *   it goes, so its locks are sampled from pg_locks (for its pid, every `sampleIntervalMs`) while it runs. To make
 *   it stay long enough to be seen, three blocker sessions are opened first, each in the same database:
 *     1. a transaction holding SHARE UPDATE EXCLUSIVE on every user table — the statement queues behind it at its
 *        first lock request (VACUUM, CONCURRENTLY forms), so the requested mode is sampled while it waits;
 *     2. a transaction holding ACCESS EXCLUSIVE on every user index (not their tables), one savepoint per index —
 *        a statement that then locks indexes (VACUUM: ROW EXCLUSIVE on each, in oid order) waits at each one in
 *        turn with its table lock held, and only the index it waits for is let go, so every index is sampled at
 *        the mode asked for, however loaded the machine (a VACUUM (ANALYZE) sampled under load once showed only
 *        its ANALYZE phase's ACCESS SHARE);
 *     3. a REPEATABLE READ transaction holding a snapshot and ACCESS SHARE on every user table (and on their
 *        indexes once blocker 2 is gone) — the CONCURRENTLY forms wait for it after they have taken their
 *        session-level lock ("wait for old snapshots" / "wait for lockers"), so their granted locks are sampled
 *        there.
 *   Each blocker is released as soon as pg_blocking_pids() shows the statement waiting on it, or on a later one
 *   (or after `blockerHoldMs`), then sampling continues until the statement ends. Per relation the strongest mode
 *   seen in any sample is kept.
 *   What sampling can miss: locks taken and released between two samples outside those wait points — e.g. the
 *   brief ACCESS EXCLUSIVE lock DROP INDEX CONCURRENTLY takes on the index in its last phase (relay
 *   blockers — ACCESS SHARE holders opened each time it waits on the last blocker — usually catch it), anything a statement on tiny tables does in < sampleIntervalMs.
 *   A monitor trace is therefore a lower bound; it reports both granted locks and locks it saw being waited for
 *   (a waited-for mode is the mode the statement is about to hold).
 *
 * Which relations are reported (what the lock model needs to predict blocking)
 * - Relations in user schemas that existed before the statement (in the committed state) or exist after it. A
 *   dropped relation is reported under its old name: DROP TABLE t blocks everyone on t. A relation the statement
 *   creates is reported too (the index CREATE INDEX builds), because other sessions cannot use it until commit.
 * - Not reported: relations that exist neither before nor after (the transient heap a table rewrite builds and
 *   drops, pg_temp_<oid>), system catalogs, TOAST tables, temp schemas, information_schema, shared catalogs, and
 *   non-relation locks (virtualxid, transactionid, advisory, object).
 * - Per relation only the strongest mode is kept, in PostgreSQL's lock-mode order (lockStrength).
 *
 * `rewritten` lists user tables and indexes whose relfilenode changed (rewrite, index rebuild, TRUNCATE); an index
 * that was dropped and rebuilt under the same name (ALTER COLUMN TYPE) counts as rewritten when its storage is
 * new. `scanned` lists user tables whose sequential-scan counter moved during the statement (full reads: index
 * builds, constraint validation, rewrites); index scans are not counted.
 */
import { randomBytes } from 'node:crypto';
import { dropDatabaseForce, isDbError, quoteIdent, type DbDriver, type DbSession } from './driver.js';
// Re-exported for the lock-model test tools, which drop scratch databases the way the tracer does.
export { dropDatabaseForce };
import { isLockMode, lockStrength, type LockMode } from '../analysis/lockmodel/lock-modes.js';
import type { RelationKind } from '../analysis/lockmodel/schema.js';

// Lock modes and relation kinds are the lock model's own vocabulary, so observations and predictions compare
// directly.
export type { LockMode, RelationKind };

export interface RelationLock {
  /** Schema-qualified, each part quoted only when needed (quote_ident): public.orders, public."Order". */
  relation: string;
  relkind: RelationKind;
  mode: LockMode;
}

export interface StatementTrace {
  sql: string;
  /** Sorted by relation. */
  locks: RelationLock[];
  /** Sorted. */
  rewritten: string[];
  /** Sorted. */
  scanned: string[];
  /** How the locks were seen; 'monitor' traces are sampled lower bounds (see the module comment). */
  observedVia: 'transaction' | 'monitor';
  /**
   * For 'monitor' traces: how many pg_locks samples were taken, and the blockers the statement was seen waiting
   * on, in order — each is a point where its locks were sampled while it stood still.
   */
  sampling?: { samples: number; blockedBy: Array<'lock' | 'index' | 'snapshot' | 'relay'> };
  error?: {
    message: string;
    /** SQLSTATE. */
    code: string;
    /** 1-based character index into `sql`, as PostgreSQL reports it. */
    position?: number;
  };
}

export interface TraceOptions {
  /**
   * Fixture SQL, run and committed once before the statements. It is sent as one multi-statement query, which
   * PostgreSQL runs as one implicit transaction: it cannot hold statements that refuse a transaction block.
   */
  setup?: string;
  /** One statement per entry; transaction control (BEGIN, COMMIT, …) is refused — the tracer owns transactions. */
  statements: string[];
  /**
   * true: the statements run the way a migration tool wrapping the file in a transaction runs them — a statement
   * that cannot run in a transaction block gets PostgreSQL's error (25001), as it would in that migration.
   * false: each statement runs on its own (autocommit); those refusing a transaction block are observed from a
   * monitor connection. (Statements that can run in a block are still observed inside one: an autocommit
   * statement takes the same locks, it just releases them at its own end.)
   */
  transactional: boolean;
  /**
   * 'rollback' (default): every statement sees the database exactly as `setup` left it — each example stands
   * alone. Statements observed from the monitor commit by nature, so they run in a throwaway copy of the database
   * (CREATE DATABASE … TEMPLATE); this needs no other connection to `database` to be open at that moment.
   * Cluster-wide effects (CREATE DATABASE, ALTER SYSTEM, roles) are not undone in either mode.
   * 'commit': each statement's effects stay, so later statements build on earlier ones, like a migration run.
   */
  isolation?: 'rollback' | 'commit';
  /** Database to trace in; default: the driver's default database. */
  database?: string;
  /** Database to connect to for CREATE/DROP DATABASE of the throwaway copies; default 'postgres'. */
  maintenanceDatabase?: string;
  /** Monitor sampling period in ms (default 5). */
  sampleIntervalMs?: number;
  /** Longest time a blocker is held when the statement never waits on it (default 1000 ms). */
  blockerHoldMs?: number;
}

/**
 * Traces each statement (see the module comment). A statement's own failure is returned in its trace; a failing
 * `setup` or a lost connection throws.
 */
export async function traceStatements(driver: DbDriver, options: TraceOptions): Promise<StatementTrace[]> {
  const isolation = options.isolation ?? 'rollback';
  options.statements.forEach((sql, index) => {
    const verb = transactionControlVerb(sql);
    if (verb) {
      throw new Error(
        `statement ${index + 1} is a transaction control statement (${verb}); the tracer opens and ends transactions ` +
          'itself — remove it and choose `transactional`/`isolation` instead',
      );
    }
  });

  let main = await driver.connect(options.database);
  const database = options.database ?? (await currentDatabase(main));
  const traces: StatementTrace[] = [];
  try {
    if (options.setup !== undefined && options.setup.trim() !== '') {
      try {
        await main.query(options.setup);
      } catch (error) {
        throw new Error(`tracer setup SQL failed in database "${database}": ${describeError(error, options.setup)}`, { cause: error });
      }
    }
    for (const sql of options.statements) {
      const inTransaction = await traceInTransaction(main, sql, isolation);
      if (!('refusedTransactionBlock' in inTransaction)) {
        traces.push(inTransaction);
      } else if (options.transactional) {
        traces.push(inTransaction.refusedTransactionBlock);
      } else if (isolation === 'commit') {
        traces.push(await traceFromMonitor(driver, database, sql, options));
      } else {
        // A copy of the database needs the source to have no connections, ours included.
        await main.close();
        traces.push(await withDatabaseCopy(driver, database, options.maintenanceDatabase ?? 'postgres', (copy) => traceFromMonitor(driver, copy, sql, options)));
        main = await driver.connect(database);
      }
    }
  } finally {
    await main.close();
  }
  return traces;
}

// ---------------------------------------------------------------------------------------------------------------
// In a transaction block

interface RelationRow {
  oid: string;
  name: string;
  relkind: string;
  filenode: string;
}

/** A trace, or the server's refusal to run the statement in a transaction block (SQLSTATE 25001), as a trace. */
type TransactionOutcome = StatementTrace | { refusedTransactionBlock: StatementTrace };

async function traceInTransaction(session: DbSession, sql: string, isolation: 'rollback' | 'commit'): Promise<TransactionOutcome> {
  // Read in its own (autocommit) snapshot, so "before" is the committed state, unaffected by the statement.
  const before = await userRelations(session);
  await session.query('BEGIN');
  const scansBefore = await transactionScanCounts(session);
  try {
    await session.query(sql);
  } catch (error) {
    await session.query('ROLLBACK');
    if (!isDbError(error)) throw error;
    if (error.code === '25001') return { refusedTransactionBlock: failedTrace(sql, error, 'transaction') };
    return failedTrace(sql, error, 'transaction');
  }
  const lockRows = await session.query<{ oid: string; mode: string }>(OWN_RELATION_LOCKS_SQL);
  const after = await userRelations(session);
  const scansAfter = await transactionScanCounts(session);
  const trace: StatementTrace = {
    sql,
    locks: resolveLocks(lockRows.rows, before, after),
    rewritten: rewrittenRelations(before, after),
    scanned: scannedTables(scansBefore, scansAfter, before, after),
    observedVia: 'transaction',
  };
  try {
    await session.query(isolation === 'commit' ? 'COMMIT' : 'ROLLBACK');
  } catch (error) {
    // COMMIT can still fail (deferred constraint triggers); the statement's effects are then gone.
    if (!isDbError(error)) throw error;
    trace.error = { message: error.message, code: error.code, position: undefined };
  }
  return trace;
}

const OWN_RELATION_LOCKS_SQL = `
  SELECT l.relation::text AS oid, l.mode
  FROM pg_locks l
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

const USER_RELATIONS_SQL = `
  SELECT c.oid::text AS oid, format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS relkind,
         c.relfilenode::text AS filenode
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

async function userRelations(session: DbSession): Promise<Map<string, RelationRow>> {
  const { rows } = await session.query<RelationRow>(USER_RELATIONS_SQL);
  return new Map(rows.map((row) => [row.oid, row]));
}

/** Sequential scans counted in the current transaction, per user table oid (not yet flushed to pg_stat_*). */
async function transactionScanCounts(session: DbSession): Promise<Map<string, number>> {
  const { rows } = await session.query<{ oid: string; scans: string }>(
    'SELECT relid::text AS oid, seq_scan::text AS scans FROM pg_stat_xact_user_tables',
  );
  return new Map(rows.map((row) => [row.oid, Number(row.scans)]));
}

// ---------------------------------------------------------------------------------------------------------------
// From a monitor connection

interface LockSample {
  blocking: number[];
  locks: Array<{ oid: string; mode: string; granted: boolean }>;
}

const SAMPLE_SQL = `
  SELECT pg_blocking_pids($1) AS blocking,
         coalesce((SELECT json_agg(json_build_object('oid', l.relation::text, 'mode', l.mode, 'granted', l.granted))
                   FROM pg_locks l
                   WHERE l.pid = $1 AND l.locktype = 'relation'
                     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())), '[]') AS locks`;

type BlockerKind = 'lock' | 'index' | 'snapshot' | 'relay';

interface Blocker {
  kind: BlockerKind;
  session: DbSession;
  /** 'index' blocker: the indexes still held, in acquisition order, each under its own savepoint. */
  heldIndexes?: Array<{ oid: string; savepoint: string }>;
}

/** Most relay blockers opened for one statement — each one is a wait point, so this bounds the run time. */
const MAX_RELAYS = 6;

/** Plain user indexes, highest oid first, with the tablespace each one is in (for a no-op SET TABLESPACE). */
const USER_INDEXES_SQL = `
  SELECT c.oid::text AS oid, format('%I.%I', n.nspname, c.relname) AS name,
         coalesce(ts.spcname, (SELECT d.spcname FROM pg_tablespace d
                               WHERE d.oid = (SELECT dattablespace FROM pg_database WHERE datname = current_database()))) AS tablespace
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
  WHERE c.relkind = 'i' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  ORDER BY c.oid DESC`;

async function traceFromMonitor(driver: DbDriver, database: string, sql: string, options: TraceOptions): Promise<StatementTrace> {
  const sampleIntervalMs = options.sampleIntervalMs ?? 5;
  const blockerHoldMs = options.blockerHoldMs ?? 1000;
  const sessions: DbSession[] = [];
  const connect = async (): Promise<DbSession> => {
    const session = await driver.connect(database);
    sessions.push(session);
    return session;
  };
  try {
    const [target, monitor, lockSession, indexSession, snapshotSession] = await Promise.all([connect(), connect(), connect(), connect(), connect()]);
    const before = await userRelations(monitor);
    const scansBefore = await flushedScanCounts(target);
    const tables = [...before.values()].filter((r) => r.relkind === 'r' || r.relkind === 'p').map((r) => r.name);

    // The snapshot must be older than anything the statement starts, so it is taken first. Its table locks are
    // taken with LOCK TABLE, which (unlike planning a query) opens no index: the index blocker below holds ACCESS
    // EXCLUSIVE on them. It locks the indexes by planning once the index blocker is gone.
    await snapshotSession.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await snapshotSession.query('SELECT 1');
    if (tables.length > 0) await snapshotSession.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS SHARE MODE`);
    const heldIndexes = await holdIndexes(indexSession);
    await lockSession.query('BEGIN');
    if (tables.length > 0) await lockSession.query(`LOCK TABLE ${tables.join(', ')} IN SHARE UPDATE EXCLUSIVE MODE`);
    const blockers: Blocker[] = [
      { kind: 'lock', session: lockSession },
      ...(heldIndexes.length > 0 ? [{ kind: 'index' as const, session: indexSession, heldIndexes }] : []),
      { kind: 'snapshot', session: snapshotSession },
    ];
    const release = async (blocker: Blocker): Promise<void> => {
      await blocker.session.query('ROLLBACK');
      if (blocker.kind === 'index' && blockers.some((b) => b.kind === 'snapshot')) {
        await holdAccessShare(snapshotSession, tables, { skipBusy: true });
      }
    };
    const blockedBy: BlockerKind[] = [];
    let relays = 0;
    let samples = 0;

    let finished = false;
    let failure: unknown;
    const running = target
      .query(sql)
      .then(
        () => undefined,
        (error: unknown) => {
          failure = error;
        },
      )
      .finally(() => {
        finished = true;
      });

    const seen: Array<{ oid: string; mode: string }> = [];
    let blockerSince = performance.now();
    while (!finished) {
      const { rows } = await monitor.query<LockSample>(SAMPLE_SQL, [target.backendPid]);
      const sample = rows[0];
      // A statement seen waiting on a later blocker has passed the earlier ones' wait points (or never has any):
      // they are let go at once instead of after blockerHoldMs.
      const waitedOn = sample ? blockers.findIndex((b) => sample.blocking.includes(b.session.backendPid)) : -1;
      for (let skipped = 0; skipped < waitedOn; skipped++) await release(blockers.shift()!);
      const current = blockers[0];
      const waitingOnCurrent = current !== undefined && waitedOn >= 0;
      // The index blocker holds ACCESS EXCLUSIVE only because no weaker lock can be taken on an index alone; a
      // statement it stops on ACCESS SHARE / ROW SHARE (reading an index in passing, e.g. DETACH … CONCURRENTLY)
      // would not wait there in real life, and catching that passing weak lock, which the statement usually
      // holds for less than a sample, would only make the trace depend on timing. It is let go at once, unseen.
      const passingRead =
        current?.kind === 'index' &&
        waitingOnCurrent &&
        sample!.locks.some((l) => !l.granted) &&
        sample!.locks.every((l) => l.granted || l.mode === 'AccessShareLock' || l.mode === 'RowShareLock');
      if (sample) {
        samples++;
        seen.push(...(passingRead ? sample.locks.filter((l) => l.granted) : sample.locks));
      }
      if (passingRead) {
        blockers.shift();
        await release(current);
        blockerSince = performance.now();
        if (!finished) await sleep(sampleIntervalMs);
        continue;
      }
      if (current && waitingOnCurrent) {
        // It has been sampled while waiting here (the sample above), so this wait point has done its job. Before
        // letting go of the last blocker, open a relay so the statement's next conflicting request waits too.
        blockedBy.push(current.kind);
        if (blockers.length === 1 && relays < MAX_RELAYS) {
          relays++;
          const relay = await connect();
          await relay.query('BEGIN');
          await holdAccessShare(relay, tables, { skipBusy: true });
          blockers.push({ kind: 'relay', session: relay });
        }
      }
      if (current?.kind === 'index' && waitingOnCurrent && current.heldIndexes) {
        // Let go of the one index it waits for (and those locked after it, lower oids), keep the rest: a statement
        // that opens a table's indexes one after another (VACUUM, in oid order) then waits again at the next one,
        // so each index is sampled at the mode it asks for while the statement holds everything before it.
        const wanted = new Set(sample!.locks.filter((l) => !l.granted).map((l) => l.oid));
        const at = current.heldIndexes.findIndex((h) => wanted.has(h.oid));
        if (at >= 0 && at < current.heldIndexes.length - 1) {
          await current.session.query(`ROLLBACK TO SAVEPOINT ${current.heldIndexes[at]!.savepoint}`);
          current.heldIndexes.splice(0, at + 1);
          blockerSince = performance.now();
          if (!finished) await sleep(sampleIntervalMs);
          continue;
        }
      }
      if (current && (waitingOnCurrent || performance.now() - blockerSince > blockerHoldMs)) {
        blockers.shift();
        await release(current);
        blockerSince = performance.now();
      }
      if (!finished) await sleep(sampleIntervalMs);
    }
    await running;
    for (const blocker of blockers) await blocker.session.query('ROLLBACK');

    const after = await userRelations(monitor);
    const scansAfter = await flushedScanCounts(target);
    const trace: StatementTrace = {
      sql,
      locks: resolveLocks(seen, before, after),
      rewritten: rewrittenRelations(before, after),
      scanned: scannedTables(scansBefore, scansAfter, before, after),
      observedVia: 'monitor',
      sampling: { samples, blockedBy },
    };
    if (failure !== undefined) {
      if (!isDbError(failure)) throw failure;
      trace.error = { message: failure.message, code: failure.code, position: failure.position };
    }
    return trace;
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
}

/**
 * In a new transaction on `session`, takes ACCESS EXCLUSIVE on every plain user index — and nothing on their
 * tables — with a no-op `ALTER INDEX … SET TABLESPACE <its own>`, each under its own savepoint, highest oid first
 * (so the lowest oid, which PostgreSQL opens first, is the innermost and can be let go alone). A statement that
 * asks for any lock on an index but ACCESS SHARE / ROW SHARE then waits there, holding its table lock: VACUUM's
 * ROW EXCLUSIVE on indexes is otherwise taken and dropped within a millisecond or two on a small table, and a
 * sampler under load can see its ANALYZE phase (ACCESS SHARE on the same indexes) and miss it.
 */
async function holdIndexes(session: DbSession): Promise<Array<{ oid: string; savepoint: string }>> {
  const { rows } = await session.query<{ oid: string; name: string; tablespace: string }>(USER_INDEXES_SQL);
  await session.query('BEGIN');
  const held: Array<{ oid: string; savepoint: string }> = [];
  for (const [n, index] of rows.entries()) {
    const savepoint = `lockstep_index_${n}`;
    await session.query(`SAVEPOINT ${savepoint}`);
    await session.query(`ALTER INDEX ${index.name} SET TABLESPACE ${quoteIdent(index.tablespace)}`);
    held.push({ oid: index.oid, savepoint });
  }
  // Innermost (lowest oid) first: the order the statement is expected to ask for them in.
  return held.reverse();
}

/**
 * In the session's open transaction, takes ACCESS SHARE on every table and — by planning a query on it, which
 * opens (and locks) all its indexes — on every index, and keeps them until the transaction ends. Anything that
 * then wants an ACCESS EXCLUSIVE lock on one of them, or waits for all lockers of a table, has to wait.
 * `skipBusy`: while the traced statement runs, a relation it holds or waits for is skipped instead of queued
 * behind it (a queued request would only wait for the statement, never make the statement wait).
 */
async function holdAccessShare(session: DbSession, tables: string[], options: { skipBusy?: boolean } = {}): Promise<void> {
  if (options.skipBusy) await session.query("SET LOCAL lock_timeout = '20ms'");
  for (const table of tables) {
    if (!options.skipBusy) {
      await session.query(`SELECT FROM ONLY ${table} LIMIT 0`);
      continue;
    }
    await session.query('SAVEPOINT lockstep_hold');
    try {
      await session.query(`SELECT FROM ONLY ${table} LIMIT 0`);
      await session.query('RELEASE SAVEPOINT lockstep_hold');
    } catch (error) {
      if (!(isDbError(error) && error.code === '55P03')) throw error; // lock_not_available
      await session.query('ROLLBACK TO SAVEPOINT lockstep_hold');
    }
  }
}

/**
 * Cumulative sequential-scan counts per user table, after making `session`'s own counts visible.
 * - PostgreSQL 15+: a backend flushes at most once a second when idle, and a statement that commits internally is
 *   not visible in pg_stat_xact_*. pg_stat_force_next_flush() makes the flush happen before the server answers.
 * - Before 15 the counts travel to the statistics collector: a backend sends them when it goes idle, but at most
 *   every PGSTAT_STAT_INTERVAL (500 ms) and with no later retry, and a reader accepts a stats file up to 500 ms old.
 *   So: wait out the interval, run a trivial query (the backend reports as it goes idle after it), wait for a file
 *   written after that report, then read (each autocommit query reads a fresh stats snapshot). Counters only grow,
 *   so a second read later keeps the larger count in case the collector was slow under load.
 */
async function flushedScanCounts(session: DbSession): Promise<Map<string, number>> {
  const read = async (): Promise<Map<string, number>> => {
    const { rows } = await session.query<{ oid: string; scans: string }>(
      'SELECT relid::text AS oid, coalesce(seq_scan, 0)::text AS scans FROM pg_stat_user_tables',
    );
    return new Map(rows.map((row) => [row.oid, Number(row.scans)]));
  };
  if ((await serverMajor(session)) >= 15) {
    await session.query('SELECT pg_stat_force_next_flush()');
    return read();
  }
  await sleep(PGSTAT_STAT_INTERVAL_MS + 100);
  await session.query('SELECT 1');
  await sleep(PGSTAT_STAT_INTERVAL_MS + 100);
  const first = await read();
  await sleep(PGSTAT_STAT_INTERVAL_MS + 100);
  const second = await read();
  for (const [oid, count] of first) second.set(oid, Math.max(count, second.get(oid) ?? 0));
  return second;
}

/** PostgreSQL's PGSTAT_STAT_INTERVAL before 15 (pgstat.h): the minimum time between a backend's stats reports. */
const PGSTAT_STAT_INTERVAL_MS = 500;

async function withDatabaseCopy<T>(driver: DbDriver, source: string, maintenanceDatabase: string, fn: (copy: string) => Promise<T>): Promise<T> {
  const copy = `${source.slice(0, 40)}_lstrace_${randomBytes(4).toString('hex')}`;
  const admin = await driver.connect(maintenanceDatabase);
  try {
    const major = await serverMajor(admin);
    try {
      // FILE_COPY: the copy is a throwaway of a small fixture; copying files beats WAL-logging every block. STRATEGY
      // is a PostgreSQL 15 option; before 15 FILE_COPY is the only behaviour, so the clause is left out there.
      const strategy = major >= 15 ? ' STRATEGY FILE_COPY' : '';
      await admin.query(`CREATE DATABASE ${quoteIdent(copy)} TEMPLATE ${quoteIdent(source)}${strategy}`);
    } catch (error) {
      throw new Error(
        `could not copy database "${source}" to trace a statement that runs outside a transaction block: ${describeError(error)}. ` +
          'Close other connections to it, or trace with isolation "commit".',
        { cause: error },
      );
    }
    try {
      return await fn(copy);
    } finally {
      await dropDatabaseForce(admin, copy, major).catch(() => undefined);
    }
  } finally {
    await admin.close();
  }
}

/** The server's major version (server_version_num / 10000: 120022 → 12). */
export async function serverMajor(session: DbSession): Promise<number> {
  const { rows } = await session.query<{ major: number }>("SELECT current_setting('server_version_num')::int / 10000 AS major");
  return rows[0]!.major;
}

// ---------------------------------------------------------------------------------------------------------------
// Turning raw observations into a trace

const RELATION_KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned table',
  i: 'index',
  I: 'partitioned index',
  S: 'sequence',
  v: 'view',
  m: 'materialized view',
};

function resolveLocks(
  rows: Array<{ oid: string; mode: string }>,
  before: Map<string, RelationRow>,
  after: Map<string, RelationRow>,
): RelationLock[] {
  const strongest = new Map<string, RelationLock>();
  for (const { oid, mode } of rows) {
    // Relations that exist neither before nor after are transient (and catalogs are absent from both maps).
    const relation = after.get(oid) ?? before.get(oid);
    // SIReadLock (predicate locks) and anything unknown are not table-level lock modes.
    if (!relation || !isLockMode(mode)) continue;
    const known = strongest.get(relation.name);
    if (!known || lockStrength(mode) > lockStrength(known.mode)) {
      strongest.set(relation.name, { relation: relation.name, relkind: RELATION_KINDS[relation.relkind] ?? 'other', mode });
    }
  }
  return [...strongest.values()].sort((a, b) => compareText(a.relation, b.relation));
}

function rewrittenRelations(before: Map<string, RelationRow>, after: Map<string, RelationRow>): string[] {
  const afterByName = new Map([...after.values()].map((row) => [`${row.relkind}:${row.name}`, row]));
  const rewritten = new Set<string>();
  for (const old of before.values()) {
    if (old.filenode === '0') continue; // no storage: views, partitioned tables and indexes
    // Same relation, or one rebuilt under the same name (ALTER COLUMN TYPE re-creates indexes with new oids).
    const now = after.get(old.oid) ?? afterByName.get(`${old.relkind}:${old.name}`);
    if (now && now.filenode !== old.filenode) rewritten.add(now.name);
  }
  return [...rewritten].sort(compareText);
}

function scannedTables(
  scansBefore: Map<string, number>,
  scansAfter: Map<string, number>,
  before: Map<string, RelationRow>,
  after: Map<string, RelationRow>,
): string[] {
  const scanned = new Set<string>();
  for (const [oid, count] of scansAfter) {
    const relation = after.get(oid) ?? before.get(oid);
    if (relation && count > (scansBefore.get(oid) ?? 0)) scanned.add(relation.name);
  }
  return [...scanned].sort(compareText);
}

function failedTrace(sql: string, error: { message: string; code: string; position: number | undefined }, observedVia: StatementTrace['observedVia']): StatementTrace {
  return { sql, locks: [], rewritten: [], scanned: [], observedVia, error: { message: error.message, code: error.code, position: error.position } };
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const TRANSACTION_CONTROL = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION)\b/i;

/** The transaction-control verb `sql` starts with (after comments), or undefined. */
export function transactionControlVerb(sql: string): string | undefined {
  const withoutLeadingComments = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return TRANSACTION_CONTROL.exec(withoutLeadingComments)?.[1]?.toUpperCase().replace(/\s+/g, ' ');
}

async function currentDatabase(session: DbSession): Promise<string> {
  const { rows } = await session.query<{ name: string }>('SELECT current_database() AS name');
  return rows[0]!.name;
}

function describeError(error: unknown, sql?: string): string {
  if (!isDbError(error)) return error instanceof Error ? error.message : String(error);
  const at = error.position !== undefined && sql !== undefined ? ` at ${lineAndColumn(sql, error.position)}` : '';
  return `${error.message} (SQLSTATE ${error.code})${at}`;
}

/** "line L, column C" of PostgreSQL's 1-based character position in `sql`. */
function lineAndColumn(sql: string, position: number): string {
  const before = [...sql].slice(0, position - 1).join('');
  const lines = before.split('\n');
  return `line ${lines.length}, column ${[...lines[lines.length - 1]!].length + 1}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
