// ALTER TABLE (and ALTER INDEX / VIEW / MATERIALIZED VIEW / FOREIGN TABLE, which share AlterTableStmt): every
// subcommand that changes what the catalog knows. Subcommands that only change storage, ownership or statistics
// are ignored here; the lock model reads them from the statement itself.
import type {
  AlterTableCmd,
  AlterTableStmt,
  ATAlterConstraint,
  ColumnDef,
  Constraint as ConstraintNode,
  DefElem,
  IndexStmt,
  Node,
  PartitionCmd,
  RangeVar,
  ReplicaIdentityStmt,
} from '@pgsql/types';
import { constValue, nodeAs, stringList } from './ast';
import { ApplyContext } from './context';
import type { Column, RelationKind } from './model';
import { qualifiedKey } from './names';
import {
  addColumn,
  addConstraint,
  cloneParentIndexes,
  columnTypeFor,
  createOwnedSequence,
  dropColumn,
  dropConstraint,
  planColumn,
  refreshPartitionedIndexValidity,
  updateColumn,
  addConstraintRecord,
  viewsUsingColumn,
} from './tables';
import { createIndex } from './indexes';

const KIND_OF_OBJTYPE: Partial<Record<string, RelationKind>> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized-view',
  OBJECT_FOREIGN_TABLE: 'foreign-table',
  OBJECT_SEQUENCE: 'sequence',
};

export function alterTable(ctx: ApplyContext, stmt: AlterTableStmt): void {
  const rv = stmt.relation;
  if (!rv) return;
  if (stmt.objtype === 'OBJECT_INDEX') {
    alterIndex(ctx, stmt, rv);
    return;
  }
  const kind = KIND_OF_OBJTYPE[stmt.objtype ?? 'OBJECT_TABLE'];
  if (!kind) return;
  const rel = ctx.relationForAlter(rv, kind, stmt.missing_ok === true);
  if (!rel) return;
  // ALTER TABLE t reaches partitions and inheritance children; ALTER TABLE ONLY t does not.
  const recurse = rv.inh === true; // the JSON AST omits false: ONLY leaves inh out
  for (const n of stmt.cmds ?? []) {
    const cmd = nodeAs<AlterTableCmd>(n, 'AlterTableCmd');
    if (cmd) alterTableCommand(ctx, rel.key, cmd, recurse);
  }
}

