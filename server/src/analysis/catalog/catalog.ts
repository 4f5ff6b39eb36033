// The static schema catalog: what the migrations before a statement have created, replayed from their ASTs.
// Pure: statements in, facts out. No parsing, no I/O. See README.md beside this file for the design.
import type { Node } from '@pgsql/types';
import { applyStatement, canApply } from './apply';
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
import { namedRelations, type NamedRelation } from './references';
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
   * digestPart's answers, each with what it was read from, so it is reused while that is unchanged: the analyzer asks
   * for the same names several times per statement and at every statement of a walk, and most schema changes
   * (an ALTER TABLE, a CREATE INDEX) leave most names' parts as they were.
   */
  private parts = new Map<string, DigestPart>();
  private partsMark: CatalogMark | undefined;
  /** Grows when the keys of the name-resolving maps or the search paths change (`sameKeys`). */
  private keysEpoch = 0;
  private keySignature: readonly unknown[] = [];

  /**
   * Replays one statement. Statements that do not change the schema are ignored; a statement the catalog cannot
   * make sense of never throws (an internal failure is reported as an `internal-error` problem).
   */
  apply(stmt: Node, origin: Origin): ApplyResult {
    if (!canApply(stmt)) return NOTHING_APPLIED;
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
    return this.relation(rel)?.indexes.toArray() ?? [];
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
    let named = namedByStatement.get(stmt);
    if (!named) namedByStatement.set(stmt, (named = namedRelations(stmt)));
    const out = new Set<string>();
    for (const n of named) {
      if (n.indexOn) {
        const table = this.store.relationKeyFor(n.indexOn.schema ?? (n.indexOn.temporary ? TEMP_SCHEMA : undefined), n.indexOn.name);
        const schema = this.store.relations.get(table)?.schema ?? parseQualifiedName(table)?.[0] ?? this.store.creationSchema();
        out.add(table);
        out.add(qualifiedKey(schema, n.name));
        continue;
      }
      const key = this.store.relationKeyFor(n.schema ?? (n.temporary ? TEMP_SCHEMA : undefined), n.name);
      out.add(key);
      const owner = this.store.indexTable(key);
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
    if (this.partsMark === undefined || this.changedSince(this.partsMark)) {
      this.partsMark = this.mark();
      if (!this.sameKeys()) this.keysEpoch++;
    }
    // Asked several times per statement of every walk: one name (the common case) needs no set, sort or join.
    if (names.length === 1) return hashString(this.memoizedPart(names[0]!));
    // Different spellings of one object (`users`, `public.users`) resolve to the same part.
    const parts = [...new Set(names.map((name) => this.memoizedPart(name)))].sort();
    return hashString(parts.join('\n'));
  }

  private memoizedPart(name: string): string {
    const memo = this.parts.get(name);
    if (memo !== undefined && this.partHolds(memo)) return memo.text;
    const part = this.digestPart(name);
    this.parts.set(name, part);
    return part.text;
  }

  /**
   * Whether a part still reads the same: with the same keys and search paths a name resolves to the same object,
   * whose part changes only with its record (relations, indexes: compared by identity, records are immutable)
   * and the revision it shows.
   */
  private partHolds(part: DigestPart): boolean {
    const s = this.store;
    // The epoch first: a SET search_path writes to no map.
    if (part.keysEpoch !== this.keysEpoch) return false;
    const writes = s.writeCount();
    if (part.writes === writes) return true;
    if (part.kind === 'other') return false;
    if (part.kind === 'r' && s.relations.get(part.key) !== part.record) return false;
    if (part.kind === 'i' && s.indexes.get(part.key) !== part.record) return false;
    if (part.revisionKey !== undefined && s.revisions.get(part.revisionKey) !== part.revision) return false;
    part.writes = writes;
    return true;
  }

  /**
   * Whether the same keys exist as when last asked (and the search paths are the same): keys only enter a map by
   * growing it and only leave it by a delete, so equal sizes and delete counts mean the same keys.
   */
  private sameKeys(): boolean {
    const s = this.store;
    const now = [
      s.sessionSearchPath,
      s.localSearchPath,
      s.relations.size,
      s.relations.deletes,
      s.indexes.size,
      s.indexes.deletes,
      s.types.size,
      s.types.deletes,
      s.functions.size,
      s.functions.deletes,
    ];
    const same = now.length === this.keySignature.length && now.every((v, k) => v === this.keySignature[k]);
    this.keySignature = now;
    return same;
  }

  private digestPart(name: string): DigestPart {
    const s = this.store;
    // One literal shape for every part (an object spread here cost more than the look-ups).
    const make = (text: string, kind: DigestPart['kind'], key: string, record: unknown, revisionKey?: string, revision?: string): DigestPart => ({
      text,
      kind,
      key,
      record,
      revisionKey,
      revision,
      keysEpoch: this.keysEpoch,
      writes: s.writeCount(),
    });
    const split = s.splitName(name);
    if (!split) return make(`${name}=?`, 'absent', '', undefined);
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
      const revisionKey = `r:${relKey}`;
      const revision = s.revisions.get(revisionKey);
      const text = `r:${relKey}@${revision ?? ''}${typeRevisions.size ? `+${[...typeRevisions].sort().join('+')}` : ''}`;
      // A part that shows user types' revisions too is not checked piecewise: recomputed after any change.
      return make(text, typeRevisions.size ? 'other' : 'r', relKey, rel, revisionKey, revision);
    }
    const indexKey = s.findIndexKey(schema, bare);
    if (indexKey !== undefined) {
      const index = s.indexes.get(indexKey)!;
      const revisionKey = `r:${index.table}`;
      const revision = s.revisions.get(revisionKey);
      return make(`i:${indexKey}:${index.table}@${revision ?? ''}`, 'i', indexKey, index, revisionKey, revision);
    }
    const typeKey = s.findTypeKey(schema, bare);
    if (typeKey !== undefined) {
      const revisionKey = `t:${typeKey}`;
      const revision = s.revisions.get(revisionKey);
      return make(`t:${typeKey}@${revision ?? ''}`, 'named', typeKey, undefined, revisionKey, revision);
    }
    const fnKey = s.findFunctionKey(schema, bare);
    if (fnKey !== undefined) {
      const revisionKey = `f:${fnKey}`;
      const revision = s.revisions.get(revisionKey);
      return make(`f:${fnKey}@${revision ?? ''}`, 'named', fnKey, undefined, revisionKey, revision);
    }
    const text = `${qualifiedKey(schema ?? s.creationSchema(), bare)}=absent`;
    return make(text, 'absent', '', undefined);
  }
}

