import { beforeAll, expect, it } from 'vitest';
import { initParser } from './parse/parser';
import { replayMigrations } from './schema-context';

beforeAll(() => initParser());

it('replays earlier migrations in order, skipping what does not parse and the down section of goose files', () => {
  const catalog = replayMigrations([
    { path: '001.sql', text: 'CREATE TABLE a (id int);\nSELEC broken;\nCREATE TABLE b (id int);' },
    { path: '002.sql', text: '-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE a;' },
    { path: '003.sql', text: 'ALTER TABLE b ADD COLUMN name text;' },
  ]);
  expect(catalog.relations().map((r) => r.key).sort()).toEqual(['public.a', 'public.b', 'public.c']);
  expect(catalog.column('public.b', 'name')).toBeDefined();
  expect(catalog.createdBy('public.c')?.file).toBe('002.sql');
});
