/**
 * What ALTER TABLE … ALTER COLUMN … TYPE does to a table and its indexes, by PostgreSQL's own rules
 * (tablecmds.c ATColumnChangeRequiresRewrite, indexcmds.c CheckIndexCompatible) over data read from a real server
 * (pgfacts/type-coercion.json, scripts/gen-casts.mjs). The ALTER COLUMN TYPE facts and the `column.indexes.rebuilt`
 * role use it; every rule here is exercised by an example of those facts in the proof suite.
 *
 * The table is NOT rewritten when the old value converts to the new type without running a function:
 * - same type, new typmod unconstrained or proven a no-op by the type's length-coercion support function
 *   (varchar(20) → varchar(40), numeric(10,2) → numeric(12,2), timestamp(3) → timestamp);
 * - a binary-coercible cast (pg_cast.castmethod 'b': varchar → text, text → citext, int4 → oid) to an
 *   unconstrained typmod;
 * - into a domain without constraints, or out of any domain into its base type;
 * - timestamp ⇄ timestamptz when the session TimeZone is a fixed zero-offset zone (PostgreSQL ≥ 12).
 * Arrays are rewritten on any change of element type or typmod (varchar(10)[] → varchar(20)[] included).
 *
 * Without a rewrite an index that depends on the column keeps its storage only when it has no expression and no
 * predicate and each altered key column keeps its operator class and collation; otherwise it is rebuilt (which reads
 * the whole table).
 */
import type { Node, TypeName } from '@pgsql/types';
import data from '../pgfacts/type-coercion.json';
import type { IndexFacts, TypeFacts } from './schema';

const binaryCasts = data.binaryCasts as Record<string, string[]>;
const lengthCoercion = data.lengthCoercion as Record<string, string | null>;
const collatable = new Set(data.collatable);
const defaultOpclasses = data.defaultOpclasses as Record<string, Record<string, string>>;
const fixedUtcZones = new Set(data.fixedUtcTimeZones);
/** Types the data knows although the catalog cannot resolve them (extension types, by bare name). */
const knownNames = new Set([...Object.keys(binaryCasts), ...Object.keys(defaultOpclasses), ...collatable]);

export type TableRewrite = 'rewrite' | 'none' | 'unknown';

export interface ColumnTypeChange {
  column: string;
  from: TypeFacts;
  /** The column's explicit collation (COLLATE), if any. */
  fromCollation?: string;
  to: TypeFacts;
  /** The COLLATE clause of ALTER COLUMN TYPE, if any. */
  toCollation?: string;
  /** The USING expression, if any. */
  using?: Node;
  /** The TypeName as written (a USING `col::type` cast is compared with it). */
  toTypeName?: TypeName;
  timeZone?: string;
  pgVersion: number;
}

/** True for a TimeZone setting under which timestamp ⇄ timestamptz needs no rewrite (a fixed zero offset). */
export function isFixedUtcTimeZone(zone: string | undefined): boolean {
  return zone !== undefined && fixedUtcZones.has(zone.trim().toLowerCase());
}

