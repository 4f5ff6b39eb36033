import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'unique-constraint-without-index';

function findings(sql: string, rows?: number, base?: Catalog): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(rows !== undefined ? { project: { tables: { users: { rows } } } } : {}) }, base).findings.filter(
    (f) => f.rule === RULE,
  );
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('unique-constraint-without-index', () => {
  it('reports ADD CONSTRAINT … UNIQUE with the AccessExclusiveLock the model gives, and the USING INDEX path', () => {
    const sql = 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.users', lock: 'AccessExclusiveLock', columns: 'email', constraint: 'users_email_key' },
    });
    expect(finding!.message).toContain('CREATE UNIQUE INDEX CONCURRENTLY');
    expect(finding!.message).toContain('UNIQUE USING INDEX');
    expect(covered(sql, finding!.range)).toBe('ADD CONSTRAINT users_email_key UNIQUE (email)');
  });

  it('accepts USING INDEX, a PRIMARY KEY (its own rule) and a table created earlier in the file', () => {
    expect(findings('ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;')).toEqual([]);
    expect(findings('ALTER TABLE users ADD PRIMARY KEY (id);')).toEqual([]);
    expect(findings('CREATE TABLE users (id int, email text);\nALTER TABLE users ADD UNIQUE (email);')).toEqual([]);
  });

  it('scales the severity with the table size', () => {
    const sql = 'ALTER TABLE users ADD UNIQUE (email);';
    expect(findings(sql, 50).map((f) => f.severity)).toEqual(['info']);
    expect(findings(sql, 5_000_000).map((f) => f.severity)).toEqual(['error']);
  });

  it('on a partitioned table, does not suggest USING INDEX (it does not exist there)', () => {
    const base = new Catalog();
    replaySql(base, 'CREATE TABLE m (a int, d date) PARTITION BY RANGE (d);', 'earlier.sql');
    const [finding] = findings('ALTER TABLE m ADD UNIQUE (a, d);', undefined, base);
    expect(finding!.message).not.toContain('USING INDEX, which');
    expect(finding!.message).toContain('partitioned table has no USING INDEX');
  });
});
