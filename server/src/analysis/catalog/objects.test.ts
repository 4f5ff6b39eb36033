import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../parse/parser';
import { Catalog } from './catalog';
import { formatColumnType } from './type-names';
import { problemsOf, replaySql } from './testing';

beforeAll(async () => {
  await initParser();
});

function replay(sql: string, catalog = new Catalog()) {
  const outcome = replaySql(catalog, sql, 'f.sql');
  return { catalog, problems: problemsOf(outcome), outcome };
}

describe('views and materialized views', () => {
  const BASE = `
    CREATE TABLE users (id uuid PRIMARY KEY, name text NOT NULL, avatar text);
    CREATE TABLE templates (id uuid PRIMARY KEY, created_by uuid, name text);`;

  it('records the relations a view reads, and its columns as far as they are evident', () => {
    const { catalog, problems } = replay(`${BASE}
      CREATE VIEW template_with_users AS
        WITH recent AS (SELECT id FROM templates)
        SELECT templates.*, coalesce(u.avatar, '') AS created_by_avatar_url, u.name AS created_by_name, count(*) AS n
        FROM templates LEFT JOIN users u ON u.id = templates.created_by JOIN recent r ON r.id = templates.id;`);
    expect(problems).toEqual([]);
    const v = catalog.relation('template_with_users')!;
    expect(v.kind).toBe('view');
    expect(v.dependsOn).toEqual(['public.templates', 'public.users']);
    expect(v.columns.map((c) => [c.name, formatColumnType(c.type)])).toEqual([
      ['id', 'uuid'],
      ['created_by', 'uuid'],
      ['name', 'text'],
      ['created_by_avatar_url', 'text'],
      ['created_by_name', 'text'],
      ['n', 'int8'],
    ]);
    expect(catalog.dependentViews('users').map((r) => r.key)).toEqual(['public.template_with_users']);
  });

  it('replaces a view with CREATE OR REPLACE, keeping its creator, and drops dependents with CASCADE', () => {
    const { catalog, problems } = replay(`${BASE}
      CREATE VIEW v1 (uid, uname) AS SELECT id, name FROM users;
      CREATE VIEW v2 AS SELECT uid FROM v1;
      CREATE OR REPLACE VIEW v1 AS SELECT id AS uid, name AS uname, avatar FROM users;`);
    expect(problems).toEqual([]);
    expect(catalog.relation('v1')!.columns.map((c) => c.name)).toEqual(['uid', 'uname', 'avatar']);
    expect(catalog.createdBy('v1')!.statement).toBe(2);
    expect(catalog.dependentViews('users', { transitive: true }).map((r) => r.key)).toEqual(['public.v1', 'public.v2']);
    const restrict = replay(`DROP VIEW v1;`, catalog.clone());
    expect(restrict.problems).toEqual(['dependent-objects: view public.v2 depends on public.v1; DROP needs CASCADE']);
    replay(`DROP TABLE users CASCADE;`, catalog);
    expect(catalog.relation('v1')).toBeUndefined();
    expect(catalog.relation('v2')).toBeUndefined();
  });

  it('reports column changes PostgreSQL refuses while a view uses the column', () => {
    const { catalog, problems } = replay(`${BASE}
      CREATE VIEW names AS SELECT name FROM users;
      CREATE VIEW everything AS SELECT * FROM templates;
      ALTER TABLE users ALTER COLUMN name TYPE varchar(50);
      ALTER TABLE users ALTER COLUMN avatar TYPE varchar(50);
      ALTER TABLE templates DROP COLUMN name;`);
    expect(problems).toEqual([
      'dependent-objects: view public.names uses column name of public.users; ALTER COLUMN TYPE fails while it exists',
      'dependent-objects: view public.everything uses column name of public.templates; DROP COLUMN needs CASCADE',
    ]);
    replay(`ALTER TABLE users DROP COLUMN name CASCADE;`, catalog);
    expect(catalog.relation('names')).toBeUndefined();
    expect(catalog.relation('everything')).toBeDefined();
  });

  it('resolves which table a view column comes from before reporting', () => {
    const { problems } = replay(`${BASE}
      CREATE VIEW t_names AS SELECT t.*, u.avatar FROM templates t JOIN users u ON u.id = t.created_by;
      CREATE VIEW nested AS SELECT s.name FROM (SELECT name FROM templates) s, users WHERE users.avatar IS NULL;
      CREATE VIEW via_cte AS WITH c AS (SELECT name AS n FROM users) SELECT n FROM c;
      ALTER TABLE users ALTER COLUMN name TYPE varchar(50);`);
    expect(problems).toEqual([
      'dependent-objects: view public.via_cte uses column name of public.users; ALTER COLUMN TYPE fails while it exists',
    ]);
  });

  it('creates materialized views and CREATE TABLE AS tables', () => {
    const { catalog } = replay(`${BASE}
      CREATE MATERIALIZED VIEW IF NOT EXISTS stats AS SELECT created_by, count(*) AS n FROM templates GROUP BY 1 WITH NO DATA;
      CREATE UNIQUE INDEX stats_created_by ON stats (created_by);
      CREATE TABLE archived AS SELECT id, name, true AS flag, NULL::timestamptz AS at FROM users UNION ALL SELECT id, name, false, now() FROM users;`);
    expect(catalog.relation('stats')).toMatchObject({ kind: 'materialized-view', dependsOn: ['public.templates'] });
    expect(catalog.indexesOf('stats').map((i) => i.name)).toEqual(['stats_created_by']);
    const archived = catalog.relation('archived')!;
    expect(archived.kind).toBe('table');
    expect(archived.dependsOn).toEqual([]);
    expect(archived.columns.map((c) => [c.name, formatColumnType(c.type)])).toEqual([
      ['id', 'uuid'],
      ['name', 'text'],
      ['flag', 'bool'],
      ['at', 'timestamptz'],
    ]);
  });
});

