/**
 * A plain-data picture of a database's user schema, read from the system catalogs: relations with their columns,
 * constraints and indexes. Used to compare the schema a real server ends up with against the schema Lockstep's
 * static catalog predicts (and two server states against each other), so it holds only what a migration can
 * change and reads everything in PostgreSQL's own rendering (format_type, pg_get_expr, pg_get_constraintdef,
 * pg_get_indexdef) — two snapshots are equal exactly when those renderings are.
 *
 * "User schemas" are all schemas except pg_catalog, pg_toast, the temp schemas and information_schema.
 * Everything is sorted (relations by name, columns by position, constraints and indexes by name), so snapshots
 * can be compared with deep equality.
 */
import type { DbSession } from './driver.js';

export interface CatalogSnapshot {
  relations: RelationSnapshot[];
}

export interface RelationSnapshot {
  /** Schema-qualified, quoted only where needed: public.orders, public."Order". */
  name: string;
  kind: 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table';
  columns: ColumnSnapshot[];
  constraints: ConstraintSnapshot[];
  indexes: IndexSnapshot[];
}

export interface ColumnSnapshot {
  name: string;
  /** format_type(): 'integer', 'character varying(20)', 'timestamp with time zone', 'text[]'. */
  type: string;
  nullable: boolean;
  /** The default expression as pg_get_expr renders it ('0', 'nextval(''t_id_seq''::regclass)'), or null. */
  default: string | null;
  /** GENERATED ALWAYS AS (…) STORED columns: the expression is in `default`. */
  generated: 'stored' | null;
  identity: 'always' | 'by default' | null;
}

export interface ConstraintSnapshot {
  name: string;
  type: 'primary key' | 'unique' | 'foreign key' | 'check' | 'exclusion' | 'not null' | 'trigger' | 'other';
  /** false for NOT VALID constraints that were never validated. */
  validated: boolean;
  /** pg_get_constraintdef(): 'FOREIGN KEY (pid) REFERENCES parent(id) NOT VALID', 'CHECK ((a > 0))'. */
  definition: string;
}

export interface IndexSnapshot {
  /** Schema-qualified like relation names. */
  name: string;
  /** pg_get_indexdef(): 'CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)'. */
  definition: string;
  /** false for an index a failed CREATE INDEX CONCURRENTLY left behind (indisvalid). */
  valid: boolean;
  unique: boolean;
  primary: boolean;
}

const USER_SCHEMA = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

const RELATIONS_SQL = `
  SELECT c.oid::text AS oid, format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}`;

const COLUMNS_SQL = `
  SELECT a.attrelid::text AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
         NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS "default",
         a.attgenerated::text AS generated, a.attidentity::text AS identity
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMA}
  ORDER BY a.attrelid, a.attnum`;

const CONSTRAINTS_SQL = `
  SELECT co.conrelid::text AS oid, co.conname AS name, co.contype::text AS type, co.convalidated AS validated,
         pg_get_constraintdef(co.oid) AS definition
  FROM pg_constraint co
  JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_SCHEMA}`;

const INDEXES_SQL = `
  SELECT i.indrelid::text AS oid, format('%I.%I', n.nspname, ic.relname) AS name,
         pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid, i.indisunique AS "unique",
         i.indisprimary AS "primary"
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
  WHERE ${USER_SCHEMA}`;

const RELATION_KINDS: Record<string, RelationSnapshot['kind']> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

const CONSTRAINT_TYPES: Record<string, ConstraintSnapshot['type']> = {
  p: 'primary key',
  u: 'unique',
  f: 'foreign key',
  c: 'check',
  x: 'exclusion',
  n: 'not null', // PostgreSQL 18+ catalogs NOT NULL constraints; 17 only has pg_attribute.attnotnull
  t: 'trigger',
};

export async function catalogSnapshot(session: DbSession): Promise<CatalogSnapshot> {
  // One REPEATABLE READ transaction so the four reads see the same catalog state.
  await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const relations = await session.query<{ oid: string; name: string; relkind: string }>(RELATIONS_SQL);
    const columns = await session.query<{
      oid: string;
      name: string;
      type: string;
      nullable: boolean;
      default: string | null;
      generated: string;
      identity: string;
    }>(COLUMNS_SQL);
    const constraints = await session.query<{ oid: string; name: string; type: string; validated: boolean; definition: string }>(CONSTRAINTS_SQL);
    const indexes = await session.query<{ oid: string } & IndexSnapshot>(INDEXES_SQL);

    const byOid = new Map<string, RelationSnapshot>();
    for (const row of relations.rows) {
      byOid.set(row.oid, { name: row.name, kind: RELATION_KINDS[row.relkind]!, columns: [], constraints: [], indexes: [] });
    }
    for (const row of columns.rows) {
      byOid.get(row.oid)?.columns.push({
        name: row.name,
        type: row.type,
        nullable: row.nullable,
        default: row.default,
        generated: row.generated === 's' ? 'stored' : null,
        identity: row.identity === 'a' ? 'always' : row.identity === 'd' ? 'by default' : null,
      });
    }
    for (const row of constraints.rows) {
      byOid.get(row.oid)?.constraints.push({
        name: row.name,
        type: CONSTRAINT_TYPES[row.type] ?? 'other',
        validated: row.validated,
        definition: row.definition,
      });
    }
    for (const { oid, ...index } of indexes.rows) byOid.get(oid)?.indexes.push(index);

    const snapshot = [...byOid.values()].sort((a, b) => compareText(a.name, b.name));
    for (const relation of snapshot) {
      relation.constraints.sort((a, b) => compareText(a.name, b.name));
      relation.indexes.sort((a, b) => compareText(a.name, b.name));
    }
    return { relations: snapshot };
  } finally {
    await session.query('ROLLBACK');
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
