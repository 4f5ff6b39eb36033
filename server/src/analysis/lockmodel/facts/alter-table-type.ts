/**
 * ALTER TABLE … ALTER COLUMN … [SET DATA] TYPE. Whether the table is rewritten, and which indexes are rebuilt
 * without a rewrite, follows PostgreSQL's rules as implemented in lockmodel/type-change.ts (data from a real
 * server). Every dependent index is dropped and re-created (ACCESS EXCLUSIVE on it) even when its storage is kept;
 * FOREIGN KEYs on or to the column are dropped and re-added, which takes ACCESS EXCLUSIVE on the table at their
 * other end, and re-validates them (reading both tables) when the table is rewritten.
 */
import type { FactInput, LockFact } from '../fact';
import { sinceMajor } from './versions';
import { indexDependsOn, indexKeptWithoutRewrite, mentionsAny, tableRewriteFor, type ColumnTypeChange, type TableRewrite } from '../type-change';
import { INHERITED, PARTITIONED, TABLE, columnDefOf, command, onTable } from './alter-table-shared';

const DOCS = 'sql-altertable.html#SQL-ALTERTABLE-NOTES';

/** A table with columns of the types migrations most often change, an index on each, and rows. */
const TYPED =
  'CREATE TABLE t (id bigint PRIMARY KEY, a int, b text, v varchar(20), n numeric(10,2), ts timestamp, c char(5)); ' +
  'CREATE INDEX t_a_idx ON t (a); CREATE INDEX t_v_idx ON t (v); ' +
  "INSERT INTO t SELECT g, g, g::text, g::text, g, now(), 'x' FROM generate_series(1, 10) g;";

/** t.r_id references r.id; both tables have rows (so re-validating the key reads both). */
const KEYED =
  'CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT g FROM generate_series(1, 10) g; ' +
  'CREATE TABLE t (id int PRIMARY KEY, r_id int REFERENCES r (id)); ' +
  'INSERT INTO t SELECT g, g FROM generate_series(1, 10) g;';

/** The same with text keys, for conversions that keep the table. */
const TEXT_KEYED =
  "CREATE TABLE r (code varchar(20) PRIMARY KEY); INSERT INTO r VALUES ('a'), ('b'); " +
  "CREATE TABLE t (id int PRIMARY KEY, code varchar(20) REFERENCES r (code)); INSERT INTO t VALUES (1, 'a'), (2, 'b');";

function typeChange(input: FactInput): ColumnTypeChange | undefined {
  const column = command(input).name;
  const def = columnDefOf(input);
  if (!input.table || !column || !def?.typeName) return undefined;
  const current = input.schema.columnType(input.table, column);
  if (!current) return undefined;
  const collation = ((def.collClause as { collname?: Array<{ String?: { sval?: string } }> } | undefined)?.collname ?? [])
    .map((n) => n.String?.sval ?? '')
    .join('.');
  return {
    column,
    from: current.type,
    ...(current.collation !== undefined ? { fromCollation: current.collation } : {}),
    to: input.schema.resolveType(def.typeName),
    ...(collation !== '' ? { toCollation: collation } : {}),
    ...(def.raw_default !== undefined ? { using: def.raw_default } : {}),
    toTypeName: def.typeName,
    ...(input.settings.timeZone !== undefined ? { timeZone: input.settings.timeZone } : {}),
    pgVersion: input.pgVersion,
  };
}

function rewriteOf(input: FactInput): TableRewrite {
  const change = onTable(input) ? typeChange(input) : undefined;
  return change ? tableRewriteFor(change) : 'unknown';
}

/**
 * Without a rewrite the table is still read when an index on the column has to be rebuilt, or when a CHECK
 * constraint using the column is re-added (and so re-validated).
 */
