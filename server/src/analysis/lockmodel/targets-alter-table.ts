/**
 * Roles (fact.ts `Role`) for ALTER TABLE / ALTER INDEX (AlterTableStmt), ALTER TABLE … RENAME (RenameStmt) and
 * ALTER TABLE … SET SCHEMA (AlterObjectSchemaStmt): which relations each role names for one statement, from its
 * syntax and the catalog. One exception to "no PostgreSQL behaviour here": `column.indexes.rebuilt` asks
 * type-change.ts which indexes ALTER COLUMN TYPE cannot keep, because a role is a set of relations and that set
 * depends on PostgreSQL's index-compatibility rule (the facts only say what happens to it).
 *
 * Relations the statement renames or moves are named as they are after it (public.t2, s.t): that is the name the
 * relation has while the lock is held and until the transaction ends, and the one the tracer reports.
 */
import type { Node, RangeVar, TypeName } from '@pgsql/types';
import type { Role } from './fact';
import type { ConstraintFacts, RelationKind, SchemaLookup } from './schema';
import type { Targets } from './targets';
import { qualify } from '../names';
import { indexDependsOn, indexKeptWithoutRewrite, type ColumnTypeChange } from './type-change';

export interface RoleSink {
  targets: Targets;
  set(role: Role, names: string[]): void;
  schema: SchemaLookup;
}

interface AlterTableCmd {
  subtype?: string;
  name?: string;
  def?: Node;
  behavior?: string;
}

const COLUMN_SUBCOMMANDS = new Set([
  'AT_AlterColumnType',
  'AT_DropColumn',
  'AT_SetExpression',
  'AT_DropExpression',
  'AT_AddIdentity',
  'AT_SetIdentity',
  'AT_DropIdentity',
]);

const CONSTRAINT_SUBCOMMANDS = new Set(['AT_DropConstraint', 'AT_ValidateConstraint', 'AT_AlterConstraint']);

