/**
 * ALTER TABLE column subcommands other than ALTER COLUMN TYPE (alter-table-type.ts): ADD / DROP COLUMN, SET / DROP
 * DEFAULT, SET / DROP NOT NULL, statistics, storage, compression, per-column options, identity and generated columns.
 * Subcommands that recurse lock every partition in the same mode (`table.partitions`); a rewrite or a scan touches
 * the relations that hold rows (`table.leaves`: the table, or its leaf partitions).
 */
import type { FactInput, LockFact } from '../fact';
import {
  EMPTY_TABLE,
  INHERITED,
  PARTITIONED,
  REFERENCED,
  TABLE,
  columnConstraints,
  columnDefOf,
  command,
  isNullConstant,
  leavesOf,
  onIndex,
  onTable,
  volatilityOf,
} from './alter-table-shared';

const DOCS = 'sql-altertable.html#SQL-ALTERTABLE-NOTES';

/** What an ADD COLUMN's definition asks PostgreSQL to do (ATExecAddColumn). */
interface AddColumnAspects {
  /** true: every row gets a computed value, so the table is rewritten; 'unknown': a default of unknown volatility. */
  rewrite: boolean | 'unknown';
  /** A REFERENCES clause. */
  foreignKey: boolean;
  /** 'none', an explicit DEFAULT NULL, or a value. */
  default: 'none' | 'null' | 'value';
  /** Rows are read to check the new column: NOT NULL without a default, CHECK, or a new unique index. */
  verified: boolean;
  /** GENERATED ALWAYS AS (…) VIRTUAL (PostgreSQL 18; also the default kind there). */
  virtual: boolean;
}

const SERIAL_NAMES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/**
 * Facts for one subcommand are tried in turn, each asking for the same aspects: computed once per subcommand and
 * schema (a schema lookup is made per analysis, so a later analysis with another schema never sees these).
 */
const aspectsCache = new WeakMap<object, WeakMap<object, AddColumnAspects>>();

function addColumnAspects(input: FactInput): AddColumnAspects {
  let bySchema = aspectsCache.get(input.schema);
  if (!bySchema) aspectsCache.set(input.schema, (bySchema = new WeakMap()));
  const cached = bySchema.get(input.command as object);
  if (cached) return cached;
  const aspects = computeAddColumnAspects(input);
  bySchema.set(input.command as object, aspects);
  return aspects;
}

function computeAddColumnAspects(input: FactInput): AddColumnAspects {
  const def = columnDefOf(input);
  const constraints = columnConstraints(def);
  const has = (contype: string) => constraints.some((c) => c.contype === contype);
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr ?? def?.raw_default;
  const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
  const typeNames = (def?.typeName?.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval);
  const serial = typeNames.length === 1 && SERIAL_NAMES.has(typeNames[0] ?? '') && !def?.typeName?.arrayBounds;
  const type = def?.typeName && !serial ? input.schema.resolveType(def.typeName) : undefined;
  let rewrite: boolean | 'unknown' =
    has('CONSTR_IDENTITY') || serial || generated?.generated_kind === 's' || (type?.kind === 'domain' && type.domain?.hasConstraints === true);
  if (!rewrite && defaultExpr !== undefined) {
    const volatility = volatilityOf(input, defaultExpr);
    rewrite = volatility === 'volatile' ? true : volatility === 'unknown' ? 'unknown' : false;
  }
  const defaultKind = defaultExpr === undefined ? 'none' : isNullConstant(defaultExpr) ? 'null' : 'value';
  const notNull = has('CONSTR_NOTNULL') || has('CONSTR_PRIMARY');
  return {
    rewrite,
    foreignKey: has('CONSTR_FOREIGN'),
    default: defaultKind,
    verified: (notNull && defaultKind === 'none' && !rewrite) || has('CONSTR_CHECK') || has('CONSTR_UNIQUE') || has('CONSTR_PRIMARY'),
    virtual: generated?.generated_kind === 'v',
  };
}

