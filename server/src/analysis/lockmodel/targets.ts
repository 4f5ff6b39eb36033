/**
 * Resolves the roles facts speak of (fact.ts `Role`) to relation names for one statement. This is syntax plus
 * catalog lookups only — no PostgreSQL behaviour is decided here.
 */
import type { Node, RangeVar } from '@pgsql/types';
import type { Role } from './fact';
import type { RelationKind, SchemaLookup } from './schema';
import { qualify } from '../names';

export type Targets = Partial<Record<Role, string[]>> & { createdKind?: RelationKind };

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

/** PostgreSQL's name for an index created without one (indexcmds.c ChooseIndexName, for the common cases). */
export function defaultIndexName(table: RangeVar, stmt: Payload, schema: SchemaLookup): string {
  const params = (stmt.indexParams as Node[] | undefined) ?? [];
  const columns = params.map((p) => ((p as { IndexElem?: { name?: string } }).IndexElem?.name ?? 'expr'));
  const suffix = stmt.primary ? 'pkey' : stmt.excludeOpNames ? 'excl' : stmt.isconstraint ? 'key' : 'idx';
  const base = truncateName(`${table.relname}_${columns.join('_')}`, 63 - suffix.length - 1);
  const schemaName = table.schemaname ?? 'public';
  let name = `${base}_${suffix}`;
  for (let n = 1; schema.relationKind(qualify(schemaName, name)) !== undefined; n++) name = `${base}_${suffix}${n}`;
  return qualify(schemaName, name);
}

function truncateName(name: string, max: number): string {
  return name.length <= max ? name : name.slice(0, max);
}

