// Everything the user sees of a rehearsal in VS Code: the commands, the progress notification with its Cancel
// button, the report webview, the rehearsal diagnostics and CodeLens, the status bar item, and the database URL
// in SecretStorage. The rehearsal itself runs in the language server (`lockstep/rehearse`); what is shown is
// computed by the pure modules beside this file (view-model, report-html, findings).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { State, WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { EXPLAIN_METHOD, REHEARSE_METHOD, type ExplainResult, type RehearseParams, type RehearseProgressReport, type RehearseResult } from '../../../server/src/lsp/rehearse-protocol';
import { rehearsalDiagnostics, resultLenses, REHEARSAL_SOURCE } from './findings';
import { reportHtml, type ReportMessage } from './report-html';
import { rehearsalOptions, validateDatabaseUrl } from './settings';
import { reportHeadline, reportViewModel } from './view-model';

export const REHEARSE_COMMAND = 'lockstep.rehearseMigration';
export const REHEARSE_STATEMENT_COMMAND = 'lockstep.rehearseStatement';
export const EXPLAIN_COMMAND = 'lockstep.explainFile';
const URL_SECRET = 'lockstep.rehearsal.databaseUrl';
/** Read-only documents holding `lockstep explain` output (a content provider's documents cannot be edited). */
const EXPLAIN_SCHEME = 'lockstep-explain';

interface LastRun {
  uri: vscode.Uri;
  result: RehearseResult;
}

