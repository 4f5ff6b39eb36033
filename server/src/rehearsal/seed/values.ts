/**
 * SQL expressions that produce a column's values from the row number, inside the server
 * (`INSERT … SELECT <these> FROM generate_series(1, n) AS g`).
 *
 * Every expression is a pure function of the row number: pseudo-randomness comes from
 * hashint8extended(row, seed) with a fixed seed per column, so the data is the same on every run (what setseed
 * would give random(), without depending on evaluation order) and a child table can recompute any parent row's
 * key from the parent's row number alone. hashint8extended is cheap: seeding stays close to a plain INSERT.
 *
 * Unique values are injective in the row number (`row`, or a random-looking prefix + the row number), so they
 * stay unique without any lookup; `capacity` says how many distinct values a type/domain can give at all.
 */
import type { ValueDomain } from './check-domains.js';
import { baseTypeOf, type SeedType } from './schema.js';

export interface ValueSpec {
  typeOid: string;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
  domain: ValueDomain;
  unique: boolean;
}

export type ValueExpression =
  | {
      ok: true;
      /** SQL of the row expression → a value of the column's base type (the caller casts to the column type). */
      sql: (row: string) => string;
      /** Most distinct values this expression can produce; Infinity when not limited in practice. */
      capacity: number;
    }
  | { ok: false; reason: string };

/** A non-negative pseudo-random integer below 2^31, from the row number and a seed. */
export function hashOf(row: string, seed: number): string {
  return `(hashint8extended(${row}, ${seed}) & 2147483647)`;
}

