/**
 * --workload on the run's embedded PostgreSQL (used as a --url server): clients querying the locked tables while
 * the migration runs, and the lock queue behind a long read transaction, without and with lock_timeout.
 *
 * The migrations hold their lock a known time with pg_sleep inside their transaction: the tests are about what the
 * workload measures while a lock is held, and a rewrite of a few thousand rows alone lasts a few noisy ms.
 */
import { describe, expect, it } from 'vitest';
import { pgDriver } from '../../server/src/rehearsal/driver';
import { rehearse, type RehearsalOptions } from '../../server/src/rehearsal/engine';
import { fileLockTimeout, parseDurationMs } from '../../server/src/rehearsal/contention';
import { percentile, singleRowInsert, workloadStats } from '../../server/src/rehearsal/workload';
import { embeddedServerUrl } from '../setup/pg';

const CREATE = {
  path: 'migrations/001_create.up.sql',
  text:
    "CREATE TYPE mood AS ENUM ('ok', 'meh');\n" +
    'CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, m mood);\n' +
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, total int NOT NULL CHECK (total >= 0), note varchar(20));\n',
};

function options(target: string, extra: Partial<RehearsalOptions> = {}): RehearsalOptions {
  return {
    target: { path: 'migrations/002_target.up.sql', text: target },
    previous: [CREATE],
    server: { kind: 'url', url: embeddedServerUrl() },
    sizes: [2000],
    repeat: 1,
    ...extra,
  };
}

async function ourDatabases(): Promise<string[]> {
  const session = await pgDriver(embeddedServerUrl()).connect();
  try {
    const { rows } = await session.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'lockstep\\_rehearsal\\_%' ORDER BY 1");
    return rows.map((r) => r.datname);
  } finally {
    await session.close();
  }
}

