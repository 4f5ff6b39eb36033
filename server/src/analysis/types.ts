// Plain data produced by the analysis core. Nothing here knows about LSP, VS Code, pg or the file system.
// Positions follow LSP: 0-based lines, 0-based UTF-16 code-unit characters.
import type { Node } from '@pgsql/types';
import type { StatementEffect } from './lockmodel/model';

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
}

export interface AnalysisOptions {
  /** PostgreSQL major the migration will run on (12–18). */
  pgVersion: number;
}

export const DEFAULT_PG_VERSION = 17;

/** PostgreSQL majors the lock model covers. */
export const MIN_PG_VERSION = 12;
export const MAX_PG_VERSION = 18;
