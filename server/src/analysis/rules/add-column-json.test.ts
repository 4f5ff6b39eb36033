import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-json';
const findings = (sql: string) => findingsOf(RULE, sql);

describe('add-column-json', () => {
  it('reports a json column added to a table, underlining the type', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN payload json NOT NULL;';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'info', data: { table: 'public.orders', column: 'payload', form: 'add-column' } });
    expect(covered(sql, finding!.range)).toBe('json');
  });

  it('reports json columns of new tables too (a style rule: that is where it matters), and json arrays', () => {
    const sql = 'CREATE TABLE events (id bigint, body json, tags json[]);\nALTER TABLE events ADD COLUMN extra json;';
    expect(findings(sql).map((f) => [f.data?.column, f.data?.form])).toEqual([
      ['body', 'create-table'],
      ['tags', 'create-table'],
      ['extra', 'add-column'],
    ]);
  });

  it('accepts jsonb and other types', () => {
    expect(findings('CREATE TABLE events (body jsonb, name text);\nALTER TABLE events ADD COLUMN extra jsonb;')).toEqual([]);
  });
});
