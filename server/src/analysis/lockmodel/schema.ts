import type { Node, RangeVar, TypeName } from '@pgsql/types';

/** Relation kinds as the tracer names them (pg_class.relkind). */
export type RelationKind =
  | 'table'
  | 'partitioned table'
  | 'index'
  | 'partitioned index'
  | 'sequence'
  | 'view'
  | 'materialized view'
  | 'other';

export interface ColumnFacts {
  name: string;
  /** The declared type as the parser gives it (names + typmods). */
  type: TypeName;
  notNull: boolean;
  /** The DEFAULT expression, if any. */
  default?: Node;
  identity?: 'always' | 'by default';
  generated?: 'stored' | 'virtual';
  /** The sequence a serial or identity column takes its values from (owned by the column). */
  sequence?: string;
}

/**
 * What the lock model needs to know about the schema a statement runs against. The static catalog (replayed
 * migrations + earlier statements of the file) implements it; tests can implement it with a literal.
 * All names are schema-qualified and quote_ident-style (public.orders).
 */
export interface SchemaLookup {
  /** Resolves a RangeVar through search_path to a qualified name (even when the relation is unknown). */
  resolve(rv: RangeVar): string;
  relationKind(name: string): RelationKind | undefined;
  /** Indexes defined on a table (qualified index names). */
  indexesOf(table: string): string[];
  /** The table an index belongs to. */
  tableOfIndex(index: string): string | undefined;
  /** Direct partitions of a partitioned table. */
  partitionsOf(table: string): string[];
  /** The partitioned table a partition belongs to. */
  parentOf(table: string): string | undefined;
  /** Direct inheritance children (CREATE TABLE … INHERITS, ALTER TABLE … INHERIT), not partitions. */
  inheritorsOf(table: string): string[];
  /** Sequences owned by the table's columns (serial, identity). */
  sequencesOf(table: string): string[];
  column(table: string, column: string): ColumnFacts | undefined;
  /** Column names in table order (empty when the table or its column list is unknown). */
  columnNames(table: string): string[];
  /** True when a validated CHECK constraint proves `column IS NOT NULL` (lets SET NOT NULL skip its scan, PG ≥ 12). */
  hasValidatedNotNullCheck(table: string, column: string): boolean;
  /** Volatility of a user-defined function, when the schema defines it. */
  functionVolatility(name: string): 'immutable' | 'stable' | 'volatile' | undefined;
  /** True when the relation was created earlier in the same transaction (PostgreSQL skips some work then). */
  createdInCurrentTransaction(name: string): boolean;
  /** FOREIGN KEYs declared on `table`, each with the table it references. */
  foreignKeysFrom(table: string): ForeignKeyFacts[];
  /** FOREIGN KEYs on any table (`table` itself included) that reference `table`. */
  foreignKeysTo(table: string): ForeignKeyFacts[];
  /** The DEFAULT partition of a partitioned table, if it has one. */
  defaultPartitionOf(table: string): string | undefined;
  /** Views and materialized views that read `relation`, directly or through other views. */
  dependentViews(relation: string): string[];
  /** The relations a view or materialized view reads (as its query names them), one level deep. */
  viewSources(view: string): string[];
  /** The defining query of a view or materialized view (a SelectStmt node), when known. */
  viewQuery(view: string): Node | undefined;
  /** Every relation (tables, views, sequences, …, not indexes) in a schema. */
  relationsInSchema(schema: string): string[];
  /** Tables with a column of the user type (domain, enum, composite) `type` names (`mood`, `app.mood`), resolved through search_path. */
  tablesUsingType(type: string): string[];
  /**
   * The relations and indexes `statement` would create, as the catalog replays it on a copy of itself — with the
   * names PostgreSQL generates (t_pkey, t_id_seq, partition indexes …) and their kinds.
   */
  relationsCreatedBy(statement: Node): Array<{ name: string; kind: RelationKind; table?: string }>;
  // ---- for the ALTER TABLE facts (facts/alter-table*.ts) ----
  /** Constraints declared on `table` (CHECK, FOREIGN KEY, PRIMARY KEY, UNIQUE, EXCLUDE, NOT NULL), by name. */
  constraintsOf(table: string): ConstraintFacts[];
  /** An index's definition: what ALTER COLUMN TYPE and DROP COLUMN need to know about it. */
  indexFacts(index: string): IndexFacts | undefined;
  /** A column's type resolved like PostgreSQL resolves it (builtin, user domain…), with its collation. */
  columnType(table: string, column: string): { type: TypeFacts; collation?: string } | undefined;
  /** A TypeName (e.g. ALTER COLUMN … TYPE's) resolved through the catalog's types. */
  resolveType(type: TypeName): TypeFacts;
  /** permanent, unlogged or temporary; undefined for an unknown relation. */
  persistence(table: string): 'permanent' | 'unlogged' | 'temporary' | undefined;
  /** A partitioned table's key: the strategy and, per key part, the column (undefined for an expression). */
  partitionKeyOf(table: string): { strategy: 'range' | 'list' | 'hash'; columns: Array<string | undefined> } | undefined;
  /** The sequence a serial or identity column of `table` owns. */
  sequenceOf(table: string, column: string): string | undefined;
}