function readsTableInPlace(input: FactInput): boolean {
  const change = typeChange(input)!;
  const columns = new Set([change.column]);
  const tables = [input.table!, ...allPartitions(input, input.table!)];
  const changes = new Map([[change.column, change]]);
  for (const table of tables) {
    for (const name of input.schema.indexesOf(table)) {
      const index = input.schema.indexFacts(name);
      if (!index || input.schema.relationKind(name) === 'partitioned index' || !indexDependsOn(index, columns)) continue;
      if (!indexKeptWithoutRewrite(index, changes)) return true;
    }
  }
  return input.schema
    .constraintsOf(input.table!)
    .some((c) => c.kind === 'check' && (c.columns.includes(change.column) || mentionsAny(c.expression, columns)));
}

function allPartitions(input: FactInput, table: string): string[] {
  return input.schema.partitionsOf(table).flatMap((p) => [p, ...allPartitions(input, p)]);
}

const keptLocks = [
  { role: 'table', mode: 'AccessExclusiveLock' },
  { role: 'table.partitions', mode: 'AccessExclusiveLock' },
  { role: 'column.indexes', mode: 'AccessExclusiveLock' },
  { role: 'column.referenced', mode: 'AccessExclusiveLock' },
  { role: 'column.referencing', mode: 'AccessExclusiveLock' },
] as const;

