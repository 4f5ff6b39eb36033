import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { AnalysisOptions, Finding, Range } from '../types';

let base: Catalog;
let checked: Catalog;
const SETUP = 'CREATE TABLE m (id int, day date) PARTITION BY RANGE (day);\nCREATE TABLE m_2026 (id int, day date);';
const ATTACH = "ALTER TABLE m ATTACH PARTITION m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');";
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: SETUP }]);
  checked = replayMigrations([
    { path: '001.sql', text: SETUP + "\nALTER TABLE m_2026 ADD CONSTRAINT m_2026_bound CHECK (day >= '2026-01-01' AND day < '2027-01-01');" },
  ]);
});

function findings(sql: string, catalog: Catalog = base, options: Partial<AnalysisOptions> = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, catalog).findings.filter((f) => f.rule === 'attach-partition-without-check');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('attach-partition-without-check', () => {
  it('reports ATTACH PARTITION that the lock model says scans the partition', () => {
    const [f, ...rest] = findings(ATTACH);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.m', partition: 'public.m_2026', scanned: 'public.m_2026', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/NOT VALID on the partition and VALIDATE it/);
    expect(covered(ATTACH, f!.range)).toBe("ATTACH PARTITION m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
  });

  it('accepts ATTACH when a validated CHECK implies the bound (the model skips the scan)', () => {
    expect(findings(ATTACH, checked)).toEqual([]);
    // The same CHECK in the same file, added NOT VALID and never validated, does not count.
    const notValid = "ALTER TABLE m_2026 ADD CONSTRAINT b CHECK (day >= '2026-01-01' AND day < '2027-01-01') NOT VALID;\n" + ATTACH;
    expect(findings(notValid).map((f) => f.statement)).toEqual([1]);
  });

  it('accepts a partition created earlier in the file (empty)', () => {
    expect(findings('CREATE TABLE m_2027 (id int, day date);\n' + "ALTER TABLE m ATTACH PARTITION m_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');")).toEqual([]);
  });

  it('scales the severity with the partition size', () => {
    expect(findings(ATTACH, base, { project: { tables: { m_2026: { rows: 100 } } } })[0]?.severity).toBe('info');
    expect(findings(ATTACH, base, { project: { tables: { m_2026: { rows: 9_000_000 } } } })[0]?.severity).toBe('error');
  });
});
