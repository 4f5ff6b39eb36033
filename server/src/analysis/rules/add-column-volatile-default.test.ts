import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-volatile-default';
const findings = (sql: string, options?: FindingsOptions) => findingsOf(RULE, sql, options);

describe('add-column-volatile-default', () => {
  it.each([
    ['gen_random_uuid()', 'gen_random_uuid'],
    ['uuid_generate_v4()', 'uuid_generate_v4'],
    ['random()', 'random'],
    ['clock_timestamp()', 'clock_timestamp'],
    ["nextval('orders_seq')", 'nextval'],
    ["md5(random()::text)", 'random'],
  ])('reports DEFAULT %s as a rewrite caused by %s', (expression, fn) => {
    const [finding, ...rest] = findings(`ALTER TABLE orders ADD COLUMN token text DEFAULT ${expression};`);
    expect(rest).toEqual([]);
    expect(finding!.data).toEqual({
      table: 'public.orders',
      column: 'token',
      lock: 'AccessExclusiveLock',
      reason: 'volatile-default',
      function: fn,
      sizeClass: 'unknown',
    });
    expect(finding!.severity).toBe('warning');
  });

  it.each([
    ["'pending'"],
    ['0'],
    ['NULL'],
    ['now()'],
    ['CURRENT_TIMESTAMP'],
    ['current_date'],
    ["'{}'::jsonb"],
    ["'0'::numeric(12,2)"],
    ["now() + interval '30 days'"],
    ["'active'::order_status"],
  ])('accepts the non-volatile DEFAULT %s (metadata-only since PostgreSQL 11)', (expression) => {
    expect(findings(`ALTER TABLE orders ADD COLUMN c text NOT NULL DEFAULT ${expression};`)).toEqual([]);
  });

  it('accepts a column without a default', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN note text;')).toEqual([]);
  });

  it('reports a function of unknown volatility, saying so', () => {
    const [finding] = findings('ALTER TABLE orders ADD COLUMN code text DEFAULT billing.make_code(8);');
    expect(finding!.data).toMatchObject({ reason: 'unknown-volatility', function: 'billing.make_code' });
    expect(finding!.message).toContain('does not know');
  });

  it('knows a user function declared IMMUTABLE earlier in the file, and one declared VOLATILE', () => {
    const immutable = "CREATE FUNCTION make_code() RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT 'x' $$;\n";
    expect(findings(immutable + 'ALTER TABLE orders ADD COLUMN code text DEFAULT make_code();')).toEqual([]);
    const volatile = "CREATE FUNCTION make_code() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;\n";
    expect(findings(volatile + 'ALTER TABLE orders ADD COLUMN code text DEFAULT make_code();')[0]!.data).toMatchObject({ reason: 'volatile-default' });
  });

  it('leaves serial, identity, stored generated and constrained-domain columns to their own rules (one finding each)', () => {
    const sql =
      'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);\n' +
      'ALTER TABLE orders ADD COLUMN a bigserial, ADD COLUMN b bigint GENERATED ALWAYS AS IDENTITY,\n' +
      '  ADD COLUMN c bigint GENERATED ALWAYS AS (total * 100) STORED, ADD COLUMN d positive_int;';
    expect(findings(sql)).toEqual([]);
  });

  it('scales the severity with the table size and says which size it used', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();';
    const large = findings(sql, { tables: { orders: { rows: 50_000_000 } } })[0]!;
    expect(large).toMatchObject({ severity: 'error', data: { rows: 50_000_000, sizeClass: 'large' } });
    expect(large.message).toContain('public.orders has about 50,000,000 rows');
    expect(findings(sql, { tables: { orders: { rows: 200 } } })[0]).toMatchObject({ severity: 'info', data: { sizeClass: 'small' } });
    const unknown = findings(sql)[0]!;
    expect(unknown.severity).toBe('warning');
    expect(unknown.message).toContain('table size unknown');
  });

  it('exempts a table created earlier in the same file', () => {
    const sql = 'CREATE TABLE orders (id bigint);\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();';
    expect(findings(sql)).toEqual([]);
  });

  it('names the table as search_path resolves it', () => {
    const sql = 'SET search_path = billing;\nALTER TABLE invoices ADD COLUMN token uuid DEFAULT gen_random_uuid();';
    expect(findings(sql, { schema: 'CREATE SCHEMA billing; CREATE TABLE billing.invoices (id bigint);' })[0]!.data).toMatchObject({
      table: 'billing.invoices',
    });
  });

  it('does not look at ALTER on other object kinds or other subcommands', () => {
    expect(findings('ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();')).toEqual([]);
    expect(findings('ALTER FOREIGN TABLE remote_orders ADD COLUMN token uuid DEFAULT gen_random_uuid();')).toEqual([]);
  });

  it('reports each risky column of a multi-column ALTER and underlines that clause only', () => {
    const sql =
      'ALTER TABLE ONLY public.orders\n  ADD COLUMN note text,\n  ADD COLUMN token uuid DEFAULT gen_random_uuid() NOT NULL,\n  ADD COLUMN n bigint DEFAULT random();';
    const result = findings(sql);
    expect(result.map((f) => f.data?.column)).toEqual(['token', 'n']);
    expect(covered(sql, result[0]!.range)).toBe('ADD COLUMN token uuid DEFAULT gen_random_uuid() NOT NULL');
    expect(covered(sql, result[1]!.range)).toBe('ADD COLUMN n bigint DEFAULT random()');
  });
});
