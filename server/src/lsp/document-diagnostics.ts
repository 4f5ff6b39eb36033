// Keeps one analyzer per open document and turns edits into published diagnostics: debounced, never stale,
// and never silent when analysis itself fails. Keeps each document's latest analysis for hover and inlay hints.
// Knows nothing of the connection or the file system, so it is testable alone.
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { DocumentAnalyzer } from '../analysis/analyzer';
import type { Catalog } from '../analysis/catalog';
import { StatementSummarizer, type StatementSummary } from '../analysis/presentation/statement-summary';
import type { AnalysisOptions, AnalysisResult } from '../analysis/types';
import { KeyedDebouncer } from './debouncer';
import {
  analysisFailedDiagnostic,
  capDiagnostics,
  documentTooLargeDiagnostic,
  findingToDiagnostic,
  parserUnavailableDiagnostic,
} from './diagnostics';
import { analyzablePart } from './document-limit';

export interface Analyzer {
  analyze(text: string, options: AnalysisOptions, base?: Catalog): AnalysisResult;
  /** Analysis in slices that leave the event loop free; 'cancelled' once `signal` aborts (see DocumentAnalyzer). */
  analyzeAsync?(
    text: string,
    options: AnalysisOptions,
    control: { signal?: AbortSignal; base?: Catalog },
  ): Promise<AnalysisResult | 'cancelled'>;
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
  publish(params: PublishDiagnosticsParams): void;
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

interface OpenDocument {
  /** Caches per-statement work; replaced after a failure, since its cache may be half-updated. */
  analyzer: Analyzer;
  /** Version whose diagnostics were last published. */
  publishedVersion: number | undefined;
  last: DocumentAnalysis | undefined;
  /** The analysis in progress (in slices), aborted when a newer version, a close or a blocking request comes. */
  running: { version: number; controller: AbortController } | undefined;
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
    this.open.set(uri, { analyzer: this.createAnalyzer(), publishedVersion: undefined, last: undefined, running: undefined, answeredEarly: false });
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
   * The analysis of the document as it is now: a pending (debounced) analysis runs at once, so a hover never
   * describes text the user has already changed. Undefined for unknown documents and when nothing was analyzed
   * (the parser failed to load).
   */
  analysis(uri: string, { wait = true }: { wait?: boolean } = {}): DocumentAnalysis | undefined {
    const document = this.host.document(uri);
    const state = this.open.get(uri);
    if (document === undefined || state === undefined) return undefined;
    // With `wait: false` (hover, inlay hints) a request that arrives while the current version is being analyzed
    // in slices is answered at once with nothing, rather than by blocking until that analysis is done.
    if (!wait && !this.debouncer.isPending(uri) && state.running?.version === document.version) {
      state.answeredEarly = true;
      return undefined;
    }
    if (this.debouncer.isPending(uri) || state.last?.version !== document.version) {
      this.debouncer.cancel(uri);
      this.analyzeAndPublish(uri, { blocking: true });
    }
    const last = this.open.get(uri)?.last;
    return last?.version === document.version ? last : undefined;
  }

  dispose(): void {
    this.debouncer.cancelAll();
    for (const state of this.open.values()) this.abortRunning(state);
    this.open.clear();
  }

  private abortRunning(state: OpenDocument): void {
    state.running?.controller.abort();
    state.running = undefined;
  }

  /**
   * Analyzes the document's current version and publishes its diagnostics. With an analyzer that can work in
   * slices (and unless `blocking`), the analysis runs across event-loop turns so requests are answered meanwhile;
   * a newer version, a close or a blocking request aborts it, and its result is then never published.
   */
  private analyzeAndPublish(uri: string, { blocking = false }: { blocking?: boolean } = {}): void {
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
      const diagnostics = capDiagnostics(result.findings.map((finding) => findingToDiagnostic(finding, settings.docsBaseUrl)));
      if (part.truncated) diagnostics.unshift(documentTooLargeDiagnostic(part, settings.maxDocumentBytes, settings.docsBaseUrl));
      this.publishIfCurrent(uri, state, version, diagnostics, documentAnalysis(version, part.text, result, options.pgVersion, context));
    };
    if (blocking || analyzer.analyzeAsync === undefined) {
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
    const running = { version, controller: new AbortController() };
    state.running = running;
    const { signal } = running.controller;
    analyzer.analyzeAsync(part.text, options, { signal, ...(context?.base ? { base: context.base } : {}) }).then(
      (result) => {
        if (state.running === running) state.running = undefined;
        if (result === 'cancelled' || signal.aborted) return;
        done(result);
      },
      (error: unknown) => {
        if (state.running === running) state.running = undefined;
        if (signal.aborted) return;
        this.failed(uri, state, version, error);
      },
    );
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
    this.host.publish({ uri, version, diagnostics });
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
