/**
 * What seeding needs to know about the tables, read from the real server after the schema replay — not from the
 * static catalog, so the generated rows fit what PostgreSQL actually created (resolved types and typmods, domain
 * chains, enum labels, constraint column numbers, unique indexes on expressions, identity sequences).
 */
import type { DbSession } from '../driver.js';

export interface SeedSchema {
  tables: SeedTable[];
  /** By oid (as text), every type the tables' columns use, with domain base types and array element types. */
  types: Map<string, SeedType>;
}

export interface SeedTable {
  oid: string;
  /** Schema-qualified, quoted where needed: public.orders, app."Order". */
  name: string;
  kind: 'table' | 'partitioned table';
  /** A partition is seeded through its partitioned parent (`partitionOf`). */
  partitionOf: string | null;
  columns: SeedColumn[];
  uniqueKeys: UniqueKey[];
  foreignKeys: ForeignKeyInfo[];
  checks: CheckInfo[];
  /** Exclusion constraints cannot be satisfied by construction; they are named when an insert violates one. */
  exclusions: string[];
}

export interface SeedColumn {
  name: string;
  attnum: number;
  typeOid: string;
  /** format_type(): what to cast generated values to, e.g. 'character varying(20)', 'public.mood'. */
  typeSql: string;
  /** Character length limit (varchar(n), char(n), also through domains), when there is one. */
  maxLength: number | null;
  /** numeric(p, s) */
  precision: number | null;
  scale: number | null;
  notNull: boolean;
  /** The DEFAULT expression (pg_get_expr), or null. */
  defaultExpr: string | null;
  identity: 'always' | 'by default' | null;
  generated: boolean;
  /** The sequence an identity or serial column draws from, schema-qualified. */
  sequence: string | null;
}

export interface UniqueKey {
  name: string;
  kind: 'primary key' | 'unique' | 'unique index';
  columns: string[];
  /** NULLS NOT DISTINCT (PostgreSQL 15+): a NULL counts as a value, so NULLs would collide. */
  nullsNotDistinct: boolean;
  /** For a unique index: it has expressions or a WHERE clause, so `columns` are the columns it mentions. */
  approximate: boolean;
}

export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  /** Schema-qualified referenced table. */
  references: string;
  referencedColumns: string[];
  validated: boolean;
}

export interface CheckInfo {
  name: string;
  /** pg_get_expr(conbin): the boolean expression, e.g. '(total_cents >= 0)'. */
  expression: string;
  columns: string[];
  validated: boolean;
}

export interface SeedType {
  oid: string;
  /** pg_type.typname: 'int4', 'varchar', 'timestamptz', 'mood', '_int4'. */
  name: string;
  /** format_type(oid, NULL), schema-qualified where needed. */
  sql: string;
  /** pg_type.typtype: b base, e enum, d domain, c composite, r range, m multirange, p pseudo. */
  kind: string;
  /** pg_type.typcategory: N numeric, S string, B boolean, D date/time, U user (uuid), A array, E enum, … */
  category: string;
  /** Domains: the type underneath. */
  baseOid: string | null;
  /** Domains: the typmod of the base type (varchar(20) under a domain). */
  baseTypmod: number;
  /** Arrays: the element type. */
  elementOid: string | null;
  domainNotNull: boolean;
  domainChecks: Array<{ name: string; expression: string }>;
  enumLabels: string[];
}

const USER_SCHEMA = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

const TABLES_SQL = `
  SELECT c.oid::text AS oid, format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS relkind,
         (SELECT format('%I.%I', pn.nspname, p.relname) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND ${USER_SCHEMA}
  ORDER BY 2`;

const COLUMNS_SQL = `
  SELECT a.attrelid::text AS table_oid, a.attname AS name, a.attnum AS attnum, a.atttypid::text AS type_oid,
         a.atttypmod AS typmod, format_type(a.atttypid, a.atttypmod) AS type_sql, a.attnotnull AS not_null,
         pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity,
         a.attgenerated::text AS generated,
         pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS sequence
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND ${USER_SCHEMA}
  ORDER BY a.attrelid, a.attnum`;

// conkey/confkey as JSON so the driver's array parsing does not matter.
const CONSTRAINTS_SQL = `
  SELECT co.conrelid::text AS table_oid, co.conname AS name, co.contype::text AS type,
         array_to_json(co.conkey) AS keys, array_to_json(co.confkey) AS ref_keys,
         CASE WHEN co.contype = 'f' THEN (SELECT format('%I.%I', rn.nspname, r.relname) FROM pg_class r
              JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE r.oid = co.confrelid) END AS ref_table,
         co.confrelid::text AS ref_oid,
         CASE WHEN co.contype = 'c' THEN pg_get_expr(co.conbin, co.conrelid) END AS expression,
         co.convalidated AS validated,
         coalesce((SELECT (to_jsonb(i) ->> 'indnullsnotdistinct')::boolean FROM pg_index i WHERE i.indexrelid = co.conindid), false) AS nulls_not_distinct
  FROM pg_constraint co
  JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND ${USER_SCHEMA}
  ORDER BY co.conrelid, co.conname`;

