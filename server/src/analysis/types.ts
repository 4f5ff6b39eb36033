// Plain data produced by the analysis core. Nothing here knows about LSP, VS Code, pg or the file system.
// Positions follow LSP: 0-based lines, 0-based UTF-16 code-unit characters.
import type { Node } from '@pgsql/types';
import type { StatementEffect } from './lockmodel/model';
import type { MigrationRunInput } from './transactions/runners';
import type { TransactionSource } from './transactions/plan';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** What a statement slot in the file holds. Parsed SQL carries the libpg-query node name as `kind`. */
export type StatementKind =
  | string // e.g. 'IndexStmt', 'AlterTableStmt' (the key of the libpg-query node)
  | 'SyntaxError'
  | 'PsqlMetaCommand'
  | 'PsqlVariable' // SQL that only parses once psql substitutes its :variables
  | 'TemplatePlaceholder';

export interface Statement {
  /** 0-based position of the statement in the file. */
  index: number;
  /** Source text of the statement, from its first token to its terminating semicolon (exclusive). */
  text: string;
  /** UTF-16 offsets into the document: [start, end). `end` excludes the semicolon. */
  start: number;
  end: number;
  range: Range;
  kind: StatementKind;
  /** The parsed statement node (RawStmt.stmt), when the statement parsed. */
  ast?: Node;
  /** Set when the statement could not be parsed or is not SQL (psql meta-command, template). */
  problem?: StatementProblem;
  /** What the lock model says the statement does (locks, rewrites, scans, what waits), for parsed statements. */
  effect?: StatementEffect;
  /** The transaction the statement runs in, as its migration runner and PostgreSQL group statements (transactions/). */
  transaction?: StatementTransactionFacts;
}

export interface StatementTransactionFacts {
  /** True when it runs inside a transaction block (BEGIN runs outside the block it opens, COMMIT inside). */
  inTransaction: boolean;
  /** Statements with the same id share a transaction (ids count from 0 per analysis; not for display). */
  id: number;
  source: TransactionSource;
  /** The goose/dbmate section it belongs to ('none': before the first marker, never run). */
  section: 'up' | 'down' | 'none';
}

export interface StatementProblem {
  message: string;
  /** UTF-16 offset into the document where PostgreSQL reported the error. */
  offset: number;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  range: Range;
  /** Index of the statement the finding is about. */
  statement: number;
  /** Named values the message was built from, so tests can assert on data rather than prose. */
  data?: Record<string, string | number | boolean>;
}

export interface AnalysisResult {
  statements: Statement[];
  findings: Finding[];
  /** Findings a `-- lockstep-ignore` comment removed from `findings` (for counts; not shown as problems). */
  suppressed?: Finding[];
  /** The transactions of the file, by id (Statement.transaction.id): how each ends and why its statements share it. */
  transactions?: TransactionSummary[];
  /** The migration runner the file was analyzed for, as users know it ('golang-migrate', 'psql'…). */
  runner?: string;
  /**
   * Never true here: a result the analysis is still working on is a ProvisionalAnalysisResult, which this field
   * keeps from being passed where a final result is expected (fixes, hover, the CLI, rehearsal).
   */
  provisional?: false;
}

/**
 * What an analysis in progress already knows (DocumentAnalyzer.analyzeAsync's `provisional` callback): exact up to
 * statement `exactThrough` (exclusive); the statements after it carry the findings the previous analysis had for
 * them, moved to where they are now. For showing diagnostics early only; the final result replaces it.
 */
export interface ProvisionalAnalysisResult extends Omit<AnalysisResult, 'provisional'> {
  provisional: true;
  /** Statements before this index have exactly the findings of the final result. */
  exactThrough: number;
}

export interface TransactionSummary {
  id: number;
  source: TransactionSource;
  /** Indexes of its statements, in order. */
  statements: number[];
  end: 'commit' | 'rollback' | 'prepare' | 'runner-commit' | 'query-end' | 'open' | 'statement';
  /** Why these statements share a transaction, in words ("goose runs each migration in a transaction"). */
  why: string;
}

export interface AnalysisOptions {
  /** PostgreSQL major the migration will run on (12–18). */
  pgVersion: number;
  /**
   * Where the file runs — its path, framework, the runner's metadata files — which decides which statements share
   * a transaction. Without it the file is taken as psql runs it: statement by statement, BEGIN/COMMIT as written.
   */
  migration?: MigrationRunInput;
  /** The project's policy from lockstep.json (see analysis/config). */
  project?: ProjectPolicy;
}

export interface ProjectPolicy {
  /** Rule id → severity, or 'off' to drop the rule's findings. */
  rules?: Readonly<Record<string, Severity | 'off'>>;
  /** Facts about production tables, by name as written in SQL (`orders`, `app.orders`, `"Order"`). */
  tables?: Readonly<Record<string, { rows?: number }>>;
  /** Longest acceptable lock_timeout, in milliseconds. */
  lockTimeoutMs?: number;
  /** Longest acceptable statement_timeout, in milliseconds. */
  statementTimeoutMs?: number;
}

export const DEFAULT_PG_VERSION = 17;

/** PostgreSQL majors the lock model covers. */
export const MIN_PG_VERSION = 12;
export const MAX_PG_VERSION = 18;
