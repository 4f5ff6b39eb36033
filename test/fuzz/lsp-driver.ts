/**
 * Drives the built language server (`node dist/cli.js lsp --stdio`) the way an editor does and times it: every
 * request and every didOpen/didChange → publishDiagnostics round trip, plus the server's memory from /proc.
 * Used by the fuzz run (which asks "does it answer, in time, and stay up?") and by bench/lsp.ts ("how fast?").
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  MessageType,
  PublishDiagnosticsNotification,
  ResponseError,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** The repository root: the nearest folder up from `start` whose package.json is named "lockstep". */
export function findRepoRoot(start: string = typeof __dirname === 'string' ? __dirname : process.cwd()): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'lockstep') return dir;
      } catch {
        // Not ours; keep walking.
      }
    }
    if (dirname(dir) === dir) throw new Error(`no lockstep package.json above ${start}; run from the repository`);
  }
}

export interface RequestOutcome {
  ms: number;
  /** 'result' (including null), 'error' (a JSON-RPC error response) or 'timeout' (no answer in time). */
  kind: 'result' | 'error' | 'timeout';
  errorCode?: number;
  errorMessage?: string;
}

export interface PublishTiming {
  /** Until the final diagnostics of the version (the settled ones). */
  ms: number;
  /** Until the first diagnostics of the version: provisional ones (see below) when the server sent any, else `ms`. */
  firstMs: number;
  /** The final diagnostics. */
  params: PublishDiagnosticsParams;
}

/**
 * The server publishes `provisional: true` diagnostics while a long re-check runs, then the final ones — or, when
 * they would repeat the provisional ones, this notification (server/src/lsp/document-diagnostics.ts).
 */
const SETTLED_METHOD = '$/lockstep/diagnosticsSettled';

export interface MemorySample {
  /** Resident set now, and the peak so far (VmHWM), in MB; undefined where /proc is missing. */
  rssMb: number | undefined;
  peakRssMb: number | undefined;
}

interface Waiter {
  matches(params: { uri: string; version?: number | null }): boolean;
  /** When the version's first (provisional) diagnostics came, and what they were. */
  first?: { at: number; params: PublishDiagnosticsParams };
  resolve(params: PublishDiagnosticsParams): void;
}

