// The static schema catalog: what the migrations before a statement have created, replayed from their ASTs.
// Pure: statements in, facts out. No parsing, no I/O. See README.md beside this file for the design.
import type { Node } from '@pgsql/types';
import { applyStatement } from './apply';
import { ApplyContext } from './context';
import { hashString } from './hash';
import type {
  ApplyResult,
  Column,
  ColumnType,
  Constraint,
  DomainType,
  EnumType,
  ExtensionInfo,
  FunctionInfo,
  Index,
  Origin,
  Relation,
  RelationName,
  SchemaInfo,
  TypeInfo,
} from './model';
import { parseQualifiedName, qualifiedKey } from './names';
import { namedRelations } from './references';
import { CatalogStore, TEMP_SCHEMA } from './store';
import { isBuiltinType, typeIdentity } from './type-names';

/** A point in a catalog's history (see `Catalog.changedSince`). */
export interface CatalogMark {
  readonly writes: number;
  readonly session: readonly string[];
  readonly local: readonly string[] | undefined;
}

export class Catalog {
  private store = new CatalogStore();

  /**
   * Replays one statement. Statements that do not change the schema are ignored; a statement the catalog cannot
   * make sense of never throws (an internal failure is reported as an `internal-error` problem).
   */
  apply(stmt: Node, origin: Origin): ApplyResult {
    const ctx = new ApplyContext(this.store, origin);
    try {
      applyStatement(ctx, stmt);
    } catch (error) {
      ctx.problem(
        'internal-error',
        `the catalog could not apply statement ${origin.statement}${origin.file ? ` of ${origin.file}` : ''}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    return ctx.finish();
  }

  /** An independent copy in O(1); the first write on either side copies only the maps it changes. */
  clone(): Catalog {
    const copy = new Catalog();
    copy.store = this.store.fork();
    return copy;
  }

  /**
   * A copy for a look-ahead (apply a statement to see what it would do) that is dropped before this catalog changes
   * again: unlike `clone`, this catalog keeps owning its maps, so its next write does not copy them all.
   */
  scratchClone(): Catalog {
    const copy = new Catalog();
    copy.store = this.store.fork(true);
    return copy;
  }

  /** Ends the current transaction: SET LOCAL search_path stops applying. Call between migration files. */
  endTransaction(): void {
    this.store.localSearchPath = undefined;
  }

  /**
   * Whether the catalog changed since `mark` (from an earlier call): lets the analyzer tell in O(1) that a statement
   * left the schema as it was. Search paths are replaced, never mutated, so identity tells a change.
   */
  changedSince(mark: CatalogMark | undefined): boolean {
    return (
      mark === undefined ||
      mark.writes !== this.store.writeCount() ||
      mark.session !== this.store.sessionSearchPath ||
      mark.local !== this.store.localSearchPath
    );
  }

  mark(): CatalogMark {
    return { writes: this.store.writeCount(), session: this.store.sessionSearchPath, local: this.store.localSearchPath };
  }

  get searchPath(): readonly string[] {
    return this.store.searchPath;
  }

  // ---- relations ----

  relation(name: RelationName): Relation | undefined {
    return this.store.relation(name);
  }

  relations(): Relation[] {
    return [...this.store.relations.values()];
  }

  /**
   * The key an existing relation (or index) resolves to through search_path, or, when nothing by that name exists,
   * where CREATE would put it. Undefined only for text that is not a name.
   */
  resolveRelationKey(name: RelationName): string | undefined {
    const parts = this.store.splitName(name);
    return parts ? this.store.relationKeyFor(parts[0], parts[1]) : undefined;
  }

  /** Column by exact name (as the parser produced it: unquoted names are already lower case). */
  column(rel: RelationName, name: string): Column | undefined {
    return this.relation(rel)?.columns.find((c) => c.name === name);
  }

  constraintsOf(rel: RelationName): readonly Constraint[] {
    return this.relation(rel)?.constraints ?? [];
  }

  constraint(rel: RelationName, name: string): Constraint | undefined {
    return this.constraintsOf(rel).find((c) => c.name === name);
  }

  indexesOf(rel: RelationName): readonly Index[] {
    return this.relation(rel)?.indexes ?? [];
  }

  index(name: RelationName): Index | undefined {
    return this.store.index(name);
  }

  partitionsOf(rel: RelationName): Relation[] {
    const r = this.relation(rel);
    if (!r) return [];
    return r.children.map((k) => this.store.relations.get(k)).filter((c): c is Relation => c?.partitionOf === r.key);
  }

  /** Inheritance children (INHERITS), not partitions. */
  inheritorsOf(rel: RelationName): Relation[] {
    const r = this.relation(rel);
    if (!r) return [];
    return r.children.map((k) => this.store.relations.get(k)).filter((c): c is Relation => c !== undefined && c.partitionOf !== r.key);
  }

  /** The partitioned table a partition belongs to. */
  parentOf(rel: RelationName): Relation | undefined {
    const key = this.relation(rel)?.partitionOf;
    return key === undefined ? undefined : this.store.relations.get(key);
  }

  /** Views and materialized views whose query reads `rel`; with `transitive`, views on those views too. */
  dependentViews(rel: RelationName, options: { transitive?: boolean } = {}): Relation[] {
    const start = this.relation(rel);
    if (!start) return [];
    const out: Relation[] = [];
    const queue = [start.key];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const key = queue.shift()!;
      for (const r of this.store.relations.values()) {
        if (seen.has(r.key) || !r.dependsOn.includes(key)) continue;
        seen.add(r.key);
        out.push(r);
        if (options.transitive) queue.push(r.key);
      }
    }
    return out;
  }

  /** Foreign keys on any table (including `rel` itself) that reference `rel`. */
  referencingForeignKeys(rel: RelationName): { table: Relation; constraint: Constraint }[] {
    const target = this.relation(rel);
    if (!target) return [];
    const out: { table: Relation; constraint: Constraint }[] = [];
    for (const r of this.store.relations.values()) {
      for (const c of r.constraints) if (c.references?.table === target.key) out.push({ table: r, constraint: c });
    }
    return out;
  }

  /** Sequences owned by a column of `rel` (serial and identity columns, OWNED BY). */
  ownedSequences(rel: RelationName): Relation[] {
    const target = this.relation(rel);
    if (!target) return [];
    return [...this.store.relations.values()].filter((r) => r.sequence?.ownedBy?.table === target.key);
  }

  /** The statement that created a relation or index; undefined for objects the replay never saw created. */
  createdBy(name: RelationName): Origin | undefined {
    return this.relation(name)?.createdBy ?? this.index(name)?.createdBy;
  }

  // ---- types, functions, schemas ----

  /** A user-defined type (enum, domain, composite, range) by name (`mood`, `public.mood`) or by column type. */
  type(name: string | ColumnType): TypeInfo | undefined {
    if (typeof name !== 'string') {
      if (name.schema === undefined || name.schema === 'pg_catalog') return undefined;
      return this.store.types.get(qualifiedKey(name.schema, name.name));
    }
    const parts = parseQualifiedName(name);
    if (!parts || parts.length === 0 || parts.length > 2) return undefined;
    const schema = parts.length === 2 ? parts[0] : undefined;
    if (schema === 'pg_catalog' || (schema === undefined && isBuiltinType(parts[parts.length - 1]!))) return undefined;
    const key = this.store.findTypeKey(schema, parts[parts.length - 1]!);
    return key === undefined ? undefined : this.store.types.get(key);
  }

  domain(name: string | ColumnType): DomainType | undefined {
    const t = this.type(name);
    return t?.kind === 'domain' ? t : undefined;
  }

  enum(name: string | ColumnType): EnumType | undefined {
    const t = this.type(name);
    return t?.kind === 'enum' ? t : undefined;
  }

  types(): TypeInfo[] {
    return [...this.store.types.values()];
  }

  /** All overloads of a user function or procedure (`touch`, `app.touch`), resolved through search_path. */
  functions(name: string): readonly FunctionInfo[] {
    const parts = parseQualifiedName(name);
    if (!parts || parts.length === 0 || parts.length > 2) return [];
    const key = this.store.findFunctionKey(parts.length === 2 ? parts[0] : undefined, parts[parts.length - 1]!);
    return key === undefined ? [] : (this.store.functions.get(key) ?? []);
  }

  /**
   * One function: the overload whose identity argument types match `argTypes` (ColumnTypes, or internal type
   * names such as 'int4', 'text', 'public.mood'), or, without `argTypes`, the only overload.
   */
  function(name: string, argTypes?: readonly (string | ColumnType)[]): FunctionInfo | undefined {
    const overloads = this.functions(name);
    if (argTypes === undefined) return overloads.length === 1 ? overloads[0] : undefined;
    const wanted = argTypes.map((t) => (typeof t === 'string' ? typeTextIdentity(t) : typeIdentity(t)));
    return overloads.find(
      (f) => f.argTypes.length === wanted.length && f.argTypes.every((t, i) => typeIdentity(t) === wanted[i]),
    );
  }

  schema(name: string): SchemaInfo | undefined {
    return this.store.schemas.get(name);
  }

  extension(name: string): ExtensionInfo | undefined {
    return this.store.extensions.get(name);
  }

  // ---- incremental analysis ----

  /**
   * Every relation `stmt` names, schema-qualified, resolved like PostgreSQL resolves them: an unqualified name
   * is the first existing relation along search_path, else where CREATE would put it. Indexes bring their table.
   */
  referencedRelations(stmt: Node): string[] {
    const out = new Set<string>();
    for (const n of namedRelations(stmt)) {
      if (n.indexOn) {
        const table = this.store.relationKeyFor(n.indexOn.schema ?? (n.indexOn.temporary ? TEMP_SCHEMA : undefined), n.indexOn.name);
        const schema = this.store.relations.get(table)?.schema ?? parseQualifiedName(table)?.[0] ?? this.store.creationSchema();
        out.add(table);
        out.add(qualifiedKey(schema, n.name));
        continue;
      }
      const key = this.store.relationKeyFor(n.schema ?? (n.temporary ? TEMP_SCHEMA : undefined), n.name);
      out.add(key);
      const owner = this.store.indexOwner.get(key);
      if (owner !== undefined) out.add(owner);
    }
    return [...out];
  }

  /**
   * A short stable string that changes iff the catalog's facts about the named objects change: it combines, for
   * each name, the key it resolves to and the revision chain of that object (the hashes of the statements that
   * changed it), plus the revisions of the user types its columns use. Names may be relations, indexes, types or
   * functions; order and duplicates do not matter.
   */
  digestOf(names: readonly string[]): string {
    // Different spellings of one object (`users`, `public.users`) resolve to the same part.
    const parts = [...new Set(names.map((name) => this.digestPart(name)))].sort();
    return hashString(parts.join('\n'));
  }

  private digestPart(name: string): string {
    const s = this.store;
    const split = s.splitName(name);
    if (!split) return `${name}=?`;
    const [schema, bare] = split;
    const relKey = s.findRelationKey(schema, bare);
    if (relKey !== undefined) {
      const rel = s.relations.get(relKey)!;
      const typeRevisions = new Set<string>();
      for (const c of rel.columns) {
        if (c.type.schema !== undefined && c.type.schema !== 'pg_catalog') {
          const tk = qualifiedKey(c.type.schema, c.type.name);
          typeRevisions.add(`${tk}@${s.revision(`t:${tk}`)}`);
        }
      }
      return `r:${relKey}@${s.revision(`r:${relKey}`)}${typeRevisions.size ? `+${[...typeRevisions].sort().join('+')}` : ''}`;
    }
    const indexKey = s.findIndexKey(schema, bare);
    if (indexKey !== undefined) {
      const owner = s.indexOwner.get(indexKey)!;
      return `i:${indexKey}:${owner}@${s.revision(`r:${owner}`)}`;
    }
    const typeKey = s.findTypeKey(schema, bare);
    if (typeKey !== undefined) return `t:${typeKey}@${s.revision(`t:${typeKey}`)}`;
    const fnKey = s.findFunctionKey(schema, bare);
    if (fnKey !== undefined) return `f:${fnKey}@${s.revision(`f:${fnKey}`)}`;
    return `${qualifiedKey(schema ?? s.creationSchema(), bare)}=absent`;
  }
}

/** 'int4' → pg_catalog.int4, 'public.mood' → public.mood, 'int4[]' keeps its brackets. */
function typeTextIdentity(text: string): string {
  const dims = (text.match(/\[\]/g) ?? []).length;
  const bare = text.replace(/\[\]/g, '').trim();
  const parts = parseQualifiedName(bare) ?? [bare];
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : isBuiltinType(name) ? 'pg_catalog' : undefined;
  return typeIdentity({ ...(schema !== undefined ? { schema } : {}), name, typmods: [], arrayDimensions: dims });
}
