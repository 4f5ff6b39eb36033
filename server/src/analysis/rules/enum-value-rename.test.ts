import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'enum-value-rename');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('enum-value-rename', () => {
  it('reports RENAME VALUE with the labels and the expand/contract way', () => {
    const sql = "ALTER TYPE order_status RENAME VALUE 'shipped' TO 'dispatched';";
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { type: 'order_status', oldValue: 'shipped', newValue: 'dispatched' } });
    expect(f!.message).toMatch(/invalid input value for enum/);
    expect(f!.message).toMatch(/ADD VALUE 'dispatched'/);
    expect(covered(sql, f!.range)).toBe("RENAME VALUE 'shipped' TO 'dispatched'");
  });

  it('accepts ADD VALUE and a type created earlier in the same transaction', () => {
    expect(findings("ALTER TYPE order_status ADD VALUE 'lost';")).toEqual([]);
    expect(findings("BEGIN;\nCREATE TYPE s AS ENUM ('a');\nALTER TYPE s RENAME VALUE 'a' TO 'b';\nCOMMIT;")).toEqual([]);
  });
});
