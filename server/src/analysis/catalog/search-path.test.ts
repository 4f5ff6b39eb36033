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

describe('search_path', () => {
  it('defaults to public', () => {
    const { catalog } = replay(`CREATE TABLE t (a int);`);
    expect(catalog.searchPath).toEqual(['public']);
    expect(catalog.relation('t')!.key).toBe('public.t');
  });

  it('creates unqualified objects in the first schema of the path and resolves names along it', () => {
    const { catalog, problems } = replay(`
      CREATE SCHEMA app;
      CREATE TABLE shared (id int);
      SET search_path TO app, public;
      CREATE TABLE users (id int PRIMARY KEY);
      CREATE TYPE mood AS ENUM ('ok');
      CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
      ALTER TABLE shared ADD COLUMN user_id int REFERENCES users (id);
      CREATE TABLE feelings (m mood);`);
    expect(problems).toEqual([]);
    expect(catalog.searchPath).toEqual(['app', 'public']);
    expect(catalog.relation('users')!.key).toBe('app.users');
    expect(catalog.relation('app.users_pkey')).toBeUndefined();
    expect(catalog.index('users_pkey')!.key).toBe('app.users_pkey');
    expect(catalog.column('shared', 'user_id')).toBeDefined();
    expect(catalog.relation('shared')!.key).toBe('public.shared');
    expect(catalog.constraint('shared', 'shared_user_id_fkey')!.references!.table).toBe('app.users');
    expect(catalog.enum('mood')!.key).toBe('app.mood');
    expect(catalog.column('feelings', 'm')!.type.schema).toBe('app');
    expect(catalog.function('app.f')).toBeDefined();
  });

  it('keeps quoted names case-sensitive and treats SET search_path = \'\' as empty', () => {
    const { catalog } = replay(`
      SET search_path = "App", public;
      CREATE TABLE t (a int);
      SET search_path = '';`);
    expect(catalog.relation('"App".t')).toBeDefined();
    expect(catalog.searchPath).toEqual([]);
  });

  it('reads pg_dump-style set_config and SET SCHEMA', () => {
    const { catalog } = replay(`
      SELECT pg_catalog.set_config('search_path', 'Data, "Mixed"', false);`);
    expect(catalog.searchPath).toEqual(['data', 'Mixed']);
    replay(`SET SCHEMA 'audit';`, catalog);
    expect(catalog.searchPath).toEqual(['audit']);
    replay(`RESET search_path;`, catalog);
    expect(catalog.searchPath).toEqual(['public']);
    replay(`SET search_path TO a; SET search_path TO DEFAULT;`, catalog);
    expect(catalog.searchPath).toEqual(['public']);
  });

  it('scopes SET LOCAL to the transaction', () => {
    const { catalog } = replay(`
      BEGIN;
      SET LOCAL search_path TO tx;
      CREATE TABLE inside (a int);
      COMMIT;
      CREATE TABLE outside (a int);`);
    expect(catalog.relation('tx.inside')).toBeDefined();
    expect(catalog.relation('public.outside')).toBeDefined();
    replay(`SELECT set_config('search_path', 'loc', true);`, catalog);
    expect(catalog.searchPath).toEqual(['loc']);
    catalog.endTransaction();
    expect(catalog.searchPath).toEqual(['public']);
  });

  it('skips $user and searches temporary tables first', () => {
    const { catalog } = replay(`
      SET search_path TO "$user", public;
      CREATE TABLE t (a int);
      CREATE TEMP TABLE t (b int);
      ALTER TABLE t ADD COLUMN c int;`);
    expect(catalog.relation('public.t')!.columns.map((c) => c.name)).toEqual(['a']);
    expect(catalog.relation('t')!.key).toBe('pg_temp.t');
    expect(catalog.relation('pg_temp.t')!.columns.map((c) => c.name)).toEqual(['b', 'c']);
  });
});
