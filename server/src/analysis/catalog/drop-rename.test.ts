import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../parse/parser';
import { Catalog } from './catalog';
import { problemsOf, replaySql } from './testing';

beforeAll(async () => {
  await initParser();
});

function replay(sql: string, catalog = new Catalog()) {
  const outcome = replaySql(catalog, sql, 'f.sql');
  return { catalog, problems: problemsOf(outcome), outcome };
}

const SCHEMA = `
  CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE);
  CREATE TABLE posts (id int PRIMARY KEY, author int REFERENCES users (id), body text);
  CREATE INDEX posts_author_idx ON posts (author);
  CREATE VIEW user_posts AS SELECT u.email, p.body FROM users u JOIN posts p ON p.author = u.id;`;

describe('DROP TABLE / VIEW / SEQUENCE', () => {
  it('drops a table with its indexes, owned sequences, dependent views and referencing FKs (CASCADE)', () => {
    const { catalog, problems } = replay(`${SCHEMA} DROP TABLE users CASCADE;`);
    expect(problems).toEqual([]);
    expect(catalog.relation('users')).toBeUndefined();
    expect(catalog.index('users_pkey')).toBeUndefined();
    expect(catalog.index('users_email_key')).toBeUndefined();
    expect(catalog.relation('users_id_seq')).toBeUndefined();
    expect(catalog.relation('user_posts')).toBeUndefined();
    expect(catalog.constraintsOf('posts').map((c) => c.name)).toEqual(['posts_pkey']);
    expect(catalog.indexesOf('posts').map((i) => i.name)).toEqual(['posts_pkey', 'posts_author_idx']);
  });

  it('reports what a DROP without CASCADE would trip over', () => {
    const { problems } = replay(`${SCHEMA} DROP TABLE users;`);
    expect(problems).toEqual([
      'dependent-objects: view public.user_posts depends on public.users; DROP needs CASCADE',
      'dependent-objects: public.posts.posts_author_fkey references public.users; DROP needs CASCADE',
    ]);
  });

  it('drops several objects, honours IF EXISTS and the object kind', () => {
    const { catalog, problems } = replay(`${SCHEMA}
      DROP VIEW IF EXISTS user_posts, nope;
      DROP TABLE nope;
      DROP VIEW posts;
      DROP SEQUENCE IF EXISTS users_id_seq;`);
    expect(problems).toEqual([
      'unknown-relation: nope is not created by any earlier statement',
      'unknown-relation: public.posts is a table, not what DROP names',
    ]);
    expect(catalog.relation('user_posts')).toBeUndefined();
    expect(catalog.relation('posts')).toBeDefined();
    expect(catalog.relation('users_id_seq')).toBeUndefined();
  });

  it('drops a partitioned table with its partitions', () => {
    const { catalog } = replay(`
      CREATE TABLE m (id int) PARTITION BY LIST (id);
      CREATE TABLE m1 PARTITION OF m FOR VALUES IN (1);
      DROP TABLE m;`);
    expect(catalog.relations()).toEqual([]);
  });

  it('drops a single partition and updates the parent', () => {
    const { catalog } = replay(`
      CREATE TABLE m (id int) PARTITION BY LIST (id);
      CREATE TABLE m1 PARTITION OF m FOR VALUES IN (1);
      CREATE TABLE m2 PARTITION OF m FOR VALUES IN (2);
      DROP TABLE m1;`);
    expect(catalog.partitionsOf('m').map((p) => p.key)).toEqual(['public.m2']);
  });
});

describe('RENAME and SET SCHEMA', () => {
  it('renames a table and updates every reference to it', () => {
    const { catalog, problems } = replay(`${SCHEMA} ALTER TABLE users RENAME TO accounts;`);
    expect(problems).toEqual([]);
    expect(catalog.relation('users')).toBeUndefined();
    const accounts = catalog.relation('accounts')!;
    // Constraint and index names stay as they were, as in PostgreSQL.
    expect(accounts.indexes.map((i) => [i.name, i.table])).toEqual([
      ['users_pkey', 'public.accounts'],
      ['users_email_key', 'public.accounts'],
    ]);
    expect(catalog.constraint('posts', 'posts_author_fkey')!.references!.table).toBe('public.accounts');
    expect(catalog.relation('user_posts')!.dependsOn).toEqual(['public.accounts', 'public.posts']);
    expect(catalog.relation('users_id_seq')!.sequence!.ownedBy!.table).toBe('public.accounts');
    expect(catalog.index('users_pkey')!.table).toBe('public.accounts');
    expect(catalog.createdBy('accounts')!.statement).toBe(0);
  });

  it('moves a table to another schema with its indexes and owned sequences', () => {
    const { catalog, problems } = replay(`${SCHEMA} CREATE SCHEMA app; ALTER TABLE users SET SCHEMA app;`);
    expect(problems).toEqual([]);
    expect(catalog.relation('app.users')!.indexes.map((i) => i.key)).toEqual(['app.users_pkey', 'app.users_email_key']);
    expect(catalog.index('app.users_pkey')).toBeDefined();
    expect(catalog.index('public.users_pkey')).toBeUndefined();
    expect(catalog.relation('app.users_id_seq')).toBeDefined();
    expect(catalog.constraint('app.users', 'users_pkey')!.index).toBe('app.users_pkey');
    expect(catalog.constraint('posts', 'posts_author_fkey')!.references!.table).toBe('app.users');
  });

  it('renames views, sequences and materialized views, and refuses a taken name', () => {
    const { catalog, problems } = replay(`${SCHEMA}
      CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one;
      ALTER VIEW user_posts RENAME TO up;
      ALTER SEQUENCE users_id_seq RENAME TO uid_seq;
      ALTER MATERIALIZED VIEW mv RENAME TO mv2;
      ALTER TABLE posts RENAME TO users;
      ALTER VIEW up RENAME COLUMN body TO text;`);
    expect(problems).toEqual(['duplicate-object: relation public.users already exists']);
    expect(catalog.relation('up')!.columns.map((c) => c.name)).toEqual(['email', 'text']);
    expect(catalog.relation('uid_seq')!.kind).toBe('sequence');
    expect(catalog.relation('mv2')!.kind).toBe('materialized-view');
    expect(catalog.relation('posts')).toBeDefined();
  });

  it('renames columns of partitioned tables in every partition', () => {
    const { catalog } = replay(`
      CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
      CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      ALTER TABLE m RENAME COLUMN at TO day;`);
    expect(catalog.relation('m')!.partitionKey!.parts).toEqual([{ column: 'day' }]);
    expect(catalog.relation('m1')!.columns.map((c) => c.name)).toEqual(['id', 'day']);
  });
});