describe('contention: the workload', () => {
  it('waits behind an ACCESS EXCLUSIVE rewrite, hardly at all behind a CONCURRENTLY build', async () => {
    const before = await ourDatabases();
    const workload = { clients: 3, ratePerSecond: 60, statementTimeoutMs: 400, tables: ['orders'], queue: false };
    const rewrite = await rehearse(
      options('ALTER TABLE orders ALTER COLUMN total TYPE bigint;\nSELECT pg_sleep(0.8);\n', { workload }),
    );
    // A goose file without a transaction: each statement on its own, as goose would send them.
    const concurrently = await rehearse({
      ...options('', { workload }),
      target: {
        path: 'migrations/002_target.sql',
        text: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\nSELECT pg_sleep(0.8);\n',
      },
    });
    for (const report of [rewrite, concurrently]) {
      expect(report.error).toBeNull();
      const c = report.contention!;
      expect(c).toMatchObject({ size: 2000, clients: 3, ratePerSecond: 60, statementTimeoutMs: 400, tables: ['public.orders'] });
      expect(c.workload!.migration.status).toBe('completed');
      // Every kind of query ran: primary-key reads, inserts and updates, built from the schema and accepted by it.
      expect(c.workload!.byQuery.map((q) => q.kind).sort()).toEqual(['insert', 'read', 'update']);
      for (const q of c.workload!.byQuery) {
        expect(q.queries).toBeGreaterThan(0);
        expect(q.errors).toEqual([]);
        expect(q.p99Ms).toBeLessThanOrEqual(q.maxMs);
      }
      expect(c.workload!.all.queries).toBe(c.workload!.byQuery.reduce((n, q) => n + q.queries, 0));
    }
    // The rewrite holds ACCESS EXCLUSIVE through the 0.8 s sleep: every client waits until its statement_timeout.
    const held = rewrite.contention!.workload!;
    expect(held.migration.ms).toBeGreaterThan(800);
    expect(held.all.timedOut).toBeGreaterThan(0);
    expect(held.all.maxMs).toBeGreaterThanOrEqual(390);
    // The CONCURRENTLY build takes SHARE UPDATE EXCLUSIVE, which neither reads nor writes wait for.
    const free = concurrently.contention!.workload!;
    expect(free.all.timedOut).toBe(0);
    expect(free.all.maxMs).toBeLessThan(held.all.maxMs);
    expect(free.all.p99Ms).toBeLessThan(300);
    expect(free.all.queries).toBeGreaterThan(held.all.queries);
    expect(await ourDatabases()).toEqual(before);
  });

  it('shows the queue behind a long read transaction, and lock_timeout bounding it with 55P03', async () => {
    const report = await rehearse(
      options('ALTER TABLE orders ADD COLUMN flag boolean;\n', {
        workload: { clients: 3, ratePerSecond: 60, statementTimeoutMs: 5000, tables: ['orders'], lockTimeoutMs: 500, blockerHoldMs: 2000 },
      }),
    );
    expect(report.error).toBeNull();
    const queue = report.contention!.queue!;
    expect(queue).toMatchObject({ table: 'public.orders', blockerHoldMs: 2000 });
    const [unbounded, bounded] = queue.runs;

    // Without lock_timeout: the migration waits for the reader the whole 2 s, and the clients wait behind it.
    expect(unbounded).toMatchObject({ lockTimeoutMs: null, lockTimeoutSource: 'none' });
    expect(unbounded!.migration.status).toBe('completed');
    expect(unbounded!.migrationWaitedMs).toBeGreaterThan(1500);
    expect(unbounded!.maxQueued).toBeGreaterThanOrEqual(2);
    expect(unbounded!.waits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ waiter: 'migration (statement 1, line 1)', blockedBy: 'long-running read transaction', waitEvent: 'relation' }),
        expect.objectContaining({ waiter: expect.stringMatching(/^client \((SELECT|INSERT|UPDATE)\)$/), blockedBy: expect.stringMatching(/^migration/) }),
      ]),
    );
    expect(unbounded!.workload.maxMs).toBeGreaterThan(1500);
    expect(unbounded!.timeline.some((p) => p.queued > 0 && p.migrationWaiting)).toBe(true);

    // With the recommended lock_timeout (500 ms here): the migration gives up after it, and so does the queue.
    expect(bounded).toMatchObject({ lockTimeoutMs: 500, lockTimeoutSource: 'recommended' });
    expect(bounded!.migration).toMatchObject({ status: 'failed', code: '55P03', statement: 0 });
    expect(bounded!.migration.ms).toBeGreaterThanOrEqual(500);
    expect(bounded!.migration.ms).toBeLessThan(1300);
    expect(bounded!.maxQueued).toBeGreaterThanOrEqual(1);
    expect(bounded!.workload.maxMs).toBeLessThan(1300);
    expect(bounded!.workload.maxMs).toBeLessThan(unbounded!.workload.maxMs);
    expect(report.contention!.notes.join('\n')).toMatch(/sets no lock_timeout.*lock_timeout = '500ms'/);
  });

  it("uses the file's own lock_timeout for the bounded run, and leaves it out of the unbounded one", async () => {
    const report = await rehearse(
      options("SET lock_timeout = '400ms';\nALTER TABLE orders ADD COLUMN flag boolean;\n", {
        workload: { clients: 2, ratePerSecond: 40, tables: ['orders'], blockerHoldMs: 1500 },
      }),
    );
    expect(report.error).toBeNull();
    const [unbounded, bounded] = report.contention!.queue!.runs;
    expect(unbounded!.migration.status).toBe('completed');
    expect(bounded).toMatchObject({ lockTimeoutMs: 400, lockTimeoutSource: 'file', migration: { status: 'failed', code: '55P03', statement: 1 } });
  });
});

