// Child processes for the end-to-end tests, each in a process group of its own so that stopping it stops
// everything it started: code-server's extension host and file watcher, the language server the extension host
// forks, Neovim's language server. Some of those outlive their parent when only the parent is signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface GroupProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (kept for the CI artifacts) as well as kept in memory. */
  logFile: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Process groups still running; killed when this test worker exits, however the test ended. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

export class GroupProcess {
  private outputText = '';
  private readonly log: WriteStream;
  private readonly listeners = new Set<() => void>();
  private stopping: Promise<void> | undefined;
  readonly exited: Promise<ExitStatus>;

  private constructor(
    readonly command: string,
    readonly child: ChildProcess,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    const onData = (chunk: Buffer) => {
      this.outputText += chunk.toString('utf8');
      this.log.write(chunk);
      for (const listener of [...this.listeners]) listener();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      // A command that cannot be spawned (ENOENT) emits 'error' and never 'exit'.
      child.once('error', (error) => {
        this.outputText += `\n[spawn error] ${error.message}\n`;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Starts `command` as the leader of a new process group (detached: setsid on POSIX). */
  static start(command: string, args: string[], options: GroupProcessOptions): GroupProcess {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) liveGroups.add(child.pid);
    return new GroupProcess([command, ...args].join(' '), child, options.logFile);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.command} was not started: ${this.outputText}`);
    return this.child.pid;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.outputText;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on exit or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.outputText.match(pattern);
        if (match) {
          done();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.command}: no output matching ${pattern} within ${timeoutMs} ms. Output so far:\n${this.outputText}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      void this.exited.then((status) => {
        if (!this.listeners.has(check)) return;
        done();
        reject(new Error(`${this.command} exited (${describeExit(status)}) before printing ${pattern}. Output:\n${this.outputText}`));
      });
      check();
    });
  }

  /** The exit status, or a kill of the whole group and an error after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      await this.stop();
      throw new Error(`${this.command} did not finish within ${timeoutMs} ms and was killed. Output:\n${this.outputText}`);
    }
    return result;
  }

  /**
   * SIGTERM to the whole group, SIGKILL to what is left after `graceMs`. Rejects if anything of the group
   * survives even that, so a test run cannot pass while leaving processes behind.
   */
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= this.stopGroup(graceMs);
    return this.stopping;
  }

  private async stopGroup(graceMs: number): Promise<void> {
    const pgid = this.child.pid;
    if (pgid === undefined) return;
    if (groupAlive(pgid)) {
      signalGroup(pgid, 'SIGTERM');
      if (!(await waitUntil(() => !groupAlive(pgid), graceMs))) {
        signalGroup(pgid, 'SIGKILL');
        if (!(await waitUntil(() => !groupAlive(pgid), 5000))) {
          throw new Error(`process group ${pgid} (${this.command}) survived SIGKILL`);
        }
      }
    }
    liveGroups.delete(pgid);
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}

/**
 * Pids of the processes of group `pgid` that are still running. Read from /proc rather than probed with
 * kill(-pgid, 0), which also counts zombies: an orphan that has exited stays one until init reaps it.
 */
export function groupMembers(pgid: number): number[] {
  if (!existsSync('/proc/self/stat')) return groupAliveBySignal(pgid) ? [pgid] : [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …" — comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
  }
  return members;
}

export function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

function groupAliveBySignal(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `exit code ${status.code}`;
}

export interface PostgresProcess {
  pid: number;
  /** The postmaster's -D argument; its children (checkpointer, walwriter…) have none. */
  dataDir?: string;
}

/** The PostgreSQL processes (the postmaster and its children) in process group `pgid`. */
export function postgresProcesses(pgid: number): PostgresProcess[] {
  const found: PostgresProcess[] = [];
  for (const pid of groupMembers(pgid)) {
    let comm: string;
    let argv: string[];
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    if (comm !== 'postgres' && !argv[0]?.endsWith('/postgres')) continue;
    const d = argv.indexOf('-D');
    found.push({ pid, ...(d >= 0 && argv[d + 1] ? { dataDir: argv[d + 1] } : {}) });
  }
  return found;
}