// Unique indexes that back no constraint (CREATE UNIQUE INDEX). Expression columns come from pg_depend, where
// PostgreSQL records every column an index expression or predicate mentions.
const UNIQUE_INDEXES_SQL = `
  SELECT i.indrelid::text AS table_oid, ic.relname AS name,
         array_to_json(ARRAY(SELECT DISTINCT k FROM unnest(i.indkey::int2[]) k WHERE k > 0
           UNION SELECT DISTINCT d.refobjsubid::int2 FROM pg_depend d
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                   AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid AND d.refobjsubid > 0)) AS keys,
         (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL) AS approximate,
         coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
  WHERE i.indisunique AND ${USER_SCHEMA}
    AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))`;

// Every type the columns use, following domains to their base type and arrays to their element type.
const TYPES_SQL = `
  WITH RECURSIVE used(oid) AS (
    SELECT DISTINCT a.atttypid
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ${USER_SCHEMA}
    UNION
    SELECT next.oid FROM used JOIN pg_type t ON t.oid = used.oid,
      LATERAL (VALUES (t.typbasetype), (CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0 END)) AS next(oid)
    WHERE next.oid <> 0
  )
  SELECT t.oid::text AS oid, t.typname AS name, format_type(t.oid, NULL) AS sql, t.typtype::text AS kind,
         t.typcategory::text AS category, nullif(t.typbasetype, 0)::text AS base_oid, t.typtypmod AS base_typmod,
         CASE WHEN t.typcategory = 'A' THEN nullif(t.typelem, 0)::text END AS element_oid, t.typnotnull AS domain_not_null,
         coalesce((SELECT json_agg(json_build_object('name', co.conname, 'expression', pg_get_constraintdef(co.oid)) ORDER BY co.conname)
                   FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c'), '[]') AS domain_checks,
         coalesce((SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '[]') AS enum_labels
  FROM pg_type t WHERE t.oid IN (SELECT oid FROM used)`;

/**
 * Reads the seeding view of every user table in the session's database, in one consistent snapshot — its own
 * read-only transaction, or the session's open one (`inTransaction`: to see what an uncommitted migration did).
 */
