// A minimal LSP client for protocol tests: runs the built `lockstep lsp --stdio` as a child process, the way an
// editor would, and records what the server sends.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  DidChangeConfigurationNotification,
  ConfigurationRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LspClientOptions {
  initializationOptions?: Record<string, unknown>;
  capabilities?: ClientCapabilities;
  /** Answers workspace/configuration requests; one value per requested item. */
  configuration?: (section: string | undefined) => unknown;
}

const DIAGNOSTICS_SETTLED = '$/lockstep/diagnosticsSettled';

export class LspClient {
  /** Every publishDiagnostics, provisional ones included. */
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly finals: PublishDiagnosticsParams[] = [];
  readonly logMessages: string[] = [];
  readonly configurationRequests: Array<string | undefined> = [];
  readonly registrations: string[] = [];
  stderr = '';
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    options: LspClientOptions,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      if ((params as { provisional?: unknown }).provisional !== true) this.finals.push(params);
      this.notify();
    });
    // The provisional diagnostics of a version turned out final (server/src/lsp/document-diagnostics.ts).
    connection.onNotification(DIAGNOSTICS_SETTLED, (params: { uri: string; version: number }) => {
      const provisional = [...this.published].reverse().find((p) => p.uri === params.uri && p.version === params.version);
      if (provisional) this.finals.push({ uri: provisional.uri, version: provisional.version, diagnostics: provisional.diagnostics });
      this.notify();
    });
    connection.onNotification(LogMessageNotification.type, (params) => {
      this.logMessages.push(params.message);
      this.notify();
    });
    connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => {
        this.configurationRequests.push(item.section);
        this.notify();
        return options.configuration?.(item.section) ?? null;
      }),
    );
    connection.onRequest(RegistrationRequest.type, (params) => {
      this.registrations.push(...params.registrations.map((r) => r.method));
    });
    connection.listen();
  }

  static async start(options: LspClientOptions = {}): Promise<{ client: LspClient; initializeResult: InitializeResult }> {
    const child = spawn(process.execPath, ['bin/lockstep.js', 'lsp', '--stdio'], { cwd: repoRoot, stdio: 'pipe' });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, connection, options);
    const initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: options.capabilities ?? {},
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return { client, initializeResult };
  }

  /** Resolves when `condition` holds, re-checked whenever the server sends something; fails after `timeoutMs`. */
  async waitFor<T>(describe: string, condition: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const now = condition();
    if (now !== undefined) return now;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = condition();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe}; server stderr:\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** The `n`-th (0-based) publishDiagnostics for `uri`, waiting for it if needed. */
  diagnosticsNumber(uri: string, n: number): Promise<PublishDiagnosticsParams> {
    return this.waitFor(`publishDiagnostics #${n} for ${uri}`, () => this.publishedFor(uri)[n]);
  }

  /**
   * The final publishDiagnostics for `uri`, in order: the server may publish `provisional: true` diagnostics first
   * while a long analysis runs (then the final ones, or `$/lockstep/diagnosticsSettled` when they are the same).
   */
  publishedFor(uri: string): PublishDiagnosticsParams[] {
    return this.finals.filter((p) => p.uri === uri);
  }

  /** Every publishDiagnostics for `uri`, provisional ones included. */
  allPublishedFor(uri: string): PublishDiagnosticsParams[] {
    return this.published.filter((p) => p.uri === uri);
  }

  async changeConfiguration(settings: unknown): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  /** shutdown + exit as an editor does; resolves to the server's exit code. */
  async stop(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await Promise.race([this.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))]);
    this.dispose();
    if (code === 'timeout') throw new Error('server did not exit within 5 s of the exit notification');
    return code;
  }

  /** Last resort for afterAll: never leave a server running. */
  dispose(): void {
    this.connection.dispose();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
