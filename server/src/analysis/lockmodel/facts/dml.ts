/**
 * INSERT (VALUES, SELECT, ON CONFLICT), UPDATE (… FROM), DELETE (… USING), MERGE, SELECT (FOR UPDATE/SHARE,
 * nextval/setval), LOCK TABLE. Row-level effects of foreign keys are included: their checks and actions run as
 * queries on the other table, with that table's locks.
 */
import type { LockFact, FactInput, Role } from '../fact';
import { LOCK_MODES, type LockMode } from '../lock-modes';
import { defaultedColumns } from '../targets';
import { onPartitionedTable, payload, unanalyzedCalls } from './when';

const TABLES = `CREATE TABLE parent (id bigserial PRIMARY KEY, name text UNIQUE);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent, note text);
CREATE INDEX child_parent_idx ON child (parent_id);
CREATE TABLE other (id int PRIMARY KEY, v int);
CREATE INDEX other_v_idx ON other (v);
INSERT INTO parent (name) VALUES ('a'), ('b');
INSERT INTO child VALUES (1, 1, 'x'), (2, 2, 'y');
INSERT INTO other VALUES (1, 1), (2, 2);`;
const PARTITIONED = `CREATE TABLE p (id bigint, created date, a int, PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE p_2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE p_2025 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX p_2024_a ON p_2024 (a);
INSERT INTO p VALUES (1, '2024-03-01', 1), (2, '2025-03-01', 2);`;
const DELETE_ACTIONS = `CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE c_check (id int PRIMARY KEY, pid int REFERENCES parent);
CREATE TABLE c_cascade (id int PRIMARY KEY, pid int REFERENCES parent ON DELETE CASCADE);
CREATE INDEX c_cascade_pid ON c_cascade (pid);
CREATE TABLE c_null (id int PRIMARY KEY, pid int REFERENCES parent ON DELETE SET NULL);
INSERT INTO parent VALUES (1), (2), (3);
INSERT INTO c_check VALUES (1, 1);
INSERT INTO c_cascade VALUES (1, 2);
INSERT INTO c_null VALUES (1, 3);`;

/**
 * The reason an effect is only a lower bound when the statement calls functions whose bodies are not analyzed —
 * in its text, or (INSERT) in the DEFAULT expressions of the columns it leaves out.
 */
function callsReason(input: FactInput, alsoIn: unknown[] = []): string {
  const calls = [...new Set([...unanalyzedCalls(input.statement, input), ...unanalyzedCalls(alsoIn, input)])];
  return calls.length === 0 ? '' : `calls ${calls.join(', ')}: what a function body locks is not analyzed`;
}

function insertCallsReason(input: FactInput): string {
  const table = input.table;
  const defaults = table ? defaultedColumns(payload(input), table, input.schema).map((c) => input.schema.column(table, c)?.default) : [];
  return callsReason(input, defaults);
}

/** Locks every planned query takes on what it reads: ACCESS SHARE on tables, views, partitions and all their indexes. */
const READS: LockFact['locks'] = [
  { role: 'read', mode: 'AccessShareLock' },
  { role: 'read.base', mode: 'AccessShareLock' },
  { role: 'read.partitions', mode: 'AccessShareLock' },
  { role: 'read.indexes', mode: 'AccessShareLock' },
];

/** Foreign-key checks of the rows written: `SELECT … FOR KEY SHARE` on the referenced table, planned on its indexes. */
const FK_CHECKS: LockFact['locks'] = [
  { role: 'referenced', mode: 'RowShareLock' },
  { role: 'referenced.indexes', mode: 'RowShareLock' },
];

/** UPDATE/DELETE also plan on the target: every index of it (and of its partitions) is locked ROW EXCLUSIVE. */
const WRITE_TARGET: LockFact['locks'] = [
  { role: 'table', mode: 'RowExclusiveLock' },
  { role: 'table.indexes', mode: 'RowExclusiveLock' },
  { role: 'table.partitions', mode: 'RowExclusiveLock' },
  { role: 'table.partitions.indexes', mode: 'RowExclusiveLock' },
];

