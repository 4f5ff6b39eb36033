import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([
    { path: '001.sql', text: 'CREATE TABLE orders (id bigint PRIMARY KEY, status text, total int);\nCREATE TABLE customers (id bigint PRIMARY KEY, email text);' },
  ]);
});

const RULE = 'statement-after-access-exclusive';

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }, base).findings.filter((f) => f.rule === RULE);
}

describe('statement-after-access-exclusive', () => {
  it('reports an index build after an ALTER TABLE in the same transaction, naming the table and the earlier statement', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX customers_email_idx ON customers (email);\nCOMMIT;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      statement: 2,
      data: { table: 'public.orders', lock: 'AccessExclusiveLock', earlier: 'ALTER TABLE orders ADD COLUMN note text' },
    });
    expect(f!.message).toMatch(/While this statement scans public\.customers, public\.orders stays locked in AccessExclusiveLock/);
  });

  it('does not report the same statements when a COMMIT separates them, or when each runs on its own', () => {
    expect(findings('BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX ON customers (email);')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX ON customers (email);')).toEqual([]);
  });

  it('does not report quick statements, or an earlier lock on a table created in the file', () => {
    expect(findings('BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMENT ON TABLE orders IS $$x$$;\nCOMMIT;')).toEqual([]);
    expect(findings('BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nCREATE INDEX ON customers (email);\nCOMMIT;')).toEqual([]);
  });

  it('leaves UPDATE backfills to ddl-with-backfill-in-one-transaction and VALIDATE to validate-in-same-transaction', () => {
    expect(findings('BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET note = status;\nCOMMIT;')).toEqual([]);
    const validate = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT total_positive;\nCOMMIT;';
    expect(findings(validate)).toEqual([]);
  });

  it('counts the implicit transaction of a golang-migrate file', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text;\nINSERT INTO customers (id, email) SELECT id, status FROM orders;';
    const result = analyzeText(sql, { pgVersion: 17, migration: { path: '000004_x.up.sql' } }, base);
    expect(result.findings.filter((f) => f.rule === RULE).map((f) => f.statement)).toEqual([1]);
  });
});
