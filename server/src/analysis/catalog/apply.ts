// Routes a parsed statement to the handler for its kind. Statements that do not change the schema (DML, GRANT,
// COMMENT, …) and kinds the catalog does not model fall through untouched.
import type {
  AlterDomainStmt,
  AlterEnumStmt,
  AlterFunctionStmt,
  AlterObjectSchemaStmt,
  AlterSeqStmt,
  AlterTableStmt,
  CompositeTypeStmt,
  CreateDomainStmt,
  CreateEnumStmt,
  CreateExtensionStmt,
  CreateForeignTableStmt,
  CreateFunctionStmt,
  CreateRangeStmt,
  CreateSchemaStmt,
  CreateSeqStmt,
  CreateStmt,
  CreateTableAsStmt,
  DropStmt,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  SelectStmt,
  TransactionStmt,
  TypeName,
  VariableSetStmt,
  ViewStmt,
} from '@pgsql/types';
import { constValue, nodeAs, nodeKind, stringList } from './ast';
import { alterTable } from './alter-table';
import { ApplyContext } from './context';
import { alterFunction, createFunction, dropRoutine, moveRoutine, objectWithArgs } from './functions';
import { createIndex, dropIndex } from './indexes';
import type { RelationKind } from './model';
import {
  createExtension,
  createSchema,
  dropExtension,
  dropSchema,
  moveExtension,
  renameSchema,
  selectSetConfig,
  transaction,
  variableSet,
} from './schemas';
import { alterSequence, createSequence } from './sequences';
import { createTable, dropRelation, moveRelation, renameColumn, renameConstraint, renameIndex } from './tables';
import {
  alterComposite,
  alterDomain,
  alterEnum,
  createComposite,
  createDomain,
  createEnum,
  createRange,
  dropType,
  moveType,
  renameAttribute,
  renameDomainConstraint,
  typeNamesOf,
} from './user-types';
import { createTableAs, createView } from './views';

/**
 * The kinds `applyStatement` handles (its switch; keep the two in step): any other statement leaves the catalog as
 * it is, so Catalog#apply skips it without setting up an apply — most statements of a walk are DML.
 */
const APPLIED_KINDS = new Set([
  'RawStmt',
  'CreateStmt',
  'CreateForeignTableStmt',
  'AlterTableStmt',
  'IndexStmt',
  'ViewStmt',
  'CreateTableAsStmt',
  'CreateEnumStmt',
  'AlterEnumStmt',
  'CompositeTypeStmt',
  'CreateRangeStmt',
  'CreateDomainStmt',
  'AlterDomainStmt',
  'CreateSeqStmt',
  'AlterSeqStmt',
  'CreateFunctionStmt',
  'AlterFunctionStmt',
  'CreateSchemaStmt',
  'CreateExtensionStmt',
  'DropStmt',
  'RenameStmt',
  'AlterObjectSchemaStmt',
  'VariableSetStmt',
  'SelectStmt',
  'TransactionStmt',
]);

/** Whether `applyStatement` can change anything for this statement (false: it would return at once). */
export function canApply(node: Node): boolean {
  return APPLIED_KINDS.has(nodeKind(node));
}

