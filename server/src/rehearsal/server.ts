/**
 * The PostgreSQL server a rehearsal runs on, and every database it creates there.
 *
 * - Embedded (default): a throwaway server started for this rehearsal (embedded-server.ts) and stopped — its
 *   directory deleted — when the rehearsal ends, however it ends. A caller may hand in an embedded server it owns
 *   instead (to reuse seeded templates across rehearsals); that one is left running.
 * - `--url`: the user's own server. Lockstep creates databases named lockstep_rehearsal_<random> (the scratch
 *   database and its per-size copies) and lockstep_tpl_<hash> (seeded templates), works only inside them, and
 *   drops them all at the end (templates survive only with keepTemplates). The database the URL names is used
 *   for CREATE/DROP DATABASE and cancelling our own backends, nothing else. A host that is not loopback is
 *   refused unless allowRemote: a rehearsal runs the migration for real, with heavy I/O.
 *
 * The URL's password never leaves this module: messages use redactUrl().
 */
import { randomBytes } from 'node:crypto';
import { dropDatabaseForce, isDbError, pgDriver, quoteIdent, redactUrl, type DbDriver, type DbSession } from './driver.js';
import { startEmbeddedPostgres } from './embedded-server.js';

/** The part of an embedded server a rehearsal uses (what startEmbeddedPostgres returns). */
export interface EmbeddedServerHandle {
  readonly url: string;
  readonly redactedUrl: string;
  readonly driver: DbDriver;
  stop(): Promise<void>;
}

export type ServerChoice =
  | {
      kind: 'embedded';
      /** PostgreSQL major of the embedded binaries (default 17); its npm platform package must be installed. */
      pgVersion?: number;
      /** Reuse this running server (and the templates seeded on it) instead of starting one; it is not stopped. */
      server?: EmbeddedServerHandle;
    }
  | {
      kind: 'url';
      url: string;
      /** Allow a host other than localhost / 127.0.0.0/8 / ::1 / a unix socket. */
      allowRemote?: boolean;
      /** Keep the seeded lockstep_tpl_* databases for the next rehearsal of the same schema and sizes. */
      keepTemplates?: boolean;
    };

export class RehearsalSetupError extends Error {
  override readonly name = 'RehearsalSetupError';
}

export const APPLICATION_NAME = 'lockstep-rehearsal';

/** Why `url` may not be used without --allow-remote, or undefined when it points at this machine. */
export function remoteHostReason(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the URL cannot be parsed (expected postgres://user:password@host:port/database)';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return `the URL scheme is ${parsed.protocol.replace(/:$/, '')}, not postgres`;
  }
  // libpq's ?host= overrides the authority; a path there is a unix-socket directory on this machine.
  const hosts = [parsed.searchParams.get('host') ?? parsed.hostname].flatMap((h) => h.split(','));
  for (const raw of hosts) {
    const host = decodeURIComponent(raw).replace(/^\[|\]$/g, '').toLowerCase();
    if (host === '' || host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) continue;
    return `host ${host} is not this machine`;
  }
  return undefined;
}

export class RehearsalServer {
  private readonly created = new Set<string>();
  private readonly kept = new Set<string>();
  private admin: DbSession | undefined;

  private constructor(
    readonly driver: DbDriver,
    /** The database the driver connects to by default (the URL's; 'postgres' on the embedded server). */
    readonly maintenanceDatabase: string,
    readonly embedded: boolean,
    /** Shown in messages and reports: the redacted URL, or "embedded PostgreSQL". */
    readonly displayName: string,
    private readonly stopServer: (() => Promise<void>) | undefined,
    /** Seeded templates outlive this rehearsal (a kept --url template, or an embedded server the caller owns). */
    readonly keepTemplates: boolean,
  ) {}

  /**
   * Worth building a template at all: only when it will outlive this rehearsal. Otherwise each size is seeded
   * straight into the database it runs in, which saves a copy of every seeded database.
   */
  get buildTemplates(): boolean {
    return this.keepTemplates && this.stopServer === undefined;
  }

  /** server_version, e.g. '17.10'. */
  version = '';
  /** server_version_num, e.g. 170010. */
  versionNum = 0;
  superuser = false;
  /** The postmaster's pid, for an embedded server we started (read from postmaster.pid through SQL). */
  pid: number | undefined;

