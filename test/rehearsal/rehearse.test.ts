/**
 * The rehearsal engine end to end on the run's embedded PostgreSQL, used as a `--url` server (so each rehearsal
 * creates and drops its own databases there), with small sizes to stay fast. One test starts an embedded server of
 * its own through the engine, to prove it is gone after a cancel.
 */
import { describe, expect, it } from 'vitest';
import { pgDriver, urlForDatabase, type DbSession } from '../../server/src/rehearsal/driver';
import { rehearse, type RehearsalOptions } from '../../server/src/rehearsal/engine';
import type { RehearsalProgress, RehearsalReport } from '../../server/src/rehearsal/report';
import { remoteHostReason } from '../../server/src/rehearsal/server';
import { embeddedServerUrl, withScratchDatabase } from '../setup/pg';

const CREATE_T = { path: 'migrations/001_create_t.up.sql', text: 'CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, label text);\nCREATE INDEX t_v_idx ON t (v);\n' };
const SIZES = [200, 2000];

function options(target: string, extra: Partial<RehearsalOptions> = {}): RehearsalOptions {
  return {
    target: { path: 'migrations/002_target.up.sql', text: target },
    previous: [CREATE_T],
    server: { kind: 'url', url: embeddedServerUrl() },
    sizes: SIZES,
    rows: { t: 1_000_000 },
    repeat: 1,
    ...extra,
  };
}

async function ourDatabases(): Promise<string[]> {
  const session = await pgDriver(embeddedServerUrl()).connect();
  try {
    const { rows } = await session.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'lockstep\\_rehearsal\\_%' OR datname LIKE 'lockstep\\_tpl\\_%' ORDER BY 1",
    );
    return rows.map((r) => r.datname);
  } finally {
    await session.close();
  }
}

