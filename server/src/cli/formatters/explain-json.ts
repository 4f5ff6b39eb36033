// `lockstep explain --format json`: a stable contract for tools. Positions are 0-based UTF-16 like LSP, relations
// schema-qualified and quote_ident-style. Bump `version` on any incompatible change; adding fields is compatible.
import { sep } from 'node:path';
import type { Workload } from '../../analysis/lockmodel/lock-modes';
import type { RelationLock } from '../../analysis/lockmodel/model';
import { unknownReason } from '../../analysis/presentation/effect-text';
import type { StatementSummary } from '../../analysis/presentation/statement-summary';
import type { Range } from '../../analysis/types';

export const EXPLAIN_JSON_VERSION = 1;

export interface ExplainedFile {
  /** As shown to the user: relative to the working directory when inside it, else absolute. */
  displayPath: string;
  /** The PostgreSQL major the file was explained for. */
  pgVersion: number;
  statements: StatementSummary[];
}

export interface ExplainJsonStatement {
  index: number;
  range: Range;
  text: string;
  kind: string;
  inTransaction: boolean;
  locks: RelationLock[];
  rewrites: string[];
  scans: string[];
  /** reads and writes first; then the other kinds of concurrent work. */
  blocks: Record<Workload, string[]>;
  /** 'unknown' only for statements that were not analyzed at all (syntax errors, psql meta-commands). */
  transaction: 'allowed' | 'forbidden' | 'unknown';
  /** How the statement came to run in (or outside) a transaction: 'runner', 'explicit', 'implicit', 'autocommit'… */
  transactionSource?: string;
  /** Ids of the lock facts that produced the answer (server/src/analysis/lockmodel/facts/). */
  facts: string[];
  /** Relations the statement touches that this file created: nobody else waits on them. */
  newRelations: string[];
  unknown: boolean;
  /** Why `unknown` is true. */
  reason?: string;
}

export interface ExplainJsonReport {
  version: typeof EXPLAIN_JSON_VERSION;
  pgVersion: number;
  files: Array<{ path: string; pgVersion: number; statements: ExplainJsonStatement[] }>;
}

const NO_BLOCKS = (): Record<Workload, string[]> => ({ reads: [], writes: [], selectForUpdate: [], ddl: [], maintenance: [] });

export function toExplainJson(files: readonly ExplainedFile[], pgVersion: number): ExplainJsonReport {
  return {
    version: EXPLAIN_JSON_VERSION,
    pgVersion,
    files: files.map((file) => ({
      // Forward slashes on every platform, so a CI run's output does not depend on its OS.
      path: sep === '\\' ? file.displayPath.split(sep).join('/') : file.displayPath,
      pgVersion: file.pgVersion,
      statements: file.statements.map(statementJson),
    })),
  };
}

function statementJson(summary: StatementSummary): ExplainJsonStatement {
  const { statement } = summary;
  const effect = statement.effect;
  const blocks = NO_BLOCKS();
  if (effect) for (const w of Object.keys(blocks) as Workload[]) blocks[w] = [...effect.blocks[w]];
  const reason = unknownReason(statement);
  return {
    index: statement.index,
    range: {
      start: { line: statement.range.start.line, character: statement.range.start.character },
      end: { line: statement.range.end.line, character: statement.range.end.character },
    },
    text: statement.text,
    kind: statement.kind,
    inTransaction: summary.inTransaction,
    locks: (effect?.locks ?? []).map((l) => ({ relation: l.relation, kind: l.kind, mode: l.mode })),
    rewrites: [...(effect?.rewrites ?? [])],
    scans: [...(effect?.scans ?? [])],
    blocks,
    transaction: effect?.transaction ?? 'unknown',
    ...(statement.transaction ? { transactionSource: statement.transaction.source } : {}),
    facts: (effect?.facts ?? []).map((f) => f.id),
    newRelations: summary.newRelations,
    unknown: effect ? effect.unknown : true,
    ...(reason !== undefined ? { reason } : {}),
  };
}

export function formatExplainJson(files: readonly ExplainedFile[], pgVersion: number): string {
  return `${JSON.stringify(toExplainJson(files, pgVersion), null, 2)}\n`;
}
