import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'drop-not-null');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('drop-not-null', () => {
  it('reports DROP NOT NULL on an existing table: readers break once NULLs are written', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.orders', column: 'shipped_at', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/old writers keep working/);
    expect(f!.message).toMatch(/Deploy readers that handle NULL first/);
    expect(covered(sql, f!.range)).toBe('ALTER COLUMN shipped_at DROP NOT NULL');
  });

  it('accepts new tables and SET NOT NULL / DROP DEFAULT', () => {
    expect(findings('CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;')).toEqual([]);
    expect(findings('ALTER TABLE orders ALTER COLUMN a DROP DEFAULT;')).toEqual([]);
  });

  it('accepts a column renamed earlier in the same transaction (no reader knows the new name)', () => {
    const sql = 'BEGIN;\nALTER TABLE users RENAME COLUMN visits TO visits_old;\nALTER TABLE users ALTER COLUMN visits_old DROP NOT NULL;\nCOMMIT;';
    expect(findings(sql)).toEqual([]);
    expect(findings('ALTER TABLE users RENAME COLUMN visits TO visits_old;\nALTER TABLE users ALTER COLUMN visits_old DROP NOT NULL;')).toHaveLength(1);
  });
});
