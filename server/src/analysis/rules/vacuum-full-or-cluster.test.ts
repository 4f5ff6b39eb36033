import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { AnalysisOptions, Finding } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }).findings.filter((f) => f.rule === 'vacuum-full-or-cluster');
}

describe('vacuum-full-or-cluster', () => {
  it('reports VACUUM FULL and CLUSTER of existing tables', () => {
    const [vacuum] = findings('VACUUM (FULL, ANALYZE) orders;');
    expect(vacuum).toMatchObject({ severity: 'warning', data: { tables: 'public.orders', command: 'VACUUM FULL', lock: 'AccessExclusiveLock' } });
    expect(vacuum!.message).toMatch(/pg_repack/);
    expect(findings('VACUUM FULL orders;')).toHaveLength(1);
    const [cluster] = findings('CLUSTER orders USING orders_pkey;');
    expect(cluster).toMatchObject({ data: { tables: 'public.orders', command: 'CLUSTER' } });
  });

  it('reports the database-wide forms', () => {
    expect(findings('VACUUM FULL;')[0]?.data?.tables).toBe('*');
  });

  it('accepts plain VACUUM, FULL false, and tables created in the file', () => {
    expect(findings('VACUUM ANALYZE orders;')).toEqual([]);
    expect(findings('VACUUM (FULL false) orders;')).toEqual([]);
    expect(findings('CREATE TABLE t (a int);\nCLUSTER t USING t_a_idx;')).toEqual([]);
  });

  it('scales the severity with the table size', () => {
    expect(findings('VACUUM FULL orders;', { project: { tables: { orders: { rows: 100 } } } })[0]?.severity).toBe('info');
    expect(findings('CLUSTER orders USING orders_pkey;', { project: { tables: { orders: { rows: 2_000_000 } } } })[0]?.severity).toBe('error');
  });
});
