// The `lockstep/rehearse` request as plain data: what a client sends, what comes back, what `$/progress` carries.
// Shared by the server (rehearse-request.ts) and the VS Code client, so it imports types only — nothing that
// would pull the server into the client bundle.
import type { RehearsalProgress, RehearsalReport } from '../rehearsal/report';

export const REHEARSE_METHOD = 'lockstep/rehearse';

export interface RehearseParams {
  /** The migration to rehearse (file: URI). Its open editor text is used when it is open, unsaved edits included. */
  uri: string;
  /** Rows of the largest seeded table per run (default: the engine's 10k, 100k, 1M). */
  sizes?: number[];
  /** Production row counts per table (`orders` or `public.orders`); the estimate extrapolates to them. */
  rows?: Record<string, number>;
  /** The user's own server instead of an embedded one; never logged or echoed back (see scrubSecret). */
  url?: string;
  /**
   * `url` may point at another machine (`lockstep rehearse --allow-remote`; VS Code `lockstep.rehearsal.allowRemote`).
   * Off by default: a rehearsal runs the migration for real and loads data.
   */
  allowRemote?: boolean;
  /** Simulated concurrent clients and the lock-queue demo after the measured sizes (`lockstep rehearse --workload`). */
  workload?: boolean;
  /**
   * Rehearse only the statement at this position (LSP, UTF-16; the statement containing it, else the last one that
   * starts before it). The statements before it in the file run first, unmeasured, as schema context.
   */
  statementAt?: { line: number; character: number };
  budgetMs?: number;
  thresholdMs?: number;
  repeat?: number;
  /** LSP work-done progress: `$/progress` begin/report/end with this token. */
  workDoneToken?: string | number;
}

export interface RehearseResult {
  report: RehearsalReport;
  /** `lockstep rehearse --format markdown` of the same report, for "Export as Markdown". */
  markdown: string;
  /**
   * Per statement (report.statements[k].index): its range in the document (LSP, UTF-16), or null when the
   * document was not open and analyzed (then only `line` in the report places it).
   */
  ranges: Array<{ index: number; range: LspRange } | null>;
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * The `value` of a `$/progress` report: the LSP fields (kind, message) plus where the rehearsal is, so a client
 * can show "seed · 100,000 rows" or highlight statement k without parsing the message.
 */
export interface RehearseProgressReport {
  kind: 'report';
  message: string;
  phase: RehearsalProgress['phase'];
  size?: number;
  statement?: number;
  /** With the 'server' report of an embedded server: its postmaster's pid (the process a cancel must end). */
  pid?: number;
  elapsedMs: number;
}

export const EXPLAIN_METHOD = 'lockstep/explain';

export interface ExplainParams {
  /** The document to explain (its open editor text, as analyzed for diagnostics). */
  uri: string;
}

export interface ExplainResult {
  /** Exactly what `lockstep explain <file>` prints for it (the CLI's text formatter). */
  text: string;
}
