import type { LockFact } from '../fact';

const TABLE = 'CREATE TABLE t (id bigint PRIMARY KEY, a int, b text);';

export const indexFacts: readonly LockFact[] = [
  {
    id: 'create-index.concurrently',
    summary: 'CREATE INDEX CONCURRENTLY',
    statement: 'IndexStmt',
    when: ({ statement }) => (statement as { concurrent?: boolean }).concurrent === true,
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    scans: ['table'],
    transaction: 'forbidden',
    docs: 'sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY',
    why: 'Builds the index in two table scans and waits for older transactions between phases; writes continue.',
    examples: [{ setup: TABLE, sql: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a)' }],
  },
  {
    id: 'create-index',
    summary: 'CREATE [UNIQUE] INDEX',
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
    ],
  },
];
