import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { AnalysisOptions, Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}, base?: Parameters<typeof analyzeText>[2]): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, base).findings.filter((f) => f.rule === 'delete-without-where');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('delete-without-where', () => {
  it('reports DELETE without WHERE on an existing table', () => {
    const sql = 'DELETE FROM sessions;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.sessions', lock: 'RowExclusiveLock' } });
    expect(covered(sql, f!.range)).toBe('DELETE FROM sessions');
  });

  it('names the tables whose foreign keys are checked for every deleted row', () => {
    const base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id int PRIMARY KEY);\nCREATE TABLE items (order_id int REFERENCES orders (id));' }]);
    expect(findings('DELETE FROM orders;', {}, base)[0]).toMatchObject({ data: { referencing: 'public.items' } });
  });

  it('accepts DELETE with WHERE, and tables created earlier in the file', () => {
    expect(findings("DELETE FROM sessions WHERE expires_at < now() - interval '30 days';")).toEqual([]);
    expect(findings('CREATE TABLE tmp (a int);\nDELETE FROM tmp;')).toEqual([]);
  });

  it('scales the severity with the table size', () => {
    const sql = 'DELETE FROM sessions;';
    expect(findings(sql, { project: { tables: { sessions: { rows: 10 } } } })[0]?.severity).toBe('info');
    expect(findings(sql, { project: { tables: { sessions: { rows: 5_000_000 } } } })[0]?.severity).toBe('error');
  });
});
