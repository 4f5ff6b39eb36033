// `lockstep stats` against the run's embedded PostgreSQL: what it reads (reltuples, sizes, partitions, tables never
// analyzed), that it cannot write (every query runs with transaction_read_only on; a role without any privilege
// on the tables is enough), that the password never shows, and that lint picks the file up as a statsFile.
// The CLI cases run bin/lockstep.js against the build (`npm test` builds first).
import { createServer } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../../server/src/analysis/analyzer';
import type { StatsFile } from '../../server/src/analysis/config/config';
import { collectTableStats } from '../../server/src/cli/commands/stats';
import type { DbSession } from '../../server/src/rehearsal/driver';
import { withScratchDatabase, type ScratchDatabase } from '../setup/pg';
import { lockstep, type CliRun } from './run-cli';

/** Tables of every kind the command distinguishes. Autovacuum is off on the test server, so nothing is analyzed behind our back. */
const SCHEMA = `
  CREATE TABLE orders (id bigint, status text);
  INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 5000) g;
  ANALYZE orders;
  CREATE TABLE "Order Lines" (id bigint);
  INSERT INTO "Order Lines" SELECT generate_series(1, 40);
  ANALYZE "Order Lines";
  CREATE TABLE fresh (id bigint);
  INSERT INTO fresh SELECT generate_series(1, 321);
  CREATE TABLE empty_fresh (id bigint);
  CREATE SCHEMA app;
  CREATE TABLE app.events (id bigint, at date) PARTITION BY RANGE (at);
  CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  INSERT INTO app.events SELECT g, date '2024-06-01' + (g % 400) FROM generate_series(1, 2000) g;
  ANALYZE app.events;
`;

beforeAll(async () => {
  await initParser();
});

async function withFixture<T>(fn: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  return withScratchDatabase(async (db) => {
    const session = await db.driver.connect();
    try {
      await session.query(SCHEMA);
    } finally {
      await session.close();
    }
    return fn(db);
  });
}

/** Forwards to a real session and asks the server, before each statement, whether the transaction is read-only. */
function readOnlyWitness(inner: DbSession): { session: DbSession; seen: Array<{ sql: string; readOnly: string }> } {
  const seen: Array<{ sql: string; readOnly: string }> = [];
  let inTransaction = false;
  const session: DbSession = {
    backendPid: inner.backendPid,
    async query<T>(sql: string, params?: unknown[]) {
      if (inTransaction) {
        const { rows } = await inner.query<{ ro: string }>("SELECT current_setting('transaction_read_only') AS ro");
        seen.push({ sql, readOnly: rows[0]!.ro });
      } else seen.push({ sql, readOnly: 'outside a transaction' });
      const result = await inner.query<T>(sql, params);
      if (/^BEGIN\b/.test(sql)) inTransaction = true;
      if (/^(ROLLBACK|COMMIT)$/.test(sql)) inTransaction = false;
      return result;
    },
    close: () => inner.close(),
  };
  return { session, seen };
}

