// CREATE [OR REPLACE] FUNCTION / PROCEDURE, ALTER FUNCTION, DROP, RENAME and SET SCHEMA of routines. The lock
// model needs user functions' volatility: a volatile default forces a table rewrite on ADD COLUMN.
import type {
  AlterFunctionStmt,
  CreateFunctionStmt,
  FunctionParameter,
  Node,
  ObjectWithArgs,
  TypeName,
} from '@pgsql/types';
import { constValue, defElems, nodeAs, stringList } from './ast';
import { ApplyContext } from './context';
import type { ColumnType, FunctionInfo, FunctionParameterInfo, ParameterMode, Volatility } from './model';
import { qualifiedKey } from './names';
import { columnTypeOf, formatColumnType, typeIdentity } from './type-names';

const MODES: Record<string, ParameterMode> = {
  FUNC_PARAM_IN: 'in',
  FUNC_PARAM_DEFAULT: 'in',
  FUNC_PARAM_OUT: 'out',
  FUNC_PARAM_INOUT: 'inout',
  FUNC_PARAM_VARIADIC: 'variadic',
  FUNC_PARAM_TABLE: 'table',
};

function typeOf(ctx: ApplyContext, typeName: TypeName | undefined): ColumnType {
  return columnTypeOf(typeName, (s, n) => ctx.store.resolveTypeSchema(s, n));
}

/** Overloads are told apart by IN, INOUT and VARIADIC argument types (pg_proc.proargtypes). */
function isIdentityMode(mode: ParameterMode): boolean {
  return mode === 'in' || mode === 'inout' || mode === 'variadic';
}

/** `public.touch(int4,public.mood[])`: built-in types unqualified, as regprocedure prints them. */
export function signatureOf(schema: string, name: string, argTypes: readonly ColumnType[]): string {
  return `${qualifiedKey(schema, name)}(${argTypes.map((t) => formatColumnType({ ...t, typmods: [] })).join(',')})`;
}

function sameArgs(a: readonly ColumnType[], b: readonly ColumnType[]): boolean {
  return a.length === b.length && a.every((t, i) => typeIdentity(t) === typeIdentity(b[i]!));
}

function applyOptions(info: FunctionInfo, options: readonly Node[] | undefined): FunctionInfo {
  let next = info;
  for (const [name, d] of defElems(options)) {
    const value = constValue(d.arg);
    switch (name) {
      case 'volatility':
        if (value === 'immutable' || value === 'stable' || value === 'volatile') next = { ...next, volatility: value as Volatility };
        break;
      case 'language':
        if (typeof value === 'string') next = { ...next, language: value.toLowerCase() };
        break;
      case 'strict':
        next = { ...next, strict: value === true };
        break;
      case 'security':
        next = { ...next, securityDefiner: value === true };
        break;
      case 'leakproof':
        next = { ...next, leakproof: value === true };
        break;
      case 'parallel':
        if (value === 'safe' || value === 'restricted' || value === 'unsafe') next = { ...next, parallel: value };
        break;
      default:
        break;
    }
  }
  return next;
}

export function createFunction(ctx: ApplyContext, stmt: CreateFunctionStmt): void {
  const names = stringList(stmt.funcname);
  const name = names[names.length - 1] ?? '';
  const schema = names.length >= 2 ? names[names.length - 2]! : ctx.creationSchema();
  const parameters: FunctionParameterInfo[] = (stmt.parameters ?? [])
    .map((n) => nodeAs<FunctionParameter>(n, 'FunctionParameter'))
    .filter((p): p is FunctionParameter => p !== undefined)
    .map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      mode: MODES[p.mode ?? 'FUNC_PARAM_DEFAULT'] ?? 'in',
      type: typeOf(ctx, p.argType),
      hasDefault: p.defexpr !== undefined,
    }));
  const argTypes = parameters.filter((p) => isIdentityMode(p.mode)).map((p) => p.type);
  const key = qualifiedKey(schema, name);
  const overloads = ctx.store.functions.get(key) ?? [];
  const existing = overloads.find((f) => sameArgs(f.argTypes, argTypes));
  if (existing && !stmt.replace) {
    ctx.problem('duplicate-object', `function ${existing.signature} already exists; the new definition replaces it`, existing.signature);
  }
  let info: FunctionInfo = {
    kind: stmt.is_procedure ? 'procedure' : 'function',
    schema,
    name,
    signature: signatureOf(schema, name, argTypes),
    argTypes,
    parameters,
    ...(stmt.returnType ? { returnType: typeOf(ctx, stmt.returnType) } : {}),
    returnsSet: stmt.returnType?.setof === true,
    // Defaults from CREATE FUNCTION's documentation: VOLATILE, CALLED ON NULL INPUT, SECURITY INVOKER, PARALLEL UNSAFE.
    volatility: 'volatile',
    // A SQL-standard body (RETURN … / BEGIN ATOMIC … END) is always LANGUAGE sql.
    language: stmt.sql_body ? 'sql' : '',
    strict: false,
    securityDefiner: false,
    leakproof: false,
    parallel: 'unsafe',
    createdBy: existing?.createdBy ?? ctx.origin,
  };
  info = applyOptions(info, stmt.options);
  ctx.store.functions.set(key, [...overloads.filter((f) => f !== existing), info]);
  ctx.touchFunction(key);
}

