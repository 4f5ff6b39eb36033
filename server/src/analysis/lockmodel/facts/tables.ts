/** CREATE TABLE (plain, REFERENCES, PARTITION OF, LIKE, INHERITS), CREATE TABLE AS / SELECT INTO, DROP TABLE, TRUNCATE. */
import type { RangeVar } from '@pgsql/types';
import type { FactInput, LockFact } from '../fact';
import { cascades, payload } from './when';
import { sinceMajor } from './versions';

const PARENT = `CREATE TABLE parent (id bigserial PRIMARY KEY, name text UNIQUE);
CREATE INDEX parent_name_lower ON parent (lower(name));`;
const PARENT_CHILD = `${PARENT}
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent, note text);
CREATE INDEX child_parent_idx ON child (parent_id);`;
const PARTITIONED = `CREATE TABLE p (id bigint, created date, PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE p_2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;

function createsTemporary(input: FactInput): boolean {
  return (payload(input).relation as RangeVar | undefined)?.relpersistence === 't';
}

function existingNameSkipped(input: FactInput): boolean {
  return payload(input).if_not_exists === true && input.table !== undefined && input.schema.relationKind(input.table) !== undefined;
}

const isPartitionOf = (input: FactInput): boolean => payload(input).partbound !== undefined;

const restartsIdentity = (input: FactInput): boolean => payload(input).restart_seqs === true;

const CREATE_TABLE_LOCKS: LockFact['locks'] = [
  { role: 'created', mode: 'AccessExclusiveLock' },
  { role: 'referenced', mode: 'ShareRowExclusiveLock' },
  { role: 'read', mode: 'AccessShareLock' },
  { role: 'table.parent', mode: 'ShareUpdateExclusiveLock' },
];
const CREATE_TABLE_WHY =
  'A FOREIGN KEY takes SHARE ROW EXCLUSIVE on the referenced table (it adds triggers there), which blocks writes to that table until commit; LIKE reads its source under ACCESS SHARE; INHERITS takes SHARE UPDATE EXCLUSIVE on each parent.';

const DROP_TABLE_LOCKS: LockFact['locks'] = [
  { role: 'table', mode: 'AccessExclusiveLock' },
  { role: 'table.indexes', mode: 'AccessExclusiveLock' },
  { role: 'table.sequences', mode: 'AccessExclusiveLock' },
  { role: 'table.partitions', mode: 'AccessExclusiveLock' },
  { role: 'table.partitions.indexes', mode: 'AccessExclusiveLock' },
  { role: 'table.parent', mode: 'AccessExclusiveLock' },
  { role: 'referenced', mode: 'AccessExclusiveLock' },
];

export const tableFacts: readonly LockFact[] = parentLockedBefore14([
  {
    id: 'create-table.temporary',
    summary: 'CREATE TEMPORARY TABLE',
    statement: 'CreateStmt',
    when: createsTemporary,
    locks: [],
    docs: 'sql-createtable.html#SQL-CREATETABLE-TEMPORARY',
    why: 'A temporary table lives in the session\'s own schema; no other session can see it, so its locks block nobody.',
    examples: [{ setup: PARENT, sql: 'CREATE TEMP TABLE scratch (id int PRIMARY KEY)' }],
  },
  {
    id: 'create-table.if-not-exists.existing',
    summary: 'CREATE TABLE IF NOT EXISTS when the table exists',
    statement: 'CreateStmt',
    when: existingNameSkipped,
    locks: [],
    docs: 'sql-createtable.html',
    why: 'Skipped with a notice before anything is locked.',
    examples: [{ setup: PARENT, sql: 'CREATE TABLE IF NOT EXISTS parent (id int)' }],
  },
  {
    id: 'create-table.partition-of',
    summary: 'CREATE TABLE … PARTITION OF parent FOR VALUES … | DEFAULT',
    statement: 'CreateStmt',
    when: isPartitionOf,
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'table.parent', mode: 'AccessExclusiveLock' },
      { role: 'table.parent.indexes', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.parent.default', mode: 'AccessExclusiveLock' },
      { role: 'referenced', mode: 'ShareRowExclusiveLock' },
    ],
    scans: ['heaps.reindexed', 'table.parent.default'],
    docs: 'sql-createtable.html#SQL-CREATETABLE-PARTITION',
    why:
      'Creating a partition takes ACCESS EXCLUSIVE on the partitioned parent — every read and write of the whole partitioned table waits — unlike ALTER TABLE … ATTACH PARTITION, which needs only SHARE UPDATE EXCLUSIVE (PostgreSQL ≥ 12). ' +
      'A DEFAULT partition is locked ACCESS EXCLUSIVE and scanned to prove none of its rows belongs in the new partition. The parent\'s indexes are cloned (SHARE UPDATE EXCLUSIVE on each) and its foreign keys too (SHARE ROW EXCLUSIVE on the referenced tables).',
    examples: [
      { setup: PARTITIONED, sql: "CREATE TABLE p_2025 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')" },
      {
        setup: `${PARTITIONED} CREATE TABLE p_other PARTITION OF p DEFAULT;`,
        sql: "CREATE TABLE p_2025 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      },
      {
        setup: `${PARENT} CREATE TABLE e (id bigint, parent_id bigint REFERENCES parent, PRIMARY KEY (id)) PARTITION BY RANGE (id); CREATE INDEX e_parent_idx ON e (parent_id);`,
        sql: 'CREATE TABLE e_1 PARTITION OF e FOR VALUES FROM (0) TO (1000)',
      },
      {
        setup: 'CREATE TABLE m (v int) PARTITION BY LIST (v); CREATE TABLE m_rest PARTITION OF m DEFAULT;',
        sql: 'CREATE TABLE m_1 PARTITION OF m FOR VALUES IN (1)',
      },
      { setup: PARTITIONED, sql: 'CREATE TABLE p_default PARTITION OF p DEFAULT' },
    ],
  },
  {
    id: 'create-table',
    summary: 'CREATE [UNLOGGED] TABLE (keys, REFERENCES, LIKE, INHERITS, PARTITION BY)',
    statement: 'CreateStmt',
    locks: CREATE_TABLE_LOCKS,
    scans: ['heaps.reindexed'],
    docs: 'sql-createtable.html',
    why: `${CREATE_TABLE_WHY} The indexes behind its keys are built from a (trivial) scan of the new, empty table, which the server counts as a scan.`,
    examples: [
      { setup: PARENT, sql: 'CREATE TABLE t (id bigint PRIMARY KEY, a int)' },
      { setup: PARENT, sql: 'CREATE TABLE t (id serial PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE CASCADE)' },
      { setup: PARENT, sql: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, parent_id bigint, FOREIGN KEY (parent_id) REFERENCES parent (id))' },
      { setup: PARENT, sql: 'CREATE TABLE t (LIKE parent INCLUDING ALL)' },
      { setup: PARENT, sql: 'CREATE TABLE t (LIKE parent)' },
      { setup: PARENT, sql: 'CREATE TABLE t (extra int PRIMARY KEY) INHERITS (parent)' },
      { setup: PARENT, sql: 'CREATE TABLE t (extra int) INHERITS (parent)' },
      { setup: PARENT, sql: 'CREATE TABLE t (id int, created date, PRIMARY KEY (id, created)) PARTITION BY RANGE (created)' },
      { setup: PARENT, sql: 'CREATE UNLOGGED TABLE t (id int UNIQUE)' },
    ],
  },
  {
    id: 'create-table-as.no-data',
    summary: 'CREATE TABLE … AS … WITH NO DATA',
    statement: 'CreateTableAsStmt',
    when: (input) => payload(input).objtype === 'OBJECT_TABLE' && ((payload(input).into as { skipData?: boolean } | undefined)?.skipData ?? false),
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    docs: 'sql-createtableas.html',
    why: 'The query is analyzed but not planned or run: its tables are locked ACCESS SHARE, their indexes not at all.',
    examples: [{ setup: PARENT, sql: 'CREATE TABLE t AS SELECT * FROM parent WITH NO DATA' }],
  },
  {
    id: 'create-table-as',
    summary: 'CREATE TABLE … AS <query>',
    statement: 'CreateTableAsStmt',
    when: (input) => payload(input).objtype === 'OBJECT_TABLE',
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
      { role: 'read.base', mode: 'AccessShareLock' },
      { role: 'read.partitions', mode: 'AccessShareLock' },
      { role: 'read.indexes', mode: 'AccessShareLock' },
    ],
    scans: ['whole'],
    docs: 'sql-createtableas.html',
    why:
      'Reads its query under ACCESS SHARE (writes to the sources continue); planning locks every index of the sources too. Full reads are predicted only when every plan does them (one table, no WHERE).',
    examples: [
      { setup: PARENT, sql: 'CREATE TABLE t AS SELECT * FROM parent' },
      { setup: PARENT, sql: 'CREATE TABLE t AS SELECT id FROM parent WHERE id = 1' },
    ],
  },
  {
    id: 'select-into',
    summary: 'SELECT … INTO new_table',
    statement: 'SelectStmt',
    when: (input) => payload(input).intoClause !== undefined,
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
      { role: 'read.base', mode: 'AccessShareLock' },
      { role: 'read.partitions', mode: 'AccessShareLock' },
      { role: 'read.indexes', mode: 'AccessShareLock' },
    ],
    scans: ['whole'],
    docs: 'sql-selectinto.html',
    why: 'SELECT INTO is CREATE TABLE AS under another name.',
    examples: [
      { setup: PARENT, sql: 'SELECT * INTO t FROM parent' },
      { setup: PARENT, sql: 'SELECT id INTO t FROM parent WHERE id = 1' },
    ],
  },
  {
    id: 'drop-table.cascade',
    summary: 'DROP TABLE … CASCADE',
    statement: 'DropStmt',
    when: (input) => (payload(input).removeType === 'OBJECT_TABLE' || payload(input).removeType === 'OBJECT_FOREIGN_TABLE') && cascades(input),
    locks: [
      ...DROP_TABLE_LOCKS,
      { role: 'referencing', mode: 'AccessExclusiveLock' },
      { role: 'dependents', mode: 'AccessExclusiveLock' },
      { role: 'dependents.indexes', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-droptable.html',
    why:
      'CASCADE also drops the foreign keys other tables have on it (ACCESS EXCLUSIVE on each of those tables) and the views and materialized views that read it.',
    examples: [
      {
        setup: `${PARENT_CHILD} CREATE VIEW parent_v AS SELECT * FROM parent; CREATE MATERIALIZED VIEW parent_mv AS SELECT id FROM parent; CREATE UNIQUE INDEX parent_mv_id ON parent_mv (id);`,
        sql: 'DROP TABLE parent CASCADE',
      },
    ],
  },
  {
    id: 'drop-table',
    summary: 'DROP TABLE [IF EXISTS] (RESTRICT)',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_TABLE' || payload(input).removeType === 'OBJECT_FOREIGN_TABLE',
    locks: DROP_TABLE_LOCKS,
    docs: 'sql-droptable.html',
    why:
      'Besides the table, its indexes and owned sequences: a table with a FOREIGN KEY takes ACCESS EXCLUSIVE on the table it references (its RI triggers live there), so dropping a child table blocks reads of the parent; dropping a partition takes ACCESS EXCLUSIVE on the partitioned parent.',
    examples: [
      { setup: PARENT_CHILD, sql: 'DROP TABLE child' },
      { setup: PARTITIONED, sql: 'DROP TABLE p' },
      { setup: PARTITIONED, sql: 'DROP TABLE p_2024' },
      { setup: PARENT, sql: 'DROP TABLE IF EXISTS no_such_table' },
    ],
  },
  {
    id: 'truncate.cascade',
    summary: 'TRUNCATE … CASCADE',
    statement: 'TruncateStmt',
    when: (input) => cascades(input) && !restartsIdentity(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.leaves', mode: 'AccessExclusiveLock' },
      { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' },
      { role: 'referencing', mode: 'AccessExclusiveLock' },
      { role: 'referencing.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.leaves', 'table.leaves.indexes', 'referencing', 'referencing.indexes'],
    scans: ['heaps.reindexed'],
    docs: 'sql-truncate.html',
    why: 'CASCADE empties every table that references a truncated one through a foreign key, transitively — each under ACCESS EXCLUSIVE, with new storage for it and its indexes.',
    examples: [{ setup: PARENT_CHILD, sql: 'TRUNCATE parent CASCADE' }],
  },
  {
    id: 'truncate.restart-identity',
    summary: 'TRUNCATE … RESTART IDENTITY (without CASCADE)',
    statement: 'TruncateStmt',
    when: (input) => !cascades(input) && restartsIdentity(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.leaves', mode: 'AccessExclusiveLock' },
      { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' },
      { role: 'table.sequences', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.leaves', 'table.leaves.indexes', 'table.sequences'],
    scans: ['heaps.reindexed'],
    docs: 'sql-truncate.html',
    why: 'RESTART IDENTITY also resets the owned sequences — by giving them new storage under ACCESS EXCLUSIVE, so nextval() on them waits.',
    examples: [{ setup: PARENT_CHILD, sql: 'TRUNCATE parent, child RESTART IDENTITY' }],
  },
  {
    id: 'truncate',
    summary: 'TRUNCATE [ONLY] table [, …]',
    statement: 'TruncateStmt',
    when: (input) => !cascades(input) && !restartsIdentity(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.leaves', mode: 'AccessExclusiveLock' },
      { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.leaves', 'table.leaves.indexes'],
    scans: ['heaps.reindexed'],
    docs: 'sql-truncate.html',
    why:
      'TRUNCATE is a rewrite, not a delete: new empty files for the table and each index, under ACCESS EXCLUSIVE (on a partitioned table: every partition and its indexes). The server counts a "scan" of the new, empty table when it rebuilds each index.',
    examples: [
      { setup: PARENT_CHILD, sql: 'TRUNCATE child' },
      { setup: PARENT_CHILD, sql: 'TRUNCATE parent, child' },
      { setup: PARTITIONED, sql: 'TRUNCATE p' },
      { setup: PARTITIONED, sql: 'TRUNCATE ONLY p_2024' },
      { setup: 'CREATE TABLE events (payload jsonb);', sql: 'TRUNCATE events' },
    ],
  },
]);

/**
 * TRUNCATE of a partition took ACCESS SHARE on its partitioned parent up to PostgreSQL 13 (proven on 13 by
 * `TRUNCATE ONLY p_2024`); 14 and later lock the partition alone.
 */
function parentLockedBefore14(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) => {
    if (fact.id !== 'truncate') return [fact];
    const [before, after] = sinceMajor(14, { ...fact, locks: [...fact.locks, { role: 'table.parent', mode: 'AccessShareLock' }] }, {
      locks: fact.locks,
      why: 'a partition is truncated without locking its partitioned parent (13 and older took ACCESS SHARE on it).',
    });
    return [{ ...before!, why: `${fact.why} Up to PostgreSQL 13, truncating a partition also takes ACCESS SHARE on its partitioned parent.` }, after!];
  });
}
