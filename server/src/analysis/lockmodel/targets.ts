/**
 * Resolves the roles facts speak of (fact.ts `Role`) to relation names for one statement. This is syntax plus
 * catalog lookups only — no PostgreSQL behaviour is decided here.
 */
import type { Node, RangeVar } from '@pgsql/types';
import type { Role } from './fact';
import type { RelationKind, SchemaLookup } from './schema';
import { alterObjectSchemaTargets, alterTableTargets, renameTargets } from './targets-alter-table';
import { quoteIdent } from '../names';
import { parseQualifiedName } from '../catalog/names';
import { parseStatementText } from '../parse/parser';

export type Targets = Partial<Record<Role, string[]>> & {
  createdKind?: RelationKind;
  /** Kinds of relations the catalog does not know yet (those the statement creates). */
  kinds?: Record<string, RelationKind>;
};

type Payload = Record<string, unknown>;

function rangeVarsIn(value: unknown, out: RangeVar[] = []): RangeVar[] {
  if (Array.isArray(value)) {
    for (const item of value) rangeVarsIn(item, out);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Payload;
    if (typeof record.relname === 'string') out.push(record as RangeVar);
    else for (const key in record) rangeVarsIn(record[key], out);
  }
  return out;
}

/** Foreign-key target tables named anywhere in the statement (table constraints and column REFERENCES). */
function referencedTables(statement: unknown, schema: SchemaLookup): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const record = value as Payload;
      if (record.contype === 'CONSTR_FOREIGN' && record.pktable) found.add(schema.resolve(record.pktable as RangeVar));
      for (const key in record) visit(record[key]);
    }
  };
  visit(statement);
  return [...found];
}

export function targetsOf(kind: string, statement: unknown, schema: SchemaLookup): Targets {
  const stmt = (statement ?? {}) as Payload;
  const targets: Targets = {};
  const set = (role: Role, names: string[]): void => {
    const unique = [...new Set(names)];
    if (unique.length === 0) return;
    // A role set lazily is an accessor without a setter: replace it rather than assign to it (a TypeError).
    if (lazyRoles.delete(role)) delete targets[role];
    targets[role] = unique;
  };
  const lazyRoles = new Set<Role>();
  /**
   * `set`, computed when a fact first reads the role. For roles most statements that derive them never read:
   * `table.indexes` of a CREATE INDEX lists every index of the table, so building it eagerly made N indexes on one
   * table cost N² (fuzz case 21). A role left empty reads as undefined, as one `set` never wrote.
   */
  const setLazily = (role: Role, names: () => string[]): void => {
    lazyRoles.add(role);
    Object.defineProperty(targets, role, {
      configurable: true,
      enumerable: true,
      get: () => {
        lazyRoles.delete(role);
        delete targets[role];
        set(role, names());
        return targets[role];
      },
    });
  };
  const tableDerived = (table: string | undefined): void => {
    if (!table) return;
    set('table', [table]);
    setLazily('table.indexes', () => schema.indexesOf(table));
    set('table.partitions', allPartitions(table, schema));
    const parent = schema.parentOf(table);
    if (parent) set('table.parent', [parent]);
    set('table.sequences', schema.sequencesOf(table));
  };
  const resolve = (rv: unknown): string | undefined => (rv ? schema.resolve(rv as RangeVar) : undefined);

  switch (kind) {
    case 'AlterTableStmt':
      alterTableTargets(stmt, { targets, set, schema });
      break;
    case 'RenameStmt':
      renameTargets(stmt, { targets, set, schema });
      break;
    case 'AlterObjectSchemaStmt':
      alterObjectSchemaTargets(stmt, { targets, set, schema });
      break;
    default:
      statementTargets(kind, stmt, { targets, set, tableDerived, resolve, schema });
  }
  const referenced = [...(targets.referenced ?? []), ...referencedTables(stmt, schema)];
  if (referenced.length > 0) {
    set('referenced', referenced);
    set('referenced.indexes', referenced.flatMap((n) => schema.indexesOf(n)));
  }
  return targets;
}

