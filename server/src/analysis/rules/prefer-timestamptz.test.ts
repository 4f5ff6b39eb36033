import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'prefer-timestamptz';
const findings = (sql: string) => findingsOf(RULE, sql);

describe('prefer-timestamptz', () => {
  it('reports timestamp and timestamp without time zone, in new tables and added columns', () => {
    const sql =
      'CREATE TABLE events (created_at timestamp NOT NULL DEFAULT now(), seen_at timestamp(3) without time zone);\nALTER TABLE events ADD COLUMN done_at TIMESTAMP;';
    const result = findings(sql);
    expect(result.map((f) => [f.data?.column, f.data?.form])).toEqual([
      ['created_at', 'create-table'],
      ['seen_at', 'create-table'],
      ['done_at', 'add-column'],
    ]);
    expect(result[0]!.severity).toBe('info');
    expect(covered(sql, result[1]!.range)).toBe('timestamp(3) without time zone');
  });

  it('accepts timestamptz and timestamp with time zone', () => {
    expect(findings('CREATE TABLE events (a timestamptz, b timestamp with time zone, c date);')).toEqual([]);
  });
});