export function targetsOf(kind: string, statement: unknown, schema: SchemaLookup): Targets {
  const stmt = (statement ?? {}) as Payload;
  const targets: Targets = {};
  const set = (role: Role, names: string[]): void => {
    const unique = [...new Set(names)];
    if (unique.length > 0) targets[role] = unique;
  };
  const tableDerived = (table: string | undefined): void => {
    if (!table) return;
    set('table', [table]);
    set('table.indexes', schema.indexesOf(table));
    set('table.partitions', allPartitions(table, schema));
    const parent = schema.parentOf(table);
    if (parent) set('table.parent', [parent]);
    set('table.sequences', schema.sequencesOf(table));
  };
  const resolve = (rv: unknown): string | undefined => (rv ? schema.resolve(rv as RangeVar) : undefined);

  switch (kind) {
    case 'AlterTableStmt': {
      const relation = resolve(stmt.relation);
      if (stmt.objtype === 'OBJECT_INDEX' && relation) {
        set('index', [relation]);
        const table = schema.tableOfIndex(relation);
        if (table) set('index.table', [table]);
      } else tableDerived(relation);
      for (const cmd of (stmt.cmds as Node[] | undefined) ?? []) {
        const partition = (cmd as { AlterTableCmd?: { def?: { PartitionCmd?: { name?: RangeVar } } } }).AlterTableCmd?.def?.PartitionCmd?.name;
        if (partition) {
          const name = schema.resolve(partition);
          set('partition', [name]);
          set('partition.indexes', schema.indexesOf(name));
        }
      }
      break;
    }
    case 'IndexStmt': {
      const table = resolve(stmt.relation);
      tableDerived(table);
      if (stmt.relation) {
        const rv = stmt.relation as RangeVar;
        const name = typeof stmt.idxname === 'string' ? qualify(rv.schemaname ?? 'public', stmt.idxname) : defaultIndexName(rv, stmt, schema);
        set('created', [name]);
        targets.createdKind = 'index';
      }
      break;
    }
    case 'CreateStmt': {
      const table = resolve(stmt.relation);
      if (table) set('created', [table]);
      targets.createdKind = stmt.partspec ? 'partitioned table' : 'table';
      const parents = ((stmt.inhRelations as Node[] | undefined) ?? []).map((n) => resolve((n as { RangeVar?: RangeVar }).RangeVar)).filter((n): n is string => !!n);
      if (table) set('table', [table]);
      set('table.parent', parents);
      break;
    }
    case 'DropStmt': {
      const names = dropObjectNames(stmt, schema);
      const removeType = stmt.removeType as string | undefined;
      if (removeType === 'OBJECT_INDEX') {
        set('index', names);
        set('index.table', names.map((n) => schema.tableOfIndex(n)).filter((n): n is string => !!n));
      } else if (removeType === 'OBJECT_TRIGGER' || removeType === 'OBJECT_RULE' || removeType === 'OBJECT_POLICY') {
        // objects: [[schema?, table, name]]: the table is all but the last name.
        const tables = ((stmt.objects as Node[] | undefined) ?? []).map((o) => listNames(o).slice(0, -1)).filter((p) => p.length > 0).map((p) => qualifyParts(p));
        for (const t of tables) tableDerived(t);
      } else {
        set('table', names);
        set('table.indexes', names.flatMap((n) => schema.indexesOf(n)));
        set('table.sequences', names.flatMap((n) => schema.sequencesOf(n)));
        set('table.partitions', names.flatMap((n) => allPartitions(n, schema)));
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
      } else tableDerived(relation);
      break;
    }
    case 'ViewStmt':
    case 'CreateTableAsStmt': {
      const into = kind === 'ViewStmt' ? stmt.view : (stmt.into as Payload | undefined)?.rel;
      const name = resolve(into);
      if (name) {
        set('created', [name]);
        set('table', [name]);
      }
      targets.createdKind = kind === 'ViewStmt' ? 'view' : stmt.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
      set('read', rangeVarsIn(kind === 'ViewStmt' ? stmt.query : stmt.query).map((rv) => schema.resolve(rv)));
      break;
    }
    case 'TruncateStmt':
    case 'LockStmt': {
      const names = rangeVarsIn(stmt.relations).map((rv) => schema.resolve(rv));
      set('table', names);
      set('table.indexes', names.flatMap((n) => schema.indexesOf(n)));
      set('table.partitions', names.flatMap((n) => allPartitions(n, schema)));
      break;
    }
    case 'VacuumStmt': {
      const names = rangeVarsIn(stmt.rels).map((rv) => schema.resolve(rv));
      set('table', names);
      set('table.indexes', names.flatMap((n) => schema.indexesOf(n)));
      break;
    }
    case 'RenameStmt':
    case 'CommentStmt':
    case 'AlterObjectSchemaStmt': {
      const relation = resolve(stmt.relation);
      if (relation) {
        if (stmt.renameType === 'OBJECT_INDEX' || stmt.objectType === 'OBJECT_INDEX') {
          set('index', [relation]);
          const table = schema.tableOfIndex(relation);
          if (table) set('index.table', [table]);
        } else tableDerived(relation);
      }
      break;
    }
    default: {
      // DML, CREATE TRIGGER, CLUSTER, REFRESH MATERIALIZED VIEW, GRANT…: the statement's `relation` is the table;
      // every other relation it names is read.
      const relation = resolve(stmt.relation);
      tableDerived(relation);
      const others = rangeVarsIn(stmt).map((rv) => schema.resolve(rv)).filter((n) => n !== relation);
      set('read', others);
    }
  }
  const referenced = referencedTables(stmt, schema);
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

function qualifyParts(parts: string[]): string {
  return parts.length >= 2 ? qualify(parts[parts.length - 2]!, parts[parts.length - 1]!) : qualify('public', parts[0]!);
}

function dropObjectNames(stmt: Payload, schema: SchemaLookup): string[] {
  return ((stmt.objects as Node[] | undefined) ?? []).map((o) => {
    const parts = listNames(o);
    const rv: RangeVar = parts.length >= 2 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
    return schema.resolve(rv);
  });
}
