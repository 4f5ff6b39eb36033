/**
 * Plain data of the fix engine: what a fix changes in the document (text edits on UTF-16 offsets) and which
 * migration files it creates. Nothing here knows LSP; the language server and `lockstep fix` convert it.
 */
import type { AnalysisOptions, AnalysisResult } from '../types';
import type { Catalog } from '../catalog';

/** Replace document text [start, end) (UTF-16 offsets) with `newText`. Edits of one fix never overlap. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface FileEdit {
  /** Path in the same style as FixInput.path. */
  path: string;
  edits: TextEdit[];
}

export interface NewFile {
  /** Path in the same style as FixInput.path (same folder tree, same separators). */
  path: string;
  text: string;
  /**
   * `up`: a forward migration; `down`: its revert; `config`: any other file the runner reads (Flyway .conf, diesel
   * metadata.toml, sqitch verify scripts).
   */
  purpose: 'up' | 'down' | 'config';
}

export interface Fix {
  /** The recipe that produced it: 'create-index-concurrently', 'ignore-statement', … */
  recipe: string;
  title: string;
  /** Rule ids whose findings on this statement the fix resolves (code actions list those diagnostics). */
  resolves: string[];
  /** Index of the statement in the analysis. */
  statement: number;
  preferred: boolean;
  /** Mechanical and always safe: part of `source.fixAll.lockstep`. */
  fixAll: boolean;
  /** Edits to the document itself. */
  edits: TextEdit[];
  /** Migration files the fix creates, in the order they run. */
  files: NewFile[];
  /**
   * Edits to existing files other than the document, applied together with `files` (sqitch: the new changes'
   * entries appended to sqitch.plan). Absent when there are none; never part of `fallbackEdits`.
   */
  fileEdits?: FileEdit[];
  /**
   * The same fix for a client that cannot create files: edits only, with every file the fix would create written
   * as commented text after the statement (and an explanation). Equal to `edits` when `files` is empty.
   */
  fallbackEdits: TextEdit[];
  /** Why the fix landed the way it did (no free version number, unknown runner…), for the user. */
  notes: string[];
}

/**
 * A fix Lockstep deliberately does not offer for a statement, and exactly why (LSP: a code action with
 * `disabled.reason`; `lockstep fix`: a note). Offering half of a fix — phases that would leave an index or a
 * view on the wrong column — would be worse than offering none.
 */
export interface BlockedFix {
  recipe: string;
  statement: number;
  title: string;
  resolves: string[];
  reasons: string[];
}

export interface FixPolicy {
  /** `SET lock_timeout` value put in front of statements that wait for strong locks. */
  lockTimeout: string;
  /** Rows per batch of generated backfills. */
  batchSize: number;
}

export const DEFAULT_FIX_POLICY: FixPolicy = { lockTimeout: '2s', batchSize: 10_000 };

export interface FixInput {
  /** The document text the analysis was made of. */
  text: string;
  analysis: AnalysisResult;
  options: AnalysisOptions;
  /** The schema the earlier migrations produce (same as given to the analyzer). `options.migration` says how the
   * document runs (its runner, metadata files, configuration). */
  base?: Catalog;
  /** Path of the document ('/' or '\\' separated); without it no migration file can be created. */
  path?: string;
  /** Paths of the other migration files of its folder tree (same style as `path`), to number new files. */
  siblings?: readonly string[];
  /**
   * A migration an earlier fix of the same run created for this document: new files are numbered after it rather
   * than right after the document (so a second fix of one file does not collide with the first one's files).
   */
  placeAfter?: string;
  policy?: Partial<FixPolicy>;
  /**
   * sqitch: the project's sqitch.plan (path and text). Without it no sqitch change can be added (the plan orders
   * changes), and a sqitch document gets the commented fallback.
   */
  sqitchPlan?: { path: string; text: string };
  /** The time new sqitch plan entries are stamped with (default: now); for reproducible output. */
  now?: Date;
}
