// CREATE TYPE (enum, composite, range), CREATE DOMAIN, ALTER TYPE / ALTER DOMAIN, and the renames and drops that
// must follow every column typed with them.
import type {
  AlterDomainStmt,
  AlterEnumStmt,
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  CompositeTypeStmt,
  Constraint as ConstraintNode,
  CreateDomainStmt,
  CreateEnumStmt,
  CreateRangeStmt,
  Node,
  TypeName,
} from '@pgsql/types';
import { defElems, nodeAs, stringList } from './ast';
import { ApplyContext } from './context';
import type { ColumnType, DomainConstraint, DomainType, TypeInfo } from './model';
import { chooseObjectName, qualifiedKey } from './names';
import { columnTypeOf } from './type-names';

/** Schema/name/key for a type named by a dotted name list, existing or about to be created. */
export function typeTarget(ctx: ApplyContext, names: readonly string[]): { schema: string; name: string; key: string } {
  const name = names[names.length - 1] ?? '';
  const explicit = names.length >= 2 ? names[names.length - 2] : undefined;
  const existing = ctx.store.findTypeKey(explicit, name);
  const schema = existing !== undefined ? ctx.store.types.get(existing)!.schema : (explicit ?? ctx.creationSchema());
  return { schema, name, key: qualifiedKey(schema, name) };
}

function existingType(ctx: ApplyContext, names: readonly string[]): TypeInfo | undefined {
  const name = names[names.length - 1] ?? '';
  const key = ctx.store.findTypeKey(names.length >= 2 ? names[names.length - 2] : undefined, name);
  return key === undefined ? undefined : ctx.store.types.get(key);
}

function putType(ctx: ApplyContext, type: TypeInfo): void {
  ctx.store.types.set(type.key, type);
  ctx.touchType(type.key);
}

function createTarget(ctx: ApplyContext, names: readonly string[]): { schema: string; name: string; key: string } | undefined {
  const name = names[names.length - 1] ?? '';
  const schema = names.length >= 2 ? names[names.length - 2]! : ctx.creationSchema();
  const key = qualifiedKey(schema, name);
  if (ctx.store.types.has(key) || ctx.store.relations.has(key)) {
    ctx.problem('duplicate-object', `type ${key} already exists; the new definition replaces it`, key);
  }
  return { schema, name, key };
}

export function createEnum(ctx: ApplyContext, stmt: CreateEnumStmt): void {
  const t = createTarget(ctx, stringList(stmt.typeName));
  if (!t) return;
  putType(ctx, { kind: 'enum', ...t, values: stringList(stmt.vals), createdBy: ctx.origin });
}

export function alterEnum(ctx: ApplyContext, stmt: AlterEnumStmt): void {
  const names = stringList(stmt.typeName);
  const type = existingType(ctx, names);
  if (!type || type.kind !== 'enum') {
    ctx.problem('unknown-type', `enum type ${names.join('.')} is not created by any earlier statement`, names.join('.'));
    return;
  }
  let values = [...type.values];
  if (stmt.oldVal !== undefined && stmt.newVal !== undefined) {
    // ALTER TYPE … RENAME VALUE old TO new
    values = values.map((v) => (v === stmt.oldVal ? stmt.newVal! : v));
  } else if (stmt.newVal !== undefined) {
    if (values.includes(stmt.newVal)) {
      if (!stmt.skipIfNewValExists) ctx.problem('duplicate-object', `enum label ${stmt.newVal} already exists`, type.key);
      return;
    }
    const neighbour = stmt.newValNeighbor !== undefined ? values.indexOf(stmt.newValNeighbor) : -1;
    if (neighbour < 0) values.push(stmt.newVal);
    else values.splice(stmt.newValIsAfter ? neighbour + 1 : neighbour, 0, stmt.newVal);
  }
  putType(ctx, { ...type, values });
}

export function createComposite(ctx: ApplyContext, stmt: CompositeTypeStmt): void {
  const rv = stmt.typevar;
  if (!rv) return;
  const t = createTarget(ctx, [...(rv.schemaname ? [rv.schemaname] : []), rv.relname ?? '']);
  if (!t) return;
  const attributes = (stmt.coldeflist ?? [])
    .map((n) => nodeAs<ColumnDef>(n, 'ColumnDef'))
    .filter((d): d is ColumnDef => d !== undefined)
    .map((d) => ({ name: d.colname ?? '', type: typeOf(ctx, d.typeName) }));
  putType(ctx, { kind: 'composite', ...t, attributes, createdBy: ctx.origin });
}

