/**
 * ALTER TABLE / ALTER INDEX … RENAME (RenameStmt) and ALTER TABLE … SET SCHEMA (AlterObjectSchemaStmt). A renamed
 * or moved relation is named as it is after the statement (targets-alter-table.ts), which is the name it has while
 * the lock is held.
 */
import type { TypeName } from '@pgsql/types';
import type { FactInput, LockFact } from '../fact';
import { INHERITED, PARTITIONED, REFERENCING, TABLE } from './alter-table-shared';

const renameType = (input: FactInput): string | undefined => (input.statement as { renameType?: string }).renameType;

/** The relation a RenameStmt names, looked up before the rename. */
function renamedKind(input: FactInput) {
  const rv = (input.statement as { relation?: unknown }).relation;
  return rv ? input.schema.relationKind(input.schema.resolve(rv as never)) : undefined;
}

/** A relation the catalog does not know is taken for what the statement calls it (ALTER TABLE: a table). */
const isTableKind = (kind: string | undefined) => kind === undefined || kind === 'table' || kind === 'partitioned table';
const isIndexKind = (kind: string | undefined) => kind === 'index' || kind === 'partitioned index';
const isRelationKind = (kind: string | undefined) => !isIndexKind(kind);
const RELATION_RENAMES = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);
const MOVABLE = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);

