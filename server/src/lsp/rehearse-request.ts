// `lockstep/rehearse`: the rehearsal engine (../rehearsal/engine) behind an LSP request, with work-done progress
// and cancellation. Thin on purpose: the engine measures, cleans up and writes the report; this file gathers the
// sources as the editor sees them, turns engine progress into `$/progress`, and a `$/cancelRequest` into an abort
// (the engine then cancels the running backend with pg_cancel_backend, drops its databases / stops its embedded
// server, and resolves with the partial report — which is what the request answers, status 'cancelled').
import { readFile } from 'node:fs/promises';
import { ErrorCodes, LSPErrorCodes, ResponseError, WorkDoneProgress, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisOptions, Statement } from '../analysis/types';
import { decodeUtf8, upSection, type MigrationContext } from '../cli/migration-context';
import { formatRehearsalMarkdown } from '../cli/formatters/rehearsal-markdown';
import { redactUrl } from '../rehearsal/driver';
import { remoteHostReason } from '../rehearsal/server';
import { rehearse, type MigrationSource } from '../rehearsal/engine';
import type { RehearsalProgress, RehearsalReport } from '../rehearsal/report';
import type { DocumentAnalysis } from './document-diagnostics';
import { REHEARSE_METHOD, type RehearseParams, type RehearseProgressReport, type RehearseResult } from './rehearse-protocol';

export interface RehearseHost {
  document(uri: string): TextDocument | undefined;
  /** The current version's analysis, waited for without blocking the server; undefined when cancelled or unanalyzable. */
  analysis(uri: string, token?: CancellationToken): Promise<DocumentAnalysis | undefined>;
  filePath(uri: string): string | undefined;
  /** The migrations that run before `path` (the same listing diagnostics use). */
  context(path: string): MigrationContext;
  /** Unsaved editor text of an earlier migration, when it is open. */
  openText(path: string): string | undefined;
  /** How the report names a file (relative to the workspace when inside it). */
  displayPath(path: string): string;
  /**
   * How `lockstep lint`/`rehearse` would run `path`: its analysis options from lockstep.json and the runner's
   * metadata (the `migration` run input the transaction plan needs, the project's lockTimeout), or why the
   * lockstep.json that applies is invalid.
   */
  projectOptions(path: string): { options: AnalysisOptions; problem?: string };
  /** Rehearsal runs the workspace's SQL on a database: only in a trusted workspace (the client says which). */
  trusted(): boolean;
  log(message: string): void;
}

/** Registers the request handler; one rehearsal runs at a time (each may start a PostgreSQL and seed millions of rows). */
export function listenForRehearsal(connection: Connection, host: RehearseHost): void {
  let running: string | undefined;
  connection.onRequest(REHEARSE_METHOD, async (params: RehearseParams, token: CancellationToken): Promise<RehearseResult> => {
    if (!host.trusted()) {
      throw new ResponseError(
        ErrorCodes.InvalidRequest,
        'Lockstep: rehearsal is disabled in an untrusted workspace — it would run the SQL of this workspace on a database. Trust the workspace (Workspaces: Manage Workspace Trust) to rehearse; analysis works either way.',
      );
    }
    if (running !== undefined) {
      throw new ResponseError(ErrorCodes.InvalidRequest, `Lockstep: a rehearsal of ${running} is still running; cancel it or wait for it to finish.`);
    }
    const path = typeof params?.uri === 'string' ? host.filePath(params.uri) : undefined;
    if (path === undefined) {
      throw new ResponseError(ErrorCodes.InvalidParams, `Lockstep: rehearsal needs a saved file (file: URI), got ${JSON.stringify(params?.uri)}. Save the migration first.`);
    }
    const url = typeof params.url === 'string' && params.url !== '' ? params.url : undefined;
    if (url !== undefined && params.allowRemote !== true) {
      // Refused here, before anything starts, with the editor's wording (the engine's speaks of --allow-remote).
      const reason = remoteHostReason(url);
      // Only a remote host is the setting's business; a URL that does not parse is the engine's to explain.
      if (reason?.startsWith('host ') === true) {
        throw new ResponseError(
          ErrorCodes.InvalidRequest,
          scrubSecret(
            `Lockstep: refusing to rehearse on ${redactUrl(url)}: ${reason}. A rehearsal runs the migration for real and loads data, so it only uses ` +
              'servers on this machine unless the setting lockstep.rehearsal.allowRemote is on. Turn it on if this server is a disposable one meant for ' +
              'rehearsals, or run "Lockstep: Use Embedded PostgreSQL".',
            url,
          ),
        );
      }
    }
    running = host.displayPath(path);
    const progress = progressSender(connection, params.workDoneToken, params.url);
    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => {
      progress.report({ phase: 'cleanup', message: 'cancelling: stopping the running statement and cleaning up', elapsedMs: 0 });
      controller.abort();
    });
    try {
      progress.begin(`Rehearsing ${running}`);
      const sources = await readSources(params, path, host, token);
      const workload = params.workload === true ? (sources.lockTimeoutMs !== undefined ? { lockTimeoutMs: sources.lockTimeoutMs } : true) : undefined;
      const report = await rehearse({
        target: sources.target,
        previous: sources.previous,
        server: url !== undefined ? { kind: 'url', url, allowRemote: params.allowRemote === true } : { kind: 'embedded' },
        ...(workload !== undefined ? { workload } : {}),
        ...(params.sizes ? { sizes: params.sizes } : {}),
        ...(params.rows ? { rows: params.rows } : {}),
        ...(params.budgetMs !== undefined ? { budgetMs: params.budgetMs } : {}),
        ...(params.thresholdMs !== undefined ? { thresholdMs: params.thresholdMs } : {}),
        ...(params.repeat !== undefined ? { repeat: params.repeat } : {}),
        signal: controller.signal,
        onProgress: (event) => progress.report(event),
      });
      // Defence in depth, as in the CLI: whatever produced a message, the URL's password never leaves the server.
      const safe = JSON.parse(scrubSecret(JSON.stringify(report), params.url)) as RehearsalReport;
      progress.end(endMessage(safe));
      return {
        report: safe,
        markdown: scrubSecret(formatRehearsalMarkdown(safe), params.url),
        ranges: statementRanges(safe, await host.analysis(params.uri, token), sources.firstIndex),
      };
    } catch (error) {
      progress.end('failed');
      if (error instanceof ResponseError) throw error;
      const message = scrubSecret(error instanceof Error ? error.message : String(error), params.url);
      host.log(`Lockstep: rehearsal of ${running} failed: ${message}`);
      throw new ResponseError(ErrorCodes.InternalError, `Lockstep: rehearsal of ${running} failed: ${message}`);
    } finally {
      onCancel.dispose();
      running = undefined;
    }
  });
}

