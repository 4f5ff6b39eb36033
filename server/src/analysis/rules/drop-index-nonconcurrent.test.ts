import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'drop-index-nonconcurrent';

function findings(sql: string, base?: Catalog): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }, base).findings.filter((f) => f.rule === RULE);
}

/** The schema earlier migrations left: public.orders with an index. */
function earlier(sql = 'CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz); CREATE INDEX orders_created_at_idx ON orders (created_at);'): Catalog {
  const catalog = new Catalog();
  replaySql(catalog, sql, 'earlier.sql');
  return catalog;
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('drop-index-nonconcurrent', () => {
  it('names the table the lock model locks AccessExclusive when the index is known', () => {
    const [finding, ...rest] = findings('DROP INDEX orders_created_at_idx;', earlier());
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { index: 'public.orders_created_at_idx', tables: 'public.orders', lock: 'AccessExclusiveLock', tableKnown: true },
    });
    expect(finding!.message).toContain('AccessExclusiveLock on public.orders');
    expect(finding!.message).toContain('DROP INDEX CONCURRENTLY');
  });

  it('still reports an index Lockstep does not know, naming the index instead of its table', () => {
    const [finding] = findings('DROP INDEX IF EXISTS app.legacy_idx;');
    expect(finding?.data).toMatchObject({ index: 'app.legacy_idx', tables: '', lock: 'AccessExclusiveLock', tableKnown: false });
    expect(finding!.message).toContain('the table of app.legacy_idx');
  });

  it('accepts DROP INDEX CONCURRENTLY', () => {
    expect(findings('DROP INDEX CONCURRENTLY orders_created_at_idx;', earlier())).toEqual([]);
    expect(findings('DROP INDEX CONCURRENTLY IF EXISTS legacy_idx;')).toEqual([]);
  });

  it('exempts an index of a table created earlier in the same file, but not an index created in the file on an existing table', () => {
    const newTable = 'CREATE TABLE refunds (id bigint, order_id bigint);\nCREATE INDEX refunds_order_id_idx ON refunds (order_id);\nDROP INDEX refunds_order_id_idx;';
    expect(findings(newTable)).toEqual([]);
    const existingTable = 'CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id);\nDROP INDEX orders_id_idx;';
    expect(findings(existingTable, earlier()).map((f) => f.data?.tables)).toEqual(['public.orders']);
  });

  it('names every table of a list of indexes', () => {
    const base = earlier('CREATE TABLE a (x int); CREATE TABLE b (y int); CREATE INDEX a_x_idx ON a (x); CREATE INDEX b_y_idx ON b (y);');
    expect(findings('DROP INDEX a_x_idx, b_y_idx;', base).map((f) => f.data)).toEqual([
      { index: 'public.a_x_idx, public.b_y_idx', tables: 'public.a, public.b', lock: 'AccessExclusiveLock', tableKnown: true },
    ]);
  });

  it('is not size-scaled: the drop is brief whatever the table size', () => {
    const result = analyzeText('DROP INDEX orders_created_at_idx;', { pgVersion: 17, project: { tables: { orders: { rows: 100 } } } }, earlier());
    expect(result.findings.find((f) => f.rule === RULE)?.severity).toBe('warning');
  });

  it('skips a partitioned index, which cannot be dropped concurrently', () => {
    const base = earlier('CREATE TABLE m (id bigint, d date) PARTITION BY RANGE (d); CREATE INDEX m_id_idx ON m (id);');
    expect(findings('DROP INDEX m_id_idx;', base)).toEqual([]);
  });

  it('underlines from DROP INDEX to the end of the statement', () => {
    const sql = 'SELECT 1;\n  DROP INDEX orders_created_at_idx;';
    const [finding] = findings(sql, earlier());
    expect(covered(sql, finding!.range)).toBe('DROP INDEX orders_created_at_idx');
  });
});
