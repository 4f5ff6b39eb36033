/**
 * Simulated application traffic for a rehearsal (--workload): N client connections that run one-row queries — a
 * primary-key read, an insert, an update — on the tables a migration touches, at a fixed total rate, each with a
 * client-side statement_timeout, and record how long each query took.
 *
 * The queries are built from the replayed schema and the seed plan, so they are valid against the seeded rows:
 * reads and updates use keys sampled from the table, inserts reuse the seeder's own value expressions for row
 * numbers past the seeded ones (unique keys are injective in the row number, foreign keys point at existing parent
 * rows), so a query fails only for what the migration does to it. A one-row query takes well under a millisecond
 * on its own; a slow one was waiting for a lock.
 *
 * Each client is a closed loop, like a connection of an application's pool: it sends its next query only after the
 * previous one returned, so a blocked client stops adding load, and the queue behind a lock is at most N deep.
 */
import { isDbError, type DbDriver, type DbSession } from './driver.js';
import type { WorkloadKind, WorkloadStats } from './report.js';
import { type SeedPlan } from './seed/plan.js';
import { quoteIdent } from './driver.js';
import type { SeedSchema } from './seed/schema.js';

export const DEFAULT_WORKLOAD_CLIENTS = 4;
export const DEFAULT_WORKLOAD_RATE = 40;
export const DEFAULT_WORKLOAD_STATEMENT_TIMEOUT_MS = 2_000;

export interface WorkloadQuery {
  table: string;
  kind: WorkloadKind;
  /** The next execution: a sampled key for reads and updates, the next unused row number for inserts. */
  next: () => { sql: string; params: unknown[] };
}

export interface WorkloadSettings {
  clients: number;
  ratePerSecond: number;
  statementTimeoutMs: number;
}

/** One finished query: when it started (ms since the workload's epoch), how long it took, how it ended. */
export interface QueryRecord {
  query: number;
  startMs: number;
  ms: number;
  /** SQLSTATE when it failed. */
  code?: string;
  message?: string;
}

/** How many keys are sampled per table for reads and updates. */
const KEY_SAMPLE = 200;

/**
 * The workload's queries for `tables`. Keys are sampled now (before the migration starts, so the sampling's own
 * scan is not counted); `plan` is the seed plan the database was filled with. Tables that cannot get a kind of
 * query (no rows to read, an insert filtered through CHECKs the seeder cannot read) get the others; why is noted.
 */
export async function buildWorkloadQueries(
  session: DbSession,
  schema: SeedSchema,
  plan: SeedPlan,
  tables: readonly string[],
): Promise<{ queries: WorkloadQuery[]; notes: string[] }> {
  const queries: WorkloadQuery[] = [];
  const notes: string[] = [];
  for (const name of tables) {
    const table = schema.tables.find((t) => t.name === name);
    if (!table) continue;
    const seed = plan.tables.find((t) => t.table === name);
    const primary = table.uniqueKeys.find((k) => k.kind === 'primary key') ?? table.uniqueKeys.find((k) => !k.approximate && k.kind === 'unique');
    // Without a key a row is found by its ctid, which an update or a rewrite moves; a read then finds nothing but
    // still takes the table's lock, which is what is measured.
    const keyColumns = primary ? primary.columns.map(quoteIdent) : ['ctid'];
    const sampled = await sampleKeys(session, name, keyColumns, seed?.rows ?? 0);
    if (sampled.length > 0) {
      let next = 0;
      const key = (): unknown[] => sampled[next++ % sampled.length]!;
      const where = keyColumns.map((c, i) => `${c} = $${i + 1}`).join(' AND ');
      const read = `SELECT * FROM ${name} WHERE ${where}`;
      queries.push({ table: name, kind: 'read', next: () => ({ sql: read, params: key() }) });
      const settable =
        table.columns.find((c) => !c.generated && c.identity !== 'always' && !(primary?.columns.includes(c.name) ?? false)) ??
        table.columns.find((c) => !c.generated && c.identity !== 'always');
      if (settable) {
        // SET c = c: the row lock, the table's ROW EXCLUSIVE lock and a new row version, with no constraint to break.
        const column = quoteIdent(settable.name);
        const update = `UPDATE ${name} SET ${column} = ${column} WHERE ${where}`;
        queries.push({ table: name, kind: 'update', next: () => ({ sql: update, params: key() }) });
      }
    } else {
      notes.push(`${name} has no rows: the workload does not read or update it`);
    }
    const insert = seed ? singleRowInsert(seed.insert, seed.rows) : undefined;
    if (insert) {
      let row = seed!.rows;
      // Row numbers past the seeded ones: unique columns stay unique, foreign keys still point at parent rows.
      queries.push({ table: name, kind: 'insert', next: () => ({ sql: insert(++row), params: [] }) });
    } else if (seed) {
      notes.push(`${name}: its rows are filtered through CHECK constraints Lockstep cannot read, so the workload does not insert into it`);
    }
  }
  return { queries, notes };
}

/** The seeder's INSERT … SELECT … FROM generate_series(1, rows) AS g, turned into one that inserts row `n` only. */
export function singleRowInsert(insert: string, rows: number): ((row: number) => string) | undefined {
  const tail = `FROM generate_series(1, ${rows}) AS g`;
  if (!insert.endsWith(tail)) return undefined;
  const head = insert.slice(0, -tail.length);
  return (row) => `${head}FROM generate_series(${row}, ${row}) AS g`;
}

