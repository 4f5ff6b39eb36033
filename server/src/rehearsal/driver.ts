/**
 * The database-driver seam. Everything in rehearsal/ talks to PostgreSQL through `DbDriver`/`DbSession` so the
 * rest of the code never imports `pg` and a test can hand in a fake; only `pgDriver` below knows about `pg`.
 */
import pg from 'pg';

export interface DbQueryResult<T> {
  rows: T[];
  rowCount: number | null;
  /** The command tag's verb as the server sent it: 'SELECT', 'ALTER TABLE', 'CREATE INDEX', … */
  command: string;
}

export interface DbSession {
  /** pg_backend_pid() of this connection — what pg_locks.pid and pg_stat_activity.pid call it. */
  readonly backendPid: number;
  /**
   * Runs `sql`. Without `params` the simple-query protocol is used, so `sql` may hold several statements (they then
   * run in one implicit transaction and the result of the LAST one is returned). With `params` exactly one statement.
   * A server error rejects with a `DbError` carrying the server's SQLSTATE and position.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<DbQueryResult<T>>;
  /** Ends the connection; calling it again is harmless. */
  close(): Promise<void>;
}

export interface DbDriver {
  /** Opens a new connection to `database`, or to the driver's default database when omitted. */
  connect(database?: string): Promise<DbSession>;
}

/**
 * An error the PostgreSQL server reported. The fields are the server's ErrorResponse fields, unchanged, so callers
 * can map `position` back onto the statement text and branch on `code` (SQLSTATE, e.g. '42P01', '25001').
 */
export class DbError extends Error {
  override readonly name = 'DbError';
  readonly code: string;
  /** 1-based index in characters into the query string that was sent (PostgreSQL's convention), when given. */
  readonly position: number | undefined;
  readonly severity: string | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly where: string | undefined;
  readonly schema: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly constraint: string | undefined;

  constructor(source: pg.DatabaseError) {
    super(source.message, { cause: source });
    this.code = source.code ?? 'XX000';
    this.position = source.position === undefined ? undefined : Number(source.position);
    this.severity = source.severity;
    this.detail = source.detail;
    this.hint = source.hint;
    this.where = source.where;
    this.schema = source.schema;
    this.table = source.table;
    this.column = source.column;
    this.constraint = source.constraint;
  }
}

export function isDbError(error: unknown): error is DbError {
  return error instanceof DbError;
}

/** `url` with its database replaced; the password and every query parameter are kept. */
export function urlForDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + encodeURIComponent(database);
  return parsed.toString();
}

/** `url` with the password masked — in its userinfo and in a libpq-style `?password=` parameter — for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

export interface PgDriverOptions {
  /** Shown in pg_stat_activity.application_name, so a stuck session can be traced back to Lockstep. */
  applicationName?: string;
}

/** A `DbDriver` over node-postgres. `url` is a postgres:// connection string; its database is the default. */
export function pgDriver(url: string, options: PgDriverOptions = {}): DbDriver {
  return {
    async connect(database?: string): Promise<DbSession> {
      // pg lets fields parsed from connectionString win over explicit ones, so the database goes into the URL.
      const connectionString = database === undefined ? url : urlForDatabase(url, database);
      const client = new pg.Client({ connectionString, application_name: options.applicationName ?? 'lockstep' });
      // Without a listener, a connection dropped by the server (e.g. pg_terminate_backend) would crash the process;
      // the next query rejects with the cause instead.
      let lostWith: Error | undefined;
      client.on('error', (error) => {
        lostWith = error;
      });
      try {
        await client.connect();
      } catch (error) {
        throw connectError(error, connectionString);
      }
      const backendPid = (client as unknown as { processID: number }).processID;
      let closed: Promise<void> | undefined;
      return {
        backendPid,
        async query<T>(sql: string, params?: unknown[]): Promise<DbQueryResult<T>> {
          if (lostWith) throw new Error(`connection to ${redactUrl(connectionString)} was lost: ${lostWith.message}`, { cause: lostWith });
          try {
            const raw = (await client.query(sql, params)) as pg.QueryResult | pg.QueryResult[];
            const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
            return { rows: (last?.rows ?? []) as T[], rowCount: last?.rowCount ?? null, command: last?.command ?? '' };
          } catch (error) {
            throw error instanceof pg.DatabaseError ? new DbError(error) : error;
          }
        },
        close(): Promise<void> {
          closed ??= client.end().catch(() => undefined);
          return closed;
        },
      };
    },
  };
}

/** What to check for a failed connection, by SQLSTATE (the server answered) or Node's error code (it did not). */
const CONNECT_ADVICE: Readonly<Record<string, string>> = {
  '28P01': 'The server rejected the user or password in the URL (the password is not shown here): check both.',
  '28000': 'The server does not let this user connect from here (pg_hba.conf): check the URL’s user, or the server’s pg_hba.conf.',
  '3D000': 'The database named in the URL does not exist: name one that does (postgres usually does).',
  '53300': 'The server has no free connection slots: close some sessions, or raise max_connections.',
  '57P03': 'The server is starting up or shutting down: wait and try again.',
  ECONNREFUSED: 'Nothing listens at that host and port: check that the server is running and the URL’s port.',
  ENOTFOUND: 'The host name in the URL does not resolve: check it.',
  ETIMEDOUT: 'The host did not answer: check the URL’s host, and any firewall in between.',
};

function connectError(error: unknown, connectionString: string): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const advice = (typeof code === 'string' ? CONNECT_ADVICE[code] : undefined) ?? 'Check that the server is running and the URL (host, port, user, database) is right.';
  const wrapped = new Error(`could not connect to PostgreSQL at ${redactUrl(connectionString)}: ${reason}. ${advice}`, { cause: error });
  if (error instanceof pg.DatabaseError) return Object.assign(new DbError(error), { message: wrapped.message });
  return wrapped;
}

/**
 * A double-quoted SQL identifier for the SQL the rehearsal generates (always quoted, so generated SQL never
 * depends on keyword lists; analysis/names.ts quoteIdent is the minimal quote_ident for names shown to people).
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * DROP DATABASE that does not wait for (or fail on) sessions still connected to it. `WITH (FORCE)` exists from
 * PostgreSQL 13; before it the sessions are terminated first (there is no race: nothing reconnects to a
 * throwaway database).
 */
export async function dropDatabaseForce(admin: DbSession, database: string, major: number): Promise<void> {
  if (major >= 13) {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    return;
  }
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  // pg_terminate_backend only signals; a terminated backend leaves pg_stat_activity (and the database) a moment later.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
      return;
    } catch (error) {
      // 55006 object_in_use: "database … is being accessed by other users" — a terminated session not yet gone.
      if (!(isDbError(error) && error.code === '55006') || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
