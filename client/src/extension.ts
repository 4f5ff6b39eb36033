// The VS Code side of Lockstep: starts the language server (dist/server.js) and owns what the user sees.
// It does no analysis — everything about SQL lives in the server, so other editors get the same results.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  type ErrorHandler,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { REHEARSE_COMMAND, RehearsalUi } from './rehearsal/rehearsal-ui';

const CLIENT_ID = 'lockstep'; // also the settings prefix: vscode-languageclient reads `lockstep.trace.server`
const CLIENT_NAME = 'Lockstep';

/** Shape of `initializationOptions`; server/src/lsp/settings.ts validates each field. */
interface LockstepInitializationOptions {
  pgVersion: number;
  diagnosticsDelayMs: number;
  /** Larger files are analyzed only up to this many UTF-8 bytes (whole statements). */
  maxDocumentBytes?: number;
  /** The command the server's "— Rehearse" CodeLens runs; a client without one gets no such lens. */
  rehearseCommand: string;
  /** `${docsBaseUrl}${ruleId}.md` is a rule's documentation page. Ends with '/'. */
  docsBaseUrl: string;
  /** Rehearsal executes the user's SQL, so the server must refuse it in an untrusted workspace. */
  workspaceTrusted: boolean;
  /** `lockstep.rules` / `lockstep.tables`: lockstep.json's `rules` and `tables` for files no lockstep.json applies to. */
  rules?: unknown;
  tables?: unknown;
}

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let rehearsalUi: RehearsalUi | undefined;
/** Restarts run one after another: two at once (a command during a trust grant) would both start a server. */
let restartQueue: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  output = channel;
  rehearsalUi = new RehearsalUi(context, () => client, channel);
  context.subscriptions.push(
    channel,
    rehearsalUi,
    vscode.commands.registerCommand('lockstep.showOutput', () => channel.show(true)),
    vscode.commands.registerCommand('lockstep.restartServer', () => restartServer(context, channel)),
    // Trust can only be granted while running (revoking it reloads the window). The server reads trust once,
    // at initialize, so restart it to unlock rehearsal.
    vscode.workspace.onDidGrantWorkspaceTrust(() => restartServer(context, channel)),
  );
  await startServer(context, channel);
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) await disposeClient(running, output);
}

async function startServer(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Promise<void> {
  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  if (!existsSync(serverModule)) {
    // Only happens in a development checkout; forking a missing module gives a far less helpful error.
    const message = `Lockstep: ${serverModule} does not exist. Run \`npm run build\` in ${context.extensionUri.fsPath}.`;
    channel.error(message);
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
      if (choice === 'Show Output') channel.show(true);
    });
    return;
  }
  const started = createClient(context, channel, serverModule);
  client = started;
  try {
    await started.start();
  } catch (error) {
    // vscode-languageclient has already shown a notification with a "Go to output" button; the server's own
    // stderr (the real cause, usually) is in the channel above this line.
    channel.error(`The server did not start: ${error instanceof Error ? error.message : String(error)}. Fix the cause above, then run "Lockstep: Restart Server".`);
  }
}