/** ALTER TYPE composite ADD / DROP / ALTER ATTRIBUTE (parsed as an AlterTableStmt on the type). */
export function alterComposite(ctx: ApplyContext, stmt: AlterTableStmt): void {
  const rv = stmt.relation;
  if (!rv) return;
  const type = existingType(ctx, [...(rv.schemaname ? [rv.schemaname] : []), rv.relname ?? '']);
  if (!type || type.kind !== 'composite') return;
  let attributes = [...type.attributes];
  for (const n of stmt.cmds ?? []) {
    const cmd = nodeAs<AlterTableCmd>(n, 'AlterTableCmd');
    if (!cmd) continue;
    const def = nodeAs<ColumnDef>(cmd.def, 'ColumnDef');
    if (cmd.subtype === 'AT_AddColumn' && def) attributes.push({ name: def.colname ?? '', type: typeOf(ctx, def.typeName) });
    else if (cmd.subtype === 'AT_DropColumn') attributes = attributes.filter((a) => a.name !== cmd.name);
    else if (cmd.subtype === 'AT_AlterColumnType' && def) {
      attributes = attributes.map((a) => (a.name === cmd.name ? { ...a, type: typeOf(ctx, def.typeName) } : a));
    }
  }
  putType(ctx, { ...type, attributes });
}

export function renameAttribute(ctx: ApplyContext, names: readonly string[], from: string, to: string): void {
  const type = existingType(ctx, names);
  if (!type || type.kind !== 'composite') return;
  putType(ctx, { ...type, attributes: type.attributes.map((a) => (a.name === from ? { ...a, name: to } : a)) });
}

export function createRange(ctx: ApplyContext, stmt: CreateRangeStmt): void {
  const t = createTarget(ctx, stringList(stmt.typeName));
  if (!t) return;
  const subtype = defElems(stmt.params).get('subtype');
  const typeName = nodeAs<TypeName>(subtype?.arg, 'TypeName');
  putType(ctx, {
    kind: 'range',
    ...t,
    ...(typeName ? { subtype: typeOf(ctx, typeName) } : {}),
    createdBy: ctx.origin,
  });
}

function typeOf(ctx: ApplyContext, typeName: TypeName | undefined): ColumnType {
  return columnTypeOf(typeName, (s, n) => ctx.store.resolveTypeSchema(s, n));
}

function domainConstraint(
  ctx: ApplyContext,
  domain: { schema: string; name: string },
  c: ConstraintNode,
  creating: boolean,
  taken: Set<string>,
): DomainConstraint | undefined {
  if (c.contype !== 'CONSTR_CHECK' || !c.raw_expr) return undefined;
  // Unnamed domain checks are called domain_check (ChooseConstraintName(domain, NULL, "check")).
  const name =
    c.conname ??
    chooseObjectName(domain.name, undefined, 'check', (n) => taken.has(n) || ctx.store.constraintNameTaken(domain.schema, n));
  taken.add(name);
  return {
    name,
    kind: 'check',
    expression: c.raw_expr,
    valid: creating || c.skip_validation !== true,
    createdBy: ctx.origin,
  };
}

export function createDomain(ctx: ApplyContext, stmt: CreateDomainStmt): void {
  const t = createTarget(ctx, stringList(stmt.domainname));
  if (!t) return;
  let domain: DomainType = {
    kind: 'domain',
    ...t,
    baseType: typeOf(ctx, stmt.typeName),
    notNull: false,
    constraints: [],
    createdBy: ctx.origin,
  };
  const taken = new Set<string>();
  for (const n of stmt.constraints ?? []) {
    const c = nodeAs<ConstraintNode>(n, 'Constraint');
    if (!c) continue;
    if (c.contype === 'CONSTR_NOTNULL') domain = { ...domain, notNull: true };
    else if (c.contype === 'CONSTR_NULL') domain = { ...domain, notNull: false };
    else if (c.contype === 'CONSTR_DEFAULT' && c.raw_expr) domain = { ...domain, default: c.raw_expr };
    else {
      const dc = domainConstraint(ctx, t, c, true, taken);
      if (dc) domain = { ...domain, constraints: [...domain.constraints, dc] };
    }
  }
  putType(ctx, domain);
}