const addColumn = (when: (a: AddColumnAspects, input: FactInput) => boolean) => (input: FactInput) =>
  onTable(input) && when(addColumnAspects(input), input);

/** The leaves whose rows a validated NOT NULL check proves non-null (PostgreSQL ≥ 12 skips their scan). */
function notNullProven(input: FactInput): { proven: number; total: number } {
  const column = command(input).name ?? '';
  const table = input.table;
  const leaves = leavesOf(input);
  const onTableItself = table !== undefined && input.schema.hasValidatedNotNullCheck(table, column);
  const proven = leaves.filter((leaf) => onTableItself || input.schema.hasValidatedNotNullCheck(leaf, column)).length;
  return { proven, total: leaves.length };
}

const recursing = [
  { role: 'table', mode: 'AccessExclusiveLock' },
  { role: 'table.partitions', mode: 'AccessExclusiveLock' },
] as const;

/** The inheritance children (all levels) of a table, for the subcommands proven to recurse to them. */
const inheritors = [{ role: 'table.inheritors', mode: 'AccessExclusiveLock' }] as const;

/** Identity subcommands that reach partitions only since PostgreSQL 17 (identity columns of partitioned tables). */
const IDENTITY_FACTS = new Set(['alter-table.alter-column.add-identity', 'alter-table.alter-column.set-generated', 'alter-table.alter-column.drop-identity']);