export async function readSeedSchema(session: DbSession, options: { inTransaction?: boolean } = {}): Promise<SeedSchema> {
  if (!options.inTransaction) await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const tables = await session.query<{ oid: string; name: string; relkind: string; partition_of: string | null }>(TABLES_SQL);
    const columns = await session.query<{
      table_oid: string;
      name: string;
      attnum: number;
      type_oid: string;
      typmod: number;
      type_sql: string;
      not_null: boolean;
      default_expr: string | null;
      identity: string;
      generated: string;
      sequence: string | null;
    }>(COLUMNS_SQL);
    const constraints = await session.query<{
      table_oid: string;
      name: string;
      type: string;
      keys: number[] | null;
      ref_keys: number[] | null;
      ref_table: string | null;
      ref_oid: string;
      expression: string | null;
      validated: boolean;
      nulls_not_distinct: boolean;
    }>(CONSTRAINTS_SQL);
    const uniqueIndexes = await session.query<{ table_oid: string; name: string; keys: number[] | null; approximate: boolean; nulls_not_distinct: boolean }>(
      UNIQUE_INDEXES_SQL,
    );
    const typeRows = await session.query<{
      oid: string;
      name: string;
      sql: string;
      kind: string;
      category: string;
      base_oid: string | null;
      base_typmod: number;
      element_oid: string | null;
      domain_not_null: boolean;
      domain_checks: Array<{ name: string; expression: string }>;
      enum_labels: string[];
    }>(TYPES_SQL);

    const types = new Map<string, SeedType>();
    for (const row of typeRows.rows) {
      types.set(row.oid, {
        oid: row.oid,
        name: row.name,
        sql: row.sql,
        kind: row.kind,
        category: row.category,
        baseOid: row.base_oid,
        baseTypmod: row.base_typmod,
        elementOid: row.element_oid,
        domainNotNull: row.domain_not_null,
        domainChecks: row.domain_checks.map((c) => ({ name: c.name, expression: stripCheck(c.expression) })),
        enumLabels: row.enum_labels,
      });
    }

    const byOid = new Map<string, SeedTable>();
    const attnames = new Map<string, Map<number, string>>();
    for (const row of tables.rows) {
      byOid.set(row.oid, {
        oid: row.oid,
        name: row.name,
        kind: row.relkind === 'p' ? 'partitioned table' : 'table',
        partitionOf: row.partition_of,
        columns: [],
        uniqueKeys: [],
        foreignKeys: [],
        checks: [],
        exclusions: [],
      });
      attnames.set(row.oid, new Map());
    }
    for (const row of columns.rows) {
      const table = byOid.get(row.table_oid);
      if (!table) continue;
      const typmod = effectiveTypmod(row.typmod, row.type_oid, types);
      const baseName = baseTypeOf(row.type_oid, types)?.name;
      table.columns.push({
        name: row.name,
        attnum: row.attnum,
        typeOid: row.type_oid,
        typeSql: row.type_sql,
        maxLength: baseName === 'varchar' || baseName === 'bpchar' ? (typmod > 4 ? typmod - 4 : null) : null,
        precision: baseName === 'numeric' && typmod > 4 ? ((typmod - 4) >> 16) & 0xffff : null,
        scale: baseName === 'numeric' && typmod > 4 ? numericScale(typmod) : null,
        notNull: row.not_null,
        defaultExpr: row.default_expr,
        identity: row.identity === 'a' ? 'always' : row.identity === 'd' ? 'by default' : null,
        generated: row.generated !== '' && row.generated !== null && row.generated !== undefined,
        sequence: row.sequence,
      });
      attnames.get(row.table_oid)!.set(row.attnum, row.name);
    }
    const names = (tableOid: string, keys: number[] | null): string[] =>
      (keys ?? []).map((k) => attnames.get(tableOid)?.get(k)).filter((n): n is string => n !== undefined);

    for (const row of constraints.rows) {
      const table = byOid.get(row.table_oid);
      if (!table) continue;
      if (row.type === 'p' || row.type === 'u') {
        table.uniqueKeys.push({
          name: row.name,
          kind: row.type === 'p' ? 'primary key' : 'unique',
          columns: names(row.table_oid, row.keys),
          nullsNotDistinct: row.nulls_not_distinct,
          approximate: false,
        });
      } else if (row.type === 'f' && row.ref_table) {
        table.foreignKeys.push({
          name: row.name,
          columns: names(row.table_oid, row.keys),
          references: row.ref_table,
          referencedColumns: names(row.ref_oid, row.ref_keys),
          validated: row.validated,
        });
      } else if (row.type === 'c' && row.expression) {
        table.checks.push({ name: row.name, expression: row.expression, columns: names(row.table_oid, row.keys), validated: row.validated });
      } else if (row.type === 'x') {
        table.exclusions.push(row.name);
      }
    }
    for (const row of uniqueIndexes.rows) {
      const table = byOid.get(row.table_oid);
      if (!table) continue;
      table.uniqueKeys.push({
        name: row.name,
        kind: 'unique index',
        columns: names(row.table_oid, row.keys),
        nullsNotDistinct: row.nulls_not_distinct,
        approximate: row.approximate,
      });
    }
    return { tables: [...byOid.values()], types };
  } finally {
    if (!options.inTransaction) await session.query('ROLLBACK');
  }
}

/** Follows a domain chain down to the type that is not a domain. */
export function baseTypeOf(oid: string, types: Map<string, SeedType>): SeedType | undefined {
  let type = types.get(oid);
  for (let depth = 0; type && type.kind === 'd' && type.baseOid && depth < 32; depth++) type = types.get(type.baseOid);
  return type;
}

/** The domains `oid` is built from, outermost first (empty for a plain type). */
export function domainChain(oid: string, types: Map<string, SeedType>): SeedType[] {
  const chain: SeedType[] = [];
  let type = types.get(oid);
  for (let depth = 0; type && type.kind === 'd' && depth < 32; depth++) {
    chain.push(type);
    type = type.baseOid ? types.get(type.baseOid) : undefined;
  }
  return chain;
}

/** A column's typmod, or — for a column of a domain type — the typmod the domain gives its base type. */
function effectiveTypmod(typmod: number, typeOid: string, types: Map<string, SeedType>): number {
  if (typmod > 0) return typmod;
  for (const domain of domainChain(typeOid, types)) if (domain.baseTypmod > 0) return domain.baseTypmod;
  return -1;
}

/** numeric typmod → scale; the scale is an 11-bit signed field since PostgreSQL 15 (negative scales). */
function numericScale(typmod: number): number {
  const raw = (typmod - 4) & 0x7ff;
  return raw >= 0x400 ? raw - 0x800 : raw;
}

/** 'CHECK ((VALUE > 0)) NOT VALID' → '((VALUE > 0))' */
function stripCheck(definition: string): string {
  const match = /^CHECK\s*\(([\s\S]*)\)(\s+NOT VALID)?\s*$/.exec(definition.trim());
  return match ? `(${match[1]})` : definition;
}