export function applyStatement(ctx: ApplyContext, node: Node): void {
  const kind = nodeKind(node);
  const body = (node as Record<string, unknown>)[kind];
  if (body === null || typeof body !== 'object') return;
  switch (kind) {
    case 'RawStmt': {
      const inner = (body as { stmt?: Node }).stmt;
      if (inner) applyStatement(ctx, inner);
      return;
    }
    case 'CreateStmt':
      createTable(ctx, body as CreateStmt, false);
      return;
    case 'CreateForeignTableStmt': {
      const base = (body as CreateForeignTableStmt).base;
      if (base) createTable(ctx, base, true);
      return;
    }
    case 'AlterTableStmt': {
      const stmt = body as AlterTableStmt;
      if (stmt.objtype === 'OBJECT_TYPE') alterComposite(ctx, stmt);
      else alterTable(ctx, stmt);
      return;
    }
    case 'IndexStmt':
      createIndex(ctx, body as IndexStmt);
      return;
    case 'ViewStmt':
      createView(ctx, body as ViewStmt);
      return;
    case 'CreateTableAsStmt':
      createTableAs(ctx, body as CreateTableAsStmt);
      return;
    case 'CreateEnumStmt':
      createEnum(ctx, body as CreateEnumStmt);
      return;
    case 'AlterEnumStmt':
      alterEnum(ctx, body as AlterEnumStmt);
      return;
    case 'CompositeTypeStmt':
      createComposite(ctx, body as CompositeTypeStmt);
      return;
    case 'CreateRangeStmt':
      createRange(ctx, body as CreateRangeStmt);
      return;
    case 'CreateDomainStmt':
      createDomain(ctx, body as CreateDomainStmt);
      return;
    case 'AlterDomainStmt':
      alterDomain(ctx, body as AlterDomainStmt);
      return;
    case 'CreateSeqStmt':
      createSequence(ctx, body as CreateSeqStmt);
      return;
    case 'AlterSeqStmt':
      alterSequence(ctx, body as AlterSeqStmt);
      return;
    case 'CreateFunctionStmt':
      createFunction(ctx, body as CreateFunctionStmt);
      return;
    case 'AlterFunctionStmt':
      alterFunction(ctx, body as AlterFunctionStmt);
      return;
    case 'CreateSchemaStmt':
      createSchema(ctx, body as CreateSchemaStmt, (element) => applyStatement(ctx, element));
      return;
    case 'CreateExtensionStmt':
      createExtension(ctx, body as CreateExtensionStmt);
      return;
    case 'DropStmt':
      drop(ctx, body as DropStmt);
      return;
    case 'RenameStmt':
      rename(ctx, body as RenameStmt);
      return;
    case 'AlterObjectSchemaStmt':
      alterObjectSchema(ctx, body as AlterObjectSchemaStmt);
      return;
    case 'VariableSetStmt':
      variableSet(ctx, body as VariableSetStmt);
      return;
    case 'SelectStmt':
      selectSetConfig(ctx, body as SelectStmt);
      return;
    case 'TransactionStmt':
      transaction(ctx, body as TransactionStmt);
      return;
    default:
      return;
  }
}

const DROPPED_RELATION_KINDS: Partial<Record<string, readonly RelationKind[]>> = {
  OBJECT_TABLE: ['table', 'partitioned-table'],
  OBJECT_VIEW: ['view'],
  OBJECT_MATVIEW: ['materialized-view'],
  OBJECT_FOREIGN_TABLE: ['foreign-table'],
  OBJECT_SEQUENCE: ['sequence'],
};

function drop(ctx: ApplyContext, stmt: DropStmt): void {
  const cascade = stmt.behavior === 'DROP_CASCADE';
  const missingOk = stmt.missing_ok === true;
  const type = stmt.removeType ?? '';
  for (const object of stmt.objects ?? []) {
    const relationKinds = DROPPED_RELATION_KINDS[type];
    if (relationKinds) {
      const names = stringList(nodeAs<{ items?: Node[] }>(object, 'List')?.items);
      const name = names[names.length - 1] ?? '';
      const schema = names.length >= 2 ? names[names.length - 2] : undefined;
      const key = ctx.store.findRelationKey(schema, name);
      const rel = key !== undefined ? ctx.relation(key) : undefined;
      if (!rel) {
        if (!missingOk) ctx.problem('unknown-relation', `${names.join('.')} is not created by any earlier statement`, names.join('.'));
        continue;
      }
      if (!relationKinds.includes(rel.kind)) {
        ctx.problem('unknown-relation', `${rel.key} is a ${rel.kind}, not what DROP names`, rel.key);
        continue;
      }
      dropRelation(ctx, rel.key, cascade);
      continue;
    }
    switch (type) {
      case 'OBJECT_INDEX': {
        const names = stringList(nodeAs<{ items?: Node[] }>(object, 'List')?.items);
        dropIndex(ctx, names.length >= 2 ? names[names.length - 2] : undefined, names[names.length - 1] ?? '', missingOk);
        break;
      }
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN': {
        const tn = nodeAs<TypeName>(object, 'TypeName');
        if (tn) dropType(ctx, tn, cascade, missingOk);
        break;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE': {
        const owa = objectWithArgs(object);
        if (owa) dropRoutine(ctx, owa, missingOk);
        break;
      }
      case 'OBJECT_SCHEMA': {
        const name = constValue(object);
        if (typeof name === 'string') dropSchema(ctx, name, cascade, missingOk);
        break;
      }
      case 'OBJECT_EXTENSION': {
        const name = constValue(object);
        if (typeof name === 'string') dropExtension(ctx, name, missingOk);
        break;
      }
      default:
        break;
    }
  }
}