function alterTableCommand(ctx: ApplyContext, key: string, cmd: AlterTableCmd, recurse: boolean): void {
  const rel = ctx.relation(key);
  if (!rel) return;
  const columnName = cmd.name ?? '';
  const hasColumn = () => ctx.relation(key)?.columns.some((c) => c.name === columnName) ?? false;
  const requireColumn = (): boolean => {
    if (hasColumn()) return true;
    if (!rel.partial && !cmd.missing_ok) {
      ctx.problem('unknown-column', `column ${columnName} of ${key} does not exist`, key);
    }
    return false;
  };
  switch (cmd.subtype) {
    case 'AT_AddColumn':
    case 'AT_AddColumnToView': {
      const def = nodeAs<ColumnDef>(cmd.def, 'ColumnDef');
      if (!def) return;
      if (ctx.relation(key)!.columns.some((c) => c.name === def.colname)) {
        if (!cmd.missing_ok) ctx.problem('duplicate-object', `column ${def.colname} of ${key} already exists`, key);
        return;
      }
      addColumn(ctx, key, planColumn(ctx, def), recurse);
      return;
    }
    case 'AT_ColumnDefault': {
      if (!requireColumn()) return;
      const expr = cmd.def;
      updateColumn(
        ctx,
        key,
        columnName,
        (c) => {
          if (expr) return { ...c, default: expr };
          const { default: _dropped, ...rest } = c;
          return rest;
        },
        recurse,
      );
      return;
    }
    case 'AT_SetNotNull':
      if (requireColumn()) updateColumn(ctx, key, columnName, (c) => ({ ...c, notNull: true }), recurse);
      return;
    case 'AT_DropNotNull':
      if (requireColumn()) {
        updateColumn(ctx, key, columnName, (c) => ({ ...c, notNull: false }), recurse);
        // An unvalidated NOT NULL constraint on the column goes too.
        for (const k of recurse ? ctx.withDescendants(key) : [key]) {
          ctx.updateRelation(k, (r) =>
            r.constraints.some((c) => c.kind === 'not-null' && c.columns[0] === columnName)
              ? { ...r, constraints: r.constraints.filter((c) => !(c.kind === 'not-null' && c.columns[0] === columnName)) }
              : r,
          );
        }
      }
      return;
    case 'AT_SetExpression':
      if (requireColumn() && cmd.def) {
        const expression = cmd.def;
        const set = (c: Column): Column => ({ ...c, generated: { expression, stored: c.generated?.stored ?? true } });
        updateColumn(ctx, key, columnName, set, recurse);
      }
      return;
    case 'AT_DropExpression':
      if (requireColumn()) {
        updateColumn(
          ctx,
          key,
          columnName,
          (c) => {
            const { generated: _dropped, ...rest } = c;
            return rest;
          },
          recurse,
        );
      }
      return;
    case 'AT_DropColumn':
      if (requireColumn()) dropColumn(ctx, key, columnName, cmd.behavior === 'DROP_CASCADE', recurse);
      return;
    case 'AT_AlterColumnType': {
      if (!requireColumn()) return;
      const def = nodeAs<ColumnDef>(cmd.def, 'ColumnDef');
      if (!def?.typeName) return;
      const type = columnTypeFor(ctx, def);
      const collation = def.collClause ? stringList(def.collClause.collname).join('.') : undefined;
      updateColumn(
        ctx,
        key,
        columnName,
        (c) => ({ ...c, type, ...(collation !== undefined ? { collation } : {}) }),
        recurse,
      );
      // PostgreSQL refuses to change the type of a column a view uses ("cannot alter type of a column used by a
      // view or rule"); the migration has to drop and recreate the view around the change.
      for (const viewKey of viewsUsingColumn(ctx, key, columnName)) {
        const message = `view ${viewKey} uses column ${columnName} of ${key}; ALTER COLUMN TYPE fails while it exists`;
        ctx.problem('dependent-objects', message, key);
      }
      return;
    }
    case 'AT_AddConstraint':
    case 'AT_ReAddConstraint': {
      const con = nodeAs<ConstraintNode>(cmd.def, 'Constraint');
      if (con) addConstraint(ctx, key, con, { creating: false, recurse });
      return;
    }
    case 'AT_AddIndexConstraint': {
      const idx = nodeAs<IndexStmt>(cmd.def, 'IndexStmt');
      if (idx) createIndex(ctx, idx);
      return;
    }
    case 'AT_AddIndex':
    case 'AT_ReAddIndex': {
      const idx = nodeAs<IndexStmt>(cmd.def, 'IndexStmt');
      if (idx) createIndex(ctx, { ...idx, relation: idx.relation ?? { relname: rel.name, schemaname: rel.schema, inh: true } });
      return;
    }
    case 'AT_ValidateConstraint':
      validateConstraint(ctx, key, columnName, recurse);
      return;
    case 'AT_DropConstraint':
      dropConstraint(ctx, key, columnName, { missingOk: cmd.missing_ok === true, recurse });
      return;
    case 'AT_AlterConstraint':
      alterConstraint(ctx, key, cmd.def, recurse);
      return;
    case 'AT_SetLogged':
      ctx.updateRelation(key, (r) => ({ ...r, persistence: 'permanent' }));
      return;
    case 'AT_SetUnLogged':
      ctx.updateRelation(key, (r) => ({ ...r, persistence: 'unlogged' }));
      return;
    case 'AT_AddInherit': {
      const parentRv = nodeAs<RangeVar>(cmd.def, 'RangeVar');
      if (!parentRv) return;
      const parent = ctx.relationForAlter(parentRv, 'table', false)!;
      ctx.updateRelation(key, (r) => ({
        ...r,
        inherits: [...r.inherits, parent.key],
        columns: r.columns.map((c) => (parent.columns.some((p) => p.name === c.name) ? { ...c, inherited: true } : c)),
      }));
      ctx.updateRelation(parent.key, (p) => ({ ...p, children: [...p.children, key] }));
      // INHERIT does not copy CHECK constraints: the child must already have each one, which becomes inherited
      // (MergeConstraintsIntoExisting).
      for (const c of parent.constraints) {
        if (c.kind !== 'check' || c.noInherit) continue;
        if (!ctx.relation(key)!.constraints.some((x) => x.name === c.name)) {
          ctx.problem('unknown-constraint', `${key} is missing constraint ${c.name} that ${parent.key} requires of children`, key);
          continue;
        }
        ctx.updateRelation(key, (r) => ({
          ...r,
          constraints: r.constraints.map((x) => (x.name === c.name ? { ...x, inherited: true } : x)),
        }));
      }
      return;
    }
    case 'AT_DropInherit': {
      const parentRv = nodeAs<RangeVar>(cmd.def, 'RangeVar');
      const parentKey = parentRv ? ctx.existingRelationKey(parentRv) : undefined;
      if (parentKey === undefined) return;
      ctx.updateRelation(key, (r) => ({ ...r, inherits: r.inherits.filter((k) => k !== parentKey) }));
      ctx.updateRelation(parentKey, (p) => ({ ...p, children: p.children.filter((k) => k !== key) }));
      return;
    }
    case 'AT_AttachPartition': {
      const pc = nodeAs<PartitionCmd>(cmd.def, 'PartitionCmd');
      if (pc?.name) attachPartition(ctx, key, pc);
      return;
    }
    case 'AT_DetachPartition':
    case 'AT_DetachPartitionFinalize': {
      const pc = nodeAs<PartitionCmd>(cmd.def, 'PartitionCmd');
      if (pc?.name) detachPartition(ctx, key, pc.name);
      return;
    }
    case 'AT_AddIdentity': {
      if (!requireColumn()) return;
      const con = nodeAs<ConstraintNode>(cmd.def, 'Constraint');
      const identity = con?.generated_when === 'a' ? 'always' : 'by-default';
      const column = ctx.relation(key)!.columns.find((c) => c.name === columnName)!;
      createOwnedSequence(ctx, ctx.relation(key)!, columnName, column.type, true);
      updateColumn(ctx, key, columnName, (c) => ({ ...c, identity, notNull: true }), recurse);
      return;
    }
    case 'AT_SetIdentity': {
      if (!requireColumn()) return;
      const options = (nodeAs<{ items?: Node[] }>(cmd.def, 'List')?.items ?? [])
        .map((n) => nodeAs<DefElem>(n, 'DefElem'))
        .filter((d): d is DefElem => d !== undefined);
      const generated = options.find((d) => d.defname === 'generated');
      if (generated) {
        // The parser stores the ALWAYS / BY DEFAULT choice as the character code of 'a' / 'd'.
        const code = constValue(generated.arg);
        const identity = code === 97 || code === 'a' ? 'always' : 'by-default';
        updateColumn(ctx, key, columnName, (c) => (c.identity ? { ...c, identity } : c), recurse);
      }
      return;
    }
    case 'AT_DropIdentity': {
      if (!requireColumn()) return;
      const column = ctx.relation(key)!.columns.find((c) => c.name === columnName)!;
      if (!column.identity) {
        if (!cmd.missing_ok) ctx.problem('unknown-column', `column ${columnName} of ${key} is not an identity column`, key);
        return;
      }
      updateColumn(
        ctx,
        key,
        columnName,
        (c) => {
          const { identity: _dropped, ...rest } = c;
          return rest;
        },
        recurse,
      );
      for (const seq of [...ctx.store.relations.values()]) {
        const owned = seq.sequence?.ownedBy;
        if (seq.sequence?.identity && owned?.table === key && owned.column === columnName) {
          ctx.store.deleteRelation(seq.key);
          ctx.touchRelation(seq.key);
        }
      }
      return;
    }
    case 'AT_ReplicaIdentity': {
      const ri = nodeAs<ReplicaIdentityStmt>(cmd.def, 'ReplicaIdentityStmt');
      if (!ri) return;
      const identity =
        ri.identity_type === 'f'
          ? ('full' as const)
          : ri.identity_type === 'n'
            ? ('nothing' as const)
            : ri.identity_type === 'i' && ri.name
              ? { index: qualifiedKey(rel.schema, ri.name) }
              : ('default' as const);
      ctx.updateRelation(key, (r) => ({ ...r, replicaIdentity: identity }));
      return;
    }
    case 'AT_EnableRowSecurity':
      ctx.updateRelation(key, (r) => ({ ...r, rowSecurity: true }));
      return;
    case 'AT_DisableRowSecurity':
      ctx.updateRelation(key, (r) => ({ ...r, rowSecurity: false }));
      return;
    default:
      return;
  }
}