interface Sources {
  target: MigrationSource;
  previous: MigrationSource[];
  /** The file's statement index of the target's first statement (non-zero when rehearsing the statement at a position). */
  firstIndex: number;
  lockTimeoutMs: number | undefined;
}

/**
 * The target and the migrations before it, each with the run input the analysis core plans its transactions from
 * (framework and `transaction` from lockstep.json, diesel/Flyway metadata) — what `lockstep rehearse` passes, so the
 * editor and the CLI rehearse the same transactions.
 */
async function readSources(params: RehearseParams, path: string, host: RehearseHost, token: CancellationToken): Promise<Sources> {
  const read = async (file: string): Promise<string> => host.openText(file) ?? decodeUtf8(await readFile(file));
  const text = host.document(params.uri)?.getText() ?? (await read(path));
  const runInput = (file: string) => {
    const project = host.projectOptions(file);
    if (project.problem !== undefined) {
      // As the CLI: rehearsing with defaults would run other transactions than the team configured.
      throw new ResponseError(ErrorCodes.InvalidRequest, `Lockstep: cannot rehearse ${host.displayPath(path)}: ${project.problem}`);
    }
    return project.options;
  };
  const options = runInput(path);
  const context = host.context(path);
  const problem = context.problems[0];
  if (problem !== undefined) {
    throw new ResponseError(ErrorCodes.InvalidRequest, `Lockstep: cannot read earlier migration ${host.displayPath(problem.path)}: ${problem.reason}`);
  }
  const previous: MigrationSource[] = [];
  for (const file of context.files) {
    const earlier = await read(file);
    previous.push({ path: host.displayPath(file), text: upSection(earlier), ...withMigration(runInput(file).migration) });
  }
  const migration = withMigration(options.migration);
  const lockTimeoutMs = options.project?.lockTimeoutMs;
  const display = host.displayPath(path);
  const up = upSection(text);
  if (params.statementAt === undefined) return { target: { path: display, text: up, ...migration }, previous, firstIndex: 0, lockTimeoutMs };

  const analysis = await host.analysis(params.uri, token);
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `Lockstep: the rehearsal of ${display} was cancelled before it started.`);
  if (analysis === undefined || analysis.text !== text.slice(0, analysis.text.length)) {
    throw new ResponseError(ErrorCodes.InvalidRequest, `Lockstep: ${display} is not analyzed yet; open it in the editor and try again once its diagnostics show.`);
  }
  const statements = analysis.result.statements;
  const target = statementAt(statements, params.statementAt);
  if (target === undefined) {
    throw new ResponseError(ErrorCodes.InvalidRequest, `Lockstep: no statement at line ${params.statementAt.line + 1} of ${display}; put the cursor inside a statement.`);
  }
  if (target.end > up.length) {
    throw new ResponseError(
      ErrorCodes.InvalidRequest,
      `Lockstep: the statement at line ${target.range.start.line + 1} of ${display} is in the file's down section; only the up section is rehearsed.`,
    );
  }
  const single = singleStatementText(text, statements, target);
  if (target.index > 0) {
    // The statements before it run first, unmeasured, in the file's own transactions: the schema it sees.
    const before = statements[target.index - 1]!;
    previous.push({ path: `${display} (statements 1–${target.index}, as context)`, text: text.slice(0, before.end) + ';\n', ...migration });
  }
  return { target: { path: display, text: single, ...migration }, previous, firstIndex: target.index, lockTimeoutMs };
}

