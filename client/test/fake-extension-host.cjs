// A stand-in for VS Code's extension host, just large enough to run the bundled client (dist/client.js) against
// the real bundled server (dist/server.js) in plain node — no VS Code download is possible in CI.
//
//   node client/test/fake-extension-host.cjs <extensionRoot> <scenario.json>
//
// The scenario names the documents that are open and the steps to take; every observable event (output channel
// lines, published diagnostics, error messages, the steps themselves) is written to stdout as one JSON object
// per line, for client/src/extension.test.ts to assert on. APIs the client library touches but the scenario
// does not exercise are inert stand-ins (events that never fire, registrations that do nothing).
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');

const [extensionRoot, scenarioFile] = process.argv.slice(2);
if (!extensionRoot || !scenarioFile) {
  console.error('usage: node client/test/fake-extension-host.cjs <extensionRoot> <scenario.json>');
  process.exit(2);
}
/** @type {{ settings?: Record<string, unknown>, documents: {path: string, languageId: string, text: string}[], steps: ({wait: 'running'|'diagnostics', count?: number} | {command: string, times?: number} | {killServer: true})[] }} */
const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'));

// What the scenario's `wait` steps count, and the waits pending on it.
const seen = { running: 0, diagnostics: 0 };
const waiters = new Set();

function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
  if (event.event === 'output' && /→ running$/.test(event.message)) seen.running++;
  if (event.event === 'diagnostics' && event.diagnostics.length > 0) seen.diagnostics++;
  for (const waiter of [...waiters]) waiter();
}

// ---- events and disposables ------------------------------------------------------------------------------

class Disposable {
  constructor(callOnDispose) {
    this._callOnDispose = callOnDispose;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((item) => item?.dispose?.()));
  }
  dispose() {
    this._callOnDispose?.();
    this._callOnDispose = undefined;
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const bound = listener.bind(thisArg);
      this._listeners.add(bound);
      const disposable = new Disposable(() => this._listeners.delete(bound));
      disposables?.push(disposable);
      return disposable;
    };
  }
  fire(value) {
    for (const listener of [...this._listeners]) listener(value);
  }
  dispose() {
    this._listeners.clear();
  }
}

const neverFires = () => new Disposable();

/** Namespace objects: named members are real; any other `onX` is an event that never fires, anything else a no-op. */
function namespace(members) {
  return new Proxy(members, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop !== 'string') return undefined;
      return prop.startsWith('on') ? neverFires : () => new Disposable();
    },
  });
}

// ---- value types -----------------------------------------------------------------------------------------

class Uri {
  constructor(scheme, fsPathOrPath, text) {
    this.scheme = scheme;
    this.path = fsPathOrPath;
    this._text = text;
  }
  static file(fsPath) {
    return new Uri('file', fsPath, pathToFileURL(fsPath).href);
  }
  static parse(text) {
    const scheme = text.slice(0, text.indexOf(':'));
    return scheme === 'file' ? Uri.file(fileURLToPath(text)) : new Uri(scheme, text.slice(scheme.length + 1), text);
  }
  static joinPath(base, ...segments) {
    return Uri.file(path.join(base.fsPath, ...segments));
  }
  get fsPath() {
    return this.path;
  }
  toString() {
    return this._text;
  }
  toJSON() {
    return this._text;
  }
  with() {
    return this;
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    [this.start, this.end] = typeof a === 'number' ? [new Position(a, b), new Position(c, d)] : [a, b];
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() {
    this.token.isCancellationRequested = true;
    this._emitter.fire();
  }
  dispose() {}
}

/** Classes and enums the client library only extends or reads at load time; their details do not matter here. */
function placeholderClass(name) {
  return new Proxy(
    class {
      constructor(...args) {
        this.args = args;
      }
    },
    { get: (target, prop) => (prop in target ? target[prop] : `${name}.${String(prop)}`) },
  );
}

// ---- the API surface the client uses ---------------------------------------------------------------------

const settings = new Map(Object.entries(scenario.settings ?? {}));
const openDocuments = scenario.documents.map((doc, index) => ({
  uri: Uri.file(doc.path),
  fileName: doc.path,
  languageId: doc.languageId,
  version: 1,
  isUntitled: false,
  isClosed: false,
  isDirty: false,
  eol: 1,
  lineCount: doc.text.split('\n').length,
  getText: () => doc.text,
  index,
}));

/** VS Code glob semantics, as far as document selectors use them: `**` spans folders, `*` and `?` do not. */
function globToRegExp(glob) {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function matchesFilter(filter, document) {
  if (typeof filter === 'string') return filter === document.languageId;
  if (filter.language !== undefined && filter.language !== document.languageId) return false;
  if (filter.scheme !== undefined && filter.scheme !== document.uri.scheme) return false;
  if (filter.pattern !== undefined) {
    const pattern = typeof filter.pattern === 'string' ? filter.pattern : filter.pattern.pattern;
    if (!globToRegExp(pattern).test(document.uri.fsPath)) return false;
  }
  return true;
}

const diagnosticCollections = [];
function createDiagnosticCollection(name) {
  const entries = new Map();
  const collection = {
    name,
    set(uri, diagnostics) {
      entries.set(uri.toString(), diagnostics);
      emit({
        event: 'diagnostics',
        uri: uri.toString(),
        diagnostics: (diagnostics ?? []).map((d) => ({ code: d.code, message: d.message })),
      });
    },
    get: (uri) => entries.get(uri.toString()),
    has: (uri) => entries.has(uri.toString()),
    delete: (uri) => entries.delete(uri.toString()),
    clear: () => entries.clear(),
    forEach: (callback) => entries.forEach((value, key) => callback(Uri.parse(key), value, collection)),
    dispose: () => entries.clear(),
  };
  diagnosticCollections.push(collection);
  return collection;
}

function createOutputChannel(name) {
  const log = (level) => (message, ...args) => {
    const detail = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a)));
    emit({ event: 'output', channel: name, level, message: [String(message), ...detail].join(' ') });
  };
  return {
    name,
    logLevel: 2,
    onDidChangeLogLevel: neverFires,
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    append: log('append'),
    appendLine: log('append'),
    replace() {},
    clear() {},
    show() {
      emit({ event: 'show-output', channel: name });
    },
    hide() {},
    dispose() {},
  };
}

