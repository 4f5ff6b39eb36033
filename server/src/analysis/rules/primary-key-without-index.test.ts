import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { Catalog } from '../catalog';
import { replaySql } from '../catalog/testing';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

const RULE = 'primary-key-without-index';

function earlier(sql: string): Catalog {
  const catalog = new Catalog();
  replaySql(catalog, sql, 'earlier.sql');
  return catalog;
}

function findings(sql: string, base?: Catalog, rows?: number): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(rows !== undefined ? { project: { tables: { accounts: { rows } } } } : {}) }, base).findings.filter(
    (f) => f.rule === RULE,
  );
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('primary-key-without-index', () => {
  it('reports ADD PRIMARY KEY with the build under AccessExclusiveLock, and the NOT NULL scan of a nullable column', () => {
    const sql = 'ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);';
    const [finding, ...rest] = findings(sql, earlier('CREATE TABLE accounts (id bigint, name text);'));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'warning',
      data: { table: 'public.accounts', lock: 'AccessExclusiveLock', form: 'build-index', columns: 'id', nullableColumns: 'id' },
    });
    expect(finding!.message).toContain('makes id NOT NULL, another full scan');
    expect(finding!.message).toContain('PRIMARY KEY USING INDEX');
    expect(covered(sql, finding!.range)).toBe('ADD CONSTRAINT accounts_pkey PRIMARY KEY (id)');
  });

  it('does not mention a NOT NULL scan for columns already NOT NULL, or made NOT NULL by the same statement', () => {
    const [notNull] = findings('ALTER TABLE accounts ADD PRIMARY KEY (id);', earlier('CREATE TABLE accounts (id bigint NOT NULL);'));
    expect(notNull!.data?.nullableColumns).toBe('');
    expect(notNull!.message).not.toContain('NOT NULL, another');
    const [same] = findings('ALTER TABLE accounts ALTER COLUMN id SET NOT NULL, ADD PRIMARY KEY (id);', earlier('CREATE TABLE accounts (id bigint);'));
    expect(same!.data?.nullableColumns).toBe('');
  });

  it('reports PRIMARY KEY USING INDEX only when the lock model says it scans for NULLs', () => {
    const nullable = earlier('CREATE TABLE accounts (id bigint); CREATE UNIQUE INDEX accounts_id_idx ON accounts (id);');
    const [scan] = findings('ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx;', nullable);
    expect(scan).toMatchObject({ data: { form: 'using-index-sets-not-null', nullableColumns: 'id', lock: 'AccessExclusiveLock' } });
    expect(scan!.message).toContain('CHECK (id IS NOT NULL) NOT VALID');
    const notNull = earlier('CREATE TABLE accounts (id bigint NOT NULL); CREATE UNIQUE INDEX accounts_id_idx ON accounts (id);');
    expect(findings('ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx;', notNull)).toEqual([]);
  });

  it('exempts a table created earlier in the same file, and leaves UNIQUE to its own rule', () => {
    expect(findings('CREATE TABLE accounts (id bigint);\nALTER TABLE accounts ADD PRIMARY KEY (id);')).toEqual([]);
    expect(findings('ALTER TABLE accounts ADD UNIQUE (id);')).toEqual([]);
  });

  it('scales the severity with the table size', () => {
    expect(findings('ALTER TABLE accounts ADD PRIMARY KEY (id);', undefined, 1_000).map((f) => f.severity)).toEqual(['info']);
    expect(findings('ALTER TABLE accounts ADD PRIMARY KEY (id);', undefined, 3_000_000).map((f) => f.severity)).toEqual(['error']);
  });
});
