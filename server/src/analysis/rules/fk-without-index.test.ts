import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { AnalysisOptions, Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'fk-without-index';
const EARLIER = 'CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, ref text);';

function earlier(sql = EARLIER): Catalog {
  const catalog = new Catalog();
  replaySql(catalog, sql, 'earlier.sql');
  return catalog;
}

function findings(sql: string, options: Partial<AnalysisOptions> = {}, base: Catalog = earlier()): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, base).findings.filter((f) => f.rule === RULE);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('fk-without-index', () => {
  it('reports a foreign key in CREATE TABLE whose column no index starts with, underlining the constraint', () => {
    const sql = 'CREATE TABLE items (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES orders (id),\n  qty int\n);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.items', columns: 'order_id', referencedTable: 'public.orders', sizeClass: 'unknown' },
    });
    expect(covered(sql, finding!.range)).toBe('REFERENCES orders (id)');
    expect(finding!.message).toContain('every DELETE from public.orders');
    expect(finding!.message).toContain('CREATE INDEX ON public.items (order_id) to this file');
  });

  it('reports table constraints and ALTER TABLE … ADD CONSTRAINT / ADD COLUMN … REFERENCES, one finding per key', () => {
    const create = 'CREATE TABLE items (id bigint, order_id bigint, customer_id bigint, FOREIGN KEY (order_id) REFERENCES orders, CONSTRAINT items_customer_fk FOREIGN KEY (customer_id) REFERENCES customers);';
    expect(findings(create).map((f) => f.data?.columns)).toEqual(['order_id', 'customer_id']);
    const alter = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;';
    const [fk] = findings(alter);
    expect(fk).toMatchObject({ data: { table: 'public.orders', columns: 'customer_id', constraint: 'orders_customer_fk' } });
    expect(covered(alter, fk!.range)).toBe('ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID');
    expect(fk!.message).toContain('CREATE INDEX CONCURRENTLY ON public.orders (customer_id)');
    expect(findings('ALTER TABLE orders ADD COLUMN shop_id bigint REFERENCES customers;').map((f) => f.data?.columns)).toEqual(['shop_id']);
  });

  it('accepts an index whose first column is one of the key columns; not one that has them only later', () => {
    const base = earlier(`${EARLIER} CREATE TABLE lines (order_id bigint, n int, PRIMARY KEY (order_id, n)); CREATE INDEX lines_n_idx ON lines (n, order_id);`);
    expect(findings('ALTER TABLE lines ADD FOREIGN KEY (order_id) REFERENCES orders;', {}, base)).toEqual([]);
    expect(findings('ALTER TABLE lines ADD FOREIGN KEY (n, order_id) REFERENCES pairs;', {}, base)).toEqual([]);
    // (order_id) serves the lookup on (order_id, shop_id): equality on a leading column is an index scan.
    expect(findings('ALTER TABLE lines ADD COLUMN shop_id int, ADD FOREIGN KEY (order_id, shop_id) REFERENCES shop_orders;', {}, base)).toEqual([]);
    const tags = 'CREATE TABLE order_tags (order_id bigint REFERENCES orders, tag_id bigint REFERENCES tags, PRIMARY KEY (order_id, tag_id));';
    expect(findings(tags).map((f) => f.data?.columns)).toEqual(['tag_id']);
    const hash = 'CREATE TABLE items (order_id bigint REFERENCES orders);\nCREATE INDEX ON items USING hash (order_id);';
    expect(findings(hash)).toEqual([]);
    const gin = 'CREATE TABLE items (order_id bigint REFERENCES orders);\nCREATE INDEX ON items USING gin (order_id);';
    expect(findings(gin)).toHaveLength(1);
  });

  it('does not count partial or expression indexes', () => {
    const base = earlier(`${EARLIER} CREATE INDEX orders_customer_live_idx ON orders (customer_id) WHERE ref IS NULL; CREATE INDEX orders_ref_idx ON orders (lower(ref));`);
    expect(findings('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;', {}, base)).toHaveLength(1);
    const full = earlier(`${EARLIER} CREATE INDEX orders_customer_idx ON orders (customer_id);`);
    expect(findings('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;', {}, full)).toEqual([]);
  });

  it('counts a partial index WHERE <key column> IS NOT NULL: the lookup by = implies it', () => {
    const base = earlier(`${EARLIER} CREATE INDEX orders_customer_nn_idx ON orders (customer_id) WHERE customer_id IS NOT NULL;`);
    expect(findings('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;', {}, base)).toEqual([]);
    const later = 'ALTER TABLE orders ADD COLUMN shop_id bigint REFERENCES customers;\nCREATE INDEX orders_shop_idx ON orders (shop_id) WHERE (shop_id IS NOT NULL);';
    expect(findings(later)).toEqual([]);
    const otherColumn = 'ALTER TABLE orders ADD COLUMN shop_id bigint REFERENCES customers;\nCREATE INDEX orders_shop_idx ON orders (shop_id) WHERE ref IS NOT NULL;';
    expect(findings(otherColumn)).toHaveLength(1);
  });

  it('accepts an index created by a later statement of the file, in another transaction too', () => {
    const sql = 'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\nINSERT INTO items VALUES (1, 1);\nCREATE INDEX CONCURRENTLY items_order_id_idx ON items (order_id);';
    expect(findings(sql)).toEqual([]);
    const unique = 'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\nALTER TABLE items ADD CONSTRAINT items_order_key UNIQUE (order_id);';
    expect(findings(unique)).toEqual([]);
    const otherTable = 'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\nCREATE INDEX ON orders (id);';
    expect(findings(otherTable)).toHaveLength(1);
  });

  it('an index created only in the down section does not count for the up section', () => {
    const sql = '-- +goose Up\nCREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\n-- +goose Down\nCREATE INDEX ON items (order_id);\n';
    expect(findings(sql, { migration: { path: 'db/migrations/00001_items.sql', framework: 'goose' } })).toHaveLength(1);
  });

  it('scales the severity with the referencing table size, not the referenced one', () => {
    const alter = 'ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;';
    expect(findings(alter, { project: { tables: { orders: { rows: 300 } } } }).map((f) => f.severity)).toEqual(['info']);
    const [large] = findings(alter, { project: { tables: { orders: { rows: 80_000_000 }, customers: { rows: 10 } } } });
    expect(large).toMatchObject({ severity: 'error', data: { rows: 80_000_000 } });
    expect(findings(alter, { project: { tables: { customers: { rows: 80_000_000 } } } }).map((f) => f.severity)).toEqual(['warning']);
  });

  it('skips NOT ENFORCED keys (PostgreSQL 18), which create no triggers', () => {
    expect(findings('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT ENFORCED;', { pgVersion: 18 })).toEqual([]);
  });

  it('re-checks a cached statement when a later statement starts or stops creating the index', () => {
    const analyzer = new DocumentAnalyzer();
    const options = { pgVersion: 17 };
    const create = 'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);';
    const rule = (text: string) => analyzer.analyze(text, options, earlier()).findings.filter((f) => f.rule === RULE).length;
    expect(rule(`${create}\nCREATE INDEX ON items (order_id);`)).toBe(0);
    expect(rule(`${create}\nCREATE INDEX ON items (id);`)).toBe(1);
    expect(rule(`${create}\nCREATE INDEX ON items (order_id);`)).toBe(0);
  });
});