/** The overloads an ObjectWithArgs names: the exact signature, or the only overload when args are omitted. */
function resolveRoutine(ctx: ApplyContext, owa: ObjectWithArgs): { key: string; matches: FunctionInfo[] } | undefined {
  const names = stringList(owa.objname);
  const name = names[names.length - 1] ?? '';
  const key = ctx.store.findFunctionKey(names.length >= 2 ? names[names.length - 2] : undefined, name);
  if (key === undefined) return undefined;
  const overloads = ctx.store.functions.get(key) ?? [];
  if (owa.args_unspecified) return { key, matches: [...overloads] };
  const argTypes = (owa.objargs ?? [])
    .map((n) => nodeAs<TypeName>(n, 'TypeName'))
    .filter((t): t is TypeName => t !== undefined)
    .map((t) => typeOf(ctx, t));
  return { key, matches: overloads.filter((f) => sameArgs(f.argTypes, argTypes)) };
}

function routineOrProblem(
  ctx: ApplyContext,
  owa: ObjectWithArgs,
  missingOk: boolean,
): { key: string; target: FunctionInfo } | undefined {
  const found = resolveRoutine(ctx, owa);
  const label = stringList(owa.objname).join('.');
  if (!found || found.matches.length === 0) {
    if (!missingOk) ctx.problem('unknown-function', `function ${label} is not created by any earlier statement`, label);
    return undefined;
  }
  if (found.matches.length > 1) {
    ctx.problem('unknown-function', `function name ${label} is not unique; give the argument types`, label);
    return undefined;
  }
  return { key: found.key, target: found.matches[0]! };
}

export function alterFunction(ctx: ApplyContext, stmt: AlterFunctionStmt): void {
  if (!stmt.func) return;
  const found = routineOrProblem(ctx, stmt.func, false);
  if (!found) return;
  const updated = applyOptions(found.target, stmt.actions);
  ctx.store.functions.set(
    found.key,
    (ctx.store.functions.get(found.key) ?? []).map((f) => (f === found.target ? updated : f)),
  );
  ctx.touchFunction(found.key);
}

export function dropRoutine(ctx: ApplyContext, owa: ObjectWithArgs, missingOk: boolean): void {
  const found = routineOrProblem(ctx, owa, missingOk);
  if (!found) return;
  const rest = (ctx.store.functions.get(found.key) ?? []).filter((f) => f !== found.target);
  if (rest.length === 0) ctx.store.functions.delete(found.key);
  else ctx.store.functions.set(found.key, rest);
  ctx.touchFunction(found.key);
}

/** RENAME TO / SET SCHEMA of a routine. */
export function moveRoutine(
  ctx: ApplyContext,
  owa: ObjectWithArgs,
  newSchema: string | undefined,
  newName: string | undefined,
): void {
  const found = routineOrProblem(ctx, owa, false);
  if (!found) return;
  const f = found.target;
  const schema = newSchema ?? f.schema;
  const name = newName ?? f.name;
  const rest = (ctx.store.functions.get(found.key) ?? []).filter((x) => x !== f);
  if (rest.length === 0) ctx.store.functions.delete(found.key);
  else ctx.store.functions.set(found.key, rest);
  ctx.touchFunction(found.key);
  const key = qualifiedKey(schema, name);
  const moved: FunctionInfo = { ...f, schema, name, signature: signatureOf(schema, name, f.argTypes) };
  ctx.store.functions.set(key, [...(ctx.store.functions.get(key) ?? []), moved]);
  ctx.touchFunction(key);
}

export function objectWithArgs(node: Node | undefined): ObjectWithArgs | undefined {
  return nodeAs<ObjectWithArgs>(node, 'ObjectWithArgs');
}