/** One table constraint, as the ALTER TABLE facts need it. */
export interface ConstraintFacts {
  name: string;
  kind: 'primary-key' | 'unique' | 'check' | 'foreign-key' | 'exclusion' | 'not-null';
  /** Key columns, FK columns, the columns a CHECK mentions. */
  columns: string[];
  /** false for NOT VALID constraints not validated yet. */
  valid: boolean;
  /** The index backing a primary key, unique or exclusion constraint (qualified). */
  index?: string;
  /** FOREIGN KEY: the referenced table (qualified) and columns. */
  references?: { table: string; columns: string[] };
  /** CHECK: the expression as parsed. */
  expression?: Node;
}

/** An index definition, as the ALTER TABLE facts need it. */
export interface IndexFacts {
  name: string;
  table: string;
  method: string;
  /** One entry per key column: the column and its explicit operator class, or an expression. */
  keys: Array<{ column?: string; opclass?: string; expression?: Node }>;
  include: string[];
  predicate?: Node;
  unique: boolean;
  primary: boolean;
  /** The constraint the index backs (primary key, unique, exclusion). */
  constraint?: string;
  /** The partitioned index this one is attached to. */
  parent?: string;
}

/**
 * A type as PostgreSQL stores it: builtins by pg_type.typname (int4, varchar, timestamptz) in pg_catalog, user
 * types with their schema, types the catalog does not know (an extension's citext) by bare name, kind 'unknown'.
 */
export interface TypeFacts {
  schema?: string;
  name: string;
  /** As written: varchar(20) → [20], numeric(10,2) → [10, 2]; empty when unconstrained. */
  typmods: ReadonlyArray<number | string>;
  arrayDimensions: number;
  kind: 'builtin' | 'enum' | 'domain' | 'composite' | 'range' | 'unknown';
  /** Domains: the base type and whether any CHECK or NOT NULL constraint is attached. */
  domain?: { base: TypeFacts; hasConstraints: boolean };
}

/** One FOREIGN KEY constraint, as the lock model needs it. */
export interface ForeignKeyFacts {
  /** The referencing table (the one the constraint is declared on). */
  table: string;
  columns: string[];
  /** The referenced table, and its columns the key points at. */
  referenced: string;
  referencedColumns: string[];
  onDelete: 'no-action' | 'restrict' | 'cascade' | 'set-null' | 'set-default';
  onUpdate: 'no-action' | 'restrict' | 'cascade' | 'set-null' | 'set-default';
  /** True when an index of the referencing table starts with the FK columns (lookups from the referenced side use it). */
  indexed: boolean;
}

/** Session settings a file sets that change what a statement does (e.g. TimeZone for timestamp → timestamptz). */
export interface SessionSettings {
  timeZone?: string;
}
