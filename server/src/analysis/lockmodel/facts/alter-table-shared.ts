/**
 * What the ALTER TABLE fact families share: the fixtures their examples build on, and readers for the parts of an
 * AlterTableCmd their `when` predicates look at. No facts live here.
 */
import type { Node, TypeName } from '@pgsql/types';
import type { FactInput } from '../fact';
import { expressionVolatility, type Volatility } from '../../pgfacts/volatility';
import { qualify, quoteIdent } from '../../names';

// ---- fixtures (each example's setup is committed before its statement runs) ----

/** A table with a primary key, a secondary index and rows, so index locks and scans show. */
export const TABLE =
  'CREATE TABLE t (id bigint PRIMARY KEY, a int, b text); CREATE INDEX t_a_idx ON t (a); ' +
  'INSERT INTO t SELECT g, g, g::text FROM generate_series(1, 10) g;';

/** An empty table: ADD COLUMN … NOT NULL without a default only succeeds on one. */
export const EMPTY_TABLE = 'CREATE TABLE t (id bigint PRIMARY KEY, a int, b text); CREATE INDEX t_a_idx ON t (a);';

/** A table foreign keys point at, with enough rows that validating a key reads it in full. */
export const REFERENCED =
  'CREATE TABLE r (id bigint PRIMARY KEY, name text UNIQUE); INSERT INTO r SELECT g, g::text FROM generate_series(1, 10) g;';

/** `t` with a column r_id holding values that exist in r. */
export const REFERENCING = REFERENCED + TABLE + ' ALTER TABLE t ADD COLUMN r_id bigint; UPDATE t SET r_id = id;';

/** A range-partitioned table with a primary key, an index, two partitions and rows in both. */
export const PARTITIONED =
  'CREATE TABLE m (id bigint NOT NULL, day date NOT NULL, a int, b text, PRIMARY KEY (id, day)) PARTITION BY RANGE (day); ' +
  'CREATE INDEX m_a_idx ON m (a); ' +
  "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); " +
  "CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'); " +
  "INSERT INTO m SELECT g, date '2024-12-20' + g, g, g::text FROM generate_series(1, 20) g;";

/**
 * An inheritance hierarchy (INHERITS, not partitioning): parent p with rows and indexes, children c1 (own column and
 * index) and c2, grandchild g1 under c1, rows in each. ALTER TABLE p reaches c1, c2 and g1 when the subcommand recurses.
 */
export const INHERITED =
  'CREATE TABLE p (id bigint PRIMARY KEY, a int, b text); CREATE INDEX p_a_idx ON p (a); ' +
  'CREATE TABLE c1 (extra int) INHERITS (p); CREATE INDEX c1_a_idx ON c1 (a); ' +
  'CREATE TABLE c2 () INHERITS (p); CREATE TABLE g1 () INHERITS (c1); ' +
  "INSERT INTO p SELECT g, g, g::text FROM generate_series(1, 10) g; " +
  "INSERT INTO c1 SELECT g, g, g::text, g FROM generate_series(11, 20) g; " +
  "INSERT INTO c2 SELECT g, g, g::text FROM generate_series(21, 30) g; " +
  "INSERT INTO g1 SELECT g, g, g::text, g FROM generate_series(31, 40) g;";

// ---- readers ----

export interface AlterTableCmd {
  subtype?: string;
  name?: string;
  num?: number;
  def?: Node;
  behavior?: string;
  missing_ok?: boolean;
}

export interface ConstraintNode {
  contype?: string;
  conname?: string;
  raw_expr?: Node;
  skip_validation?: boolean;
  initially_valid?: boolean;
  indexname?: string;
  keys?: Node[];
  pktable?: unknown;
  generated_kind?: string;
}

export interface ColumnDefNode {
  colname?: string;
  typeName?: TypeName;
  constraints?: Node[];
  raw_default?: Node;
  collClause?: unknown;
}

export function command(input: FactInput): AlterTableCmd {
  return (input.command ?? {}) as AlterTableCmd;
}

/** The statement's object type: ALTER TABLE, ALTER INDEX, ALTER VIEW … all parse to AlterTableStmt. */
export function objectType(input: FactInput): string | undefined {
  return (input.statement as { objtype?: string } | undefined)?.objtype;
}

export const onTable = (input: FactInput): boolean => objectType(input) === 'OBJECT_TABLE';
export const onIndex = (input: FactInput): boolean => objectType(input) === 'OBJECT_INDEX';

export function constraintOf(input: FactInput): ConstraintNode | undefined {
  return (command(input).def as { Constraint?: ConstraintNode } | undefined)?.Constraint;
}

export function columnDefOf(input: FactInput): ColumnDefNode | undefined {
  return (command(input).def as { ColumnDef?: ColumnDefNode } | undefined)?.ColumnDef;
}

export function columnConstraints(def: ColumnDefNode | undefined): ConstraintNode[] {
  return (def?.constraints ?? []).map((c) => (c as { Constraint?: ConstraintNode }).Constraint ?? {});
}

/** Volatility of an expression, user functions answered by the catalog ('unknown' when nobody knows). */
export function volatilityOf(input: FactInput, expression: Node | undefined): Volatility {
  return expressionVolatility(expression, (fn) =>
    input.schema.functionVolatility(fn.schema !== undefined ? qualify(fn.schema, fn.name) : quoteIdent(fn.name)),
  );
}

export function isNullConstant(expression: Node | undefined): boolean {
  const constant = (expression as { A_Const?: { isnull?: boolean } } | undefined)?.A_Const;
  return constant?.isnull === true;
}

/** The names of a DefElem list (SET (fillfactor = 70, toast.autovacuum_enabled = off) → fillfactor, toast.…). */
export function optionNames(list: unknown): string[] {
  return ((list as Node[] | undefined) ?? []).map((n) => {
    const def = (n as { DefElem?: { defnamespace?: string; defname?: string } }).DefElem;
    return def?.defnamespace ? `${def.defnamespace}.${def.defname}` : (def?.defname ?? '');
  });
}

/** The constraint an ALTER TABLE subcommand names (DROP / VALIDATE CONSTRAINT), as the catalog knows it. */
export function namedConstraint(input: FactInput) {
  const name = command(input).name;
  if (!input.table || !name) return undefined;
  return input.schema.constraintsOf(input.table).find((c) => c.name === name);
}

/** Leaf partitions of a partitioned table (the table itself otherwise): the relations that hold rows. */
export function leavesOf(input: FactInput, table = input.table): string[] {
  if (!table) return [];
  if (input.schema.relationKind(table) !== 'partitioned table') return [table];
  return input.schema.partitionsOf(table).flatMap((p) => leavesOf(input, p));
}
