import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../analyzer';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'add-column-constrained-domain';
const findings = (sql: string, options?: FindingsOptions) => findingsOf(RULE, sql, options);
const DOMAIN = 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);';

describe('add-column-constrained-domain', () => {
  it('reports a column of a domain with a CHECK, defined in an earlier migration: the table is rewritten', () => {
    const [finding, ...rest] = findings('ALTER TABLE orders ADD COLUMN qty positive_int;', { schema: DOMAIN });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.orders', column: 'qty', domain: 'public.positive_int', lock: 'AccessExclusiveLock' },
    });
    expect(finding!.message).toContain('rewriting all of public.orders');
  });

  it('reports it with a constant DEFAULT too, and for a NOT NULL domain', () => {
    expect(findings(DOMAIN + '\nALTER TABLE orders ADD COLUMN qty positive_int DEFAULT 1;')).toHaveLength(1);
    expect(findings("CREATE DOMAIN code AS text NOT NULL DEFAULT 'x';\nALTER TABLE orders ADD COLUMN c code;")).toHaveLength(1);
  });

  it('does not report a domain without constraints, an unknown type, or a base type', () => {
    expect(findings('CREATE DOMAIN plain_int AS int;\nALTER TABLE orders ADD COLUMN qty plain_int;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN qty positive_int;')).toEqual([]);
    expect(findings(DOMAIN + '\nALTER TABLE orders ADD COLUMN qty int;')).toEqual([]);
  });

  it('leaves a volatile DEFAULT on a domain column to add-column-volatile-default', () => {
    const sql = "CREATE DOMAIN token AS text CHECK (VALUE <> '');\nALTER TABLE orders ADD COLUMN t token DEFAULT gen_random_uuid()::text;";
    expect(findings(sql)).toEqual([]);
    expect(findingsOf('add-column-volatile-default', sql)).toHaveLength(1);
  });

  it('scales with the size, exempts new tables and underlines the clause', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, ADD COLUMN qty positive_int;';
    expect(findings(sql, { schema: DOMAIN, tables: { orders: { rows: 9_000_000 } } })[0]!.severity).toBe('error');
    expect(findings(sql, { schema: DOMAIN, tables: { orders: { rows: 10 } } })[0]!.severity).toBe('info');
    expect(covered(sql, findings(sql, { schema: DOMAIN })[0]!.range)).toBe('ADD COLUMN qty positive_int');
    expect(findings(DOMAIN + '\nCREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN qty positive_int;')).toEqual([]);
  });

  it('re-checks a cached ALTER when the domain is edited earlier in the file', async () => {
    const { DocumentAnalyzer } = await import('../analyzer');
    const analyzer = new DocumentAnalyzer();
    const rule = (text: string) => analyzer.analyze(text, { pgVersion: 17 }).findings.filter((f) => f.rule === RULE);
    expect(rule(DOMAIN + '\nALTER TABLE orders ADD COLUMN qty positive_int;')).toHaveLength(1);
    expect(rule('CREATE DOMAIN positive_int AS int;\nALTER TABLE orders ADD COLUMN qty positive_int;')).toEqual([]);
  });
});