/** Whether ALTER COLUMN TYPE rewrites the table; 'unknown' when a type involved is not known to the catalog. */
export function tableRewriteFor(change: ColumnTypeChange): TableRewrite {
  if (change.using !== undefined && !isPlainColumnUsing(change.using, change.column, change.toTypeName)) return 'rewrite';
  let from = change.from;
  // Out of a domain: the stored value already is the base type's (a RelabelType, no function runs).
  while (from.kind === 'domain' && from.domain) from = from.domain.base;
  let to = change.to;
  while (to.kind === 'domain' && to.domain) {
    // Into a domain with a CHECK or NOT NULL: every value must be checked, and PostgreSQL does it by rewriting.
    if (to.domain.hasConstraints) return 'rewrite';
    to = to.domain.base;
  }
  if (!isKnown(from) || !isKnown(to)) return 'unknown';
  if ((from.arrayDimensions > 0) !== (to.arrayDimensions > 0)) return 'rewrite';
  if (from.arrayDimensions > 0) return sameType(from, to) && sameTypmods(from, to) ? 'none' : 'rewrite';
  if (sameType(from, to)) return typmodChange(from, to);
  if (isTimestampPair(from, to)) {
    if (change.pgVersion < 12 || !isFixedUtcTimeZone(change.timeZone)) return 'rewrite';
    // After the conversion the typmod is unknown (-1): only the maximum precision is a no-op.
    return to.typmods.length === 0 || Number(to.typmods[0]) === 6 ? 'none' : 'rewrite';
  }
  if (from.kind === 'builtin' || from.kind === 'unknown') {
    if ((binaryCasts[from.name] ?? []).includes(to.name) && (to.kind === 'builtin' || to.kind === 'unknown')) {
      // A relabelled value has no typmod, so any length coercion on top of it must check every value.
      return to.typmods.length === 0 ? 'none' : 'rewrite';
    }
  }
  return 'rewrite';
}

/**
 * Whether an index that depends on the altered columns keeps its storage when the table is not rewritten.
 * `changes` are the ALTER COLUMN TYPE subcommands of the statement, by column.
 */
export function indexKeptWithoutRewrite(index: IndexFacts, changes: ReadonlyMap<string, ColumnTypeChange>): boolean {
  // CheckIndexCompatible does not compare expressions or predicates: such an index is always rebuilt.
  if (index.predicate !== undefined || index.keys.some((k) => k.expression !== undefined)) return false;
  for (const key of index.keys) {
    const change = key.column !== undefined ? changes.get(key.column) : undefined;
    if (!change) continue;
    if (effectiveCollation(change.from, change.fromCollation) !== effectiveCollation(change.to, change.toCollation)) return false;
    if (sameType(withoutDomain(change.from), withoutDomain(change.to))) continue;
    // An explicit operator class is looked up again by name for the new type: the same class, or the ALTER fails.
    if (key.opclass !== undefined) continue;
    const before = defaultOpclass(change.from, index.method);
    const after = defaultOpclass(change.to, index.method);
    if (before === undefined || before !== after) return false;
  }
  return true;
}

/** True when the index's keys, INCLUDE columns, expressions or predicate use one of `columns`. */
export function indexDependsOn(index: IndexFacts, columns: ReadonlySet<string>): boolean {
  if (index.keys.some((k) => (k.column !== undefined && columns.has(k.column)) || mentionsAny(k.expression, columns))) return true;
  if (index.include.some((c) => columns.has(c))) return true;
  return mentionsAny(index.predicate, columns);
}

