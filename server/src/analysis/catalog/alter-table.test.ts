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

const BASE = `
  CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);
  CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(10,2));`;

describe('ALTER TABLE columns', () => {
  it('adds columns with defaults, NOT NULL, inline constraints and IF NOT EXISTS', () => {
    const { catalog, problems } = replay(`${BASE}
      ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE users ADD COLUMN org_id bigint REFERENCES orders (id) ON DELETE SET NULL;
      ALTER TABLE users ADD COLUMN handle text UNIQUE CHECK (handle <> '');
      ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;
      ALTER TABLE users ADD COLUMN seq serial;`);
    expect(problems).toEqual([]);
    const created = catalog.column('users', 'created_at')!;
    expect(created).toMatchObject({ notNull: true, inherited: false });
    expect(created.default).toHaveProperty('FuncCall');
    expect(created.createdBy).toMatchObject({ statement: 2 });
    expect(catalog.relation('users')!.columns.map((c) => c.name)).toEqual([
      'id', 'email', 'name', 'created_at', 'org_id', 'handle', 'seq',
    ]);
    expect(catalog.constraintsOf('users').map((c) => [c.name, c.kind, c.valid])).toEqual([
      ['users_pkey', 'primary-key', true],
      ['users_org_id_fkey', 'foreign-key', true],
      ['users_handle_key', 'unique', true],
      ['users_handle_check', 'check', true],
    ]);
    expect(catalog.relation('users_seq_seq')!.sequence!.ownedBy).toEqual({ table: 'public.users', column: 'seq' });
  });

  it('reports adding a column that exists without IF NOT EXISTS', () => {
    const { problems } = replay(`${BASE} ALTER TABLE users ADD COLUMN email text;`);
    expect(problems).toEqual(['duplicate-object: column email of public.users already exists']);
  });

  it('sets and drops defaults and NOT NULL', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x', ALTER COLUMN email SET NOT NULL;`);
    expect(catalog.column('users', 'email')).toMatchObject({ notNull: true });
    expect(catalog.column('users', 'email')!.default).toBeDefined();
    replay(`ALTER TABLE users ALTER COLUMN email DROP DEFAULT, ALTER email DROP NOT NULL;`, catalog);
    expect(catalog.column('users', 'email')!.default).toBeUndefined();
    expect(catalog.column('users', 'email')!.notNull).toBe(false);
  });

  it('changes a column type with its typmods', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 4);
      ALTER TABLE users ALTER COLUMN name SET DATA TYPE varchar(100) USING left(name, 100);`);
    expect(formatColumnType(catalog.column('orders', 'total')!.type)).toBe('numeric(12,4)');
    expect(formatColumnType(catalog.column('users', 'name')!.type)).toBe('varchar(100)');
  });

  it('drops a column with the indexes and constraints that use it', () => {
    const { catalog, problems } = replay(`${BASE}
      ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
      CREATE INDEX orders_user_idx ON orders (user_id);
      CREATE INDEX orders_expr_idx ON orders (lower(user_id::text));
      CREATE INDEX orders_total_idx ON orders (total) WHERE user_id IS NOT NULL;
      ALTER TABLE orders DROP COLUMN user_id;`);
    expect(problems).toEqual([]);
    expect(catalog.column('orders', 'user_id')).toBeUndefined();
    expect(catalog.indexesOf('orders').map((i) => i.name)).toEqual(['orders_pkey']);
    expect(catalog.constraintsOf('orders').map((c) => c.name)).toEqual(['orders_pkey']);
    expect(catalog.index('orders_user_idx')).toBeUndefined();
  });

  it('drops foreign keys elsewhere that reference a dropped column (and says CASCADE was needed)', () => {
    const { catalog, problems } = replay(`${BASE}
      ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
      ALTER TABLE users DROP COLUMN id CASCADE;`);
    expect(problems).toEqual([]);
    expect(catalog.constraintsOf('orders').map((c) => c.name)).toEqual(['orders_pkey']);
    const restrict = replay(`${BASE}
      ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
      ALTER TABLE users DROP COLUMN id;`);
    expect(restrict.problems).toEqual([
      'dependent-objects: column id of public.users is referenced by orders_user_fk on public.orders; DROP COLUMN needs CASCADE',
    ]);
  });

  it('renames columns everywhere the name is used', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
      ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);
      CREATE INDEX orders_total_idx ON orders (total, (total * 2)) WHERE total > 10;
      ALTER TABLE orders RENAME COLUMN total TO amount;
      ALTER TABLE users RENAME id TO user_id;`);
    expect(catalog.relation('orders')!.columns.map((c) => c.name)).toEqual(['id', 'user_id', 'amount']);
    expect(catalog.constraint('orders', 'total_positive')!.columns).toEqual(['amount']);
    expect(JSON.stringify(catalog.constraint('orders', 'total_positive')!.expression)).toContain('"amount"');
    const idx = catalog.index('orders_total_idx')!;
    expect(idx.columns[0]!.column).toBe('amount');
    expect(JSON.stringify(idx.columns[1]!.expression)).toContain('"amount"');
    expect(JSON.stringify(idx.predicate)).not.toContain('"total"');
    expect(catalog.constraint('users', 'users_pkey')!.columns).toEqual(['user_id']);
    expect(catalog.constraint('orders', 'orders_user_fk')!.references!.columns).toEqual(['user_id']);
  });

  it('manages identity and generated columns', () => {
    const { catalog } = replay(`
      CREATE TABLE t (id int NOT NULL, a int, b int GENERATED ALWAYS AS (a * 2) STORED);
      ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;`);
    expect(catalog.column('t', 'id')!.identity).toBe('by-default');
    expect(catalog.relation('t_id_seq')!.sequence!.identity).toBe(true);
    replay(`ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS;`, catalog);
    expect(catalog.column('t', 'id')!.identity).toBe('always');
    replay(`ALTER TABLE t ALTER COLUMN b SET EXPRESSION AS (a * 3);`, catalog);
    expect(JSON.stringify(catalog.column('t', 'b')!.generated!.expression)).toContain('"ival":3');
    replay(`ALTER TABLE t ALTER COLUMN b DROP EXPRESSION; ALTER TABLE t ALTER COLUMN id DROP IDENTITY;`, catalog);
    expect(catalog.column('t', 'b')!.generated).toBeUndefined();
    expect(catalog.column('t', 'id')!.identity).toBeUndefined();
    expect(catalog.relation('t_id_seq')).toBeUndefined();
  });

  it('records persistence, replica identity and row security', () => {
    const { catalog } = replay(`${BASE}
      CREATE UNIQUE INDEX users_email_key ON users (email);
      ALTER TABLE users SET UNLOGGED;
      ALTER TABLE users REPLICA IDENTITY USING INDEX users_email_key;
      ALTER TABLE users ENABLE ROW LEVEL SECURITY;
      ALTER TABLE orders REPLICA IDENTITY FULL;`);
    expect(catalog.relation('users')).toMatchObject({
      persistence: 'unlogged',
      replicaIdentity: { index: 'public.users_email_key' },
      rowSecurity: true,
    });
    expect(catalog.relation('orders')!.replicaIdentity).toBe('full');
  });
});