export class LspDriver {
  readonly errorLogs: string[] = [];
  stderr = '';
  private readonly waiters = new Set<Waiter>();
  private readonly documents = new Map<string, TextDocument>();
  private exitInfo: { code: number | null; signal: string | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      }),
    );
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the tail only: a server that loops on an error must not exhaust the driver's memory.
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-20_000);
    });
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const provisional = (params as { provisional?: unknown }).provisional === true;
      for (const waiter of [...this.waiters]) {
        if (!waiter.matches(params)) continue;
        if (provisional) {
          waiter.first ??= { at: performance.now(), params };
          continue;
        }
        this.waiters.delete(waiter);
        waiter.resolve(params);
      }
    });
    connection.onNotification(SETTLED_METHOD, (params: { uri: string; version: number }) => {
      for (const waiter of [...this.waiters]) {
        if (!waiter.matches(params) || waiter.first === undefined) continue;
        this.waiters.delete(waiter);
        waiter.resolve(waiter.first.params);
      }
    });
    connection.onNotification(LogMessageNotification.type, (params) => {
      if (params.type === MessageType.Error) this.errorLogs.push(params.message);
    });
    // A broken pipe after the server died is reported by alive()/exit; it must not crash the driver.
    connection.onError(() => undefined);
    connection.listen();
  }

  /** Spawns `node dist/cli.js lsp --stdio` in `repoRoot` and completes initialize/initialized. */
  static async start(repoRoot: string, initializationOptions: Record<string, unknown>, nodeArgs: string[] = []): Promise<LspDriver> {
    const cli = join(repoRoot, 'dist', 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} does not exist; run \`npm run build\` first`);
    const child = spawn(process.execPath, [...nodeArgs, cli, 'lsp', '--stdio'], { cwd: repoRoot, stdio: 'pipe' });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const driver = new LspDriver(child, connection);
    const init = connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions,
    });
    await Promise.race([
      init,
      driver.exited.then(() => {
        throw new Error(`server exited during initialize (${driver.describeExit()}); stderr:\n${driver.stderr}`);
      }),
    ]);
    await connection.sendNotification(InitializedNotification.type, {});
    return driver;
  }

  get pid(): number {
    return this.child.pid!;
  }

  alive(): boolean {
    return this.exitInfo === undefined;
  }

  describeExit(): string {
    if (this.exitInfo === undefined) return 'still running';
    return this.exitInfo.signal ? `killed by ${this.exitInfo.signal}` : `exit code ${this.exitInfo.code}`;
  }

  /** The text the server holds for `uri`, as far as this client knows. */
  text(uri: string): string | undefined {
    return this.documents.get(uri)?.getText();
  }

  /** didOpen, then the publishDiagnostics for that version. */
  async open(uri: string, text: string, version: number, timeoutMs: number): Promise<PublishTiming> {
    this.documents.set(uri, TextDocument.create(uri, 'sql', version, text));
    const started = performance.now();
    const published = this.nextPublish(uri, version, timeoutMs);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version, text },
    });
    return timing(started, await published);
  }

  /**
   * Changes the document to `next` with one incremental change (the differing middle), then waits for the
   * publishDiagnostics of `version`. Falls back to replacing the whole text when the range form cannot say it
   * (LSP positions cannot point between the \r and \n of a line break).
   */
  async changeTo(uri: string, next: string, version: number, timeoutMs: number): Promise<PublishTiming> {
    const document = this.documents.get(uri);
    if (document === undefined) throw new Error(`changeTo: ${uri} is not open`);
    const change = incrementalChange(document, next);
    return this.change(uri, [change], version, timeoutMs);
  }

  /** didChange with the given changes (applied to the client's copy too), then waits for that version's publish. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[], version: number, timeoutMs: number): Promise<PublishTiming> {
    const document = this.documents.get(uri);
    if (document === undefined) throw new Error(`change: ${uri} is not open`);
    this.documents.set(uri, TextDocument.update(document, changes, version));
    const started = performance.now();
    const published = this.nextPublish(uri, version, timeoutMs);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return timing(started, await published);
  }

  /** didClose, then the empty publishDiagnostics that clears the file. */
  async close(uri: string, timeoutMs: number): Promise<PublishTiming> {
    this.documents.delete(uri);
    const started = performance.now();
    const published = this.nextPublish(uri, undefined, timeoutMs);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    return timing(started, await published);
  }

  /** Sends a request and classifies the answer; never rejects. */
  async request(method: string, params: unknown, timeoutMs: number): Promise<RequestOutcome> {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const answer = await Promise.race([
        this.connection.sendRequest(method, params).then(() => 'result' as const),
        timeout,
        this.exited.then(() => 'exited' as const),
      ]);
      const ms = performance.now() - started;
      if (answer === 'exited') return { ms, kind: 'error', errorCode: -1, errorMessage: `server ${this.describeExit()}` };
      return { ms, kind: answer };
    } catch (error) {
      const ms = performance.now() - started;
      if (error instanceof ResponseError) return { ms, kind: 'error', errorCode: error.code, errorMessage: error.message };
      return { ms, kind: 'error', errorCode: -1, errorMessage: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a notification that expects no publish (e.g. a change for a document that is not open). */
  async notify(method: string, params: unknown): Promise<void> {
    await this.connection.sendNotification(method, params);
  }

  memory(): MemorySample {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (field: string): number | undefined => {
        const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
        return match ? Number(match[1]) / 1024 : undefined;
      };
      return { rssMb: kb('VmRSS'), peakRssMb: kb('VmHWM') };
    } catch {
      return { rssMb: undefined, peakRssMb: undefined };
    }
  }

  /**
   * CPU time the server has used so far (user + system, all threads), in ms; undefined where /proc is missing.
   * On a shared machine this, unlike wall time, does not include waiting for a core.
   */
  cpuMs(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesized command name; utime and stime are fields 14 and 15, in clock ticks (1/100 s).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return undefined;
    }
  }

  /** shutdown + exit; resolves to how the server ended. Kills it if it does not exit within 5 s. */
  async stop(): Promise<string> {
    if (this.alive()) {
      const shutdown = await this.request(ShutdownRequest.method, undefined, 5000);
      if (shutdown.kind === 'result') await this.connection.sendNotification(ExitNotification.type).catch(() => undefined);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    const outcome = this.describeExit();
    this.dispose();
    return outcome;
  }

  dispose(): void {
    this.connection.dispose();
    if (this.alive()) this.child.kill();
  }

  /** The final diagnostics of `version`, and when they (and any provisional ones before them) came. */
  private nextPublish(uri: string, version: number | undefined, timeoutMs: number): Promise<{ params: PublishDiagnosticsParams; at: number; firstAt: number }> {
    const published = new Promise<{ params: PublishDiagnosticsParams; at: number; firstAt: number }>((resolve, reject) => {
      const waiter: Waiter = {
        matches: (p) => p.uri === uri && (version === undefined ? p.version === undefined : p.version === version),
        resolve: (p) => {
          clearTimeout(timer);
          const at = performance.now();
          resolve({ params: p, at, firstAt: waiter.first?.at ?? at });
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const what = version === undefined ? 'the clearing publishDiagnostics after didClose' : `publishDiagnostics for version ${version}`;
        reject(new Error(`no ${what} of ${uri} within ${timeoutMs} ms (server ${this.describeExit()})`));
      }, timeoutMs);
      this.waiters.add(waiter);
      void this.exited.then(() => {
        if (!this.waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`server ${this.describeExit()} while waiting for diagnostics of ${uri}; stderr:\n${this.stderr}`));
      });
    });
    // Callers await this only after sending their notification, which can outlast the timeout (a large didOpen to a
    // busy server): without a handler by then, the timeout is also an unhandled rejection, which the fuzz run counted
    // as a second failure, of whichever core case ran last (seed 1: "core case 9999" for server case 22).
    published.catch(() => undefined);
    return published;
  }
}

function timing(started: number, published: { params: PublishDiagnosticsParams; at: number; firstAt: number }): PublishTiming {
  return { ms: published.at - started, firstMs: published.firstAt - started, params: published.params };
}

/** The smallest single range change turning `document` into `next`, or a whole-text replacement. */
export function incrementalChange(document: TextDocument, next: string): TextDocumentContentChangeEvent {
  const old = document.getText();
  const limit = Math.min(old.length, next.length);
  let prefix = 0;
  while (prefix < limit && old.charCodeAt(prefix) === next.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && old.charCodeAt(old.length - 1 - suffix) === next.charCodeAt(next.length - 1 - suffix)) suffix++;
  const change = {
    range: { start: document.positionAt(prefix), end: document.positionAt(old.length - suffix) },
    text: next.slice(prefix, next.length - suffix),
  };
  // Check the change says what we mean; positions cannot address the middle of a \r\n.
  const probe = TextDocument.update(TextDocument.create(document.uri, 'sql', 0, old), [change], 1);
  return probe.getText() === next ? change : { text: next };
}