function allPartitions(table: string, schema: SchemaLookup): string[] {
  const out: string[] = [];
  const queue = [...schema.partitionsOf(table)];
  while (queue.length > 0) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...schema.partitionsOf(next));
  }
  return out;
}

function listNames(node: unknown): string[] {
  const items = (node as { List?: { items?: Node[] } }).List?.items ?? [];
  return items.map((i) => (i as { String?: { sval?: string } }).String?.sval ?? '');
}

function dropObjectNames(stmt: Payload, schema: SchemaLookup): string[] {
  return ((stmt.objects as Node[] | undefined) ?? []).map((o) => {
    const parts = listNames(o);
    const rv: RangeVar = parts.length >= 2 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
    return schema.resolve(rv);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Every statement kind except the ALTER TABLE family (AlterTableStmt, RenameStmt, AlterObjectSchemaStmt above).

interface TargetBuilder {
  targets: Targets;
  set(role: Role, names: string[]): void;
  tableDerived(table: string | undefined): void;
  resolve(rv: unknown): string | undefined;
  schema: SchemaLookup;
}

const RELATION_DROPS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);
const RELATION_COMMENTS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);
/** COMMENT ON <kind> name ON table: the table is the name list minus its last element. */
const TABLE_MEMBER_COMMENTS = new Set(['OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE']);
const ON_DELETE_WRITES = new Set(['cascade', 'set-null', 'set-default']);

function statementTargets(kind: string, stmt: Payload, b: TargetBuilder): void {
  const { set, schema, resolve } = b;
  /** The table of each index the statement creates (from the catalog's replay). */
  const createdIndexTables = new Map<string, string>();
  /** What the statement creates, as the catalog replays it; `fallback` when the catalog does not replay it. */
  const created = (fallback?: { name: string; kind: RelationKind }): void => {
    let made = schema.relationsCreatedBy({ [kind]: stmt } as unknown as Node);
    if (made.length === 0 && fallback && schema.relationKind(fallback.name) === undefined) made = [fallback];
    set('created', made.map((m) => m.name));
    if (made.length > 0) b.targets.kinds = { ...b.targets.kinds, ...Object.fromEntries(made.map((m) => [m.name, m.kind])) };
    for (const m of made) if (m.table) createdIndexTables.set(m.name, m.table);
  };
  const reads = (names: string[]): void => {
    set('read', names);
    const base = viewClosure(names, schema);
    set('read.base', base);
    const tables = [...names, ...base];
    const partitions = tables.flatMap((n) => allPartitions(n, schema));
    set('read.partitions', partitions);
    set('read.indexes', [...tables, ...partitions].flatMap((n) => schema.indexesOf(n)));
  };
  const readsIn = (...subtrees: unknown[]): void => reads(relationsNamedIn(subtrees, schema));
  /** The table, its indexes, and for a partitioned table its partitions and their indexes. */
  const withPartitions = (tables: string[]): void => {
    set('table', tables);
    set('table.indexes', tables.flatMap((n) => schema.indexesOf(n)));
    const partitions = tables.flatMap((n) => allPartitions(n, schema));
    set('table.partitions', partitions);
    set('table.partitions.indexes', partitions.flatMap((n) => schema.indexesOf(n)));
    const storage = tables.flatMap((n) => leaves(n, schema));
    set('table.leaves', storage);
    set('table.leaves.indexes', storage.flatMap((n) => schema.indexesOf(n)));
  };

  switch (kind) {
    case 'IndexStmt': {
      const table = resolve(stmt.relation);
      b.tableDerived(table);
      set('table.partitions.indexes', (b.targets['table.partitions'] ?? []).flatMap((n) => schema.indexesOf(n)));
      if (table) set('table.leaves', leaves(table, schema));
      created();
      b.targets.createdKind = 'index';
      break;
    }
    case 'CreateStmt': {
      const table = resolve(stmt.relation);
      if (table) set('table', [table]);
      b.targets.createdKind = stmt.partspec ? 'partitioned table' : 'table';
      created();
      const made = b.targets.created ?? [];
      const indexedTables = new Set(made.map((n) => createdIndexTables.get(n)));
      set('heaps.reindexed', made.filter((n) => b.targets.kinds?.[n] === 'table' && indexedTables.has(n)));
      const parents = ((stmt.inhRelations as Node[] | undefined) ?? []).map((n) => resolve((n as { RangeVar?: RangeVar }).RangeVar)).filter((n): n is string => !!n);
      set('table.parent', parents);
      set('table.parent.indexes', parents.flatMap((p) => schema.indexesOf(p)));
      const bound = stmt.partbound as { is_default?: boolean } | undefined;
      if (bound) {
        if (!bound.is_default) set('table.parent.default', parents.map((p) => schema.defaultPartitionOf(p)).filter((n): n is string => !!n));
        // A partition gets a clone of each of its parent's foreign keys.
        b.targets.referenced = parents.flatMap((p) => schema.foreignKeysFrom(p).map((fk) => fk.referenced));
      }
      const likes = ((stmt.tableElts as Node[] | undefined) ?? [])
        .map((e) => (e as { TableLikeClause?: { relation?: RangeVar } }).TableLikeClause?.relation)
        .filter((rv): rv is RangeVar => !!rv);
      set('read', likes.map((rv) => schema.resolve(rv)));
      break;
    }
    case 'CreateTableAsStmt':
    case 'SelectStmt': {
      const into = kind === 'CreateTableAsStmt' ? ((stmt.into as Payload | undefined)?.rel as RangeVar | undefined) : ((stmt.intoClause as Payload | undefined)?.rel as RangeVar | undefined);
      if (into) {
        const name = schema.resolve(into);
        set('table', [name]);
        b.targets.createdKind = stmt.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
        created({ name, kind: b.targets.createdKind });
      }
      readsIn(kind === 'CreateTableAsStmt' ? stmt.query : { ...stmt, intoClause: undefined });
      set('sequences', sequencesCalled(stmt, schema));
      set('whole', wholeReads(kind === 'CreateTableAsStmt' ? stmt.query : { SelectStmt: stmt }, schema));
      break;
    }
    case 'ViewStmt': {
      const name = resolve(stmt.view);
      if (name) set('table', [name]);
      created();
      b.targets.createdKind = 'view';
      readsIn(stmt.query);
      break;
    }
    case 'DropStmt': {
      const removeType = stmt.removeType as string | undefined;
      const existing = (names: string[]): string[] => (stmt.missing_ok ? names.filter((n) => schema.relationKind(n) !== undefined) : names);
      if (removeType === 'OBJECT_INDEX') {
        const names = existing(dropObjectNames(stmt, schema));
        set('index', names);
        set('index.table', names.map((n) => schema.tableOfIndex(n)).filter((n): n is string => !!n));
      } else if (removeType === 'OBJECT_TRIGGER' || removeType === 'OBJECT_RULE' || removeType === 'OBJECT_POLICY') {
        // objects: [[schema?, table, name]]: the table is all but the last name.
        const tables = ((stmt.objects as Node[] | undefined) ?? []).map((o) => listNames(o).slice(0, -1)).filter((p) => p.length > 0).map((p) => qualifyName(p, schema));
        for (const t of tables) b.tableDerived(t);
      } else if (removeType && RELATION_DROPS.has(removeType)) {
        dropRelations(existing(dropObjectNames(stmt, schema)), b);
      } else if (removeType === 'OBJECT_SCHEMA') {
        const schemas = ((stmt.objects as Node[] | undefined) ?? []).map((o) => (o as { String?: { sval?: string } }).String?.sval).filter((n): n is string => !!n);
        dropRelations(schemas.flatMap((s) => schema.relationsInSchema(s)), b);
      } else if (removeType === 'OBJECT_TYPE' || removeType === 'OBJECT_DOMAIN') {
        const types = ((stmt.objects as Node[] | undefined) ?? []).map((o) => typeNameText((o as { TypeName?: { names?: Node[] } }).TypeName?.names));
        set('type.tables', types.flatMap((t) => schema.tablesUsingType(t)));
      }
      break;
    }
    case 'ReindexStmt': {
      const relation = resolve(stmt.relation);
      if (!relation) break;
      if (stmt.kind === 'REINDEX_OBJECT_INDEX') {
        set('index', [relation]);
        const table = schema.tableOfIndex(relation);
        if (table) set('index.table', [table]);
      } else if (stmt.kind === 'REINDEX_OBJECT_TABLE') withPartitions([relation]);
      break;
    }
    case 'TruncateStmt': {
      const rvs = rangeVarsIn(stmt.relations);
      const names = rvs.map((rv) => schema.resolve(rv));
      set('table', names);
      set('table.indexes', names.flatMap((n) => schema.indexesOf(n)));
      const partitions = rvs.filter((rv) => rv.inh === true).flatMap((rv) => allPartitions(schema.resolve(rv), schema));
      set('table.partitions', partitions);
      set('table.partitions.indexes', partitions.flatMap((n) => schema.indexesOf(n)));
      // What actually gets new storage: each table, or a partitioned table's leaf partitions.
      const emptied = rvs.flatMap((rv) => (rv.inh === true ? leaves(schema.resolve(rv), schema) : [schema.resolve(rv)]));
      set('table.leaves', emptied);
      set('table.leaves.indexes', emptied.flatMap((n) => schema.indexesOf(n)));
      set('table.sequences', names.flatMap((n) => schema.sequencesOf(n)));
      set('table.parent', names.map((n) => schema.parentOf(n)).filter((p): p is string => p !== undefined));
      // TRUNCATE … CASCADE empties every table that references a truncated one, transitively.
      const referencing = referencingClosure([...names, ...partitions], schema);
      set('referencing', referencing);
      set('referencing.indexes', referencing.flatMap((n) => schema.indexesOf(n)));
      const truncated = stmt.behavior === 'DROP_CASCADE' ? [...emptied, ...referencing] : emptied;
      set('heaps.reindexed', truncated.filter((n) => schema.indexesOf(n).length > 0));
      break;
    }
    case 'LockStmt': {
      const rvs = rangeVarsIn(stmt.relations);
      const names = rvs.map((rv) => schema.resolve(rv));
      set('table', names);
      set('table.partitions', rvs.filter((rv) => rv.inh === true).flatMap((rv) => allPartitions(schema.resolve(rv), schema)));
      const base = viewClosure(names, schema);
      set('read.base', base);
      set('read.partitions', base.flatMap((n) => allPartitions(n, schema)));
      break;
    }
    case 'VacuumStmt': {
      const rvs = ((stmt.rels as Node[] | undefined) ?? []).map((r) => (r as { VacuumRelation?: { relation?: RangeVar } }).VacuumRelation?.relation).filter((rv): rv is RangeVar => !!rv);
      const names = rvs.map((rv) => schema.resolve(rv));
      withPartitions(names);
      // A partitioned table's own (partitioned) indexes have no storage: VACUUM and ANALYZE work on the partitions'.
      set('table.indexes', names.filter((n) => schema.relationKind(n) !== 'partitioned table').flatMap((n) => schema.indexesOf(n)));
      if (names.every((n) => schema.relationKind(n) === 'partitioned table')) delete b.targets['table.indexes'];
      break;
    }
    case 'ClusterStmt': {
      const rv = stmt.relation as RangeVar | undefined;
      if (!rv) break;
      b.tableDerived(schema.resolve(rv));
      if (typeof stmt.indexname === 'string') set('index', [schema.resolve({ ...(rv.schemaname ? { schemaname: rv.schemaname } : {}), relname: stmt.indexname })]);
      break;
    }
    case 'RefreshMatViewStmt': {
      const view = resolve(stmt.relation);
      if (!view) break;
      b.tableDerived(view);
      reads(schema.viewSources(view));
      set('whole', wholeReads(schema.viewQuery(view), schema));
      if (schema.indexesOf(view).length > 0) set('heaps.reindexed', [view]);
      break;
    }
    case 'CreateTrigStmt':
    case 'RuleStmt':
      b.tableDerived(resolve(stmt.relation));
      break;
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      b.tableDerived(resolve(stmt.table));
      break;
    case 'CommentStmt': {
      const objtype = stmt.objtype as string;
      const parts = listNames(stmt.object);
      if (parts.length === 0) break;
      if (RELATION_COMMENTS.has(objtype)) b.tableDerived(qualifyName(parts, schema));
      else if (objtype === 'OBJECT_INDEX') {
        const index = qualifyName(parts, schema);
        set('index', [index]);
        const table = schema.tableOfIndex(index);
        if (table) set('index.table', [table]);
      } else if (TABLE_MEMBER_COMMENTS.has(objtype) && parts.length >= 2) b.tableDerived(qualifyName(parts.slice(0, -1), schema));
      break;
    }
    case 'GrantStmt':
      if (stmt.targtype === 'ACL_TARGET_OBJECT' && (stmt.objtype === 'OBJECT_TABLE' || stmt.objtype === 'OBJECT_SEQUENCE')) {
        set('table', rangeVarsIn(stmt.objects).map((rv) => schema.resolve(rv)));
      }
      break;
    case 'CreateStatsStmt':
      set('table', rangeVarsIn(stmt.relations).map((rv) => schema.resolve(rv)));
      break;
    case 'CreatePublicationStmt':
      set('table', rangeVarsIn(stmt.pubobjects).map((rv) => schema.resolve(rv)));
      break;
    case 'AlterDomainStmt':
      set('type.tables', schema.tablesUsingType(typeNameText(stmt.typeName as Node[] | undefined)));
      break;
    case 'CreateSeqStmt': {
      const name = resolve(stmt.sequence);
      if (name) set('table', [name]);
      created();
      b.targets.createdKind = 'sequence';
      const ownedBy = sequenceOption(stmt, 'owned_by');
      // OWNED BY table.column (not OWNED BY NONE): the table is looked up.
      if (ownedBy && ownedBy.length >= 2) set('read', [qualifyName(ownedBy.slice(0, -1), schema)]);
      break;
    }
    case 'AlterSeqStmt': {
      const name = resolve(stmt.sequence);
      if (name) set('table', [name]);
      const ownedBy = sequenceOption(stmt, 'owned_by');
      if (ownedBy && ownedBy.length >= 2) set('read', [qualifyName(ownedBy.slice(0, -1), schema)]);
      break;
    }
    case 'CompositeTypeStmt': {
      // A composite type has a pg_class entry of its own (relkind 'c').
      const name = resolve(stmt.typevar);
      if (name) {
        set('created', [name]);
        b.targets.kinds = { ...b.targets.kinds, [name]: 'other' };
      }
      break;
    }
    case 'CreateFunctionStmt': {
      // Creating a SQL-language function analyzes its body (check_function_bodies): what the body writes is locked
      // ROW EXCLUSIVE, what it reads ACCESS SHARE. Other languages' bodies are not looked into by the server.
      const body = sqlFunctionBody(stmt);
      if (!body) break;
      const written = body.map((n) => writtenRelation(n)).filter((rv): rv is RangeVar => !!rv);
      set('table', written.map((rv) => schema.resolve(rv)));
      const writtenSet = new Set(written);
      set('read', relationsNamedIn(body.map((n) => withoutTarget(n, writtenSet)), schema));
      break;
    }
    case 'InsertStmt': {
      const table = resolve(stmt.relation);
      b.tableDerived(table);
      if (!table) break;
      const provided = insertedColumns(stmt, table, schema);
      set('referenced', referencedThrough(table, provided, schema));
      const defaulted = defaultedColumns(stmt, table, schema);
      set('sequences', [...defaulted.flatMap((c) => columnSequence(table, c, schema)), ...sequencesCalled(stmt, schema)]);
      readsIn(stmt.selectStmt, stmt.onConflictClause, stmt.withClause, stmt.returningList);
      set('whole', wholeReads(stmt.selectStmt, schema));
      break;
    }
    case 'UpdateStmt': {
      const table = resolve(stmt.relation);
      if (!table) break;
      b.tableDerived(table);
      withPartitions([table]);
      const assigned = new Set(((stmt.targetList as Node[] | undefined) ?? []).map((t) => (t as { ResTarget?: { name?: string } }).ResTarget?.name).filter((n): n is string => !!n));
      set('referenced', referencedThrough(table, assigned, schema));
      set('sequences', sequencesCalled(stmt, schema));
      readsIn(stmt.fromClause, stmt.whereClause, stmt.targetList, stmt.withClause, stmt.returningList);
      if (!stmt.whereClause && !stmt.fromClause) set('whole', leaves(table, schema));
      break;
    }
    case 'DeleteStmt': {
      const table = resolve(stmt.relation);
      if (!table) break;
      b.tableDerived(table);
      withPartitions([table]);
      const fks = schema.foreignKeysTo(table);
      set('referencing', fks.map((fk) => fk.table));
      set('referencing.indexes', fks.flatMap((fk) => schema.indexesOf(fk.table)));
      const writers = fks.filter((fk) => ON_DELETE_WRITES.has(fk.onDelete));
      set('referencing.cascade', writers.map((fk) => fk.table));
      set('referencing.cascade.indexes', writers.flatMap((fk) => schema.indexesOf(fk.table)));
      set('referencing.unindexed', fks.filter((fk) => !fk.indexed).map((fk) => fk.table));
      set('sequences', sequencesCalled(stmt, schema));
      readsIn(stmt.usingClause, stmt.whereClause, stmt.withClause, stmt.returningList);
      if (!stmt.whereClause && !stmt.usingClause) set('whole', leaves(table, schema));
      break;
    }
    case 'MergeStmt': {
      const table = resolve(stmt.relation);
      if (!table) break;
      b.tableDerived(table);
      readsIn(stmt.sourceRelation, stmt.joinCondition, stmt.mergeWhenClauses, stmt.withClause);
      break;
    }
    default:
      break;
  }
}

/** The table itself, or for a partitioned table its leaf partitions (the ones with storage to read). */
function leaves(table: string, schema: SchemaLookup): string[] {
  if (schema.relationKind(table) !== 'partitioned table') return [table];
  return schema.partitionsOf(table).flatMap((p) => leaves(p, schema));
}

/**
 * Tables a query reads in full whatever the plan: the single table (or materialized view) of a SELECT without
 * WHERE, LIMIT, set operation, WITH or subqueries in its select list. Joins and filters are the planner's call.
 */
function wholeReads(query: unknown, schema: SchemaLookup): string[] {
  const select = (query as { SelectStmt?: Payload } | undefined)?.SelectStmt;
  if (!select || select.whereClause || select.limitCount || (select.op ?? 'SETOP_NONE') !== 'SETOP_NONE' || select.withClause) return [];
  const from = (select.fromClause as Node[] | undefined) ?? [];
  const rv = from.length === 1 ? (from[0] as { RangeVar?: RangeVar }).RangeVar : undefined;
  if (!rv || JSON.stringify(select.targetList ?? []).includes('SubLink')) return [];
  const name = schema.resolve(rv);
  const kind = schema.relationKind(name);
  if (kind === 'table' || kind === 'materialized view') return [name];
  return kind === 'partitioned table' && rv.inh === true ? leaves(name, schema) : [];
}

/** Drops of tables, views, sequences (or a schema's relations): what goes with them, and what they are tied to. */
function dropRelations(names: string[], b: TargetBuilder): void {
  const { set, schema } = b;
  const dropped = new Set(names);
  set('table', names);
  set('table.indexes', names.flatMap((n) => schema.indexesOf(n)));
  set('table.sequences', names.flatMap((n) => schema.sequencesOf(n)));
  const partitions = names.flatMap((n) => allPartitions(n, schema));
  set('table.partitions', partitions);
  set('table.partitions.indexes', partitions.flatMap((n) => schema.indexesOf(n)));
  set('table.parent', names.map((n) => schema.parentOf(n)).filter((n): n is string => !!n && !dropped.has(n)));
  const gone = new Set([...names, ...partitions]);
  // The foreign keys of a dropped table have triggers on the tables they reference; those are dropped too.
  b.targets.referenced = [...gone].flatMap((n) => schema.foreignKeysFrom(n).map((fk) => fk.referenced)).filter((n) => !gone.has(n));
  const referencing = [...gone].flatMap((n) => schema.foreignKeysTo(n).map((fk) => fk.table)).filter((n) => !gone.has(n));
  set('referencing', referencing);
  set('referencing.indexes', referencing.flatMap((n) => schema.indexesOf(n)));
  const dependents = [...gone].flatMap((n) => schema.dependentViews(n)).filter((n) => !gone.has(n));
  set('dependents', dependents);
  set('dependents.indexes', dependents.flatMap((n) => schema.indexesOf(n)));
}

/** Relations the views among `names` read, recursively (views of views), not counting `names` themselves. */
function viewClosure(names: string[], schema: SchemaLookup): string[] {
  const seen = new Set(names);
  const out: string[] = [];
  const queue = names.filter((n) => schema.relationKind(n) === 'view');
  while (queue.length > 0) {
    for (const source of schema.viewSources(queue.shift()!)) {
      if (seen.has(source)) continue;
      seen.add(source);
      out.push(source);
      if (schema.relationKind(source) === 'view') queue.push(source);
    }
  }
  return out;
}

/** Tables whose foreign keys reference `tables`, and the tables referencing those, not counting `tables`. */
function referencingClosure(tables: string[], schema: SchemaLookup): string[] {
  const seen = new Set(tables);
  const out: string[] = [];
  const queue = [...tables];
  while (queue.length > 0) {
    for (const fk of schema.foreignKeysTo(queue.shift()!)) {
      if (seen.has(fk.table)) continue;
      seen.add(fk.table);
      out.push(fk.table);
      queue.push(fk.table);
    }
  }
  return out;
}

/** Relations named in query subtrees, without the names of common table expressions (WITH x AS …). */
function relationsNamedIn(subtrees: unknown[], schema: SchemaLookup): string[] {
  const ctes = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const record = value as Payload;
      if (typeof record.ctename === 'string') ctes.add(record.ctename);
      for (const key in record) visit(record[key]);
    }
  };
  visit(subtrees);
  return rangeVarsIn(subtrees)
    .filter((rv) => rv.schemaname !== undefined || !ctes.has(rv.relname ?? ''))
    .map((rv) => schema.resolve(rv));
}

