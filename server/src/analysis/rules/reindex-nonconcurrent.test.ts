import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'reindex-nonconcurrent';

const EARLIER = 'CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz); CREATE INDEX orders_created_at_idx ON orders (created_at);';

function earlier(sql = EARLIER): Catalog {
  const catalog = new Catalog();
  replaySql(catalog, sql, 'earlier.sql');
  return catalog;
}

function findings(sql: string, options: { pgVersion?: number; rows?: number; base?: Catalog } = {}): Finding[] {
  return analyzeText(
    sql,
    { pgVersion: options.pgVersion ?? 17, ...(options.rows !== undefined ? { project: { tables: { orders: { rows: options.rows } } } } : {}) },
    options.base ?? earlier(),
  ).findings.filter((f) => f.rule === RULE);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('reindex-nonconcurrent', () => {
  it('REINDEX INDEX: ShareLock on the table and AccessExclusiveLock on the index, from the lock model', () => {
    const [finding, ...rest] = findings('REINDEX INDEX orders_created_at_idx;');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.orders', lock: 'ShareLock', indexLock: 'AccessExclusiveLock', target: 'REINDEX_OBJECT_INDEX', sizeClass: 'unknown' },
    });
    expect(finding!.message).toContain('writes to public.orders wait, and so do reads that use the index');
    expect(finding!.message).toContain('REINDEX … CONCURRENTLY');
  });

  it('REINDEX TABLE: every index of the table', () => {
    const [finding] = findings('REINDEX TABLE orders;');
    expect(finding?.data).toMatchObject({ table: 'public.orders', lock: 'ShareLock', indexLock: 'AccessExclusiveLock' });
    expect(finding!.message).toContain('every index of public.orders');
  });

  it('scales the severity with the table size and says the size it used', () => {
    expect(findings('REINDEX TABLE orders;', { rows: 200 }).map((f) => f.severity)).toEqual(['info']);
    expect(findings('REINDEX TABLE orders;', { rows: 200_000 }).map((f) => f.severity)).toEqual(['warning']);
    const [large] = findings('REINDEX TABLE orders;', { rows: 50_000_000 });
    expect(large).toMatchObject({ severity: 'error', data: { sizeClass: 'large', rows: 50_000_000 } });
    expect(large!.message).toContain('public.orders has about 50,000,000 rows');
  });

  it('accepts CONCURRENTLY in both spellings', () => {
    expect(findings('REINDEX INDEX CONCURRENTLY orders_created_at_idx;')).toEqual([]);
    expect(findings('REINDEX (VERBOSE, CONCURRENTLY) TABLE orders;')).toEqual([]);
  });

  it('reports REINDEX SCHEMA without naming locks the model does not have, and skips REINDEX SYSTEM', () => {
    const [finding] = findings('REINDEX SCHEMA app;');
    expect(finding?.data).toMatchObject({ target: 'REINDEX_OBJECT_SCHEMA', sizeClass: 'unknown' });
    expect(finding!.message).toContain('every index in schema app');
    expect(findings('REINDEX SYSTEM;')).toEqual([]);
  });

  it('exempts a table created earlier in the same file', () => {
    expect(findings('CREATE TABLE t (id int PRIMARY KEY);\nREINDEX TABLE t;', { base: new Catalog() })).toEqual([]);
    expect(findings('CREATE TABLE t (id int);\nCREATE INDEX t_id_idx ON t (id);\nREINDEX INDEX t_id_idx;', { base: new Catalog() })).toEqual([]);
  });

  it('partitioned tables: reported from PostgreSQL 14 (CONCURRENTLY exists), not before (no REINDEX at all)', () => {
    const base = earlier('CREATE TABLE m (id bigint, d date) PARTITION BY RANGE (d); CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\'); CREATE INDEX m_id_idx ON m (id);');
    expect(findings('REINDEX TABLE m;', { base, pgVersion: 14 }).map((f) => f.data?.table)).toEqual(['public.m']);
    expect(findings('REINDEX TABLE m;', { base, pgVersion: 13 })).toEqual([]);
  });

  it('underlines from REINDEX to the end of the statement', () => {
    const sql = 'SELECT 1;\n  REINDEX TABLE orders;';
    const [finding] = findings(sql);
    expect(covered(sql, finding!.range)).toBe('REINDEX TABLE orders');
  });
});