/** Column names referenced anywhere in an expression (unqualified or as the last name of a qualified reference). */
export function mentionsAny(expression: unknown, columns: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (value: unknown): void => {
    if (found || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const record = value as Record<string, unknown>;
    const ref = record.ColumnRef as { fields?: Array<{ String?: { sval?: string } }> } | undefined;
    if (ref) {
      const last = ref.fields?.[ref.fields.length - 1]?.String?.sval;
      if (last !== undefined && columns.has(last)) found = true;
      return;
    }
    for (const key in record) visit(record[key]);
  };
  visit(expression);
  return found;
}

function isKnown(type: TypeFacts): boolean {
  return type.kind !== 'unknown' || knownNames.has(type.name);
}

function typeKey(type: TypeFacts): string {
  return type.kind === 'builtin' || type.schema === undefined ? type.name : `${type.schema}.${type.name}`;
}

function sameType(a: TypeFacts, b: TypeFacts): boolean {
  return typeKey(a) === typeKey(b);
}

/** numeric(10) is numeric(10,0); other types compare their typmods as written. */
function normalisedTypmods(type: TypeFacts): string {
  const mods = type.typmods.map(String);
  if (type.name === 'numeric' && mods.length === 1) mods.push('0');
  return mods.join(',');
}

function sameTypmods(a: TypeFacts, b: TypeFacts): boolean {
  return normalisedTypmods(a) === normalisedTypmods(b);
}

/**
 * A typmod change within one type: a no-op when the new typmod is unconstrained (no length coercion at all), else
 * what the type's length-coercion support function proves (varchar_support, numeric_support, timestamp_support,
 * time_support, varbit_support — adt/*.c); types without one (char(n), bit(n)) check every value.
 */
function typmodChange(from: TypeFacts, to: TypeFacts): TableRewrite {
  if (to.typmods.length === 0 || sameTypmods(from, to)) return 'none';
  if (!(from.name in lengthCoercion)) return 'none'; // a type without typmods: nothing to coerce
  const support = lengthCoercion[from.name];
  const oldMods = from.typmods.map(Number);
  const newMods = to.typmods.map(Number);
  const constrained = oldMods.length > 0;
  switch (support) {
    case 'varchar_support':
    case 'varbit_support':
      return constrained && newMods[0]! >= oldMods[0]! ? 'none' : 'rewrite';
    case 'numeric_support':
      return constrained && (newMods[1] ?? 0) === (oldMods[1] ?? 0) && newMods[0]! >= oldMods[0]! ? 'none' : 'rewrite';
    case 'timestamp_support':
    case 'time_support':
      // TemporalSimplify: the maximum precision (6) or a precision not lower than the old one keeps every value.
      return newMods[0] === 6 || (constrained && newMods[0]! >= oldMods[0]!) ? 'none' : 'rewrite';
    case 'interval_support':
      // Interval typmods pack fields and precision; only "unconstrained" (handled above) is certain.
      return 'unknown';
    default:
      return 'rewrite';
  }
}

function isTimestampPair(a: TypeFacts, b: TypeFacts): boolean {
  const names = new Set([a.name, b.name]);
  return a.kind === 'builtin' && b.kind === 'builtin' && names.has('timestamp') && names.has('timestamptz') && names.size === 2;
}

/** `USING col` or `USING col::<the new type>` converts exactly like no USING clause. */
function isPlainColumnUsing(using: Node, column: string, toTypeName: TypeName | undefined): boolean {
  const isColumn = (node: unknown): boolean => {
    const fields = (node as { ColumnRef?: { fields?: Array<{ String?: { sval?: string } }> } }).ColumnRef?.fields;
    return fields?.length === 1 && fields[0]?.String?.sval === column;
  };
  if (isColumn(using)) return true;
  const cast = (using as { TypeCast?: { arg?: Node; typeName?: TypeName } }).TypeCast;
  if (!cast || !isColumn(cast.arg) || !toTypeName || !cast.typeName) return false;
  return JSON.stringify(typeNameShape(cast.typeName)) === JSON.stringify(typeNameShape(toTypeName));
}

function typeNameShape(type: TypeName): unknown {
  const names = (type.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval);
  return { names: names[0] === 'pg_catalog' ? names.slice(1) : names, typmods: JSON.stringify(type.typmods ?? []), arrays: type.arrayBounds?.length ?? 0 };
}

/** The collation a column of `type` ends up with: the explicit one, else the type's default, none if not collatable. */
function effectiveCollation(type: TypeFacts, explicit: string | undefined): string {
  let base = type;
  while (base.kind === 'domain' && base.domain) base = base.domain.base;
  if (!collatable.has(base.name)) return '';
  if (explicit === undefined) return 'default';
  const name = explicit.replace(/^pg_catalog\./, '').replace(/^"(.*)"$/, '$1');
  return name === 'default' ? 'default' : name;
}

function withoutDomain(type: TypeFacts): TypeFacts {
  let base = type;
  while (base.kind === 'domain' && base.domain) base = base.domain.base;
  return base;
}

function defaultOpclass(type: TypeFacts, method: string): string | undefined {
  const base = withoutDomain(type);
  // Arrays: the array opclasses (array_ops) do not depend on the element type; an element change rewrites anyway.
  if (base.arrayDimensions > 0) return `array:${method}`;
  return defaultOpclasses[base.name]?.[method];
}
