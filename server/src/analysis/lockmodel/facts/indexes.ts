/** CREATE INDEX, DROP INDEX, REINDEX — with and without CONCURRENTLY, on plain and partitioned tables. */
import type { RangeVar } from '@pgsql/types';
import type { FactInput, LockFact } from '../fact';
import { onPartitionedTable, payload } from './when';

const TABLE = 'CREATE TABLE t (id bigint PRIMARY KEY, a int, b text);';
const TABLE_WITH_INDEX = `${TABLE} CREATE INDEX t_b_idx ON t (b);`;
const PARTITIONED = `CREATE TABLE p (id bigint, created date, a int, PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE p_2024 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE p_2025 PARTITION OF p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`;

const SUBPARTITIONED = `CREATE TABLE m (id bigint, region text, created date) PARTITION BY LIST (region);
CREATE TABLE m_eu PARTITION OF m FOR VALUES IN ('eu') PARTITION BY RANGE (created);
CREATE TABLE m_eu_2024 PARTITION OF m_eu FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_us PARTITION OF m FOR VALUES IN ('us');
CREATE INDEX m_id_idx ON m (id);`;

const concurrent = (input: FactInput): boolean => payload(input).concurrent === true;

/** REINDEX (CONCURRENTLY) is an option since PostgreSQL 14's syntax; the parser gives it as a `params` DefElem. */
function reindexConcurrently(input: FactInput): boolean {
  const params = (payload(input).params as Array<{ DefElem?: { defname?: string } }> | undefined) ?? [];
  return params.some((p) => p.DefElem?.defname === 'concurrently');
}

function indexTableIsPartitioned(input: FactInput): boolean {
  const s = payload(input);
  if (s.kind === 'REINDEX_OBJECT_INDEX' && s.relation) {
    const table = input.schema.tableOfIndex(input.schema.resolve(s.relation as RangeVar));
    return table !== undefined && input.schema.relationKind(table) === 'partitioned table';
  }
  return onPartitionedTable(input);
}

/** DROP INDEX of a partitioned index also drops the partitions' indexes, which the model does not enumerate. */
function dropsPartitionedIndex(input: FactInput): boolean {
  const objects = (payload(input).objects as Array<{ List?: { items?: Array<{ String?: { sval?: string } }> } }> | undefined) ?? [];
  return objects.some((o) => {
    const parts = (o.List?.items ?? []).map((i) => i.String?.sval ?? '');
    const rv: RangeVar = parts.length >= 2 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
    return input.schema.relationKind(input.schema.resolve(rv)) === 'partitioned index';
  });
}

