import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-references';
const findings = (sql: string, options?: FindingsOptions) => findingsOf(RULE, sql, options);

describe('add-column-references', () => {
  it('reports the ShareRowExclusiveLock on the referenced table, and that no row is checked', () => {
    const [finding, ...rest] = findings('ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'info',
      data: { table: 'public.orders', column: 'customer_id', referencedTable: 'public.customers', referencedLock: 'ShareRowExclusiveLock' },
    });
    expect(finding!.message).toContain('no row is checked');
  });

  it('leaves a column with a DEFAULT (validated against every row) to fk-without-not-valid', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN customer_id bigint NOT NULL DEFAULT 1 REFERENCES customers (id);';
    expect(findings(sql)).toEqual([]);
    expect(findingsOf('fk-without-not-valid', sql)).toHaveLength(1);
  });

  it('does not report a self-reference, a referenced table created in the file, or a new referencing table', () => {
    expect(findings('ALTER TABLE nodes ADD COLUMN parent_id bigint REFERENCES nodes (id);')).toEqual([]);
    expect(findings('CREATE TABLE customers (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);')).toEqual([]);
    expect(findings('CREATE TABLE orders (id bigint);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);')).toEqual([]);
  });

  it('resolves the referenced table through search_path', () => {
    const sql = 'SET search_path = crm, public;\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);';
    const schema = 'CREATE SCHEMA crm; CREATE TABLE crm.customers (id bigint PRIMARY KEY); CREATE TABLE public.orders (id bigint);';
    expect(findings(sql, { schema })[0]!.data).toMatchObject({ table: 'public.orders', referencedTable: 'crm.customers' });
  });

  it('underlines the clause', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ADD COLUMN customer_id bigint REFERENCES customers;';
    expect(covered(sql, findings(sql)[0]!.range)).toBe('ADD COLUMN customer_id bigint REFERENCES customers');
  });
});
