import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser, DocumentAnalyzer } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { AnalysisOptions, Finding, Range } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id int, total int);\nCREATE MATERIALIZED VIEW totals AS SELECT id, total FROM orders;' }]);
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, base).findings.filter((f) => f.rule === 'refresh-matview-blocking');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('refresh-matview-blocking', () => {
  it('reports REFRESH without CONCURRENTLY, and says a unique index is needed first', () => {
    const sql = 'REFRESH MATERIALIZED VIEW totals;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { view: 'public.totals', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/every read of public\.totals waits/);
    expect(f!.message).toMatch(/needs a UNIQUE index/);
    expect(covered(sql, f!.range)).toBe('REFRESH MATERIALIZED VIEW totals');
  });

  it('names a usable unique index when there is one (not a partial or expression one)', () => {
    const sql = 'CREATE UNIQUE INDEX totals_partial ON totals (id) WHERE total > 0;\nCREATE UNIQUE INDEX totals_id ON totals (id);\nREFRESH MATERIALIZED VIEW totals;';
    expect(findings(sql)[0]?.data).toMatchObject({ uniqueIndex: 'public.totals_id' });
    expect(findings('CREATE UNIQUE INDEX totals_expr ON totals ((id + 1));\nREFRESH MATERIALIZED VIEW totals;')[0]?.data?.uniqueIndex).toBeUndefined();
  });

  it('updates the advice when an earlier statement adds the unique index (cache)', () => {
    const analyzer = new DocumentAnalyzer();
    const before = 'CREATE INDEX totals_id ON totals (id);\nREFRESH MATERIALIZED VIEW totals;';
    const after = 'CREATE UNIQUE INDEX totals_id ON totals (id);\nREFRESH MATERIALIZED VIEW totals;';
    const pick = (text: string) => analyzer.analyze(text, { pgVersion: 17 }, base).findings.find((f) => f.rule === 'refresh-matview-blocking');
    expect(pick(before)?.data?.uniqueIndex).toBeUndefined();
    expect(pick(after)?.data?.uniqueIndex).toBe('public.totals_id');
  });

  it('accepts CONCURRENTLY, WITH NO DATA, and a view created in the file', () => {
    expect(findings('REFRESH MATERIALIZED VIEW CONCURRENTLY totals;')).toEqual([]);
    expect(findings('REFRESH MATERIALIZED VIEW totals WITH NO DATA;')).toEqual([]);
    expect(findings('CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nREFRESH MATERIALIZED VIEW mv;')).toEqual([]);
  });

  it('scales the severity with the view size', () => {
    expect(findings('REFRESH MATERIALIZED VIEW totals;', { project: { tables: { totals: { rows: 50 } } } })[0]?.severity).toBe('info');
    expect(findings('REFRESH MATERIALIZED VIEW totals;', { project: { tables: { totals: { rows: 3_000_000 } } } })[0]?.severity).toBe('error');
  });
});