describe('enum, composite and range types', () => {
  it('creates enums and adds / renames values in position', () => {
    const { catalog, problems } = replay(`
      CREATE TYPE login_type AS ENUM ('password', 'github');
      ALTER TYPE login_type ADD VALUE 'oidc';
      ALTER TYPE login_type ADD VALUE IF NOT EXISTS 'oidc';
      ALTER TYPE login_type ADD VALUE 'none' BEFORE 'password';
      ALTER TYPE login_type ADD VALUE 'token' AFTER 'password';
      ALTER TYPE login_type RENAME VALUE 'github' TO 'gh';`);
    expect(problems).toEqual([]);
    expect(catalog.enum('login_type')!.values).toEqual(['none', 'password', 'token', 'gh', 'oidc']);
    expect(catalog.enum('public.login_type')!.key).toBe('public.login_type');
  });

  it('resolves columns of user types and follows type renames', () => {
    const { catalog } = replay(`
      CREATE TYPE status AS ENUM ('a', 'b');
      CREATE TABLE jobs (s status NOT NULL, hist status[]);
      ALTER TYPE status RENAME TO job_status;`);
    expect(catalog.column('jobs', 's')!.type).toEqual({ schema: 'public', name: 'job_status', typmods: [], arrayDimensions: 0 });
    expect(formatColumnType(catalog.column('jobs', 'hist')!.type)).toBe('public.job_status[]');
    expect(catalog.enum(catalog.column('jobs', 's')!.type)!.values).toEqual(['a', 'b']);
    expect(catalog.type('status')).toBeUndefined();
  });

  it('drops a type, and with CASCADE the columns that use it', () => {
    const { catalog, problems } = replay(`
      CREATE TYPE status AS ENUM ('a');
      CREATE TABLE jobs (id int, s status);
      DROP TYPE status;`);
    expect(problems).toEqual(['dependent-objects: public.jobs.s uses type public.status; DROP TYPE needs CASCADE']);
    replay(`CREATE TYPE s2 AS ENUM ('x'); ALTER TABLE jobs ADD COLUMN t s2; DROP TYPE IF EXISTS s2, nope CASCADE;`, catalog);
    expect(catalog.relation('jobs')!.columns.map((c) => c.name)).toEqual(['id', 's']);
  });

  it('records composite types and their attributes, and ranges', () => {
    const { catalog } = replay(`
      CREATE TYPE pair AS (a int, b text);
      ALTER TYPE pair ADD ATTRIBUTE c date, DROP ATTRIBUTE a;
      ALTER TYPE pair RENAME ATTRIBUTE b TO label;
      CREATE TYPE floatrange AS RANGE (subtype = float8);`);
    const pair = catalog.type('pair');
    expect(pair?.kind === 'composite' && pair.attributes.map((a) => [a.name, formatColumnType(a.type)])).toEqual([
      ['label', 'text'],
      ['c', 'date'],
    ]);
    const range = catalog.type('floatrange');
    expect(range?.kind === 'range' && formatColumnType(range.subtype!)).toBe('float8');
  });
});

