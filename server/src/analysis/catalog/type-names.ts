// TypeName nodes → ColumnType. The parser already rewrites SQL-standard spellings (integer, character varying,
// timestamp with time zone, …) to pg_catalog.<internal name>; what remains is resolving bare names, which
// PostgreSQL looks up in pg_catalog first and then along search_path.
import type { Node, TypeName } from '@pgsql/types';
import { constValue, stringList } from './ast';
import type { ColumnType } from './model';

/** Base types in pg_catalog that migrations write without a schema (pg_type.typname). */
const BUILTIN_TYPES = new Set([
  'bool', 'bytea', 'char', 'name', 'int8', 'int2', 'int4', 'regproc', 'text', 'oid', 'tid', 'xid', 'xid8', 'cid',
  'json', 'jsonb', 'jsonpath', 'xml', 'point', 'lseg', 'path', 'box', 'polygon', 'line', 'circle', 'float4',
  'float8', 'money', 'macaddr', 'macaddr8', 'inet', 'cidr', 'bpchar', 'varchar', 'date', 'time', 'timestamp',
  'timestamptz', 'interval', 'timetz', 'bit', 'varbit', 'numeric', 'refcursor', 'regprocedure', 'regoper',
  'regoperator', 'regclass', 'regcollation', 'regtype', 'regrole', 'regnamespace', 'regconfig', 'regdictionary',
  'uuid', 'pg_lsn', 'tsvector', 'tsquery', 'gtsvector', 'txid_snapshot', 'pg_snapshot', 'int4range', 'int8range',
  'numrange', 'tsrange', 'tstzrange', 'daterange', 'int4multirange', 'int8multirange', 'nummultirange',
  'tsmultirange', 'tstzmultirange', 'datemultirange', 'record', 'cstring', 'any', 'anyarray', 'anyelement',
  'anynonarray', 'anyenum', 'anyrange', 'anymultirange', 'anycompatible', 'anycompatiblearray',
  'anycompatiblenonarray', 'anycompatiblerange', 'anycompatiblemultirange', 'void', 'trigger', 'event_trigger',
  'language_handler', 'fdw_handler', 'index_am_handler', 'tsm_handler', 'table_am_handler', 'internal', 'unknown',
  'oidvector', 'int2vector', 'aclitem',
]);

/** serial pseudo-types → the integer type the column really gets (PostgreSQL docs, "Serial Types"). */
export const SERIAL_TYPES: ReadonlyMap<string, string> = new Map([
  ['serial', 'int4'],
  ['serial4', 'int4'],
  ['bigserial', 'int8'],
  ['serial8', 'int8'],
  ['smallserial', 'int2'],
  ['serial2', 'int2'],
]);

export const UNKNOWN_TYPE: ColumnType = { name: 'unknown', typmods: [], arrayDimensions: 0 };

export function isBuiltinType(name: string): boolean {
  return BUILTIN_TYPES.has(name);
}

export function builtinType(name: string, typmods: readonly (number | string)[] = [], arrayDimensions = 0): ColumnType {
  return { schema: 'pg_catalog', name, typmods, arrayDimensions };
}

/** Looks a user-defined type up; returns its schema when it exists. */
export type UserTypeResolver = (schema: string | undefined, name: string) => string | undefined;

/**
 * Converts a TypeName. `resolveUserType` finds enum/domain/composite types created by earlier statements; names it
 * does not know keep `schema` undefined (extension types such as citext) unless written schema-qualified.
 */
export function columnTypeOf(typeName: TypeName | undefined, resolveUserType: UserTypeResolver): ColumnType {
  if (!typeName) return UNKNOWN_TYPE;
  const names = stringList(typeName.names);
  const typmods = typmodsOf(typeName.typmods);
  const arrayDimensions = typeName.arrayBounds?.length ?? 0;
  if (names.length === 0) return UNKNOWN_TYPE;
  const name = names[names.length - 1]!;
  const explicitSchema = names.length >= 2 ? names[names.length - 2] : undefined;
  if (explicitSchema === 'pg_catalog') return builtinType(name, typmods, arrayDimensions);
  if (explicitSchema === undefined && BUILTIN_TYPES.has(name)) return builtinType(name, typmods, arrayDimensions);
  const schema = resolveUserType(explicitSchema, name) ?? explicitSchema;
  return schema === undefined ? { name, typmods, arrayDimensions } : { schema, name, typmods, arrayDimensions };
}

function typmodsOf(nodes: readonly Node[] | undefined): (number | string)[] {
  const out: (number | string)[] = [];
  for (const n of nodes ?? []) {
    const v = constValue(n);
    if (typeof v === 'number' || typeof v === 'string') out.push(v);
  }
  return out;
}

/** The serial pseudo-type a TypeName spells, if any (only bare, non-array names count, as in PostgreSQL). */
export function serialBaseType(typeName: TypeName | undefined): string | undefined {
  if (!typeName) return undefined;
  const names = stringList(typeName.names);
  if (names.length !== 1 || (typeName.arrayBounds?.length ?? 0) > 0) return undefined;
  return SERIAL_TYPES.get(names[0]!);
}

/** Type names print without keyword quoting (format_type writes `numeric`, not `"numeric"`). */
function quoteTypeName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `varchar(20)[]`, `public.mood`, `numeric(10,2)`: builtins without schema, user types qualified. */
export function formatColumnType(type: ColumnType): string {
  const base =
    type.schema === 'pg_catalog' || type.schema === undefined
      ? quoteTypeName(type.name)
      : `${quoteTypeName(type.schema)}.${quoteTypeName(type.name)}`;
  const mods = type.typmods.length > 0 ? `(${type.typmods.join(',')})` : '';
  return base + mods + '[]'.repeat(type.arrayDimensions);
}

/** Type identity ignoring typmods (what function overloading and type renames compare). */
export function typeIdentity(type: ColumnType): string {
  const base = type.schema === undefined ? quoteTypeName(type.name) : `${quoteTypeName(type.schema)}.${quoteTypeName(type.name)}`;
  return base + '[]'.repeat(type.arrayDimensions);
}
