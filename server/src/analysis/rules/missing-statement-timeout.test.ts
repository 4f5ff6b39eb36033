import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { AnalysisOptions, Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id int PRIMARY KEY, a int);' }]);
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, base).findings.filter((f) => f.rule === 'missing-statement-timeout');
}

describe('missing-statement-timeout', () => {
  it('reports a blocking statement that scans or rewrites, once', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN a SET NOT NULL;\nCREATE INDEX orders_a_idx ON orders (a);';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 0, severity: 'info', data: { table: 'public.orders', problem: 'missing' } });
    expect(f!.message).toMatch(/scans public\.orders/);
  });

  it('ignores blocking statements that do no table-sized work', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN b int;')).toEqual([]);
  });

  it('accepts a statement_timeout, uses the table size from lockstep.json, and reports one above the limit', () => {
    expect(findings("SET statement_timeout = '5min';\nCREATE INDEX orders_a_idx ON orders (a);")).toEqual([]);
    const [sized] = findings('CREATE INDEX orders_a_idx ON orders (a);', { project: { tables: { orders: { rows: 50_000_000 } } } });
    expect(sized!.message).toMatch(/about 50,000,000 rows/);
    const [long] = findings("SET statement_timeout = '1h';\nCREATE INDEX orders_a_idx ON orders (a);", { project: { statementTimeoutMs: 600_000 } });
    expect(long).toMatchObject({ data: { problem: 'too-long', value: '1h' } });
  });
});
