/**
 * The tracer on the real embedded PostgreSQL 17 (one server per run, a scratch database per test). Every expected
 * value below is what the server was seen to do, not what the documentation suggests it should.
 */
import { describe, expect, it } from 'vitest';
import { withScratchDatabase } from '../../../test/setup/pg.js';
import { traceStatements, transactionControlVerb, type StatementTrace } from './tracer.js';

const TABLE_T = `CREATE TABLE t (id int PRIMARY KEY, a int);
INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;`;

async function traceOne(setup: string, sql: string, transactional = false): Promise<StatementTrace> {
  return withScratchDatabase(async ({ driver }) => {
    const [trace] = await traceStatements(driver, { setup, statements: [sql], transactional });
    return trace!;
  });
}

describe('traceStatements in a transaction block', () => {
  it('ADD COLUMN with a constant default: ACCESS EXCLUSIVE on the table, no rewrite, no scan', async () => {
    const trace = await traceOne(TABLE_T, 'ALTER TABLE t ADD COLUMN c int DEFAULT 0');
    expect(trace).toEqual({
      sql: 'ALTER TABLE t ADD COLUMN c int DEFAULT 0',
      locks: [{ relation: 'public.t', relkind: 'table', mode: 'AccessExclusiveLock' }],
      rewritten: [],
      scanned: [],
      observedVia: 'transaction',
    });
  });

  it('ADD COLUMN with a volatile default: rewrites the table and its index', async () => {
    const trace = await traceOne(TABLE_T, 'ALTER TABLE t ADD COLUMN c float8 DEFAULT random()');
    expect(trace.error).toBeUndefined();
    expect(trace.locks).toEqual([
      { relation: 'public.t', relkind: 'table', mode: 'AccessExclusiveLock' },
      { relation: 'public.t_pkey', relkind: 'index', mode: 'AccessExclusiveLock' },
    ]);
    expect(trace.rewritten).toEqual(['public.t', 'public.t_pkey']);
    expect(trace.scanned).toEqual(['public.t']);
  });

  it('CREATE INDEX: SHARE on the table, which it scans; the new index is reported too', async () => {
    const trace = await traceOne(TABLE_T, 'CREATE INDEX i ON t (a)');
    expect(trace.locks).toEqual([
      // index_create() locks the index it creates; other sessions cannot see it before commit anyway.
      { relation: 'public.i', relkind: 'index', mode: 'AccessExclusiveLock' },
      { relation: 'public.t', relkind: 'table', mode: 'ShareLock' },
    ]);
    expect(trace.rewritten).toEqual([]);
    expect(trace.scanned).toEqual(['public.t']);
  });

  it('ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables; validation reads the child', async () => {
    const setup = `CREATE TABLE parent (id int PRIMARY KEY);
      CREATE TABLE child (id int PRIMARY KEY, pid int);
      INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);`;
    const trace = await traceOne(setup, 'ALTER TABLE child ADD FOREIGN KEY (pid) REFERENCES parent (id)');
    expect(trace.locks).toEqual([
      { relation: 'public.child', relkind: 'table', mode: 'ShareRowExclusiveLock' },
      // Planning the validation query (child LEFT JOIN parent) opens both tables' indexes.
      { relation: 'public.child_pkey', relkind: 'index', mode: 'AccessShareLock' },
      { relation: 'public.parent', relkind: 'table', mode: 'ShareRowExclusiveLock' },
      { relation: 'public.parent_pkey', relkind: 'index', mode: 'AccessShareLock' },
    ]);
    expect(trace.rewritten).toEqual([]);
    expect(trace.scanned).toContain('public.child');
  });

  it('ALTER COLUMN TYPE rebuilds the index under the same name: reported as rewritten', async () => {
    const trace = await traceOne(TABLE_T, 'ALTER TABLE t ALTER COLUMN id TYPE bigint');
    expect(trace.rewritten).toEqual(['public.t', 'public.t_pkey']);
    expect(trace.locks).toContainEqual({ relation: 'public.t_pkey', relkind: 'index', mode: 'AccessExclusiveLock' });
  });

  it('DROP TABLE: the dropped table and its index are reported under their old names', async () => {
    const trace = await traceOne(TABLE_T, 'DROP TABLE t');
    expect(trace.locks).toEqual([
      { relation: 'public.t', relkind: 'table', mode: 'AccessExclusiveLock' },
      { relation: 'public.t_pkey', relkind: 'index', mode: 'AccessExclusiveLock' },
    ]);
  });

  it('a failing statement returns the server error with SQLSTATE and 1-based position', async () => {
    const trace = await traceOne(TABLE_T, 'SELECT a FROM t JOIN nope ON true');
    expect(trace.error).toEqual({ message: 'relation "nope" does not exist', code: '42P01', position: 22 });
    expect(trace.locks).toEqual([]);
  });

  it("isolation 'rollback' gives each statement the setup state; 'commit' lets them build on each other", async () => {
    const statements = ['ALTER TABLE t ADD COLUMN c int', 'ALTER TABLE t ADD COLUMN c int'];
    await withScratchDatabase(async ({ driver }) => {
      const isolated = await traceStatements(driver, { setup: TABLE_T, statements, transactional: true });
      expect(isolated.map((trace) => trace.error?.code)).toEqual([undefined, undefined]);
      const cumulative = await traceStatements(driver, { statements, transactional: true, isolation: 'commit' });
      expect(cumulative.map((trace) => trace.error?.code)).toEqual([undefined, '42701']); // duplicate_column
    });
  });

  it('refuses transaction control statements, which would end its own transaction', async () => {
    expect(transactionControlVerb('  -- migrate\n/* x */ commit;')).toBe('COMMIT');
    expect(transactionControlVerb('DO $$ BEGIN NULL; END $$')).toBeUndefined();
    await withScratchDatabase(async ({ driver }) => {
      await expect(traceStatements(driver, { statements: ['SELECT 1', 'BEGIN'], transactional: false })).rejects.toThrow(
        /statement 2 is a transaction control statement \(BEGIN\)/,
      );
    });
  });

  it('a broken setup throws with the server error and its line and column', async () => {
    await withScratchDatabase(async ({ driver }) => {
      await expect(traceStatements(driver, { setup: 'CREATE TABLE t (id int);\nCREATE TABLE u (id nosuchtype);', statements: [], transactional: false }))
        .rejects.toThrow('type "nosuchtype" does not exist (SQLSTATE 42704) at line 2, column 20');
    });
  });
});

