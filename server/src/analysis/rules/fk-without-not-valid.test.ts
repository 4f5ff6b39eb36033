import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'fk-without-not-valid';

function findings(sql: string, pgVersion = 17, tables?: Record<string, { rows: number }>, base?: Catalog): Finding[] {
  return analyzeText(sql, { pgVersion, ...(tables ? { project: { tables } } : {}) }, base).findings.filter((f) => f.rule === RULE);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('fk-without-not-valid', () => {
  it('reports ADD CONSTRAINT … FOREIGN KEY, naming both tables and their locks', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.data).toEqual({
      table: 'public.orders',
      referencedTable: 'public.customers',
      lock: 'ShareRowExclusiveLock',
      referencedLock: 'ShareRowExclusiveLock',
      form: 'add-constraint',
      constraint: 'orders_customer_fk',
      sizeClass: 'unknown',
    });
    expect(finding!.message).toContain('public.orders');
    expect(finding!.message).toContain('public.customers');
  });

  it('reports the unnamed ADD FOREIGN KEY form and a schema-qualified referenced table', () => {
    const [finding] = findings('ALTER TABLE orders ADD FOREIGN KEY (region_id) REFERENCES geo.regions;');
    expect(finding!.data).toMatchObject({ referencedTable: 'geo.regions', form: 'add-constraint' });
    expect(finding!.data).not.toHaveProperty('constraint');
  });

  it('accepts NOT VALID, and VALIDATE CONSTRAINT afterwards', () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
    ].join('\n');
    expect(findings(sql)).toEqual([]);
  });

  it('accepts NOT ENFORCED (PostgreSQL 18), which never checks rows', () => {
    expect(findings('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT ENFORCED;', 18)).toEqual([]);
  });

  it('exempts a referencing table created earlier in the file, but not a new referenced table', () => {
    const newReferencing = 'CREATE TABLE refunds (id bigint, order_id bigint);\nALTER TABLE refunds ADD FOREIGN KEY (order_id) REFERENCES orders;';
    expect(findings(newReferencing)).toEqual([]);
    const newReferenced = 'CREATE TABLE regions (id bigint PRIMARY KEY);\nALTER TABLE orders ADD FOREIGN KEY (region_id) REFERENCES regions;';
    expect(findings(newReferenced).map((f) => f.statement)).toEqual([1]);
  });

  it('reports ADD COLUMN … REFERENCES with a DEFAULT, under the AccessExclusiveLock ADD COLUMN takes', () => {
    const [finding] = findings('ALTER TABLE orders ADD COLUMN region_id int DEFAULT 1 REFERENCES regions (id);');
    expect(finding!.data).toMatchObject({
      table: 'public.orders',
      referencedTable: 'public.regions',
      lock: 'AccessExclusiveLock',
      form: 'add-column',
    });
  });

  it('accepts ADD COLUMN … REFERENCES without a DEFAULT: all values are NULL, PostgreSQL skips the check', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN region_id int REFERENCES regions (id);')).toEqual([]);
  });

  it('names a self-reference once', () => {
    const [finding] = findings('ALTER TABLE categories ADD FOREIGN KEY (parent_id) REFERENCES categories (id);');
    expect(finding!.data).toMatchObject({ table: 'public.categories', referencedTable: 'public.categories' });
    expect(finding!.message).toContain('writes to public.categories wait');
  });

  it('reports each foreign key of a multi-clause ALTER and underlines its clause', () => {
    const sql = [
      'ALTER TABLE orders',
      '  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),',
      '  ADD CONSTRAINT orders_store_fk FOREIGN KEY (store_id) REFERENCES stores (id) NOT VALID,',
      '  ADD CONSTRAINT orders_region_fk FOREIGN KEY (region_id) REFERENCES regions (id);',
    ].join('\n');
    const result = findings(sql);
    expect(result.map((f) => f.data?.referencedTable)).toEqual(['public.customers', 'public.regions']);
    expect(covered(sql, result[0]!.range)).toBe('ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)');
    expect(covered(sql, result[1]!.range)).toBe('ADD CONSTRAINT orders_region_fk FOREIGN KEY (region_id) REFERENCES regions (id)');
  });

  it("scales the severity with the referencing table's size (the check reads its rows), not the referenced one's", () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);';
    const large = findings(sql, 17, { orders: { rows: 50_000_000 }, customers: { rows: 100 } })[0]!;
    expect(large).toMatchObject({ severity: 'error', data: { rows: 50_000_000, sizeClass: 'large' } });
    expect(large.message).toContain('(public.orders has about 50,000,000 rows)');
    expect(findings(sql, 17, { orders: { rows: 100 }, customers: { rows: 50_000_000 } })[0]).toMatchObject({ severity: 'info', data: { sizeClass: 'small' } });
    const unknown = findings(sql, 17, { customers: { rows: 50_000_000 } })[0]!;
    expect(unknown).toMatchObject({ severity: 'warning', data: { sizeClass: 'unknown' } });
    expect(unknown.message).toContain('table size unknown for public.orders');
  });

  it('resolves both tables through search_path', () => {
    const base = new Catalog();
    replaySql(base, 'CREATE SCHEMA app;\nCREATE TABLE app.customers (id bigint PRIMARY KEY);\nCREATE TABLE app.orders (customer_id bigint);', 'earlier.sql');
    const sql = 'SET search_path = app;\nALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);';
    const [finding] = findings(sql, 17, { 'app.orders': { rows: 5_000 } }, base);
    expect(finding).toMatchObject({ severity: 'info', data: { table: 'app.orders', referencedTable: 'app.customers' } });
  });
});