/** The columns an INSERT leaves to their DEFAULT (empty when that cannot be told). */
export function defaultedColumns(stmt: Payload, table: string, schema: SchemaLookup): string[] {
  const provided = insertedColumns(stmt, table, schema);
  return provided === undefined ? [] : schema.columnNames(table).filter((c) => !provided.has(c));
}

/** The columns an INSERT fills explicitly; undefined when it cannot be told (no column list, unknown table). */
function insertedColumns(stmt: Payload, table: string, schema: SchemaLookup): Set<string> | undefined {
  const listed = ((stmt.cols as Node[] | undefined) ?? []).map((c) => (c as { ResTarget?: { name?: string } }).ResTarget?.name).filter((n): n is string => !!n);
  const select = (stmt.selectStmt as { SelectStmt?: Payload } | undefined)?.SelectStmt;
  const rows = ((select?.valuesLists as Node[] | undefined) ?? []).map((r) => (r as { List?: { items?: Node[] } }).List?.items ?? []);
  const columns = listed.length > 0 ? listed : schema.columnNames(table);
  if (columns.length === 0) return undefined;
  if (!select) return new Set(); // INSERT … DEFAULT VALUES
  if (rows.length === 0) {
    // INSERT … SELECT: as many columns as the select list has (a * could be anything: assume all).
    const width = ((select.targetList as Node[] | undefined) ?? []).length;
    const star = JSON.stringify(select.targetList ?? []).includes('A_Star');
    return new Set(listed.length > 0 || star ? columns : columns.slice(0, width));
  }
  const width = Math.max(...rows.map((r) => r.length));
  // A column counts as filled when some row gives it a value other than DEFAULT.
  return new Set(columns.slice(0, width).filter((_, i) => rows.some((r) => r[i] !== undefined && !('SetToDefault' in (r[i] as object)))));
}

