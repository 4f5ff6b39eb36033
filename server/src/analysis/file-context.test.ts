import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseStatementText } from './parse/parser';
import { splitStatements } from './split/splitter';
import { StatementView } from './statement-view';
import { FileContext } from './file-context';
import { planTransactions, runnerPlan, type MigrationRunInput } from './transactions';
import { replayMigrations } from './schema-context';

beforeAll(async () => {
  await initParser();
});

/** Walks `sql` as the analyzer does and hands back the context positioned at each statement, before it applies. */
function walk(sql: string, migration: MigrationRunInput, at: (file: FileContext, index: number, view: StatementView) => void): void {
  const views: StatementView[] = [];
  const starts: number[] = [];
  for (const piece of splitStatements(sql)) {
    const text = sql.slice(piece.start, piece.end);
    const outcome = parseStatementText(text);
    if (!outcome.ok) throw new Error(outcome.message);
    for (const node of outcome.nodes) {
      views.push(new StatementView(text.slice(node.start, node.end), node.kind, node.ast, outcome.offsets, node.start));
      starts.push(piece.start + node.start);
    }
  }
  const plan = planTransactions(runnerPlan(sql, migration), views.map((v, i) => ({ start: starts[i]!, kind: v.kind, ast: v.ast, text: v.text })));
  const base = replayMigrations([{ path: '0.sql', text: 'CREATE TABLE orders (id int PRIMARY KEY, a int); CREATE TABLE customers (id int PRIMARY KEY);' }]);
  const file = new FileContext({ pgVersion: 17 }, base, plan, views.map((v) => ({ kind: v.kind, text: v.text, ast: v.ast })));
  views.forEach((view, i) => {
    file.enter(i);
    const effect = file.effect(view);
    at(file, i, view);
    file.apply(view, i, effect);
  });
}

describe('FileContext transaction queries', () => {
  const SQL = 'ALTER TABLE orders ADD COLUMN b int;\nCREATE INDEX ON customers (id);\nSELECT 1;';

  it('answers which transaction a statement runs in, what it holds, and who else is in it', () => {
    const seen: string[] = [];
    walk(SQL, { path: '000002_x.up.sql' }, (file, i) => {
      const t = file.transaction();
      const members = file.statementsInSameTransaction();
      seen.push(
        `${i}: ${t.source} size=${t.size} held=${file.heldLocks().map((l) => `${l.relation}:${l.mode}`).join(',')} ` +
          `ael=${file.accessExclusiveHeldOn('public.orders')?.excerpt ?? '-'} members=${members.map((m) => m.order[0]).join('')} ` +
          `prev=${file.previousStatement()?.kind ?? '-'} same=${file.transactionOf(0)?.id === t.id}`,
      );
    });
    expect(seen).toEqual([
      '0: implicit size=3 held= ael=- members=tll prev=- same=true',
      '1: implicit size=3 held=public.orders:AccessExclusiveLock ael=ALTER TABLE orders ADD COLUMN b int members=etl prev=AlterTableStmt same=true',
      '2: implicit size=3 held=public.orders:AccessExclusiveLock,public.customers:ShareLock ael=ALTER TABLE orders ADD COLUMN b int members=eet prev=IndexStmt same=true',
    ]);
  });

  it('holds nothing across statements that each commit on their own', () => {
    const held: number[] = [];
    walk(SQL, { path: 'plain.sql' }, (file) => held.push(file.heldLocks().length));
    expect(held).toEqual([0, 0, 0]);
  });

  it('records the queries a rule asks and knows when their answers change', () => {
    let recorded: ReturnType<FileContext['stopRecording']> = [];
    walk(SQL, { path: '000002_x.up.sql' }, (file, i) => {
      if (i === 2) {
        file.recordQueries();
        file.heldLocks();
        file.transaction();
        recorded = file.stopRecording();
        expect(file.queriesStillHold(recorded)).toBe(true);
      }
    });
    expect(recorded.map((q) => q.query)).toEqual(['heldLocks', 'transaction']);
    // The same questions at statement 1 get other answers (fewer locks held).
    walk(SQL, { path: '000002_x.up.sql' }, (file, i) => {
      if (i === 1) expect(file.queriesStillHold(recorded)).toBe(false);
    });
  });
});