describe('contention: queries and cleanup', () => {
  it('builds reads, inserts and updates that every constraint accepts (identity, unique, enum, FK, CHECK, varchar)', async () => {
    const report = await rehearse(
      options('ALTER TABLE customers ADD COLUMN x int;\nALTER TABLE orders ADD COLUMN y int;\n', {
        workload: { clients: 2, ratePerSecond: 200, queue: false },
      }),
    );
    expect(report.error).toBeNull();
    const byQuery = report.contention!.workload!.byQuery;
    expect(byQuery.map((q) => `${q.table} ${q.kind}`).sort()).toEqual([
      'public.customers insert',
      'public.customers read',
      'public.customers update',
      'public.orders insert',
      'public.orders read',
      'public.orders update',
    ]);
    // Run on their own (no waiting behind anything once the migration committed), none may fail.
    for (const q of byQuery) expect({ query: `${q.table} ${q.kind}`, errors: q.errors }).toEqual({ query: `${q.table} ${q.kind}`, errors: [] });
  });

  it('cancelled during the queue demo: stops the clients and the long transaction, drops every database', async () => {
    const before = await ourDatabases();
    const controller = new AbortController();
    let abortedAt = Infinity;
    const report = await rehearse(
      options('ALTER TABLE orders ADD COLUMN flag boolean;\n', {
        workload: { clients: 2, tables: ['orders'], blockerHoldMs: 20_000 },
        signal: controller.signal,
        onProgress: (event) => {
          if (event.phase === 'workload' && event.message.startsWith('queue demo 1/2')) setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 1000);
        },
      }),
    );
    expect(report.status).toBe('cancelled');
    // Promptly: not after the long transaction's 20 s.
    expect(performance.now() - abortedAt).toBeLessThan(5000);
    expect(await ourDatabases()).toEqual(before);
    // No session of ours is left on the server (clients, the long transaction, the monitor).
    const session = await pgDriver(embeddedServerUrl()).connect();
    try {
      const { rows } = await session.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname LIKE 'lockstep\\_rehearsal\\_%'");
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await session.close();
    }
  });
});

describe('contention: pieces', () => {
  it('reads lock_timeout as PostgreSQL does', () => {
    expect(parseDurationMs('2s')).toBe(2000);
    expect(parseDurationMs('1500')).toBe(1500);
    expect(parseDurationMs('1min')).toBe(60_000);
    expect(parseDurationMs('soon')).toBeUndefined();
    const at = (texts: string[]) => fileLockTimeout(texts.map((text, index) => ({ index, text })));
    expect(at(["SET lock_timeout = '2s'", 'ALTER TABLE t ADD c int'])).toEqual({ ms: 2000, statements: [0] });
    expect(at(["SET LOCAL lock_timeout TO '750ms'"])).toEqual({ ms: 750, statements: [0] });
    expect(at(["SELECT set_config('lock_timeout', '3s', false)"])).toEqual({ ms: 3000, statements: [0] });
    expect(at(['SET lock_timeout = 0'])).toBeUndefined();
    expect(at(['ALTER TABLE t ADD c int'])).toBeUndefined();
  });

  it('turns the seeder insert into a one-row insert, and refuses anything else', () => {
    const insert = singleRowInsert('INSERT INTO t (a) SELECT g FROM generate_series(1, 500) AS g', 500)!;
    expect(insert(501)).toBe('INSERT INTO t (a) SELECT g FROM generate_series(501, 501) AS g');
    expect(singleRowInsert('INSERT INTO t SELECT 1 FROM x', 500)).toBeUndefined();
  });

  it('computes max, p99, timeouts and errors', () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ query: 0, startMs: i, ms: i + 1 }));
    records.push({ query: 0, startMs: 0, ms: 400, code: '57014' } as never, { query: 0, startMs: 0, ms: 3, code: '40P01', message: 'deadlock detected' } as never);
    const stats = workloadStats(records);
    expect(stats).toMatchObject({ queries: 202, maxMs: 400, timedOut: 1, errors: [{ code: '40P01', count: 1, message: 'deadlock detected' }] });
    expect(stats.p99Ms).toBe(percentile([...records.map((r) => r.ms)].sort((a, b) => a - b), 0.99));
    expect(percentile([], 0.99)).toBe(0);
  });
});
