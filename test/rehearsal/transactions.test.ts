/**
 * The rehearsal runs a migration in exactly the transactions the analysis core plans for its runner
 * (analysis/transactions/): checked on the real server by where each statement's locks were released, against the
 * analyzer's own answer for the same file and path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText, initParser } from '../../server/src/analysis/analyzer';
import { rehearse } from '../../server/src/rehearsal/engine';
import { planMigration } from '../../server/src/rehearsal/migration-plan';
import { runStatements } from '../../server/src/rehearsal/runner';
import { embeddedServerUrl, withScratchDatabase } from '../setup/pg';

beforeAll(async () => {
  await initParser();
});

const SCHEMA = 'CREATE TABLE a (id int PRIMARY KEY, v int); CREATE TABLE b (id int PRIMARY KEY, v int);';

/** Files whose statements group differently depending on the runner the path and text say runs them. */
const CASES: Array<{ name: string; path: string; text: string; groups: number[][] }> = [
  {
    name: 'golang-migrate: one query, one implicit transaction',
    path: 'db/migrations/000002_x.up.sql',
    text: 'ALTER TABLE a ADD COLUMN c int;\nALTER TABLE b ADD COLUMN c int;\nALTER TABLE a ADD COLUMN d int;\n',
    groups: [[0, 1, 2]],
  },
  {
    name: 'goose: its own transaction around the file',
    path: 'db/migrations/00002_x.sql',
    text: '-- +goose Up\nALTER TABLE a ADD COLUMN c int;\nALTER TABLE b ADD COLUMN c int;\n',
    groups: [[0, 1]],
  },
  {
    name: 'goose NO TRANSACTION: each statement on its own',
    path: 'db/migrations/00002_x.sql',
    text: '-- +goose NO TRANSACTION\n-- +goose Up\nALTER TABLE a ADD COLUMN c int;\nALTER TABLE b ADD COLUMN c int;\n',
    groups: [[0], [1]],
  },
  {
    name: 'psql: statement by statement, the file’s BEGIN … COMMIT groups',
    path: 'scripts/change.sql',
    text: 'ALTER TABLE a ADD COLUMN c int;\nBEGIN;\nALTER TABLE b ADD COLUMN c int;\nALTER TABLE a ADD COLUMN d int;\nCOMMIT;\nALTER TABLE b ADD COLUMN d int;\n',
    groups: [[0], [1, 2, 3, 4], [5]],
  },
  {
    name: 'golang-migrate with a COMMIT inside: the rest of the query is a new implicit transaction',
    path: 'db/migrations/000002_x.up.sql',
    text: 'ALTER TABLE a ADD COLUMN c int;\nCOMMIT;\nALTER TABLE b ADD COLUMN c int;\nALTER TABLE a ADD COLUMN d int;\n',
    groups: [[0, 1], [2, 3]],
  },
];

describe('rehearsal transactions follow the analysis core', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      // What the analyzer says (as `lockstep explain` shows it).
      const analysis = analyzeText(c.text, { pgVersion: 17, migration: { path: c.path } });
      const byId = new Map<number, number[]>();
      for (const s of analysis.statements) byId.set(s.transaction!.id, [...(byId.get(s.transaction!.id) ?? []), s.index]);
      expect([...byId.values()]).toEqual(c.groups);

      const plan = planMigration(c.text, { pgVersion: 17, migration: { path: c.path } });
      await withScratchDatabase(async (db) => {
        const setup = await db.driver.connect();
        await setup.query(SCHEMA);
        await setup.close();
        const outcome = await runStatements({ driver: db.driver, database: db.name, statements: plan.statements, canFlushStats: true });
        expect(outcome.failedAt).toBeUndefined();
        // Where the server released each statement's locks: at the end of the analyzer's transaction.
        for (const run of outcome.runs) {
          const group = c.groups.find((g) => g.includes(run.index))!;
          expect({ statement: run.index, releasedAfter: run.releasedAfter }).toEqual({ statement: run.index, releasedAfter: group.at(-1) });
        }
        // A lock taken by the first statement is held through every later statement of its transaction.
        const first = outcome.runs[0]!;
        const lock = first.locks.find((l) => l.relation === 'public.a')!;
        const later = outcome.runs.filter((r) => r.index > 0 && r.index <= first.releasedAfter).reduce((sum, r) => sum + r.ms, 0);
        expect(lock.heldMs).toBeGreaterThanOrEqual(first.ms + later - 0.01);
      });
    });
  }

  it('fails, as production would, where the runner sends CREATE INDEX CONCURRENTLY inside a transaction', async () => {
    const report = await rehearse({
      target: { path: 'migrations/002_x.up.sql', text: 'ALTER TABLE a ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY a_v_idx ON a (v);\n' },
      previous: [{ path: 'migrations/001_create.up.sql', text: SCHEMA }],
      server: { kind: 'url', url: embeddedServerUrl() },
      sizes: [100],
      repeat: 1,
    });
    expect(report.transaction).toMatchObject({ mode: 'single', runner: 'golang-migrate' });
    expect(report.transaction.reason).toMatch(/golang-migrate sends the whole file as one query/);
    expect(report.status).toBe('failed');
    expect(report.statements[1]!.error).toMatchObject({ code: '25001', line: 2 });
    expect(report.error).toMatchObject({ phase: 'run', line: 2 });
    expect(report.statements[1]!.error!.hint).toMatch(/fails like this in production too/);
    // The statement before it was measured.
    expect(report.statements[0]!.samples).toHaveLength(1);
  });
});
