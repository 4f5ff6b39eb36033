// Tables, columns, constraints and indexes: the shared building blocks of CREATE TABLE, ALTER TABLE, CREATE INDEX,
// partitioning, DROP and RENAME. Each function replaces immutable records through the ApplyContext.
import type {
  ColumnDef,
  Constraint as ConstraintNode,
  CreateStmt,
  IndexElem,
  Node,
  PartitionElem,
  RangeVar,
  TableLikeClause,
} from '@pgsql/types';
import { columnRefNames, figureColumnName, nodeAs, nodeKind, renameColumnRefs, stringList } from './ast';
import { queryUsesColumn } from './views';
import { ApplyContext, newRelation } from './context';
import { IndexList } from './index-list';
import type {
  Column,
  ColumnType,
  Constraint,
  ForeignKeyAction,
  Index,
  IndexColumn,
  Origin,
  Persistence,
  Relation,
} from './model';
import { chooseObjectName, nameAddition, qualifiedKey } from './names';
import { builtinType, columnTypeOf, serialBaseType } from './type-names';

// ---------------------------------------------------------------------------------------------------------------
// Columns

/** What a ColumnDef's inline constraints ask for beyond the column itself. */
interface ColumnPlan {
  column: Column;
  /** Inline PRIMARY KEY / UNIQUE / CHECK / REFERENCES, rewritten as table constraints on this column. */
  constraints: ConstraintNode[];
  /** serial / identity: the owned sequence to create once the table exists. */
  sequence?: { dataType: ColumnType; identity: boolean };
}

export function columnTypeFor(ctx: ApplyContext, def: ColumnDef): ColumnType {
  return columnTypeOf(def.typeName, (schema, name) => ctx.store.resolveTypeSchema(schema, name));
}

/** Reads a ColumnDef. `base` is the inherited column the definition refines (PARTITION OF … (a NOT NULL)). */
export function planColumn(ctx: ApplyContext, def: ColumnDef, base?: Column): ColumnPlan {
  const serialBase = serialBaseType(def.typeName);
  let column: Column = base ?? {
    name: def.colname ?? '',
    type: serialBase ? builtinType(serialBase) : columnTypeFor(ctx, def),
    notNull: false,
    inherited: false,
    createdBy: ctx.origin,
  };
  if (base && def.typeName) column = { ...column, type: columnTypeFor(ctx, def) };
  const constraints: ConstraintNode[] = [];
  let sequence: ColumnPlan['sequence'];
  if (serialBase) {
    // serial = integer + NOT NULL + DEFAULT nextval(owned sequence) (PostgreSQL docs, "Serial Types").
    column = { ...column, notNull: true, serial: true };
    sequence = { dataType: builtinType(serialBase), identity: false };
  }
  if (def.is_not_null) column = { ...column, notNull: true };
  if (def.raw_default) column = { ...column, default: def.raw_default };
  const collation = stringList(def.collClause?.collname);
  if (collation.length > 0) column = { ...column, collation: collation.join('.') };
  let last: ConstraintNode | undefined;
  for (const n of def.constraints ?? []) {
    const c = nodeAs<ConstraintNode>(n, 'Constraint');
    if (!c) continue;
    switch (c.contype) {
      case 'CONSTR_NULL':
        column = { ...column, notNull: false };
        break;
      case 'CONSTR_NOTNULL':
        column = { ...column, notNull: true };
        break;
      case 'CONSTR_DEFAULT':
        column = c.raw_expr ? { ...column, default: c.raw_expr } : column;
        break;
      case 'CONSTR_IDENTITY':
        // Identity columns are implicitly NOT NULL and own a sequence (CREATE TABLE docs, GENERATED … AS IDENTITY).
        column = { ...column, notNull: true, identity: c.generated_when === 'a' ? 'always' : 'by-default' };
        sequence = { dataType: column.type, identity: true };
        break;
      case 'CONSTR_GENERATED':
        if (c.raw_expr) column = { ...column, generated: { expression: c.raw_expr, stored: c.generated_kind !== 'v' } };
        break;
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE':
      case 'CONSTR_EXCLUSION':
        last = { ...c, keys: [{ String: { sval: column.name } }] };
        constraints.push(last);
        break;
      case 'CONSTR_CHECK':
        last = c;
        constraints.push(last);
        break;
      case 'CONSTR_FOREIGN':
        last = { ...c, fk_attrs: [{ String: { sval: column.name } }] };
        constraints.push(last);
        break;
      // Column constraint attributes follow the constraint they modify (transformConstraintAttrs).
      case 'CONSTR_ATTR_DEFERRABLE':
      case 'CONSTR_ATTR_NOT_DEFERRABLE':
      case 'CONSTR_ATTR_DEFERRED':
      case 'CONSTR_ATTR_IMMEDIATE':
      case 'CONSTR_ATTR_ENFORCED':
      case 'CONSTR_ATTR_NOT_ENFORCED':
        if (last) {
          const i = constraints.indexOf(last);
          last = applyConstraintAttr(last, c.contype);
          constraints[i] = last;
        }
        break;
      default:
        break;
    }
  }
  return { column, constraints, sequence };
}

function applyConstraintAttr(c: ConstraintNode, attr: ConstraintNode['contype']): ConstraintNode {
  switch (attr) {
    case 'CONSTR_ATTR_DEFERRABLE':
      return { ...c, deferrable: true };
    case 'CONSTR_ATTR_NOT_DEFERRABLE':
      return { ...c, deferrable: false };
    case 'CONSTR_ATTR_DEFERRED':
      return { ...c, initdeferred: true };
    case 'CONSTR_ATTR_IMMEDIATE':
      return { ...c, initdeferred: false };
    case 'CONSTR_ATTR_ENFORCED':
      return { ...c, is_enforced: true };
    case 'CONSTR_ATTR_NOT_ENFORCED':
      return { ...c, is_enforced: false };
    default:
      return c;
  }
}

/** nextval('schema.seq'::regclass), the default PostgreSQL gives a serial column. */
export function nextvalDefault(sequenceKey: string): Node {
  return {
    FuncCall: {
      funcname: [{ String: { sval: 'nextval' } }],
      args: [
        {
          TypeCast: {
            arg: { A_Const: { sval: { sval: sequenceKey } } },
            typeName: { names: [{ String: { sval: 'regclass' } }], typemod: -1 },
          },
        },
      ],
      funcformat: 'COERCE_EXPLICIT_CALL',
    },
  };
}