export function alterTableTargets(stmt: Record<string, unknown>, sink: RoleSink): void {
  const { schema, set, targets } = sink;
  const rv = stmt.relation as RangeVar | undefined;
  if (!rv) return;
  const relation = schema.resolve(rv);
  const cmds = ((stmt.cmds as Node[] | undefined) ?? []).map((c) => (c as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd ?? {});

  if (stmt.objtype === 'OBJECT_INDEX') {
    set('index', [relation]);
    const tables = [schema.tableOfIndex(relation)];
    for (const cmd of cmds) {
      const child = partitionName(cmd);
      if (!child) continue;
      // ALTER INDEX parent ATTACH PARTITION child: the child index, and the tables of both indexes.
      const name = schema.resolve(child);
      set('partition', [name]);
      tables.push(schema.tableOfIndex(name));
    }
    set('index.table', tables.filter((t): t is string => t !== undefined));
    return;
  }

  // ALTER TABLE ONLY: partitions and inheritance children are left alone (libpg-query omits inh when it is false).
  const recurse = rv.inh === true;
  const partitions = recurse ? allPartitions(relation, schema) : [];
  const partitioned = schema.relationKind(relation) === 'partitioned table';
  const leaves = partitioned ? partitions.filter((p) => schema.relationKind(p) !== 'partitioned table') : [relation];
  set('table', [relation]);
  set('table.indexes', schema.indexesOf(relation));
  set('table.sequences', schema.sequencesOf(relation));
  const parent = schema.parentOf(relation);
  if (parent) set('table.parent', [parent]);
  set('table.partitions', partitions);
  set('table.partitions.indexes', partitions.flatMap((p) => schema.indexesOf(p)));
  // Inheritance children (INHERITS) hold rows of their own; the subcommands that recurse reach them at every level.
  const inheritors = recurse && !partitioned ? allInheritors(relation, schema) : [];
  set('table.inheritors', inheritors);
  set('table.inheritors.indexes', inheritors.flatMap((c) => schema.indexesOf(c)));
  if (!partitioned) set('table.inheritors.direct', schema.inheritorsOf(relation));
  set('table.leaves', leaves);
  set('table.leaves.indexes', leaves.flatMap((l) => schema.indexesOf(l)));
  const defaultPartition = schema.defaultPartitionOf(relation);
  if (defaultPartition) set('table.default', [defaultPartition]);
  const ownReferenced = [...new Set(schema.foreignKeysFrom(relation).map((fk) => fk.referenced))].filter((t) => t !== relation);
  set('table.referenced', ownReferenced);
  set('table.referenced.indexes', ownReferenced.flatMap((t) => schema.indexesOf(t)));

  // Replaying the statement on a catalog copy costs a table copy: only when a subcommand can create something.
  if (cmds.some(mayCreateRelations)) {
    const created = schema.relationsCreatedBy({ AlterTableStmt: stmt } as Node);
    set('created', created.map((c) => c.name));
    addKinds(targets, created);
  }

  const columns = new Set<string>();
  const typeChanges = new Map<string, ColumnTypeChange>();
  const constraintNames = new Set<string>();
  const namedIndexes: string[] = [];
  const relationSchema = splitQualified(relation)[0];
  for (const cmd of cmds) {
    const subtype = cmd.subtype ?? '';
    if (COLUMN_SUBCOMMANDS.has(subtype) && cmd.name) columns.add(cmd.name);
    if (subtype === 'AT_AlterColumnType' && cmd.name) {
      const change = typeChange(relation, cmd, schema);
      if (change) typeChanges.set(cmd.name, change);
    }
    if (CONSTRAINT_SUBCOMMANDS.has(subtype) && cmd.name) constraintNames.add(cmd.name);
    if (subtype === 'AT_AlterConstraint') {
      // libpg-query 17+: ATAlterConstraint; older trees: a Constraint node.
      const def = cmd.def as { ATAlterConstraint?: { conname?: string }; Constraint?: { conname?: string } } | undefined;
      const name = def?.ATAlterConstraint?.conname ?? def?.Constraint?.conname;
      if (name) constraintNames.add(name);
    }
    if (subtype === 'AT_AddInherit' || subtype === 'AT_DropInherit') {
      // INHERIT / NO INHERIT name the parent table.
      const parentRv = (cmd.def as { RangeVar?: RangeVar } | undefined)?.RangeVar;
      if (parentRv) set('table.parent', [schema.resolve(parentRv)]);
    }
    const constraint = (cmd.def as { Constraint?: { indexname?: string; conname?: string } } | undefined)?.Constraint;
    if (subtype === 'AT_AddConstraint' && constraint?.indexname) {
      // ADD CONSTRAINT c … USING INDEX i renames the index to the constraint's name.
      namedIndexes.push(qualify(relationSchema, constraint.conname ?? constraint.indexname));
      addKinds(targets, [{ name: qualify(relationSchema, constraint.conname ?? constraint.indexname), kind: indexKind(schema, relation) }]);
    }
    if ((subtype === 'AT_ClusterOn' || subtype === 'AT_ReplicaIdentity') && indexNameOf(cmd)) {
      namedIndexes.push(qualify(relationSchema, indexNameOf(cmd)!));
    }
    const partition = partitionName(cmd);
    if (partition) {
      const name = schema.resolve(partition);
      set('partition', [name]);
      set('partition.indexes', schema.indexesOf(name));
    }
  }
  set('index', namedIndexes);

  if (columns.size > 0) columnRoles(relation, partitions, columns, typeChanges, sink);
  if (constraintNames.size > 0) constraintRoles(relation, partitions, constraintNames, sink);
}

/** RENAME TO of these object kinds renames the relation the statement names. */
const RENAMED_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);

/** ALTER TABLE … RENAME [COLUMN | CONSTRAINT] / ALTER INDEX … RENAME / ALTER TABLE | VIEW | SEQUENCE … RENAME TO. */
export function renameTargets(stmt: Record<string, unknown>, sink: RoleSink): void {
  const { schema, set, targets } = sink;
  const rv = stmt.relation as RangeVar | undefined;
  if (!rv) return;
  const relation = schema.resolve(rv);
  const renameType = stmt.renameType as string | undefined;
  const newname = stmt.newname as string | undefined;
  const kind = schema.relationKind(relation);
  if (RENAMED_RELATIONS.has(renameType ?? '') && newname) {
    const renamed = qualify(splitQualified(relation)[0], newname);
    const role: Role = kind === 'index' || kind === 'partitioned index' || (kind === undefined && renameType === 'OBJECT_INDEX') ? 'index' : 'table';
    set(role, [renamed]);
    if (kind) addKinds(targets, [{ name: renamed, kind }]);
    return;
  }
  set('table', [relation]);
  set('table.indexes', schema.indexesOf(relation));
  const partitions = rv.inh === true ? allPartitions(relation, schema) : [];
  if (renameType !== 'OBJECT_TABCONSTRAINT') set('table.partitions', partitions);
  if (kind === 'table') {
    set('table.inheritors.direct', schema.inheritorsOf(relation));
    if (renameType === 'OBJECT_COLUMN' && rv.inh === true) set('table.inheritors', allInheritors(relation, schema));
  }
  if (renameType === 'OBJECT_TABCONSTRAINT' && typeof stmt.subname === 'string' && newname) {
    const constraint = schema.constraintsOf(relation).find((c) => c.name === stmt.subname);
    if (constraint?.index) {
      // The index backing a PRIMARY KEY / UNIQUE / EXCLUDE constraint is renamed with it.
      const renamed = qualify(splitQualified(constraint.index)[0], newname);
      set('constraint.indexes', [renamed]);
      addKinds(targets, [{ name: renamed, kind: indexKind(schema, relation) }]);
    }
    // Partitions inherit CHECK (and NOT NULL) constraints under the same name, and rename them too.
    const inheritedBy = partitions.filter((p) => schema.constraintsOf(p).some((c) => c.name === stmt.subname && (c.kind === 'check' || c.kind === 'not-null')));
    set('table.partitions', inheritedBy);
  }
}