/** Tables referenced by the foreign keys of `table` that involve one of `columns`. */
function referencedThrough(table: string, columns: Set<string> | undefined, schema: SchemaLookup): string[] {
  return schema
    .foreignKeysFrom(table)
    .filter((fk) => columns === undefined || fk.columns.some((c) => columns.has(c)))
    .map((fk) => fk.referenced);
}

/** The sequence a column's default draws from: its identity/serial sequence, or the one its nextval() names. */
function columnSequence(table: string, column: string, schema: SchemaLookup): string[] {
  const facts = schema.column(table, column);
  if (!facts) return [];
  if (facts.sequence && (facts.identity || facts.default)) return [facts.sequence];
  return facts.default ? sequencesCalled(facts.default, schema) : [];
}

/** Sequences named by nextval('…') / setval('…', …) calls (a string literal, possibly cast to regclass). */
function sequencesCalled(value: unknown, schema: SchemaLookup): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      const call = (v as { FuncCall?: { funcname?: Node[]; args?: Node[] } }).FuncCall;
      const name = call ? listNames({ List: { items: call.funcname } }).at(-1) : undefined;
      if (call && (name === 'nextval' || name === 'setval')) {
        const text = stringLiteral(call.args?.[0]);
        const parts = text !== undefined ? parseQualifiedName(text) : undefined;
        if (parts && parts.length > 0) out.push(qualifyName(parts, schema));
      }
      for (const key in v as Payload) visit((v as Payload)[key]);
    }
  };
  visit(value);
  return out;
}

