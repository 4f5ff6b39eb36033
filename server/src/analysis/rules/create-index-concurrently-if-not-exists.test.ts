import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'create-index-concurrently-if-not-exists';

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17, project: { tables: { orders: { rows: 50_000_000 } } } }).findings.filter((f) => f.rule === RULE);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('create-index-concurrently-if-not-exists', () => {
  it('reports CONCURRENTLY with IF NOT EXISTS, naming the index and the table, underlining IF NOT EXISTS', () => {
    const sql = 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_ref_key ON app.orders (ref);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', data: { table: 'app.orders', index: 'app.orders_ref_key' } });
    expect(covered(sql, finding!.range)).toBe('IF NOT EXISTS');
    expect(finding!.message).toContain('INVALID index app.orders_ref_key');
  });

  it('is not size-scaled: a useless index is as bad on a small table', () => {
    const sql = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);';
    expect(findings(sql).map((f) => f.severity)).toEqual(['warning']);
  });

  it('accepts CONCURRENTLY without IF NOT EXISTS, and a plain CREATE INDEX IF NOT EXISTS (it rolls back on failure)', () => {
    expect(findings('CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);')).toEqual([]);
    expect(findings('CREATE INDEX IF NOT EXISTS orders_a_idx ON orders (a);')).toEqual([]);
  });

  it('accepts it right after a DROP INDEX … IF EXISTS of the same index, not of another one', () => {
    expect(findings('DROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);')).toEqual([]);
    expect(findings('DROP INDEX CONCURRENTLY IF EXISTS public.orders_a_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);')).toEqual([]);
    const other = 'DROP INDEX CONCURRENTLY IF EXISTS orders_b_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);';
    expect(findings(other).map((f) => f.statement)).toEqual([1]);
    const notRightBefore = 'DROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;\nSELECT 1;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);';
    expect(findings(notRightBefore).map((f) => f.statement)).toEqual([2]);
  });

  it('accepts the quick fix guard: a DO block that drops the index when pg_index says it is not valid', () => {
    const sql = [
      'DO $lockstep$',
      'BEGIN',
      "  IF EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass('orders_a_idx') AND NOT indisvalid) THEN",
      '    DROP INDEX orders_a_idx;',
      '  END IF;',
      'END',
      '$lockstep$;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);',
    ].join('\n');
    expect(findings(sql)).toEqual([]);
    expect(findings("DO $$ BEGIN RAISE NOTICE 'orders_a_idx'; END $$;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);")).toHaveLength(1);
  });

  it('exempts a table created earlier in the same file (an empty table does not fail part-way)', () => {
    expect(findings('CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);')).toEqual([]);
  });
});
