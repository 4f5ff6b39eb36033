import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import { replayMigrations } from '../schema-context';
import type { Catalog } from '../catalog';
import type { Finding } from '../types';

let base: Catalog;
beforeAll(async () => {
  await initParser();
  base = replayMigrations([{ path: '001.sql', text: 'CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY);\nCREATE TABLE c (id int PRIMARY KEY);' }]);
});

function findings(sql: string, path?: string): Finding[] {
  return analyzeText(sql, { pgVersion: 17, ...(path ? { migration: { path } } : {}) }, base).findings.filter((f) => f.rule === 'wide-lock-window');
}

describe('wide-lock-window', () => {
  it('reports once, when the transaction locks a second existing table AccessExclusive', () => {
    const sql = 'BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN x int;\nALTER TABLE c ADD COLUMN x int;\nCOMMIT;';
    const [f, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 2, data: { tables: 'public.a, public.b', lock: 'AccessExclusiveLock' } });
    expect(f!.message).toMatch(/deadlocks/);
  });

  it('counts the runner’s transaction (goose) but not statements that commit on their own', () => {
    expect(findings('-- +goose Up\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN x int;\n', '20240101120000_x.sql').map((f) => f.statement)).toEqual([1]);
    expect(findings('ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN x int;')).toEqual([]);
  });

  it('ignores tables created in the file and repeated locks on the same table', () => {
    expect(findings('BEGIN;\nCREATE TABLE n (id int);\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE n ADD COLUMN y int;\nCOMMIT;')).toEqual([]);
    expect(findings('BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE a ADD COLUMN y int;\nCOMMIT;')).toEqual([]);
  });
});

describe('wide-lock-window and dropped tables', () => {
  it('does not count tables the transaction dropped', () => {
    expect(findings('BEGIN;\nDROP TABLE a;\nDROP TABLE b;\nCOMMIT;')).toEqual([]);
    expect(findings('BEGIN;\nDROP TABLE a;\nALTER TABLE b ADD COLUMN x int;\nALTER TABLE c ADD COLUMN x int;\nCOMMIT;').map((f) => f.statement)).toEqual([3]);
  });
});