/** Creates the sequence a serial or identity column owns (named table_column_seq, as PostgreSQL does). */
export function createOwnedSequence(
  ctx: ApplyContext,
  table: { schema: string; name: string; key: string },
  column: string,
  dataType: ColumnType,
  identity: boolean,
): string {
  const name = chooseObjectName(table.name, column, 'seq', (n) => ctx.store.classNameTaken(table.schema, n));
  const seq = newRelation('sequence', table.schema, name, {
    sequence: { dataType, identity, ownedBy: { table: table.key, column } },
    createdBy: ctx.origin,
  });
  ctx.putRelation(seq);
  return seq.key;
}

/** Adds a fully planned column to a table (and, when `recurse`, to its partitions and inheritance children). */
export function addColumn(ctx: ApplyContext, tableKey: string, plan: ColumnPlan, recurse: boolean): void {
  const rel = ctx.relation(tableKey);
  if (!rel) return;
  let column = plan.column;
  if (plan.sequence) {
    const seqKey = createOwnedSequence(ctx, rel, column.name, plan.sequence.dataType, plan.sequence.identity);
    if (!plan.sequence.identity) column = { ...column, default: nextvalDefault(seqKey) };
  }
  ctx.putRelation({ ...rel, columns: [...rel.columns, column] });
  if (recurse) {
    for (const childKey of rel.children) {
      const child = ctx.relation(childKey);
      if (!child || child.columns.some((c) => c.name === column.name)) continue;
      addColumn(ctx, childKey, { column: { ...column, inherited: true }, constraints: [] }, true);
    }
  }
  // Constraints declared with a new column are checked by the ALTER itself and start valid (NOT VALID cannot be
  // written on a column constraint).
  for (const c of plan.constraints) addConstraint(ctx, tableKey, c, { creating: true, recurse });
}

