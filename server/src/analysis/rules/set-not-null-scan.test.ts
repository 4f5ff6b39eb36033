import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'set-not-null-scan';

function findings(sql: string, pgVersion = 17, tables?: Record<string, { rows: number }>, base?: Catalog): Finding[] {
  return analyzeText(sql, { pgVersion, ...(tables ? { project: { tables } } : {}) }, base).findings.filter((f) => f.rule === RULE);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('set-not-null-scan', () => {
  it('reports SET NOT NULL on an existing table, naming table, column and lock', () => {
    const [finding, ...rest] = findings('ALTER TABLE orders ALTER COLUMN status SET NOT NULL;');
    expect(rest).toEqual([]);
    expect(finding!.data).toEqual({ table: 'public.orders', column: 'status', lock: 'AccessExclusiveLock', form: 'set-not-null', sizeClass: 'unknown' });
  });

  it('underlines the SET NOT NULL clause among others', () => {
    const sql = 'ALTER TABLE orders\n  ADD COLUMN note text,\n  ALTER COLUMN status SET NOT NULL;';
    const [finding] = findings(sql);
    expect(covered(sql, finding!.range)).toBe('ALTER COLUMN status SET NOT NULL');
  });

  it('exempts a table created earlier in the same file', () => {
    expect(findings('CREATE TABLE orders (status text);\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;')).toEqual([]);
  });

  it('skips the report after a CHECK (col IS NOT NULL) added NOT VALID and then validated', () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT orders_status_not_null CHECK (status IS NOT NULL) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_status_not_null;',
      'ALTER TABLE orders ALTER COLUMN status SET NOT NULL;',
    ].join('\n');
    expect(findings(sql)).toEqual([]);
  });

  it('skips the report after a CHECK added without NOT VALID (validated at once), also as one AND conjunct', () => {
    expect(findings('ALTER TABLE orders ADD CHECK (status IS NOT NULL);\nALTER TABLE orders ALTER status SET NOT NULL;')).toEqual([]);
    const conjunct = "ALTER TABLE orders ADD CONSTRAINT c CHECK (status IS NOT NULL AND status <> '');\nALTER TABLE orders ALTER status SET NOT NULL;";
    expect(findings(conjunct)).toEqual([]);
  });

  it('still reports when the CHECK was never validated, was dropped, or covers another column/table', () => {
    const notValidated = 'ALTER TABLE orders ADD CONSTRAINT c CHECK (status IS NOT NULL) NOT VALID;\nALTER TABLE orders ALTER status SET NOT NULL;';
    expect(findings(notValidated).map((f) => f.statement)).toEqual([1]);
    const dropped = [
      'ALTER TABLE orders ADD CONSTRAINT c CHECK (status IS NOT NULL);',
      'ALTER TABLE orders DROP CONSTRAINT c;',
      'ALTER TABLE orders ALTER status SET NOT NULL;',
    ].join('\n');
    expect(findings(dropped).map((f) => f.statement)).toEqual([2]);
    const otherColumn = 'ALTER TABLE orders ADD CHECK (total IS NOT NULL);\nALTER TABLE orders ALTER status SET NOT NULL;';
    expect(findings(otherColumn).map((f) => f.statement)).toEqual([1]);
    const otherTable = 'ALTER TABLE invoices ADD CHECK (status IS NOT NULL);\nALTER TABLE orders ALTER status SET NOT NULL;';
    expect(findings(otherTable).map((f) => f.statement)).toEqual([1]);
  });

  it('does not treat a CHECK that merely implies non-null (status > 0) as proof — PostgreSQL does not either', () => {
    const sql = 'ALTER TABLE orders ADD CHECK (status > 0);\nALTER TABLE orders ALTER status SET NOT NULL;';
    expect(findings(sql).map((f) => f.statement)).toEqual([1]);
  });

  it('does not treat an OR as proof', () => {
    const sql = 'ALTER TABLE orders ADD CHECK (status IS NOT NULL OR total > 0);\nALTER TABLE orders ALTER status SET NOT NULL;';
    expect(findings(sql).map((f) => f.statement)).toEqual([1]);
  });

  it('reports PostgreSQL 18 ADD CONSTRAINT … NOT NULL unless NOT VALID', () => {
    expect(findings('ALTER TABLE orders ADD CONSTRAINT orders_status_nn NOT NULL status;', 18)[0]!.data).toMatchObject({
      column: 'status',
      form: 'add-not-null-constraint',
    });
    expect(findings('ALTER TABLE orders ADD CONSTRAINT orders_status_nn NOT NULL status NOT VALID;', 18)).toEqual([]);
  });

  it('re-checks a cached SET NOT NULL when an earlier CHECK is edited (incremental analysis)', () => {
    const analyzer = new DocumentAnalyzer();
    const setNotNull = 'ALTER TABLE orders ALTER status SET NOT NULL;';
    const run = (first: string) => analyzer.analyze(`${first}\n${setNotNull}`, { pgVersion: 17 }).findings.filter((f) => f.rule === RULE);
    expect(run('ALTER TABLE orders ADD CHECK (status IS NOT NULL);')).toEqual([]);
    expect(run('ALTER TABLE orders ADD CHECK (status IS NOT NULL) NOT VALID;')).toHaveLength(1);
    expect(run('ALTER TABLE orders ADD CHECK (status IS NOT NULL);')).toEqual([]);
  });

  it('scales the severity with the table size and says the size it used', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN status SET NOT NULL;';
    const large = findings(sql, 17, { orders: { rows: 50_000_000 } })[0]!;
    expect(large).toMatchObject({ severity: 'error', data: { rows: 50_000_000, sizeClass: 'large' } });
    expect(large.message).toContain('(public.orders has about 50,000,000 rows)');
    expect(findings(sql, 17, { orders: { rows: 200 } })[0]).toMatchObject({ severity: 'info', data: { sizeClass: 'small' } });
    const unknown = findings(sql)[0]!;
    expect(unknown.severity).toBe('warning');
    expect(unknown.message).toContain('table size unknown for public.orders');
  });

  it('resolves the table through search_path, also for the CHECK that proves NOT NULL', () => {
    const base = new Catalog();
    replaySql(
      base,
      'CREATE SCHEMA app;\nCREATE TABLE app.orders (status text);\nCREATE TABLE public.orders (status text);\n' +
        'ALTER TABLE public.orders ADD CONSTRAINT status_nn CHECK (status IS NOT NULL);',
      'earlier.sql',
    );
    // public.orders has the proof, app.orders does not: with app first on the path the scan happens.
    const inApp = findings('SET search_path = app, public;\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;', 17, undefined, base);
    expect(inApp.map((f) => f.data?.table)).toEqual(['app.orders']);
    expect(findings('ALTER TABLE orders ALTER COLUMN status SET NOT NULL;', 17, undefined, base)).toEqual([]);
  });
});
