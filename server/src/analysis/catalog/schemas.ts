// Schemas, extensions and search_path.
import type {
  CreateExtensionStmt,
  CreateSchemaStmt,
  FuncCall,
  Node,
  ResTarget,
  SelectStmt,
  TransactionStmt,
  VariableSetStmt,
} from '@pgsql/types';
import { constValue, defElems, nodeAs, stringList } from './ast';
import { ApplyContext } from './context';
import { qualifiedKey, splitSearchPath } from './names';
import { DEFAULT_SEARCH_PATH } from './store';
import { dropRelation, moveRelation } from './tables';
import { dropType, moveType } from './user-types';
import { signatureOf } from './functions';

export function createSchema(ctx: ApplyContext, stmt: CreateSchemaStmt, applyElement: (node: Node) => void): void {
  // CREATE SCHEMA AUTHORIZATION bob without a name creates schema "bob".
  const name = stmt.schemaname ?? stmt.authrole?.rolename;
  if (!name) return;
  if (ctx.store.schemas.has(name)) {
    if (!stmt.if_not_exists) ctx.problem('duplicate-object', `schema ${name} already exists`, name);
  } else {
    ctx.store.schemas.set(name, { name, createdBy: ctx.origin });
    ctx.noteKey(name);
  }
  // Schema elements are created in, and resolve names first in, the new schema (CREATE SCHEMA pushes it onto the
  // front of the search path while it runs them).
  const saved = ctx.store.localSearchPath;
  ctx.store.localSearchPath = [name, ...ctx.store.searchPath];
  try {
    for (const element of stmt.schemaElts ?? []) applyElement(element);
  } finally {
    ctx.store.localSearchPath = saved;
  }
}

/** DROP SCHEMA … CASCADE removes everything the catalog knows in it. */
export function dropSchema(ctx: ApplyContext, name: string, cascade: boolean, missingOk: boolean): void {
  const relations = [...ctx.store.relations.values()].filter((r) => r.schema === name);
  const types = [...ctx.store.types.values()].filter((t) => t.schema === name);
  const functionKeys = [...ctx.store.functions.entries()].filter(([, fs]) => fs[0]?.schema === name).map(([k]) => k);
  const empty = relations.length === 0 && types.length === 0 && functionKeys.length === 0;
  if (!ctx.store.schemas.has(name) && empty && !missingOk) {
    ctx.problem('unknown-relation', `schema ${name} is not created by any earlier statement`, name);
  }
  if (!cascade && !empty) ctx.problem('dependent-objects', `schema ${name} is not empty; DROP SCHEMA needs CASCADE`, name);
  for (const r of relations) dropRelation(ctx, r.key, true);
  for (const t of types) {
    dropType(ctx, { names: [{ String: { sval: t.schema } }, { String: { sval: t.name } }] }, true, true);
  }
  for (const key of functionKeys) {
    ctx.store.functions.delete(key);
    ctx.touchFunction(key);
  }
  ctx.store.schemas.delete(name);
  ctx.noteKey(name);
}

/** ALTER SCHEMA a RENAME TO b: every object in it is re-keyed. */
export function renameSchema(ctx: ApplyContext, from: string, to: string): void {
  if (ctx.store.schemas.has(to)) {
    ctx.problem('duplicate-object', `schema ${to} already exists`, to);
    return;
  }
  const info = ctx.store.schemas.get(from);
  ctx.store.schemas.delete(from);
  ctx.store.schemas.set(to, { ...(info ?? {}), name: to });
  ctx.noteKey(from);
  ctx.noteKey(to);
  for (const r of [...ctx.store.relations.values()]) {
    // Sequences owned by a table move with it; the others move on their own.
    if (r.schema !== from || ctx.relation(r.key) === undefined) continue;
    moveRelation(ctx, r.key, to, r.name);
  }
  for (const t of [...ctx.store.types.values()]) if (t.schema === from) moveType(ctx, [t.schema, t.name], to, undefined);
  for (const [key, overloads] of [...ctx.store.functions.entries()]) {
    if (overloads[0]?.schema !== from) continue;
    ctx.store.functions.delete(key);
    ctx.touchFunction(key);
    const moved = overloads.map((f) => ({ ...f, schema: to, signature: signatureOf(to, f.name, f.argTypes) }));
    const newKey = qualifiedKey(to, overloads[0]!.name);
    ctx.store.functions.set(newKey, moved);
    ctx.touchFunction(newKey);
  }
}