/** UPDATE that assigns a column other tables' foreign keys point at: their ON UPDATE checks/actions run too. */
function updatesReferencedKey(input: FactInput): boolean {
  if (!input.table) return false;
  const assigned = new Set(((payload(input).targetList as Array<{ ResTarget?: { name?: string } }> | undefined) ?? []).map((t) => t.ResTarget?.name));
  return input.schema.foreignKeysTo(input.table).some((fk) => fk.referencedColumns.some((c) => assigned.has(c)));
}

/** A DELETE whose ON DELETE actions write to tables that are themselves referenced: the chain goes on. */
function cascadesFurther(input: FactInput): boolean {
  if (!input.table) return false;
  return input.schema
    .foreignKeysTo(input.table)
    .filter((fk) => fk.onDelete !== 'no-action' && fk.onDelete !== 'restrict')
    .some((fk) => fk.table !== input.table && input.schema.foreignKeysTo(fk.table).length > 0);
}

const lockModeName = (mode: LockMode): string => mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
const lockModeId = (mode: LockMode): string => mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/** LOCK TABLE in each mode: the mode number in the parse tree is lockdefs.h's (AccessShareLock = 1 …). */
const lockTableFacts: LockFact[] = LOCK_MODES.map((mode, index) => ({
  id: `lock-table.${lockModeId(mode)}`,
  summary: `LOCK TABLE … IN ${lockModeName(mode)} MODE${mode === 'AccessExclusiveLock' ? ' (the default)' : ''}`,
  statement: 'LockStmt',
  when: (input: FactInput) => payload(input).mode === index + 1,
  locks: (['table', 'table.partitions', 'read.base', 'read.partitions'] as Role[]).map((role) => ({ role, mode })),
  docs: 'sql-lock.html',
  why:
    'Locks the tables named, every partition of a partitioned one (unless ONLY), and — for a view — every relation the view reads, recursively (partitions included), in the same mode. Only inside a transaction block (outside one it ends at once).',
  examples:
    mode === 'AccessExclusiveLock'
      ? [
          { setup: TABLES, sql: 'LOCK TABLE other' },
          { setup: `${PARTITIONED} CREATE VIEW p_v AS SELECT * FROM p;`, sql: 'LOCK TABLE p_v IN ACCESS EXCLUSIVE MODE' },
        ]
      : mode === 'ShareLock'
        ? [
            { setup: PARTITIONED, sql: 'LOCK TABLE p IN SHARE MODE' },
            { setup: PARTITIONED, sql: 'LOCK TABLE ONLY p IN SHARE MODE NOWAIT' },
          ]
        : [{ setup: TABLES, sql: `LOCK TABLE other, child IN ${lockModeName(mode)} MODE` }],
}));

