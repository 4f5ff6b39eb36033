import type { Node } from '@pgsql/types';
import type { LockMode } from './lock-modes';
import type { SchemaLookup, SessionSettings } from './schema';
import type { NodeKind } from '../node-kinds';

/**
 * The relations a fact talks about, resolved per statement by the model (model.ts `resolveRole`):
 * - `table`: the relation the statement acts on (ALTER TABLE's, CREATE INDEX's table, DML target, …);
 * - `table.indexes`, `table.partitions` (all levels), `table.parent`, `table.sequences`: derived from the catalog;
 * - `referenced`: the table a FOREIGN KEY points to; `referenced.indexes`: its indexes;
 * - `partition`: the partition ATTACH/DETACH PARTITION names;
 * - `index`: the index a statement names (DROP INDEX, REINDEX INDEX, ALTER INDEX); `index.table`: its table;
 * - `created`: the relation the statement creates (the new index of CREATE INDEX, the new table, view…);
 * - `read`: other relations a query inside the statement reads (INSERT … SELECT, CREATE VIEW AS, subqueries).
 */
export type Role =
  | 'table'
  | 'table.indexes'
  | 'table.partitions'
  | 'table.parent'
  | 'table.sequences'
  | 'referenced'
  | 'referenced.indexes'
  | 'partition'
  | 'partition.indexes'
  | 'index'
  | 'index.table'
  | 'created'
  | 'read';

export interface FactInput {
  /** The whole statement payload (e.g. the AlterTableStmt). */
  statement: unknown;
  /** For ALTER TABLE: the AlterTableCmd this fact is about; otherwise the statement payload again. */
  command: unknown;
  schema: SchemaLookup;
  settings: SessionSettings;
  pgVersion: number;
  /** Qualified name of the `table` role, when the statement has one. */
  table: string | undefined;
}

export interface FactExample {
  /** Fixture SQL that creates what the statement needs; committed before the statement runs. */
  setup: string;
  /** The statement; the proof suite runs it on a real server and compares with the model's prediction. */
  sql: string;
  /** Versions the example is valid for, when narrower than the fact's. */
  pg?: { min?: number; max?: number };
}

export interface LockFact {
  /** Stable id, e.g. 'alter-table.add-column.volatile-default'. */
  id: string;
  /** What statement (shape) this fact is about, in one line. */
  summary: string;
  statement: NodeKind;
  /** For ALTER TABLE facts: the AlterTableCmd subtype (AT_AddColumn …). */
  subcommand?: string;
  /** Extra condition; facts for the same statement/subcommand are tried in order and the first match wins. */
  when?: (input: FactInput) => boolean;
  /** PostgreSQL majors the fact holds for (inclusive). */
  pg?: { min?: number; max?: number };
  locks: ReadonlyArray<{ role: Role; mode: LockMode }>;
  /** Roles whose storage is rewritten (new relfilenode). */
  rewrites?: readonly Role[];
  /** Roles read in full (validation, NOT NULL check, index build). */
  scans?: readonly Role[];
  /** 'forbidden' when PostgreSQL refuses to run the statement inside a transaction block. */
  transaction?: 'forbidden';
  /** PostgreSQL documentation page (and anchor) that states the fact, relative to /docs/current/. */
  docs: string;
  /** Why, in one or two sentences, when it is not obvious (version changes, common misbeliefs). */
  why?: string;
  examples: readonly FactExample[];
}

export type FactNode = Node;