function withMigration(run: AnalysisOptions['migration']): Pick<MigrationSource, 'migration'> {
  return run !== undefined ? { migration: run } : {};
}

/** The statement containing `position`, else the last one starting before it (the cursor after its semicolon). */
export function statementAt(statements: readonly Statement[], position: { line: number; character: number }): Statement | undefined {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  let candidate: Statement | undefined;
  for (const statement of statements) {
    if (!before(statement.range.start, position)) break;
    candidate = statement;
  }
  return candidate;
}

/**
 * The file with only `target` left as SQL: every other statement blanked out (newlines kept), comments kept. Line
 * and column numbers in the report stay the file's, and the runner's annotations (goose NO TRANSACTION, dbmate
 * transaction:false), which are comments, still apply to it.
 */
export function singleStatementText(text: string, statements: readonly Statement[], target: Statement): string {
  let out = '';
  let at = 0;
  for (const statement of statements.slice(0, target.index)) {
    const end = text[statement.end] === ';' ? statement.end + 1 : statement.end;
    out += text.slice(at, statement.start) + text.slice(statement.start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return out + text.slice(at, target.end) + ';\n';
}

/** `$/progress` with the client's token; nothing when the client gave none (it then just waits for the result). */
function progressSender(connection: Connection, token: string | number | undefined, url: string | undefined) {
  const send = (value: object): void => {
    if (token === undefined) return;
    void connection.sendProgress(WorkDoneProgress.type, token, value as never).catch(() => undefined);
  };
  return {
    begin: (title: string) => send({ kind: 'begin', title, cancellable: true, message: 'starting' }),
    report: (event: Omit<RehearsalProgress, 'elapsedMs'> & { elapsedMs: number }) => {
      const value: RehearseProgressReport = {
        kind: 'report',
        message: scrubSecret(progressMessage(event), url),
        phase: event.phase,
        ...(event.size !== undefined ? { size: event.size } : {}),
        ...(event.statement !== undefined ? { statement: event.statement } : {}),
        ...(event.pid !== undefined ? { pid: event.pid } : {}),
        elapsedMs: event.elapsedMs,
      };
      send(value);
    },
    end: (message: string) => send({ kind: 'end', message }),
  };
}

/** "seed · 100,000 rows · public.orders: 100,000 rows" — what the notification shows under its title. */
export function progressMessage(event: Pick<RehearsalProgress, 'phase' | 'message' | 'size'>): string {
  const size = event.size !== undefined ? ` · ${event.size.toLocaleString('en-US')} rows` : '';
  return `${event.phase}${size} · ${event.message}`;
}

function endMessage(report: RehearsalReport): string {
  if (report.status === 'cancelled') return 'cancelled';
  if (report.status === 'failed') return `failed: ${report.error?.message ?? 'see the report'}`;
  return report.findings.length === 0 ? 'nothing blocks longer than the threshold' : `${report.findings.length} blocking finding(s)`;
}

function statementRanges(report: RehearsalReport, analysis: DocumentAnalysis | undefined, firstIndex: number): RehearseResult['ranges'] {
  return report.statements.map((statement) => {
    const analyzed = analysis?.result.statements[firstIndex + statement.index];
    // The analysis must describe the same statement: the document may have been edited while the rehearsal ran.
    if (analysis === undefined || analyzed === undefined || !sameStatement(analysis.text.slice(analyzed.start, analyzed.end), statement.text)) return null;
    return { index: statement.index, range: analysis.summary(firstIndex + statement.index).statement.range };
  });
}

function sameStatement(a: string, b: string): boolean {
  const flat = (s: string) => s.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();
  return flat(a) === flat(b);
}

/** Replaces the URL (redacted) and its password (raw and percent-decoded) wherever they appear in `text`. */
export function scrubSecret(text: string, url: string | undefined): string {
  if (url === undefined || url === '') return text;
  let out = text.split(url).join(redactUrl(url));
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return out;
  }
  const variants = new Set([password]);
  try {
    variants.add(decodeURIComponent(password));
  } catch {
    // not valid percent-encoding: the raw form is all there is
  }
  for (const variant of variants) if (variant.length > 0) out = out.split(variant).join('***');
  return out;
}