/** ALTER TABLE … SET SCHEMA: the table and the sequences its columns own move. */
export function alterObjectSchemaTargets(stmt: Record<string, unknown>, sink: RoleSink): void {
  const { schema, set, targets } = sink;
  const rv = stmt.relation as RangeVar | undefined;
  const newschema = stmt.newschema as string | undefined;
  if (!rv || !newschema) return;
  const relation = schema.resolve(rv);
  const moved = qualify(newschema, splitQualified(relation)[1]);
  set('table', [moved]);
  const kind = schema.relationKind(relation);
  if (kind) addKinds(targets, [{ name: moved, kind }]);
  const sequences = schema.sequencesOf(relation).map((s) => qualify(newschema, splitQualified(s)[1]));
  set('table.sequences', sequences);
  addKinds(targets, sequences.map((name) => ({ name, kind: 'sequence' as const })));
}

function columnRoles(
  relation: string,
  partitions: string[],
  columns: Set<string>,
  typeChanges: Map<string, ColumnTypeChange>,
  { schema, set }: RoleSink,
): void {
  const tables = [relation, ...partitions];
  const dependent = tables.flatMap((t) => schema.indexesOf(t)).filter((name) => {
    const index = schema.indexFacts(name);
    return index !== undefined && indexDependsOn(index, columns);
  });
  set('column.indexes', dependent);
  if (typeChanges.size > 0) {
    set(
      'column.indexes.rebuilt',
      dependent.filter((name) => {
        const index = schema.indexFacts(name)!;
        // Partitioned indexes have no storage: nothing to keep or rebuild.
        return schema.relationKind(name) !== 'partitioned index' && !indexKeptWithoutRewrite(index, typeChanges);
      }),
    );
  }
  const mentions = (cols: readonly string[]): boolean => cols.some((c) => columns.has(c));
  const referenced = schema.foreignKeysFrom(relation).filter((fk) => mentions(fk.columns)).map((fk) => fk.referenced);
  set('column.referenced', referenced.filter((t) => t !== relation));
  set('column.referenced.indexes', referenced.filter((t) => t !== relation).flatMap((t) => schema.indexesOf(t)));
  const referencing = referencingTables(relation, schema, (fk) => mentions(fk.references?.columns ?? []));
  set('column.referencing', referencing);
  set('column.referencing.indexes', referencing.flatMap((t) => schema.indexesOf(t)));
  set('column.sequences', [...columns].map((c) => schema.sequenceOf(relation, c)).filter((s): s is string => s !== undefined));
}

function constraintRoles(relation: string, partitions: string[], names: Set<string>, { schema, set }: RoleSink): void {
  const constraints = schema.constraintsOf(relation).filter((c) => names.has(c.name));
  const indexes = constraints.map((c) => c.index).filter((i): i is string => i !== undefined);
  // Partition-level indexes attached to a partitioned constraint's index go with it.
  const attached = partitions.flatMap((p) => schema.indexesOf(p)).filter((i) => {
    const parent = schema.indexFacts(i)?.parent;
    return parent !== undefined && indexes.includes(parent);
  });
  set('constraint.indexes', [...indexes, ...attached]);
  const referenced = constraints.map((c) => c.references?.table).filter((t): t is string => t !== undefined && t !== relation);
  set('constraint.referenced', referenced);
  set('constraint.referenced.indexes', referenced.flatMap((t) => schema.indexesOf(t)));
  const keys = constraints.filter((c) => c.kind === 'primary-key' || c.kind === 'unique');
  set(
    'constraint.referencing',
    referencingTables(relation, schema, (fk) => keys.some((k) => sameColumns(k.columns, fk.references?.columns ?? []))),
  );
}

/** Other tables with a FOREIGN KEY to `relation` that satisfies `matches`. */
function referencingTables(relation: string, schema: SchemaLookup, matches: (fk: ConstraintFacts) => boolean): string[] {
  const tables = [...new Set(schema.foreignKeysTo(relation).map((fk) => fk.table))].filter((t) => t !== relation);
  return tables.filter((t) => schema.constraintsOf(t).some((c) => c.kind === 'foreign-key' && c.references?.table === relation && matches(c)));
}

