import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'create-index-nonconcurrent';

function findings(sql: string, pgVersion = 17): Finding[] {
  return analyzeText(sql, { pgVersion }).findings.filter((f) => f.rule === RULE);
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
    expect(findings(sql).map((f) => f.data)).toEqual([{ table: 'app.users', lock: 'ShareLock' }]);
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
});
