import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'truncate');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('truncate', () => {
  it('reports TRUNCATE of existing tables', () => {
    const sql = 'TRUNCATE TABLE events, app.audit RESTART IDENTITY;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { tables: 'public.events, app.audit', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/even plain SELECT/);
    expect(covered(sql, f!.range)).toBe('TRUNCATE TABLE events, app.audit');
  });

  it('accepts tables created earlier in the file', () => {
    expect(findings('CREATE TABLE staging (a int);\nTRUNCATE staging;')).toEqual([]);
    expect(findings('CREATE TABLE staging (a int);\nTRUNCATE staging, events;')[0]?.data?.tables).toBe('public.events');
  });
});
