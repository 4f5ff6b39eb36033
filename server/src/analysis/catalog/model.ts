// Plain, immutable records describing the schema objects that migrations create. The catalog never mutates a
// record once stored: a change replaces it, so clones can share every record they have not touched.
import type { Node, RangeVar } from '@pgsql/types';
import type { IndexList } from './index-list';

/** Where a catalog fact came from: the statement (0-based index in its file) and a hash identifying it. */
export interface Origin {
  readonly file?: string;
  readonly statement: number;
  /**
   * Goes into the revisions of the objects the statement changes. The open document's statements give a hash of
   * their parse tree without locations (StatementView.contentHash: whitespace and comment edits keep revisions);
   * earlier migrations a hash of their text. Read only when the statement changes something.
   */
  readonly textHash: string;
}

/** A relation named by text (`users`, `public.users`, `"Users"`) or by the parser's RangeVar. */
export type RelationName = string | RangeVar;

/** Mirrors pg_class.relkind for the kinds migrations create. */
export type RelationKind =
  | 'table'
  | 'partitioned-table'
  | 'view'
  | 'materialized-view'
  | 'foreign-table'
  | 'sequence';

export type Persistence = 'permanent' | 'unlogged' | 'temporary';

/**
 * A column's type, normalised the way PostgreSQL stores it: `integer` → `pg_catalog.int4`,
 * `character varying(20)` → `pg_catalog.varchar` with typmods [20]. `schema` is undefined when the type could not
 * be resolved (an extension type such as citext, or a view column whose type is not known statically).
 */
export interface ColumnType {
  readonly schema?: string;
  readonly name: string;
  /** Type modifiers as written: varchar(20) → [20], numeric(10,2) → [10, 2]. */
  readonly typmods: readonly (number | string)[];
  /** 0 for a scalar, 1 for `int[]`, 2 for `int[][]`. */
  readonly arrayDimensions: number;
}

export type IdentityKind = 'always' | 'by-default';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly notNull: boolean;
  /** The DEFAULT expression as parsed (serial columns get a synthesised `nextval('…'::regclass)`). */
  readonly default?: Node;
  readonly identity?: IdentityKind;
  readonly generated?: { readonly expression: Node; readonly stored: boolean };
  readonly collation?: string;
  /** Declared as serial/bigserial/smallserial: the column owns a sequence. */
  readonly serial?: boolean;
  /** Inherited from a parent (partition or INHERITS) rather than declared locally. */
  readonly inherited: boolean;
  readonly createdBy?: Origin;
}

export type ConstraintKind = 'primary-key' | 'unique' | 'check' | 'foreign-key' | 'exclusion' | 'not-null';

/** `a` no action, `r` restrict, `c` cascade, `n` set null, `d` set default (pg_constraint.confdeltype letters). */
export type ForeignKeyAction = 'no-action' | 'restrict' | 'cascade' | 'set-null' | 'set-default';

export interface ForeignKeyReference {
  /** Schema-qualified key of the referenced table. */
  readonly table: string;
  /** Referenced columns; resolved to the referenced primary key when the statement omitted them. */
  readonly columns: readonly string[];
  readonly onDelete: ForeignKeyAction;
  readonly onUpdate: ForeignKeyAction;
  readonly match: 'simple' | 'full' | 'partial';
}

export interface Constraint {
  readonly name: string;
  readonly kind: ConstraintKind;
  /** Constrained columns: key columns, FK columns, exclusion columns, or the columns a CHECK mentions. */
  readonly columns: readonly string[];
  /** false for NOT VALID constraints that were not validated yet. */
  readonly valid: boolean;
  readonly enforced: boolean;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  readonly noInherit: boolean;
  /** Cloned from a parent table (partition or inheritance child). */
  readonly inherited: boolean;
  /** CHECK expression, or exclusion WHERE clause. */
  readonly expression?: Node;
  /** Schema-qualified key of the index backing a primary key, unique or exclusion constraint. */
  readonly index?: string;
  readonly references?: ForeignKeyReference;
  readonly nullsNotDistinct?: boolean;
  readonly createdBy?: Origin;
}

export interface IndexColumn {
  /** Column name for a plain column; undefined for an expression. */
  readonly column?: string;
  readonly expression?: Node;
  readonly descending: boolean;
  readonly opclass?: string;
}

export interface Index {
  readonly schema: string;
  readonly name: string;
  /** Schema-qualified key of the index. */
  readonly key: string;
  /** Schema-qualified key of the indexed relation. */
  readonly table: string;
  readonly method: string;
  readonly unique: boolean;
  readonly primary: boolean;
  readonly nullsNotDistinct: boolean;
  readonly columns: readonly IndexColumn[];
  readonly include: readonly string[];
  readonly predicate?: Node;
  /**
   * false for an index that cannot be used yet: `CREATE INDEX … ON ONLY partitioned_table` stays invalid until an
   * index of every partition is attached (ALTER INDEX … ATTACH PARTITION).
   */
  readonly valid: boolean;
  readonly concurrently: boolean;
  /** Name of the constraint this index backs (primary key, unique, exclusion). */
  readonly constraint?: string;
  /** Key of the partitioned index this one is attached to. */
  readonly parent?: string;
  readonly createdBy?: Origin;
}