export const renameFacts: readonly LockFact[] = [
  {
    id: 'alter-table.rename',
    summary: 'ALTER { TABLE | VIEW | MATERIALIZED VIEW | SEQUENCE } … RENAME TO new_name',
    statement: 'RenameStmt',
    when: (input) => RELATION_RENAMES.has(renameType(input) ?? '') && isRelationKind(renamedKind(input)),
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME',
    why: 'Catalog only, but ACCESS EXCLUSIVE: every query naming the relation waits (and queries using the old name then fail). Partitions keep their names.',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t RENAME TO t2' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m RENAME TO measurements' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m_2024 RENAME TO m_old' },
      { setup: TABLE + ' CREATE VIEW t_ids AS SELECT id FROM t;', sql: 'ALTER VIEW t_ids RENAME TO t_keys' },
      { setup: TABLE + ' CREATE MATERIALIZED VIEW t_ids AS SELECT id FROM t;', sql: 'ALTER MATERIALIZED VIEW t_ids RENAME TO t_keys' },
      { setup: 'CREATE SEQUENCE s;', sql: 'ALTER SEQUENCE s RENAME TO s2' },
      { setup: "DO $$ BEGIN EXECUTE 'CREATE TABLE hidden (id int)'; END $$;", sql: 'ALTER TABLE hidden RENAME TO shown' },
    ],
  },
  {
    id: 'alter-index.rename',
    summary: 'ALTER INDEX … RENAME TO new_name',
    statement: 'RenameStmt',
    when: (input) => renameType(input) === 'OBJECT_INDEX' && (renamedKind(input) === undefined || isIndexKind(renamedKind(input))),
    locks: [{ role: 'index', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-alterindex.html',
    why: 'SHARE UPDATE EXCLUSIVE on the index only (PostgreSQL ≥ 12): queries go on.',
    examples: [
      { setup: TABLE, sql: 'ALTER INDEX t_a_idx RENAME TO t_a_index' },
      { setup: TABLE, sql: 'ALTER INDEX IF EXISTS t_a_idx RENAME TO t_a_index' },
      { setup: PARTITIONED, sql: 'ALTER INDEX m_a_idx RENAME TO m_a_index' },
      { setup: "DO $$ BEGIN EXECUTE 'CREATE TABLE t (id int); CREATE INDEX t_id_idx ON t (id)'; END $$;", sql: 'ALTER INDEX t_id_idx RENAME TO t_id_index' },
    ],
  },
  {
    id: 'alter-table.rename.index',
    summary: 'ALTER TABLE index_name RENAME TO new_name (an index renamed through ALTER TABLE)',
    statement: 'RenameStmt',
    when: (input) => renameType(input) === 'OBJECT_TABLE' && isIndexKind(renamedKind(input)),
    locks: [{ role: 'index', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME',
    why: 'Renaming an index with ALTER TABLE instead of ALTER INDEX takes ACCESS EXCLUSIVE on it, which blocks every query planning with its table.',
    examples: [{ setup: TABLE, sql: 'ALTER TABLE t_a_idx RENAME TO t_a_index' }],
  },
  {
    id: 'alter-table.rename-column',
    summary: 'ALTER TABLE … RENAME [COLUMN] old TO new',
    statement: 'RenameStmt',
    when: (input) => renameType(input) === 'OBJECT_COLUMN' && isRelationKind(renamedKind(input)),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
      { role: 'table.inheritors', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME',
    why: 'Catalog only, under ACCESS EXCLUSIVE on the table and every partition or inheritance child (all levels).',
    examples: [
      { setup: TABLE, sql: 'ALTER TABLE t RENAME COLUMN a TO a2' },
      { setup: TABLE, sql: 'ALTER TABLE t RENAME b TO body' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m RENAME COLUMN a TO a2' },
      { setup: INHERITED, sql: 'ALTER TABLE p RENAME COLUMN b TO body' },
      // ALTER VIEW … RENAME COLUMN is PostgreSQL 13 syntax (on 12 a syntax error; ALTER TABLE … RENAME COLUMN works there).
      { setup: TABLE + ' CREATE VIEW t_ids AS SELECT id FROM t;', sql: 'ALTER VIEW t_ids RENAME COLUMN id TO ident', pg: { min: 13 } },
    ],
  },
  {
    id: 'alter-table.rename-constraint',
    summary: 'ALTER TABLE … RENAME CONSTRAINT old TO new',
    statement: 'RenameStmt',
    when: (input) => renameType(input) === 'OBJECT_TABCONSTRAINT' && renamedKind(input) !== undefined && isTableKind(renamedKind(input)),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
      { role: 'constraint.indexes', mode: 'ShareUpdateExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME-CONSTRAINT',
    why:
      'The index behind a PRIMARY KEY / UNIQUE / EXCLUDE constraint is renamed with it (SHARE UPDATE EXCLUSIVE). ' +
      'Partitions that inherited a CHECK rename theirs too.',
    examples: [
      { setup: TABLE + ' ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0);', sql: 'ALTER TABLE t RENAME CONSTRAINT a_positive TO a_gt_zero' },
      { setup: TABLE, sql: 'ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk' },
      {
        setup: REFERENCING + ' ALTER TABLE t ADD CONSTRAINT t_r_fk FOREIGN KEY (r_id) REFERENCES r (id);',
        sql: 'ALTER TABLE t RENAME CONSTRAINT t_r_fk TO t_r_id_fkey',
      },
      { setup: PARTITIONED + ' ALTER TABLE m ADD CONSTRAINT a_positive CHECK (a > 0);', sql: 'ALTER TABLE m RENAME CONSTRAINT a_positive TO a_gt_zero' },
      { setup: PARTITIONED, sql: 'ALTER TABLE m RENAME CONSTRAINT m_pkey TO m_pk' },
    ],
  },
  {
    id: 'alter-table.set-schema',
    summary: 'ALTER { TABLE | VIEW | MATERIALIZED VIEW | SEQUENCE } … SET SCHEMA new_schema',
    statement: 'AlterObjectSchemaStmt',
    when: (input) => MOVABLE.has((input.statement as { objectType?: string }).objectType ?? ''),
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.sequences', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-SET-SCHEMA',
    why: 'The table and the sequences its columns own move (ACCESS EXCLUSIVE on each); its indexes move without a lock of their own. Partitions stay where they are.',
    examples: [
      { setup: 'CREATE SCHEMA archive; ' + TABLE, sql: 'ALTER TABLE t SET SCHEMA archive' },
      { setup: 'CREATE SCHEMA archive; CREATE TABLE t (id bigserial PRIMARY KEY, a int);', sql: 'ALTER TABLE t SET SCHEMA archive' },
      { setup: 'CREATE SCHEMA archive; ' + PARTITIONED, sql: 'ALTER TABLE m SET SCHEMA archive' },
      { setup: 'CREATE SCHEMA archive; ' + TABLE + ' CREATE VIEW t_ids AS SELECT id FROM t;', sql: 'ALTER VIEW t_ids SET SCHEMA archive' },
      { setup: 'CREATE SCHEMA archive; CREATE SEQUENCE s;', sql: 'ALTER SEQUENCE s SET SCHEMA archive' },
    ],
  },
  {
    id: 'alter-table.rename-constraint.unknown-table',
    summary: 'ALTER TABLE … RENAME CONSTRAINT on a table the catalog does not know',
    statement: 'RenameStmt',
    when: (input) => renameType(input) === 'OBJECT_TABCONSTRAINT' && renamedKind(input) === undefined,
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    unknown: 'RENAME CONSTRAINT: the table is not in the catalog; the index behind a PRIMARY KEY / UNIQUE constraint is renamed too (SHARE UPDATE EXCLUSIVE)',
    docs: 'sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME-CONSTRAINT',
    why: 'A lower bound: ACCESS EXCLUSIVE on the table is certain.',
    examples: [
      {
        setup: "DO $$ BEGIN EXECUTE 'CREATE TABLE t (id int, a int CONSTRAINT a_positive CHECK (a > 0))'; END $$;",
        sql: 'ALTER TABLE t RENAME CONSTRAINT a_positive TO a_gt_zero',
      },
    ],
  },
  {
    id: 'alter-trigger.rename',
    summary: 'ALTER TRIGGER … ON table RENAME TO new_name',
    statement: 'RenameStmt',
    when: (input) => renameType(input) === 'OBJECT_TRIGGER' && renamedKind(input) !== 'partitioned table',
    locks: [{ role: 'table', mode: 'AccessExclusiveLock' }],
    docs: 'sql-altertrigger.html',
    why: 'Renaming a trigger takes ACCESS EXCLUSIVE on its table: every query on the table waits.',
    examples: [
      {
        setup: TABLE + " CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
        sql: 'ALTER TRIGGER t_touch ON t RENAME TO t_touch_row',
      },
    ],
  },
  {
    id: 'alter-type.rename',
    summary: 'ALTER { TYPE | DOMAIN } … RENAME TO (enum, domain or range type)',
    statement: 'RenameStmt',
    when: (input) =>
      ['OBJECT_TYPE', 'OBJECT_DOMAIN'].includes(renameType(input) ?? '') && ['enum', 'domain', 'range'].includes(renamedTypeKind(input) ?? ''),
    locks: [],
    docs: 'sql-altertype.html',
    why: 'Only the type object is locked, not the tables whose columns use it: nothing waits except DDL on the type.',
    examples: [
      { setup: "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE t (id int, m mood);", sql: 'ALTER TYPE mood RENAME TO feeling' },
      { setup: 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0); CREATE TABLE t (id int, a positive_int);', sql: 'ALTER DOMAIN positive_int RENAME TO natural_int' },
    ],
  },
  {
    id: 'alter-function.rename',
    summary: 'ALTER { FUNCTION | PROCEDURE | ROUTINE } … RENAME TO',
    statement: 'RenameStmt',
    when: (input) => ['OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_ROUTINE'].includes(renameType(input) ?? ''),
    locks: [],
    docs: 'sql-alterfunction.html',
    why: 'No relation is locked; callers that name the function by its old name fail afterwards.',
    examples: [{ setup: "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';", sql: 'ALTER FUNCTION one() RENAME TO uno' }],
  },
];

/** The kind of the type ALTER TYPE / ALTER DOMAIN … RENAME names, as the catalog knows it. */
function renamedTypeKind(input: FactInput): string | undefined {
  const names = ((input.statement as { object?: { List?: { items?: unknown[] } } }).object?.List?.items ?? []) as TypeName['names'];
  if (!names || names.length === 0) return undefined;
  return input.schema.resolveType({ names, typemod: -1 }).kind;
}