function validateConstraint(ctx: ApplyContext, key: string, name: string, recurse: boolean): void {
  const rel = ctx.relation(key);
  const constraint = rel?.constraints.find((c) => c.name === name);
  if (!rel || !constraint) {
    if (rel && !rel.partial) ctx.problem('unknown-constraint', `constraint ${name} of ${key} does not exist`, key);
    return;
  }
  for (const k of recurse ? ctx.withDescendants(key) : [key]) {
    ctx.updateRelation(k, (r) => {
      const c = r.constraints.find((x) => x.name === name);
      if (!c || c.valid) return r;
      const columns =
        c.kind === 'not-null' ? r.columns.map((col) => (col.name === c.columns[0] ? { ...col, notNull: true } : col)) : r.columns;
      return { ...r, columns, constraints: r.constraints.map((x) => (x === c ? { ...x, valid: true } : x)) };
    });
  }
}

function alterConstraint(ctx: ApplyContext, key: string, def: Node | undefined, recurse: boolean): void {
  const alter = nodeAs<ATAlterConstraint>(def, 'ATAlterConstraint');
  const legacy = nodeAs<ConstraintNode>(def, 'Constraint');
  const name = alter?.conname ?? legacy?.conname;
  if (!name) return;
  for (const k of recurse ? ctx.withDescendants(key) : [key]) {
    ctx.updateRelation(k, (r) => ({
      ...r,
      constraints: r.constraints.map((c) => {
        if (c.name !== name) return c;
        if (legacy) return { ...c, deferrable: legacy.deferrable === true, initiallyDeferred: legacy.initdeferred === true };
        let next = c;
        if (alter!.alterDeferrability) {
          next = { ...next, deferrable: alter!.deferrable === true, initiallyDeferred: alter!.initdeferred === true };
        }
        if (alter!.alterEnforceability) {
          const enforced = alter!.is_enforced === true;
          // Re-enforcing a constraint validates it; NOT ENFORCED makes it not valid (PostgreSQL 18).
          next = { ...next, enforced, valid: enforced };
        }
        if (alter!.alterInheritability) next = { ...next, noInherit: alter!.noinherit === true };
        return next;
      }),
    }));
  }
}

