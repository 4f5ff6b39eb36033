import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding, Range } from '../types';

let base: Catalog;
let withDefault: Catalog;
const PARTITIONED =
  'CREATE TABLE m (id int, day date) PARTITION BY RANGE (day);\n' +
  "CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: PARTITIONED }]);
  withDefault = replayMigrations([{ path: '001.sql', text: PARTITIONED + '\nCREATE TABLE m_default PARTITION OF m DEFAULT;' }]);
});

function findings(sql: string, pgVersion = 17, catalog: Catalog = base): Finding[] {
  return analyzeText(sql, { pgVersion }, catalog).findings.filter((f) => f.rule === 'detach-partition-nonconcurrent');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('detach-partition-nonconcurrent', () => {
  it('reports DETACH PARTITION without CONCURRENTLY on PostgreSQL 14+, with the parent lock the model gives', () => {
    const sql = 'ALTER TABLE m DETACH PARTITION m_2025;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.m', partition: 'public.m_2025', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/every read and write of public\.m/);
    expect(covered(sql, f!.range)).toBe('DETACH PARTITION m_2025');
  });

  it('does not report before PostgreSQL 14 (no CONCURRENTLY there), nor CONCURRENTLY, nor FINALIZE', () => {
    expect(findings('ALTER TABLE m DETACH PARTITION m_2025;', 13)).toEqual([]);
    expect(findings('ALTER TABLE m DETACH PARTITION m_2025 CONCURRENTLY;')).toEqual([]);
    expect(findings('ALTER TABLE m DETACH PARTITION m_2025 FINALIZE;')).toEqual([]);
  });

  it('says when CONCURRENTLY is not possible: a DEFAULT partition (info), a transaction block', () => {
    const [f] = findings('ALTER TABLE m DETACH PARTITION m_2025;', 17, withDefault);
    expect(f).toMatchObject({ severity: 'info', data: { defaultPartition: 'public.m_default' } });
    expect(findings('BEGIN;\nALTER TABLE m DETACH PARTITION m_2025;\nCOMMIT;')[0]?.message).toMatch(/outside a transaction block/);
  });

  it('accepts a partitioned table created earlier in the file', () => {
    expect(findings(PARTITIONED + '\nALTER TABLE m DETACH PARTITION m_2025;', 17, replayMigrations([]))).toEqual([]);
  });
});
