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
 * - `read`: other relations a query inside the statement reads (INSERT … SELECT, CREATE VIEW AS, subqueries);
 *   `read.base`: the relations reached through the views among them (or, for LOCK TABLE, among the tables it
 *   names), recursively; `read.partitions`: partitions of read partitioned tables (and of those reached through
 *   views); `read.indexes`: indexes of all of those tables (the planner opens every index of a table it plans for);
 * - `table.partitions.indexes`: indexes of the table's partitions; `table.parent.indexes`: the parent's
 *   (partitioned) indexes; `table.parent.default`: the parent's DEFAULT partition;
 * - `referencing`: tables whose FOREIGN KEYs reference `table` (`referencing.indexes`: their indexes);
 *   `referencing.cascade`: those whose ON DELETE action writes rows (CASCADE, SET NULL, SET DEFAULT), with
 *   `referencing.cascade.indexes`; `referencing.unindexed`: those without an index starting with the FK columns;
 * - `dependents`: views and materialized views that read `table` (dropped by CASCADE), `dependents.indexes`;
 * - `type.tables`: tables with a column of the type or domain the statement names;
 * - `sequences`: sequences the statement advances or sets — nextval()/setval() calls naming them, and the sequences
 *   behind the defaults of the columns an INSERT leaves to their default;
 * - `whole`: tables every plan of the statement reads in full — an UPDATE/DELETE target without WHERE, the single
 *   table of a query without WHERE (the leaf partitions, for a partitioned one). Other full reads are the
 *   planner's choice, which the model does not predict;
 * - `heaps.reindexed`: tables whose indexes the statement builds over new storage (the table CREATE TABLE makes
 *   with its keys, the tables TRUNCATE empties, a materialized view REFRESH refills): the server counts each build
 *   as a sequential scan of that table, though the new storage holds nothing or only the fresh rows.
 * - ALTER TABLE (targets-alter-table.ts): `table.leaves`: the relations with storage the table stands for (itself,
 *   or all its leaf partitions when partitioned), `table.leaves.indexes`: their indexes (what a rewrite rebuilds);
 *   `table.default`: the table's DEFAULT partition; `table.referenced`: tables
 *   the table's own FOREIGN KEYs reference (`.indexes`); `column.indexes`: indexes that depend on the columns the
 *   subcommands alter or drop (partition-level ones included), `column.indexes.rebuilt`: those ALTER COLUMN TYPE
 *   cannot keep; `column.referenced` / `column.referencing`: tables at the other end of FOREIGN KEYs on / to those
 *   columns (`.indexes`); `column.sequences`: sequences those columns own; `constraint.indexes`: indexes backing the
 *   constraints the subcommands name; `constraint.referenced` (`.indexes`): tables their FOREIGN KEYs reference;
 *   `constraint.referencing`: tables whose FOREIGN KEYs depend on them. `table.inheritors`: the table's inheritance
 *   descendants (INHERITS, all levels; none for ALTER TABLE ONLY), `table.inheritors.indexes`: their indexes,
 *   `table.inheritors.direct`: its direct children, also under ONLY. The facts of subcommands proven to recurse to
 *   inheritance children name them; model.ts answers "unknown" for the others on a table that has children.
 */
export type Role =
  | 'table'
  | 'table.leaves'
  | 'table.leaves.indexes'
  | 'table.inheritors'
  | 'table.inheritors.indexes'
  | 'table.inheritors.direct'
  | 'table.default'
  | 'table.referenced'
  | 'table.referenced.indexes'
  | 'column.indexes'
  | 'column.indexes.rebuilt'
  | 'column.referenced'
  | 'column.referenced.indexes'
  | 'column.referencing'
  | 'column.referencing.indexes'
  | 'column.sequences'
  | 'constraint.indexes'
  | 'constraint.referenced'
  | 'constraint.referenced.indexes'
  | 'constraint.referencing'
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
  | 'read'
  | 'read.base'
  | 'read.partitions'
  | 'read.indexes'
  | 'table.partitions.indexes'
  | 'table.parent.indexes'
  | 'table.parent.default'
  | 'referencing'
  | 'referencing.indexes'
  | 'referencing.cascade'
  | 'referencing.cascade.indexes'
  | 'referencing.unindexed'
  | 'dependents'
  | 'dependents.indexes'
  | 'type.tables'
  | 'sequences'
  | 'whole'
  | 'heaps.reindexed';

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
  /**
   * Set when the fact can only give a lower bound — what the statement certainly does — because part of it is not
   * analyzed (a DO block's body, a called function): the reason goes to the effect's unknownParts and the effect
   * is `unknown`. A function computes the reason from the statement (e.g. to name the function called); an
   * empty reason means the part is known after all.
   */
  unknown?: string | ((input: FactInput) => string);
  /** PostgreSQL documentation page (and anchor) that states the fact, relative to /docs/current/. */
  docs: string;
  /** Why, in one or two sentences, when it is not obvious (version changes, common misbeliefs). */
  why?: string;
  examples: readonly FactExample[];
  /**
   * ALTER TABLE facts: true when the subcommand leaves inheritance children alone (it does not recurse to them), so
   * the fact holds on an inheritance parent without naming `table.inheritors`. A fact that names neither is not
   * known to hold on a parent with children, and the model says "unknown" there.
   */
  inheritorsUntouched?: boolean;
  /**
   * The first major on which the statement locks the indexes of partitioned tables (relkind I) it plans on: before
   * it, the planner opened only the partitions' own indexes (proven on 14 and 15 vs 16+), so those locks are left out.
   */
  partitionedIndexLocksSince?: number;
}

export type FactNode = Node;