function typeChange(relation: string, cmd: AlterTableCmd, schema: SchemaLookup): ColumnTypeChange | undefined {
  const def = (cmd.def as { ColumnDef?: { typeName?: TypeName; collClause?: { CollateClause?: unknown }; raw_default?: Node } } | undefined)?.ColumnDef;
  const current = schema.columnType(relation, cmd.name!);
  if (!def?.typeName || !current) return undefined;
  const collation = collationName((def as { collClause?: unknown }).collClause);
  return {
    column: cmd.name!,
    from: current.type,
    ...(current.collation !== undefined ? { fromCollation: current.collation } : {}),
    to: schema.resolveType(def.typeName),
    ...(collation !== undefined ? { toCollation: collation } : {}),
    ...(def.raw_default !== undefined ? { using: def.raw_default } : {}),
    toTypeName: def.typeName,
    pgVersion: 0, // not used for index compatibility
  };
}

/**
 * Subcommands that can create an index or a sequence: ADD COLUMN with serial, identity, UNIQUE or PRIMARY KEY,
 * ADD CONSTRAINT building an index, ADD IDENTITY, ATTACH PARTITION (the partition's missing indexes).
 */
function mayCreateRelations(cmd: AlterTableCmd): boolean {
  switch (cmd.subtype) {
    case 'AT_AddIdentity':
    case 'AT_AttachPartition':
      return true;
    case 'AT_AddConstraint': {
      const constraint = (cmd.def as { Constraint?: { contype?: string; indexname?: string } } | undefined)?.Constraint;
      return ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(constraint?.contype ?? '') && !constraint?.indexname;
    }
    case 'AT_AddColumn': {
      const def = (cmd.def as { ColumnDef?: { typeName?: TypeName; constraints?: Node[] } } | undefined)?.ColumnDef;
      const typeNames = (def?.typeName?.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
      const serial = typeNames.length === 1 && /^(small|big)?serial[248]?$/.test(typeNames[0]!);
      return serial || (def?.constraints ?? []).some((c) => ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_IDENTITY'].includes((c as { Constraint?: { contype?: string } }).Constraint?.contype ?? ''));
    }
    default:
      return false;
  }
}

function collationName(clause: unknown): string | undefined {
  const names = (clause as { collname?: Array<{ String?: { sval?: string } }> } | undefined)?.collname;
  if (!names || names.length === 0) return undefined;
  return names.map((n) => n.String?.sval ?? '').join('.');
}

function partitionName(cmd: AlterTableCmd): RangeVar | undefined {
  return (cmd.def as { PartitionCmd?: { name?: RangeVar } } | undefined)?.PartitionCmd?.name;
}

/** CLUSTER ON idx names the index in `name`; REPLICA IDENTITY USING INDEX idx in def.ReplicaIdentityStmt.name. */
function indexNameOf(cmd: AlterTableCmd): string | undefined {
  if (cmd.subtype === 'AT_ClusterOn') return cmd.name;
  const identity = (cmd.def as { ReplicaIdentityStmt?: { identity_type?: string; name?: string } } | undefined)?.ReplicaIdentityStmt;
  return identity?.identity_type === 'i' ? identity.name : undefined;
}

function indexKind(schema: SchemaLookup, table: string): RelationKind {
  return schema.relationKind(table) === 'partitioned table' ? 'partitioned index' : 'index';
}

function addKinds(targets: Targets, relations: ReadonlyArray<{ name: string; kind: RelationKind }>): void {
  if (relations.length === 0) return;
  targets.kinds = { ...(targets.kinds ?? {}) };
  for (const { name, kind } of relations) targets.kinds[name] = kind;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/** Inheritance descendants of `table`, children before grandchildren, each once (multiple inheritance). */
export function allInheritors(table: string, schema: SchemaLookup): string[] {
  const out: string[] = [];
  const queue = [...schema.inheritorsOf(table)];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (out.includes(next) || next === table) continue;
    out.push(next);
    queue.push(...schema.inheritorsOf(next));
  }
  return out;
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

/** `public.t` → ['public', 't'], `"My Schema"."T"` → ['My Schema', 'T'] (quote_ident-style names). */
export function splitQualified(name: string): [string, string] {
  const parts: string[] = [];
  const pattern = /"((?:[^"]|"")*)"|([^."]+)/g;
  for (let m = pattern.exec(name); m; m = pattern.exec(name)) parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
  return parts.length >= 2 ? [parts[parts.length - 2]!, parts[parts.length - 1]!] : ['public', parts[0] ?? name];
}
