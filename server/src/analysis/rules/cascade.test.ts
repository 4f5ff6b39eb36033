import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding, Range } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([
    {
      path: '001.sql',
      text:
        "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE orders (id int PRIMARY KEY, m mood);\n" +
        'CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders (id));\n' +
        'CREATE TABLE notes (item_id int REFERENCES items (id));\n' +
        'CREATE VIEW open_orders AS SELECT * FROM orders;\nCREATE TABLE lonely (a int);',
    },
  ]);
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }, base).findings.filter((f) => f.rule === 'cascade');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('cascade', () => {
  it('names the views and foreign keys DROP TABLE … CASCADE drops', () => {
    const sql = 'DROP TABLE orders CASCADE;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('warning');
    expect(f!.data).toMatchObject({ objects: 'public.orders', statement: 'DROP' });
    expect(f!.message).toMatch(/also drops view public\.open_orders; the foreign key of public\.items \(order_id\)/);
    expect(covered(sql, f!.range)).toBe('CASCADE');
  });

  it('names the tables TRUNCATE … CASCADE empties, transitively', () => {
    const [f] = findings('TRUNCATE orders CASCADE;');
    expect(f!.data).toMatchObject({ objects: 'public.orders', dependents: 'table public.items; table public.notes', statement: 'TRUNCATE' });
    expect(f!.message).toMatch(/also empties table public\.items; table public\.notes/);
  });

  it('names the tables whose columns DROP TYPE … CASCADE drops', () => {
    expect(findings('DROP TYPE mood CASCADE;')[0]?.message).toMatch(/the columns of that type in public\.orders/);
  });

  it('still reports when the catalog knows no dependents, saying so', () => {
    expect(findings('DROP TABLE lonely CASCADE;')[0]?.message).toMatch(/whatever depends on it in the real database, unnamed by the migration \(the schema Lockstep knows lists no dependents\)/);
  });

  it('accepts RESTRICT, and a table created in the file with its dependents', () => {
    expect(findings('DROP TABLE orders;')).toEqual([]);
    expect(findings('TRUNCATE orders;')).toEqual([]);
    expect(findings('CREATE TABLE t (id int PRIMARY KEY);\nCREATE VIEW tv AS SELECT * FROM t;\nDROP TABLE t CASCADE;')).toEqual([]);
  });
});
