import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'domain-constraint-added';
const EARLIER = 'CREATE DOMAIN posint AS integer; CREATE TABLE orders (id bigint, qty posint); CREATE TABLE lines (n posint); CREATE TABLE other (a int);';

function earlier(sql = EARLIER): Catalog {
  const catalog = new Catalog();
  replaySql(catalog, sql, 'earlier.sql');
  return catalog;
}

function findings(sql: string, base: Catalog | undefined = earlier(), tables?: Record<string, { rows: number }>): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(tables ? { project: { tables } } : {}) }, base).findings.filter((f) => f.rule === RULE);
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('domain-constraint-added', () => {
  it('names every table the model finds using the domain, with its ShareLock', () => {
    const sql = 'ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { domain: 'posint', tables: 'public.lines, public.orders', lock: 'ShareLock', form: 'add-constraint', domainKnown: true },
    });
    expect(finding!.message).toContain('VALIDATE CONSTRAINT on a domain takes the same ShareLock');
    expect(covered(sql, finding!.range)).toBe(sql.slice(0, -1));
  });

  it('reports SET NOT NULL too, and accepts NOT VALID', () => {
    expect(findings('ALTER DOMAIN posint SET NOT NULL;').map((f) => f.data?.form)).toEqual(['set-not-null']);
    expect(findings('ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID;')).toEqual([]);
    expect(findings('ALTER DOMAIN posint DROP NOT NULL;')).toEqual([]);
  });

  it('a known domain no existing table uses: no finding; an unknown domain: reported, tables unknown', () => {
    expect(findings('CREATE DOMAIN d AS text;\nCREATE TABLE t (a d);\nALTER DOMAIN d ADD CONSTRAINT d_len CHECK (length(VALUE) < 10);')).toEqual([]);
    const [unknown] = findings('ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE LIKE \'%@%\');', new Catalog());
    expect(unknown).toMatchObject({ severity: 'warning', data: { domainKnown: false, tables: '', sizeClass: 'unknown' } });
    expect(unknown!.message).toContain('every table with a column of email');
  });

  it('scales the severity with the largest table using the domain', () => {
    const sql = 'ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0);';
    expect(findings(sql, earlier(), { orders: { rows: 100 }, lines: { rows: 200 } }).map((f) => f.severity)).toEqual(['info']);
    const [large] = findings(sql, earlier(), { orders: { rows: 100 }, lines: { rows: 9_000_000 } });
    expect(large).toMatchObject({ severity: 'error', data: { rows: 9_000_000 } });
    expect(findings(sql, earlier(), { other: { rows: 9_000_000 } }).map((f) => f.severity)).toEqual(['warning']);
  });

  it('re-checks a cached statement when an earlier statement adds a table using the domain', () => {
    const analyzer = new DocumentAnalyzer();
    const alter = 'ALTER DOMAIN d ADD CONSTRAINT d_positive CHECK (VALUE > 0);';
    const count = (text: string) => analyzer.analyze(text, { pgVersion: 17 }, earlier('CREATE DOMAIN d AS int; CREATE TABLE t (a int);')).findings.filter((f) => f.rule === RULE).length;
    expect(count(`SELECT 1;\n${alter}`)).toBe(0);
    expect(count(`ALTER TABLE t ADD COLUMN b d;\n${alter}`)).toBe(1);
  });
});
