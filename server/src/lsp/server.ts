// The Lockstep language server: wires the connection, the synced documents and the settings to
// DocumentDiagnostics. All SQL knowledge lives in ../analysis; this folder only speaks LSP.
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initParser } from '../analysis/analyzer';
import { DocumentDiagnostics } from './document-diagnostics';
import { parseMaxDocumentBytes, parsePgVersion, settingsFromInitializationOptions, type ServerSettings } from './settings';

export interface ServerStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * Starts the server. Without `streams` the transport comes from the command line (`--node-ipc` from VS Code,
 * `--stdio`, `--socket=`, `--pipe=`); `lockstep lsp --stdio` passes stdin/stdout explicitly.
 */
export function startServer(streams?: ServerStreams): void {
  const connection = streams
    ? createConnection(ProposedFeatures.all, streams.input, streams.output)
    : createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  // Replaced in onInitialize; the protocol guarantees no document arrives before that.
  let settings: ServerSettings = settingsFromInitializationOptions(undefined, () => undefined);
  let clientPullsConfiguration = false;
  let clientRegistersConfigurationDynamically = false;

  const diagnostics = new DocumentDiagnostics(
    {
      document: (uri) => documents.get(uri),
      publish: (params) => {
        connection.sendDiagnostics(params).catch((error: unknown) => {
          connection.console.error(`Lockstep: could not publish diagnostics for ${params.uri}: ${describe(error)}`);
        });
      },
      logError: (message) => connection.console.error(message),
    },
    () => settings,
  );

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    settings = settingsFromInitializationOptions(params.initializationOptions, (m) => connection.console.warn(m));
    clientPullsConfiguration = params.capabilities.workspace?.configuration === true;
    clientRegistersConfigurationDynamically =
      params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    try {
      await initParser();
    } catch (error) {
      // Stay up: each document then says why it is not checked, rather than the client showing a crash.
      diagnostics.parserUnavailable(error);
      connection.console.error(`Lockstep: could not load the PostgreSQL parser (libpg-query WASM): ${describe(error)}`);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      },
      serverInfo: { name: 'lockstep' },
    };
  });

  connection.onInitialized(() => {
    if (clientPullsConfiguration && clientRegistersConfigurationDynamically) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'lockstep' });
    }
    if (clientPullsConfiguration) void pullConfiguration();
  });

  connection.onDidChangeConfiguration((params) => {
    if (clientPullsConfiguration) {
      // The notification may carry nothing (pull model); ask for the current values.
      void pullConfiguration();
      return;
    }
    applyWorkspaceSettings((params.settings as { lockstep?: unknown } | null | undefined)?.lockstep);
  });

  async function pullConfiguration(): Promise<void> {
    try {
      applyWorkspaceSettings(await connection.workspace.getConfiguration('lockstep'));
    } catch (error) {
      connection.console.error(`Lockstep: could not read the 'lockstep' settings from the client: ${describe(error)}`);
    }
  }

  /** Applies `lockstep.*` workspace settings; unset values keep what initializationOptions gave. */
  function applyWorkspaceSettings(section: unknown): void {
    if (section === null || typeof section !== 'object') return;
    const values = section as { pgVersion?: unknown; maxDocumentBytes?: unknown };
    let next = settings;
    if (values.pgVersion !== undefined && values.pgVersion !== null) {
      const parsed = parsePgVersion(values.pgVersion);
      if (parsed.ok) next = { ...next, pgVersion: parsed.value };
      else connection.console.warn(`Lockstep: setting lockstep.pgVersion: ${parsed.error}; keeping ${settings.pgVersion}`);
    }
    if (values.maxDocumentBytes !== undefined && values.maxDocumentBytes !== null) {
      const parsed = parseMaxDocumentBytes(values.maxDocumentBytes);
      if (parsed.ok) next = { ...next, maxDocumentBytes: parsed.value };
      else connection.console.warn(`Lockstep: setting lockstep.maxDocumentBytes: ${parsed.error}; keeping ${settings.maxDocumentBytes}`);
    }
    if (next.pgVersion === settings.pgVersion && next.maxDocumentBytes === settings.maxDocumentBytes) return;
    settings = next;
    // Lock behaviour depends on the server version, and the size limit on how much of a file is read, so any
    // open document's findings may change.
    diagnostics.reanalyzeAll();
  }

  documents.onDidOpen(({ document }) => diagnostics.opened(document.uri));
  // Also fires right after onDidOpen for the same version; DocumentDiagnostics skips that one.
  documents.onDidChangeContent(({ document }) => diagnostics.changed(document.uri, document.version));
  documents.onDidClose(({ document }) => diagnostics.closed(document.uri));
  connection.onShutdown(() => diagnostics.dispose());

  documents.listen(connection);
  connection.listen();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
