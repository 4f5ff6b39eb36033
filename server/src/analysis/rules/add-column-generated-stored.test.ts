import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-generated-stored';
const findings = (sql: string, options?: FindingsOptions) => findingsOf(RULE, sql, options);
const STORED = 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;';

describe('add-column-generated-stored', () => {
  it('reports a STORED generated column on an existing table as a rewrite under AccessExclusiveLock', () => {
    const [finding, ...rest] = findings(STORED);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.orders', column: 'total_cents', lock: 'AccessExclusiveLock', sizeClass: 'unknown' },
    });
    expect(finding!.message).toContain('rewrites all of public.orders and its indexes');
  });

  it('reports STORED on PostgreSQL 18 too, but not a VIRTUAL column there (computed on read, no rewrite)', () => {
    expect(findings(STORED, { pgVersion: 18 })).toHaveLength(1);
    expect(findings(STORED, { pgVersion: 18 })[0]!.message).toContain('make it VIRTUAL');
    expect(findings('ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) VIRTUAL;', { pgVersion: 18 })).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100);', { pgVersion: 18 })).toEqual([]);
  });

  it('scales with the table size', () => {
    expect(findings(STORED, { tables: { orders: { rows: 5_000_000 } } })[0]).toMatchObject({ severity: 'error', data: { rows: 5_000_000 } });
    expect(findings(STORED, { tables: { orders: { rows: 100 } } })[0]).toMatchObject({ severity: 'info', data: { sizeClass: 'small' } });
  });

  it('says that a UNIQUE generated column builds its index in the same pass', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN k text GENERATED ALWAYS AS (lower(code)) STORED UNIQUE;';
    expect(findings(sql)[0]!.message).toContain('The unique index is built in the same pass.');
  });

  it('exempts a table created earlier in the same file, and ignores plain columns', () => {
    expect(findings('CREATE TABLE orders (total numeric);\n' + STORED)).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN total_cents bigint;')).toEqual([]);
  });

  it('underlines the ADD COLUMN clause', () => {
    const sql = 'ALTER TABLE orders\n  ADD COLUMN note text,\n  ADD COLUMN c bigint GENERATED ALWAYS AS (total * 100) STORED;';
    expect(covered(sql, findings(sql)[0]!.range)).toBe('ADD COLUMN c bigint GENERATED ALWAYS AS (total * 100) STORED');
  });
});
