/**
 * COMMENT ON, GRANT/REVOKE, CREATE/DROP EXTENSION, CREATE/DROP FUNCTION and PROCEDURE, DO, CALL, SET/RESET/SHOW,
 * CREATE/DROP SCHEMA, ALTER … OWNER, CREATE STATISTICS, CREATE PUBLICATION, roles — and transaction control
 * (BEGIN, COMMIT, SAVEPOINT …), proven apart because the tracer owns transactions (test/lockmodel/untraced.test.ts).
 */
import type { FactInput, LockFact } from '../fact';
import { sinceMajor } from './versions';
import { sqlFunctionBody } from '../targets';
import { cascades, payload } from './when';

const TABLES = `CREATE TABLE t (id bigserial PRIMARY KEY, a int, b text);
CREATE INDEX t_a_idx ON t (a);
CREATE VIEW v AS SELECT id, a FROM t;
CREATE TYPE mood AS ENUM ('a');
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE noop_proc() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE SCHEMA app;
CREATE TABLE app.x (id int PRIMARY KEY);`;
/** Roles are cluster-wide and outlive a scratch database: create the one the examples use only when missing. */
const ROLE = `DO $$ BEGIN CREATE ROLE lockstep_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`;

/**
 * Extensions whose install scripts create functions, types and operators only — no tables, views or sequences —
 * so CREATE/DROP EXTENSION takes no lock on any relation of the database. Others (postgis, timescaledb,
 * pg_stat_statements, and tablefunc, whose composite types are relations) are left unknown.
 */
const RELATION_FREE_EXTENSIONS = new Set([
  'pgcrypto',
  'uuid-ossp',
  'pg_trgm',
  'citext',
  'hstore',
  'btree_gin',
  'btree_gist',
  'unaccent',
  'fuzzystrmatch',
  'ltree',
  'intarray',
  'cube',
  'earthdistance',
  'plpgsql',
  'isn',
  'seg',
]);

const objtype = (input: FactInput): string => (payload(input).objtype ?? payload(input).objectType ?? payload(input).removeType) as string;
const RELATION_COMMENT_KINDS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_COLUMN', 'OBJECT_FOREIGN_TABLE']);
const MEMBER_COMMENT_KINDS = new Set(['OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE']);
/** Objects that are not relations: commenting on, owning or granting them touches their own catalog row only. */
const NON_RELATION_KINDS = new Set([
  'OBJECT_FUNCTION',
  'OBJECT_PROCEDURE',
  'OBJECT_ROUTINE',
  'OBJECT_AGGREGATE',
  'OBJECT_TYPE',
  'OBJECT_DOMAIN',
  'OBJECT_SCHEMA',
  'OBJECT_EXTENSION',
  'OBJECT_DATABASE',
  'OBJECT_ROLE',
  'OBJECT_COLLATION',
  'OBJECT_OPERATOR',
  'OBJECT_LANGUAGE',
  'OBJECT_PUBLICATION',
  'OBJECT_SUBSCRIPTION',
  'OBJECT_EVENT_TRIGGER',
  'OBJECT_TABLESPACE',
  'OBJECT_CONVERSION',
]);

function extensionName(input: FactInput): string | undefined {
  const s = payload(input);
  if (typeof s.extname === 'string') return s.extname;
  const objects = (s.objects as Array<{ String?: { sval?: string } }> | undefined) ?? [];
  return objects.length === 1 ? objects[0]!.String?.sval : undefined;
}