function attachPartition(ctx: ApplyContext, parentKey: string, pc: PartitionCmd): void {
  const child = ctx.relationForAlter(pc.name!, 'table', false);
  if (!child) return;
  const parent = ctx.relation(parentKey)!;
  ctx.putRelation({
    ...child,
    partitionOf: parentKey,
    ...(pc.bound ? { partitionBound: { PartitionBoundSpec: pc.bound } as Node } : {}),
    inherits: [],
    columns: child.columns.map((c) => (parent.columns.some((p) => p.name === c.name) ? { ...c, inherited: true } : c)),
  });
  ctx.updateRelation(parentKey, (p) => ({ ...p, children: [...p.children.filter((k) => k !== child.key), child.key] }));
  // ATTACH PARTITION clones the parent's foreign keys and indexes (CloneForeignKeyConstraints,
  // AttachPartitionEnsureIndexes); CHECK and NOT NULL must already be present on the partition.
  for (const c of parent.constraints) {
    if (c.kind === 'foreign-key' && !ctx.relation(child.key)!.constraints.some((x) => x.name === c.name)) {
      addConstraintRecord(ctx, child.key, { ...c, inherited: true, createdBy: ctx.origin }, 'partitions');
    }
  }
  cloneParentIndexes(ctx, parentKey, child.key);
}

function detachPartition(ctx: ApplyContext, parentKey: string, childRv: RangeVar): void {
  const childKey = ctx.existingRelationKey(childRv);
  if (childKey === undefined) return;
  ctx.updateRelation(parentKey, (p) => ({ ...p, children: p.children.filter((k) => k !== childKey) }));
  ctx.updateRelation(childKey, (c) => {
    const { partitionOf: _p, partitionBound: _b, ...rest } = c;
    return {
      ...rest,
      columns: c.columns.map((col) => ({ ...col, inherited: false })),
      constraints: c.constraints.map((x) => ({ ...x, inherited: false })),
      indexes: c.indexes.replace((i) => {
        if (i.parent === undefined) return i;
        const { parent: _parent, ...own } = i;
        return own;
      }),
    };
  });
}

/** ALTER INDEX parent_idx ATTACH PARTITION child_idx: the only ALTER INDEX form that changes catalog facts. */
function alterIndex(ctx: ApplyContext, stmt: AlterTableStmt, rv: RangeVar): void {
  const parentKey = ctx.store.findIndexKey(rv.schemaname || undefined, rv.relname ?? '');
  for (const n of stmt.cmds ?? []) {
    const cmd = nodeAs<AlterTableCmd>(n, 'AlterTableCmd');
    if (cmd?.subtype !== 'AT_AttachPartition') continue;
    const pc = nodeAs<PartitionCmd>(cmd.def, 'PartitionCmd');
    if (!pc?.name || parentKey === undefined) {
      if (parentKey === undefined && !stmt.missing_ok) {
        ctx.problem('unknown-index', `index ${rv.relname} does not exist`, rv.relname);
      }
      continue;
    }
    const childKey = ctx.store.findIndexKey(pc.name.schemaname || undefined, pc.name.relname ?? '');
    if (childKey === undefined) {
      ctx.problem('unknown-index', `index ${pc.name.relname} does not exist`, pc.name.relname);
      continue;
    }
    const childTable = ctx.store.indexTable(childKey)!;
    ctx.updateRelation(childTable, (r) => ({
      ...r,
      indexes: r.indexes.replace((i) => (i.key === childKey ? { ...i, parent: parentKey } : i)),
    }));
    ctx.noteKey(childKey);
    refreshPartitionedIndexValidity(ctx, ctx.store.indexTable(parentKey)!);
  }
}