export const alterTableColumnFacts: readonly LockFact[] = identityBefore17([
  // ---- ADD COLUMN ----
  {
    id: 'alter-table.add-column.rewrite',
    summary: 'ALTER TABLE … ADD COLUMN that fills every row: volatile DEFAULT, serial, identity, GENERATED … STORED, or a constrained domain',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    when: addColumn((a) => a.rewrite === true && !a.foreignKey),
    locks: [
      ...recursing,
      { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
      ...inheritors,
      { role: 'table.inheritors.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.leaves', 'table.leaves.indexes', 'table.inheritors', 'table.inheritors.indexes'],
    scans: ['table.leaves', 'table.inheritors'],
    docs: DOCS,
    why:
      'A volatile default (gen_random_uuid(), clock_timestamp(), nextval() of serial and identity columns) or a stored ' +
      'generated column gives each row its own value, so the table and all its indexes are rebuilt under ACCESS ' +
      'EXCLUSIVE. A column whose type is a domain with a CHECK or NOT NULL constraint is rewritten too, even without ' +
      'a DEFAULT: PostgreSQL checks the domain against every row by rewriting.',
    // gen_random_uuid() is built in from PostgreSQL 13 (pgcrypto before): its examples are bounded, and 12 proves
    // the same shapes with clock_timestamp().
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()', pg: { min: 13 } },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c serial' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED' },
      { setup: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0); ' + TABLE, sql: 'ALTER TABLE t ADD COLUMN c positive_int' },
      { setup: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0); ' + TABLE, sql: 'ALTER TABLE t ADD COLUMN c positive_int DEFAULT 1' },
      {
        setup: 'CREATE TABLE t (id bigint, a int); CREATE INDEX t_a_idx ON t (a); INSERT INTO t SELECT g, g FROM generate_series(1, 10) g;',
        sql: 'ALTER TABLE t ADD COLUMN c bigserial PRIMARY KEY',
      },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ADD COLUMN c uuid DEFAULT gen_random_uuid()', pg: { min: 13 } },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ADD COLUMN c timestamptz DEFAULT clock_timestamp()', pg: { max: 12 } },
      // The column is added to every inheritance child (and grandchild), and each is rewritten with its indexes.
      { setup: INHERITED, sql: 'ALTER TABLE p ADD COLUMN c uuid DEFAULT gen_random_uuid()', pg: { min: 13 } },
      { setup: INHERITED, sql: 'ALTER TABLE p ADD COLUMN c timestamptz DEFAULT clock_timestamp()', pg: { max: 12 } },
    ],
  },
  {
    id: 'alter-table.add-column.default.pre-11',
    summary: 'ALTER TABLE … ADD COLUMN … DEFAULT <non-NULL value> before PostgreSQL 11',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    pg: { max: 10 },
    when: addColumn((a) => a.default === 'value' && !a.foreignKey && a.rewrite !== 'unknown'),
    locks: [...recursing, { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' }, { role: 'created', mode: 'AccessExclusiveLock' }],
    rewrites: ['table.leaves', 'table.leaves.indexes'],
    scans: ['table.leaves'],
    docs: DOCS,
    why: 'Before PostgreSQL 11 every non-NULL default was written into each row (no catalog "missing value"). Known difference; only PostgreSQL 17 is proven here.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0', pg: { max: 10 } }],
  },
  {
    id: 'alter-table.add-column.virtual-generated',
    summary: 'ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (…) [VIRTUAL] (PostgreSQL 18)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    pg: { min: 18 },
    when: addColumn((a) => a.virtual && !a.foreignKey && !a.verified),
    locks: [...recursing],
    docs: DOCS,
    why: 'PostgreSQL 18 computes virtual generated columns on read (the default kind there), so nothing is written. Known difference; only PostgreSQL 17 is proven here.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) VIRTUAL', pg: { min: 18 } }],
  },
  {
    id: 'alter-table.add-column.foreign-key.validated',
    summary: 'ALTER TABLE … ADD COLUMN … DEFAULT <value> REFERENCES …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    when: addColumn((a) => a.foreignKey && a.rewrite === false && a.default === 'value'),
    locks: [
      ...recursing,
      { role: 'referenced', mode: 'ShareRowExclusiveLock' },
      { role: 'referenced.indexes', mode: 'AccessShareLock' },
      { role: 'table.leaves.indexes', mode: 'AccessShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves', 'referenced'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT',
    why:
      'With a DEFAULT every row has a value to check, so the new key is validated by a join of the table with the ' +
      'referenced one (SHARE ROW EXCLUSIVE there: writes to it wait).',
    examples: [{ setup: REFERENCED + TABLE, sql: 'ALTER TABLE t ADD COLUMN r_id bigint NOT NULL DEFAULT 1 REFERENCES r (id) ON DELETE CASCADE' }],
  },
  {
    id: 'alter-table.add-column.foreign-key.default-null',
    summary: 'ALTER TABLE … ADD COLUMN … DEFAULT NULL REFERENCES …',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    when: addColumn((a) => a.foreignKey && a.rewrite === false && a.default === 'null'),
    locks: [
      ...recursing,
      { role: 'referenced', mode: 'ShareRowExclusiveLock' },
      { role: 'referenced.indexes', mode: 'AccessShareLock' },
      { role: 'table.leaves.indexes', mode: 'AccessShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT',
    why:
      'An explicit DEFAULT NULL still runs the validation query (unlike no DEFAULT at all), but it finds no non-NULL ' +
      'value, so the referenced table is never read.',
    examples: [{ setup: REFERENCED + TABLE, sql: 'ALTER TABLE t ADD COLUMN r_id bigint DEFAULT NULL REFERENCES r (id)' }],
  },
  {
    id: 'alter-table.add-column.verified',
    summary: 'ALTER TABLE … ADD COLUMN with NOT NULL and no DEFAULT, a CHECK, or UNIQUE / PRIMARY KEY',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    when: addColumn((a) => a.rewrite === false && a.verified && (!a.foreignKey || a.default === 'none')),
    locks: [...recursing, { role: 'referenced', mode: 'ShareRowExclusiveLock' }, { role: 'created', mode: 'AccessExclusiveLock' }],
    scans: ['table.leaves'],
    docs: DOCS,
    why:
      'No row is written, but every row is read under ACCESS EXCLUSIVE: to prove NOT NULL (only an empty table passes ' +
      'without a DEFAULT), to check a CHECK constraint (even one the DEFAULT satisfies), or to build the new unique index.',
    examples: [
      { setup: EMPTY_TABLE, sql: 'ALTER TABLE t ADD COLUMN c int NOT NULL' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int CHECK (c > 0)' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int DEFAULT 1 CHECK (c > 0)' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int UNIQUE' },
      { setup: 'CREATE TABLE t (id bigint, a int); CREATE INDEX t_a_idx ON t (a);', sql: 'ALTER TABLE t ADD COLUMN c bigint PRIMARY KEY' },
    ],
  },
  {
    id: 'alter-table.add-column',
    summary: 'ALTER TABLE … ADD COLUMN without a volatile DEFAULT',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    when: addColumn((a) => a.rewrite === false && !a.verified && (!a.foreignKey || a.default === 'none')),
    locks: [...recursing, ...inheritors, { role: 'referenced', mode: 'ShareRowExclusiveLock' }, { role: 'created', mode: 'AccessExclusiveLock' }],
    docs: DOCS,
    why:
      'Since PostgreSQL 11 a non-volatile DEFAULT (a constant, now(), CURRENT_TIMESTAMP — evaluated once) is stored in ' +
      'the catalog, so no row is touched. A REFERENCES clause without a DEFAULT validates nothing (every row is NULL) ' +
      'but still takes SHARE ROW EXCLUSIVE on the referenced table.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now()' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP' },
      { setup: TABLE, sql: "ALTER TABLE t ADD COLUMN c jsonb NOT NULL DEFAULT '{}'::jsonb" },
      { setup: 'CREATE DOMAIN plain_int AS int; ' + TABLE, sql: 'ALTER TABLE t ADD COLUMN c plain_int DEFAULT 0' },
      { setup: REFERENCED + TABLE, sql: 'ALTER TABLE t ADD COLUMN r_id bigint REFERENCES r (id)' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN IF NOT EXISTS a int' },
      { setup: TABLE, sql: "ALTER TABLE t ADD COLUMN c int, ADD COLUMN d text NOT NULL DEFAULT 'x'" },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ADD COLUMN c int NOT NULL DEFAULT 0' },
      { setup: INHERITED, sql: 'ALTER TABLE p ADD COLUMN c int' },
      { setup: INHERITED, sql: 'ALTER TABLE p ADD COLUMN c int NOT NULL DEFAULT 0' },
    ],
  },

  {
    id: 'alter-table.add-column.default-volatility-unknown',
    summary: 'ALTER TABLE … ADD COLUMN … DEFAULT calling a function the catalog does not know',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    when: addColumn((a) => a.rewrite === 'unknown'),
    locks: [...recursing, { role: 'referenced', mode: 'ShareRowExclusiveLock' }, { role: 'created', mode: 'AccessExclusiveLock' }],
    unknown: 'ADD COLUMN … DEFAULT calls a function of unknown volatility: if it is VOLATILE the table and its indexes are rewritten',
    docs: DOCS,
    why: 'A lower bound: ACCESS EXCLUSIVE is certain; the rewrite depends on the function\u2019s volatility.',
    examples: [
      {
        setup: TABLE + " DO $$ BEGIN EXECUTE 'CREATE FUNCTION one() RETURNS int IMMUTABLE LANGUAGE sql AS ''SELECT 1'''; END $$;",
        sql: 'ALTER TABLE t ADD COLUMN c int DEFAULT one()',
      },
    ],
  },

  // ---- DROP COLUMN ----
  {
    id: 'alter-table.drop-column',
    summary: 'ALTER TABLE … DROP COLUMN',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropColumn',
    // CASCADE also drops the views using the column; which views those are is not modelled.
    when: (input) =>
      onTable(input) && !(command(input).behavior === 'DROP_CASCADE' && input.table !== undefined && input.schema.dependentViews(input.table).length > 0),
    locks: [
      ...recursing,
      ...inheritors,
      { role: 'table.inheritors.direct', mode: 'AccessExclusiveLock' },
      { role: 'column.indexes', mode: 'AccessExclusiveLock' },
      { role: 'column.sequences', mode: 'AccessExclusiveLock' },
      { role: 'column.referenced', mode: 'AccessExclusiveLock' },
      { role: 'column.referencing', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-COLUMN',
    why:
      'The column is only marked dropped (no rewrite), but the indexes and the sequence that depend on it are dropped, ' +
      'and a FOREIGN KEY on it (or, with CASCADE, to it) is dropped with ACCESS EXCLUSIVE on the table at its other end. ' +
      'On an inheritance parent the column goes from every descendant; even ALTER TABLE ONLY locks the direct children ' +
      'ACCESS EXCLUSIVE, because their inherited copy of the column becomes their own.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t DROP COLUMN a' },
      { setup: TABLE + ' CREATE INDEX t_ab_idx ON t (a, b); CREATE INDEX t_lower_b_idx ON t (lower(b));', sql: 'ALTER TABLE t DROP COLUMN b' },
      { setup: 'CREATE TABLE t (id serial PRIMARY KEY, a int); CREATE INDEX t_a_idx ON t (a);', sql: 'ALTER TABLE t DROP COLUMN id' },
      {
        setup: REFERENCED + TABLE + ' ALTER TABLE t ADD COLUMN r_id bigint REFERENCES r (id);',
        sql: 'ALTER TABLE t DROP COLUMN r_id',
      },
      {
        setup: REFERENCED + TABLE + ' ALTER TABLE t ADD COLUMN r_id bigint REFERENCES r (id);',
        sql: 'ALTER TABLE r DROP COLUMN id CASCADE',
      },
      { setup: TABLE, sql: 'ALTER TABLE t DROP COLUMN IF EXISTS missing' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m DROP COLUMN a' },
      { setup: INHERITED, sql: 'ALTER TABLE p DROP COLUMN b' },
      // ONLY still locks the direct children: their copy of the column becomes their own (attislocal).
      { setup: INHERITED, sql: 'ALTER TABLE ONLY p DROP COLUMN b' },
    ],
  },

  {
    id: 'alter-table.drop-column.cascade-views',
    summary: 'ALTER TABLE … DROP COLUMN … CASCADE on a table that views read',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropColumn',
    when: onTable,
    locks: [
      ...recursing,
      { role: 'column.indexes', mode: 'AccessExclusiveLock' },
      { role: 'column.sequences', mode: 'AccessExclusiveLock' },
      { role: 'column.referenced', mode: 'AccessExclusiveLock' },
      { role: 'column.referencing', mode: 'AccessExclusiveLock' },
    ],
    unknown: 'DROP COLUMN … CASCADE also drops the views that use the column (ACCESS EXCLUSIVE on each); which views those are is not modelled',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-COLUMN',
    why: 'A lower bound: views that do not use the column are left alone.',
    examples: [{ setup: TABLE + ' CREATE VIEW t_ids AS SELECT id FROM t;', sql: 'ALTER TABLE t DROP COLUMN a CASCADE' }],
  },

  // ---- ALTER COLUMN … DEFAULT / NOT NULL ----
  {
    id: 'alter-table.alter-column.default',
    summary: 'ALTER TABLE … ALTER COLUMN … SET DEFAULT / DROP DEFAULT',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ColumnDefault',
    when: onTable,
    locks: [...recursing, ...inheritors],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-DEFAULT',
    why: 'Only future INSERTs use the new default; existing rows are not touched.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a SET DEFAULT 0' },
      { setup: TABLE + ' CREATE SEQUENCE s1;', sql: "ALTER TABLE t ALTER COLUMN a SET DEFAULT nextval('s1')" },
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a DROP DEFAULT' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN a SET DEFAULT 1' },
      { setup: PARTITIONED, sql: 'ALTER TABLE ONLY m ALTER COLUMN a SET DEFAULT 1' },
      { setup: INHERITED, sql: 'ALTER TABLE p ALTER COLUMN a SET DEFAULT 0' },
      { setup: INHERITED, sql: 'ALTER TABLE ONLY p ALTER COLUMN a SET DEFAULT 0' },
    ],
  },
  {
    id: 'alter-table.alter-column.set-not-null.already',
    summary: 'ALTER TABLE … ALTER COLUMN … SET NOT NULL on a column that is already NOT NULL',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetNotNull',
    when: (input) => onTable(input) && input.table !== undefined && input.schema.column(input.table, command(input).name ?? '')?.notNull === true,
    locks: [...recursing],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL',
    examples: [{ setup: 'CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL); INSERT INTO t VALUES (1, 1);', sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL' }],
  },
  {
    id: 'alter-table.alter-column.set-not-null.proven',
    summary: 'ALTER TABLE … ALTER COLUMN … SET NOT NULL with a validated CHECK (col IS NOT NULL)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetNotNull',
    pg: { min: 12 },
    when: (input) => {
      if (!onTable(input)) return false;
      const { proven, total } = notNullProven(input);
      return total > 0 && proven === total;
    },
    locks: [...recursing],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL',
    why:
      'Since PostgreSQL 12 a valid CHECK (col IS NOT NULL) proves the column has no NULLs, so the full-table scan is ' +
      'skipped — the safe recipe: ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT (SHARE UPDATE ' +
      'EXCLUSIVE), then SET NOT NULL. A NOT VALID check does not count.',
    examples: [
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT a_not_null CHECK (a IS NOT NULL);', sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL' },
      { setup: PARTITIONED + ' ALTER TABLE m ADD CONSTRAINT a_not_null CHECK (a IS NOT NULL);', sql: 'ALTER TABLE m ALTER COLUMN a SET NOT NULL' },
    ],
  },
  {
    id: 'alter-table.alter-column.set-not-null',
    summary: 'ALTER TABLE … ALTER COLUMN … SET NOT NULL',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetNotNull',
    when: (input) => onTable(input) && (input.pgVersion < 12 || notNullProven(input).proven === 0),
    locks: [...recursing, ...inheritors],
    scans: ['table.leaves', 'table.inheritors'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL',
    why: 'Every row is read to prove there is no NULL, under ACCESS EXCLUSIVE: reads and writes wait for the whole scan.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL' },
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT a_not_null CHECK (a IS NOT NULL) NOT VALID;', sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN a SET NOT NULL' },
      // Several subcommands: one fact each, locks merged by strongest mode, scans and rewrites united.
      { setup: TABLE, sql: "ALTER TABLE t ADD COLUMN c int, ALTER COLUMN a SET NOT NULL, ADD CONSTRAINT b_not_empty CHECK (b <> '')" },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN a SET DEFAULT 1, ALTER COLUMN b SET NOT NULL' },
      { setup: INHERITED, sql: 'ALTER TABLE p ALTER COLUMN a SET NOT NULL' },
    ],
  },
  {
    id: 'alter-table.alter-column.drop-not-null',
    summary: 'ALTER TABLE … ALTER COLUMN … DROP NOT NULL',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropNotNull',
    when: onTable,
    locks: [...recursing],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL',
    examples: [
      { setup: 'CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL); INSERT INTO t VALUES (1, 1);', sql: 'ALTER TABLE t ALTER COLUMN a DROP NOT NULL' },
      { setup: PARTITIONED + ' ALTER TABLE m ALTER COLUMN a SET NOT NULL;', sql: 'ALTER TABLE m ALTER COLUMN a DROP NOT NULL' },
    ],
  },

  // ---- statistics, storage, compression, options ----
  {
    id: 'alter-table.alter-column.set-statistics',
    summary: 'ALTER TABLE … ALTER COLUMN … SET STATISTICS',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetStatistics',
    when: onTable,
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.inheritors', mode: 'ShareUpdateExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-STATISTICS',
    why: 'SHARE UPDATE EXCLUSIVE: reads and writes go on; only VACUUM, ANALYZE and other DDL wait.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 500' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN a SET STATISTICS 100' },
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 100, SET (fillfactor = 50)' },
      { setup: INHERITED, sql: 'ALTER TABLE p ALTER COLUMN a SET STATISTICS 100' },
    ],
  },
  {
    id: 'alter-index.alter-column.set-statistics',
    summary: 'ALTER INDEX … ALTER COLUMN <n> SET STATISTICS',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetStatistics',
    when: onIndex,
    locks: [{ role: 'index', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-alterindex.html',
    examples: [{ setup: TABLE + ' CREATE INDEX t_expr_idx ON t ((a + 1));', sql: 'ALTER INDEX t_expr_idx ALTER COLUMN 1 SET STATISTICS 100' }],
  },
  {
    id: 'alter-table.alter-column.set-options',
    summary: 'ALTER TABLE … ALTER COLUMN … SET / RESET (n_distinct, n_distinct_inherited)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetOptions',
    when: onTable,
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-ATTRIBUTE-OPTION',
    why: 'Does not recurse to partitions.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a SET (n_distinct = -0.02)' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN a SET (n_distinct = 10)' },
    ],
  },
  {
    id: 'alter-table.alter-column.reset-options',
    summary: 'ALTER TABLE … ALTER COLUMN … RESET (n_distinct …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_ResetOptions',
    when: onTable,
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-ATTRIBUTE-OPTION',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN a RESET (n_distinct)' }],
  },
  {
    id: 'alter-table.alter-column.set-storage',
    summary: 'ALTER TABLE … ALTER COLUMN … SET STORAGE',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetStorage',
    when: onTable,
    locks: [...recursing, ...inheritors],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-STORAGE',
    why: 'Only new rows use the new strategy; nothing is rewritten, but the lock is ACCESS EXCLUSIVE.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN b SET STORAGE MAIN' },
      { setup: INHERITED, sql: 'ALTER TABLE p ALTER COLUMN b SET STORAGE EXTERNAL' },
    ],
  },
  {
    id: 'alter-table.alter-column.set-compression',
    summary: 'ALTER TABLE … ALTER COLUMN … SET COMPRESSION',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetCompression',
    pg: { min: 14 },
    when: onTable,
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-COMPRESSION',
    why: 'Only values stored later are compressed with the new method; existing rows keep theirs. Not recursive to partitions.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN b SET COMPRESSION pglz' },
    ],
  },

  // ---- identity and generated columns ----
  {
    id: 'alter-table.alter-column.add-identity',
    summary: 'ALTER TABLE … ALTER COLUMN … ADD GENERATED … AS IDENTITY',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddIdentity',
    when: onTable,
    locks: [...recursing, { role: 'created', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-IDENTITY',
    why: 'Existing rows keep their values (the column must already be NOT NULL); only the sequence is created.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY' },
    ],
  },
  {
    id: 'alter-table.alter-column.set-generated',
    summary: 'ALTER TABLE … ALTER COLUMN … SET GENERATED { ALWAYS | BY DEFAULT }',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetIdentity',
    when: (input) => onTable(input) && identityOptions(input).every((name) => name === 'generated'),
    locks: [...recursing, { role: 'column.sequences', mode: 'ShareRowExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-GENERATED',
    examples: [
      { setup: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);', sql: 'ALTER TABLE t ALTER COLUMN id SET GENERATED BY DEFAULT' },
      {
        setup:
          'CREATE TABLE m (id bigint GENERATED ALWAYS AS IDENTITY, day date NOT NULL) PARTITION BY RANGE (day); ' +
          "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        sql: 'ALTER TABLE m ALTER COLUMN id SET GENERATED BY DEFAULT',
      },
    ],
  },
  {
    id: 'alter-table.alter-column.set-identity-options',
    summary: 'ALTER TABLE … ALTER COLUMN … RESTART / SET INCREMENT BY / SET <sequence option> of an identity column',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetIdentity',
    when: (input) => onTable(input) && identityOptions(input).some((name) => name !== 'generated'),
    locks: [...recursing, { role: 'column.sequences', mode: 'ShareRowExclusiveLock' }],
    rewrites: ['column.sequences'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-GENERATED',
    why: 'Changing the identity sequence rewrites the sequence (a new relfilenode), as ALTER SEQUENCE does.',
    examples: [
      { setup: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);', sql: 'ALTER TABLE t ALTER COLUMN id RESTART WITH 100' },
      { setup: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);', sql: 'ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 2' },
    ],
  },
  {
    id: 'alter-table.alter-column.drop-identity',
    summary: 'ALTER TABLE … ALTER COLUMN … DROP IDENTITY',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropIdentity',
    when: onTable,
    locks: [...recursing, { role: 'column.sequences', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-IDENTITY',
    why: 'The identity sequence is dropped; rows keep their values.',
    examples: [
      { setup: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);', sql: 'ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS' },
      {
        setup:
          'CREATE TABLE m (id bigint GENERATED ALWAYS AS IDENTITY, day date NOT NULL) PARTITION BY RANGE (day); ' +
          "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        sql: 'ALTER TABLE m ALTER COLUMN id DROP IDENTITY',
      },
    ],
  },
  {
    id: 'alter-table.alter-column.drop-expression',
    summary: 'ALTER TABLE … ALTER COLUMN … DROP EXPRESSION',
    statement: 'AlterTableStmt',
    subcommand: 'AT_DropExpression',
    when: onTable,
    // DROP EXPRESSION is PostgreSQL 13 syntax (12 answers a syntax error, proven on 12): unknown before.
    pg: { min: 13 },
    locks: [...recursing],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-DROP-EXPRESSION',
    why: 'The stored values stay; the column just stops being generated. PostgreSQL 13+ syntax.',
    examples: [
      {
        setup: 'CREATE TABLE t (id bigint PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2) STORED); CREATE INDEX t_a_idx ON t (a);',
        sql: 'ALTER TABLE t ALTER COLUMN g DROP EXPRESSION',
      },
    ],
  },
  {
    id: 'alter-table.alter-column.set-expression',
    summary: 'ALTER TABLE … ALTER COLUMN … SET EXPRESSION AS (…) (PostgreSQL 17)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_SetExpression',
    pg: { min: 17 },
    when: onTable,
    locks: [...recursing, { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' }],
    rewrites: ['table.leaves', 'table.leaves.indexes'],
    scans: ['table.leaves'],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-EXPRESSION',
    why: 'Every stored value is recomputed: a full rewrite of the table and all its indexes under ACCESS EXCLUSIVE.',
    examples: [
      {
        setup:
          'CREATE TABLE t (id bigint PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2) STORED); ' +
          'CREATE INDEX t_a_idx ON t (a); CREATE INDEX t_g_idx ON t (g); INSERT INTO t (id, a) SELECT g, g FROM generate_series(1, 10) g;',
        sql: 'ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (a * 3)',
      },
    ],
  },
]);

/** The option names of ALTER COLUMN … SET GENERATED / RESTART / SET <sequence option> (DefElem list). */
function identityOptions(input: FactInput): string[] {
  const list = (command(input).def as { List?: { items?: unknown[] } } | undefined)?.List?.items ?? [];
  return list.map((n) => (n as { DefElem?: { defname?: string } }).DefElem?.defname ?? '');
}

/**
 * PostgreSQL 17 made identity columns of a partitioned table the partitions' identity too, so ADD / SET / DROP
 * IDENTITY on it recurse there; on 16 and older the partitions are not touched (proven on 16: the partitioned
 * examples lock the parent and the sequence only). Each such fact becomes a 17+ fact and a ≤ 16 twin without the
 * partitions, proven by the same examples.
 */
function identityBefore17(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) => {
    if (!IDENTITY_FACTS.has(fact.id)) return [fact];
    const before: LockFact = {
      ...fact,
      id: `${fact.id}.pre-17`,
      summary: `${fact.summary} (PostgreSQL 16 and older)`,
      pg: { max: 16 },
      locks: fact.locks.filter((lock) => lock.role !== 'table.partitions'),
      why: `${fact.why ? fact.why + ' ' : ''}Before PostgreSQL 17 the partitions of a partitioned table are not touched: identity was not propagated to them.`,
    };
    return [{ ...fact, pg: { min: 17 } }, before];
  });
}