export const alterTableTypeFacts: readonly LockFact[] = changedIn18([
  {
    id: 'alter-table.alter-column-type.rewrite',
    summary: 'ALTER TABLE … ALTER COLUMN … TYPE that converts every value (int → bigint, text → varchar(n), USING …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AlterColumnType',
    when: (input) => rewriteOf(input) === 'rewrite',
    locks: [
      ...keptLocks,
      { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' },
      { role: 'column.referenced.indexes', mode: 'AccessShareLock' },
      { role: 'column.referencing.indexes', mode: 'AccessShareLock' },
      { role: 'table.inheritors', mode: 'AccessExclusiveLock' },
      { role: 'table.inheritors.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.leaves', 'table.leaves.indexes', 'table.inheritors', 'table.inheritors.indexes'],
    // The re-validation joins with the table at the other end; reading the referenced side in full or probing its
    // key index is the planner's choice, so only the side that is always read in full is claimed.
    scans: ['table.leaves', 'column.referencing', 'table.inheritors'],
    docs: DOCS,
    why:
      'A conversion that runs a function on each value rewrites the table and rebuilds every index under ACCESS ' +
      'EXCLUSIVE — int → bigint included. Also rewritten: any typmod cut (varchar(20) → varchar(10), numeric scale ' +
      'change, char(n) length change), text → varchar(n), an array element change (even varchar(10)[] → ' +
      'varchar(20)[]), a domain with constraints, and timestamp ⇄ timestamptz unless the session TimeZone is a fixed ' +
      'zero-offset zone (UTC; the model assumes a rewrite when the file does not SET TimeZone). FOREIGN KEYs on or to ' +
      'the column are re-validated: the referencing side is read in full, the referenced side joined (read in full ' +
      'or probed through its key, as the planner chooses).',
    examples: [
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN a TYPE bigint' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint USING a::bigint' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(10)' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN b TYPE varchar(50)' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3)' },
      { setup: 'CREATE TABLE t (id int PRIMARY KEY, n numeric); INSERT INTO t VALUES (1, 1);', sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(10,2)' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN c TYPE char(10)' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN c TYPE text' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamp(3)' },
      { setup: TYPED, sql: "ALTER TABLE t ALTER COLUMN b TYPE text USING b || ''" },
      { setup: "SET TimeZone = 'Europe/Paris'; " + TYPED, sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz' },
      // Offset 0 today, but not a fixed zone: still a rewrite.
      { setup: "SET TimeZone = 'Europe/London'; " + TYPED, sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz' },
      { setup: "SET TimeZone = 'UTC'; " + TYPED, sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz(3)' },
      { setup: "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE t (id int PRIMARY KEY, e mood); INSERT INTO t VALUES (1, 'ok');", sql: 'ALTER TABLE t ALTER COLUMN e TYPE text' },
      { setup: "CREATE TABLE t (id int PRIMARY KEY, j json); INSERT INTO t VALUES (1, '{}');", sql: 'ALTER TABLE t ALTER COLUMN j TYPE jsonb' },
      { setup: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0); ' + TYPED, sql: 'ALTER TABLE t ALTER COLUMN a TYPE positive_int' },
      { setup: "CREATE TABLE t (id int PRIMARY KEY, tags varchar(10)[]); INSERT INTO t VALUES (1, '{a}');", sql: 'ALTER TABLE t ALTER COLUMN tags TYPE varchar(20)[]' },
      { setup: KEYED, sql: 'ALTER TABLE t ALTER COLUMN r_id TYPE bigint' },
      { setup: KEYED, sql: 'ALTER TABLE r ALTER COLUMN id TYPE bigint' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN a TYPE bigint' },
      // Inheritance children (all levels) change type too, each rewritten with all its indexes.
      { setup: INHERITED, sql: 'ALTER TABLE p ALTER COLUMN a TYPE bigint' },
    ],
  },
  {
    id: 'alter-table.alter-column-type.in-place.reads-table',
    summary: 'ALTER TABLE … ALTER COLUMN … TYPE without a rewrite that rebuilds an index or re-checks a CHECK',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AlterColumnType',
    when: (input) => rewriteOf(input) === 'none' && readsTableInPlace(input),
    locks: [...keptLocks],
    rewrites: ['column.indexes.rebuilt'],
    scans: ['table.leaves'],
    docs: DOCS,
    why:
      'The rows stay, but PostgreSQL re-creates each index on the column and keeps its storage only when it has no ' +
      'expression or predicate and its operator class and collation stay the same. An expression or partial index, a ' +
      'collation change, or a new operator class (text → citext, int → oid, timestamp → timestamptz under UTC) ' +
      'rebuilds it, and a CHECK on the column is validated again: both read the whole table under ACCESS EXCLUSIVE.',
    examples: [
      {
        setup: TYPED + ' CREATE INDEX t_lower_v_idx ON t (lower(v)); CREATE INDEX t_a_partial_idx ON t (a) WHERE v IS NOT NULL;',
        sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(40)',
      },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN v TYPE text COLLATE "C"' },
      {
        setup: 'CREATE TABLE t (id int PRIMARY KEY, v varchar(20) COLLATE "C"); CREATE INDEX t_v_idx ON t (v); INSERT INTO t VALUES (1, \'a\');',
        sql: 'ALTER TABLE t ALTER COLUMN v TYPE text',
      },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN a TYPE oid' },
      {
        setup: "CREATE EXTENSION citext; CREATE TABLE t (id int PRIMARY KEY, email text); CREATE INDEX t_email_idx ON t (email); INSERT INTO t VALUES (1, 'a@b');",
        sql: 'ALTER TABLE t ALTER COLUMN email TYPE citext',
      },
      { setup: "SET TimeZone = 'UTC'; " + TYPED + ' CREATE INDEX t_ts_idx ON t (ts);', sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz' },
      {
        setup: "CREATE TABLE t (id int PRIMARY KEY, v varchar(20) CHECK (length(v) > 0)); INSERT INTO t VALUES (1, 'a');",
        sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(40)',
      },
    ],
  },
  {
    id: 'alter-table.alter-column-type.in-place',
    summary: 'ALTER TABLE … ALTER COLUMN … TYPE that keeps the rows (varchar(n) → varchar(m ≥ n) or text, numeric precision up …)',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AlterColumnType',
    when: (input) => rewriteOf(input) === 'none',
    locks: [...keptLocks],
    docs: DOCS,
    why:
      'A binary-coercible conversion (pg_cast method "b": varchar → text, text → varchar, into a domain without ' +
      'constraints, out of any domain) or a typmod change the type proves harmless (varchar/varbit length up, ' +
      'numeric precision up with the same scale, timestamp/time precision up) changes only the catalog — but still ' +
      'under ACCESS EXCLUSIVE, and the indexes on the column are locked while they are re-created on the old storage. ' +
      'timestamp → timestamptz keeps the rows (PostgreSQL ≥ 12) when the session TimeZone is UTC.',
    examples: [
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(40)' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN v TYPE text' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN v TYPE text USING v::text' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN b TYPE varchar' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2)' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN c TYPE bpchar' },
      { setup: TYPED, sql: 'ALTER TABLE t ALTER COLUMN a TYPE int' },
      { setup: "CREATE TABLE t (id int PRIMARY KEY, ts timestamp(3)); INSERT INTO t VALUES (1, now());", sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamp' },
      { setup: "CREATE TABLE t (id int PRIMARY KEY, bits varbit(4)); INSERT INTO t VALUES (1, B'1010');", sql: 'ALTER TABLE t ALTER COLUMN bits TYPE varbit(8)' },
      { setup: "CREATE TABLE t (id int PRIMARY KEY, i interval(3)); INSERT INTO t VALUES (1, '1 day');", sql: 'ALTER TABLE t ALTER COLUMN i TYPE interval' },
      { setup: "SET TimeZone = 'UTC'; " + TYPED, sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz' },
      { setup: 'CREATE DOMAIN plain_int AS int; ' + TYPED, sql: 'ALTER TABLE t ALTER COLUMN a TYPE plain_int' },
      {
        setup: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0); CREATE TABLE t (id int PRIMARY KEY, a positive_int); CREATE INDEX t_a_idx ON t (a); INSERT INTO t VALUES (1, 1);',
        sql: 'ALTER TABLE t ALTER COLUMN a TYPE int',
      },
      {
        setup:
          'CREATE TABLE t (id int PRIMARY KEY, v varchar(20)); CREATE INDEX t_v_pattern_idx ON t (v text_pattern_ops); ' +
          "CREATE INDEX t_v_hash_idx ON t USING hash (v); INSERT INTO t VALUES (1, 'a');",
        sql: 'ALTER TABLE t ALTER COLUMN v TYPE text',
      },
      { setup: TEXT_KEYED, sql: 'ALTER TABLE t ALTER COLUMN code TYPE varchar(40)' },
      { setup: TEXT_KEYED, sql: 'ALTER TABLE r ALTER COLUMN code TYPE varchar(40)' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m ALTER COLUMN b TYPE varchar' },
      { setup: TABLE, sql: 'ALTER TABLE t ALTER COLUMN b TYPE varchar, ALTER COLUMN b SET NOT NULL' },
    ],
  },
  {
    id: 'alter-table.alter-column-type.unknown-type',
    summary: 'ALTER TABLE … ALTER COLUMN … TYPE where the current or the new type is not known to the catalog',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AlterColumnType',
    when: (input) => onTable(input) && rewriteOf(input) === 'unknown',
    locks: [...keptLocks],
    unknown: 'ALTER COLUMN TYPE: the column or one of the types is not in the catalog, so whether the table and its indexes are rewritten cannot be told (assume a rewrite)',
    docs: DOCS,
    why: 'A lower bound: the locks are certain, the rewrite is not known (an unreplayed table, an extension type, an interval typmod change).',
    examples: [
      {
        setup: "DO $$ BEGIN EXECUTE 'CREATE TABLE t (id int, v varchar(10))'; END $$;",
        sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(20)',
      },
    ],
  },
]);

/**
 * Re-validating a FOREIGN KEY on a rewritten column: on PostgreSQL 18 the proof fixture's referenced table (10 rows)
 * is read in full where 17 probes its key index — the validation join's plan, proven on each major with the same
 * examples. Still the planner's choice on a real table.
 */
function changedIn18(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) =>
    fact.id === 'alter-table.alter-column-type.rewrite'
      ? sinceMajor(18, fact, {
          scans: [...(fact.scans ?? []), 'column.referenced'],
          why: 'the re-validation of a FOREIGN KEY on the column reads the referenced table in full in the proof fixture (a hash join; 17 uses its key index).',
        })
      : [fact],
  );
}