describe('rehearse', () => {
  it('traces a table rewrite: relfilenode changes, ACCESS EXCLUSIVE held to COMMIT, extrapolated and flagged', async () => {
    // At 2,000 rows nothing takes a second: a 1 ms threshold shows which workloads the lock blocks.
    const report = await rehearse(options('-- widen\nALTER TABLE t ALTER COLUMN v TYPE bigint;\n', { thresholdMs: 1, repeat: 3 }));
    expect(report.error).toBeNull();
    expect(report.status).toBe('completed');
    expect(report.sizes).toEqual(SIZES);
    expect(report.transaction.mode).toBe('single');
    const [statement] = report.statements;
    expect(statement!.line).toBe(2);
    expect(statement!.subject).toBe('public.t');
    expect(statement!.samples.map((s) => s.rows)).toEqual(SIZES);
    // Each size ran three times (the budget allows it), on fresh copies, and keeps its fastest run.
    for (const sample of statement!.samples) {
      expect(sample.repeats).toHaveLength(3);
      expect(sample.ms).toBe(Math.min(...sample.repeats!));
    }
    for (const sample of statement!.samples) {
      expect(sample.rewrite).toBe(true);
      expect(sample.rewritten).toEqual(['public.t', 'public.t_pkey', 'public.t_v_idx']);
      const lock = sample.locks.find((l) => l.relation === 'public.t')!;
      expect(lock).toMatchObject({ mode: 'AccessExclusiveLock', table: 'public.t', preexisting: true });
      // Held from the statement's start to the end of the COMMIT: at least the statement itself.
      expect(lock.heldMs).toBeGreaterThanOrEqual(sample.ms);
      expect(sample.walBytes).toBeGreaterThan(0);
    }
    expect(statement!.estimate).toMatchObject({ rows: 1_000_000 });
    expect(statement!.estimate!.model).not.toBe('constant');
    expect(statement!.estimate!.lowMs).toBeLessThanOrEqual(statement!.estimate!.ms);
    expect(statement!.estimate!.highMs).toBeGreaterThanOrEqual(statement!.estimate!.ms);
    // With a production target, memory limits shrink with the sample (a scale model), down to PostgreSQL's minimums.
    expect(report.memory!.production).toEqual({ workMemKb: 4096, maintenanceWorkMemKb: 65536 });
    expect(report.memory!.sizes).toEqual([
      { size: 200, workMemKb: 64, maintenanceWorkMemKb: 1024 },
      { size: 2000, workMemKb: 64, maintenanceWorkMemKb: 1024 },
    ]);
    expect(statement!.blocking!.basis).toBe('estimate');
    expect(statement!.blocking!.reads['public.t']).toBeGreaterThan(statement!.estimate!.ms * 0.99);
    expect(report.findings.map((f) => [f.statement, f.workload, f.table])).toEqual([
      [0, 'reads', 'public.t'],
      [0, 'writes', 'public.t'],
    ]);
    expect(await ourDatabases()).toEqual([]);
  });

  it('runs a file with CREATE INDEX CONCURRENTLY statement by statement and samples its locks from outside', async () => {
    // goose sends statement by statement; NO TRANSACTION drops its transaction (the analysis core's plan).
    const report = await rehearse({
      ...options('', { rows: {}, sizes: [2000] }),
      target: {
        path: 'migrations/002_target.sql',
        text: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY t_label_idx ON t (label);\nALTER TABLE t ADD COLUMN note text;\n',
      },
    });
    expect(report.error).toBeNull();
    expect(report.transaction).toMatchObject({ mode: 'per-statement', runner: 'goose' });
    expect(report.transaction.reason).toMatch(/statement 1 on its own, statement 2 on its own.*NO TRANSACTION/);
    const [concurrently, addColumn] = report.statements;
    expect(concurrently!.via).toBe('monitor');
    for (const sample of concurrently!.samples) {
      // Sampled from outside while it runs — or, when it finished between two samples, from the lock model.
      expect(sample.locks.find((l) => l.relation === 'public.t')).toMatchObject({ mode: 'ShareUpdateExclusiveLock', source: expect.stringMatching(/^(sampled|model)$/) });
      expect(sample.scanned).toEqual(['public.t']);
    }
    // SHARE UPDATE EXCLUSIVE blocks neither reads nor writes.
    expect(concurrently!.blocking!.reads).toEqual({});
    expect(concurrently!.blocking!.writes).toEqual({});
    expect(concurrently!.estimate).toBeNull();
    expect(concurrently!.estimateNote).toBe('no --rows target: measured only');
    expect(addColumn!.via).toBe('transaction');
    expect(addColumn!.samples.at(-1)!.locks.find((l) => l.relation === 'public.t')?.mode).toBe('AccessExclusiveLock');
    expect(addColumn!.samples.at(-1)!.rewrite).toBe(false);
  });

  it('reports a statement failing at k with file:line, keeps the statements before it, and cleans up', async () => {
    const target = 'ALTER TABLE t ADD COLUMN a int;\nCREATE INDEX t_label_idx ON t (label);\nALTER TABLE t\n  RENAME COLUMN nope TO x;\nALTER TABLE t ADD COLUMN b int;\n';
    const report = await rehearse(options(target));
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ phase: 'run', file: 'migrations/002_target.up.sql', line: 3 });
    const [first, second, failing, after] = report.statements;
    expect(first!.samples).toHaveLength(SIZES.length);
    expect(second!.samples.map((s) => s.scan)).toEqual([true, true]);
    expect(failing!.error).toMatchObject({ code: '42703', line: 3, size: SIZES[0] });
    expect(failing!.samples).toEqual([]);
    expect(after!.samples).toEqual([]);
    expect(await ourDatabases()).toEqual([]);
  });

  it('reports an error in an earlier migration at its file and line', async () => {
    const report = await rehearse({
      ...options('ALTER TABLE t ADD COLUMN a int;'),
      previous: [CREATE_T, { path: 'migrations/001b_broken.up.sql', text: 'ALTER TABLE t ADD COLUMN ok int;\nALTER TABLE t ADD COLUMN x int REFERENCES missing (id);\n' }],
    });
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ phase: 'replay', file: 'migrations/001b_broken.up.sql', line: 2 });
    expect(report.error!.message).toContain('relation "missing" does not exist');
    expect(await ourDatabases()).toEqual([]);
  });

  it('cancels a running statement on the server and leaves no database behind', async () => {
    const controller = new AbortController();
    const started = performance.now();
    let sawScratch = false;
    const report = await rehearse(
      // Instant on the empty schema (the probe), minutes on 2,000³ rows.
      options('SELECT count(*) FROM t;\nSELECT count(*) FROM t, t AS t2, t AS t3;\n', {
        signal: controller.signal,
        onProgress: (event: RehearsalProgress) => {
          if (event.phase === 'run' && event.statement === 1 && event.size === SIZES[1]) {
            void ourDatabases().then((names) => {
              sawScratch = names.some((n) => n.startsWith('lockstep_rehearsal_'));
              setTimeout(() => controller.abort(), 200);
            });
          }
        },
      }),
    );
    expect(report.status).toBe('cancelled');
    // The cross join was cancelled on the server, not waited out.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(sawScratch).toBe(true);
    // Partial results: the first statement ran at both sizes.
    expect(report.statements[0]!.samples).toHaveLength(2);
    expect(await ourDatabases()).toEqual([]);
  });

  it('cancels a statement still running when the budget is used up, and says so', async () => {
    const started = performance.now();
    const report = await rehearse(options('SELECT count(*) FROM t;\nSELECT count(*) FROM t, t AS t2, t AS t3;\n', { sizes: [2000], budgetMs: 1500 }));
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ phase: 'run', line: 2, hint: expect.stringContaining('--budget-seconds') });
    expect(report.statements[1]!.error!.message).toMatch(/did not finish within the 2 s budget/);
    expect(report.statements[0]!.samples).toHaveLength(1);
    expect(await ourDatabases()).toEqual([]);
  });

  it('stops the embedded server it started when cancelled (its postmaster pid is gone)', async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    const report = await rehearse({
      target: { path: 'sleep.sql', text: 'SELECT pg_sleep(60);' },
      previous: [],
      server: { kind: 'embedded' },
      signal: controller.signal,
      onProgress: (event) => {
        if (event.pid) pid = event.pid;
        // pg_sleep runs first on the empty schema (the probe): cancel it there.
        if (event.phase === 'probe' && event.statement === 0) setTimeout(() => controller.abort(), 100);
      },
    });
    expect(report.status).toBe('cancelled');
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('leaves no trace on a --url server outside its own databases, which it drops', async () => {
    await withScratchDatabase(async ({ name, driver }) => {
      // The URL names a database of this test, so its contents can be compared before and after.
      const url = urlForDatabase(embeddedServerUrl(), name);
      const maintenance = await driver.connect();
      const snapshot = async (session: DbSession): Promise<unknown> => ({
        tables: (await session.query("SELECT relname, relkind FROM pg_class WHERE relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace) ORDER BY 1")).rows,
        roles: (await session.query('SELECT rolname FROM pg_roles ORDER BY 1')).rows,
        extensions: (await session.query('SELECT extname FROM pg_extension ORDER BY 1')).rows,
      });
      try {
        await maintenance.query('CREATE TABLE mine (id int)');
        const before = await snapshot(maintenance);
        const databasesDuring: string[] = [];
        const messages: string[] = [];
        const report = await rehearse(
          options('ALTER TABLE t ADD COLUMN c int DEFAULT 0;', {
            server: { kind: 'url', url },
            sizes: [200],
            onProgress: (event) => {
              messages.push(event.message);
              if (event.phase === 'run') void ourDatabases().then((names) => databasesDuring.push(...names));
            },
          }),
        );
        expect(report.error).toBeNull();
        // The engine itself (before any CLI scrubbing) never writes the URL's password.
        const secret = new URL(url).password;
        expect(secret.length).toBeGreaterThan(8);
        expect(messages.some((m) => m.includes(':***@'))).toBe(true);
        expect(JSON.stringify(report) + messages.join('\n')).not.toContain(secret);
        expect(databasesDuring.some((n) => n.startsWith('lockstep_rehearsal_'))).toBe(true);
        expect(await snapshot(maintenance)).toEqual(before);
        expect(await ourDatabases()).toEqual([]);
      } finally {
        await maintenance.close();
      }
    });
  });

  it('reuses a kept template: the second rehearsal of the same schema and size does not seed', async () => {
    const url = embeddedServerUrl();
    const first = await rehearse(options('CREATE INDEX t_label_idx ON t (label);', { server: { kind: 'url', url, keepTemplates: true }, sizes: [200] }));
    try {
      const second = await rehearse(options('ALTER TABLE t ADD COLUMN z int;', { server: { kind: 'url', url, keepTemplates: true }, sizes: [200] }));
      expect(first.seeding.map((s) => s.reused)).toEqual([false]);
      expect(second.seeding.map((s) => s.reused)).toEqual([true]);
      expect(second.seeding.map((s) => s.template)).toEqual(first.seeding.map((s) => s.template));
      expect(second.seeding.every((s) => s.tables.length === 0)).toBe(true);
    } finally {
      const admin = await pgDriver(url).connect();
      for (const s of first.seeding) await admin.query(`DROP DATABASE IF EXISTS "${s.template}" WITH (FORCE)`);
      await admin.close();
    }
    expect(await ourDatabases()).toEqual([]);
  });

  it('refuses a server on another machine unless allowed, without connecting or printing the password', async () => {
    expect(remoteHostReason('postgres://u:pw@127.0.0.1:5432/db')).toBeUndefined();
    expect(remoteHostReason('postgres://u:pw@localhost/db')).toBeUndefined();
    expect(remoteHostReason('postgres://u:pw@[::1]:5432/db')).toBeUndefined();
    expect(remoteHostReason('postgresql:///db?host=/var/run/postgresql')).toBeUndefined();
    expect(remoteHostReason('postgres://u:pw@db.example.com/db')).toMatch(/db\.example\.com/);
    expect(remoteHostReason('postgres://u:pw@localhost/db?host=10.0.0.5')).toMatch(/10\.0\.0\.5/);

    const started = performance.now();
    const report: RehearsalReport = await rehearse(options('SELECT 1;', { server: { kind: 'url', url: 'postgres://admin:s3cret-Pa55@10.20.30.40:5432/prod' } }));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(report.status).toBe('failed');
    expect(report.error!.phase).toBe('server');
    expect(report.error!.message).toMatch(/refusing .*10\.20\.30\.40.*--allow-remote/);
    expect(JSON.stringify(report)).not.toContain('s3cret-Pa55');
  });
});