export const miscFacts: readonly LockFact[] = grantLocksSince18([
  {
    id: 'comment-on.relation',
    summary: 'COMMENT ON TABLE / COLUMN / VIEW / MATERIALIZED VIEW / SEQUENCE',
    statement: 'CommentStmt',
    when: (input) => RELATION_COMMENT_KINDS.has(objtype(input)),
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-comment.html',
    why: 'Not free: SHARE UPDATE EXCLUSIVE, so it waits for (and blocks) other DDL, VACUUM and CREATE INDEX CONCURRENTLY on the table; reads and writes continue.',
    examples: [
      { setup: TABLES, sql: "COMMENT ON TABLE t IS 'orders placed by customers'" },
      { setup: TABLES, sql: "COMMENT ON COLUMN t.a IS 'quantity'" },
      { setup: TABLES, sql: "COMMENT ON VIEW v IS 'x'" },
      { setup: TABLES, sql: "COMMENT ON SEQUENCE t_id_seq IS 'x'" },
    ],
  },
  {
    id: 'comment-on.index',
    summary: 'COMMENT ON INDEX',
    statement: 'CommentStmt',
    when: (input) => objtype(input) === 'OBJECT_INDEX',
    locks: [{ role: 'index', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-comment.html',
    why: 'Locks the index, not its table.',
    examples: [{ setup: TABLES, sql: "COMMENT ON INDEX t_a_idx IS 'x'" }],
  },
  {
    id: 'comment-on.table-member',
    summary: 'COMMENT ON CONSTRAINT / TRIGGER / POLICY / RULE … ON table',
    statement: 'CommentStmt',
    when: (input) => MEMBER_COMMENT_KINDS.has(objtype(input)),
    locks: [{ role: 'table', mode: 'AccessShareLock' }],
    docs: 'sql-comment.html',
    examples: [
      { setup: TABLES, sql: "COMMENT ON CONSTRAINT t_pkey ON t IS 'x'" },
      { setup: TABLES, sql: "COMMENT ON TRIGGER t_trg ON t IS 'x'" },
    ],
  },
  {
    id: 'comment-on.non-relation',
    summary: 'COMMENT ON FUNCTION / TYPE / DOMAIN / SCHEMA / EXTENSION …',
    statement: 'CommentStmt',
    when: (input) => NON_RELATION_KINDS.has(objtype(input)),
    locks: [],
    docs: 'sql-comment.html',
    examples: [
      { setup: TABLES, sql: "COMMENT ON FUNCTION f() IS 'x'" },
      { setup: TABLES, sql: "COMMENT ON TYPE mood IS 'x'" },
      { setup: TABLES, sql: "COMMENT ON SCHEMA app IS 'x'" },
    ],
  },
  {
    id: 'grant',
    summary: 'GRANT / REVOKE privileges (on tables, sequences, schemas, functions, ALL TABLES IN SCHEMA)',
    statement: 'GrantStmt',
    locks: [],
    docs: 'sql-grant.html',
    why:
      'No relation lock at all before PostgreSQL 18 — not even on the tables whose privileges change (the catalog row ' +
      'is updated in place under a row lock).',
    examples: [
      { setup: `${TABLES} ${ROLE}`, sql: 'GRANT SELECT, INSERT ON t TO lockstep_reader' },
      { setup: `${TABLES} ${ROLE}`, sql: 'REVOKE ALL ON t FROM lockstep_reader' },
      { setup: `${TABLES} ${ROLE}`, sql: 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO lockstep_reader' },
      { setup: `${TABLES} ${ROLE}`, sql: 'GRANT USAGE ON SCHEMA app TO lockstep_reader' },
      { setup: TABLES, sql: 'GRANT USAGE, SELECT ON SEQUENCE t_id_seq TO PUBLIC' },
    ],
  },
  {
    id: 'alter-default-privileges',
    summary: 'ALTER DEFAULT PRIVILEGES …',
    statement: 'AlterDefaultPrivilegesStmt',
    locks: [],
    docs: 'sql-alterdefaultprivileges.html',
    examples: [{ setup: `${TABLES} ${ROLE}`, sql: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO lockstep_reader' }],
  },
  {
    id: 'create-extension',
    summary: 'CREATE EXTENSION [IF NOT EXISTS] of an extension that creates no relations (pgcrypto, uuid-ossp, pg_trgm, citext, hstore, …)',
    statement: 'CreateExtensionStmt',
    when: (input) => RELATION_FREE_EXTENSIONS.has(extensionName(input) ?? ''),
    locks: [],
    docs: 'sql-createextension.html',
    why: 'These extensions add functions, types and operators only; no table of yours is locked. Extensions whose scripts create tables (postgis, timescaledb …) are not covered.',
    // One example per listed extension, so the list itself is proven, not assumed.
    examples: [...RELATION_FREE_EXTENSIONS].map((name) => ({
      setup: name === 'earthdistance' ? `${TABLES} CREATE EXTENSION cube;` : TABLES,
      sql: `CREATE EXTENSION IF NOT EXISTS "${name}"`,
    })),
  },
  {
    id: 'drop-extension',
    summary: 'DROP EXTENSION [IF EXISTS] of an extension that creates no relations (RESTRICT)',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_EXTENSION' && !cascades(input) && RELATION_FREE_EXTENSIONS.has(extensionName(input) ?? ''),
    locks: [],
    docs: 'sql-dropextension.html',
    examples: [{ setup: `${TABLES} CREATE EXTENSION hstore;`, sql: 'DROP EXTENSION hstore' }],
  },
  {
    id: 'create-function.sql',
    summary: 'CREATE [OR REPLACE] FUNCTION / PROCEDURE … LANGUAGE sql (body validated)',
    statement: 'CreateFunctionStmt',
    when: (input) => sqlFunctionBody(payload(input)) !== undefined,
    locks: [
      { role: 'table', mode: 'RowExclusiveLock' },
      { role: 'read', mode: 'AccessShareLock' },
    ],
    docs: 'sql-createfunction.html',
    why:
      'With check_function_bodies on (the default) a SQL-language body is parsed and analyzed at creation: ACCESS SHARE on what it reads, ROW EXCLUSIVE on what it writes — until the migration commits. (A file that SETs check_function_bodies = off skips this; the model does not track that setting.)',
    examples: [
      { setup: TABLES, sql: "CREATE FUNCTION total() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM t'" },
      { setup: TABLES, sql: "CREATE FUNCTION touch() RETURNS void LANGUAGE sql AS 'UPDATE t SET a = 1 WHERE id IN (SELECT id FROM app.x)'" },
      // BEGIN ATOMIC (a body parsed at creation) is PostgreSQL 14 syntax.
      { setup: TABLES, sql: 'CREATE FUNCTION total2() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END', pg: { min: 14 } },
      { setup: TABLES, sql: "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'" },
    ],
  },
  {
    id: 'create-function',
    summary: 'CREATE [OR REPLACE] FUNCTION / PROCEDURE in plpgsql or another non-SQL language',
    statement: 'CreateFunctionStmt',
    locks: [],
    docs: 'sql-createfunction.html',
    why: 'A PL/pgSQL body is only syntax-checked at creation: no relation it names is locked (or even looked up) until the function runs.',
    examples: [
      { setup: TABLES, sql: 'CREATE FUNCTION total() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM t); END $$' },
      { setup: TABLES, sql: 'CREATE OR REPLACE PROCEDURE noop_proc() LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$' },
    ],
  },
  {
    id: 'drop-function',
    summary: 'DROP FUNCTION / PROCEDURE / ROUTINE / AGGREGATE [IF EXISTS] (RESTRICT)',
    statement: 'DropStmt',
    when: (input) => ['OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_ROUTINE', 'OBJECT_AGGREGATE'].includes(objtype(input)) && !cascades(input),
    locks: [],
    docs: 'sql-dropfunction.html',
    why: 'Fails while a trigger, default or view depends on it; CASCADE (which would drop those) is not covered.',
    examples: [
      { setup: TABLES, sql: 'DROP FUNCTION f()' },
      { setup: TABLES, sql: 'DROP PROCEDURE noop_proc()' },
    ],
  },
  {
    id: 'alter-function',
    summary: 'ALTER FUNCTION / PROCEDURE … SET / SECURITY / volatility …',
    statement: 'AlterFunctionStmt',
    locks: [],
    docs: 'sql-alterfunction.html',
    examples: [{ setup: TABLES, sql: 'ALTER FUNCTION f() SET search_path = public' }],
  },
  {
    id: 'do',
    summary: 'DO $$ … $$ (anonymous code block)',
    statement: 'DoStmt',
    locks: [],
    unknown: 'DO block: its body is not analyzed, so what it locks, rewrites or scans is unknown',
    docs: 'sql-do.html',
    why: 'The body can run any statement; only running it (rehearsal) tells.',
    examples: [{ setup: TABLES, sql: 'DO $$ BEGIN PERFORM 1; END $$' }],
  },
  {
    id: 'call',
    summary: 'CALL procedure(…)',
    statement: 'CallStmt',
    locks: [],
    unknown: 'CALL: the procedure body is not analyzed, so what it locks, rewrites or scans is unknown',
    docs: 'sql-call.html',
    examples: [{ setup: TABLES, sql: 'CALL noop_proc()' }],
  },
  {
    id: 'set',
    summary: 'SET / SET LOCAL / RESET (lock_timeout, statement_timeout, search_path, …)',
    statement: 'VariableSetStmt',
    locks: [],
    docs: 'sql-set.html',
    examples: [
      { setup: TABLES, sql: "SET lock_timeout = '1s'" },
      { setup: TABLES, sql: 'SET LOCAL statement_timeout = 0' },
      { setup: TABLES, sql: 'RESET lock_timeout' },
      { setup: TABLES, sql: 'SET search_path TO app, public' },
    ],
  },
  {
    id: 'show',
    summary: 'SHOW setting',
    statement: 'VariableShowStmt',
    locks: [],
    docs: 'sql-show.html',
    examples: [{ setup: TABLES, sql: 'SHOW lock_timeout' }],
  },
  {
    id: 'create-schema',
    summary: 'CREATE SCHEMA [IF NOT EXISTS] (without schema elements)',
    statement: 'CreateSchemaStmt',
    when: (input) => ((payload(input).schemaElts as unknown[] | undefined) ?? []).length === 0,
    locks: [],
    docs: 'sql-createschema.html',
    examples: [
      { setup: TABLES, sql: 'CREATE SCHEMA reporting' },
      { setup: TABLES, sql: 'CREATE SCHEMA IF NOT EXISTS app' },
    ],
  },
  {
    id: 'drop-schema',
    summary: 'DROP SCHEMA [IF EXISTS] … [CASCADE]',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_SCHEMA',
    locks: [
      { role: 'table', mode: 'AccessExclusiveLock' },
      { role: 'table.indexes', mode: 'AccessExclusiveLock' },
      { role: 'table.sequences', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions', mode: 'AccessExclusiveLock' },
      { role: 'table.partitions.indexes', mode: 'AccessExclusiveLock' },
      { role: 'referenced', mode: 'AccessExclusiveLock' },
      { role: 'referencing', mode: 'AccessExclusiveLock' },
      { role: 'dependents', mode: 'AccessExclusiveLock' },
      { role: 'dependents.indexes', mode: 'AccessExclusiveLock' },
    ],
    docs: 'sql-dropschema.html',
    why:
      'CASCADE drops every relation in the schema (ACCESS EXCLUSIVE on each, its indexes and sequences) and reaches outside it: tables elsewhere lose their foreign keys into it, views elsewhere on its tables are dropped. Without CASCADE it fails unless the schema is empty.',
    examples: [
      { setup: TABLES, sql: 'DROP SCHEMA app CASCADE' },
      { setup: `${TABLES} CREATE SCHEMA empty_one;`, sql: 'DROP SCHEMA empty_one' },
      {
        setup: `${TABLES} CREATE TABLE app.y (id int PRIMARY KEY, t_id bigint REFERENCES t); CREATE TABLE z (x_id int REFERENCES app.x);`,
        sql: 'DROP SCHEMA IF EXISTS app CASCADE',
      },
    ],
  },
  {
    id: 'alter-owner',
    summary: 'ALTER FUNCTION / SCHEMA / TYPE / DOMAIN / … OWNER TO (not tables: that is ALTER TABLE)',
    statement: 'AlterOwnerStmt',
    when: (input) => NON_RELATION_KINDS.has(objtype(input)),
    locks: [],
    docs: 'sql-alterfunction.html',
    examples: [
      { setup: `${TABLES} ${ROLE}`, sql: 'ALTER FUNCTION f() OWNER TO lockstep_reader' },
      { setup: `${TABLES} ${ROLE}`, sql: 'ALTER SCHEMA app OWNER TO lockstep_reader' },
      { setup: `${TABLES} ${ROLE}`, sql: 'ALTER TYPE mood OWNER TO lockstep_reader' },
    ],
  },
  {
    id: 'create-statistics',
    summary: 'CREATE STATISTICS … ON columns FROM table',
    statement: 'CreateStatsStmt',
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-createstatistics.html',
    why: 'SHARE UPDATE EXCLUSIVE: reads and writes continue; the statistics are filled by the next ANALYZE.',
    examples: [{ setup: TABLES, sql: 'CREATE STATISTICS t_a_b ON a, b FROM t' }],
  },
  {
    id: 'create-publication',
    summary: 'CREATE PUBLICATION … FOR TABLE … / FOR ALL TABLES',
    statement: 'CreatePublicationStmt',
    when: (input) =>
      ((payload(input).pubobjects as Array<{ PublicationObjSpec?: { pubobjtype?: string } }> | undefined) ?? []).every(
        (o) => o.PublicationObjSpec?.pubobjtype === 'PUBLICATIONOBJ_TABLE',
      ),
    locks: [{ role: 'table', mode: 'ShareUpdateExclusiveLock' }],
    docs: 'sql-createpublication.html',
    why: 'Each listed table is locked SHARE UPDATE EXCLUSIVE; FOR ALL TABLES locks none.',
    examples: [
      { setup: TABLES, sql: 'CREATE PUBLICATION lockstep_pub FOR TABLE t' },
      { setup: TABLES, sql: 'CREATE PUBLICATION lockstep_pub_all FOR ALL TABLES' },
    ],
  },
  {
    id: 'roles',
    summary: 'CREATE / ALTER / DROP ROLE, ALTER ROLE … SET, GRANT role TO role',
    statement: 'CreateRoleStmt',
    locks: [],
    docs: 'sql-createrole.html',
    examples: [{ setup: TABLES, sql: 'CREATE ROLE lockstep_tmp_role' }],
  },
  {
    id: 'roles.alter',
    summary: 'ALTER ROLE …',
    statement: 'AlterRoleStmt',
    locks: [],
    docs: 'sql-alterrole.html',
    examples: [{ setup: ROLE, sql: 'ALTER ROLE lockstep_reader NOLOGIN' }],
  },
  {
    id: 'roles.alter-set',
    summary: 'ALTER ROLE … SET setting',
    statement: 'AlterRoleSetStmt',
    locks: [],
    docs: 'sql-alterrole.html',
    examples: [{ setup: ROLE, sql: "ALTER ROLE lockstep_reader SET statement_timeout = '5s'" }],
  },
  {
    id: 'roles.grant',
    summary: 'GRANT role TO role / REVOKE role FROM role',
    statement: 'GrantRoleStmt',
    locks: [],
    docs: 'sql-grant.html',
    examples: [{ setup: ROLE, sql: 'GRANT lockstep_reader TO CURRENT_USER' }],
  },
]);

/**
 * BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, ROLLBACK TO: no relation locks.
 * Kept out of `lockFacts` because the tracer refuses transaction control (it owns the transaction); the examples
 * are proven by test/lockmodel/untraced.test.ts, which runs them in a plain session and reads pg_locks.
 */
export const transactionControlFacts: readonly LockFact[] = [
  {
    id: 'transaction-control',
    summary: 'BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT / SAVEPOINT / RELEASE / ROLLBACK TO',
    statement: 'TransactionStmt',
    locks: [],
    docs: 'sql-begin.html',
    why: 'Transaction control takes no relation lock itself; COMMIT and ROLLBACK release the locks the transaction holds.',
    examples: [
      { setup: TABLES, sql: 'BEGIN' },
      { setup: TABLES, sql: 'START TRANSACTION ISOLATION LEVEL SERIALIZABLE' },
      { setup: TABLES, sql: 'SAVEPOINT before_backfill' },
      { setup: TABLES, sql: 'RELEASE SAVEPOINT before_backfill' },
      { setup: TABLES, sql: 'ROLLBACK TO SAVEPOINT before_backfill' },
      { setup: TABLES, sql: 'COMMIT' },
      { setup: TABLES, sql: 'ROLLBACK' },
    ],
  },
];

/**
 * PostgreSQL 18 takes ACCESS SHARE on each table or sequence a GRANT / REVOKE names (so a concurrent DROP cannot
 * pull it away); ALL TABLES IN SCHEMA, schemas and functions still lock no relation. Proven on 18 by the grant
 * fact's own examples.
 */
function grantLocksSince18(facts: LockFact[]): LockFact[] {
  return facts.flatMap((fact) =>
    fact.id === 'grant'
      ? sinceMajor(18, fact, {
          locks: [{ role: 'table', mode: 'AccessShareLock' }],
          why: 'ACCESS SHARE on each table or sequence named (ON t, ON SEQUENCE s); ALL TABLES IN SCHEMA still locks nothing. Blocks only ACCESS EXCLUSIVE work.',
        })
      : [fact],
  );
}
