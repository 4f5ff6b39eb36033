import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { Finding } from '../types';

beforeAll(async () => {
  await initParser();
});

function findings(sql: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17 }).findings.filter((f) => f.rule === 'rename-table');
}

describe('rename-table', () => {
  it('reports RENAME TO of an existing table and says how to keep the old name working', () => {
    const [f, ...rest] = findings('ALTER TABLE app.users RENAME TO people;');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', data: { table: 'app.users', newName: 'people', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/CREATE VIEW users AS SELECT \* FROM people/);
  });

  it('accepts a rename bridged by a view under the old name in the same transaction', () => {
    expect(findings('BEGIN;\nALTER TABLE users RENAME TO people;\nCREATE VIEW users AS SELECT * FROM people;\nCOMMIT;')).toEqual([]);
    // In separate transactions old code fails between the two commits.
    expect(findings('ALTER TABLE users RENAME TO people;\nCREATE VIEW users AS SELECT * FROM people;')).toHaveLength(1);
  });

  it('accepts tables created earlier in the file and column renames', () => {
    expect(findings('CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;')).toEqual([]);
    expect(findings('ALTER TABLE users RENAME COLUMN a TO b;')).toEqual([]);
  });
});