export function alterDomain(ctx: ApplyContext, stmt: AlterDomainStmt): void {
  const names = stringList(stmt.typeName);
  const type = existingType(ctx, names);
  if (!type || type.kind !== 'domain') {
    if (!stmt.missing_ok) {
      ctx.problem('unknown-type', `domain ${names.join('.')} is not created by any earlier statement`, names.join('.'));
    }
    return;
  }
  let domain: DomainType = type;
  switch (stmt.subtype) {
    case 'T': // SET DEFAULT / DROP DEFAULT
      if (stmt.def) domain = { ...domain, default: stmt.def };
      else {
        const { default: _dropped, ...rest } = domain;
        domain = rest;
      }
      break;
    case 'N': // DROP NOT NULL
      domain = { ...domain, notNull: false };
      break;
    case 'O': // SET NOT NULL
      domain = { ...domain, notNull: true };
      break;
    case 'C': {
      const c = nodeAs<ConstraintNode>(stmt.def, 'Constraint');
      if (c?.contype === 'CONSTR_NOTNULL') domain = { ...domain, notNull: true };
      const dc = c ? domainConstraint(ctx, domain, c, false, new Set(domain.constraints.map((x) => x.name))) : undefined;
      if (dc) domain = { ...domain, constraints: [...domain.constraints, dc] };
      break;
    }
    case 'X':
      if (!domain.constraints.some((c) => c.name === stmt.name) && !stmt.missing_ok) {
        ctx.problem('unknown-constraint', `constraint ${stmt.name} of domain ${domain.key} does not exist`, domain.key);
      }
      domain = { ...domain, constraints: domain.constraints.filter((c) => c.name !== stmt.name) };
      break;
    case 'V':
      domain = { ...domain, constraints: domain.constraints.map((c) => (c.name === stmt.name ? { ...c, valid: true } : c)) };
      break;
    default:
      return;
  }
  putType(ctx, domain);
}

export function renameDomainConstraint(ctx: ApplyContext, names: readonly string[], from: string, to: string): void {
  const type = existingType(ctx, names);
  if (!type || type.kind !== 'domain') return;
  putType(ctx, { ...type, constraints: type.constraints.map((c) => (c.name === from ? { ...c, name: to } : c)) });
}

function sameType(t: ColumnType, schema: string, name: string): boolean {
  return t.schema === schema && t.name === name;
}

/** Every column, domain and attribute typed with schema.name now reads the new schema/name. */
function retargetTypeReferences(ctx: ApplyContext, from: TypeInfo, toSchema: string, toName: string): void {
  const swap = (t: ColumnType): ColumnType => (sameType(t, from.schema, from.name) ? { ...t, schema: toSchema, name: toName } : t);
  for (const rel of [...ctx.store.relations.values()]) {
    if (!rel.columns.some((c) => sameType(c.type, from.schema, from.name))) continue;
    ctx.putRelation({ ...rel, columns: rel.columns.map((c) => ({ ...c, type: swap(c.type) })) });
  }
  for (const t of [...ctx.store.types.values()]) {
    if (t.kind === 'domain' && sameType(t.baseType, from.schema, from.name)) putType(ctx, { ...t, baseType: swap(t.baseType) });
    if (t.kind === 'composite' && t.attributes.some((a) => sameType(a.type, from.schema, from.name))) {
      putType(ctx, { ...t, attributes: t.attributes.map((a) => ({ ...a, type: swap(a.type) })) });
    }
  }
}

/** RENAME TO and SET SCHEMA for types and domains. */
export function moveType(
  ctx: ApplyContext,
  names: readonly string[],
  newSchema: string | undefined,
  newName: string | undefined,
): void {
  const type = existingType(ctx, names);
  if (!type) {
    ctx.problem('unknown-type', `type ${names.join('.')} is not created by any earlier statement`, names.join('.'));
    return;
  }
  const schema = newSchema ?? type.schema;
  const name = newName ?? type.name;
  const key = qualifiedKey(schema, name);
  if (key === type.key) return;
  if (ctx.store.types.has(key)) {
    ctx.problem('duplicate-object', `type ${key} already exists`, key);
    return;
  }
  ctx.store.types.delete(type.key);
  ctx.moveRevision('t', type.key, key);
  putType(ctx, { ...type, schema, name, key });
  retargetTypeReferences(ctx, type, schema, name);
}

/** DROP TYPE / DROP DOMAIN: with CASCADE the columns of that type are dropped too, as PostgreSQL does. */
export function dropType(ctx: ApplyContext, typeName: TypeName, cascade: boolean, missingOk: boolean): void {
  const names = stringList(typeName.names);
  const type = existingType(ctx, names);
  if (!type) {
    if (!missingOk) ctx.problem('unknown-type', `type ${names.join('.')} is not created by any earlier statement`, names.join('.'));
    return;
  }
  ctx.store.types.delete(type.key);
  ctx.touchType(type.key);
  for (const rel of [...ctx.store.relations.values()]) {
    const users = rel.columns.filter((c) => sameType(c.type, type.schema, type.name));
    if (users.length === 0) continue;
    if (!cascade) {
      ctx.problem('dependent-objects', `${rel.key}.${users[0]!.name} uses type ${type.key}; DROP TYPE needs CASCADE`, type.key);
      continue;
    }
    ctx.putRelation({ ...rel, columns: rel.columns.filter((c) => !users.includes(c)) });
  }
}

export function typeNamesOf(node: Node | undefined): string[] {
  const list = nodeAs<{ items?: Node[] }>(node, 'List');
  if (list) return stringList(list.items);
  const tn = nodeAs<TypeName>(node, 'TypeName');
  return tn ? stringList(tn.names) : [];
}
