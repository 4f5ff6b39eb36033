// Keeps one analyzer per open document and turns edits into published diagnostics: debounced, never stale,
// and never silent when analysis itself fails. Keeps each document's latest analysis for hover and inlay hints,
// and lets requests that need the current version's analysis wait for it without blocking the event loop.
// A long re-check first publishes provisional diagnostics (see publishProvisional), then the final ones.
// Knows nothing of the connection or the file system, so it is testable alone.
import type { CancellationToken, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { DocumentAnalyzer } from '../analysis/analyzer';
import type { Catalog } from '../analysis/catalog';
import { StatementSummarizer, type StatementSummary } from '../analysis/presentation/statement-summary';
import type { AnalysisOptions, AnalysisResult, ProvisionalAnalysisResult } from '../analysis/types';
import { KeyedDebouncer } from './debouncer';
import {
  analysisFailedDiagnostic,
  analysisInProgressDiagnostic,
  cappedDiagnosticsOf,
  documentTooLargeDiagnostic,
  parserUnavailableDiagnostic,
} from './diagnostics';
import { analyzablePart } from './document-limit';

export interface Analyzer {
  analyze(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult;
  /** Analysis in slices that leave the event loop free; 'cancelled' once `signal` aborts (see DocumentAnalyzer). */
  analyzeAsync?(
    text: string,
    options: AnalysisOptions,
    control: {
      signal?: AbortSignal;
      base?: Catalog;
      provisional?: (result: ProvisionalAnalysisResult) => void;
      provisionalAfterMs?: number;
    },
  ): Promise<AnalysisResult | 'cancelled'>;
}

/**
 * publishDiagnostics as Lockstep sends it: `provisional: true` (an extension field; clients that do not know it
 * just show the diagnostics) while the version is still being analyzed — exact up to and past the edited
 * statements, the previous findings moved for the rest — and absent on the final publish of that version.
 */
export type LockstepPublishParams = PublishDiagnosticsParams & { provisional?: true };

/**
 * Sent instead of the final publishDiagnostics when it would repeat the provisional one of the same version (the
 * rest of the walk changed nothing): the provisional diagnostics are final. `$/`: clients may ignore it.
 */
export const DIAGNOSTICS_SETTLED_METHOD = '$/lockstep/diagnosticsSettled';
export interface DiagnosticsSettledParams {
  uri: string;
  version: number;
}

/** A document's schema context: the schema its earlier sibling migrations produce (see cli/migration-context.ts). */
export interface DocumentContext {
  base: Catalog | undefined;
  /** Changes whenever `base` may change. */
  key: string;
  /** Earlier migrations `base` was replayed from (absolute paths). */
  files: readonly string[];
  /** The folder tree they were listed from. */
  root: string | undefined;
  /** Earlier migrations that could not be read. */
  problems: ReadonlyArray<{ path: string; reason: string }>;
}

/** The latest analysis of an open document, as hover and inlay hints read it. */
export interface DocumentAnalysis {
  version: number;
  /** The text analyzed: the document, or its first statements when it is larger than maxDocumentBytes. */
  text: string;
  result: AnalysisResult;
  pgVersion: number;
  context: DocumentContext | undefined;
  /** What statement `index`'s effect means for existing relations; computed on first use, in file order. */
  summary(index: number): StatementSummary;
}

export interface DocumentSnapshot {
  readonly version: number;
  getText(): string;
}

export interface DiagnosticsHost {
  /** The document as the client last sent it, or undefined once closed. */
  document(uri: string): DocumentSnapshot | undefined;
  publish(params: LockstepPublishParams): void;
  /** The provisional diagnostics of `version` turned out final; nothing more is published for it. */
  settled?(params: DiagnosticsSettledParams): void;
  logError(message: string): void;
  /** The document's schema context, when it is a migration with earlier siblings; may read the file system. */
  context?(uri: string): DocumentContext | undefined;
  /** After an analysis whose schema context differs from the previous one's (an earlier migration changed). */
  contextChanged?(uri: string): void;
  /** After an analysis that a request (hover, inlay hints) did not wait for: ask the client to ask again. */
  analysisReady?(uri: string): void;
  /**
   * The analysis options for the document (lockstep.json, its path and runner metadata; see cli/config-loader.ts),
   * given the editor's pgVersion setting; may read the file system. Without it: `{ pgVersion }`.
   */
  analysisOptions?(uri: string, pgVersion: number): AnalysisOptions;
}

export interface DiagnosticsSettings {
  readonly pgVersion: number;
  readonly diagnosticsDelayMs: number;
  readonly docsBaseUrl: string;
  readonly maxDocumentBytes: number;
}

interface RunningAnalysis {
  version: number;
  controller: AbortController;
  /** Resolves when the run has published, failed or been aborted: what waiting requests wait for. */
  ended: Promise<void>;
  end(): void;
}

/**
 * Analysis time (in slices) after which a version still being analyzed gets provisional diagnostics: an editor must
 * see a publish for every version within 1 s (issue 8), and a 1 MB file takes seconds to analyze in full. 200 ms
 * leaves room for assembling and sending them, and for the event loop being shared with requests meanwhile.
 */
const PROVISIONAL_AFTER_MS = 200;

/**
 * How long a request waits for the current version's analysis before answering without it: code actions (server.ts)
 * and hover or inlay hints that arrive during the debounce delay. Well inside the 1 s an answer must take.
 */
export const REQUEST_WAIT_MS = 700;

function runningAnalysis(version: number): RunningAnalysis {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return { version, controller: new AbortController(), ended, end };
}

interface OpenDocument {
  /** Caches per-statement work; replaced after a failure, since its cache may be half-updated. */
  analyzer: Analyzer;
  /** Version whose diagnostics were last published. */
  publishedVersion: number | undefined;
  last: DocumentAnalysis | undefined;
  /** The analysis in progress (in slices), aborted when a newer version, a close or a blocking request comes. */
  running: RunningAnalysis | undefined;
  /** Diagnostics published provisionally for `version`: the final publish is skipped when it would repeat them. */
  provisional: { version: number; diagnostics: Diagnostic[] } | undefined;
  /** A request was answered with nothing while the analysis ran. */
  answeredEarly: boolean;
}

export class DocumentDiagnostics {
  private readonly open = new Map<string, OpenDocument>();
  private readonly debouncer = new KeyedDebouncer((uri) => this.analyzeAndPublish(uri));
  private parserFailure: unknown;

  constructor(
    private readonly host: DiagnosticsHost,
    private readonly settings: () => DiagnosticsSettings,
    private readonly createAnalyzer: () => Analyzer = () => new DocumentAnalyzer(),
  ) {}

  /** Every document then reports why nothing is checked, instead of looking clean. */
  parserUnavailable(error: unknown): void {
    this.parserFailure = error;
  }

  opened(uri: string): void {
    this.open.set(uri, {
      analyzer: this.createAnalyzer(),
      publishedVersion: undefined,
      last: undefined,
      running: undefined,
      provisional: undefined,
      answeredEarly: false,
    });
    // Nothing to debounce when a file is opened: show its diagnostics at once.
    this.debouncer.schedule(uri, 0);
  }

  /** A newer change replaces the pending one, so a burst of keystrokes costs one analysis. */
  changed(uri: string, version: number): void {
    const state = this.open.get(uri);
    if (state === undefined || state.publishedVersion === version || state.running?.version === version) return;
    // The running analysis is of an older version now: stop spending time on it.
    this.abortRunning(state);
    this.debouncer.schedule(uri, this.settings().diagnosticsDelayMs);
  }

  closed(uri: string): void {
    this.debouncer.cancel(uri);
    const state = this.open.get(uri);
    if (state) this.abortRunning(state);
    this.open.delete(uri);
    // A closed file's diagnostics would otherwise linger in the Problems view.
    this.host.publish({ uri, diagnostics: [] });
  }

  /** After a setting that affects findings changed (e.g. pgVersion). */
  reanalyzeAll(): void {
    for (const uri of this.open.keys()) this.debouncer.schedule(uri, 0);
  }

  /**
   * Re-analyzes, after the usual delay, the open documents whose context `affected` says may have changed (an
   * earlier migration was edited, saved, created or deleted).
   */
  reanalyzeWhere(affected: (context: DocumentContext | undefined, uri: string) => boolean): void {
    for (const [uri, state] of this.open) {
      if (affected(state.last?.context, uri)) this.debouncer.schedule(uri, this.settings().diagnosticsDelayMs);
    }
  }

  /**
   * For requests that must not wait (hover, inlay hints): the latest analysis when it is of the document as it is
   * now — never one of text the user has already changed. While the current version is pending or being analyzed
   * in slices, answers nothing at once (a pending analysis is started now) and has the client asked to ask again
   * when it is done (host.analysisReady); an analyzer without slices is run at once. Undefined also for unknown
   * documents and when the current version could not be analyzed (the parser failed to load, analysis failed).
   */
  analysis(uri: string): DocumentAnalysis | undefined {
    const document = this.host.document(uri);
    const state = this.open.get(uri);
    if (document === undefined || state === undefined) return undefined;
    if (state.last?.version === document.version && !this.debouncer.isPending(uri)) return state.last;
    this.startNowIfNeeded(uri, state, document.version);
    if (state.last?.version === document.version) return state.last;
    if (state.running?.version === document.version) state.answeredEarly = true;
    return undefined;
  }

  /**
   * For hover and inlay hints: the current version's analysis, except while it is already being analyzed in slices
   * — then nothing at once (see `analysis`), since a user moving the mouse while typing must not wait for each
   * keystroke's analysis. A version still waiting for its debounce delay is analyzed now and awaited (without
   * blocking): the request came after the edit and is about it — for at most `maxWaitMs` (a large document takes
   * seconds), then nothing, and the client is asked to ask again when the analysis is done (host.analysisReady).
   */
  async analysisUnlessRunning(uri: string, token?: CancellationToken, maxWaitMs = REQUEST_WAIT_MS): Promise<DocumentAnalysis | undefined> {
    if (!this.debouncer.isPending(uri)) return this.analysis(uri);
    const analysis = await this.analysisWithin(uri, maxWaitMs, token);
    const state = this.open.get(uri);
    if (analysis === undefined && state?.running !== undefined && state.running.version === this.host.document(uri)?.version) {
      state.answeredEarly = true;
    }
    return analysis;
  }

  /** A pending analysis, or none at all for the current version (e.g. after a settings change): start it now. */
  private startNowIfNeeded(uri: string, state: OpenDocument, version: number): void {
    if (this.debouncer.isPending(uri) || (state.running?.version !== version && state.publishedVersion !== version)) {
      this.debouncer.cancel(uri);
      this.analyzeAndPublish(uri);
    }
  }

  /**
   * The analysis of the document's current version, once there is one: waits (without blocking the event loop,
   * so other requests and newer edits are served meanwhile) for the running analysis, starts a pending one at
   * once, and follows newer versions until the latest analysis is of the current one. Undefined when the request
   * is cancelled, the document is closed, or the current version could not be analyzed (its diagnostics say why).
   */
  async analysisWhenReady(uri: string, token?: CancellationToken): Promise<DocumentAnalysis | undefined> {
    for (;;) {
      const document = this.host.document(uri);
      const state = this.open.get(uri);
      if (document === undefined || state === undefined || token?.isCancellationRequested === true) return undefined;
      if (state.last?.version === document.version && !this.debouncer.isPending(uri)) return state.last;
      // Someone is waiting: no reason to let the debounce delay run out.
      this.startNowIfNeeded(uri, state, document.version);
      const running = state.running;
      if (running?.version !== document.version) {
        // Not running: analyzed at once (an analyzer without slices) or failed; either way, settled.
        return state.last?.version === document.version ? state.last : undefined;
      }
      await whicheverFirst(running.ended, token);
    }
  }

  /**
   * `analysisWhenReady`, but waiting at most `maxWaitMs`: undefined after that (never an older version's analysis).
   * For code actions, which an editor asks for on every cursor move: while a large document is still being analyzed
   * an empty answer in time beats exact fixes seconds later, and VS Code asks again when the diagnostics change.
   */
  async analysisWithin(uri: string, maxWaitMs: number, token?: CancellationToken): Promise<DocumentAnalysis | undefined> {
    let timedOut = false;
    const listeners: Array<() => void> = [];
    // A token of its own, cancelled by the caller's or by the time limit, so the wait ends rather than lingering.
    const limited: CancellationToken = {
      get isCancellationRequested() {
        return timedOut || token?.isCancellationRequested === true;
      },
      onCancellationRequested: (listener: (e: unknown) => unknown) => {
        const call = (): void => void listener(undefined);
        listeners.push(call);
        const outer = token?.onCancellationRequested(call);
        return { dispose: () => outer?.dispose() };
      },
    };
    const timer = setTimeout(() => {
      timedOut = true;
      for (const call of listeners) call();
    }, maxWaitMs);
    try {
      return await this.analysisWhenReady(uri, limited);
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    this.debouncer.cancelAll();
    for (const state of this.open.values()) this.abortRunning(state);
    this.open.clear();
  }

  private abortRunning(state: OpenDocument): void {
    state.running?.controller.abort();
    state.running?.end();
    state.running = undefined;
  }

  /**
   * Analyzes the document's current version and publishes its diagnostics. With an analyzer that can work in
   * slices, the analysis runs across event-loop turns so requests are answered meanwhile; a newer version or a
   * close aborts it, and its result is then never published.
   */
  private analyzeAndPublish(uri: string): void {
    const document = this.host.document(uri);
    const state = this.open.get(uri);
    if (document === undefined || state === undefined) return;
    this.abortRunning(state);
    const { version } = document;
    const settings = this.settings();
    if (this.parserFailure !== undefined) {
      this.publishIfCurrent(uri, state, version, [parserUnavailableDiagnostic(this.parserFailure)], undefined);
      return;
    }
    const context = this.contextOf(uri, state);
    const analyzer = state.analyzer;
    let part: ReturnType<typeof analyzablePart>;
    let options: AnalysisOptions;
    try {
      part = analyzablePart(document.getText(), settings.maxDocumentBytes);
      options = this.host.analysisOptions?.(uri, settings.pgVersion) ?? { pgVersion: settings.pgVersion };
    } catch (error) {
      this.failed(uri, state, version, error);
      return;
    }
    const done = (result: AnalysisResult): void => {
      const diagnostics = this.diagnosticsOf(result, part, settings);
      this.publishIfCurrent(uri, state, version, diagnostics, documentAnalysis(version, part.text, result, options.pgVersion, context));
    };
    if (analyzer.analyzeAsync === undefined) {
      let result: AnalysisResult;
      try {
        result = analyzer.analyze(part.text, options, context?.base);
      } catch (error) {
        this.failed(uri, state, version, error);
        return;
      }
      done(result);
      return;
    }
    const running = runningAnalysis(version);
    state.running = running;
    const { signal } = running.controller;
    const provisional = (result: ProvisionalAnalysisResult): void => {
      if (signal.aborted || state.running !== running) return;
      const diagnostics = this.diagnosticsOf(result, part, settings);
      const notice = analysisInProgressDiagnostic(result);
      if (notice) diagnostics.push(notice);
      this.publishProvisional(uri, state, version, diagnostics);
    };
    const control = { signal, provisional, provisionalAfterMs: PROVISIONAL_AFTER_MS, ...(context?.base ? { base: context.base } : {}) };
    analyzer.analyzeAsync(part.text, options, control).then(
      (result) => {
        if (state.running === running) state.running = undefined;
        if (result !== 'cancelled' && !signal.aborted) done(result);
        running.end();
      },
      (error: unknown) => {
        if (state.running === running) state.running = undefined;
        if (!signal.aborted) this.failed(uri, state, version, error);
        running.end();
      },
    );
  }

  private diagnosticsOf(
    result: AnalysisResult | ProvisionalAnalysisResult,
    part: ReturnType<typeof analyzablePart>,
    settings: DiagnosticsSettings,
  ): Diagnostic[] {
    const diagnostics = cappedDiagnosticsOf(result.findings, settings.docsBaseUrl);
    if (part.truncated) diagnostics.unshift(documentTooLargeDiagnostic(part, settings.maxDocumentBytes, settings.docsBaseUrl));
    return diagnostics;
  }

  /**
   * Shows what a long re-check already knows before it ends (the edited statements' findings are exact). Only for
   * the current version, and never once that version's (or a newer one's) final diagnostics are out; hover and
   * requests keep using the last final analysis.
   */
  private publishProvisional(uri: string, state: OpenDocument, version: number, diagnostics: Diagnostic[]): void {
    if (this.host.document(uri)?.version !== version || this.open.get(uri) !== state) return;
    if (state.publishedVersion !== undefined && state.publishedVersion >= version) return;
    state.provisional = { version, diagnostics };
    this.host.publish({ uri, version, diagnostics, provisional: true });
  }

  private failed(uri: string, state: OpenDocument, version: number, error: unknown): void {
    state.analyzer = this.createAnalyzer();
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.host.logError(`Lockstep: analysis of ${uri} (version ${version}) failed: ${detail}`);
    this.publishIfCurrent(uri, state, version, [analysisFailedDiagnostic(error)], undefined);
  }

  private publishIfCurrent(
    uri: string,
    state: OpenDocument,
    version: number,
    diagnostics: Diagnostic[],
    analysis: DocumentAnalysis | undefined,
  ): void {
    // A result must never overwrite a newer version's, nor reach a document closed meanwhile.
    if (this.host.document(uri)?.version !== version || this.open.get(uri) !== state) return;
    state.publishedVersion = version;
    const contextChanged = state.last !== undefined && analysis !== undefined && state.last.context?.key !== analysis.context?.key;
    state.last = analysis;
    // The provisional diagnostics turned out final (the rest of the walk changed nothing): the client has them.
    const repeated = state.provisional?.version === version && sameDiagnostics(state.provisional.diagnostics, diagnostics);
    state.provisional = undefined;
    if (repeated) this.host.settled?.({ uri, version });
    else this.host.publish({ uri, version, diagnostics });
    if (contextChanged) this.host.contextChanged?.(uri);
    else if (state.answeredEarly) this.host.analysisReady?.(uri);
    state.answeredEarly = false;
  }

  /** The schema context; a failure to build it costs the context (logged), never the document's diagnostics. */
  private contextOf(uri: string, state: OpenDocument): DocumentContext | undefined {
    if (this.host.context === undefined) return undefined;
    let context: DocumentContext | undefined;
    try {
      context = this.host.context(uri);
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.host.logError(`Lockstep: could not read the earlier migrations of ${uri}, so it is analyzed on its own: ${detail}`);
      return undefined;
    }
    if (context && context.problems.length > 0 && context.key !== state.last?.context?.key) {
      for (const p of context.problems) {
        this.host.logError(
          `Lockstep: cannot read earlier migration ${p.path} (${p.reason}); ${uri} is analyzed without its schema changes`,
        );
      }
    }
    return context;
  }
}

function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/** Resolves when `done` does or `token` is cancelled, whichever comes first. */
async function whicheverFirst(done: Promise<void>, token: CancellationToken | undefined): Promise<void> {
  if (token === undefined) return done;
  let listener: { dispose(): void } | undefined;
  try {
    await Promise.race([done, new Promise<void>((resolve) => (listener = token.onCancellationRequested(() => resolve())))]);
  } finally {
    listener?.dispose();
  }
}

function documentAnalysis(
  version: number,
  text: string,
  result: AnalysisResult,
  pgVersion: number,
  context: DocumentContext | undefined,
): DocumentAnalysis {
  let summarizer: StatementSummarizer | undefined;
  return {
    version,
    text,
    result,
    pgVersion,
    context,
    summary: (index) => (summarizer ??= new StatementSummarizer(result.statements, context?.base)).summary(index),
  };
}
