import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'create-index-nonconcurrent';

function findings(sql: string, pgVersion = 17, tables?: Record<string, { rows: number }>, base?: Catalog): Finding[] {
  return analyzeText(sql, { pgVersion, ...(tables ? { project: { tables } } : {}) }, base).findings.filter((f) => f.rule === RULE);
}

/** The source text a range covers. */
function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('create-index-nonconcurrent', () => {
  it('reports CREATE INDEX on an existing table with the ShareLock it takes', () => {
    const sql = 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', statement: 0, data: { table: 'public.orders', lock: 'ShareLock' } });
  });

  it('reports the UNIQUE variant, with the schema-qualified table', () => {
    const sql = 'CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON app.users (lower(email));';
    expect(findings(sql).map((f) => f.data)).toEqual([{ table: 'app.users', lock: 'ShareLock', sizeClass: 'unknown' }]);
  });

  it('accepts CREATE INDEX CONCURRENTLY', () => {
    expect(findings('CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);')).toEqual([]);
    expect(findings('CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);')).toEqual([]);
  });

  it('accepts an index on a table created earlier in the same file (new, empty table)', () => {
    const sql = 'CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint);\nCREATE INDEX invoices_order_id_idx ON invoices (order_id);';
    expect(findings(sql)).toEqual([]);
  });

  it('still reports an index on another, existing table in a file that creates a table', () => {
    const sql = 'CREATE TABLE invoices (id bigint);\nCREATE INDEX orders_total_idx ON orders (total);';
    expect(findings(sql).map((f) => f.statement)).toEqual([1]);
  });

  it('does not exempt a table created only AFTER the index', () => {
    const sql = 'CREATE INDEX t_a_idx ON t (a);\nCREATE TABLE t (a int);';
    expect(findings(sql).map((f) => f.statement)).toEqual([0]);
  });

  it('underlines from CREATE [UNIQUE] INDEX to the end of the statement, on the right line', () => {
    const sql = 'SELECT 1;\n  CREATE UNIQUE INDEX users_email_key ON users (email);';
    const [finding] = findings(sql);
    expect(finding!.range.start).toEqual({ line: 1, character: 2 });
    expect(covered(sql, finding!.range)).toBe('CREATE UNIQUE INDEX users_email_key ON users (email)');
  });

  it('scales the severity with the table size and says the size it used', () => {
    const sql = 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);';
    const large = findings(sql, 17, { orders: { rows: 50_000_000 } })[0]!;
    expect(large).toMatchObject({ severity: 'error', data: { rows: 50_000_000, sizeClass: 'large' } });
    expect(large.message).toContain('public.orders has about 50,000,000 rows');
    const small = findings(sql, 17, { orders: { rows: 200 } })[0]!;
    expect(small).toMatchObject({ severity: 'info', data: { rows: 200, sizeClass: 'small' } });
    expect(small.message).toContain('public.orders has about 200 rows');
    expect(findings(sql, 17, { orders: { rows: 200_000 } })[0]!.severity).toBe('warning');
    const unknown = findings(sql, 17, { customers: { rows: 50_000_000 } })[0]!;
    expect(unknown).toMatchObject({ severity: 'warning', data: { sizeClass: 'unknown' } });
    expect(unknown.message).toContain('table size unknown for public.orders');
  });

  it('names the table search_path resolves the unqualified name to', () => {
    const base = new Catalog();
    replaySql(base, 'CREATE SCHEMA app;\nCREATE TABLE app.orders (customer_id bigint);', 'earlier.sql');
    const sql = 'SET search_path = app, public;\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);';
    const [finding] = findings(sql, 17, { 'app.orders': { rows: 2_000_000 } }, base);
    expect(finding).toMatchObject({ severity: 'error', data: { table: 'app.orders' } });
    expect(finding!.message).toContain('ShareLock on app.orders');
  });

  it('re-resolves a cached CREATE INDEX when an earlier SET search_path is edited (incremental analysis)', () => {
    const base = new Catalog();
    replaySql(base, 'CREATE SCHEMA app;\nCREATE TABLE app.orders (customer_id bigint);\nCREATE TABLE public.orders (customer_id bigint);', 'earlier.sql');
    const options = { pgVersion: 17, project: { tables: { 'app.orders': { rows: 5_000_000 }, 'public.orders': { rows: 50 } } } };
    const analyzer = new DocumentAnalyzer();
    const index = 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);';
    const first = analyzer.analyze(`SET search_path = app;\n${index}`, options, base).findings.filter((f) => f.rule === RULE);
    expect(first.map((f) => [f.data?.table, f.severity])).toEqual([['app.orders', 'error']]);
    const second = analyzer.analyze(`SET search_path = public;\n${index}`, options, base).findings.filter((f) => f.rule === RULE);
    expect(second.map((f) => [f.data?.table, f.severity])).toEqual([['public.orders', 'info']]);
  });
});
