import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { AnalysisOptions, Finding, Range } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE logged_t (id int PRIMARY KEY);\nCREATE UNLOGGED TABLE cache_t (id int PRIMARY KEY);' }]);
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, base).findings.filter((f) => f.rule === 'set-logged-or-tablespace');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('set-logged-or-tablespace', () => {
  it('reports SET LOGGED of an unlogged table and SET UNLOGGED of a logged one (rewrites, per the model)', () => {
    const sql = 'ALTER TABLE cache_t SET LOGGED;';
    const [f] = findings(sql);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.cache_t', change: 'logged', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/rewrites public\.cache_t and rebuilds its indexes while/);
    expect(covered(sql, f!.range)).toBe('SET LOGGED');
    expect(findings('ALTER TABLE logged_t SET UNLOGGED;')[0]?.data?.change).toBe('unlogged');
  });

  it('accepts the no-op direction the model knows, and says so when persistence is unknown', () => {
    expect(findings('ALTER TABLE logged_t SET LOGGED;')).toEqual([]);
    expect(findings('ALTER TABLE cache_t SET UNLOGGED;')).toEqual([]);
    expect(findings('ALTER TABLE unknown_t SET LOGGED;')[0]?.message).toMatch(/if it is not logged already/);
  });

  it('reports SET TABLESPACE of a table or index, not pg_default', () => {
    expect(findings('ALTER TABLE logged_t SET TABLESPACE fast_ssd;')[0]).toMatchObject({ data: { change: 'tablespace', table: 'public.logged_t' } });
    expect(findings('ALTER INDEX logged_t_pkey SET TABLESPACE fast_ssd;')[0]).toMatchObject({ data: { table: 'public.logged_t', relation: 'public.logged_t_pkey' } });
    expect(findings('ALTER TABLE logged_t SET TABLESPACE pg_default;')).toEqual([]);
    expect(findings('ALTER TABLE ALL IN TABLESPACE old_space SET TABLESPACE new_space;')).toHaveLength(1);
  });

  it('accepts tables created in the file and scales with size', () => {
    expect(findings('CREATE UNLOGGED TABLE t (a int);\nALTER TABLE t SET LOGGED;')).toEqual([]);
    expect(findings('ALTER TABLE cache_t SET LOGGED;', { project: { tables: { cache_t: { rows: 10 } } } })[0]?.severity).toBe('info');
    expect(findings('ALTER TABLE cache_t SET LOGGED;', { project: { tables: { cache_t: { rows: 10_000_000 } } } })[0]?.severity).toBe('error');
  });
});