export function createExtension(ctx: ApplyContext, stmt: CreateExtensionStmt): void {
  const name = stmt.extname;
  if (!name) return;
  if (ctx.store.extensions.has(name)) {
    if (!stmt.if_not_exists) ctx.problem('duplicate-object', `extension ${name} already exists`, name);
    return;
  }
  const schema = constValue(defElems(stmt.options).get('schema')?.arg);
  ctx.store.extensions.set(name, { name, ...(typeof schema === 'string' ? { schema } : {}), createdBy: ctx.origin });
  ctx.noteKey(name);
}

export function dropExtension(ctx: ApplyContext, name: string, missingOk: boolean): void {
  if (!ctx.store.extensions.delete(name)) {
    if (!missingOk) ctx.problem('duplicate-object', `extension ${name} is not created by any earlier statement`, name);
    return;
  }
  ctx.noteKey(name);
}

export function moveExtension(ctx: ApplyContext, name: string, schema: string): void {
  const ext = ctx.store.extensions.get(name);
  if (!ext) return;
  ctx.store.extensions.set(name, { ...ext, schema });
  ctx.noteKey(name);
}

function setSearchPath(ctx: ApplyContext, path: readonly string[] | undefined, local: boolean): void {
  if (local) ctx.store.localSearchPath = path ?? DEFAULT_SEARCH_PATH;
  else {
    ctx.store.sessionSearchPath = path ?? DEFAULT_SEARCH_PATH;
    // A session-level SET inside the transaction also replaces what SET LOCAL had set.
    ctx.store.localSearchPath = undefined;
  }
}

/** SET [LOCAL] search_path / RESET search_path / SET SCHEMA 'x'. */
export function variableSet(ctx: ApplyContext, stmt: VariableSetStmt): void {
  if (stmt.kind === 'VAR_RESET_ALL') {
    setSearchPath(ctx, undefined, stmt.is_local === true);
    return;
  }
  if (stmt.name !== 'search_path') return;
  if (stmt.kind === 'VAR_RESET' || stmt.kind === 'VAR_SET_DEFAULT') {
    setSearchPath(ctx, undefined, stmt.is_local === true);
    return;
  }
  if (stmt.kind !== 'VAR_SET_VALUE') return;
  // Each argument is one schema name, case kept (flatten_set_variable_args quotes it for a GUC_LIST_QUOTE
  // variable), except that SET search_path = '' clears the path.
  const values = (stmt.args ?? []).map((a) => constValue(a)).filter((v): v is string => typeof v === 'string');
  const path = values.length === 1 && values[0] === '' ? [] : values;
  setSearchPath(ctx, path, stmt.is_local === true);
}

/** SELECT [pg_catalog.]set_config('search_path', '…', is_local), as pg_dump output writes it. */
export function selectSetConfig(ctx: ApplyContext, stmt: SelectStmt): void {
  if (stmt.fromClause?.length) return;
  for (const t of stmt.targetList ?? []) {
    const call = nodeAs<FuncCall>(nodeAs<ResTarget>(t, 'ResTarget')?.val, 'FuncCall');
    if (!call) continue;
    const names = stringList(call.funcname);
    if (names[names.length - 1] !== 'set_config' || (names.length === 2 && names[0] !== 'pg_catalog')) continue;
    const [setting, value, local] = (call.args ?? []).map((a) => constValue(a));
    if (typeof setting !== 'string' || setting.toLowerCase() !== 'search_path' || typeof value !== 'string') continue;
    setSearchPath(ctx, splitSearchPath(value), local === true);
  }
}

/** COMMIT / ROLLBACK end the transaction, and with it SET LOCAL. */
export function transaction(ctx: ApplyContext, stmt: TransactionStmt): void {
  switch (stmt.kind) {
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
    case 'TRANS_STMT_COMMIT_PREPARED':
    case 'TRANS_STMT_ROLLBACK_PREPARED':
    case 'TRANS_STMT_PREPARE':
      ctx.store.localSearchPath = undefined;
      return;
    default:
      return;
  }
}
