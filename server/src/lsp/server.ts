// The Lockstep language server: wires the connection, the synced documents and the settings to
// DocumentDiagnostics, hover and inlay hints. All SQL knowledge lives in ../analysis; this folder only speaks LSP.
// It may read the file system (a document's earlier sibling migrations); the core never does.
import { basename, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initParser } from '../analysis/analyzer';
import { MigrationContexts } from '../cli/migration-context';
import { analysisOptionsFor, describeConfigProblems, ProjectConfigs, type ProjectConfig } from '../cli/config-loader';
import { validateConfig, type ConfigProblem } from '../analysis/config/config';
import { allRuleMetas } from '../analysis/rules';
import { DIAGNOSTICS_SETTLED_METHOD, DocumentDiagnostics, REQUEST_WAIT_MS } from './document-diagnostics';
import { codeActionServerCapabilities, codeActionSupport, listenForCodeActions, sqitchPlanFor, type CodeActionSupport } from './code-actions';
import { lockInlayHints, statementHover } from './lock-surfaces';
import { rehearseLenses } from './rehearse-lens';
import { listenForRehearsal } from './rehearse-request';
import { listenForExplain } from './rehearse-explain';
import {
  parseInlayHints,
  parseMaxDocumentBytes,
  parsePgVersion,
  settingsFromInitializationOptions,
  type ServerSettings,
} from './settings';

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
  let clientWatchesFiles = false;
  let clientRefreshesInlayHints = false;
  // What the client can apply in a code action's edit (CreateFile, versioned edits); read in onInitialize.
  let codeActionClient: CodeActionSupport = { createFiles: false, documentChanges: false };
  // Rehearsal runs the workspace's SQL: VS Code says whether the workspace is trusted; other editors send nothing.
  let workspaceTrusted = true;
  let workspaceRoot: string | undefined;
  /** The client's command that rehearses a file (VS Code's lockstep.rehearseMigration); no CodeLens without one. */
  let rehearseCommand: string | undefined;

  // Open documents by file path: an earlier migration open in the editor counts with its unsaved text.
  const openPaths = new Map<string, string>();
  const contexts = new MigrationContexts({
    overlay: (path) => {
      const uri = openPaths.get(path);
      const document = uri === undefined ? undefined : documents.get(uri);
      return document && { text: document.getText(), stamp: `${uri}@${document.version}` };
    },
  });

  // lockstep.json, read exactly as `lockstep lint` reads it, so the editor and CI report the same findings.
  const projectConfigs = new ProjectConfigs();
  const toldInvalidConfig = new Set<string>();
  /**
   * `lockstep.rules` / `lockstep.tables` from the editor, validated as lockstep.json's own `rules` and `tables`.
   * They stand in for a lockstep.json only where none applies: a lockstep.json is what `lockstep lint` in CI
   * reads, so where there is one, it alone decides.
   */
  let editorFallback: Pick<ProjectConfig, 'config' | 'tables'> = { config: {}, tables: {} };
  function withEditorFallback(project: ProjectConfig): ProjectConfig {
    if (project.path !== undefined) return project;
    return { ...project, config: { ...project.config, ...editorFallback.config }, tables: { ...editorFallback.tables, ...project.tables } };
  }
  function optionsFor(uri: string, editorPgVersion: number) {
    const path = filePathOf(uri);
    if (path === undefined) {
      const project = withEditorFallback({ path: undefined, config: {}, tables: {}, problems: [], key: '' });
      // An untitled document: no runner to read metadata for, only the policy.
      const { project: policy } = analysisOptionsFor('untitled.sql', project, editorPgVersion, { stamp: () => undefined, readText: () => '' });
      return { pgVersion: editorPgVersion, ...(policy ? { project: policy } : {}) };
    }
    const project = withEditorFallback(projectConfigs.configFor(path));
    if (project.problems.length > 0) reportInvalidConfig(project);
    // The project's pgVersion wins over the editor's, as it does over the CLI's default.
    return analysisOptionsFor(path, project, project.config.pgVersion ?? editorPgVersion);
  }
  /** Once per version of an invalid lockstep.json: analysis goes on with the defaults. */
  function reportInvalidConfig(project: ProjectConfig): void {
    if (toldInvalidConfig.has(project.key)) return;
    toldInvalidConfig.add(project.key);
    const text = `Lockstep: ${describeConfigProblems(project)} Until then the defaults apply.`;
    connection.console.warn(text);
    // A notification, not window/showMessageRequest: nothing to answer, and every client supports it.
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: text });
  }

  const diagnostics = new DocumentDiagnostics(
    {
      document: (uri) => documents.get(uri),
      publish: (params) => {
        connection.sendDiagnostics(params).catch((error: unknown) => {
          connection.console.error(`Lockstep: could not publish diagnostics for ${params.uri}: ${describe(error)}`);
        });
      },
      settled: (params) => {
        connection.sendNotification(DIAGNOSTICS_SETTLED_METHOD, params).catch((error: unknown) => {
          connection.console.error(`Lockstep: could not tell the client that the diagnostics of ${params.uri} are final: ${describe(error)}`);
        });
      },
      logError: (message) => connection.console.error(message),
      context: (uri) => {
        const path = filePathOf(uri);
        return path === undefined ? undefined : contexts.contextFor(path);
      },
      contextChanged: () => refreshInlayHints(),
      analysisReady: () => refreshInlayHints(),
      analysisOptions: optionsFor,
    },
    () => settings,
  );

  /** Asks the client to re-request inlay hints (a setting or an earlier migration changed); coalesced per tick. */
  let refreshQueued = false;
  function refreshInlayHints(): void {
    if (!clientRefreshesInlayHints || refreshQueued) return;
    refreshQueued = true;
    setImmediate(() => {
      refreshQueued = false;
      connection.languages.inlayHint.refresh().catch((error: unknown) => {
        connection.console.error(`Lockstep: could not ask the client to refresh inlay hints: ${describe(error)}`);
      });
    });
  }

  /**
   * Documents whose context includes `path` are analyzed again; when a file was created or deleted, every
   * document of a migration folder that contains it (the order of its migrations may have changed).
   */
  function earlierMigrationChanged(path: string, listingChanged = false): void {
    diagnostics.reanalyzeWhere(
      (context, uri) =>
        filePathOf(uri) !== path &&
        context?.root !== undefined &&
        (context.files.includes(path) || (listingChanged && path.startsWith(context.root + sep))),
    );
  }

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    settings = settingsFromInitializationOptions(params.initializationOptions, (m) => connection.console.warn(m));
    applyEditorFallback(params.initializationOptions, 'initializationOptions');
    clientPullsConfiguration = params.capabilities.workspace?.configuration === true;
    clientRegistersConfigurationDynamically =
      params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    clientWatchesFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    clientRefreshesInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    codeActionClient = codeActionSupport(params.capabilities);
    workspaceTrusted = (params.initializationOptions as { workspaceTrusted?: unknown } | null | undefined)?.workspaceTrusted !== false;
    const command = (params.initializationOptions as { rehearseCommand?: unknown } | null | undefined)?.rehearseCommand;
    rehearseCommand = typeof command === 'string' && command.length > 0 ? command : undefined;
    workspaceRoot = filePathOf(params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? '');
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
        hoverProvider: true,
        inlayHintProvider: true,
        ...(rehearseCommand !== undefined ? { codeLensProvider: { resolveProvider: false } } : {}),
        ...codeActionServerCapabilities,
      },
      serverInfo: { name: 'lockstep' },
    };
  });

  connection.onInitialized(() => {
    if (clientPullsConfiguration && clientRegistersConfigurationDynamically) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'lockstep' });
    }
    if (clientPullsConfiguration) void pullConfiguration();
    if (clientWatchesFiles) {
      // With change events, folder listings and stamps can be kept until something changes; without them every
      // analysis stats the earlier migrations again (replayed schemas stay cached while their stamps match).
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/*.sql' },
            { globPattern: '**/sqitch.plan' },
            // lockstep.json and the runner metadata next to migrations change how every file is analyzed.
            { globPattern: '**/lockstep.json' },
            // statsFiles (`lockstep stats` output) have any name; the handler ignores JSON files that are not one.
            { globPattern: '**/*.json' },
            { globPattern: '**/metadata.toml' },
            { globPattern: '**/*.sql.conf' },
          ],
        })
        .then(
          () => {
            contexts.memoizeFileSystem = true;
          },
          (error: unknown) => connection.console.warn(`Lockstep: could not watch migration files, re-reading them on each analysis: ${describe(error)}`),
        );
    }
  });

  connection.onDidChangeWatchedFiles(({ changes: reported }) => {
    const isStatsFile = (uri: string): boolean => {
      const path = filePathOf(uri);
      return path !== undefined && projectConfigs.isStatsFile(path);
    };
    const changes = reported.filter((c) => !c.uri.endsWith('.json') || /(^|\/)lockstep\.json$/.test(c.uri) || isStatsFile(c.uri));
    if (changes.length === 0) return;
    contexts.invalidate();
    if (changes.some((c) => /(^|\/)(lockstep\.json|metadata\.toml)$|\.sql\.conf$/.test(c.uri) || isStatsFile(c.uri))) {
      projectConfigs.invalidate();
      diagnostics.reanalyzeAll();
    }
    for (const change of changes) {
      const path = filePathOf(change.uri);
      if (path !== undefined) earlierMigrationChanged(path, change.type !== FileChangeType.Changed || path.endsWith('sqitch.plan'));
    }
  });

  // Hover and inlay hints do not wait for an analysis running in slices: they answer nothing until it is done
  // (inlay hints are refreshed then), rather than describing text the user has already changed.
  connection.onHover(async ({ textDocument, position }, token) => {
    const analysis = await diagnostics.analysisUnlessRunning(textDocument.uri, token);
    return analysis ? statementHover(analysis, position) : null;
  });

  /** The editor's text of an open file, by path. */
  function openTextOf(path: string): string | undefined {
    const uri = openPaths.get(path);
    return uri === undefined ? undefined : documents.get(uri)?.getText();
  }

  // Requests that need the current version's analysis wait for it without blocking: the event loop stays free
  // for hover, newer edits and other documents meanwhile; a cancelled request stops waiting.
  listenForCodeActions(
    connection,
    {
      // At most REQUEST_WAIT_MS, then no actions: see analysisWithin.
      analysis: (uri, token) => diagnostics.analysisWithin(uri, REQUEST_WAIT_MS, token),
      options: optionsFor,
      filePath: filePathOf,
      docsUrl: (rule) => `${settings.docsBaseUrl}${rule}.md`,
      // sqitch fixes add a line to sqitch.plan: the editor's unsaved text when it is open, versioned so the client
      // refuses the edit if that buffer changes before it is applied.
      sqitchPlan: (path) => sqitchPlanFor(path, openTextOf),
      openVersion: (uri) => {
        const path = filePathOf(uri);
        const openUri = path === undefined ? uri : (openPaths.get(path) ?? uri);
        return documents.get(openUri)?.version;
      },
    },
    () => codeActionClient,
  );

  listenForRehearsal(connection, {
    document: (uri) => documents.get(uri),
    analysis: (uri, token) => diagnostics.analysisWhenReady(uri, token),
    filePath: filePathOf,
    context: (path) => contexts.contextFor(path),
    openText: openTextOf,
    displayPath: (path) => (workspaceRoot !== undefined && path.startsWith(workspaceRoot + sep) ? relative(workspaceRoot, path) : path),
    projectOptions: (path) => {
      const project = projectConfigs.configFor(path);
      const options = analysisOptionsFor(path, project, project.config.pgVersion ?? settings.pgVersion);
      return project.problems.length > 0 ? { options, problem: describeConfigProblems(project) } : { options };
    },
    trusted: () => workspaceTrusted,
    log: (message) => connection.console.error(message),
  });
  listenForExplain(connection, {
    analysis: (uri, token) => diagnostics.analysisWhenReady(uri, token),
    displayPath: (uri) => {
      const path = filePathOf(uri);
      return path === undefined ? uri : workspaceRoot !== undefined && path.startsWith(workspaceRoot + sep) ? relative(workspaceRoot, path) : path;
    },
  });

  connection.onCodeLens(async ({ textDocument }, token) => {
    const command = rehearseCommand;
    if (command === undefined) return [];
    const analysis = await diagnostics.analysisWhenReady(textDocument.uri, token);
    return analysis ? rehearseLenses(analysis, textDocument.uri, command) : [];
  });

  connection.languages.inlayHint.on(async ({ textDocument, range }, token) => {
    if (!settings.inlayHints) return [];
    const analysis = await diagnostics.analysisUnlessRunning(textDocument.uri, token);
    return analysis ? lockInlayHints(analysis, range) : [];
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

  /**
   * Reads `rules` and `tables` from the editor's settings (or initializationOptions), checked by lockstep.json's own
   * validator; returns whether they changed. Invalid ones are reported and the previous ones kept.
   */
  function applyEditorFallback(section: unknown, where: string): boolean {
    if (section === null || typeof section !== 'object') return false;
    const { rules, tables } = section as { rules?: unknown; tables?: unknown };
    const raw = { ...(rules !== undefined && rules !== null ? { rules } : {}), ...(tables !== undefined && tables !== null ? { tables } : {}) };
    const problems: ConfigProblem[] = [];
    const config = validateConfig(raw, { knownRules: allRuleMetas.map((m) => m.id) }, problems);
    if (problems.length > 0) {
      const list = problems.map((p) => `${p.path.replace(/^\$\./, `${where === 'settings' ? 'lockstep.' : `${where}.`}`)}: ${p.message}`).join('; ');
      connection.console.warn(`Lockstep: ignoring invalid ${where === 'settings' ? 'settings' : where} (${list}); keeping the previous rules and tables`);
      return false;
    }
    // A key left out keeps its previous value, as the other settings do.
    const next = {
      config: rules === undefined ? editorFallback.config : config.rules && Object.keys(config.rules).length > 0 ? { rules: config.rules } : {},
      tables: tables === undefined ? editorFallback.tables : (config.tables ?? {}),
    };
    if (JSON.stringify(next) === JSON.stringify(editorFallback)) return false;
    editorFallback = next;
    return true;
  }

  /** Applies `lockstep.*` workspace settings; unset values keep what initializationOptions gave. */
  function applyWorkspaceSettings(section: unknown): void {
    if (section === null || typeof section !== 'object') return;
    // Only files without a lockstep.json change, but which those are is the analyzer's to find out.
    if (applyEditorFallback(section, 'settings')) diagnostics.reanalyzeAll();
    const values = section as { pgVersion?: unknown; maxDocumentBytes?: unknown; inlayHints?: unknown; 'inlayHints.enabled'?: unknown };
    let next = settings;
    const inlayHints = values.inlayHints ?? values['inlayHints.enabled'];
    if (inlayHints !== undefined && inlayHints !== null) {
      const parsed = parseInlayHints(inlayHints);
      if (parsed.ok) next = { ...next, inlayHints: parsed.value };
      else connection.console.warn(`Lockstep: setting lockstep.inlayHints.enabled: ${parsed.error}; keeping ${settings.inlayHints}`);
    }
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
    if (next.inlayHints !== settings.inlayHints) {
      settings = { ...settings, inlayHints: next.inlayHints };
      refreshInlayHints();
    }
    if (next.pgVersion === settings.pgVersion && next.maxDocumentBytes === settings.maxDocumentBytes) return;
    settings = next;
    refreshInlayHints();
    // Lock behaviour depends on the server version, and the size limit on how much of a file is read, so any
    // open document's findings may change.
    diagnostics.reanalyzeAll();
  }

  documents.onDidOpen(({ document }) => {
    const path = filePathOf(document.uri);
    if (path !== undefined) openPaths.set(path, document.uri);
    // A sqitch.plan a client syncs is there for its unsaved text (code actions append to it), not to be linted.
    if (path === undefined || basename(path) !== 'sqitch.plan') diagnostics.opened(document.uri);
  });
  // Also fires right after onDidOpen for the same version; DocumentDiagnostics skips that one.
  documents.onDidChangeContent(({ document }) => {
    diagnostics.changed(document.uri, document.version);
    // Its unsaved text is the context of the migrations after it.
    const path = filePathOf(document.uri);
    if (path !== undefined) earlierMigrationChanged(path);
  });
  documents.onDidClose(({ document }) => {
    diagnostics.closed(document.uri);
    const path = filePathOf(document.uri);
    if (path !== undefined && openPaths.get(path) === document.uri) {
      openPaths.delete(path);
      // From now on the file on disk is the context, not the discarded editor text.
      earlierMigrationChanged(path);
    }
  });
  connection.onShutdown(() => diagnostics.dispose());

  documents.listen(connection);
  connection.listen();
}

/** The file-system path of a file: URI; undefined for untitled documents and other schemes. */
function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