describe('collectTableStats', () => {
  it('reads rows and bytes per table, sums partitions, counts small never-analyzed tables, and runs read-only', async () => {
    await withFixture(async (db) => {
      const inner = await db.driver.connect();
      const { session, seen } = readOnlyWitness(inner);
      let stats: StatsFile;
      try {
        stats = await collectTableStats(session, { now: () => new Date('2026-11-22T01:00:00Z') });
      } finally {
        await session.close();
      }
      expect(Object.keys(stats.tables)).toEqual([
        'app.events',
        'app.events_2024',
        'app.events_2025',
        'public."Order Lines"',
        'public.empty_fresh',
        'public.fresh',
        'public.orders',
      ]);
      expect(stats.tables['public.orders']!.rows).toBe(5000);
      expect(stats.tables['public."Order Lines"']!.rows).toBe(40);
      // A partitioned table stores nothing itself: its numbers are its partitions'.
      const parts = ['app.events_2024', 'app.events_2025'].map((k) => stats.tables[k]!);
      // 214 of the 400 day offsets fall in 2024 (June 1 + 214 days = 2025-01-01), five values each.
      expect(parts.map((p) => p.rows)).toEqual([1070, 930]);
      expect(stats.tables['app.events']).toEqual({ rows: 2000, bytes: parts[0]!.bytes! + parts[1]!.bytes! });
      // Never analyzed (reltuples = -1): counted when small, zero when it has no pages.
      expect(stats.tables['public.fresh']!.rows).toBe(321);
      expect(stats.tables['public.empty_fresh']!.rows).toBe(0);
      expect(stats.notes).toEqual(['public.fresh: never analyzed (reltuples = -1); its 321 rows were counted']);
      for (const [key, facts] of Object.entries(stats.tables)) {
        if (key === 'public.empty_fresh') expect(facts.bytes).toBe(0);
        else expect(facts.bytes, key).toBeGreaterThan(0);
      }
      expect(stats).toMatchObject({ collectedAt: '2026-11-22T01:00:00.000Z', server: expect.stringMatching(/^\d+\.\d+/), database: db.name });

      // Every statement after BEGIN ran in a transaction PostgreSQL itself keeps read-only.
      expect(seen[0]!.sql).toMatch(/^BEGIN .*READ ONLY/);
      const inside = seen.slice(1);
      expect(inside.length).toBeGreaterThan(4);
      expect(inside.filter((s) => s.readOnly !== 'on')).toEqual([]);
      expect(inside.some((s) => /count\(\*\)/.test(s.sql))).toBe(true);
    });
  });

  it('leaves out a never-analyzed table too large to count, saying so; only the given schemas', async () => {
    await withFixture(async (db) => {
      const session = await db.driver.connect();
      try {
        const stats = await collectTableStats(session, { schemas: ['public'], countLimitBytes: 0 });
        expect(Object.keys(stats.tables).every((k) => k.startsWith('public.'))).toBe(true);
        expect(stats.tables['public.fresh']!.rows).toBeUndefined();
        expect(stats.tables['public.fresh']!.bytes).toBeGreaterThan(0);
        expect(stats.notes?.[0]).toMatch(/^public\.fresh: never analyzed \(reltuples = -1\) and [\d.]+ kB on disk, too large to count here; .* run ANALYZE public\.fresh$/);
        await expect(collectTableStats(session, { schemas: ['nope'] })).rejects.toThrow(/no schema named "nope"/);
      } finally {
        await session.close();
      }
    });
  });
});

