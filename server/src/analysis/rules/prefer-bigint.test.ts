import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'prefer-bigint';
const findings = (sql: string) => findingsOf(RULE, sql);

describe('prefer-bigint', () => {
  it('reports integer and serial primary keys of new tables (not exempt: that is where keys are born), underlining the type', () => {
    const sql = 'CREATE TABLE a (id serial PRIMARY KEY);\nCREATE TABLE b (id integer NOT NULL, CONSTRAINT b_pkey PRIMARY KEY (id));';
    const result = findings(sql);
    expect(result.map((f) => [f.data?.table, f.data?.type, f.data?.role])).toEqual([
      ['public.a', 'serial', 'primary key'],
      ['public.b', 'integer', 'primary key'],
    ]);
    expect(result[0]!.severity).toBe('info');
    expect(covered(sql, result[1]!.range)).toBe('integer');
    expect(result[0]!.message).toContain('2,147,483,647');
  });

  it('reports id columns, identity columns and smallint keys, in CREATE TABLE and ADD COLUMN', () => {
    const sql =
      'CREATE TABLE c (id int);\nCREATE TABLE d (code smallint GENERATED ALWAYS AS IDENTITY);\nALTER TABLE e ADD COLUMN seq serial4;';
    expect(findings(sql).map((f) => [f.data?.column, f.data?.role, f.data?.form])).toEqual([
      ['id', 'id column', 'create-table'],
      ['code', 'identity column', 'create-table'],
      ['seq', 'serial column', 'add-column'],
    ]);
    expect(findings(sql)[1]!.message).toContain('32,767');
  });

  it('does not report the integer members of a composite primary key (references or small discriminators)', () => {
    expect(findings('CREATE TABLE shard_maps (shard_id integer, workflow_id text, PRIMARY KEY (shard_id, workflow_id));')).toEqual([]);
  });

  it('accepts bigint and bigserial keys, and integers that are not keys', () => {
    expect(findings('CREATE TABLE a (id bigserial PRIMARY KEY, qty int, order_id int, tags int[]);')).toEqual([]);
    expect(findings('CREATE TABLE b (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);')).toEqual([]);
    expect(findings('ALTER TABLE c ADD COLUMN qty integer;')).toEqual([]);
  });
});