describe('domains', () => {
  it('records base type, NOT NULL, default and constraints, and ALTER DOMAIN changes', () => {
    const { catalog, problems } = replay(`
      CREATE DOMAIN email AS varchar(320) NOT NULL DEFAULT '' CHECK (VALUE <> '') CONSTRAINT has_at CHECK (position('@' in VALUE) > 0);
      ALTER DOMAIN email ADD CONSTRAINT short CHECK (length(VALUE) < 100) NOT VALID;
      CREATE TABLE people (e email);`);
    expect(problems).toEqual([]);
    const d = catalog.domain('email')!;
    expect(formatColumnType(d.baseType)).toBe('varchar(320)');
    expect(d.notNull).toBe(true);
    expect(d.default).toBeDefined();
    expect(d.constraints.map((c) => [c.name, c.valid])).toEqual([
      ['email_check', true],
      ['has_at', true],
      ['short', false],
    ]);
    // The column's type names the domain, so rules can look the domain's constraints up.
    expect(catalog.domain(catalog.column('people', 'e')!.type)!.key).toBe('public.email');
    replay(`
      ALTER DOMAIN email VALIDATE CONSTRAINT short;
      ALTER DOMAIN email DROP CONSTRAINT has_at;
      ALTER DOMAIN email RENAME CONSTRAINT short TO shortish;
      ALTER DOMAIN email DROP NOT NULL;
      ALTER DOMAIN email DROP DEFAULT;`, catalog);
    const after = catalog.domain('email')!;
    expect(after.constraints.map((c) => [c.name, c.valid])).toEqual([
      ['email_check', true],
      ['shortish', true],
    ]);
    expect(after.notNull).toBe(false);
    expect(after.default).toBeUndefined();
  });
});

describe('sequences', () => {
  it('creates sequences with type and owner, and changes the owner', () => {
    const { catalog, problems } = replay(`
      CREATE TABLE t (id int);
      CREATE SEQUENCE IF NOT EXISTS t_seq AS integer START 10 OWNED BY t.id;
      CREATE SEQUENCE other;`);
    expect(problems).toEqual([]);
    expect(catalog.relation('t_seq')!.sequence).toMatchObject({ ownedBy: { table: 'public.t', column: 'id' } });
    expect(formatColumnType(catalog.relation('t_seq')!.sequence!.dataType)).toBe('int4');
    expect(formatColumnType(catalog.relation('other')!.sequence!.dataType)).toBe('int8');
    replay(`ALTER SEQUENCE t_seq OWNED BY NONE; ALTER SEQUENCE other AS smallint OWNED BY t.id;`, catalog);
    expect(catalog.relation('t_seq')!.sequence!.ownedBy).toBeUndefined();
    expect(catalog.ownedSequences('t').map((s) => s.key)).toEqual(['public.other']);
    replay(`DROP TABLE t;`, catalog);
    expect(catalog.relation('other')).toBeUndefined();
    expect(catalog.relation('t_seq')).toBeDefined();
  });
});

