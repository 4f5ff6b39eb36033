import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-required';
const findings = (sql: string, options?: FindingsOptions) => findingsOf(RULE, sql, options);

describe('add-column-required', () => {
  it('reports NOT NULL without a DEFAULT on an existing table: it fails once the table has a row', () => {
    const [finding, ...rest] = findings('ALTER TABLE orders ADD COLUMN status text NOT NULL;');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', data: { table: 'public.orders', column: 'status', form: 'not-null' } });
    expect(finding!.message).toContain('column contains null values');
  });

  it('reports DEFAULT NULL like no default, and a PRIMARY KEY (NOT NULL) without a value', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT NULL;')).toHaveLength(1);
    expect(findings('ALTER TABLE orders ADD COLUMN id bigint PRIMARY KEY;')[0]!.data).toMatchObject({ form: 'primary-key' });
  });

  it('accepts a constant or volatile DEFAULT, serial, identity and generated columns, and nullable columns', () => {
    expect(findings("ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';")).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN seq bigserial NOT NULL;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN c bigint NOT NULL GENERATED ALWAYS AS (total * 100) STORED;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN status text;')).toEqual([]);
  });

  it('is an error when the table has rows, info when it is known to be empty', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN status text NOT NULL;';
    const large = findings(sql, { tables: { orders: { rows: 1_200 } } })[0]!;
    expect(large).toMatchObject({ severity: 'error', data: { rows: 1_200 } });
    expect(large.message).toContain('so it will fail');
    expect(findings(sql, { tables: { orders: { rows: 0 } } })[0]!.severity).toBe('info');
  });

  it('exempts a table created earlier in the same file, and underlines the clause', () => {
    expect(findings('CREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN status text NOT NULL;')).toEqual([]);
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ADD COLUMN status text NOT NULL;';
    expect(covered(sql, findings(sql)[0]!.range)).toBe('ADD COLUMN status text NOT NULL');
  });
});