function stringLiteral(node: Node | undefined): string | undefined {
  const cast = (node as { TypeCast?: { arg?: Node } } | undefined)?.TypeCast;
  if (cast) return stringLiteral(cast.arg);
  return (node as { A_Const?: { sval?: { sval?: string } } } | undefined)?.A_Const?.sval?.sval;
}

/** A relation named by a list of identifiers (already folded), resolved through search_path. */
function qualifyName(parts: string[], schema: SchemaLookup): string {
  const rv: RangeVar = parts.length >= 2 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
  return schema.resolve(rv);
}

/** A type name list as text the catalog resolves (`mood`, `app.mood`). */
function typeNameText(names: Node[] | undefined): string {
  return listNames({ List: { items: names } }).map((n) => quoteIdent(n)).join('.');
}

function sequenceOption(stmt: Payload, name: string): string[] | undefined {
  const option = ((stmt.options as Node[] | undefined) ?? []).map((o) => (o as { DefElem?: { defname?: string; arg?: Node } }).DefElem).find((d) => d?.defname === name);
  return option ? listNames(option.arg) : undefined;
}

/** The statements of a SQL-language function body (string or BEGIN ATOMIC), or undefined (other language, unparsable). */
export function sqlFunctionBody(stmt: Payload): Node[] | undefined {
  const options = ((stmt.options as Node[] | undefined) ?? []).map((o) => (o as { DefElem?: { defname?: string; arg?: Node } }).DefElem);
  const language = (options.find((o) => o?.defname === 'language')?.arg as { String?: { sval?: string } } | undefined)?.String?.sval;
  if (stmt.sql_body) {
    const outer = (stmt.sql_body as { List?: { items?: Node[] } }).List?.items ?? [];
    return outer.flatMap((item) => (item as { List?: { items?: Node[] } }).List?.items ?? [item]);
  }
  if (language?.toLowerCase() !== 'sql') return undefined;
  const as = (options.find((o) => o?.defname === 'as')?.arg as { List?: { items?: Array<{ String?: { sval?: string } }> } } | undefined)?.List?.items;
  const text = as?.[0]?.String?.sval;
  if (text === undefined) return undefined;
  const parsed = parseStatementText(text);
  return parsed.ok ? parsed.nodes.map((n) => n.ast) : undefined;
}

/** The target of an INSERT/UPDATE/DELETE/MERGE statement node. */
function writtenRelation(node: Node): RangeVar | undefined {
  for (const kind of ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']) {
    const payload = (node as unknown as Record<string, { relation?: RangeVar } | undefined>)[kind];
    if (payload?.relation) return payload.relation;
  }
  return undefined;
}

/** A statement node with its write target left out, so what remains are the relations it reads. */
function withoutTarget(node: Node, targets: Set<RangeVar>): unknown {
  for (const kind of ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']) {
    const payload = (node as unknown as Record<string, Payload | undefined>)[kind];
    if (payload && targets.has(payload.relation as RangeVar)) return { ...payload, relation: undefined };
  }
  return node;
}
