// Everything a statement handler needs while applying one statement: the store, the statement's origin, and the
// bookkeeping of what it touched (so revisions advance once per statement) and what went wrong.
import type { RangeVar } from '@pgsql/types';
import { IndexList } from './index-list';
import { hashString } from './hash';
import type {
  ApplyResult,
  CatalogProblem,
  CatalogProblemCode,
  Origin,
  Relation,
  RelationKind,
} from './model';
import { qualifiedKey } from './names';
import { CatalogStore, TEMP_SCHEMA } from './store';

export class ApplyContext {
  private readonly touchedRevisions = new Set<string>();
  private readonly touchedKeys = new Set<string>();
  private readonly problems: CatalogProblem[] = [];

  constructor(
    readonly store: CatalogStore,
    readonly origin: Origin,
  ) {}

  problem(code: CatalogProblemCode, message: string, object?: string): void {
    this.problems.push(object === undefined ? { code, message } : { code, message, object });
  }

  touchRelation(key: string): void {
    this.touchedRevisions.add(`r:${key}`);
    this.touchedKeys.add(key);
  }

  touchType(key: string): void {
    this.touchedRevisions.add(`t:${key}`);
    this.touchedKeys.add(key);
  }

  touchFunction(key: string): void {
    this.touchedRevisions.add(`f:${key}`);
    this.touchedKeys.add(key);
  }

  /** Records a touched key that has no revision of its own (an index: its table carries the revision). */
  noteKey(key: string): void {
    this.touchedKeys.add(key);
  }

  /** Moves an object's revision chain to its new key (RENAME, SET SCHEMA). */
  moveRevision(prefix: 'r' | 't' | 'f', from: string, to: string): void {
    const revisions = this.store.revisions;
    const rev = revisions.get(`${prefix}:${from}`);
    revisions.delete(`${prefix}:${from}`);
    if (rev !== undefined) revisions.set(`${prefix}:${to}`, rev);
    this.touchedKeys.add(from);
  }

  /**
   * Advances the revision of every object this statement touched: rev' = hash(rev, file, statement text hash).
   * The statement index is left out on purpose, so inserting a statement above does not invalidate caches of
   * objects it does not touch.
   */
  finish(): ApplyResult {
    const s = this.store;
    for (const rk of this.touchedRevisions) {
      const [prefix, key] = [rk.slice(0, 1), rk.slice(2)];
      const exists =
        prefix === 'r' ? s.relations.has(key) : prefix === 't' ? s.types.has(key) : s.functions.has(key);
      if (!exists) {
        s.revisions.delete(rk);
        continue;
      }
      const previous = s.revisions.get(rk) ?? '';
      s.revisions.set(rk, hashString(`${previous}\n${this.origin.file ?? ''}\n${this.origin.textHash}`));
    }
    return { touched: [...this.touchedKeys], problems: this.problems };
  }

  // ---- naming ----

  creationSchema(): string {
    return this.store.creationSchema();
  }

  /** Schema and key a CREATE statement's RangeVar names. */
  targetOf(rv: RangeVar): { schema: string; name: string; key: string } {
    const name = rv.relname ?? '';
    const schema = rv.schemaname || (rv.relpersistence === 't' ? TEMP_SCHEMA : this.creationSchema());
    return { schema, name, key: qualifiedKey(schema, name) };
  }

  /** Key of an existing relation a RangeVar names, or undefined. */
  existingRelationKey(rv: RangeVar): string | undefined {
    return this.store.findRelationKey(rv.schemaname || undefined, rv.relname ?? '');
  }

  /** Key for a RangeVar whether or not it exists (existing relation, else where it would be created). */
  relationKeyOf(rv: RangeVar): string {
    return this.existingRelationKey(rv) ?? qualifiedKey(rv.schemaname || this.creationSchema(), rv.relname ?? '');
  }

  // ---- relation records ----

  relation(key: string): Relation | undefined {
    return this.store.relations.get(key);
  }

  putRelation(rel: Relation): void {
    this.store.setRelation(rel);
    this.touchRelation(rel.key);
  }

  updateRelation(key: string, change: (rel: Relation) => Relation): Relation | undefined {
    const rel = this.store.relations.get(key);
    if (!rel) return undefined;
    const next = change(rel);
    if (next !== rel) this.putRelation(next);
    return next;
  }

  /**
   * The relation an ALTER targets. A relation the replay never saw (created outside the migrations, or by a file
   * that is not part of the folder) gets a partial placeholder so later facts about it still accumulate.
   */
  relationForAlter(rv: RangeVar, kind: RelationKind, missingOk: boolean): Relation | undefined {
    const key = this.existingRelationKey(rv);
    if (key !== undefined) return this.store.relations.get(key);
    if (missingOk) return undefined;
    const target = this.targetOf({ ...rv, relpersistence: 'p' });
    this.problem(
      'unknown-relation',
      `${target.key} is not created by any earlier statement; its columns are unknown`,
      target.key,
    );
    const placeholder = newRelation(kind, target.schema, target.name, { partial: true });
    this.putRelation(placeholder);
    return placeholder;
  }

  /** The relation and its partitions / inheritance children, depth first (what a non-ONLY ALTER reaches). */
  withDescendants(key: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const walk = (k: string) => {
      if (seen.has(k)) return;
      seen.add(k);
      const rel = this.store.relations.get(k);
      if (!rel) return;
      out.push(k);
      for (const c of rel.children) walk(c);
    };
    walk(key);
    return out;
  }
}

export function newRelation(
  kind: RelationKind,
  schema: string,
  name: string,
  extra: Partial<Relation> = {},
): Relation {
  return {
    kind,
    schema,
    name,
    key: qualifiedKey(schema, name),
    persistence: 'permanent',
    columns: [],
    constraints: [],
    indexes: IndexList.EMPTY,
    inherits: [],
    children: [],
    dependsOn: [],
    replicaIdentity: 'default',
    rowSecurity: false,
    partial: false,
    ...extra,
  };
}