const commands = new Map();
const vscode = {
  version: '1.91.0',
  Uri,
  Position,
  Range,
  Diagnostic,
  Disposable,
  EventEmitter,
  CancellationTokenSource,
  CancellationError: class CancellationError extends Error {},
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  ThemeColor: class ThemeColor {
    constructor(id) {
      this.id = id;
    }
  },
  env: namespace({ language: 'en', appName: 'fake-extension-host', machineId: 'fake', sessionId: 'fake' }),
  workspace: namespace({
    isTrusted: true,
    workspaceFolders: undefined,
    textDocuments: openDocuments,
    notebookDocuments: [],
    getConfiguration: (section) => ({
      get: (key, defaultValue) => {
        const full = section ? `${section}.${key}` : key;
        return settings.has(full) ? settings.get(full) : defaultValue;
      },
      has: (key) => settings.has(section ? `${section}.${key}` : key),
      inspect: () => undefined,
      update: async () => undefined,
    }),
    createFileSystemWatcher: () => ({
      onDidCreate: neverFires,
      onDidChange: neverFires,
      onDidDelete: neverFires,
      dispose() {},
    }),
  }),
  window: namespace({
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabGroups: neverFires, onDidChangeTabs: neverFires },
    createOutputChannel,
    showErrorMessage: async (message) => {
      emit({ event: 'error-message', message });
      return undefined;
    },
    showWarningMessage: async (message) => emit({ event: 'warning-message', message }),
    showInformationMessage: async (message) => emit({ event: 'information-message', message }),
    createStatusBarItem: (id) => {
      const item = {
        id,
        text: '',
        show: () => emit({ event: 'status', text: item.text }),
        hide() {},
        dispose() {},
      };
      return item;
    },
    withProgress: (_options, task) => task({ report() {} }, new CancellationTokenSource().token),
  }),
  languages: namespace({
    match: (selector, document) => ((Array.isArray(selector) ? selector : [selector]).some((f) => matchesFilter(f, document)) ? 10 : 0),
    createDiagnosticCollection,
  }),
  commands: namespace({
    registerCommand(id, callback) {
      commands.set(id, callback);
      return new Disposable(() => commands.delete(id));
    },
    executeCommand: async (id, ...args) => commands.get(id)?.(...args),
  }),
  extensions: namespace({ all: [], getExtension: () => undefined }),
};
// vscode-languageclient turns the server's code action kinds into CodeActionKind values with Empty.append(…).
class CodeActionKind {
  constructor(value) {
    this.value = value;
  }
  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other) {
    return this.value === other.value || other.value.startsWith(`${this.value}.`);
  }
  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
}
CodeActionKind.Empty = new CodeActionKind('');
for (const [name, value] of Object.entries({ QuickFix: 'quickfix', Refactor: 'refactor', Source: 'source', SourceFixAll: 'source.fixAll', SourceOrganizeImports: 'source.organizeImports' })) {
  CodeActionKind[name] = new CodeActionKind(value);
}
vscode.CodeActionKind = CodeActionKind;

