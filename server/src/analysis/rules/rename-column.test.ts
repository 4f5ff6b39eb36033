import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'rename-column');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('rename-column', () => {
  it('reports RENAME COLUMN on an existing table with the expand/contract way', () => {
    const sql = 'ALTER TABLE users RENAME COLUMN name TO full_name;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'public.users', column: 'name', newName: 'full_name' } });
    expect(f!.message).toMatch(/column does not exist/);
    expect(f!.message).toMatch(/add full_name, keep both columns in sync/);
    expect(covered(sql, f!.range)).toBe('users RENAME COLUMN name TO full_name');
  });

  it('accepts tables created in the file, and renames of other things', () => {
    expect(findings('CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;')).toEqual([]);
    expect(findings('ALTER TABLE users RENAME CONSTRAINT a TO b;')).toEqual([]);
    expect(findings('ALTER TABLE users RENAME TO people;')).toEqual([]);
  });

  it('accepts a swap in one transaction (the old name keeps existing), not the same renames in separate transactions', () => {
    const swap = 'ALTER TABLE users RENAME COLUMN visits TO visits_old;\nALTER TABLE users RENAME COLUMN visits_new TO visits;';
    expect(findings(`BEGIN;\n${swap}\nCOMMIT;`)).toEqual([]);
    expect(findings(swap).map((f) => f.data?.column)).toEqual(['visits', 'visits_new']);
  });

  it('accepts a column replacement in one transaction (ADD c_new, DROP c, RENAME c_new TO c)', () => {
    const steps = 'ALTER TABLE person ADD COLUMN key_new text;\nUPDATE person SET key_new = key;\nALTER TABLE person DROP COLUMN key;\nALTER TABLE person RENAME COLUMN key_new TO key;';
    expect(findings(`BEGIN;\n${steps}\nCOMMIT;`)).toEqual([]);
    expect(findings(steps)).toHaveLength(1);
  });
});
