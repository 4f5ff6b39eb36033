/** CREATE [OR REPLACE] VIEW, DROP VIEW, CREATE / DROP MATERIALIZED VIEW. */
import type { FactInput, LockFact } from '../fact';
import { cascades, payload } from './when';

const TABLES = `CREATE TABLE t (id bigserial PRIMARY KEY, a int, b text);
CREATE INDEX t_a_idx ON t (a);
CREATE TABLE u (id int PRIMARY KEY);
INSERT INTO t (a, b) SELECT g, 'x' FROM generate_series(1, 100) g;`;
const VIEWS = `${TABLES}
CREATE VIEW v AS SELECT id, a FROM t;
CREATE VIEW vv AS SELECT id FROM v;
CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t;
CREATE UNIQUE INDEX mv_id ON mv (id);`;

const isMatview = (input: FactInput): boolean => payload(input).objtype === 'OBJECT_MATVIEW';
const skipsData = (input: FactInput): boolean => (payload(input).into as { skipData?: boolean } | undefined)?.skipData === true;
const drops = (kind: string) => (input: FactInput): boolean => payload(input).removeType === kind;

export const viewFacts: readonly LockFact[] = [
  {
    id: 'create-view',
    summary: 'CREATE [OR REPLACE] VIEW … AS <query>',
    statement: 'ViewStmt',
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    docs: 'sql-createview.html',
    why:
      'The query is analyzed, not planned: ACCESS SHARE on the relations it names (not their indexes, not what views among them read). CREATE OR REPLACE takes ACCESS EXCLUSIVE on the existing view, so it waits for — and then blocks — every query using the view.',
    examples: [
      { setup: TABLES, sql: 'CREATE VIEW v2 AS SELECT t.id, u.id AS uid FROM t JOIN u ON u.id = t.id' },
      { setup: VIEWS, sql: 'CREATE OR REPLACE VIEW v AS SELECT id, a, b FROM t' },
      { setup: VIEWS, sql: 'CREATE VIEW v3 AS SELECT * FROM v' },
    ],
  },
  {
    id: 'create-materialized-view.no-data',
    summary: 'CREATE MATERIALIZED VIEW … WITH NO DATA',
    statement: 'CreateTableAsStmt',
    when: (input) => isMatview(input) && skipsData(input),
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    docs: 'sql-creatematerializedview.html',
    why: 'The query is only analyzed: ACCESS SHARE on what it names; the view is unscannable until REFRESH.',
    examples: [{ setup: TABLES, sql: 'CREATE MATERIALIZED VIEW mv2 AS SELECT * FROM t WITH NO DATA' }],
  },
  {
    id: 'create-materialized-view',
    summary: 'CREATE MATERIALIZED VIEW … AS <query>',
    statement: 'CreateTableAsStmt',
    when: isMatview,
    locks: [
      { role: 'created', mode: 'AccessExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
      { role: 'read.base', mode: 'AccessShareLock' },
      { role: 'read.partitions', mode: 'AccessShareLock' },
      { role: 'read.indexes', mode: 'AccessShareLock' },
    ],
    scans: ['whole'],
    docs: 'sql-creatematerializedview.html',
    why: 'Runs the query once (ACCESS SHARE on its tables and their indexes: writes continue); a long query holds those locks for its duration.',
    examples: [
      { setup: TABLES, sql: 'CREATE MATERIALIZED VIEW mv2 AS SELECT * FROM t' },
      { setup: TABLES, sql: 'CREATE MATERIALIZED VIEW mv2 AS SELECT * FROM t WHERE a > 5' },
    ],
  },
  {
    id: 'drop-view.cascade',
    summary: 'DROP VIEW … CASCADE',
    statement: 'DropStmt',
    when: (input) => drops('OBJECT_VIEW')(input) && cascades(input),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'dependents', mode: 'AccessExclusiveLock' },
      { role: 'dependents.indexes', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-dropview.html',
    why: 'Drops the views (and materialized views) built on it too, each under ACCESS EXCLUSIVE. The tables the view reads are not locked.',
    examples: [{ setup: VIEWS, sql: 'DROP VIEW v CASCADE' }],
  },
  {
    id: 'drop-view',
    summary: 'DROP VIEW [IF EXISTS]',
    statement: 'DropStmt',
    when: drops('OBJECT_VIEW'),
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-dropview.html',
    examples: [{ setup: VIEWS, sql: 'DROP VIEW vv' }],
  },
  {
    id: 'drop-materialized-view',
    summary: 'DROP MATERIALIZED VIEW [CASCADE]',
    statement: 'DropStmt',
    when: drops('OBJECT_MATVIEW'),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
      { role: 'dependents', mode: 'AccessExclusiveLock' },
      { role: 'dependents.indexes', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-dropmaterializedview.html',
    why: 'The view and its indexes under ACCESS EXCLUSIVE (with CASCADE, the views on it too; without, such views make it fail).',
    examples: [{ setup: VIEWS, sql: 'DROP MATERIALIZED VIEW mv' }],
  },
];