/**
 * One name's digest part and what it was read from (see Catalog#partHolds): `kind` 'r' / 'i' — a relation or index
 * record (`record`, by identity) and a revision; 'named' — a type or function, its revision alone; 'absent' —
 * nothing by that name, which only the keys decide; 'other' — reused only while nothing at all was written.
 */
interface DigestPart {
  readonly text: string;
  readonly kind: 'r' | 'i' | 'named' | 'absent' | 'other';
  readonly key: string;
  readonly record: unknown;
  readonly revisionKey: string | undefined;
  readonly revision: string | undefined;
  readonly keysEpoch: number;
  /** The store's write count when the part was last known to hold. */
  writes: number;
}

/** What applying a statement the catalog does not model changes: nothing. */
const NOTHING_APPLIED: ApplyResult = Object.freeze({ touched: Object.freeze([]), problems: Object.freeze([]) });

/** namedRelations depends on the statement alone: worked out once per parse tree (trees are cached by text). */
const namedByStatement = new WeakMap<Node, NamedRelation[]>();

/** 'int4' → pg_catalog.int4, 'public.mood' → public.mood, 'int4[]' keeps its brackets. */
function typeTextIdentity(text: string): string {
  const dims = (text.match(/\[\]/g) ?? []).length;
  const bare = text.replace(/\[\]/g, '').trim();
  const parts = parseQualifiedName(bare) ?? [bare];
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : isBuiltinType(name) ? 'pg_catalog' : undefined;
  return typeIdentity({ ...(schema !== undefined ? { schema } : {}), name, typmods: [], arrayDimensions: dims });
}
