import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { FileContext } from '../file-context';
import type { Severity } from '../types';
import { LARGE_TABLE_ROWS, SMALL_TABLE_ROWS, classifyRows, formatRows, sizeData, sizedSeverity } from './table-size';

beforeAll(async () => {
  await initParser();
});

/** A FileContext that only knows row counts: sizedSeverity reads nothing else. */
function sizes(rows: Record<string, number>): { file: FileContext } {
  return { file: { tableRows: (name: string) => rows[name] } as unknown as FileContext };
}

describe('classifyRows', () => {
  it('puts the thresholds on the documented side', () => {
    expect(classifyRows(0)).toBe('small');
    expect(classifyRows(SMALL_TABLE_ROWS)).toBe('small');
    expect(classifyRows(SMALL_TABLE_ROWS + 1)).toBe('medium');
    expect(classifyRows(LARGE_TABLE_ROWS - 1)).toBe('medium');
    expect(classifyRows(LARGE_TABLE_ROWS)).toBe('large');
    expect(classifyRows(5e9)).toBe('large');
  });
});

describe('sizedSeverity', () => {
  it('maps small/medium/large to info/warning/error whatever the default, and names the size used', () => {
    for (const defaultSeverity of ['info', 'warning', 'error'] as Severity[]) {
      expect(sizedSeverity(sizes({ 'public.t': 200 }), ['public.t'], defaultSeverity)).toMatchObject({ severity: 'info', sizeClass: 'small', rows: 200 });
      expect(sizedSeverity(sizes({ 'public.t': 50_000 }), ['public.t'], defaultSeverity)).toMatchObject({ severity: 'warning', sizeClass: 'medium' });
      expect(sizedSeverity(sizes({ 'public.t': 50_000_000 }), ['public.t'], defaultSeverity)).toMatchObject({ severity: 'error', sizeClass: 'large' });
    }
    expect(sizedSeverity(sizes({ 'public.orders': 50_000_000 }), ['public.orders'], 'warning').phrase).toBe('public.orders has about 50,000,000 rows');
  });

  it('keeps the default when the size is unknown, and says how to give it', () => {
    const sized = sizedSeverity(sizes({ 'public.other': 5 }), ['public.orders'], 'warning');
    expect(sized).toMatchObject({ severity: 'warning', sizeClass: 'unknown' });
    expect(sized.rows).toBeUndefined();
    expect(sized.phrase).toContain('table size unknown for public.orders');
    expect(sized.phrase).toContain('lockstep stats');
    expect(sized.phrase).not.toMatch(/[()]/);
  });

  it('lets the largest known table decide', () => {
    const context = sizes({ 'public.small': 10, 'public.big': 2_000_000 });
    expect(sizedSeverity(context, ['public.small', 'public.big'], 'warning')).toMatchObject({ severity: 'error', table: 'public.big', rows: 2_000_000 });
  });

  it('does not lower the default on the word of a small table when another size is unknown', () => {
    const context = sizes({ 'public.small': 10, 'public.big': 2_000_000 });
    const partial = sizedSeverity(context, ['public.small', 'public.unknown'], 'warning');
    expect(partial).toMatchObject({ severity: 'warning', sizeClass: 'unknown', rows: 10 });
    expect(partial.phrase).toContain('public.small has about 10 rows');
    expect(partial.phrase).toContain('unknown for public.unknown');
    // A known large table is an error whatever the unknown one holds.
    expect(sizedSeverity(context, ['public.big', 'public.unknown'], 'warning')).toMatchObject({ severity: 'error', sizeClass: 'large' });
  });

  it('names a table listed twice once', () => {
    expect(sizedSeverity(sizes({}), ['public.t', 'public.t'], 'info').phrase).toMatch(/unknown for public\.t:/);
  });

  it('gives data for findings without the phrase', () => {
    expect(sizeData(sizedSeverity(sizes({ 'public.t': 3 }), ['public.t'], 'warning'))).toEqual({ sizeClass: 'small', rows: 3 });
    expect(sizeData(sizedSeverity(sizes({}), ['public.t'], 'warning'))).toEqual({ sizeClass: 'unknown' });
    expect(formatRows(1234567.4)).toBe('1,234,567');
  });
});

describe('table sizes through the analyzer (lockstep.json "tables")', () => {
  const sql = 'CREATE INDEX orders_status_idx ON orders (status);';
  const finding = (tables?: Record<string, { rows?: number }>, text = sql, base?: Catalog) =>
    analyzeText(text, { pgVersion: 17, ...(tables ? { project: { tables } } : {}) }, base).findings.find((f) => f.rule === 'create-index-nonconcurrent');

  it('reads unqualified, qualified and quoted names as written in SQL', () => {
    expect(finding({ orders: { rows: 50_000_000 } })?.severity).toBe('error');
    expect(finding({ 'public.orders': { rows: 200 } })?.severity).toBe('info');
    expect(finding({ '"Orders"': { rows: 200 } }, 'CREATE INDEX i ON "Orders" (a);')?.data).toMatchObject({ table: 'public."Orders"', rows: 200 });
    // A name PostgreSQL folds to lower case is not the quoted mixed-case table.
    expect(finding({ Orders: { rows: 200 } }, 'CREATE INDEX i ON "Orders" (a);')?.data).toMatchObject({ sizeClass: 'unknown' });
    expect(finding({ orders: {} })?.data).toMatchObject({ sizeClass: 'unknown' });
  });

  it('looks the size up under the table search_path resolves to', () => {
    const base = new Catalog();
    replaySql(base, 'CREATE SCHEMA app;\nCREATE TABLE app.orders (status text);\nCREATE TABLE public.orders (status text);', 'earlier.sql');
    const tables = { 'app.orders': { rows: 50_000_000 }, 'public.orders': { rows: 10 } };
    const inApp = finding(tables, "SET search_path = app, public;\nCREATE INDEX orders_status_idx ON orders (status);", base);
    expect(inApp).toMatchObject({ severity: 'error', data: { table: 'app.orders', rows: 50_000_000 } });
    const inPublic = finding(tables, sql, base);
    expect(inPublic).toMatchObject({ severity: 'info', data: { table: 'public.orders', rows: 10 } });
  });
});