export function updateColumn(
  ctx: ApplyContext,
  tableKey: string,
  columnName: string,
  change: (c: Column) => Column,
  recurse: boolean,
): boolean {
  let found = false;
  const keys = recurse ? ctx.withDescendants(tableKey) : [tableKey];
  for (const key of keys) {
    ctx.updateRelation(key, (rel) => {
      const i = rel.columns.findIndex((c) => c.name === columnName);
      if (i < 0) return rel;
      if (key === tableKey) found = true;
      const next = change(rel.columns[i]!);
      if (next === rel.columns[i]) return rel;
      const columns = rel.columns.slice();
      columns[i] = next;
      return { ...rel, columns };
    });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// CREATE TABLE

const LIKE_CONSTRAINTS = 1 << 2;
const LIKE_DEFAULTS = 1 << 3;
const LIKE_GENERATED = 1 << 4;
const LIKE_IDENTITY = 1 << 5;
const LIKE_INDEXES = 1 << 6;

function persistenceOf(rv: RangeVar): Persistence {
  return rv.relpersistence === 't' ? 'temporary' : rv.relpersistence === 'u' ? 'unlogged' : 'permanent';
}

export function createTable(ctx: ApplyContext, stmt: CreateStmt, foreign: boolean): void {
  if (!stmt.relation) return;
  const target = ctx.targetOf(stmt.relation);
  if (ctx.store.classNameTaken(target.schema, target.name)) {
    if (stmt.if_not_exists) return;
    ctx.problem('duplicate-object', `relation ${target.key} already exists; the new definition replaces it`, target.key);
    dropRelation(ctx, target.key, true);
  }
  const partitionOf = stmt.partbound !== undefined;
  const parents = (stmt.inhRelations ?? [])
    .map((n) => nodeAs<RangeVar>(n, 'RangeVar'))
    .filter((rv): rv is RangeVar => rv !== undefined)
    .map((rv) => ctx.relationForAlter(rv, partitionOf ? 'partitioned-table' : 'table', false))
    .filter((r): r is Relation => r !== undefined);
  const isPartition = partitionOf && parents.length > 0;

  const columns: Column[] = [];
  const pending: ConstraintNode[] = [];
  const sequences: { column: string; dataType: ColumnType; identity: boolean }[] = [];
  const likeSources: { source: Relation; options: number }[] = [];
  const upsert = (col: Column) => {
    const i = columns.findIndex((c) => c.name === col.name);
    if (i < 0) columns.push(col);
    else columns[i] = col;
  };

  for (const parent of parents) {
    for (const pc of parent.columns) {
      const existing = columns.find((c) => c.name === pc.name);
      // Identity is not inherited by plain inheritance children, only by partitions (PostgreSQL 17+).
      const { identity: _identity, ...withoutIdentity } = pc;
      const inheritedColumn: Column = { ...(isPartition ? pc : withoutIdentity), inherited: true, createdBy: ctx.origin };
      upsert(existing ? { ...existing, notNull: existing.notNull || pc.notNull } : inheritedColumn);
    }
  }
  if (stmt.ofTypename) {
    const type = columnTypeOf(stmt.ofTypename, (s, n) => ctx.store.resolveTypeSchema(s, n));
    const info = type.schema !== undefined ? ctx.store.types.get(qualifiedKey(type.schema, type.name)) : undefined;
    if (info?.kind === 'composite') {
      for (const a of info.attributes) {
        upsert({ name: a.name, type: a.type, notNull: false, inherited: false, createdBy: ctx.origin });
      }
    }
  }
  for (const elt of stmt.tableElts ?? []) {
    const kind = nodeKind(elt);
    if (kind === 'ColumnDef') {
      const def = (elt as { ColumnDef: ColumnDef }).ColumnDef;
      const base = columns.find((c) => c.name === def.colname);
      const plan = planColumn(ctx, def, base);
      upsert(base ? { ...plan.column, inherited: base.inherited } : plan.column);
      pending.push(...plan.constraints);
      if (plan.sequence) sequences.push({ column: plan.column.name, ...plan.sequence });
    } else if (kind === 'Constraint') {
      pending.push((elt as { Constraint: ConstraintNode }).Constraint);
    } else if (kind === 'TableLikeClause') {
      const like = (elt as { TableLikeClause: TableLikeClause }).TableLikeClause;
      const source = like.relation ? ctx.relationForAlter(like.relation, 'table', false) : undefined;
      if (!source) continue;
      const options = like.options ?? 0;
      likeSources.push({ source, options });
      for (const sc of source.columns) {
        // LIKE always copies NOT NULL; defaults, generated expressions and identity only when asked.
        let col: Column = { name: sc.name, type: sc.type, notNull: sc.notNull, inherited: false, createdBy: ctx.origin };
        if (sc.collation) col = { ...col, collation: sc.collation };
        // A serial column's nextval() default is copied as is, still pointing at the source table's sequence.
        if (sc.default && options & LIKE_DEFAULTS) col = { ...col, default: sc.default };
        if (sc.generated && options & LIKE_GENERATED) col = { ...col, generated: sc.generated };
        if (sc.identity && options & LIKE_IDENTITY) {
          col = { ...col, identity: sc.identity };
          sequences.push({ column: sc.name, dataType: sc.type, identity: true });
        }
        upsert(col);
      }
    }
  }

  const spec = stmt.partspec;
  const rel = newRelation(spec ? 'partitioned-table' : foreign ? 'foreign-table' : 'table', target.schema, target.name, {
    persistence: persistenceOf(stmt.relation),
    columns,
    createdBy: ctx.origin,
    ...(spec
      ? {
          partitionKey: {
            strategy:
              spec.strategy === 'PARTITION_STRATEGY_LIST'
                ? ('list' as const)
                : spec.strategy === 'PARTITION_STRATEGY_HASH'
                  ? ('hash' as const)
                  : ('range' as const),
            parts: (spec.partParams ?? []).map((p) => {
              const e = nodeAs<PartitionElem>(p, 'PartitionElem') ?? {};
              return e.name !== undefined ? { column: e.name } : { expression: e.expr };
            }),
          },
        }
      : {}),
    ...(isPartition
      ? { partitionOf: parents[0]!.key, partitionBound: { PartitionBoundSpec: stmt.partbound! } as Node }
      : { inherits: parents.map((p) => p.key) }),
  });
  ctx.putRelation(rel);
  for (const parent of parents) {
    ctx.updateRelation(parent.key, (p) => ({ ...p, children: [...p.children, rel.key] }));
  }
  for (const s of sequences) {
    const seqKey = createOwnedSequence(ctx, rel, s.column, s.dataType, s.identity);
    if (!s.identity) updateColumn(ctx, rel.key, s.column, (c) => ({ ...c, default: nextvalDefault(seqKey) }), false);
  }

  // Inherited CHECK constraints keep their names; partitions also get the parent's FKs and indexes.
  for (const parent of parents) {
    for (const c of parent.constraints) {
      const inheritable = (c.kind === 'check' && !c.noInherit) || (isPartition && c.kind === 'foreign-key');
      if (inheritable) addConstraintRecord(ctx, rel.key, { ...c, inherited: true, createdBy: ctx.origin });
    }
  }
  if (isPartition) cloneParentIndexes(ctx, parents[0]!.key, rel.key);

  for (const { source, options } of likeSources) {
    if (options & LIKE_CONSTRAINTS) {
      for (const c of source.constraints) {
        if (c.kind === 'check') addConstraintRecord(ctx, rel.key, { ...c, inherited: false, createdBy: ctx.origin });
      }
    }
    if (options & LIKE_INDEXES) {
      for (const idx of source.indexes) {
        const kind = idx.constraint
          ? source.constraints.find((c) => c.name === idx.constraint)?.kind
          : undefined;
        defineIndex(ctx, rel.key, {
          unique: idx.unique,
          primary: idx.primary,
          columns: idx.columns,
          include: idx.include,
          predicate: idx.predicate,
          method: idx.method,
          nullsNotDistinct: idx.nullsNotDistinct,
          concurrently: false,
          constraint:
            kind === 'primary-key' || kind === 'unique' || kind === 'exclusion'
              ? { kind, deferrable: false, initiallyDeferred: false }
              : undefined,
        });
      }
    }
  }
  // PostgreSQL adds CHECK constraints with the table, then builds the key indexes, then the foreign keys; that
  // order decides which generated name wins a collision. A new table is empty, so even NOT VALID constraints
  // start valid (transformCheckConstraints, transformFKConstraints).
  const phase = (c: ConstraintNode): number =>
    c.contype === 'CONSTR_FOREIGN' ? 2 : c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_NOTNULL' ? 0 : 1;
  for (const c of pending) if (phase(c) === 0) addConstraint(ctx, rel.key, c, { creating: true, recurse: true });
  for (const c of dedupeKeyConstraints(pending.filter((c) => phase(c) === 1))) {
    addConstraint(ctx, rel.key, c, { creating: true, recurse: true });
  }
  for (const c of pending) if (phase(c) === 2) addConstraint(ctx, rel.key, c, { creating: true, recurse: true });
}

/**
 * transformIndexConstraints: the primary key's index is built first, and a key constraint identical to an earlier
 * one (`id text UNIQUE PRIMARY KEY`) is dropped, its name passed on to the earlier one if that was unnamed.
 */
function dedupeKeyConstraints(constraints: readonly ConstraintNode[]): ConstraintNode[] {
  const primary = constraints.find((c) => c.contype === 'CONSTR_PRIMARY');
  const kept: ConstraintNode[] = primary ? [primary] : [];
  const shape = (c: ConstraintNode) =>
    JSON.stringify([
      c.contype === 'CONSTR_EXCLUSION' ? c.exclusions : stringList(c.keys),
      stringList(c.including),
      c.where_clause ?? null,
      c.access_method ?? 'btree',
      c.nulls_not_distinct === true,
      c.deferrable === true,
      c.initdeferred === true,
      c.contype === 'CONSTR_EXCLUSION',
    ], (k, v) => (k === 'location' ? undefined : v));
  for (const c of constraints) {
    if (c === primary) continue;
    if (c.indexname) {
      kept.push(c);
      continue;
    }
    const i = kept.findIndex((k) => !k.indexname && shape(k) === shape(c));
    if (i < 0) kept.push(c);
    else if (kept[i]!.conname === undefined && c.conname !== undefined) kept[i] = { ...kept[i]!, conname: c.conname };
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------------------------
// Constraints

export interface AddConstraintOptions {
  /** Part of CREATE TABLE (or ADD COLUMN): the table is new or the column is new, so constraints start valid. */
  creating: boolean;
  /** Reach partitions / inheritance children (not ONLY). */
  recurse: boolean;
}

const FK_ACTIONS: Record<string, ForeignKeyAction> = {
  a: 'no-action',
  r: 'restrict',
  c: 'cascade',
  n: 'set-null',
  d: 'set-default',
};

/** Applies a Constraint node (table constraint or inline column constraint rewritten as one). */
export function addConstraint(
  ctx: ApplyContext,
  tableKey: string,
  con: ConstraintNode,
  options: AddConstraintOptions,
): void {
  const rel = ctx.relation(tableKey);
  if (!rel) return;
  const deferrable = con.deferrable === true;
  const initiallyDeferred = con.initdeferred === true;
  switch (con.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
    case 'CONSTR_EXCLUSION': {
      const kind = con.contype === 'CONSTR_PRIMARY' ? 'primary-key' : con.contype === 'CONSTR_UNIQUE' ? 'unique' : 'exclusion';
      if (con.indexname) {
        constraintUsingIndex(ctx, rel, con, kind === 'exclusion' ? 'unique' : kind);
        return;
      }
      const columns: IndexColumn[] =
        kind === 'exclusion'
          ? (con.exclusions ?? []).map((pair) => {
              const items = nodeAs<{ items?: Node[] }>(pair, 'List')?.items ?? [];
              return indexColumnOf(nodeAs<IndexElem>(items[0], 'IndexElem') ?? {});
            })
          : stringList(con.keys).map((column) => ({ column, descending: false }));
      defineIndex(ctx, tableKey, {
        name: con.conname,
        unique: kind !== 'exclusion',
        primary: kind === 'primary-key',
        columns,
        include: stringList(con.including),
        predicate: con.where_clause,
        method: con.access_method ?? 'btree',
        nullsNotDistinct: con.nulls_not_distinct === true,
        concurrently: false,
        constraint: { kind, deferrable, initiallyDeferred },
      });
      return;
    }
    case 'CONSTR_CHECK': {
      if (!con.raw_expr) return;
      const known = new Set(rel.columns.map((c) => c.name));
      const mentioned = [...columnRefNames(con.raw_expr)].filter((c) => rel.partial || known.has(c));
      // PostgreSQL names a check tab_col_check when it mentions exactly one column, else tab_check.
      const name =
        con.conname ??
        chooseObjectName(rel.name, mentioned.length === 1 ? mentioned[0] : undefined, 'check', takenConstraintName(ctx, rel.schema));
      const enforced = con.is_enforced === true;
      addConstraintRecord(
        ctx,
        tableKey,
        {
          name,
          kind: 'check',
          columns: mentioned,
          valid: enforced && (options.creating || con.skip_validation !== true),
          enforced,
          deferrable: false,
          initiallyDeferred: false,
          noInherit: con.is_no_inherit === true,
          inherited: false,
          expression: con.raw_expr,
          createdBy: ctx.origin,
        },
        options.recurse && con.is_no_inherit !== true ? 'all-children' : 'none',
      );
      return;
    }
    case 'CONSTR_FOREIGN': {
      const columns = stringList(con.fk_attrs);
      const refKey = con.pktable ? ctx.relationKeyOf(con.pktable) : '';
      const referenced = ctx.relation(refKey);
      let refColumns = stringList(con.pk_attrs);
      if (refColumns.length === 0 && referenced) {
        refColumns = [...(referenced.constraints.find((c) => c.kind === 'primary-key')?.columns ?? [])];
      }
      const name =
        con.conname ?? chooseObjectName(rel.name, nameAddition(columns), 'fkey', takenConstraintName(ctx, rel.schema));
      const enforced = con.is_enforced === true;
      addConstraintRecord(
        ctx,
        tableKey,
        {
          name,
          kind: 'foreign-key',
          columns,
          valid: enforced && (options.creating || con.skip_validation !== true),
          enforced,
          deferrable,
          initiallyDeferred,
          noInherit: false,
          inherited: false,
          references: {
            table: refKey,
            columns: refColumns,
            onDelete: FK_ACTIONS[con.fk_del_action ?? 'a'] ?? 'no-action',
            onUpdate: FK_ACTIONS[con.fk_upd_action ?? 'a'] ?? 'no-action',
            match: con.fk_matchtype === 'f' ? 'full' : con.fk_matchtype === 'p' ? 'partial' : 'simple',
          },
          createdBy: ctx.origin,
        },
        // Foreign keys on a partitioned table are cloned to every partition; plain inheritance does not copy them.
        options.recurse ? 'partitions' : 'none',
      );
      // The referenced table gains a fact (it is referenced), so its digest must move too.
      if (referenced) ctx.touchRelation(refKey);
      return;
    }
    case 'CONSTR_NOTNULL': {
      const columns = stringList(con.keys);
      if (con.skip_validation) {
        // PostgreSQL 18: ADD CONSTRAINT … NOT NULL col NOT VALID records an unvalidated not-null constraint.
        for (const column of columns) {
          addConstraintRecord(ctx, tableKey, {
            name: con.conname ?? chooseObjectName(rel.name, column, 'not_null', takenConstraintName(ctx, rel.schema)),
            kind: 'not-null',
            columns: [column],
            valid: false,
            enforced: true,
            deferrable: false,
            initiallyDeferred: false,
            noInherit: con.is_no_inherit === true,
            inherited: false,
            createdBy: ctx.origin,
          });
        }
        return;
      }
      for (const column of columns) updateColumn(ctx, tableKey, column, (c) => ({ ...c, notNull: true }), options.recurse);
      return;
    }
    default:
      return;
  }
}

function takenConstraintName(ctx: ApplyContext, schema: string): (name: string) => boolean {
  return (name) => ctx.store.constraintNameTaken(schema, name);
}

/**
 * Stores a constraint record on a table; `propagate` copies it, with the same name, to partitions (foreign keys)
 * or to all children (CHECK), as PostgreSQL does for non-ONLY ALTER TABLE ADD CONSTRAINT.
 */
export function addConstraintRecord(
  ctx: ApplyContext,
  tableKey: string,
  constraint: Constraint,
  propagate: 'none' | 'partitions' | 'all-children' = 'none',
): void {
  const rel = ctx.updateRelation(tableKey, (r) => ({
    ...r,
    constraints: [...r.constraints.filter((c) => c.name !== constraint.name), constraint],
  }));
  if (!rel || propagate === 'none') return;
  for (const childKey of rel.children) {
    const child = ctx.relation(childKey);
    if (!child) continue;
    if (propagate === 'partitions' && child.partitionOf !== tableKey) continue;
    addConstraintRecord(ctx, childKey, { ...constraint, inherited: true }, propagate);
  }
}

/** ADD CONSTRAINT name PRIMARY KEY / UNIQUE USING INDEX idx: the index is renamed to the constraint's name. */
function constraintUsingIndex(
  ctx: ApplyContext,
  rel: Relation,
  con: ConstraintNode,
  kind: 'primary-key' | 'unique',
): void {
  const indexKey = qualifiedKey(rel.schema, con.indexname!);
  let index = rel.indexes.find((i) => i.key === indexKey);
  if (!index) {
    ctx.problem('unknown-index', `index ${indexKey} does not exist on ${rel.key}`, indexKey);
    return;
  }
  const name = con.conname ?? index.name;
  if (name !== index.name) {
    renameIndex(ctx, indexKey, name);
    index = ctx.relation(rel.key)!.indexes.find((i) => i.name === name)!;
  }
  const columns = index.columns.map((c) => c.column ?? '');
  ctx.updateRelation(rel.key, (r) => ({
    ...r,
    indexes: r.indexes.replace((i) => (i.key === index!.key ? { ...i, constraint: name, primary: kind === 'primary-key' } : i)),
    columns:
      kind === 'primary-key' ? r.columns.map((c) => (columns.includes(c.name) ? { ...c, notNull: true } : c)) : r.columns,
  }));
  addConstraintRecord(ctx, rel.key, {
    name,
    kind,
    columns,
    valid: true,
    enforced: true,
    deferrable: con.deferrable === true,
    initiallyDeferred: con.initdeferred === true,
    noInherit: false,
    inherited: false,
    index: index.key,
    createdBy: ctx.origin,
  });
  ctx.noteKey(index.key);
}

export function dropConstraint(
  ctx: ApplyContext,
  tableKey: string,
  name: string,
  options: { missingOk: boolean; recurse: boolean },
): void {
  const rel = ctx.relation(tableKey);
  if (!rel) return;
  const constraint = rel.constraints.find((c) => c.name === name);
  if (!constraint) {
    // PostgreSQL 18 names every NOT NULL constraint table_column_not_null; dropping it drops NOT NULL.
    const column = rel.columns.find((c) => c.notNull && `${rel.name}_${c.name}_not_null` === name);
    if (column) {
      updateColumn(ctx, tableKey, column.name, (c) => ({ ...c, notNull: false }), options.recurse);
      return;
    }
    if (!options.missingOk && !rel.partial) {
      ctx.problem('unknown-constraint', `constraint ${name} of ${tableKey} does not exist`, tableKey);
    }
    return;
  }
  ctx.updateRelation(tableKey, (r) => ({ ...r, constraints: r.constraints.filter((c) => c.name !== name) }));
  if (constraint.index) dropIndexRecord(ctx, constraint.index, true);
  if (constraint.kind === 'not-null') {
    // nothing else: the column was never marked NOT NULL while the constraint was unvalidated
  }
  if (constraint.references) ctx.touchRelation(constraint.references.table);
  if (options.recurse) {
    for (const childKey of rel.children) {
      const child = ctx.relation(childKey);
      const inherited = child?.constraints.find((c) => c.name === name && c.inherited);
      if (inherited) dropConstraint(ctx, childKey, name, { missingOk: true, recurse: true });
    }
  }
}

export function renameConstraint(ctx: ApplyContext, tableKey: string, from: string, to: string): void {
  const rel = ctx.relation(tableKey);
  const constraint = rel?.constraints.find((c) => c.name === from);
  if (!rel || !constraint) {
    if (rel && !rel.partial) ctx.problem('unknown-constraint', `constraint ${from} of ${tableKey} does not exist`, tableKey);
    return;
  }
  // The index behind a key constraint always carries the constraint's name (RenameConstraint renames it too).
  if (constraint.index) {
    renameIndex(ctx, constraint.index, to);
    return;
  }
  ctx.updateRelation(tableKey, (r) => ({
    ...r,
    constraints: r.constraints.map((c) => (c.name === from ? { ...c, name: to } : c)),
  }));
  for (const childKey of rel.children) {
    if (ctx.relation(childKey)?.constraints.some((c) => c.name === from && c.inherited)) {
      renameConstraint(ctx, childKey, from, to);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Indexes

export interface IndexSpec {
  name?: string;
  unique: boolean;
  primary: boolean;
  columns: readonly IndexColumn[];
  include: readonly string[];
  predicate?: Node;
  method: string;
  nullsNotDistinct: boolean;
  concurrently: boolean;
  /** CREATE INDEX … ON ONLY: the partitioned index starts invalid and partitions are not indexed. */
  only?: boolean;
  parent?: string;
  inherited?: boolean;
  /** The index backs a constraint, created along with it under the same name. */
  constraint?: { kind: 'primary-key' | 'unique' | 'exclusion'; deferrable: boolean; initiallyDeferred: boolean };
  createdBy?: Origin;
}

export function indexColumnOf(elem: IndexElem): IndexColumn {
  const opclass = stringList(elem.opclass);
  return {
    ...(elem.name !== undefined ? { column: elem.name } : { expression: elem.expr }),
    descending: elem.ordering === 'SORTBY_DESC',
    ...(opclass.length > 0 ? { opclass: opclass.join('.') } : {}),
  };
}

/** ChooseIndexColumnNames: column names, expression names (`lower`, else `expr`), de-duplicated with digits. */
function indexColumnNames(spec: IndexSpec): string[] {
  const out: string[] = [];
  const raw = [
    ...spec.columns.map((c) => c.column ?? figureColumnName(c.expression) ?? 'expr'),
    ...spec.include,
  ];
  for (const name of raw) {
    let candidate = name;
    for (let i = 1; out.includes(candidate); i++) candidate = `${name}${i}`;
    out.push(candidate);
  }
  return out;
}

function chooseIndexName(ctx: ApplyContext, rel: Relation, spec: IndexSpec): string {
  const isConstraint = spec.constraint !== undefined;
  const taken = (n: string) =>
    ctx.store.classNameTaken(rel.schema, n) || (isConstraint && takenConstraintName(ctx, rel.schema)(n));
  if (spec.primary) return chooseObjectName(rel.name, undefined, 'pkey', taken);
  const addition = nameAddition(indexColumnNames(spec));
  const label = spec.constraint?.kind === 'exclusion' ? 'excl' : isConstraint ? 'key' : 'idx';
  return chooseObjectName(rel.name, addition, label, taken, ctx.store.nameProbeHint(rel.schema, rel.name, addition, label));
}

/**
 * DefineIndex: stores the index (and its constraint), then recurses into partitions of a partitioned table,
 * linking each partition's index to the parent index.
 */
export function defineIndex(ctx: ApplyContext, tableKey: string, spec: IndexSpec): Index | undefined {
  const rel = ctx.relation(tableKey);
  if (!rel) return undefined;
  const name = spec.name ?? chooseIndexName(ctx, rel, spec);
  const key = qualifiedKey(rel.schema, name);
  const partitioned = rel.kind === 'partitioned-table';
  const index: Index = {
    schema: rel.schema,
    name,
    key,
    table: rel.key,
    method: spec.method,
    unique: spec.unique,
    primary: spec.primary,
    nullsNotDistinct: spec.nullsNotDistinct,
    columns: spec.columns,
    include: spec.include,
    ...(spec.predicate ? { predicate: spec.predicate } : {}),
    valid: !(partitioned && spec.only),
    concurrently: spec.concurrently,
    ...(spec.constraint ? { constraint: name } : {}),
    ...(spec.parent ? { parent: spec.parent } : {}),
    createdBy: spec.createdBy ?? ctx.origin,
  };
  // The store's index map says in O(1) whether the table already has an index by this key (it is then replaced);
  // scanning the list for it would make each CREATE INDEX cost the number of indexes on the table.
  const replaces = ctx.store.indexTable(key) === tableKey;
  ctx.noteKey(key);
  ctx.updateRelation(tableKey, (r) => ({
    ...r,
    indexes: (replaces ? r.indexes.without((i) => i.key === key) : r.indexes).append(index),
  }));
  if (spec.constraint) {
    const columns = spec.columns.map((c) => c.column ?? '').filter((c) => c !== '');
    if (spec.constraint.kind === 'primary-key') {
      for (const column of columns) updateColumn(ctx, tableKey, column, (c) => ({ ...c, notNull: true }), false);
    }
    addConstraintRecord(ctx, tableKey, {
      name,
      kind: spec.constraint.kind,
      columns,
      valid: true,
      enforced: true,
      deferrable: spec.constraint.deferrable,
      initiallyDeferred: spec.constraint.initiallyDeferred,
      noInherit: false,
      inherited: spec.inherited === true,
      ...(spec.constraint.kind === 'exclusion' && spec.predicate ? { expression: spec.predicate } : {}),
      index: key,
      ...(spec.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
      createdBy: ctx.origin,
    });
  }
  if (partitioned && !spec.only) {
    for (const childKey of rel.children) {
      const child = ctx.relation(childKey);
      if (child?.partitionOf !== rel.key) continue;
      defineIndex(ctx, childKey, { ...spec, name: undefined, parent: key, inherited: true });
    }
  }
  return index;
}

/** Partition indexes match the parent's when they index the same columns the same way (AttachPartitionEnsureIndexes). */
function sameIndexDefinition(a: Index, b: Index): boolean {
  const strip = (v: unknown) => JSON.stringify(v, (k, x) => (k === 'location' ? undefined : x));
  return (
    a.unique === b.unique &&
    a.method === b.method &&
    strip(a.columns) === strip(b.columns) &&
    strip(a.include) === strip(b.include) &&
    strip(a.predicate ?? null) === strip(b.predicate ?? null)
  );
}

/** Gives a new or attached partition an index for every index of its parent (reusing a matching one). */
export function cloneParentIndexes(ctx: ApplyContext, parentKey: string, childKey: string): void {
  const parent = ctx.relation(parentKey);
  if (!parent) return;
  for (const pidx of parent.indexes) {
    const child = ctx.relation(childKey);
    if (!child) return;
    const match = child.indexes.find((i) => i.parent === undefined && sameIndexDefinition(i, pidx));
    if (match) {
      ctx.updateRelation(childKey, (r) => ({
        ...r,
        indexes: r.indexes.replace((i) => (i.key === match.key ? { ...i, parent: pidx.key } : i)),
      }));
      if (pidx.constraint && !match.constraint) {
        const kind = parent.constraints.find((c) => c.name === pidx.constraint)?.kind;
        if (kind === 'primary-key' || kind === 'unique') {
          constraintUsingIndex(ctx, ctx.relation(childKey)!, { contype: 'CONSTR_PRIMARY', indexname: match.name }, kind);
        }
      }
      continue;
    }
    const kind = pidx.constraint ? parent.constraints.find((c) => c.name === pidx.constraint)?.kind : undefined;
    defineIndex(ctx, childKey, {
      unique: pidx.unique,
      primary: pidx.primary,
      columns: pidx.columns,
      include: pidx.include,
      predicate: pidx.predicate,
      method: pidx.method,
      nullsNotDistinct: pidx.nullsNotDistinct,
      concurrently: false,
      parent: pidx.key,
      inherited: true,
      constraint:
        kind === 'primary-key' || kind === 'unique' || kind === 'exclusion'
          ? { kind, deferrable: false, initiallyDeferred: false }
          : undefined,
    });
  }
  refreshPartitionedIndexValidity(ctx, parentKey);
}

/** A partitioned index becomes valid once every partition has an index attached to it. */
export function refreshPartitionedIndexValidity(ctx: ApplyContext, tableKey: string): void {
  const rel = ctx.relation(tableKey);
  if (!rel || rel.kind !== 'partitioned-table') return;
  const partitions = rel.children.map((k) => ctx.relation(k)).filter((c) => c?.partitionOf === tableKey) as Relation[];
  const changed = rel.indexes.replace((idx) => {
    if (idx.valid) return idx;
    const complete = partitions.every((p) => p.indexes.some((i) => i.parent === idx.key && i.valid));
    return complete ? { ...idx, valid: true } : idx;
  });
  if (changed !== rel.indexes) ctx.putRelation({ ...rel, indexes: changed });
  if (rel.partitionOf) refreshPartitionedIndexValidity(ctx, rel.partitionOf);
}

/** Removes an index record (and, for a partitioned index, the partitions' indexes attached to it). */
export function dropIndexRecord(ctx: ApplyContext, indexKey: string, withChildren: boolean): void {
  const tableKey = ctx.store.indexTable(indexKey);
  if (tableKey === undefined) return;
  ctx.store.indexes.delete(indexKey);
  ctx.noteKey(indexKey);
  const rel = ctx.updateRelation(tableKey, (r) => ({
    ...r,
    indexes: r.indexes.without((i) => i.key === indexKey),
    constraints: r.constraints.filter((c) => c.index !== indexKey),
    replicaIdentity:
      typeof r.replicaIdentity === 'object' && r.replicaIdentity.index === indexKey ? 'nothing' : r.replicaIdentity,
  }));
  if (!rel || !withChildren) return;
  for (const childKey of rel.children) {
    const child = ctx.relation(childKey);
    for (const idx of child?.indexes ?? []) if (idx.parent === indexKey) dropIndexRecord(ctx, idx.key, true);
  }
}

export function renameIndex(ctx: ApplyContext, indexKey: string, newName: string): void {
  const index = ctx.store.indexes.get(indexKey);
  const rel = index && ctx.relation(index.table);
  if (!rel || !index) return;
  const newKey = qualifiedKey(index.schema, newName);
  // putRelation below moves the index map's entry to the new key.
  ctx.noteKey(indexKey);
  ctx.noteKey(newKey);
  // An index that backs a constraint renames the constraint with it (RenameRelationInternal).
  ctx.putRelation({
    ...rel,
    indexes: rel.indexes.replace((i) =>
      i.key === indexKey ? { ...i, name: newName, key: newKey, ...(i.constraint ? { constraint: newName } : {}) } : i,
    ),
    constraints: rel.constraints.map((c) =>
      c.index === indexKey ? { ...c, index: newKey, name: index.constraint ? newName : c.name } : c,
    ),
    replicaIdentity:
      typeof rel.replicaIdentity === 'object' && rel.replicaIdentity.index === indexKey
        ? { index: newKey }
        : rel.replicaIdentity,
  });
  for (const childKey of rel.children) {
    ctx.updateRelation(childKey, (c) =>
      c.indexes.some((i) => i.parent === indexKey)
        ? { ...c, indexes: c.indexes.replace((i) => (i.parent === indexKey ? { ...i, parent: newKey } : i)) }
        : c,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Columns: drop, rename

export function dropColumn(ctx: ApplyContext, tableKey: string, name: string, cascade: boolean, recurse: boolean): void {
  for (const key of recurse ? ctx.withDescendants(tableKey) : [tableKey]) {
    const rel = ctx.relation(key);
    if (!rel || !rel.columns.some((c) => c.name === name)) continue;
    if (key !== tableKey && !rel.columns.find((c) => c.name === name)!.inherited) continue;
    // Views that use the column need CASCADE (and go with it); PostgreSQL refuses otherwise.
    for (const viewKey of viewsUsingColumn(ctx, key, name)) {
      if (cascade) dropRelation(ctx, viewKey, true);
      else ctx.problem('dependent-objects', `view ${viewKey} uses column ${name} of ${key}; DROP COLUMN needs CASCADE`, key);
    }
    // Indexes and constraints of the table that involve the column go with it (ALTER TABLE docs, DROP COLUMN).
    for (const idx of rel.indexes) {
      const uses =
        idx.columns.some((c) => c.column === name || (c.expression && columnRefNames(c.expression).has(name))) ||
        idx.include.includes(name) ||
        (idx.predicate !== undefined && columnRefNames(idx.predicate).has(name));
      if (uses) dropIndexRecord(ctx, idx.key, false);
    }
    ctx.updateRelation(key, (r) => ({
      ...r,
      columns: r.columns.filter((c) => c.name !== name),
      constraints: r.constraints.filter((c) => !c.columns.includes(name)),
    }));
    for (const seq of [...ctx.store.relations.values()]) {
      if (seq.sequence?.ownedBy?.table === key && seq.sequence.ownedBy.column === name) dropRelation(ctx, seq.key, true);
    }
    // Foreign keys elsewhere that reference the column need CASCADE; either way they are gone afterwards.
    for (const stale of [...ctx.store.relations.values()]) {
      const other = ctx.relation(stale.key);
      if (!other) continue;
      const refs = other.constraints.filter(
        (c) => c.references?.table === key && c.references.columns.includes(name),
      );
      if (refs.length === 0) continue;
      if (!cascade) {
        ctx.problem(
          'dependent-objects',
          `column ${name} of ${key} is referenced by ${refs.map((c) => c.name).join(', ')} on ${other.key}; DROP COLUMN needs CASCADE`,
          key,
        );
      }
      ctx.updateRelation(other.key, (r) => ({ ...r, constraints: r.constraints.filter((c) => !refs.includes(c)) }));
    }
  }
}

export function renameColumn(ctx: ApplyContext, tableKey: string, from: string, to: string, recurse: boolean): void {
  const keys = recurse ? ctx.withDescendants(tableKey) : [tableKey];
  for (const key of keys) {
    ctx.updateRelation(key, (rel) => {
      if (!rel.columns.some((c) => c.name === from)) return rel;
      const rewrite = <T>(node: T): T => renameColumnRefs(node, from, to, rel.name);
      return {
        ...rel,
        columns: rel.columns.map((c) => ({
          ...c,
          name: c.name === from ? to : c.name,
          ...(c.generated ? { generated: { ...c.generated, expression: rewrite(c.generated.expression) } } : {}),
        })),
        constraints: rel.constraints.map((c) => ({
          ...c,
          columns: c.columns.map((n) => (n === from ? to : n)),
          ...(c.expression ? { expression: rewrite(c.expression) } : {}),
        })),
        indexes: IndexList.from(
          rel.indexes.map((i) => ({
            ...i,
            columns: i.columns.map((c) =>
              c.column === from ? { ...c, column: to } : c.expression ? { ...c, expression: rewrite(c.expression) } : c,
            ),
            include: i.include.map((n) => (n === from ? to : n)),
            ...(i.predicate ? { predicate: rewrite(i.predicate) } : {}),
          })),
        ),
        ...(rel.partitionKey
          ? {
              partitionKey: {
                ...rel.partitionKey,
                parts: rel.partitionKey.parts.map((p) =>
                  p.column === from ? { column: to } : p.expression ? { expression: rewrite(p.expression) } : p,
                ),
              },
            }
          : {}),
      };
    });
    // Foreign keys elsewhere name the referenced column.
    for (const other of [...ctx.store.relations.values()]) {
      if (!other.constraints.some((c) => c.references?.table === key && c.references.columns.includes(from))) continue;
      ctx.updateRelation(other.key, (r) => ({
        ...r,
        constraints: r.constraints.map((c) =>
          c.references?.table === key
            ? { ...c, references: { ...c.references, columns: c.references.columns.map((n) => (n === from ? to : n)) } }
            : c,
        ),
      }));
    }
    for (const seq of [...ctx.store.relations.values()]) {
      const owned = seq.sequence?.ownedBy;
      if (owned?.table === key && owned.column === from) {
        ctx.putRelation({ ...seq, sequence: { ...seq.sequence!, ownedBy: { table: key, column: to } } });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Relations: drop, rename, move

/** Views (and materialized views) whose query names the relation. */
export function dependentViewKeys(ctx: ApplyContext, key: string): string[] {
  const out: string[] = [];
  for (const rel of ctx.store.relations.values()) if (rel.dependsOn.includes(key)) out.push(rel.key);
  return out;
}

/** Views over `tableKey` whose query uses `column` (PostgreSQL then refuses DROP COLUMN / ALTER COLUMN TYPE). */
export function viewsUsingColumn(ctx: ApplyContext, tableKey: string, column: string): string[] {
  return dependentViewKeys(ctx, tableKey).filter((viewKey) =>
    queryUsesColumn(ctx, ctx.relation(viewKey)?.query, tableKey, column),
  );
}

/**
 * DROP of a relation with what PostgreSQL takes along: indexes, owned sequences, partitions, and, with CASCADE,
 * dependent views, inheritance children and foreign keys that reference it.
 */
export function dropRelation(ctx: ApplyContext, key: string, cascade: boolean): void {
  const rel = ctx.relation(key);
  if (!rel) return;
  // Remove first so cycles (views on views, self-references) terminate.
  ctx.store.deleteRelation(key);
  ctx.touchRelation(key);
  // deleteRelation above removed its indexes from the index map.
  for (const idx of rel.indexes) ctx.noteKey(idx.key);
  for (const childKey of rel.children) {
    const child = ctx.relation(childKey);
    if (!child) continue;
    if (child.partitionOf === key || cascade) dropRelation(ctx, childKey, cascade);
    else {
      ctx.problem('dependent-objects', `${childKey} inherits from ${key}; DROP needs CASCADE`, key);
      ctx.putRelation({ ...child, inherits: child.inherits.filter((k) => k !== key) });
    }
  }
  for (const viewKey of dependentViewKeys(ctx, key)) {
    if (cascade) dropRelation(ctx, viewKey, true);
    else ctx.problem('dependent-objects', `view ${viewKey} depends on ${key}; DROP needs CASCADE`, key);
  }
  for (const stale of [...ctx.store.relations.values()]) {
    // Re-read: the cascade above may already have replaced or dropped this record.
    const other = ctx.relation(stale.key);
    if (!other) continue;
    if (other.sequence?.ownedBy?.table === key) {
      dropRelation(ctx, other.key, cascade);
      continue;
    }
    const refs = other.constraints.filter((c) => c.references?.table === key);
    if (refs.length > 0) {
      if (!cascade) {
        ctx.problem('dependent-objects', `${other.key}.${refs[0]!.name} references ${key}; DROP needs CASCADE`, key);
      }
      ctx.putRelation({ ...other, constraints: other.constraints.filter((c) => !refs.includes(c)) });
    }
  }
  for (const parentKey of [rel.partitionOf, ...rel.inherits]) {
    if (parentKey === undefined) continue;
    ctx.updateRelation(parentKey, (p) => ({ ...p, children: p.children.filter((k) => k !== key) }));
    refreshPartitionedIndexValidity(ctx, parentKey);
  }
}

/** RENAME TO / SET SCHEMA: re-keys the relation and every reference to it. */
export function moveRelation(ctx: ApplyContext, key: string, newSchema: string, newName: string): void {
  const rel = ctx.relation(key);
  if (!rel) return;
  const newKey = qualifiedKey(newSchema, newName);
  if (newKey === key) return;
  if (ctx.store.classNameTaken(newSchema, newName)) {
    ctx.problem('duplicate-object', `relation ${newKey} already exists`, newKey);
    return;
  }
  const schemaChanged = newSchema !== rel.schema;
  const indexKeyMap = new Map<string, string>();
  const indexes = IndexList.from(
    rel.indexes.map((i) => {
      const movedKey = schemaChanged ? qualifiedKey(newSchema, i.name) : i.key;
      indexKeyMap.set(i.key, movedKey);
      return { ...i, schema: schemaChanged ? newSchema : i.schema, key: movedKey, table: newKey };
    }),
  );
  // deleteRelation and putRelation below move the index map's entries to the new keys.
  for (const [from, to] of indexKeyMap) if (from !== to) ctx.noteKey(from);
  const mapIndex = (k: string) => indexKeyMap.get(k) ?? k;
  ctx.store.deleteRelation(key);
  ctx.moveRevision('r', key, newKey);
  ctx.putRelation({
    ...rel,
    schema: newSchema,
    name: newName,
    key: newKey,
    indexes,
    constraints: rel.constraints.map((c) => ({
      ...c,
      ...(c.index ? { index: mapIndex(c.index) } : {}),
      ...(c.references?.table === key ? { references: { ...c.references, table: newKey } } : {}),
    })),
    replicaIdentity:
      typeof rel.replicaIdentity === 'object' ? { index: mapIndex(rel.replicaIdentity.index) } : rel.replicaIdentity,
  });
  const swap = (k: string) => (k === key ? newKey : k);
  for (const stale of [...ctx.store.relations.values()]) {
    const other = ctx.relation(stale.key);
    if (!other || other.key === newKey) continue;
    const refers =
      other.partitionOf === key ||
      other.inherits.includes(key) ||
      other.children.includes(key) ||
      other.dependsOn.includes(key) ||
      other.sequence?.ownedBy?.table === key ||
      other.constraints.some((c) => c.references?.table === key) ||
      other.indexes.some((i) => i.parent !== undefined && indexKeyMap.has(i.parent));
    if (!refers) continue;
    ctx.putRelation({
      ...other,
      ...(other.partitionOf !== undefined ? { partitionOf: swap(other.partitionOf) } : {}),
      inherits: other.inherits.map(swap),
      children: other.children.map(swap),
      dependsOn: other.dependsOn.map(swap),
      constraints: other.constraints.map((c) =>
        c.references?.table === key ? { ...c, references: { ...c.references, table: newKey } } : c,
      ),
      indexes: other.indexes.replace((i) => (i.parent !== undefined ? { ...i, parent: mapIndex(i.parent) } : i)),
      ...(other.sequence?.ownedBy?.table === key
        ? { sequence: { ...other.sequence, ownedBy: { ...other.sequence.ownedBy, table: newKey } } }
        : {}),
    });
    // Owned sequences move along with ALTER TABLE … SET SCHEMA.
    if (schemaChanged && other.sequence?.ownedBy?.table === key) {
      moveRelation(ctx, other.key, newSchema, other.name);
    }
  }
}
