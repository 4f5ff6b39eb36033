import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../analyzer';
import type { StatementEffect } from '../lockmodel/model';
import { replayMigrations } from '../schema-context';
import type { Statement } from '../types';
import { hoverMarkdown, inlayLabel, postgresDocsUrl } from './effect-text';
import { StatementSummarizer, summarizeStatements, type StatementSummary } from './statement-summary';
import { transactionBlockStates } from './transaction-blocks';

beforeAll(() => initParser());

const NONE = { reads: [], writes: [], selectForUpdate: [], ddl: [], maintenance: [] };

/** A statement with a hand-made effect, so these tests do not depend on which lock facts exist. */
function withEffect(effect: Partial<StatementEffect>, extra: Partial<StatementSummary> = {}): StatementSummary {
  const full: StatementEffect = {
    locks: [],
    rewrites: [],
    scans: [],
    blocks: NONE,
    transaction: 'allowed',
    unknown: false,
    unknownParts: [],
    facts: [],
    ...effect,
  };
  const statement: Statement = {
    index: 0,
    text: 'ALTER TABLE t …',
    start: 0,
    end: 10,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } },
    kind: 'AlterTableStmt',
    ast: { AlterTableStmt: {} },
    effect: full,
  };
  const [summary] = summarizeStatements([statement]);
  return { ...summary!, ...extra };
}

const ACCESS_EXCLUSIVE_T = {
  locks: [{ relation: 'public.t', kind: 'table' as const, mode: 'AccessExclusiveLock' as const }],
  blocks: { reads: ['public.t'], writes: ['public.t'], selectForUpdate: ['public.t'], ddl: ['public.t'], maintenance: ['public.t'] },
};

describe('inlayLabel', () => {
  it.each([
    ['a rewrite under AccessExclusive', { ...ACCESS_EXCLUSIVE_T, rewrites: ['public.t'] }, 'AccessExclusive · rewrite'],
    ['a scan under AccessExclusive', { ...ACCESS_EXCLUSIVE_T, scans: ['public.t'] }, 'AccessExclusive · scan'],
    ['a brief AccessExclusive', ACCESS_EXCLUSIVE_T, 'AccessExclusive · blocks reads, writes'],
    [
      'a Share lock with a scan',
      {
        locks: [{ relation: 'public.t', kind: 'table' as const, mode: 'ShareLock' as const }],
        scans: ['public.t'],
        blocks: { ...NONE, writes: ['public.t'], ddl: ['public.t'], maintenance: ['public.t'] },
      },
      'Share · blocks writes',
    ],
    [
      'a scan that blocks neither reads nor writes',
      { locks: [{ relation: 'public.t', kind: 'table' as const, mode: 'ShareUpdateExclusiveLock' as const }], scans: ['public.t'], blocks: { ...NONE, ddl: ['public.t'] } },
      'ShareUpdateExclusive · scan',
    ],
  ])('labels %s', (_, effect, label) => {
    expect(inlayLabel(withEffect(effect))).toBe(label);
  });

  it('has no label for statements that block neither reads nor writes and read nothing in full', () => {
    expect(inlayLabel(withEffect({ locks: [{ relation: 'public.t', kind: 'table', mode: 'ShareUpdateExclusiveLock' }], blocks: { ...NONE, ddl: ['public.t'] } }))).toBeUndefined();
    expect(inlayLabel(withEffect({ unknown: true, unknownParts: ['CreateStmt'] }))).toBeUndefined();
  });
});