  static async open(choice: ServerChoice, options: { signal?: AbortSignal } = {}): Promise<RehearsalServer> {
    let server: RehearsalServer;
    if (choice.kind === 'url') {
      const reason = remoteHostReason(choice.url);
      if (reason !== undefined && !(choice.allowRemote && !reason.includes('cannot be parsed') && !reason.includes('scheme'))) {
        throw new RehearsalSetupError(
          `refusing to rehearse on ${redactUrl(choice.url)}: ${reason}. A rehearsal runs the migration for real and loads ` +
            'data, so it only uses servers on this machine by default. Pass --allow-remote if this server is a disposable ' +
            'one meant for it, or drop --url to use an embedded PostgreSQL.',
        );
      }
      const database = decodeURIComponent(new URL(choice.url).pathname.replace(/^\//, '')) || 'postgres';
      server = new RehearsalServer(
        pgDriver(choice.url, { applicationName: APPLICATION_NAME }),
        database,
        false,
        redactUrl(choice.url),
        undefined,
        choice.keepTemplates ?? false,
      );
    } else if (choice.server) {
      server = new RehearsalServer(choice.server.driver, 'postgres', true, 'embedded PostgreSQL', undefined, true);
    } else {
      const started = await startEmbedded(choice.pgVersion);
      // Templates die with the server: dropping them one by one first would only cost time.
      server = new RehearsalServer(
        pgDriver(started.url, { applicationName: APPLICATION_NAME }),
        'postgres',
        true,
        'embedded PostgreSQL',
        () => started.stop(),
        true,
      );
    }
    try {
      options.signal?.throwIfAborted();
      await server.inspect(choice.kind === 'embedded' && !choice.server);
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  private async inspect(ownEmbedded: boolean): Promise<void> {
    const admin = await this.adminSession();
    const { rows } = await admin.query<{ version: string; num: string; superuser: boolean }>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
    );
    this.version = rows[0]!.version.split(' ')[0]!;
    this.versionNum = Number(rows[0]!.num);
    this.superuser = rows[0]!.superuser;
    if (this.versionNum < 130000) {
      throw new RehearsalSetupError(
        `${this.displayName} runs PostgreSQL ${this.version}; rehearsal needs 13 or later (DROP DATABASE … WITH (FORCE)). ` +
          'Use a newer server, or drop --url to use the embedded PostgreSQL.',
      );
    }
    if (ownEmbedded) {
      const pidFile = await admin.query<{ text: string }>(`SELECT pg_read_file('postmaster.pid') AS text`);
      this.pid = Number(pidFile.rows[0]?.text.split('\n')[0]) || undefined;
    }
  }

  /** The session on the maintenance database; also what cancels our backends. */
  async adminSession(): Promise<DbSession> {
    this.admin ??= await this.driver.connect();
    return this.admin;
  }

  /** A fresh name under the lockstep_rehearsal_ prefix. */
  static scratchName(): string {
    return `lockstep_rehearsal_${randomBytes(6).toString('hex')}`;
  }

  async databaseExists(name: string): Promise<boolean> {
    const admin = await this.adminSession();
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length > 0;
  }

  /** CREATE DATABASE, tracked so close() drops it. `template` copies another of our databases. */
  async createDatabase(name: string, template?: string): Promise<void> {
    const admin = await this.adminSession();
    // FILE_COPY copies the files after a checkpoint: much faster for seeded templates than WAL-logging every
    // block (PostgreSQL 15's default), and the checkpoint is free on a throwaway server with fsync off. On the
    // user's server we keep the default so we do not force checkpoints on it.
    const strategy = template && this.embedded && this.versionNum >= 150000 ? ' STRATEGY FILE_COPY' : '';
    const sql = `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}${strategy}`;
    this.created.add(name);
    try {
      await admin.query(sql);
    } catch (error) {
      this.created.delete(name);
      if (isDbError(error) && error.code === '42501') {
        throw new RehearsalSetupError(
          `the role in ${this.displayName} may not create databases (${error.message}). Rehearsal works in databases of its own: ` +
            'grant CREATEDB to that role, or drop --url to use the embedded PostgreSQL.',
        );
      }
      throw error;
    }
  }

  async renameDatabase(from: string, to: string): Promise<void> {
    const admin = await this.adminSession();
    await admin.query(`ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
    if (this.created.delete(from)) this.created.add(to);
  }

  async dropDatabase(name: string): Promise<void> {
    const admin = await this.adminSession();
    await dropDatabaseForce(admin, name, Math.floor(this.versionNum / 10000));
    this.created.delete(name);
  }

  /** A template this run created that should outlive it (keepTemplates). */
  keep(name: string): void {
    if (this.created.delete(name)) this.kept.add(name);
  }

  /** Databases this run created and has not dropped yet. */
  get liveDatabases(): string[] {
    return [...this.created];
  }

  /**
   * Cancels whatever our sessions are running in our databases (pg_cancel_backend: the statement fails with
   * 57014, its transaction rolls back). Best effort: called while aborting.
   */
  async cancelRunningQueries(only?: readonly string[]): Promise<void> {
    const databases = only ?? [...this.created, ...this.kept];
    if (databases.length === 0) return;
    const canceller = await this.driver.connect().catch(() => undefined);
    if (!canceller) return;
    try {
      await canceller.query('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [databases]);
    } catch {
      // The server may be going away (embedded, stopped by a signal handler); nothing left to cancel then.
    } finally {
      await canceller.close();
    }
  }

  /** Drops every database this run created (not kept templates), then stops the server if we started it. */
  async close(): Promise<{ problems: string[] }> {
    const problems: string[] = [];
    if (this.stopServer) {
      await this.admin?.close();
      try {
        await this.stopServer();
      } catch (error) {
        problems.push(`could not stop the embedded PostgreSQL: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.created.clear();
      return { problems };
    }
    for (const name of [...this.created]) {
      try {
        await this.dropDatabase(name);
      } catch (error) {
        problems.push(`could not drop database ${name} on ${this.displayName}: ${error instanceof Error ? error.message : String(error)}; drop it by hand`);
      }
    }
    await this.admin?.close();
    this.admin = undefined;
    return { problems };
  }
}

/**
 * Starts the embedded server for `pgVersion` (default: LOCKSTEP_PG, else the shipped major). A major whose
 * platform package is not installed fails before anything starts, with the npm command that installs it.
 */
function startEmbedded(pgVersion: number | undefined): Promise<EmbeddedServerHandle> {
  return startEmbeddedPostgres(pgVersion !== undefined ? { major: pgVersion } : {});
}