export const dmlFacts: readonly LockFact[] = [
  {
    id: 'insert.partitioned',
    summary: 'INSERT into a partitioned table',
    statement: 'InsertStmt',
    when: onPartitionedTable,
    locks: [
      { role: 'table', mode: 'RowExclusiveLock' },
      { role: 'sequences', mode: 'RowExclusiveLock' },
      ...FK_CHECKS,
      ...READS,
    ],
    scans: ['whole'],
    unknown: 'INSERT into a partitioned table: each partition that receives a row is locked ROW EXCLUSIVE when the row is routed, which depends on the data',
    docs: 'ddl-partitioning.html',
    why: 'Which partitions are locked is decided row by row at run time; the model gives the locks every run takes and says the rest is unknown.',
    examples: [{ setup: PARTITIONED, sql: "INSERT INTO p SELECT 3, '2024-05-01', 3 WHERE false" }],
  },
  {
    id: 'insert.on-conflict',
    summary: 'INSERT … ON CONFLICT (target) DO UPDATE / DO NOTHING',
    statement: 'InsertStmt',
    when: (input) => (payload(input).onConflictClause as { infer?: unknown } | undefined)?.infer !== undefined,
    locks: [
      { role: 'table', mode: 'RowExclusiveLock' },
      { role: 'table.indexes', mode: 'RowExclusiveLock' },
      { role: 'sequences', mode: 'RowExclusiveLock' },
      ...FK_CHECKS,
      ...READS,
    ],
    scans: ['whole'],
    unknown: insertCallsReason,
    docs: 'sql-insert.html#SQL-ON-CONFLICT',
    why: 'Inferring the arbiter index opens every index of the table ROW EXCLUSIVE (a plain INSERT locks none of them).',
    examples: [
      { setup: TABLES, sql: 'INSERT INTO other VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = excluded.v' },
      { setup: TABLES, sql: 'INSERT INTO other VALUES (1, 5) ON CONFLICT (id) DO NOTHING' },
    ],
  },
  {
    id: 'insert',
    summary: 'INSERT … VALUES / INSERT … SELECT (incl. ON CONFLICT DO NOTHING without a target)',
    statement: 'InsertStmt',
    locks: [
      { role: 'table', mode: 'RowExclusiveLock' },
      { role: 'sequences', mode: 'RowExclusiveLock' },
      ...FK_CHECKS,
      ...READS,
    ],
    scans: ['whole'],
    unknown: insertCallsReason,
    docs: 'sql-insert.html',
    why:
      'ROW EXCLUSIVE on the table only — not on its indexes. Defaults drawn from sequences lock them ROW EXCLUSIVE; each FOREIGN KEY whose columns are filled runs a check with ROW SHARE on the referenced table and its indexes (only for rows with a non-NULL key: predicted when the statement fills the column).',
    examples: [
      { setup: TABLES, sql: 'INSERT INTO other VALUES (3, 3)' },
      { setup: TABLES, sql: "INSERT INTO parent (name) VALUES ('c')" },
      { setup: TABLES, sql: "INSERT INTO child VALUES (3, 1, 'z')" },
      { setup: TABLES, sql: "INSERT INTO child (id, note) VALUES (3, 'z')" },
      { setup: TABLES, sql: 'INSERT INTO other SELECT id + 10, v FROM other' },
      { setup: TABLES, sql: 'INSERT INTO other VALUES (1, 5) ON CONFLICT DO NOTHING' },
      { setup: TABLES, sql: 'INSERT INTO parent DEFAULT VALUES' },
    ],
  },
  {
    id: 'update',
    summary: 'UPDATE [… FROM] (not of a key other tables reference)',
    statement: 'UpdateStmt',
    when: (input) => !updatesReferencedKey(input),
    locks: [...WRITE_TARGET, { role: 'sequences', mode: 'RowExclusiveLock' }, ...FK_CHECKS, ...READS],
    partitionedIndexLocksSince: 16,
    scans: ['whole'],
    unknown: (input) => callsReason(input),
    docs: 'sql-update.html',
    why:
      'ROW EXCLUSIVE on the table and (through planning) all its indexes; FROM tables are read under ACCESS SHARE. Assigning a FOREIGN KEY column checks the new key (ROW SHARE on the referenced table). Without WHERE it reads the whole table; with one, the plan decides. On a partitioned table every partition is locked unless the planner prunes some.',
    examples: [
      { setup: TABLES, sql: 'UPDATE other SET v = 2 WHERE id = 1' },
      { setup: TABLES, sql: 'UPDATE other SET v = v + 1' },
      { setup: TABLES, sql: 'UPDATE child SET parent_id = 2 WHERE id = 1' },
      { setup: TABLES, sql: 'UPDATE other o SET v = c.parent_id FROM child c WHERE c.id = o.id AND o.id = 1' },
      { setup: PARTITIONED, sql: 'UPDATE p SET a = 0' },
    ],
  },
  {
    id: 'delete',
    summary: 'DELETE [… USING] (foreign keys to the table checked, cascaded or set null one level deep)',
    statement: 'DeleteStmt',
    when: (input) => !cascadesFurther(input),
    locks: [
      ...WRITE_TARGET,
      { role: 'referencing', mode: 'RowShareLock' },
      { role: 'referencing.indexes', mode: 'RowShareLock' },
      { role: 'referencing.cascade', mode: 'RowExclusiveLock' },
      { role: 'referencing.cascade.indexes', mode: 'RowExclusiveLock' },
      { role: 'sequences', mode: 'RowExclusiveLock' },
      ...READS,
    ],
    scans: ['whole', 'referencing.unindexed'],
    unknown: (input) => callsReason(input),
    docs: 'sql-delete.html',
    why:
      'For every deleted row, each FOREIGN KEY that references the table runs a query on the referencing table: a check (ROW SHARE) or its ON DELETE action (ROW EXCLUSIVE), planned on all its indexes. A referencing table without an index on its key columns is read in full — per deleted row. Predicted as if rows are deleted (with none, no foreign-key query runs).',
    examples: [
      { setup: TABLES, sql: 'DELETE FROM other WHERE id = 1' },
      { setup: TABLES, sql: 'DELETE FROM child' },
      { setup: TABLES, sql: 'DELETE FROM other o USING child c WHERE c.id = o.id AND o.id = 1' },
      { setup: DELETE_ACTIONS, sql: 'DELETE FROM parent WHERE id = 3' },
    ],
  },
  {
    id: 'merge',
    summary: 'MERGE INTO table USING source ON … (target without foreign keys)',
    statement: 'MergeStmt',
    pg: { min: 15 },
    when: (input) => input.table !== undefined && input.schema.foreignKeysFrom(input.table).length === 0 && input.schema.foreignKeysTo(input.table).length === 0,
    locks: [...WRITE_TARGET, ...READS],
    unknown: (input) => callsReason(input),
    docs: 'sql-merge.html',
    why: 'Locks like UPDATE: ROW EXCLUSIVE on the target and its indexes, ACCESS SHARE on the source. How much of each it reads is the join plan\'s choice. New in PostgreSQL 15.',
    examples: [
      {
        setup: TABLES,
        sql: 'MERGE INTO other o USING (VALUES (1, 10), (5, 50)) s(id, v) ON o.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)',
      },
    ],
  },
  {
    id: 'select.for-update',
    summary: 'SELECT … FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE (without OF)',
    statement: 'SelectStmt',
    when: (input) => {
      const clauses = (payload(input).lockingClause as Array<{ LockingClause?: { lockedRels?: unknown[] } }> | undefined) ?? [];
      return clauses.length > 0 && clauses.every((c) => (c.LockingClause?.lockedRels ?? []).length === 0);
    },
    locks: [
      { role: 'read', mode: 'RowShareLock' },
      { role: 'read.partitions', mode: 'RowShareLock' },
      { role: 'read.indexes', mode: 'RowShareLock' },
      { role: 'sequences', mode: 'RowExclusiveLock' },
    ],
    scans: ['whole'],
    unknown: (input) => callsReason(input),
    docs: 'sql-select.html#SQL-FOR-UPDATE-SHARE',
    why: 'ROW SHARE on every table of the query and its indexes; it conflicts only with EXCLUSIVE and ACCESS EXCLUSIVE, but the row locks it takes block writers of those rows.',
    examples: [
      { setup: TABLES, sql: 'SELECT * FROM other FOR UPDATE' },
      { setup: TABLES, sql: 'SELECT * FROM other WHERE id = 1 FOR SHARE' },
    ],
  },
  {
    id: 'select',
    summary: 'SELECT (queries, nextval/setval calls)',
    statement: 'SelectStmt',
    when: (input) => payload(input).lockingClause === undefined,
    locks: [...READS, { role: 'sequences', mode: 'RowExclusiveLock' }],
    partitionedIndexLocksSince: 16,
    scans: ['whole'],
    unknown: (input) => callsReason(input),
    docs: 'explicit-locking.html#LOCKING-TABLES',
    why:
      'ACCESS SHARE on each table, view (and what it reads) and partition, and — because planning opens them — on every one of their indexes (the partitioned tables\u2019 own indexes only since PostgreSQL 16). nextval()/setval() lock the sequence ROW EXCLUSIVE. A called user function is not analyzed.',
    examples: [
      { setup: TABLES, sql: 'SELECT * FROM other' },
      { setup: TABLES, sql: 'SELECT * FROM other WHERE id = 1' },
      { setup: `${TABLES} CREATE VIEW other_v AS SELECT * FROM other;`, sql: 'SELECT * FROM other_v WHERE id = 1' },
      { setup: PARTITIONED, sql: 'SELECT * FROM p' },
      { setup: TABLES, sql: "SELECT setval('parent_id_seq', (SELECT max(id) FROM parent))" },
      { setup: TABLES, sql: "SELECT nextval('parent_id_seq')" },
      { setup: TABLES, sql: 'SELECT 1' },
      { setup: `${TABLES} CREATE EXTENSION "uuid-ossp";`, sql: 'SELECT uuid_generate_v4()' },
      {
        setup: `${TABLES} CREATE FUNCTION noop() RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;`,
        sql: 'SELECT noop()',
      },
    ],
  },
  ...lockTableFacts,
];