describe('hoverMarkdown', () => {
  it('names per relation the lock and what waits, the rewrite, and links the docs of the configured major', () => {
    const md = hoverMarkdown(
      withEffect({
        ...ACCESS_EXCLUSIVE_T,
        rewrites: ['public.t'],
        scans: ['public.t'],
        facts: [{ id: 'x', summary: 'ALTER TABLE … SET DATA TYPE', docs: 'sql-altertable.html#SQL-ALTERTABLE-NOTES', why: 'Changes the storage_format. The rest is in the docs.' }],
      }),
      { pgVersion: 15 },
    );
    expect(md).toContain('`public.t`: **AccessExclusiveLock** — reads, writes, SELECT … FOR UPDATE, DDL, VACUUM/ANALYZE wait');
    expect(md).toContain('Rewrites `public.t`');
    expect(md).toContain('(https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-NOTES)');
    expect(md).toContain('Changes the storage\\_format.'); // markdown-escaped
    expect(md).not.toContain('The rest is in the docs'); // a hover keeps the first sentence of why
    expect(md).not.toContain('transaction');
    expect(md).not.toContain('Scans'); // the rewrite reads every row already
  });

  it('says when a statement must run outside a transaction, and when this file runs it inside one', () => {
    const forbidden = { transaction: 'forbidden' as const };
    expect(hoverMarkdown(withEffect(forbidden, { inTransaction: false }), { pgVersion: 17 })).toContain('**Must run outside a transaction block.**');
    expect(hoverMarkdown(withEffect(forbidden, { inTransaction: true }), { pgVersion: 17 })).toContain('PostgreSQL will refuse it');
  });

  it('is honest about what the model does not know', () => {
    const partial = hoverMarkdown(withEffect({ ...ACCESS_EXCLUSIVE_T, unknown: true, unknownParts: ['ALTER TABLE subcommand AT_Foo'] }), { pgVersion: 17 });
    expect(partial).toContain('Lockstep has no verified fact for `ALTER TABLE subcommand AT_Foo`. What is shown above may be incomplete.');
    const nothing = hoverMarkdown(withEffect({ unknown: true, unknownParts: ['CreateFooStmt'] }), { pgVersion: 17 });
    expect(nothing).toContain('Lockstep has no verified fact for `CreateFooStmt`. Its locks are unknown.');
    expect(nothing).not.toContain('Takes no table-level lock');
  });

  it('explains statements that were not analyzed at all', () => {
    const { statements } = analyzeText('\\set x 1\nSELECT FROM WHERE;\n', { pgVersion: 17 });
    const [meta, syntax] = summarizeStatements(statements);
    expect(hoverMarkdown(meta!, { pgVersion: 17 })).toMatch(/did not analyze this statement: psql meta-command/);
    expect(hoverMarkdown(syntax!, { pgVersion: 17 })).toMatch(/did not analyze this statement: .*syntax error/);
  });
});

describe('postgresDocsUrl', () => {
  it('uses the major, and current for the newest', () => {
    expect(postgresDocsUrl('sql-createindex.html', 12)).toBe('https://www.postgresql.org/docs/12/sql-createindex.html');
    expect(postgresDocsUrl('sql-createindex.html', 18)).toBe('https://www.postgresql.org/docs/current/sql-createindex.html');
  });
});

describe('summarizeStatements (new relations)', () => {
  it('treats a table created earlier in the file as new, and one from an earlier migration as existing', () => {
    const base = replayMigrations([{ path: '/m/001.sql', text: 'CREATE TABLE old (id int, a int);' }]);
    const text = 'CREATE TABLE fresh (id int, a int);\nCREATE INDEX ON fresh (a);\nCREATE INDEX ON old (a);\n';
    const summaries = summarizeStatements(analyzeText(text, { pgVersion: 17 }, base).statements, base);
    const [, onFresh, onOld] = summaries;
    // The new index is new in both; the table only in the first.
    expect(onFresh!.newRelations).toEqual(['public.fresh', 'public.fresh_a_idx']);
    expect(onOld!.newRelations).toEqual(['public.old_a_idx']);
    expect(inlayLabel(onFresh!)).toBeUndefined();
    expect(inlayLabel(onOld!)).toBe('Share · blocks writes');
    expect(onOld!.impact?.strongest).toEqual({ relation: 'public.old', kind: 'table', mode: 'ShareLock' });
  });

  it('summarizes on demand, in order, and refuses an index past the end', () => {
    const { statements } = analyzeText('CREATE TABLE a (id int);\nCREATE INDEX ON a (id);\n', { pgVersion: 17 });
    const summarizer = new StatementSummarizer(statements);
    expect(summarizer.summary(1).newRelations).toContain('public.a');
    expect(() => summarizer.summary(2)).toThrow(/statement 2 does not exist/);
  });
});

describe('transactionBlockStates', () => {
  it("takes the analyzer's answer when every statement has one", () => {
    const { statements } = analyzeText('SELECT 1; SELECT 2;', { pgVersion: 17 });
    const planned = statements.map((s, i) => ({ ...s, transaction: { inTransaction: i === 1, id: i, source: 'explicit' as const, section: 'up' as const } }));
    expect(transactionBlockStates(planned)).toEqual([false, true]);
  });

  // The fallback, for analyses made without transaction planning: statements without `transaction`.
  const states = (sql: string) => transactionBlockStates(analyzeText(sql, { pgVersion: 17 }).statements.map(({ ast }) => ({ ast })));

  it('assumes one implicit transaction for a file of several statements without transaction control', () => {
    expect(states('CREATE TABLE a (id int); CREATE INDEX ON a (id);')).toEqual([true, true]);
  });

  it('runs a lone statement on its own (a one-statement query is not an implicit transaction block)', () => {
    expect(states('CREATE INDEX CONCURRENTLY ON a (id);')).toEqual([false]);
  });

  it('follows explicit BEGIN … COMMIT: BEGIN outside, COMMIT inside, the rest by position', () => {
    expect(states('CREATE INDEX CONCURRENTLY ON a (id); BEGIN; ALTER TABLE a ADD COLUMN b int; COMMIT; SELECT 1; START TRANSACTION; SELECT 2; ROLLBACK;')).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
  });
});