const INTEGER_BOUNDS: Record<string, [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Spread of non-unique numbers when the checks leave them open: like ids or amounts in the millions. */
const DEFAULT_SPREAD = 1_000_000;

export function valueExpression(spec: ValueSpec, types: Map<string, SeedType>, seed: number): ValueExpression {
  const type = baseTypeOf(spec.typeOid, types);
  if (!type) return { ok: false, reason: `its type (oid ${spec.typeOid}) was not found in pg_type` };
  const { domain } = spec;

  if (domain.allowed !== undefined) return fromAllowed(domain.allowed, spec.unique, seed, type);
  if (type.kind === 'e') {
    const labels = type.enumLabels;
    if (labels.length === 0) return { ok: false, reason: `enum ${type.sql} has no values` };
    return fromAllowed(labels, spec.unique, seed, type);
  }
  if (type.category === 'A' && type.elementOid) {
    const element = valueExpression({ ...spec, typeOid: type.elementOid, domain: {} }, types, seed);
    if (!element.ok) return { ok: false, reason: `array of a type that cannot be generated: ${element.reason}` };
    // Two elements: the first carries uniqueness when asked for.
    return { ok: true, sql: (row) => `ARRAY[${element.sql(row)}, ${element.sql(`(${row} + 7)`)}]`, capacity: element.capacity };
  }

  switch (type.name) {
    case 'int2':
    case 'int4':
    case 'int8':
      return integers(type.name, domain, spec.unique, seed);
    case 'numeric':
    case 'float4':
    case 'float8':
    case 'money':
      return decimals(type.name, spec, seed);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'citext':
      return strings(spec, seed);
    case 'bool':
      return {
        ok: true,
        sql: (row) => (spec.unique ? `(${row} % 2 = 0)` : `(${hashOf(row, seed)} % 2 = 1)`),
        capacity: 2,
      };
    case 'date':
      return {
        ok: true,
        sql: (row) => (spec.unique ? `(date '2000-01-01' + (${row})::int)` : `(date '2015-01-01' + (${hashOf(row, seed)} % 3650)::int)`),
        capacity: 2_000_000_000,
      };
    case 'timestamp':
    case 'timestamptz': {
      const base = type.name === 'timestamp' ? `timestamp '2015-01-01 00:00:00'` : `timestamptz '2015-01-01 00:00:00+00'`;
      return {
        ok: true,
        sql: (row) =>
          spec.unique ? `(${base} + (${row}) * interval '1 second')` : `(${base} + (${hashOf(row, seed)} % 315360000) * interval '1 second')`,
        capacity: Infinity,
      };
    }
    case 'time':
    case 'timetz':
      return {
        ok: true,
        sql: (row) =>
          `((time '00:00' + ${spec.unique ? `(${row}) * interval '1 microsecond'` : `(${hashOf(row, seed)} % 86400) * interval '1 second'`})::${type.name})`,
        capacity: 86_400_000_000,
      };
    case 'interval':
      return {
        ok: true,
        sql: (row) => (spec.unique ? `((${row}) * interval '1 second')` : `((${hashOf(row, seed)} % 2592000) * interval '1 second')`),
        capacity: Infinity,
      };
    case 'uuid':
      // Random-looking first half, the row number in the second: unique by construction, in random order.
      return {
        ok: true,
        sql: (row) => `(lpad(to_hex(hashint8extended(${row}, ${seed})), 16, '0') || lpad(to_hex((${row})::bigint), 16, '0'))::uuid`,
        capacity: Infinity,
      };
    case 'json':
    case 'jsonb':
      return {
        ok: true,
        sql: (row) => `jsonb_build_object('n', ${row}, 'v', ${hashOf(row, seed)})::${type.name}`,
        capacity: Infinity,
      };
    case 'bytea':
      return {
        ok: true,
        sql: (row) => `decode(lpad(to_hex(hashint8extended(${row}, ${seed})), 16, '0') || lpad(to_hex((${row})::bigint), 16, '0'), 'hex')`,
        capacity: Infinity,
      };
    case 'inet':
      return {
        ok: true,
        sql: (row) => `('10.0.0.0'::inet + ((${spec.unique ? row : hashOf(row, seed)}) % 16777216))`,
        capacity: 16_777_216,
      };
    case 'tsvector':
      return { ok: true, sql: (row) => `to_tsvector('simple', 'w' || (${row}) || ' w' || (${hashOf(row, seed)} % 1000))`, capacity: Infinity };
    default:
      break;
  }
  // Types we do not know by name but by category: extension string types (citext-like) take text, numbers ints.
  if (type.category === 'S') return strings(spec, seed);
  if (type.category === 'N') return integers('int4', domain, spec.unique, seed);
  return { ok: false, reason: `no generator for type ${type.sql}` };
}

function fromAllowed(values: readonly string[], unique: boolean, seed: number, type: SeedType): ValueExpression {
  if (values.length === 0) return { ok: false, reason: 'its CHECK constraints allow no value at all' };
  const literal = `ARRAY[${values.map(quoteLiteral).join(', ')}]::text[]`;
  // Cast via text to the base type (enum labels, numbers written as text); the caller casts on to the column type.
  return {
    ok: true,
    sql: (row) => `((${literal})[1 + ${unique ? `((${row}) - 1)` : hashOf(row, seed)} % ${values.length}])::${type.sql}`,
    capacity: values.length,
  };
}

function integers(name: string, domain: ValueDomain, unique: boolean, seed: number): ValueExpression {
  const [typeMin, typeMax] = INTEGER_BOUNDS[name] ?? INTEGER_BOUNDS.int4!;
  let lo = domain.min === undefined ? undefined : domain.minExclusive ? Math.floor(domain.min) + 1 : Math.ceil(domain.min);
  let hi = domain.max === undefined ? undefined : domain.maxExclusive ? Math.ceil(domain.max) - 1 : Math.floor(domain.max);
  lo = Math.max(lo ?? (hi !== undefined && hi < 1 ? hi - DEFAULT_SPREAD + 1 : 1), typeMin);
  hi = Math.min(hi ?? (unique ? typeMax : lo + DEFAULT_SPREAD - 1), typeMax);
  if (hi < lo) return { ok: false, reason: `its CHECK constraints leave no ${name} value (need ${lo} ≤ value ≤ ${hi})` };
  const width = hi - lo + 1;
  const start = lo;
  return {
    ok: true,
    sql: (row) => (unique ? `(${start - 1} + (${row}))::${name}` : `(${start} + ${hashOf(row, seed)} % ${width})::${name}`),
    capacity: width,
  };
}

function decimals(name: string, spec: ValueSpec, seed: number): ValueExpression {
  const { domain } = spec;
  // Two decimals unless the type says otherwise (numeric(p, s)); float and money get cents as well.
  const scale = name === 'numeric' ? Math.max(0, Math.min(spec.scale ?? 2, 6)) : 2;
  const step = 10 ** -scale;
  const integerDigits = spec.precision !== null ? spec.precision - (spec.scale ?? 0) : 12;
  const typeMax = integerDigits >= 15 ? Number.MAX_SAFE_INTEGER * step : 10 ** integerDigits - step;
  let lo = domain.min === undefined ? undefined : domain.minExclusive ? domain.min + step : domain.min;
  let hi = domain.max === undefined ? undefined : domain.maxExclusive ? domain.max - step : domain.max;
  lo = Math.max(lo ?? (hi !== undefined && hi < 0 ? hi - DEFAULT_SPREAD : 0), -typeMax);
  hi = Math.min(hi ?? lo + DEFAULT_SPREAD, typeMax);
  if (hi < lo) return { ok: false, reason: `its CHECK constraints leave no ${name} value (need ${lo} ≤ value ≤ ${hi})` };
  const stepsInRange = Math.floor((hi - lo) / step);
  const cast = name === 'money' ? 'numeric' : name;
  return {
    ok: true,
    sql: (row) => {
      const offset = spec.unique ? `((${row}) - 1)` : `(${hashOf(row, seed)} % ${Math.min(stepsInRange + 1, 2147483647)})`;
      // offset / 10^scale in numeric arithmetic: exact decimals, and cheaper than offset * 0.01.
      const scaled = scale > 0 ? `(${offset})::numeric / ${10 ** scale}` : `(${offset})::numeric`;
      const value = `(${lo === 0 ? scaled : `${round(lo!, scale)} + ${scaled}`})::${cast}`;
      return name === 'money' ? `${value}::money` : value;
    },
    capacity: stepsInRange + 1,
  };
}

function strings(spec: ValueSpec, seed: number): ValueExpression {
  const maxLength = Math.min(spec.maxLength ?? Infinity, spec.domain.maxLength ?? Infinity);
  const minLength = Math.max(spec.domain.minLength ?? 0, 1);
  if (maxLength < minLength) return { ok: false, reason: `its length limits leave no string (need ${minLength} to ${maxLength} characters)` };
  // rpad() would also cut longer strings (and break uniqueness): only ever append.
  const pad = (sql: string): string => (minLength > 1 ? `(${sql} || repeat('x', ${minLength} - length(${sql})))` : sql);
  if (spec.unique) {
    // 8 random-looking hex digits, '-', the row number: unique (hex and digits never contain the pad 'x'),
    // in random order like real keys. Shorter limits fall back to the bare row number.
    if (maxLength >= 17) return { ok: true, sql: (row) => pad(`(lpad(to_hex(${hashOf(row, seed)}), 8, '0') || '-' || (${row}))`), capacity: Infinity };
    return { ok: true, sql: (row) => pad(`((${row})::text)`), capacity: maxLength >= 15 ? Infinity : 10 ** maxLength - 1 };
  }
  // A 64-bit hash in hex: up to 16 characters (about the width of a name or a code), high cardinality, and one
  // cheap function call per row.
  const full = (row: string): string => `to_hex(hashint8extended(${row}, ${seed}))`;
  return {
    ok: true,
    sql: (row) => pad(maxLength < 16 ? `left(${full(row)}, ${maxLength})` : full(row)),
    capacity: Infinity,
  };
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function round(value: number, scale: number): string {
  return value.toFixed(scale);
}
