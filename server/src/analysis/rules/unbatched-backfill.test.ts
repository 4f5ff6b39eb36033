import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { AnalysisOptions, Finding } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}, rule = 'unbatched-backfill'): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }).findings.filter((f) => f.rule === rule);
}

describe('unbatched-backfill', () => {
  it('reports the whole-table UPDATE right after the ADD COLUMN it fills', () => {
    const sql = "ALTER TABLE orders ADD COLUMN currency text;\nUPDATE orders SET currency = 'EUR';";
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 1, severity: 'warning', data: { table: 'public.orders', columns: 'currency', shape: 'after-add-column' } });
    expect(f!.message).toMatch(/batches by primary-key range/);
  });

  it('sees the ADD COLUMN earlier in the same transaction, not only right before', () => {
    const sql = "BEGIN;\nALTER TABLE orders ADD COLUMN currency text;\nSELECT 1;\nUPDATE orders SET currency = 'EUR';\nCOMMIT;";
    expect(findings(sql).map((f) => f.statement)).toEqual([3]);
  });

  it('reports fill-what-is-missing filters that no key range bounds', () => {
    expect(findings("UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;")[0]).toMatchObject({ data: { shape: 'filter' } });
    expect(findings('UPDATE orders o SET region = c.region FROM customers c WHERE o.customer_id = c.id AND o.region IS NULL;')).toHaveLength(1);
    expect(findings("UPDATE orders SET currency = 'EUR' WHERE currency IS DISTINCT FROM 'EUR';")).toHaveLength(1);
  });

  it('accepts batches, point updates, joins without a fill condition, and new tables', () => {
    expect(findings("UPDATE orders SET currency = 'EUR' WHERE currency IS NULL AND id BETWEEN 1 AND 10000;")).toEqual([]);
    expect(findings("UPDATE orders SET currency = 'EUR' WHERE id = 42;")).toEqual([]);
    expect(findings('UPDATE orders o SET region = f.region FROM fixes f WHERE o.id = f.order_id;')).toEqual([]);
    expect(findings("CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = 1;")).toEqual([]);
  });

  it('leaves a plain UPDATE without WHERE to update-without-where (one finding, not two)', () => {
    expect(findings('UPDATE orders SET total = 0;')).toEqual([]);
    expect(findings('UPDATE orders SET total = 0;', {}, 'update-without-where')).toHaveLength(1);
  });

  it('scales the severity with the table size', () => {
    const sql = "UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;";
    expect(findings(sql, { project: { tables: { orders: { rows: 100 } } } })[0]?.severity).toBe('info');
    expect(findings(sql, { project: { tables: { orders: { rows: 20_000_000 } } } })[0]).toMatchObject({ severity: 'error', data: { rows: 20_000_000 } });
  });
});
