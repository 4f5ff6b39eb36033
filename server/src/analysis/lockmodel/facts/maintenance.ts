/** VACUUM, VACUUM FULL, ANALYZE, CLUSTER, REFRESH MATERIALIZED VIEW [CONCURRENTLY]. */
import type { RangeVar } from '@pgsql/types';
import type { FactInput, LockFact } from '../fact';
import { onPartitionedTable, option, payload } from './when';

const TABLE = `CREATE TABLE t (id bigserial PRIMARY KEY, a int, b text);
CREATE INDEX t_a_idx ON t (a);
INSERT INTO t (a, b) SELECT g, 'x' FROM generate_series(1, 100) g;`;
const PARTITIONED = `CREATE TABLE p (id bigint, created date, a int, PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE p_2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE p_2025 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX p_2024_a ON p_2024 (a);`;
const MATVIEWS = `${TABLE}
CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t;
CREATE UNIQUE INDEX mv_id ON mv (id);
CREATE MATERIALIZED VIEW mv_plain AS SELECT a FROM t;`;

function vacuumRelations(input: FactInput): string[] {
  const rels = (payload(input).rels as Array<{ VacuumRelation?: { relation?: RangeVar } }> | undefined) ?? [];
  return rels.map((r) => r.VacuumRelation?.relation).filter((rv): rv is RangeVar => !!rv).map((rv) => input.schema.resolve(rv));
}

const isVacuum = (input: FactInput): boolean => payload(input).is_vacuumcmd === true;
const namesTables = (input: FactInput): boolean => vacuumRelations(input).length > 0;
const anyPartitioned = (input: FactInput): boolean => vacuumRelations(input).some((t) => input.schema.relationKind(t) === 'partitioned table');

const PLANNED_READS: LockFact['locks'] = [
  { role: 'read', mode: 'AccessShareLock' },
  { role: 'read.base', mode: 'AccessShareLock' },
  { role: 'read.partitions', mode: 'AccessShareLock' },
  { role: 'read.indexes', mode: 'AccessShareLock' },
];

export const maintenanceFacts: readonly LockFact[] = [
  {
    id: 'vacuum.full',
    summary: 'VACUUM FULL table [, …] (plain tables)',
    statement: 'VacuumStmt',
    when: (input) => isVacuum(input) && option(input, 'full') !== undefined && namesTables(input) && !anyPartitioned(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table', 'table.indexes'],
    scans: ['table'],
    transaction: 'forbidden',
    docs: 'sql-vacuum.html',
    why: 'Not a vacuum but a rewrite: a new copy of the table and every index under ACCESS EXCLUSIVE — reads wait for the whole copy.',
    examples: [{ setup: TABLE, sql: 'VACUUM FULL t' }],
  },
  {
    id: 'vacuum',
    summary: 'VACUUM [(ANALYZE, …)] table [, …]',
    statement: 'VacuumStmt',
    when: (input) => isVacuum(input) && option(input, 'full') === undefined && namesTables(input),
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.indexes', mode: 'RowExclusiveLock' },
      { role: 'table.partitions', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.partitions.indexes', mode: 'RowExclusiveLock' },
    ],
    transaction: 'forbidden',
    docs: 'sql-vacuum.html',
    why:
      'SHARE UPDATE EXCLUSIVE: reads and writes continue, but it conflicts with DDL, CREATE INDEX CONCURRENTLY, ANALYZE and other vacuums (autovacuum included) on the table. Refused in a transaction block; migration tools that wrap files in a transaction fail on it.',
    examples: [
      { setup: TABLE, sql: 'VACUUM t' },
      { setup: TABLE, sql: 'VACUUM (ANALYZE) t' },
      { setup: PARTITIONED, sql: 'VACUUM p' },
    ],
  },
  {
    id: 'analyze',
    summary: 'ANALYZE table [(columns)] [, …]',
    statement: 'VacuumStmt',
    when: (input) => !isVacuum(input) && namesTables(input),
    locks: [
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessShareLock' },
      { role: 'table.partitions', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.partitions.indexes', mode: 'AccessShareLock' },
    ],
    docs: 'sql-analyze.html',
    why: 'Samples rows (no full scan) under SHARE UPDATE EXCLUSIVE; unlike VACUUM it may run in a transaction block. On a partitioned table it also analyzes every partition.',
    examples: [
      { setup: TABLE, sql: 'ANALYZE t' },
      { setup: TABLE, sql: 'ANALYZE t (a)' },
      { setup: PARTITIONED, sql: 'ANALYZE p' },
    ],
  },
  {
    id: 'cluster',
    summary: 'CLUSTER table [USING index] (plain table)',
    statement: 'ClusterStmt',
    when: (input) => payload(input).relation !== undefined && !onPartitionedTable(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table', 'table.indexes'],
    scans: ['table'],
    docs: 'sql-cluster.html',
    why: 'Rewrites the table in index order and rebuilds every index, under ACCESS EXCLUSIVE for the whole copy. (Whether it reads by a sequential scan and sort or by the index is the planner\'s choice; small tables are sorted.)',
    examples: [
      { setup: TABLE, sql: 'CLUSTER t USING t_a_idx' },
      { setup: `${TABLE} CLUSTER t USING t_a_idx;`, sql: 'CLUSTER t' },
    ],
  },
  {
    id: 'refresh-materialized-view.concurrently',
    summary: 'REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index)',
    statement: 'RefreshMatViewStmt',
    when: (input) => payload(input).concurrent === true,
    locks: [
      { role: 'table', mode: 'ExclusiveLock' },
      { role: 'table.indexes', mode: 'RowExclusiveLock' },
      ...PLANNED_READS,
    ],
    scans: ['table', 'whole'],
    docs: 'sql-refreshmaterializedview.html',
    why:
      'EXCLUSIVE, not ACCESS EXCLUSIVE: reads of the view continue while it is recomputed and diffed against the old contents (a full read of both). It may run inside a transaction block — unlike CREATE INDEX CONCURRENTLY — and fails without a unique index on the view.',
    examples: [{ setup: MATVIEWS, sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv' }],
  },
  {
    id: 'refresh-materialized-view.no-data',
    summary: 'REFRESH MATERIALIZED VIEW … WITH NO DATA',
    statement: 'RefreshMatViewStmt',
    when: (input) => payload(input).skipData === true && payload(input).concurrent !== true,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table', 'table.indexes'],
    scans: ['heaps.reindexed'],
    docs: 'sql-refreshmaterializedview.html',
    why: 'Empties the view (new storage) and leaves it unscannable until the next refresh; its indexes are rebuilt over the empty storage.',
    examples: [{ setup: MATVIEWS, sql: 'REFRESH MATERIALIZED VIEW mv WITH NO DATA' }],
  },
  {
    id: 'refresh-materialized-view',
    summary: 'REFRESH MATERIALIZED VIEW',
    statement: 'RefreshMatViewStmt',
    when: (input) => payload(input).concurrent !== true,
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
      ...PLANNED_READS,
    ],
    rewrites: ['table', 'table.indexes'],
    scans: ['heaps.reindexed', 'whole'],
    docs: 'sql-refreshmaterializedview.html',
    why: 'ACCESS EXCLUSIVE on the view for the whole recomputation: every read of the view waits. The view gets new storage and its indexes are rebuilt.',
    examples: [
      { setup: MATVIEWS, sql: 'REFRESH MATERIALIZED VIEW mv' },
      { setup: MATVIEWS, sql: 'REFRESH MATERIALIZED VIEW mv_plain' },
    ],
  },
];
