import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import { fixesForFinding } from '../fixes';
import type { AnalysisOptions, Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}, rule = 'update-without-where'): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }).findings.filter((f) => f.rule === rule);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('update-without-where', () => {
  it('reports an UPDATE without WHERE on an existing table, underlining UPDATE and the table', () => {
    const sql = 'SELECT 1;\nUPDATE app.orders SET status = lower(status);';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 1, severity: 'warning', data: { table: 'app.orders', lock: 'RowExclusiveLock', sizeClass: 'unknown' } });
    expect(f!.message).toMatch(/every row of app\.orders/);
    expect(f!.message).toMatch(/size unknown/);
    expect(covered(sql, f!.range)).toBe('UPDATE app.orders');
  });

  it('accepts UPDATE with a WHERE, and tables created earlier in the file', () => {
    expect(findings("UPDATE orders SET status = 'x' WHERE id = 1;")).toEqual([]);
    expect(findings('CREATE TABLE t (a int);\nUPDATE t SET a = 1;')).toEqual([]);
  });

  it('scales the severity with the table size from lockstep.json', () => {
    const sql = 'UPDATE orders SET total = 0;';
    expect(findings(sql, { project: { tables: { orders: { rows: 200 } } } })[0]).toMatchObject({ severity: 'info', data: { rows: 200 } });
    expect(findings(sql, { project: { tables: { orders: { rows: 50_000 } } } })[0]?.severity).toBe('warning');
    const large = findings(sql, { project: { tables: { orders: { rows: 50_000_000 } } } })[0];
    expect(large).toMatchObject({ severity: 'error', data: { sizeClass: 'large', rows: 50_000_000 } });
    expect(large!.message).toMatch(/public\.orders has about 50,000,000 rows/);
  });

  it('leaves the backfill right after ADD COLUMN to unbatched-backfill', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = country;';
    expect(findings(sql)).toEqual([]);
    expect(findings(sql, {}, 'unbatched-backfill').map((f) => f.statement)).toEqual([1]);
    // Another column than the one added: a plain UPDATE without WHERE again.
    expect(findings('ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET total = 0;').map((f) => f.statement)).toEqual([1]);
  });

  it('gets the batch-update quick fix (by primary-key ranges, outside the transaction)', () => {
    const base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id bigint PRIMARY KEY, total int);' }]);
    const text = 'UPDATE orders SET total = 0;\n';
    const options = { pgVersion: 17 };
    const analysis = analyzeText(text, options, base);
    const finding = analysis.findings.find((f) => f.rule === 'update-without-where')!;
    const fixes = fixesForFinding({ text, analysis, options, base, path: '/db/migrations/000002_reset.up.sql', siblings: [] }, finding);
    expect(fixes.map((f) => f.recipe)).toContain('batch-update');
  });
});
