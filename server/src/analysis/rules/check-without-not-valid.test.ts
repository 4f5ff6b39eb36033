import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'check-without-not-valid';

function findings(sql: string, rows?: number, base?: Catalog): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(rows !== undefined ? { project: { tables: { orders: { rows } } } } : {}) }, base).findings.filter(
    (f) => f.rule === RULE,
  );
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('check-without-not-valid', () => {
  it('reports ADD CONSTRAINT … CHECK on an existing table with the lock and what waits, underlining the clause', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ADD CONSTRAINT orders_total_positive CHECK (total >= 0);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.orders', lock: 'AccessExclusiveLock', constraint: 'orders_total_positive', sizeClass: 'unknown' },
    });
    expect(finding!.message).toContain('reads and writes wait until the scan ends');
    expect(covered(sql, finding!.range)).toBe('ADD CONSTRAINT orders_total_positive CHECK (total >= 0)');
  });

  it('accepts NOT VALID, and only reports the validated one of two', () => {
    expect(findings('ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;')).toEqual([]);
    const both = 'ALTER TABLE orders ADD CONSTRAINT a CHECK (total >= 0) NOT VALID, ADD CONSTRAINT b CHECK (qty > 0);';
    expect(findings(both).map((f) => f.data?.constraint)).toEqual(['b']);
  });

  it('exempts a table created earlier in the same file', () => {
    expect(findings('CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0);')).toEqual([]);
  });

  it('scales the severity with the table size', () => {
    const sql = 'ALTER TABLE orders ADD CHECK (total >= 0);';
    expect(findings(sql, 500).map((f) => f.severity)).toEqual(['info']);
    expect(findings(sql, 500_000).map((f) => f.severity)).toEqual(['warning']);
    const [large] = findings(sql, 20_000_000);
    expect(large).toMatchObject({ severity: 'error', data: { sizeClass: 'large', rows: 20_000_000 } });
    expect(large!.message).toContain('about 20,000,000 rows');
  });

  it('names the partitions the model scans for a partitioned table', () => {
    const base = new Catalog();
    replaySql(base, "CREATE TABLE m (a int, d date) PARTITION BY RANGE (d); CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');", 'earlier.sql');
    const [finding] = findings('ALTER TABLE m ADD CONSTRAINT a_positive CHECK (a > 0);', undefined, base);
    expect(finding!.message).toContain('its partitions public.m_2024');
  });
});
