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

describe('wide-lock-window counts relations, not names', () => {
  it('does not count a view created under the old name of a renamed table as a second table', () => {
    expect(findings('BEGIN;\nALTER TABLE a RENAME TO a_old;\nCREATE VIEW a AS SELECT * FROM a_old;\nCOMMIT;')).toEqual([]);
    expect(findings('BEGIN;\nALTER TABLE a RENAME TO a_old;\nCREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN x int;\nCOMMIT;')).toEqual([]);
  });

  it('follows a table through its rename: a lock before and one after are one table', () => {
    expect(findings('BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE a RENAME TO a2;\nALTER TABLE a2 ADD COLUMN y int;\nCOMMIT;')).toEqual([]);
    expect(findings('BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE a SET SCHEMA archive;\nALTER TABLE archive.a ADD COLUMN y int;\nCOMMIT;')).toEqual([]);
  });

  it('still reports a second existing table after a rename', () => {
    const [f, ...rest] = findings('BEGIN;\nALTER TABLE a RENAME TO a_old;\nCREATE VIEW a AS SELECT * FROM a_old;\nALTER TABLE b ADD COLUMN x int;\nCOMMIT;');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ statement: 3, data: { tables: 'public.a_old, public.b' } });
    const renamedAfter = findings('BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE a RENAME TO a2;\nALTER TABLE b ADD COLUMN y int;\nCOMMIT;');
    expect(renamedAfter.map((x) => x.data?.tables)).toEqual(['public.a2, public.b']);
    expect(renamedAfter[0]!.message).toMatch(/public\.a2 \(then public\.a\)/);
  });
});

describe('wide-lock-window and objects that are not tables', () => {
  it('does not count a sequence dropped by DROP SEQUENCE, even one the schema does not know', () => {
    expect(findings('BEGIN;\nALTER TABLE a ALTER id DROP DEFAULT;\nDROP SEQUENCE a_id_seq;\nCOMMIT;')).toEqual([]);
  });
});