describe('ALTER TABLE constraints', () => {
  it('adds NOT VALID constraints and validates them', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
      ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;`);
    expect(catalog.constraint('orders', 'orders_user_fk')!.valid).toBe(false);
    expect(catalog.constraint('orders', 'total_positive')!.valid).toBe(false);
    const { outcome } = replay(`ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;`, catalog);
    expect(catalog.constraint('orders', 'orders_user_fk')!.valid).toBe(true);
    expect(catalog.constraint('orders', 'total_positive')!.valid).toBe(false);
    expect(outcome.results[0]!.touched).toEqual(['public.orders']);
  });

  it('adds a primary key or unique constraint USING INDEX, renaming the index', () => {
    const { catalog, problems } = replay(`
      CREATE TABLE t (a int, b int);
      CREATE UNIQUE INDEX CONCURRENTLY t_a_idx ON t (a);
      CREATE UNIQUE INDEX t_b_idx ON t (b);
      ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a_idx;
      ALTER TABLE t ADD UNIQUE USING INDEX t_b_idx;`);
    expect(problems).toEqual([]);
    expect(catalog.index('t_a_idx')).toBeUndefined();
    expect(catalog.index('t_pkey')).toMatchObject({ primary: true, constraint: 't_pkey', concurrently: true });
    expect(catalog.constraint('t', 't_pkey')).toMatchObject({ kind: 'primary-key', columns: ['a'], index: 'public.t_pkey' });
    expect(catalog.column('t', 'a')!.notNull).toBe(true);
    expect(catalog.constraint('t', 't_b_idx')).toMatchObject({ kind: 'unique', index: 'public.t_b_idx' });
  });

  it('drops constraints with their index, and reports unknown ones', () => {
    const { catalog, problems } = replay(`${BASE}
      ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
      ALTER TABLE users DROP CONSTRAINT users_email_key;
      ALTER TABLE users DROP CONSTRAINT IF EXISTS nope;
      ALTER TABLE users DROP CONSTRAINT nope;`);
    expect(catalog.constraint('users', 'users_email_key')).toBeUndefined();
    expect(catalog.index('users_email_key')).toBeUndefined();
    expect(problems).toEqual(['unknown-constraint: constraint nope of public.users does not exist']);
  });

  it('renames constraints and the index behind them', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE users RENAME CONSTRAINT users_pkey TO users_pk;
      ALTER TABLE users ADD CONSTRAINT c CHECK (id > 0);
      ALTER TABLE users RENAME CONSTRAINT c TO id_positive;`);
    expect(catalog.constraint('users', 'users_pk')).toMatchObject({ index: 'public.users_pk' });
    expect(catalog.index('users_pk')!.constraint).toBe('users_pk');
    expect(catalog.index('users_pkey')).toBeUndefined();
    expect(catalog.constraint('users', 'id_positive')!.kind).toBe('check');
  });

  it('alters deferrability', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users;
      ALTER TABLE orders ALTER CONSTRAINT fk DEFERRABLE INITIALLY DEFERRED;`);
    expect(catalog.constraint('orders', 'fk')).toMatchObject({ deferrable: true, initiallyDeferred: true });
  });

  it('tracks PostgreSQL 18 NOT NULL NOT VALID constraints until validated', () => {
    const { catalog } = replay(`${BASE}
      ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email NOT VALID;`);
    expect(catalog.column('users', 'email')!.notNull).toBe(false);
    expect(catalog.constraint('users', 'email_nn')).toMatchObject({ kind: 'not-null', valid: false, columns: ['email'] });
    replay(`ALTER TABLE users VALIDATE CONSTRAINT email_nn;`, catalog);
    expect(catalog.column('users', 'email')!.notNull).toBe(true);
  });

  it('gives ALTER TABLE on an unknown table a partial placeholder', () => {
    const { catalog, problems } = replay(`
      ALTER TABLE legacy ADD COLUMN note text;
      ALTER TABLE IF EXISTS ghost ADD COLUMN x int;`);
    expect(problems).toEqual(['unknown-relation: public.legacy is not created by any earlier statement; its columns are unknown']);
    expect(catalog.relation('legacy')!.partial).toBe(true);
    expect(catalog.createdBy('legacy')).toBeUndefined();
    expect(catalog.column('legacy', 'note')).toBeDefined();
    expect(catalog.relation('ghost')).toBeUndefined();
  });
});

describe('ALTER TABLE on partitioned and inherited tables', () => {
  const TREE = `
    CREATE TABLE m (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;

  it('recurses column changes and CHECK / FK constraints into partitions unless ONLY', () => {
    const { catalog } = replay(`${TREE}
      CREATE TABLE r (id int PRIMARY KEY);
      ALTER TABLE m ADD COLUMN note text DEFAULT 'n';
      ALTER TABLE m ADD CONSTRAINT id_pos CHECK (id > 0);
      ALTER TABLE m ADD CONSTRAINT m_r_fk FOREIGN KEY (id) REFERENCES r (id);
      ALTER TABLE ONLY m ALTER COLUMN note SET DEFAULT 'only-parent';`);
    expect(catalog.column('m1', 'note')).toMatchObject({ inherited: true });
    expect(JSON.stringify(catalog.column('m1', 'note')!.default)).toContain('"n"');
    expect(JSON.stringify(catalog.column('m', 'note')!.default)).toContain('only-parent');
    expect(catalog.constraintsOf('m1').map((c) => [c.name, c.inherited])).toEqual([
      ['id_pos', true],
      ['m_r_fk', true],
    ]);
  });

  it('builds partition indexes for a primary key added to the parent', () => {
    const { catalog } = replay(`${TREE} ALTER TABLE m ADD PRIMARY KEY (id, at);`);
    expect(catalog.index('m1_pkey')).toMatchObject({ parent: 'public.m_pkey', primary: true });
    expect(catalog.constraint('m1', 'm1_pkey')!.kind).toBe('primary-key');
  });

  it('attaches and detaches partitions, cloning indexes and foreign keys', () => {
    const { catalog, problems } = replay(`${TREE}
      CREATE TABLE r (id int PRIMARY KEY);
      ALTER TABLE m ADD CONSTRAINT m_r_fk FOREIGN KEY (id) REFERENCES r (id);
      CREATE INDEX m_at_idx ON m (at);
      CREATE TABLE m2 (id int NOT NULL, at date NOT NULL);
      CREATE INDEX m2_existing ON m2 (at);
      ALTER TABLE m ATTACH PARTITION m2 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`);
    expect(problems).toEqual([]);
    expect(catalog.partitionsOf('m').map((p) => p.key)).toEqual(['public.m1', 'public.m2']);
    expect(catalog.relation('m2')!.partitionBound).toBeDefined();
    // The matching index is reused rather than duplicated.
    expect(catalog.indexesOf('m2').map((i) => [i.name, i.parent])).toEqual([['m2_existing', 'public.m_at_idx']]);
    expect(catalog.constraint('m2', 'm_r_fk')).toMatchObject({ inherited: true });
    replay(`ALTER TABLE m DETACH PARTITION m2 CONCURRENTLY;`, catalog);
    expect(catalog.partitionsOf('m').map((p) => p.key)).toEqual(['public.m1']);
    expect(catalog.parentOf('m2')).toBeUndefined();
    expect(catalog.index('m2_existing')!.parent).toBeUndefined();
  });

  it('adds and removes inheritance parents', () => {
    const { catalog } = replay(`
      CREATE TABLE p (a int, CHECK (a > 0));
      CREATE TABLE c (a int, b int, CONSTRAINT p_a_check CHECK (a > 0));
      ALTER TABLE c INHERIT p;`);
    expect(catalog.relation('c')!.inherits).toEqual(['public.p']);
    expect(catalog.constraint('c', 'p_a_check')!.inherited).toBe(true);
    expect(catalog.inheritorsOf('p').map((r) => r.key)).toEqual(['public.c']);

    // PostgreSQL refuses INHERIT when the child lacks the parent's CHECK constraints.
    const missing = replay(`CREATE TABLE c2 (a int); ALTER TABLE c2 INHERIT p;`, catalog);
    expect(missing.problems).toEqual(['unknown-constraint: public.c2 is missing constraint p_a_check that public.p requires of children']);
    replay(`ALTER TABLE c NO INHERIT p;`, catalog);
    expect(catalog.relation('c')!.inherits).toEqual([]);
    expect(catalog.inheritorsOf('p').map((r) => r.key)).toEqual(['public.c2']);
  });
});