export const indexFacts: readonly LockFact[] = [
  {
    id: 'create-index.concurrently',
    summary: 'CREATE INDEX CONCURRENTLY',
    statement: 'IndexStmt',
    when: concurrent,
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    scans: ['table'],
    transaction: 'forbidden',
    docs: 'sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY',
    why:
      'Builds the index in two table scans and waits for older transactions between phases; writes continue. ' +
      'It waits for every transaction that holds a snapshot older than its own phases, so a long transaction anywhere in the database stalls it.',
    examples: [
      { setup: TABLE, sql: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a)' },
      { setup: TABLE, sql: 'CREATE UNIQUE INDEX CONCURRENTLY t_b_key ON t (b) WHERE b IS NOT NULL' },
    ],
  },
  {
    id: 'create-index.if-not-exists.existing',
    summary: 'CREATE INDEX IF NOT EXISTS name … when an index (relation) of that name exists',
    statement: 'IndexStmt',
    when: (input) => {
      const s = payload(input);
      if (s.if_not_exists !== true || typeof s.idxname !== 'string' || !s.relation) return false;
      const rv = s.relation as RangeVar;
      return input.schema.relationKind(input.schema.resolve({ ...(rv.schemaname ? { schemaname: rv.schemaname } : {}), relname: s.idxname })) !== undefined;
    },
    locks: [{ role: 'table', mode: 'ShareLock' }],
    docs: 'sql-createindex.html',
    why: 'Not free: PostgreSQL takes the SHARE lock on the table before it finds the name taken and skips with a notice, so it still waits behind (and blocks) writes.',
    examples: [{ setup: TABLE_WITH_INDEX, sql: 'CREATE INDEX IF NOT EXISTS t_b_idx ON t (a)' }],
  },
  {
    id: 'create-index.partitioned.only',
    summary: 'CREATE INDEX … ON ONLY partitioned_table (an invalid parent index, no partition touched)',
    statement: 'IndexStmt',
    when: (input) => onPartitionedTable(input) && (payload(input).relation as RangeVar | undefined)?.inh !== true,
    locks: [
      { role: 'table', mode: 'ShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-createindex.html#SQL-CREATEINDEX-PARTITIONED',
    why: 'Creates only the (invalid) partitioned index; each partition is then indexed with CREATE INDEX CONCURRENTLY and attached with ALTER INDEX … ATTACH PARTITION.',
    examples: [{ setup: PARTITIONED, sql: 'CREATE INDEX p_a_idx ON ONLY p (a)' }],
  },
  {
    id: 'create-index.partitioned',
    summary: 'CREATE [UNIQUE] INDEX on a partitioned table',
    statement: 'IndexStmt',
    when: onPartitionedTable,
    locks: [
      { role: 'table', mode: 'ShareLock' },
      { role: 'table.partitions', mode: 'ShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table.leaves'],
    docs: 'sql-createindex.html#SQL-CREATEINDEX-PARTITIONED',
    why:
      'Recurses: every partition is locked SHARE and scanned to build its own index, all in one transaction, so writes to the whole partitioned table wait for the slowest build. ' +
      'CONCURRENTLY is refused on a partitioned table (PostgreSQL ≤ 17).',
    examples: [
      { setup: PARTITIONED, sql: 'CREATE INDEX p_a_idx ON p (a)' },
      { setup: SUBPARTITIONED, sql: 'CREATE UNIQUE INDEX m_key ON m (id, region, created)' },
    ],
  },
  {
    id: 'create-index',
    summary: 'CREATE [UNIQUE] INDEX (plain, partial, expression, INCLUDE)',
    statement: 'IndexStmt',
    locks: [
      { role: 'table', mode: 'ShareLock' },
      { role: 'created', mode: 'AccessExclusiveLock' },
    ],
    scans: ['table'],
    docs: 'sql-createindex.html',
    why: 'SHARE blocks INSERT/UPDATE/DELETE (ROW EXCLUSIVE) for the whole build; reads continue.',
    examples: [
      { setup: TABLE, sql: 'CREATE INDEX t_a_idx ON t (a)' },
      { setup: TABLE, sql: 'CREATE UNIQUE INDEX ON t (b)' },
      { setup: TABLE, sql: 'CREATE INDEX t_a_partial ON t (a) WHERE a > 0' },
      { setup: TABLE, sql: 'CREATE INDEX ON t ((lower(b)))' },
      { setup: TABLE, sql: 'CREATE UNIQUE INDEX ON t (a) INCLUDE (b)' },
    ],
  },
  {
    id: 'drop-index.concurrently',
    summary: 'DROP INDEX CONCURRENTLY',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_INDEX' && payload(input).concurrent === true,
    locks: [
      { role: 'index', mode: 'ShareUpdateExclusiveLock' },
      { role: 'index.table', mode: 'ShareUpdateExclusiveLock' },
    ],
    transaction: 'forbidden',
    docs: 'sql-dropindex.html',
    why:
      'Marks the index invalid, waits for every transaction using the table, then drops it. The ACCESS EXCLUSIVE lock it takes on the index at the very end concerns an index no query can see any more, so it blocks nobody and is left out.',
    examples: [{ setup: TABLE_WITH_INDEX, sql: 'DROP INDEX CONCURRENTLY t_b_idx' }],
  },
  {
    id: 'drop-index',
    summary: 'DROP INDEX [IF EXISTS] (not of a partitioned index)',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_INDEX' && !dropsPartitionedIndex(input),
    locks: [
      { role: 'index', mode: 'AccessExclusiveLock' },
      { role: 'index.table', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-dropindex.html',
    why: 'Takes ACCESS EXCLUSIVE on the table, not only on the index: even reads of the table wait. Brief, but it queues behind any running query on the table.',
    examples: [
      { setup: TABLE_WITH_INDEX, sql: 'DROP INDEX t_b_idx' },
      { setup: TABLE, sql: 'DROP INDEX IF EXISTS no_such_idx' },
    ],
  },
  {
    id: 'reindex.concurrently',
    summary: 'REINDEX INDEX|TABLE CONCURRENTLY (plain table)',
    statement: 'ReindexStmt',
    pg: { min: 12 },
    when: (input) => reindexConcurrently(input) && !indexTableIsPartitioned(input),
    locks: [
      { role: 'index', mode: 'ShareUpdateExclusiveLock' },
      { role: 'index.table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table', mode: 'ShareUpdateExclusiveLock' },
      { role: 'table.indexes', mode: 'ShareUpdateExclusiveLock' },
    ],
    rewrites: ['index', 'table.indexes'],
    scans: ['table', 'index.table'],
    transaction: 'forbidden',
    docs: 'sql-reindex.html#SQL-REINDEX-CONCURRENTLY',
    why: 'Builds a new copy of each index beside the old one and swaps them; reads and writes continue. New in PostgreSQL 12.',
    examples: [
      { setup: TABLE_WITH_INDEX, sql: 'REINDEX INDEX CONCURRENTLY t_b_idx' },
      { setup: TABLE_WITH_INDEX, sql: 'REINDEX TABLE CONCURRENTLY t' },
    ],
  },
  {
    id: 'reindex.table.partitioned',
    summary: 'REINDEX TABLE partitioned_table',
    statement: 'ReindexStmt',
    pg: { min: 14 },
    when: (input) => payload(input).kind === 'REINDEX_OBJECT_TABLE' && onPartitionedTable(input) && !reindexConcurrently(input),
    locks: [
      { role: 'table', mode: 'ShareLock' },
      { role: 'table.partitions', mode: 'ShareLock' },
      { role: 'table.leaves.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.leaves.indexes'],
    scans: ['table.leaves'],
    transaction: 'forbidden',
    docs: 'sql-reindex.html#SQL-REINDEX-NOTES',
    why: 'Unlike REINDEX of a plain table, it refuses to run in a transaction block: each partition is reindexed in its own transaction. Before PostgreSQL 14 partitioned tables could not be reindexed at all.',
    examples: [
      { setup: PARTITIONED, sql: 'REINDEX TABLE p' },
      { setup: SUBPARTITIONED, sql: 'REINDEX TABLE m' },
    ],
  },
  {
    id: 'reindex.index',
    summary: 'REINDEX INDEX (of a plain table)',
    statement: 'ReindexStmt',
    when: (input) => payload(input).kind === 'REINDEX_OBJECT_INDEX' && !reindexConcurrently(input) && !indexTableIsPartitioned(input),
    locks: [
      { role: 'index', mode: 'AccessExclusiveLock' },
      { role: 'index.table', mode: 'ShareLock' },
    ],
    rewrites: ['index'],
    scans: ['index.table'],
    docs: 'sql-reindex.html#SQL-REINDEX-NOTES',
    why:
      'SHARE on the table blocks writes, and ACCESS EXCLUSIVE on the index blocks every query whose planning opens the index — in practice most reads of the table too, not only writes.',
    examples: [{ setup: TABLE_WITH_INDEX, sql: 'REINDEX INDEX t_b_idx' }],
  },
  {
    id: 'reindex.table',
    summary: 'REINDEX TABLE (plain table)',
    statement: 'ReindexStmt',
    when: (input) => payload(input).kind === 'REINDEX_OBJECT_TABLE' && !reindexConcurrently(input) && !onPartitionedTable(input),
    locks: [
      { role: 'table', mode: 'ShareLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
    ],
    rewrites: ['table.indexes'],
    scans: ['table'],
    docs: 'sql-reindex.html#SQL-REINDEX-NOTES',
    why: 'Rebuilds every index of the table (each from a full table scan) with ACCESS EXCLUSIVE on each index, so reads that plan on the table wait too.',
    examples: [{ setup: TABLE_WITH_INDEX, sql: 'REINDEX TABLE t' }],
  },
];
