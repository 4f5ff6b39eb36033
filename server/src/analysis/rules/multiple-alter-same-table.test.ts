import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id int PRIMARY KEY, a int);\nCREATE TABLE p (id int) PARTITION BY RANGE (id);\nCREATE TABLE p1 (id int);' }]);
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }, base).findings.filter((f) => f.rule === 'multiple-alter-same-table');
}

describe('multiple-alter-same-table', () => {
  it('reports the second of two consecutive ALTER TABLE on one table, underlining ALTER TABLE', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN b int;\nALTER TABLE public.orders ALTER COLUMN b SET DEFAULT 0;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 1, severity: 'info', data: { table: 'public.orders', lock: 'AccessExclusiveLock' } });
    expect(f!.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 1, character: 11 } });
  });

  it('does not report when another statement stands between, or different tables', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN b int;\nUPDATE orders SET b = 0 WHERE id = 1;\nALTER TABLE orders ALTER COLUMN b SET NOT NULL;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN b int;\nALTER TABLE p ADD COLUMN b int;')).toEqual([]);
  });

  it('never suggests merging VALIDATE CONSTRAINT with its ADD, or ATTACH PARTITION', () => {
    expect(findings('ALTER TABLE orders ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT a_pos;')).toEqual([]);
    expect(findings('ALTER TABLE p ADD COLUMN b int;\nALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (0) TO (10);')).toEqual([]);
  });

  it('does not report tables created in the file', () => {
    expect(findings('CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nALTER TABLE t ADD COLUMN c int;')).toEqual([]);
  });
});