// Every other class or enum vscode-languageclient 11 names. They must be own properties, not produced on access:
// the bundle's `import * as code from 'vscode'` copies the module's own keys once, at load time.
for (const name of [
  'CallHierarchyIncomingCall', 'CallHierarchyItem', 'CallHierarchyOutgoingCall', 'CodeAction', 'CodeActionKind',
  'CodeActionTriggerKind', 'CodeLens', 'Color', 'ColorInformation', 'ColorPresentation', 'CompletionItem',
  'CompletionItemKind', 'CompletionItemTag', 'CompletionList', 'CompletionTriggerKind', 'DiagnosticRelatedInformation',
  'DiagnosticTag', 'DocumentHighlight', 'DocumentHighlightKind', 'DocumentLink', 'DocumentSymbol', 'FileType',
  'FoldingRange', 'FoldingRangeKind', 'Hover', 'InlayHint', 'InlayHintLabelPart', 'InlineCompletionItem',
  'InlineCompletionList', 'InlineCompletionTriggerKind', 'InlineValueEvaluatableExpression', 'InlineValueText',
  'InlineValueVariableLookup', 'LinkedEditingRanges', 'Location', 'MarkdownString', 'NotebookCellKind',
  'ParameterInformation', 'RelativePattern', 'SelectionRange', 'SemanticTokens', 'SemanticTokensEdit',
  'SemanticTokensEdits', 'SignatureHelp', 'SignatureHelpTriggerKind', 'SignatureInformation', 'SnippetString',
  'SnippetTextEdit', 'SymbolInformation', 'SymbolKind', 'SymbolTag', 'TabInputCustom', 'TabInputNotebook',
  'TabInputText', 'TabInputTextDiff', 'TextDocumentSaveReason', 'TextEdit', 'TypeHierarchyItem', 'WorkspaceEdit',
]) {
  vscode[name] ??= placeholderClass(name);
}

const loadModule = Module._load;
Module._load = function load(request, parent, isMain) {
  return request === 'vscode' ? vscode : loadModule.call(this, request, parent, isMain);
};

// ---- the scenario ----------------------------------------------------------------------------------------

function waitFor(kind, count) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} × ${kind} (saw ${seen[kind]})`)), 10_000);
    const check = () => {
      if (seen[kind] >= count) {
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      }
    };
    waiters.add(check);
    check();
  });
}

/** Simulates a server crash: SIGKILL to the server process(es) this host's client forked, found by parent pid. */
function killServer() {
  const pids = serverProcesses();
  if (pids.length === 0) throw new Error('killServer: no server.js child process found');
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  emit({ event: 'killed', pids });
}

/** Live (not zombie) server.js processes forked by this host. */
function serverProcesses() {
  let listing = '';
  try {
    listing = execFileSync('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are no children at all
  }
  return listing
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((match) => match !== null && !match[2].startsWith('Z') && match[3].includes('server.js'))
    .map((match) => Number(match[1]));
}

/** The client must not leave its server running once deactivated; give the process a moment to exit. */
async function serverProcessesAfterDeactivate() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = serverProcesses();
    if (pids.length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return serverProcesses();
}

async function main() {
  const extension = require(path.join(extensionRoot, 'dist', 'client.js'));
  const subscriptions = [];
  const secrets = new Map();
  const secretStorage = {
    get: async (key) => secrets.get(key),
    store: async (key, value) => void secrets.set(key, value),
    delete: async (key) => void secrets.delete(key),
    onDidChange: neverFires,
  };
  const context = { subscriptions, secrets: secretStorage, extensionUri: Uri.file(extensionRoot), extensionPath: extensionRoot, asAbsolutePath: (p) => path.join(extensionRoot, p) };
  await extension.activate(context);
  emit({ event: 'activated' });
  for (const step of scenario.steps) {
    emit({ event: 'step', step });
    if ('wait' in step) await waitFor(step.wait, step.count ?? 1);
    else if ('killServer' in step) killServer();
    // `times` runs the command that often at once, as a user clicking twice would.
    else await Promise.all(Array.from({ length: step.times ?? 1 }, () => vscode.commands.executeCommand(step.command)));
  }
  await extension.deactivate();
  subscriptions.forEach((s) => s.dispose());
  emit({ event: 'deactivated', serverProcessesLeft: await serverProcessesAfterDeactivate() });
}

main().then(
  () => process.exit(0),
  (error) => {
    emit({ event: 'failed', message: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  },
);
