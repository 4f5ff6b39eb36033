// The catalog's state: copy-on-write maps of immutable records, the session's search_path, and the revision of
// every object (a hash chain over the statements that changed it, which is what digests are built from).
import type { RangeVar } from '@pgsql/types';
import { CowMap } from './cow-map';
import type {
  ExtensionInfo,
  FunctionInfo,
  Index,
  Relation,
  RelationName,
  SchemaInfo,
  TypeInfo,
} from './model';
import { parseQualifiedName, qualifiedKey } from './names';

export const DEFAULT_SEARCH_PATH: readonly string[] = ['public'];

/** Schema PostgreSQL uses for temporary tables; searched before search_path for relations. */
export const TEMP_SCHEMA = 'pg_temp';

export class CatalogStore {
  constructor(
    readonly relations = new CowMap<string, Relation>(),
    /**
     * index key → the index, as held in its table's record (`Index.table` names the table). Indexes share pg_class's
     * namespace with relations. Kept by setRelation/deleteRelation, so an index is found by key in O(1) however many
     * indexes its table has.
     */
    readonly indexes = new CowMap<string, Index>(),
    readonly types = new CowMap<string, TypeInfo>(),
    /** `schema.name` key → overloads. */
    readonly functions = new CowMap<string, readonly FunctionInfo[]>(),
    readonly schemas = new CowMap<string, SchemaInfo>(),
    readonly extensions = new CowMap<string, ExtensionInfo>(),
    /** `r:<relation key>`, `t:<type key>`, `f:<function key>` → revision hash. */
    readonly revisions = new CowMap<string, string>(),
    public sessionSearchPath: readonly string[] = DEFAULT_SEARCH_PATH,
    /** SET LOCAL search_path, valid until the transaction ends. */
    public localSearchPath: readonly string[] | undefined = undefined,
    /** `schema NUL constraint name` → how many relations use it, so name generation need not scan the schema. */
    private readonly constraintNames = new CowMap<string, number>(),
  ) {}

  /**
   * Grows with every write to the store's maps: equal before and after a statement (with the same search paths)
   * means the statement left the catalog as it was.
   */
  writeCount(): number {
    return (
      this.relations.writes +
      this.indexes.writes +
      this.types.writes +
      this.functions.writes +
      this.schemas.writes +
      this.extensions.writes +
      this.revisions.writes +
      this.constraintNames.writes
    );
  }

  /** Stores a relation record; every relation write goes through here to keep the index and constraint-name maps. */
  setRelation(rel: Relation): void {
    const old = this.relations.get(rel.key);
    this.relations.set(rel.key, rel);
    this.syncIndexes(old, rel);
    // Records are immutable: an unchanged constraints array means unchanged names (and no index copy on a fork).
    if (old && old.constraints === rel.constraints && old.schema === rel.schema) return;
    if (old) this.countConstraintNames(old, -1);
    this.countConstraintNames(rel, 1);
  }

  deleteRelation(key: string): void {
    const old = this.relations.get(key);
    if (!old) return;
    this.countConstraintNames(old, -1);
    this.relations.delete(key);
    this.syncIndexes(old, undefined);
  }

  /** The key of the table an index belongs to. */
  indexTable(indexKey: string): string | undefined {
    return this.indexes.get(indexKey)?.table;
  }

  /**
   * Brings the index map in line with a relation record that replaced `old` (or removed it). The common change,
   * one index appended (CREATE INDEX), costs O(1); any other change of the list costs its length.
   */
  private syncIndexes(old: Relation | undefined, rel: Relation | undefined): void {
    const before = old?.indexes;
    const after = rel?.indexes;
    if (before === after) return;
    if (before && after && after.appendedTo === before.id) {
      const added = after.get(after.length - 1)!;
      this.indexes.set(added.key, added);
      return;
    }
    const kept = new Set<string>();
    for (const index of after ?? []) {
      kept.add(index.key);
      if (this.indexes.get(index.key) !== index) this.indexes.set(index.key, index);
    }
    // Only entries that are still this record's: a key may already belong to another table's record (a relation
    // moved to a new key is stored before its old record is deleted, or after).
    for (const index of before ?? []) {
      if (!kept.has(index.key) && this.indexes.get(index.key) === index) this.indexes.delete(index.key);
    }
  }

