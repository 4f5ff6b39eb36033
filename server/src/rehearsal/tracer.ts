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
 *   it stay long enough to be seen, two blocker sessions are opened first, each in the same database:
 *     1. a transaction holding SHARE UPDATE EXCLUSIVE on every user table — the statement queues behind it at its
 *        first lock request (VACUUM, CONCURRENTLY forms), so the requested mode is sampled while it waits;
 *     2. a REPEATABLE READ transaction holding a snapshot and ACCESS SHARE on every user table — the CONCURRENTLY
 *        forms wait for it after they have taken their session-level lock ("wait for old snapshots" / "wait for
 *        lockers"), so their granted locks are sampled there.
 *   Each blocker is released as soon as pg_blocking_pids() shows the statement waiting on it (or after
 *   `blockerHoldMs`), then sampling continues until the statement ends.
 *   What sampling can miss: locks taken and released between two samples outside those two wait points — e.g.
 *   the brief ACCESS EXCLUSIVE lock DROP INDEX CONCURRENTLY takes on the index in its last phase, the ROW
 *   EXCLUSIVE locks VACUUM takes on indexes, anything a statement on tiny tables does in < sampleIntervalMs.
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
import { isDbError, type DbDriver, type DbSession } from './driver.js';
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
  sampling?: { samples: number; blockedBy: Array<'lock' | 'snapshot' | 'relay'> };
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
  locks: Array<{ oid: string; mode: string }>;
}

const SAMPLE_SQL = `
  SELECT pg_blocking_pids($1) AS blocking,
         coalesce((SELECT json_agg(json_build_object('oid', l.relation::text, 'mode', l.mode))
                   FROM pg_locks l
                   WHERE l.pid = $1 AND l.locktype = 'relation'
                     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())), '[]') AS locks`;

type BlockerKind = 'lock' | 'snapshot' | 'relay';

interface Blocker {
  kind: BlockerKind;
  session: DbSession;
}

/** Most relay blockers opened for one statement — each one is a wait point, so this bounds the run time. */
const MAX_RELAYS = 6;

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
    const [target, monitor, lockSession, snapshotSession] = await Promise.all([connect(), connect(), connect(), connect()]);
    const before = await userRelations(monitor);
    const scansBefore = await flushedScanCounts(target);
    const tables = [...before.values()].filter((r) => r.relkind === 'r' || r.relkind === 'p').map((r) => r.name);

    // The snapshot must be older than anything the statement starts, so it is taken first.
    await snapshotSession.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await snapshotSession.query('SELECT 1');
    await holdAccessShare(snapshotSession, tables);
    await lockSession.query('BEGIN');
    if (tables.length > 0) await lockSession.query(`LOCK TABLE ${tables.join(', ')} IN SHARE UPDATE EXCLUSIVE MODE`);
    const blockers: Blocker[] = [
      { kind: 'lock', session: lockSession },
      { kind: 'snapshot', session: snapshotSession },
    ];
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
      if (sample) {
        samples++;
        seen.push(...sample.locks);
      }
      const current = blockers[0];
      const waitingOnCurrent = current !== undefined && sample !== undefined && sample.blocking.includes(current.session.backendPid);
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
      if (current && (waitingOnCurrent || performance.now() - blockerSince > blockerHoldMs)) {
        await current.session.query('ROLLBACK');
        blockers.shift();
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
 * Cumulative sequential-scan counts per user table, after making `session` flush its pending statistics: since
 * PostgreSQL 15 a backend flushes at most once a second when idle, and a statement that commits internally is
 * not visible in pg_stat_xact_*. pg_stat_force_next_flush() makes the flush happen before the server answers.
 */
async function flushedScanCounts(session: DbSession): Promise<Map<string, number>> {
  await session.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await session.query<{ oid: string; scans: string }>(
    'SELECT relid::text AS oid, coalesce(seq_scan, 0)::text AS scans FROM pg_stat_user_tables',
  );
  return new Map(rows.map((row) => [row.oid, Number(row.scans)]));
}

async function withDatabaseCopy<T>(driver: DbDriver, source: string, maintenanceDatabase: string, fn: (copy: string) => Promise<T>): Promise<T> {
  const copy = `${source.slice(0, 40)}_lstrace_${randomBytes(4).toString('hex')}`;
  const admin = await driver.connect(maintenanceDatabase);
  try {
    try {
      // FILE_COPY: the copy is a throwaway of a small fixture; copying files beats WAL-logging every block.
      await admin.query(`CREATE DATABASE ${quoteIdent(copy)} TEMPLATE ${quoteIdent(source)} STRATEGY FILE_COPY`);
    } catch (error) {
      throw new Error(
        `could not copy database "${source}" to trace a statement that runs outside a transaction block: ${describeError(error)}. ` +
          'Close other connections to it, or trace with isolation "commit".',
        { cause: error },
      );
    }
    return await fn(copy);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(copy)} WITH (FORCE)`).catch(() => undefined);
    await admin.close();
  }
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

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
