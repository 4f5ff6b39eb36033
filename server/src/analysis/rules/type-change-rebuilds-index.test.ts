import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentAnalyzer, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import { covered, findingsOf, type FindingsOptions } from './column-rules-testing';

beforeAll(async () => {
  await initParser();
});

const RULE = 'type-change-rebuilds-index';
const SCHEMA =
  'CREATE TABLE users (id int PRIMARY KEY, email varchar(50), name varchar(50), n int);\n' +
  'CREATE INDEX users_lower_email_idx ON users (lower(email));\nCREATE INDEX users_name_idx ON users (name);\n' +
  'CREATE INDEX users_active_idx ON users (n) WHERE email IS NOT NULL;';
const findings = (sql: string, options: FindingsOptions = {}) => findingsOf(RULE, sql, { schema: SCHEMA, ...options });

describe('type-change-rebuilds-index', () => {
  it('reports a binary-coercible change that rebuilds the expression and partial indexes on the column', () => {
    const [finding, ...rest] = findings('ALTER TABLE users ALTER COLUMN email TYPE varchar(100);');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: {
        table: 'public.users',
        column: 'email',
        from: 'varchar(50)',
        to: 'varchar(100)',
        indexes: 'public.users_active_idx, public.users_lower_email_idx',
      },
    });
    expect(finding!.message).toContain('keeps the rows of public.users but rebuilds indexes');
  });

  it('reports a collation change that rebuilds a plain index', () => {
    expect(findings('ALTER TABLE users ALTER COLUMN name TYPE text COLLATE "C";')[0]!.data).toMatchObject({ indexes: 'public.users_name_idx' });
  });

  it('does not report a change whose plain indexes keep their storage, nor one that rewrites the table', () => {
    expect(findings('ALTER TABLE users ALTER COLUMN name TYPE varchar(100);')).toEqual([]);
    expect(findings('ALTER TABLE users ALTER COLUMN name TYPE text;')).toEqual([]);
    // A rewrite rebuilds every index: column-type-rewrite reports it, with the count.
    expect(findings('ALTER TABLE users ALTER COLUMN email TYPE varchar(10);')).toEqual([]);
    expect(findingsOf('column-type-rewrite', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(10);', { schema: SCHEMA })).toHaveLength(1);
  });

  it('exempts a table created in the file, scales with the size and underlines the clause', () => {
    expect(findingsOf(RULE, SCHEMA + '\nALTER TABLE users ALTER COLUMN email TYPE varchar(100);')).toEqual([]);
    const sql = 'ALTER TABLE users ALTER COLUMN n SET DEFAULT 0, ALTER COLUMN email TYPE varchar(100);';
    expect(findings(sql, { tables: { users: { rows: 20_000_000 } } })[0]!.severity).toBe('error');
    expect(findings(sql, { tables: { users: { rows: 20 } } })[0]!.severity).toBe('info');
    expect(covered(sql, findings(sql)[0]!.range)).toBe('ALTER COLUMN email TYPE varchar(100)');
  });

  it('re-checks a cached statement when an earlier statement changes the indexes on the column', () => {
    const analyzer = new DocumentAnalyzer();
    const base = new Catalog();
    replaySql(base, 'CREATE TABLE users (email varchar(50));', 'earlier.sql');
    const rule = (text: string) => analyzer.analyze(text, { pgVersion: 17 }, base).findings.filter((f) => f.rule === RULE);
    const alter = '\nALTER TABLE users ALTER COLUMN email TYPE varchar(100);';
    expect(rule('CREATE INDEX CONCURRENTLY e_idx ON users (lower(email));' + alter)).toHaveLength(1);
    expect(rule('CREATE INDEX CONCURRENTLY e_idx ON users (email);' + alter)).toEqual([]);
  });
});