async function sampleKeys(session: DbSession, table: string, keyColumns: readonly string[], rows: number): Promise<unknown[][]> {
  // BERNOULLI reads every page but keeps ~2× the keys wanted; cheaper than ORDER BY random() on a million rows.
  const percent = rows > 0 ? Math.min(100, ((KEY_SAMPLE * 2) / rows) * 100) : 100;
  const select = `SELECT ${keyColumns.map((c, i) => `${c}::text AS k${i}`).join(', ')} FROM ${table}`;
  let sampled: Array<Record<string, string>>;
  try {
    sampled = (await session.query<Record<string, string>>(`${select} TABLESAMPLE BERNOULLI (${percent}) REPEATABLE (7) LIMIT ${KEY_SAMPLE}`)).rows;
  } catch (error) {
    // Relations TABLESAMPLE does not apply to (a foreign table without sampling support): the first rows will do.
    if (!isDbError(error)) throw error;
    sampled = (await session.query<Record<string, string>>(`${select} LIMIT ${KEY_SAMPLE}`)).rows;
  }
  return sampled.map((r) => keyColumns.map((_, i) => r[`k${i}`]));
}

/** Running clients; stop() ends them and returns every query they ran. */
export class Workload {
  private stopping = false;
  private readonly records: QueryRecord[] = [];
  private readonly loops: Array<Promise<void>>;
  readonly epoch = performance.now();

  private constructor(
    private readonly sessions: DbSession[],
    private readonly queries: readonly WorkloadQuery[],
    private readonly settings: WorkloadSettings,
  ) {
    this.loops = sessions.map((session, i) => this.loop(session, i));
  }

  static async start(driver: DbDriver, database: string, queries: readonly WorkloadQuery[], settings: WorkloadSettings): Promise<Workload> {
    const sessions: DbSession[] = [];
    try {
      for (let i = 0; i < settings.clients; i++) {
        const session = await driver.connect(database);
        sessions.push(session);
        await session.query(`SELECT set_config('statement_timeout', $1, false)`, [`${Math.round(settings.statementTimeoutMs)}ms`]);
      }
    } catch (error) {
      await Promise.all(sessions.map((s) => s.close()));
      throw error;
    }
    return new Workload(sessions, queries, settings);
  }

  /** Backend pids of the clients, to tell them apart in pg_stat_activity. */
  get pids(): number[] {
    return this.sessions.map((s) => s.backendPid);
  }

  /** ms since the workload's epoch. */
  now(): number {
    return performance.now() - this.epoch;
  }

  /**
   * Stops sending, waits for the queries in flight (they end by themselves: the statement_timeout bounds them),
   * closes the connections. A client whose query still has not returned `graceMs` after its timeout is closed
   * anyway, which ends its backend.
   */
  async stop(): Promise<QueryRecord[]> {
    this.stopping = true;
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.settings.statementTimeoutMs + 2_000).unref());
    await Promise.race([Promise.all(this.loops), grace]);
    await Promise.all(this.sessions.map((s) => s.close()));
    return [...this.records].sort((a, b) => a.startMs - b.startMs);
  }

  private async loop(session: DbSession, client: number): Promise<void> {
    if (this.queries.length === 0) return;
    const intervalMs = (1000 * this.settings.clients) / Math.max(this.settings.ratePerSecond, 0.001);
    // Clients start spread over one interval, each at its own place in the list of queries.
    let next = this.now() + (intervalMs * client) / this.settings.clients;
    let position = client;
    while (!this.stopping) {
      const wait = next - this.now();
      if (wait > 0) await sleep(wait);
      if (this.stopping) break;
      const index = position++ % this.queries.length;
      const query = this.queries[index]!;
      const startMs = this.now();
      const record: QueryRecord = { query: index, startMs, ms: 0 };
      try {
        const { sql, params } = query.next();
        await session.query(sql, params.length > 0 ? params : undefined);
      } catch (error) {
        if (isDbError(error)) {
          record.code = error.code;
          record.message = error.message;
        } else {
          // The connection is gone (closed by stop(), or the server went away): nothing more to send.
          record.code = 'connection';
          record.message = error instanceof Error ? error.message : String(error);
          record.ms = this.now() - startMs;
          this.records.push(record);
          return;
        }
      }
      record.ms = this.now() - startMs;
      this.records.push(record);
      // A closed loop: after a long wait the client resumes at its pace, it does not send the missed queries at once.
      next = Math.max(next + intervalMs, this.now());
    }
  }
}

/** max, p99, timeouts and errors of `records`. */
export function workloadStats(records: readonly QueryRecord[]): WorkloadStats {
  const durations = records.map((r) => r.ms).sort((a, b) => a - b);
  const errors = new Map<string, { code: string; count: number; message: string }>();
  let timedOut = 0;
  for (const record of records) {
    if (record.code === undefined) continue;
    if (record.code === '57014') {
      timedOut++;
      continue;
    }
    const known = errors.get(record.code);
    if (known) known.count++;
    else errors.set(record.code, { code: record.code, count: 1, message: record.message ?? '' });
  }
  return {
    queries: records.length,
    maxMs: round(durations.at(-1) ?? 0),
    p99Ms: round(percentile(durations, 0.99)),
    timedOut,
    errors: [...errors.values()].sort((a, b) => b.count - a.count),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
