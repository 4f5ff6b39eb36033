import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { AnalysisOptions, Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id int PRIMARY KEY, a int);\nCREATE TABLE customers (id int PRIMARY KEY);' }]);
});

function findings(sql: string, options: Partial<AnalysisOptions> = {}): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...options }, base).findings.filter((f) => f.rule === 'missing-lock-timeout');
}

const ALTER = 'ALTER TABLE orders ADD COLUMN b int';

describe('missing-lock-timeout', () => {
  it('reports the first statement that blocks an existing table with no lock_timeout, naming table and lock', () => {
    const [f, ...rest] = findings(`${ALTER};\nALTER TABLE orders ADD COLUMN c int;`);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 0, severity: 'warning', data: { table: 'public.orders', lock: 'AccessExclusiveLock', problem: 'missing' } });
    expect(f!.message).toMatch(/SET lock_timeout = '2s';/);
  });

  it('accepts SET lock_timeout before it, and SET LOCAL inside the transaction', () => {
    expect(findings(`SET lock_timeout = '2s';\n${ALTER};`)).toEqual([]);
    expect(findings(`BEGIN;\nSET LOCAL lock_timeout = '2s';\n${ALTER};\nCOMMIT;`)).toEqual([]);
    expect(findings(`SELECT set_config('lock_timeout', '1s', false);\n${ALTER};`)).toEqual([]);
  });

  it('knows SET LOCAL does nothing outside a transaction block and ends with its transaction', () => {
    expect(findings(`SET LOCAL lock_timeout = '2s';\n${ALTER};`).map((f) => f.statement)).toEqual([1]);
    const sql = `BEGIN;\nSET LOCAL lock_timeout = '2s';\n${ALTER};\nCOMMIT;\nALTER TABLE orders ADD COLUMN c int;`;
    expect(findings(sql).map((f) => f.statement)).toEqual([4]);
    // In a goose transaction the whole file is one transaction, so SET LOCAL covers it all.
    expect(findings(`-- +goose Up\nSET LOCAL lock_timeout = '2s';\n${ALTER};\n`, { migration: { path: '20240101120000_x.sql' } })).toEqual([]);
  });

  it('knows a SET in a transaction that rolls back is undone, and RESET', () => {
    expect(findings(`BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\n${ALTER};`).map((f) => f.statement)).toEqual([3]);
    expect(findings(`SET lock_timeout = '2s';\nRESET lock_timeout;\n${ALTER};`).map((f) => f.statement)).toEqual([2]);
  });

  it('reports 0 (no limit) and a value above lockstep.json lockTimeout, suggesting the configured limit', () => {
    expect(findings(`SET lock_timeout = 0;\n${ALTER};`).map((f) => f.data?.problem)).toEqual(['zero']);
    const [f] = findings(`SET lock_timeout = '10s';\n${ALTER};`, { project: { lockTimeoutMs: 3000 } });
    expect(f).toMatchObject({ data: { problem: 'too-long', value: '10s', limitMs: 3000 } });
    expect(f!.message).toMatch(/longer than the 3s lockstep\.json allows.*SET lock_timeout = '3s';/);
    expect(findings(`SET lock_timeout = 3000;\n${ALTER};`, { project: { lockTimeoutMs: 3000 } })).toEqual([]);
  });

  it('ignores locks that block neither reads nor writes, and tables created in the file', () => {
    expect(findings('CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);')).toEqual([]);
    expect(findings('CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;')).toEqual([]);
  });
});
