import type { LockFact } from '../fact';

const TABLE = 'CREATE TABLE t (id bigint PRIMARY KEY, a int, b text);';

export const alterTableFacts: readonly LockFact[] = [
  {
    id: 'alter-table.add-column',
    summary: 'ALTER TABLE … ADD COLUMN without a volatile default',
    statement: 'AlterTableStmt',
    subcommand: 'AT_AddColumn',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-NOTES',
    why: 'Since PostgreSQL 11 a non-volatile DEFAULT is stored in the catalog, so no row is touched.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c int' },
      { setup: TABLE, sql: 'ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now()' },
    ],
  },
];