describe('lockstep stats (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-stats-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);
  const output = (run: CliRun) => run.stdout + run.stderr;

  it('prints the stats file on stdout, a summary on stderr, never the password', async () => {
    await withFixture(async (db) => {
      const run = await lockstep(['stats', '--url', db.url], dir);
      expect(run.stderr).toMatch(/lockstep: 7 tables from postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/lockstep_test_\w+ \(PostgreSQL \d+/);
      expect(run.code).toBe(0);
      const stats = JSON.parse(run.stdout) as StatsFile;
      expect(stats.tables['public.orders']).toMatchObject({ rows: 5000 });
      expect(output(run)).not.toContain(passwordOf(db.url));
    });
  });

  it('works for a role that may only log in: nothing beyond reading the catalog is needed', async () => {
    await withFixture(async (db) => {
      const admin = await db.driver.connect();
      try {
        await admin.query(`DROP ROLE IF EXISTS lockstep_stats_reader; CREATE ROLE lockstep_stats_reader LOGIN PASSWORD 'reader p@ss'`);
        const url = new URL(db.url);
        url.username = 'lockstep_stats_reader';
        url.password = encodeURIComponent('reader p@ss');
        const run = await lockstep(['stats', '--url', url.toString()], dir);
        expect(run.code, run.stderr).toBe(0);
        const stats = JSON.parse(run.stdout) as StatsFile;
        expect(stats.tables['public.orders']!.rows).toBe(5000);
        // It may not SELECT from the never-analyzed table, so that row count is left out, with the reason.
        expect(stats.tables['public.fresh']!.rows).toBeUndefined();
        expect(stats.notes).toEqual([expect.stringMatching(/^public\.fresh: never analyzed .* could not be counted \(permission denied for table fresh\)/)]);
        expect(output(run)).not.toContain('reader p@ss');
        expect(output(run)).not.toContain(encodeURIComponent('reader p@ss'));
      } finally {
        await admin.query('DROP OWNED BY lockstep_stats_reader; DROP ROLE IF EXISTS lockstep_stats_reader').catch(() => undefined);
        await admin.close();
      }
    });
  });

  it('says clearly when the password is wrong (exit 2), without printing it', async () => {
    await withFixture(async (db) => {
      const url = new URL(db.url);
      url.password = encodeURIComponent('wrong s3cret/%');
      const run = await lockstep(['stats', '--url', url.toString()], dir);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/cannot read table statistics from postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/.*password authentication failed for user "postgres".*Check the user and password in --url/);
      expect(output(run)).not.toContain('wrong s3cret');
      expect(output(run)).not.toContain(url.password);
    });
  });

  it('says clearly when no server answers (exit 2), without printing the password', async () => {
    const port = await closedPort();
    const run = await lockstep(['stats', '--url', `postgres://app:hunter2secret@127.0.0.1:${port}/shop`], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`cannot read table statistics from postgres://app:***@127.0.0.1:${port}/shop: could not connect to PostgreSQL`);
    expect(run.stderr).toMatch(/ECONNREFUSED/);
    expect(output(run)).not.toContain('hunter2secret');
  });

  it('masks a password given as a ?password= parameter too', async () => {
    const port = await closedPort();
    const run = await lockstep(['stats', '--url', `postgresql://app@127.0.0.1:${port}/shop?password=qu%26ery-s3cret`], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`postgresql://app@127.0.0.1:${port}/shop?password=***`);
    expect(output(run)).not.toMatch(/qu(&|%26)ery-s3cret/);
  });

  it('rejects a missing or malformed --url as a usage error, and documents itself', async () => {
    const none = await lockstep(['stats'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no database given; e\.g\. lockstep stats --url/);
    const bad = await lockstep(['stats', '--url', 'mysql://u:topsecret@h/db'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must start with postgres:// or postgresql://');
    const garbage = await lockstep(['stats', '--url', 'not a url:topsecret'], dir);
    expect(garbage.stderr).toContain('--url is not a valid URL');
    expect(output(bad) + output(garbage)).not.toContain('topsecret');
    const help = await lockstep(['stats', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: lockstep stats --url/);
    expect(help.stdout).toContain('READ ONLY');
    expect((await lockstep(['--help'], dir)).stdout).toMatch(/\n {2}stats +write production table sizes/);
  });

  it("is read by lockstep lint as lockstep.json's statsFile: the sizes set the severity", async () => {
    await withFixture(async (db) => {
      const run = await lockstep(['stats', '--url', db.url], dir);
      expect(run.code).toBe(0);
      const project = join(dir, 'project');
      await mkdir(join(project, 'db'), { recursive: true });
      await writeFile(join(project, 'lockstep-stats.json'), run.stdout);
      await writeFile(join(project, 'lockstep.json'), JSON.stringify({ statsFile: 'lockstep-stats.json', rules: { 'missing-statement-timeout': 'off', 'missing-lock-timeout': 'off' } }));
      await writeFile(join(project, 'db', '001.sql'), 'CREATE INDEX orders_status_idx ON orders (status);\nCREATE INDEX events_at_idx ON app.events (at);\n');
      const lint = await lockstep(['lint', '--format', 'json', 'db'], project);
      const report = JSON.parse(lint.stdout) as { files: Array<{ findings: Array<{ rule: string; severity: string; message: string }> }> };
      const found = report.files.flatMap((f) => f.findings).filter((f) => f.rule === 'create-index-nonconcurrent');
      expect(found.map((f) => f.severity)).toEqual(['info', 'info']);
      expect(found[0]!.message).toContain('public.orders has about 5,000 rows');
      expect(found[1]!.message).toContain('app.events has about 2,000 rows');
    });
  });
});

/** A port nothing listens on: bound once by us, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