  private countConstraintNames(rel: Relation, delta: number): void {
    for (const c of rel.constraints) {
      const k = `${rel.schema}\u0000${c.name}`;
      const n = (this.constraintNames.get(k) ?? 0) + delta;
      if (n > 0) this.constraintNames.set(k, n);
      else this.constraintNames.delete(k);
    }
  }

  /**
   * Name-probe hints: `schema NUL name1 NUL name2 NUL label` → a pass of chooseObjectName below which every
   * candidate was taken when it was recorded. Names only become free again when a key leaves pg_class's maps or
   * the constraint-name index, so the hints are dropped whenever those maps lose a key. Copy-on-write like the
   * maps: there is one hint per table that got a generated name, and the lock model's look-ahead forks the store
   * for every statement (a plain copy made 20,000 CREATE INDEX on 20,000 tables quadratic).
   */
  private nameHints = new CowMap<string, number>();
  private hintsAtDeletes = 0;

  private nameDeletes(): number {
    return this.relations.deletes + this.indexes.deletes + this.types.deletes + this.constraintNames.deletes;
  }

  /** The `hint` argument of chooseObjectName for a name generated in `schema`. */
  nameProbeHint(schema: string, name1: string, name2: string | undefined, label: string): { start: number; found(pass: number): void } {
    const deletes = this.nameDeletes();
    if (deletes !== this.hintsAtDeletes) {
      this.nameHints = new CowMap();
      this.hintsAtDeletes = deletes;
    }
    const key = `${schema}\u0000${name1}\u0000${name2 ?? ''}\u0000${label}`;
    return { start: this.nameHints.get(key) ?? 0, found: (pass) => this.nameHints.set(key, pass) };
  }

  /** See CowMap.fork for `scratch`. */
  fork(scratch = false): CatalogStore {
    const copy = this.forkMaps(scratch);
    // The fork starts with the same names taken, so the hints hold for it; its maps count deletes from zero.
    if (this.nameDeletes() === this.hintsAtDeletes) copy.nameHints = this.nameHints.fork(scratch);
    return copy;
  }

  private forkMaps(scratch: boolean): CatalogStore {
    return new CatalogStore(
      this.relations.fork(scratch),
      this.indexes.fork(scratch),
      this.types.fork(scratch),
      this.functions.fork(scratch),
      this.schemas.fork(scratch),
      this.extensions.fork(scratch),
      this.revisions.fork(scratch),
      this.sessionSearchPath,
      this.localSearchPath,
      this.constraintNames.fork(scratch),
    );
  }

  get searchPath(): readonly string[] {
    return this.localSearchPath ?? this.sessionSearchPath;
  }

  /** Schemas searched for an unqualified name; `$user` is skipped because the role is not known statically. */
  searchSchemas(): string[] {
    return this.searchPath.filter((s) => s !== '$user' && s !== TEMP_SCHEMA);
  }

  /** TEMP_SCHEMA then searchSchemas(): where relation names are looked up; shared per search_path array. */
  private relationSchemas(): readonly string[] {
    const path = this.searchPath;
    let schemas = relationSchemasByPath.get(path);
    if (!schemas) relationSchemasByPath.set(path, (schemas = [TEMP_SCHEMA, ...this.searchSchemas()]));
    return schemas;
  }

  /**
   * Where CREATE puts an unqualified object: the first schema of search_path (PostgreSQL takes the first one that
   * exists; schemas created outside the migrations are invisible here, so any named schema counts).
   */
  creationSchema(): string {
    return this.searchSchemas().find((s) => s !== 'pg_catalog') ?? 'public';
  }

  // ---- relation-class names (tables, views, sequences, indexes share one namespace per schema) ----

  /** Key of an existing relation (not index) named by schema/name, following search_path when unqualified. */
  findRelationKey(schema: string | undefined, name: string): string | undefined {
    if (schema !== undefined) {
      const key = qualifiedKey(schema, name);
      return this.relations.has(key) ? key : undefined;
    }
    for (const s of this.relationSchemas()) {
      const key = qualifiedKey(s, name);
      if (this.relations.has(key)) return key;
    }
    return undefined;
  }

