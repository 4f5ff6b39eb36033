import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'column-type-rewrite';
/** orders as earlier migrations left it: an index on n, an expression index on v, a primary key, a referencing table. */
const SCHEMA =
  'CREATE TABLE orders (id int PRIMARY KEY, n int, v varchar(20), b text, c char(5), ts timestamp, amount numeric(10,2));\n' +
  'CREATE INDEX orders_n_idx ON orders (n);\nCREATE INDEX orders_lower_v_idx ON orders (lower(v));\n' +
  'CREATE TABLE items (id int, order_id int REFERENCES orders (id));';
const findings = (sql: string, options: FindingsOptions = {}) => findingsOf(RULE, sql, { schema: SCHEMA, ...options });

describe('column-type-rewrite', () => {
  it('reports int → bigint: the table is rewritten and every index rebuilt, named and counted', () => {
    const [finding, ...rest] = findings('ALTER TABLE orders ALTER COLUMN n TYPE bigint;');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.orders', column: 'n', from: 'integer', to: 'bigint', indexesRebuilt: 3, lock: 'AccessExclusiveLock' },
    });
    expect(finding!.message).toContain('rebuilds its 3 indexes (public.orders_lower_v_idx, public.orders_n_idx, public.orders_pkey)');
  });

  it.each([
    ['v TYPE varchar(10)', 'a shorter varchar'],
    ['b TYPE varchar(50)', 'text → varchar(n)'],
    ['amount TYPE numeric(12,3)', 'a numeric scale change'],
    ['c TYPE char(10)', 'a char(n) length change'],
    ["b TYPE text USING b || ''", 'a USING expression'],
  ])('reports %s (%s)', (change) => {
    expect(findings(`ALTER TABLE orders ALTER COLUMN ${change};`)).toHaveLength(1);
  });

  it.each([
    ['v TYPE varchar(100)', 'varchar(50) → varchar(100): a longer varchar'],
    ['v TYPE text', 'varchar → text'],
    ['b TYPE varchar', 'text → unconstrained varchar'],
    ['amount TYPE numeric(12,2)', 'numeric precision up, same scale'],
    ['n TYPE int', 'the same type'],
  ])('does not report the binary-coercible %s (%s)', (change) => {
    expect(findings(`ALTER TABLE orders ALTER COLUMN ${change};`)).toEqual([]);
  });

  it('says that foreign keys to the column are re-validated, reading the referencing table', () => {
    expect(findings('ALTER TABLE orders ALTER COLUMN id TYPE bigint;')[0]!.message).toContain('re-validated, reading public.items');
  });

  it('warns, as uncertain, when the column is not in the schema it read: the change may rewrite', () => {
    const [finding, ...rest] = findingsOf(RULE, 'ALTER TABLE orders ALTER COLUMN n TYPE bigint;');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.orders', column: 'n', to: 'bigint', certain: false, lock: 'AccessExclusiveLock', sizeClass: 'unknown' },
    });
    expect(finding!.data).not.toHaveProperty('from');
    expect(finding!.message).toContain('may rewrite public.orders under AccessExclusiveLock: the current type of n is unknown (not created by the migrations Lockstep read)');
    expect(finding!.message).toContain('unless it is binary-coercible (varchar(n) → text');
  });

  it('warns when the table is known but the column is not (added outside the migrations it read)', () => {
    expect(findings('ALTER TABLE orders ALTER COLUMN note TYPE text;')[0]).toMatchObject({ data: { column: 'note', certain: false } });
  });

  it('scales the uncertain warning with the table size, and underlines only the unknown subcommand', () => {
    const sql = 'ALTER TABLE orders\n  ALTER COLUMN v TYPE varchar(40),\n  ALTER COLUMN note TYPE bigint;';
    const large = findings(sql, { tables: { orders: { rows: 80_000_000 } } });
    expect(large.map((f) => [f.data?.column, f.severity, f.data?.rows])).toEqual([['note', 'error', 80_000_000]]);
    expect(covered(sql, large[0]!.range)).toBe('ALTER COLUMN note TYPE bigint');
    expect(findings(sql, { tables: { orders: { rows: 5 } } })[0]!.severity).toBe('info');
  });

  it('warns when the current type is known but the new type is not (the model cannot classify it)', () => {
    const [finding] = findings('ALTER TABLE orders ALTER COLUMN b TYPE app.unseen_type;');
    expect(finding).toMatchObject({ data: { from: 'text', certain: false } });
    expect(finding!.message).toContain('whether text → app.unseen_type keeps the rows is not known');
  });

  it('marks proven rewrites certain', () => {
    expect(findings('ALTER TABLE orders ALTER COLUMN n TYPE bigint;')[0]!.data).toMatchObject({ certain: true, from: 'integer' });
  });

  it('leaves timestamp → timestamptz to timestamp-to-timestamptz-timezone', () => {
    expect(findings('ALTER TABLE orders ALTER COLUMN ts TYPE timestamptz;')).toEqual([]);
  });

  it('exempts a table created earlier in the same file', () => {
    expect(findingsOf(RULE, 'CREATE TABLE t (n int);\nALTER TABLE t ALTER COLUMN n TYPE bigint;')).toEqual([]);
  });

  it('scales with the table size', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN n TYPE bigint;';
    expect(findings(sql, { tables: { orders: { rows: 80_000_000 } } })[0]).toMatchObject({ severity: 'error', data: { rows: 80_000_000 } });
    expect(findings(sql, { tables: { orders: { rows: 5 } } })[0]!.severity).toBe('info');
  });

  it('reports only the rewriting subcommand of several, underlining it', () => {
    const sql = 'ALTER TABLE orders\n  ALTER COLUMN v TYPE varchar(40),\n  ALTER COLUMN n TYPE bigint;';
    const result = findings(sql);
    expect(result.map((f) => f.data?.column)).toEqual(['n']);
    expect(covered(sql, result[0]!.range)).toBe('ALTER COLUMN n TYPE bigint');
  });

  it('follows an earlier type change in the same file: varchar(20) → text, then text → varchar(50) rewrites', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN v TYPE text;\nALTER TABLE orders ALTER COLUMN v TYPE varchar(50);';
    expect(findings(sql).map((f) => [f.statement, f.data?.from])).toEqual([[1, 'text']]);
  });

  it('re-checks a cached statement when an earlier statement adds a foreign key from a table it does not name', () => {
    const analyzer = new DocumentAnalyzer();
    const base = new Catalog();
    replaySql(base, 'CREATE TABLE orders (id int PRIMARY KEY);', 'earlier.sql');
    const messages = (text: string) =>
      analyzer.analyze(text, { pgVersion: 17 }, base).findings.filter((f) => f.rule === RULE).map((f) => f.message);
    const alter = '\nALTER TABLE orders ALTER COLUMN id TYPE bigint;';
    expect(messages('CREATE TABLE items (order_id int REFERENCES orders (id));' + alter)[0]).toContain('reading public.items');
    // Same ALTER text; only the earlier statement changed, and the cached answer must not survive it.
    expect(messages('CREATE TABLE items (order_id int);' + alter)[0]).not.toContain('public.items');
  });
});