function createClient(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel, serverModule: string): LanguageClient {
  const serverOptions: ServerOptions = {
    // --enable-source-maps: stack traces in this output channel then point at TypeScript sources.
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--enable-source-maps'] } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      // Port 6009 is what the "Attach to Server" launch configuration connects to.
      options: { execArgv: ['--nolazy', '--enable-source-maps', '--inspect=6009'] },
    },
  };
  // vscode-languageclient restarts a server that exits, up to 4 times in 3 minutes. That helps after a crash
  // mid-session, but a server that dies during start-up dies the same way again, and each attempt would add
  // its own notifications; so until it has run once, report the failure once and leave restarting to the user.
  let hasRun = false;
  let defaultErrorHandler: ErrorHandler | undefined;
  const errorHandler: ErrorHandler = {
    // Over IPC a read/write error means the server process is dying; `closed` follows and decides about a
    // restart. The library's default shuts the client down after a few such errors (every message written
    // after the crash is one), and a shut-down client never restarts: a crash became a permanent stop whenever
    // the client happened to be sending at that moment. The errors still go to the output channel.
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: () =>
      hasRun
        ? defaultErrorHandler!.closed()
        : { action: CloseAction.DoNotRestart, handled: true, message: 'The server exited while starting; see its output above.' },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'untitled', language: 'sql' },
      // Extensions such as PostgreSQL highlighters map .sql to their own language id; migration folders are
      // still ours to analyze.
      { scheme: 'file', pattern: '**/migrations/**/*.sql' },
      // Not analyzed: synced so sqitch fixes add their line to the editor's unsaved sqitch.plan, not the file on disk.
      { scheme: 'file', pattern: '**/sqitch.plan' },
    ],
    outputChannel: channel,
    // A function so that a restart picks up settings and trust as they are now.
    initializationOptions: () => initializationOptions(context),
    // Pushes the `lockstep` section with every workspace/didChangeConfiguration, so the server hears of a
    // changed setting without registering for it; it may still pull per-folder values with workspace/configuration.
    synchronize: { configurationSection: CLIENT_ID },
    errorHandler,
    // Without this the library shows two notifications of its own for one failed initialize request.
    initializationFailedHandler: (error) => {
      channel.error(`Initializing the server failed: ${error instanceof Error ? error.message : String(error)}`);
      return false; // do not retry: a second initialize request would fail the same way
    },
  };
  const languageClient = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  defaultErrorHandler = languageClient.createDefaultErrorHandler();
  languageClient.onDidChangeState(({ oldState, newState }) => {
    if (newState === State.Running) hasRun = true;
    rehearsalUi?.setServerState(newState);
    channel.info(`Server ${stateName(oldState)} → ${stateName(newState)}`);
  });
  return languageClient;
}

function initializationOptions(context: vscode.ExtensionContext): LockstepInitializationOptions {
  const settings = vscode.workspace.getConfiguration(CLIENT_ID);
  const maxDocumentBytes = settings.get<number>('maxDocumentBytes');
  return {
    pgVersion: settings.get<number>('pgVersion', 17),
    diagnosticsDelayMs: settings.get<number>('diagnosticsDelayMs', 200),
    // Unset: the server's own default (server/src/lsp/document-limit.ts), so the two cannot drift apart.
    ...(maxDocumentBytes !== undefined && maxDocumentBytes !== null ? { maxDocumentBytes } : {}),
    rehearseCommand: REHEARSE_COMMAND,
    docsBaseUrl: `${vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules').toString()}/`,
    workspaceTrusted: vscode.workspace.isTrusted,
    // Checked by the server with lockstep.json's own validator.
    rules: settings.get<unknown>('rules'),
    tables: settings.get<unknown>('tables'),
  };
}

function restartServer(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Promise<void> {
  restartQueue = restartQueue.then(() => replaceClient(context, channel));
  return restartQueue;
}

/**
 * Replaces the client instead of stop()+start(): vscode-languageclient cannot start a client again once its
 * start failed, and a restart is exactly what a user tries after a failure.
 */
async function replaceClient(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Promise<void> {
  const previous = client;
  client = undefined;
  if (previous !== undefined) {
    channel.info('Restarting the server');
    if (previous.state === State.Starting) {
      // stop() refuses a client that is still starting; let the start settle first.
      await previous.start().catch(() => undefined);
    }
    await disposeClient(previous, channel);
  }
  await startServer(context, channel);
}

async function disposeClient(languageClient: LanguageClient, channel: vscode.LogOutputChannel | undefined): Promise<void> {
  // A client whose start failed has no server to stop; dispose() still marks it so it never restarts itself,
  // but it throws to say there was nothing to stop, which is no news.
  const hadServer = languageClient.state !== State.StartFailed;
  await languageClient.dispose().catch((error: unknown) => {
    if (hadServer) channel?.warn(`Stopping the server failed: ${error instanceof Error ? error.message : String(error)}`);
  });
}

function stateName(state: State): string {
  switch (state) {
    case State.Starting:
      return 'starting';
    case State.Running:
      return 'running';
    case State.StartFailed:
      return 'failed to start';
    case State.Stopped:
      return 'stopped';
  }
}