function rename(ctx: ApplyContext, stmt: RenameStmt): void {
  const newName = stmt.newname ?? '';
  const missingOk = stmt.missing_ok === true;
  switch (stmt.renameType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_FOREIGN_TABLE':
    case 'OBJECT_SEQUENCE':
    case 'OBJECT_INDEX': {
      const rv = stmt.relation;
      if (!rv) return;
      // ALTER TABLE / ALTER INDEX … RENAME accept any relation kind, as PostgreSQL does.
      const relKey = ctx.existingRelationKey(rv);
      if (relKey !== undefined) {
        moveRelation(ctx, relKey, ctx.relation(relKey)!.schema, newName);
        return;
      }
      const indexKey = ctx.store.findIndexKey(rv.schemaname || undefined, rv.relname ?? '');
      if (indexKey !== undefined) {
        renameIndex(ctx, indexKey, newName);
        return;
      }
      if (!missingOk) {
        ctx.problem('unknown-relation', `${rv.relname} is not created by any earlier statement`, rv.relname);
      }
      return;
    }
    case 'OBJECT_COLUMN': {
      const rv = stmt.relation;
      if (!rv || !stmt.subname) return;
      const rel = ctx.relationForAlter(rv, relationKindOf(stmt.relationType), missingOk);
      if (!rel) return;
      if (!rel.columns.some((c) => c.name === stmt.subname)) {
        if (!rel.partial) ctx.problem('unknown-column', `column ${stmt.subname} of ${rel.key} does not exist`, rel.key);
        return;
      }
      renameColumn(ctx, rel.key, stmt.subname, newName, rv.inh === true);
      return;
    }
    case 'OBJECT_TABCONSTRAINT': {
      const rv = stmt.relation;
      if (!rv || !stmt.subname) return;
      const rel = ctx.relationForAlter(rv, 'table', missingOk);
      if (rel) renameConstraint(ctx, rel.key, stmt.subname, newName);
      return;
    }
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN':
      moveType(ctx, typeNamesOf(stmt.object), undefined, newName);
      return;
    case 'OBJECT_ATTRIBUTE': {
      const rv = stmt.relation;
      if (rv && stmt.subname) {
        renameAttribute(ctx, [...(rv.schemaname ? [rv.schemaname] : []), rv.relname ?? ''], stmt.subname, newName);
      }
      return;
    }
    case 'OBJECT_DOMCONSTRAINT':
      if (stmt.subname) renameDomainConstraint(ctx, typeNamesOf(stmt.object), stmt.subname, newName);
      return;
    case 'OBJECT_SCHEMA':
      if (stmt.subname) renameSchema(ctx, stmt.subname, newName);
      return;
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE': {
      const owa = objectWithArgs(stmt.object);
      if (owa) moveRoutine(ctx, owa, undefined, newName);
      return;
    }
    default:
      return;
  }
}

function relationKindOf(objectType: string | undefined): RelationKind {
  switch (objectType) {
    case 'OBJECT_VIEW':
      return 'view';
    case 'OBJECT_MATVIEW':
      return 'materialized-view';
    case 'OBJECT_FOREIGN_TABLE':
      return 'foreign-table';
    case 'OBJECT_SEQUENCE':
      return 'sequence';
    default:
      return 'table';
  }
}

function alterObjectSchema(ctx: ApplyContext, stmt: AlterObjectSchemaStmt): void {
  const schema = stmt.newschema;
  if (!schema) return;
  switch (stmt.objectType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_FOREIGN_TABLE':
    case 'OBJECT_SEQUENCE': {
      const rv: RangeVar | undefined = stmt.relation;
      if (!rv) return;
      const rel = ctx.relationForAlter(rv, relationKindOf(stmt.objectType), stmt.missing_ok === true);
      if (rel) moveRelation(ctx, rel.key, schema, rel.name);
      return;
    }
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN':
      moveType(ctx, typeNamesOf(stmt.object), schema, undefined);
      return;
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
    case 'OBJECT_ROUTINE': {
      const owa = objectWithArgs(stmt.object);
      if (owa) moveRoutine(ctx, owa, schema, undefined);
      return;
    }
    case 'OBJECT_EXTENSION': {
      const name = constValue(stmt.object);
      if (typeof name === 'string') moveExtension(ctx, name, schema);
      return;
    }
    default:
      return;
  }
}
