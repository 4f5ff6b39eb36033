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
  /** Sequences owned by the table's columns (serial, identity). */
  sequencesOf(table: string): string[];
  column(table: string, column: string): ColumnFacts | undefined;
  /** True when a validated CHECK constraint proves `column IS NOT NULL` (lets SET NOT NULL skip its scan, PG ≥ 12). */
  hasValidatedNotNullCheck(table: string, column: string): boolean;
  /** Volatility of a user-defined function, when the schema defines it. */
  functionVolatility(name: string): 'immutable' | 'stable' | 'volatile' | undefined;
  /** True when the relation was created earlier in the same transaction (PostgreSQL skips some work then). */
  createdInCurrentTransaction(name: string): boolean;
}

/** Session settings a file sets that change what a statement does (e.g. TimeZone for timestamp → timestamptz). */
export interface SessionSettings {
  timeZone?: string;
}