  findIndexKey(schema: string | undefined, name: string): string | undefined {
    if (schema !== undefined) {
      const key = qualifiedKey(schema, name);
      return this.indexes.has(key) ? key : undefined;
    }
    for (const s of this.relationSchemas()) {
      const key = qualifiedKey(s, name);
      if (this.indexes.has(key)) return key;
    }
    return undefined;
  }

  /** The key a name resolves to: the existing relation or index, else where CREATE would put it. */
  relationKeyFor(schema: string | undefined, name: string): string {
    return (
      this.findRelationKey(schema, name) ??
      this.findIndexKey(schema, name) ??
      qualifiedKey(schema ?? this.creationSchema(), name)
    );
  }

  /** Is `name` taken in pg_class of `schema` (relations and indexes)? */
  classNameTaken(schema: string, name: string): boolean {
    const key = qualifiedKey(schema, name);
    return this.relations.has(key) || this.indexes.has(key) || this.types.has(key);
  }

  /** Is a constraint name in use in a schema? PostgreSQL picks generated constraint names unique per schema. */
  constraintNameTaken(schema: string, name: string): boolean {
    if ((this.constraintNames.get(`${schema}\u0000${name}`) ?? 0) > 0) return true;
    for (const t of this.types.values()) {
      if (t.schema === schema && t.kind === 'domain' && t.constraints.some((c) => c.name === name)) return true;
    }
    return false;
  }

  splitName(name: RelationName): [string | undefined, string] | undefined {
    if (typeof name !== 'string') return [(name as RangeVar).schemaname || undefined, (name as RangeVar).relname ?? ''];
    const parts = parsedName(name);
    if (!parts || parts.length === 0 || parts.length > 3) return undefined;
    // database.schema.name: the database part is ignored, as PostgreSQL does for the current database.
    return parts.length === 1 ? [undefined, parts[0]!] : [parts[parts.length - 2], parts[parts.length - 1]!];
  }

  relation(name: RelationName): Relation | undefined {
    const parts = this.splitName(name);
    if (!parts) return undefined;
    const key = this.findRelationKey(parts[0], parts[1]);
    return key === undefined ? undefined : this.relations.get(key);
  }

  index(name: RelationName): Index | undefined {
    const parts = this.splitName(name);
    if (!parts) return undefined;
    const key = this.findIndexKey(parts[0], parts[1]);
    return key === undefined ? undefined : this.indexes.get(key);
  }

  // ---- types and functions ----

  findTypeKey(schema: string | undefined, name: string): string | undefined {
    if (schema !== undefined) {
      const key = qualifiedKey(schema, name);
      return this.types.has(key) ? key : undefined;
    }
    for (const s of this.searchSchemas()) {
      const key = qualifiedKey(s, name);
      if (this.types.has(key)) return key;
    }
    return undefined;
  }

  /** Schema of a user type named schema/name, for type-name resolution. */
  resolveTypeSchema = (schema: string | undefined, name: string): string | undefined => {
    const key = this.findTypeKey(schema, name);
    return key === undefined ? undefined : this.types.get(key)!.schema;
  };

  findFunctionKey(schema: string | undefined, name: string): string | undefined {
    if (schema !== undefined) {
      const key = qualifiedKey(schema, name);
      return this.functions.has(key) ? key : undefined;
    }
    for (const s of this.searchSchemas()) {
      const key = qualifiedKey(s, name);
      if (this.functions.has(key)) return key;
    }
    return undefined;
  }

  revision(revisionKey: string): string {
    return this.revisions.get(revisionKey) ?? '';
  }
}

/**
 * parseQualifiedName of names the catalog is asked about (the lock model asks by key string, many times per
 * statement); bounded like qualifiedKey's cache. The arrays are shared: callers only read them.
 */
/** search_path arrays are replaced, never changed, so they can key what is derived from them. */
const relationSchemasByPath = new WeakMap<readonly string[], readonly string[]>();

const parsedNames = new Map<string, readonly string[] | undefined>();

function parsedName(name: string): readonly string[] | undefined {
  if (parsedNames.has(name)) return parsedNames.get(name);
  if (parsedNames.size >= 50_000) parsedNames.clear();
  const parts = parseQualifiedName(name);
  parsedNames.set(name, parts);
  return parts;
}