describe('traceStatements from a monitor connection (statements refusing a transaction block)', () => {
  it('CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE on the table, seen while it waits on both blockers', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const [trace] = await traceStatements(driver, { setup: TABLE_T, statements: ['CREATE INDEX CONCURRENTLY ic ON t (a)'], transactional: false });
      expect(trace!.error).toBeUndefined();
      expect(trace!.observedVia).toBe('monitor');
      expect(trace!.locks).toEqual([{ relation: 'public.t', relkind: 'table', mode: 'ShareUpdateExclusiveLock' }]);
      expect(trace!.sampling?.blockedBy).toEqual(['lock', 'snapshot']);
      expect(trace!.scanned).toEqual(['public.t']);

      // Isolation 'rollback': it ran in a throwaway copy, so the index is not in the scratch database.
      const session = await driver.connect();
      const { rows } = await session.query("SELECT 1 FROM pg_class WHERE relname = 'ic'");
      await session.close();
      expect(rows).toEqual([]);
    });
  });

  it('DETACH PARTITION CONCURRENTLY: the ACCESS EXCLUSIVE lock of its second transaction is caught by a relay blocker', async () => {
    const setup = `CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);
      CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');`;
    const trace = await traceOne(setup, 'ALTER TABLE m DETACH PARTITION m1 CONCURRENTLY');
    expect(trace.error).toBeUndefined();
    expect(trace.locks).toEqual([
      { relation: 'public.m', relkind: 'partitioned table', mode: 'ShareUpdateExclusiveLock' },
      { relation: 'public.m1', relkind: 'table', mode: 'AccessExclusiveLock' },
    ]);
    expect(trace.sampling?.blockedBy).toEqual(['lock', 'snapshot', 'relay']);
  });

  it('with transactional: true the statement gets the error a migration in a transaction would get', async () => {
    const trace = await traceOne(TABLE_T, 'CREATE INDEX CONCURRENTLY ic ON t (a)', true);
    expect(trace.observedVia).toBe('transaction');
    expect(trace.error).toEqual({ message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block', code: '25001', position: undefined });
  });

  it("isolation 'commit' keeps the effect of a monitor-observed statement", async () => {
    await withScratchDatabase(async ({ driver }) => {
      const traces = await traceStatements(driver, {
        setup: TABLE_T,
        statements: ['CREATE INDEX CONCURRENTLY ic ON t (a)', 'DROP INDEX ic'],
        transactional: false,
        isolation: 'commit',
      });
      expect(traces.map((trace) => trace.error)).toEqual([undefined, undefined]);
      expect(traces[1]!.locks).toContainEqual({ relation: 'public.ic', relkind: 'index', mode: 'AccessExclusiveLock' });
    });
  });
});