describe('functions', () => {
  it('records name, arguments, volatility and language, with PostgreSQL defaults', () => {
    const { catalog, problems } = replay(`
      CREATE FUNCTION gen_id() RETURNS uuid LANGUAGE sql AS $$ SELECT gen_random_uuid() $$;
      CREATE OR REPLACE FUNCTION app_now(tz text DEFAULT 'UTC', OUT ts timestamptz) STABLE STRICT LANGUAGE plpgsql AS $$ BEGIN ts := now(); END $$;
      CREATE FUNCTION twice(a int) RETURNS int IMMUTABLE PARALLEL SAFE RETURN a * 2;
      CREATE FUNCTION twice(a bigint) RETURNS bigint IMMUTABLE RETURN a * 2;
      CREATE PROCEDURE cleanup() LANGUAGE sql AS 'DELETE FROM t';`);
    expect(problems).toEqual([]);
    expect(catalog.function('gen_id')).toMatchObject({ volatility: 'volatile', language: 'sql', strict: false, kind: 'function' });
    const now = catalog.function('app_now')!;
    expect(now).toMatchObject({ volatility: 'stable', strict: true, language: 'plpgsql', signature: 'public.app_now(text)' });
    expect(now.parameters.map((p) => [p.name, p.mode, p.hasDefault])).toEqual([
      ['tz', 'in', true],
      ['ts', 'out', false],
    ]);
    expect(catalog.functions('twice').map((f) => f.signature)).toEqual([
      'public.twice(int4)',
      'public.twice(int8)',
    ]);
    expect(catalog.function('twice')).toBeUndefined();
    expect(catalog.function('twice', ['int8'])).toMatchObject({ language: 'sql', volatility: 'immutable' });
    expect(catalog.function('twice', ['int4'])!.parallel).toBe('safe');
    expect(catalog.function('cleanup')!.kind).toBe('procedure');
  });

  it('replaces, alters, renames, moves and drops functions', () => {
    const { catalog, problems } = replay(`
      CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a';
      CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql STABLE AS 'SELECT a + 1';
      ALTER FUNCTION f(int) VOLATILE;`);
    expect(problems).toEqual([]);
    expect(catalog.functions('f')).toHaveLength(1);
    expect(catalog.function('f')!.volatility).toBe('volatile');
    expect(catalog.function('f')!.createdBy!.statement).toBe(0);
    replay(`CREATE SCHEMA util; ALTER FUNCTION f(int) RENAME TO g; ALTER FUNCTION g SET SCHEMA util;`, catalog);
    expect(catalog.function('f')).toBeUndefined();
    expect(catalog.function('util.g')!.signature).toBe('util.g(int4)');
    const dropped = replay(`DROP FUNCTION util.g(int); DROP FUNCTION IF EXISTS nope; DROP FUNCTION nope2();`, catalog);
    expect(catalog.functions('util.g')).toEqual([]);
    expect(dropped.problems).toEqual(['unknown-function: function nope2 is not created by any earlier statement']);
  });
});

describe('schemas and extensions', () => {
  it('creates schemas with elements in them, renames and drops them', () => {
    const { catalog, problems } = replay(`
      CREATE SCHEMA IF NOT EXISTS audit;
      CREATE SCHEMA billing CREATE TABLE invoices (id int PRIMARY KEY) CREATE VIEW open_invoices AS SELECT id FROM invoices;
      CREATE TYPE billing.state AS ENUM ('open');
      ALTER SCHEMA billing RENAME TO money;`);
    expect(problems).toEqual([]);
    expect(catalog.schema('audit')!.createdBy!.statement).toBe(0);
    expect(catalog.relation('money.invoices')).toBeDefined();
    expect(catalog.relation('money.open_invoices')!.dependsOn).toEqual(['money.invoices']);
    expect(catalog.index('money.invoices_pkey')!.table).toBe('money.invoices');
    expect(catalog.enum('money.state')).toBeDefined();
    expect(catalog.relation('billing.invoices')).toBeUndefined();
    replay(`DROP SCHEMA money CASCADE;`, catalog);
    expect(catalog.relations()).toEqual([]);
    expect(catalog.types()).toEqual([]);
  });

  it('records extensions by name and schema', () => {
    const { catalog } = replay(`
      CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
      CREATE EXTENSION pg_trgm;
      DROP EXTENSION pg_trgm;`);
    expect(catalog.extension('uuid-ossp')).toMatchObject({ name: 'uuid-ossp', schema: 'extensions' });
    expect(catalog.extension('pg_trgm')).toBeUndefined();
  });
});

describe('statements the catalog does not model', () => {
  it('ignores DML, GRANT, COMMENT, DO and friends without touching anything', () => {
    const { catalog, problems, outcome } = replay(`
      CREATE TABLE t (a int);
      INSERT INTO t VALUES (1);
      UPDATE t SET a = 2;
      GRANT SELECT ON t TO PUBLIC;
      COMMENT ON TABLE t IS 'x';
      DO $$ BEGIN PERFORM 1; END $$;
      CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
      VACUUM t;
      ANALYZE t;`);
    expect(problems).toEqual([]);
    expect(outcome.results.slice(1).every((r) => r.touched.length === 0)).toBe(true);
    expect(catalog.relation('t')!.columns.map((c) => c.name)).toEqual(['a']);
  });

  it('never throws on malformed input', () => {
    const catalog = new Catalog();
    const origin = { statement: 0, textHash: 'h' };
    expect(catalog.apply({} as never, origin)).toEqual({ touched: [], problems: [] });
    expect(catalog.apply({ CreateStmt: {} } as never, origin).problems).toEqual([]);
    expect(catalog.apply({ AlterTableStmt: { cmds: [{ AlterTableCmd: { subtype: 'AT_AddColumn' } }] } } as never, origin).problems).toEqual([]);
    expect(catalog.apply({ NotAStatement: 1 } as never, origin).touched).toEqual([]);
  });
});
