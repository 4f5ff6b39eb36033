import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE orders (id int PRIMARY KEY, status text, created_at date);' }]);
});

function findings(sql: string, path?: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(path ? { migration: { path } } : {}) }, base).findings.filter((f) => f.rule === 'ddl-with-backfill-in-one-transaction');
}

const ADD = 'ALTER TABLE orders ADD COLUMN state text';

describe('ddl-with-backfill-in-one-transaction', () => {
  it('reports an UPDATE of every row after DDL in the same transaction, naming the lock and the DDL', () => {
    const [f, ...rest] = findings(`BEGIN;\n${ADD};\nUPDATE orders SET state = status;\nCOMMIT;`);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      statement: 2,
      data: { table: 'public.orders', lock: 'AccessExclusiveLock', backfill: 'public.orders', earlier: ADD },
    });
    expect(f!.message).toMatch(/every row: no WHERE/);
  });

  it('reports range DELETEs and UPDATEs in a golang-migrate file (one implicit transaction)', () => {
    expect(findings(`${ADD};\nDELETE FROM orders WHERE created_at < '2020-01-01';`, '000009_x.up.sql').map((f) => f.statement)).toEqual([1]);
  });

  it('accepts point fix-ups, backfills after COMMIT, and backfills in autocommit', () => {
    expect(findings(`BEGIN;\n${ADD};\nUPDATE orders SET state = 'x' WHERE id = 42;\nUPDATE orders SET state = 'y' WHERE id IN (1, 2) AND status = 'new';\nCOMMIT;`)).toEqual([]);
    expect(findings(`BEGIN;\n${ADD};\nCOMMIT;\nUPDATE orders SET state = status;`)).toEqual([]);
    expect(findings(`${ADD};\nUPDATE orders SET state = status;`)).toEqual([]);
  });

  it('ignores DDL on tables created in the file', () => {
    expect(findings('BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = a;\nCOMMIT;')).toEqual([]);
  });
});