export type PartitionStrategyName = 'range' | 'list' | 'hash';

export interface PartitionKeyPart {
  readonly column?: string;
  readonly expression?: Node;
}

export interface SequenceInfo {
  readonly dataType: ColumnType;
  readonly ownedBy?: { readonly table: string; readonly column: string };
  /** Created implicitly for an identity column. */
  readonly identity: boolean;
}

export type ReplicaIdentity = 'default' | 'full' | 'nothing' | { readonly index: string };

export interface Relation {
  readonly kind: RelationKind;
  readonly schema: string;
  readonly name: string;
  /** Schema-qualified key, identifiers quoted only when needed (`public.users`, `app."Users"`). */
  readonly key: string;
  readonly persistence: Persistence;
  readonly columns: readonly Column[];
  readonly constraints: readonly Constraint[];
  /** In creation order; a persistent list, so adding an index does not copy the others. */
  readonly indexes: IndexList;
  /** Present on partitioned tables. */
  readonly partitionKey?: { readonly strategy: PartitionStrategyName; readonly parts: readonly PartitionKeyPart[] };
  /** Key of the partitioned table this relation is a partition of. */
  readonly partitionOf?: string;
  /** The FOR VALUES clause (PartitionBoundSpec node) of a partition. */
  readonly partitionBound?: Node;
  /** Keys of INHERITS parents (not the partition parent). */
  readonly inherits: readonly string[];
  /** Keys of partitions and inheritance children, in creation order. */
  readonly children: readonly string[];
  /** Views and materialized views: the relations named in the query. */
  readonly dependsOn: readonly string[];
  readonly query?: Node;
  readonly sequence?: SequenceInfo;
  readonly replicaIdentity: ReplicaIdentity;
  readonly rowSecurity: boolean;
  /**
   * true when the relation was never created by a replayed statement: it was first seen as the target of ALTER /
   * CREATE INDEX, so it exists in the real database but its column list is incomplete here.
   */
  readonly partial: boolean;
  readonly createdBy?: Origin;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly schema: string;
  readonly name: string;
  readonly key: string;
  readonly values: readonly string[];
  readonly createdBy?: Origin;
}

export interface DomainConstraint {
  readonly name: string;
  readonly kind: 'check' | 'not-null';
  readonly expression?: Node;
  readonly valid: boolean;
  readonly createdBy?: Origin;
}

export interface DomainType {
  readonly kind: 'domain';
  readonly schema: string;
  readonly name: string;
  readonly key: string;
  readonly baseType: ColumnType;
  readonly notNull: boolean;
  readonly default?: Node;
  readonly constraints: readonly DomainConstraint[];
  readonly createdBy?: Origin;
}

export interface CompositeType {
  readonly kind: 'composite';
  readonly schema: string;
  readonly name: string;
  readonly key: string;
  readonly attributes: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly createdBy?: Origin;
}

export interface RangeType {
  readonly kind: 'range';
  readonly schema: string;
  readonly name: string;
  readonly key: string;
  readonly subtype?: ColumnType;
  readonly createdBy?: Origin;
}

export type TypeInfo = EnumType | DomainType | CompositeType | RangeType;

export type Volatility = 'immutable' | 'stable' | 'volatile';

export type ParameterMode = 'in' | 'out' | 'inout' | 'variadic' | 'table';

export interface FunctionParameterInfo {
  readonly name?: string;
  readonly mode: ParameterMode;
  readonly type: ColumnType;
  readonly hasDefault: boolean;
}

export interface FunctionInfo {
  readonly kind: 'function' | 'procedure';
  readonly schema: string;
  readonly name: string;
  /** `schema.name(argtype,…)` over the identity arguments, e.g. `public.touch(int4,text)`. */
  readonly signature: string;
  /** Identity argument types (IN, INOUT, VARIADIC), the ones that tell overloads apart. */
  readonly argTypes: readonly ColumnType[];
  readonly parameters: readonly FunctionParameterInfo[];
  readonly returnType?: ColumnType;
  readonly returnsSet: boolean;
  readonly volatility: Volatility;
  readonly language: string;
  readonly strict: boolean;
  readonly securityDefiner: boolean;
  readonly leakproof: boolean;
  readonly parallel: 'safe' | 'restricted' | 'unsafe';
  readonly createdBy?: Origin;
}

export interface SchemaInfo {
  readonly name: string;
  readonly createdBy?: Origin;
}

export interface ExtensionInfo {
  readonly name: string;
  readonly schema?: string;
  readonly createdBy?: Origin;
}

export type CatalogProblemCode =
  | 'unknown-relation'
  | 'unknown-column'
  | 'unknown-constraint'
  | 'unknown-index'
  | 'unknown-type'
  | 'unknown-function'
  | 'duplicate-object'
  | 'dependent-objects'
  | 'internal-error';

/** Something the replay noticed: the statement would fail on a database matching this catalog, or we lack facts. */
export interface CatalogProblem {
  readonly code: CatalogProblemCode;
  readonly message: string;
  /** The object the problem is about, schema-qualified when it is a relation. */
  readonly object?: string;
}

export interface ApplyResult {
  /** Keys of the objects the statement created, changed or dropped (relations, indexes, types, functions). */
  readonly touched: readonly string[];
  readonly problems: readonly CatalogProblem[];
}
