import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding, Range } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'drop-column');
}

function covered(sql: string, range: Range): string {
  const lines = sql.split('\n');
  const offset = (p: Range['start']) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return sql.slice(offset(range.start), offset(range.end));
}

describe('drop-column', () => {
  it('reports each dropped column of an existing table, underlining its clause', () => {
    const sql = 'ALTER TABLE users ADD COLUMN nick text, DROP COLUMN legacy_name, DROP COLUMN IF EXISTS fax;';
    const found = findings(sql);
    expect(found.map((f) => f.data)).toEqual([
      { table: 'public.users', column: 'legacy_name', lock: 'AccessExclusiveLock' },
      { table: 'public.users', column: 'fax', lock: 'AccessExclusiveLock' },
    ]);
    expect(found[0]!.severity).toBe('warning');
    expect(found[0]!.message).toMatch(/previous release/);
    expect(found[0]!.message).toMatch(/later migration/);
    expect(covered(sql, found[0]!.range)).toBe('DROP COLUMN legacy_name');
  });

  it('is not size-scaled', () => {
    const result = analyzeText('ALTER TABLE users DROP COLUMN legacy_name;', { pgVersion: 17, project: { tables: { users: { rows: 10 } } } });
    expect(result.findings.find((f) => f.rule === 'drop-column')?.severity).toBe('warning');
  });

  it('accepts columns of a table created earlier in the file', () => {
    expect(findings('CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;')).toEqual([]);
    expect(findings('ALTER TABLE users ADD COLUMN b int;')).toEqual([]);
  });

  it('accepts a column replaced under the same name later in the same transaction, not in separate ones', () => {
    const steps = 'ALTER TABLE person ADD COLUMN key_new text;\nALTER TABLE person DROP COLUMN key;\nALTER TABLE person RENAME COLUMN key_new TO key;';
    expect(findings(`BEGIN;\n${steps}\nCOMMIT;`)).toEqual([]);
    expect(findings(steps).map((f) => f.data?.column)).toEqual(['key']);
    expect(findings('BEGIN;\nALTER TABLE person DROP COLUMN key;\nALTER TABLE person ADD COLUMN key bigint;\nCOMMIT;')).toEqual([]);
  });
});
