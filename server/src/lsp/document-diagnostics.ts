// Keeps one analyzer per open document and turns edits into published diagnostics: debounced, never stale,
// and never silent when analysis itself fails. Knows nothing of the connection, so it is testable alone.
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { DocumentAnalyzer } from '../analysis/analyzer';
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
  analyze(text: string, options: AnalysisOptions): AnalysisResult;
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
    this.open.set(uri, { analyzer: this.createAnalyzer(), publishedVersion: undefined });
    // Nothing to debounce when a file is opened: show its diagnostics at once.
    this.debouncer.schedule(uri, 0);
  }

  /** A newer change replaces the pending one, so a burst of keystrokes costs one analysis. */
  changed(uri: string, version: number): void {
    const state = this.open.get(uri);
    if (state === undefined || state.publishedVersion === version) return;
    this.debouncer.schedule(uri, this.settings().diagnosticsDelayMs);
  }

  closed(uri: string): void {
    this.debouncer.cancel(uri);
    this.open.delete(uri);
    // A closed file's diagnostics would otherwise linger in the Problems view.
    this.host.publish({ uri, diagnostics: [] });
  }

  /** After a setting that affects findings changed (e.g. pgVersion). */
  reanalyzeAll(): void {
    for (const uri of this.open.keys()) this.debouncer.schedule(uri, 0);
  }

  dispose(): void {
    this.debouncer.cancelAll();
    this.open.clear();
  }

  private analyzeAndPublish(uri: string): void {
    const document = this.host.document(uri);
    const state = this.open.get(uri);
    if (document === undefined || state === undefined) return;
    const { version } = document;
    const settings = this.settings();
    let diagnostics: Diagnostic[];
    if (this.parserFailure !== undefined) {
      diagnostics = [parserUnavailableDiagnostic(this.parserFailure)];
    } else {
      try {
        const part = analyzablePart(document.getText(), settings.maxDocumentBytes);
        const result = state.analyzer.analyze(part.text, { pgVersion: settings.pgVersion });
        diagnostics = capDiagnostics(result.findings.map((finding) => findingToDiagnostic(finding, settings.docsBaseUrl)));
        if (part.truncated) {
          diagnostics.unshift(documentTooLargeDiagnostic(part, settings.maxDocumentBytes, settings.docsBaseUrl));
        }
      } catch (error) {
        state.analyzer = this.createAnalyzer();
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.host.logError(`Lockstep: analysis of ${uri} (version ${version}) failed: ${detail}`);
        diagnostics = [analysisFailedDiagnostic(error)];
      }
    }
    // Analysis is synchronous today; if it ever leaves the message loop, a result must still never
    // overwrite a newer version's, nor reach a document closed meanwhile.
    if (this.host.document(uri)?.version !== version || this.open.get(uri) !== state) return;
    state.publishedVersion = version;
    this.host.publish({ uri, version, diagnostics });
  }
}
