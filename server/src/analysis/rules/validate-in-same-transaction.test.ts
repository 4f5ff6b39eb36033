import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE customers (id int PRIMARY KEY);\nCREATE TABLE orders (id int PRIMARY KEY, customer_id int, total int);' }]);
});

function findings(sql: string, path?: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(path ? { migration: { path } } : {}) }, base).findings.filter((f) => f.rule === 'validate-in-same-transaction');
}

const ADD_FK = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID';
const VALIDATE = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk';

describe('validate-in-same-transaction', () => {
  it('reports VALIDATE in the same transaction as the ADD … NOT VALID, with the lock the ADD holds', () => {
    const [f, ...rest] = findings(`BEGIN;\n${ADD_FK};\n${VALIDATE};\nCOMMIT;`);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      statement: 2,
      data: { table: 'public.orders', constraint: 'orders_customer_fk', lock: 'ShareRowExclusiveLock', sameStatement: false },
    });
  });

  it('reports it in a file the runner wraps, and in the same statement as the ADD', () => {
    expect(findings(`${ADD_FK};\n${VALIDATE};`, 'db/V3__fk.sql').map((f) => f.statement)).toEqual([1]);
    const same = findings('ALTER TABLE orders ADD CONSTRAINT total_pos CHECK (total > 0) NOT VALID, VALIDATE CONSTRAINT total_pos;');
    expect(same.map((f) => [f.statement, f.data?.sameStatement, f.data?.lock])).toEqual([[0, true, 'AccessExclusiveLock']]);
  });

  it('accepts VALIDATE after a COMMIT, in autocommit, or of another constraint', () => {
    expect(findings(`BEGIN;\n${ADD_FK};\nCOMMIT;\nBEGIN;\n${VALIDATE};\nCOMMIT;`)).toEqual([]);
    expect(findings(`${ADD_FK};\n${VALIDATE};`)).toEqual([]);
    expect(findings(`BEGIN;\n${ADD_FK};\nALTER TABLE orders VALIDATE CONSTRAINT other;\nCOMMIT;`)).toEqual([]);
  });
});