export class RehearsalUi implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('lockstep-rehearsal');
  private readonly status = vscode.window.createStatusBarItem('lockstep.status', vscode.StatusBarAlignment.Left, 0);
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private last: LastRun | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private running = false;
  private serverState = 'starting';
  /** The explain text per virtual document URI, served by the content provider. */
  private readonly explained = new Map<string, string>();
  private readonly explainChanged = new vscode.EventEmitter<vscode.Uri>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: () => LanguageClient | undefined,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.status.name = 'Lockstep';
    this.status.command = 'lockstep.showLastReport';
    this.disposables.push(
      this.diagnostics,
      this.status,
      this.lensesChanged,
      vscode.commands.registerCommand(REHEARSE_COMMAND, (target?: unknown) => this.rehearse(target)),
      vscode.commands.registerCommand(REHEARSE_STATEMENT_COMMAND, () => {
        const editor = vscode.window.activeTextEditor;
        if (editor === undefined) {
          void vscode.window.showErrorMessage('Lockstep: put the cursor in a statement of a migration (.sql file) to rehearse it.');
          return;
        }
        const { line, character } = editor.selection.active;
        return this.rehearse(editor.document.uri, { line, character });
      }),
      vscode.commands.registerCommand(EXPLAIN_COMMAND, (target?: unknown) => this.explain(target)),
      this.explainChanged,
      vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
        onDidChange: this.explainChanged.event,
        provideTextDocumentContent: (uri) => this.explained.get(uri.toString()) ?? 'Run "Lockstep: Explain Locks in File" again: this explanation is no longer available.',
      }),
      vscode.commands.registerCommand('lockstep.showLastReport', () => this.showLastReport()),
      vscode.commands.registerCommand('lockstep.setDatabaseUrl', () => this.setDatabaseUrl()),
      vscode.commands.registerCommand('lockstep.useEmbeddedPostgres', () => this.useEmbedded()),
      vscode.languages.registerCodeLensProvider({ language: 'sql' }, { onDidChangeCodeLenses: this.lensesChanged.event, provideCodeLenses: (d) => this.lenses(d) }),
      // Edits move statements: the rehearsal's diagnostics described the text as it was, so they go.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.last && e.contentChanges.length > 0 && e.document.uri.toString() === this.last.uri.toString()) {
          this.diagnostics.delete(e.document.uri);
        }
      }),
    );
    this.render();
    this.status.show();
  }

  /** Called by extension.ts whenever the language client changes state. */
  setServerState(state: State): void {
    this.serverState = state === State.Running ? 'running' : state === State.Starting ? 'starting' : state === State.StartFailed ? 'failed to start' : 'stopped';
    this.render();
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private render(): void {
    const icon = this.running ? '$(sync~spin)' : this.serverState === 'running' ? '$(database)' : this.serverState === 'starting' ? '$(loading~spin)' : '$(error)';
    const result = this.last ? ` · ${reportHeadline(this.last.result.report)}` : '';
    this.status.text = `${icon} Lockstep${this.running ? ' · rehearsing' : result}`;
    this.status.tooltip = `Lockstep language server: ${this.serverState}.${this.last ? ` Last rehearsal: ${this.last.result.report.file} — ${reportHeadline(this.last.result.report)}. Click to open the report.` : ' No rehearsal yet.'}`;
    this.status.backgroundColor = this.serverState === 'failed to start' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  private async rehearse(target: unknown, statementAt?: { line: number; character: number }): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'Lockstep: rehearsal is disabled in an untrusted workspace — it would run this workspace\'s SQL on a database. Trust the workspace to rehearse; analysis works either way.',
      );
      return;
    }
    const uri = target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.parse(target) : vscode.window.activeTextEditor?.document.uri;
    if (uri === undefined || uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Lockstep: open a saved migration (.sql file) to rehearse it.');
      return;
    }
    const client = this.client();
    if (client === undefined || client.state !== State.Running) {
      void vscode.window.showErrorMessage('Lockstep: the language server is not running; run "Lockstep: Restart Server" and see "Lockstep: Show Output".');
      return;
    }
    if (this.running) {
      void vscode.window.showInformationMessage('Lockstep: a rehearsal is already running; cancel it from its notification first.');
      return;
    }
    const url = await this.context.secrets.get(URL_SECRET);
    const options = rehearsalOptions(vscode.workspace.getConfiguration('lockstep', uri));
    for (const problem of options.problems) this.output.warn(`Lockstep: ${problem}`);
    const token = `lockstep-rehearse-${randomBytes(6).toString('hex')}`;
    const params: RehearseParams = { uri: uri.toString(), ...options.params, ...(url ? { url } : {}), ...(statementAt ? { statementAt } : {}), workDoneToken: token };
    const name = `${vscode.workspace.asRelativePath(uri)}${statementAt ? `, statement at line ${statementAt.line + 1}` : ''}`;
    this.running = true;
    this.render();
    let result: RehearseResult | undefined;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Lockstep: rehearsing ${name}`, cancellable: true },
        async (progress, cancel) => {
          const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
            if (value.kind === 'report') progress.report({ message: (value as RehearseProgressReport).message });
          });
          try {
            return await client.sendRequest<RehearseResult>(REHEARSE_METHOD, params, cancel);
          } finally {
            listener.dispose();
          }
        },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(message);
      void vscode.window.showErrorMessage(message.startsWith('Lockstep') ? message : `Lockstep: the rehearsal of ${name} failed: ${message}`, 'Show Output').then((choice) => {
        if (choice === 'Show Output') this.output.show(true);
      });
      return;
    } finally {
      this.running = false;
      this.render();
    }
    this.last = { uri, result };
    this.render();
    this.showDiagnostics(uri, result);
    this.lensesChanged.fire();
    const report = result.report;
    this.output.info(`Rehearsal of ${report.file}: ${report.status}, ${reportHeadline(report)} (${(report.durationMs / 1000).toFixed(1)} s)`);
    if (report.status === 'cancelled') {
      void vscode.window.showInformationMessage(`Lockstep: rehearsal of ${name} cancelled; everything it created was removed.`, 'Show Partial Report').then((choice) => {
        if (choice) this.showLastReport();
      });
      return;
    }
    if (report.status === 'failed' && report.error?.phase === 'server') {
      // No server to rehearse on (no embedded binaries in this install, or the URL's server refused): say how to get one.
      void vscode.window.showErrorMessage(`Lockstep: ${report.error.message}`, 'Set Rehearsal Database URL').then((choice) => {
        if (choice) void vscode.commands.executeCommand('lockstep.setDatabaseUrl');
      });
    }
    this.showLastReport();
  }

  /** `lockstep explain` for the file, as the server analyzed it (unsaved edits included), in a read-only editor beside it. */
  private async explain(target: unknown): Promise<void> {
    const uri = target instanceof vscode.Uri ? target : typeof target === 'string' ? vscode.Uri.parse(target) : vscode.window.activeTextEditor?.document.uri;
    if (uri === undefined) {
      void vscode.window.showErrorMessage('Lockstep: open a migration (.sql file) to explain its locks.');
      return;
    }
    const client = this.client();
    if (client === undefined || client.state !== State.Running) {
      void vscode.window.showErrorMessage('Lockstep: the language server is not running; run "Lockstep: Restart Server" and see "Lockstep: Show Output".');
      return;
    }
    // The server explains what it analyzed: the file must be open (it is, from the editor or the explorer after this).
    await vscode.workspace.openTextDocument(uri);
    let result: ExplainResult;
    try {
      result = await explainWhenAnalyzed(() => client.sendRequest<ExplainResult>(EXPLAIN_METHOD, { uri: uri.toString() }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(message);
      void vscode.window.showErrorMessage(message.startsWith('Lockstep') ? message : `Lockstep: explaining ${vscode.workspace.asRelativePath(uri)} failed: ${message}`);
      return;
    }
    const name = vscode.workspace.asRelativePath(uri);
    const view = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${name.replace(/\\/g, '/')} — locks.txt`, query: uri.toString() });
    this.explained.set(view.toString(), result.text);
    this.explainChanged.fire(view);
    const document = await vscode.workspace.openTextDocument(view);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
  }

  private showDiagnostics(uri: vscode.Uri, result: RehearseResult): void {
    this.diagnostics.set(
      uri,
      rehearsalDiagnostics(result).map((d) => {
        const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        diagnostic.source = REHEARSAL_SOURCE;
        diagnostic.code = d.code;
        return diagnostic;
      }),
    );
  }

  private lenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.last || this.last.uri.toString() !== document.uri.toString()) return [];
    return resultLenses(this.last.result).map(
      (lens) => new vscode.CodeLens(toRange(lens.range), { title: lens.title, command: 'lockstep.showLastReport' }),
    );
  }

  private showLastReport(): void {
    const last = this.last;
    if (last === undefined) {
      void vscode.window.showInformationMessage('Lockstep: no rehearsal has run yet. Run "Lockstep: Rehearse Migration" on a migration file.');
      return;
    }
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel('lockstep.report', 'Lockstep rehearsal', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
        enableScripts: true,
        // Nothing is loaded from disk: styles, script and charts are inline.
        localResourceRoots: [],
        retainContextWhenHidden: false,
      });
      this.panel.onDidDispose(() => (this.panel = undefined), undefined, this.disposables);
      this.panel.webview.onDidReceiveMessage((message: ReportMessage) => this.onMessage(message), undefined, this.disposables);
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside);
    }
    this.panel.title = `Rehearsal: ${vscode.workspace.asRelativePath(last.uri)}`;
    this.panel.webview.html = reportHtml(reportViewModel(last.result.report), randomBytes(18).toString('base64'), this.panel.webview.cspSource);
  }

  private async onMessage(message: ReportMessage): Promise<void> {
    const last = this.last;
    if (last === undefined) return;
    if (message.type === 'exportMarkdown') {
      // An untitled Markdown editor: the user copies it into the pull request or saves it where they like.
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: last.result.markdown });
      await vscode.window.showTextDocument(document, vscode.ViewColumn.Active);
    } else if (message.type === 'reveal') {
      const range = last.result.ranges.find((r) => r?.index === message.statement)?.range;
      const line = last.result.report.statements.find((s) => s.index === message.statement)?.line;
      const selection = range ? toRange(range) : line ? new vscode.Range(line - 1, 0, line - 1, 0) : undefined;
      await vscode.window.showTextDocument(last.uri, { viewColumn: vscode.ViewColumn.One, ...(selection ? { selection } : {}) });
    }
  }

  private async setDatabaseUrl(): Promise<void> {
    const url = await vscode.window.showInputBox({
      title: 'Lockstep: rehearsal database URL',
      prompt: 'postgres://user:password@localhost:5432/postgres — stored in VS Code\'s secret storage, never in settings or logs. Lockstep works only in lockstep_rehearsal_* databases it creates and drops. Leave empty to use the embedded PostgreSQL.',
      placeHolder: 'postgres://user:password@localhost:5432/postgres',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === '' ? undefined : validateDatabaseUrl(value.trim())),
    });
    if (url === undefined) return;
    if (url.trim() === '') {
      await this.useEmbedded();
      return;
    }
    await this.context.secrets.store(URL_SECRET, url.trim());
    void vscode.window.showInformationMessage('Lockstep: rehearsals will run on the database you entered (stored in secret storage).');
  }

  private async useEmbedded(): Promise<void> {
    await this.context.secrets.delete(URL_SECRET);
    void vscode.window.showInformationMessage('Lockstep: rehearsals will run on an embedded PostgreSQL started for each rehearsal.');
  }
}

/** A file just opened is analyzed after the diagnostics delay: ask again for a few seconds before giving up. */
async function explainWhenAnalyzed(ask: () => Promise<ExplainResult>): Promise<ExplainResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt >= 15 || !(error instanceof Error && error.message.includes('not analyzed'))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function toRange(range: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}
