/**
 * Rehearsal faults (issue 8): each gives a message that says what happened, where and what to do, keeps what was
 * measured before, and leaves nothing running or behind — no postgres process we started, no scratch database, no
 * temp directory.
 *
 * Simulated: the embedded server's postmaster killed with SIGKILL mid-statement; a port nothing listens on; a wrong
 * password and a role without CREATEDB on the run's server; a full disk — a real one: a 1 MB tmpfs mounted as a
 * tablespace that the rehearsal role's tables go to (default_tablespace), so seeding fails with PostgreSQL's own
 * "could not extend file … No space left on device" (53100) (root only: mounting needs it; skipped otherwise); and a
 * migration that deadlocks against the --workload clients.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDriver } from '../../server/src/rehearsal/driver';
import { rehearse, type RehearsalOptions } from '../../server/src/rehearsal/engine';
import { embeddedServerUrl } from '../setup/pg';

const CREATE_T = { path: 'migrations/001_create_t.up.sql', text: 'CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, label text);\n' };

function urlAs(user: string, password: string): string {
  const url = new URL(embeddedServerUrl());
  url.username = user;
  url.password = password;
  return url.toString();
}

async function admin<T>(fn: (query: (sql: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const session = await pgDriver(embeddedServerUrl()).connect();
  try {
    return await fn((sql) => session.query(sql));
  } finally {
    await session.close();
  }
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

/** Running (a zombie waiting to be reaped by init has ended: it holds no resources). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits up to `ms` for `pids` to end; returns those still running. */
async function survivors(pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = left.filter(alive);
  }
  return left;
}

describe('rehearsal faults', () => {
  it('the embedded server killed mid-run: says so, keeps the sizes measured before, leaves no process or directory', async () => {
    let pid: number | undefined;
    let directory: string | undefined;
    let children: number[] = [];
    const report = await rehearse({
      target: {
        path: 'migrations/002_slow.up.sql',
        // Sleeps only once the table is large: the probe and the first size run through.
        text: 'ALTER TABLE t ADD COLUMN a int;\nSELECT pg_sleep(CASE WHEN (SELECT count(*) FROM t) > 1000 THEN 30 ELSE 0 END);\n',
      },
      previous: [CREATE_T],
      server: { kind: 'embedded' },
      sizes: [200, 2000],
      repeat: 1,
      onProgress: (event) => {
        if (event.pid) {
          pid = event.pid;
          directory = readlinkSync(`/proc/${pid}/cwd`); // the postmaster runs in its private temp directory
        }
        if (event.phase === 'run' && event.size === 2000 && event.statement === 1) {
          setTimeout(() => {
            children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean).map(Number);
            process.kill(pid!, 'SIGKILL');
          }, 300);
        }
      },
    });
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ phase: 'run' });
    expect(report.error!.message).toMatch(new RegExp(`PostgreSQL server \\(embedded PostgreSQL, pid ${pid}\\) went away during the run phase at 2,000 rows`));
    expect(report.error!.hint).toMatch(/stopped from outside.*run the rehearsal again/);
    // What ran before the kill is kept: the first size, and the statement that finished at the second one.
    expect(report.statements[0]!.samples.map((s) => s.size)).toEqual([200, 2000]);
    expect(report.statements[1]!.samples.map((s) => s.size)).toEqual([200]);
    // Nothing left: the postmaster, its children and its directory are gone.
    expect(children.length).toBeGreaterThan(0);
    expect(alive(pid!)).toBe(false);
    // PostgreSQL's own processes end when they notice their postmaster is gone (at their next wait).
    expect(await survivors(children, 10_000)).toEqual([]);
    expect(existsSync(directory!)).toBe(false);
  });

  it('an unreachable URL: names the redacted URL and what to check; creates nothing', async () => {
    const before = await ourDatabases();
    const report = await rehearse({
      target: { path: 'migrations/002.up.sql', text: 'ALTER TABLE t ADD COLUMN a int;' },
      previous: [CREATE_T],
      server: { kind: 'url', url: 'postgres://someone:hunter2-secret@127.0.0.1:1/postgres' },
    });
    expect(report.status).toBe('failed');
    expect(report.error).toMatchObject({ phase: 'server' });
    expect(report.error!.message).toMatch(/could not connect to PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED.*Nothing listens at that host and port/);
    expect(JSON.stringify(report)).not.toContain('hunter2-secret');
    expect(await ourDatabases()).toEqual(before);
  });

  it('a wrong password: says the server rejected the user or password, without showing it', async () => {
    const report = await rehearse({
      target: { path: 'migrations/002.up.sql', text: 'ALTER TABLE t ADD COLUMN a int;' },
      previous: [CREATE_T],
      server: { kind: 'url', url: urlAs('postgres', 'not-the-password-42') },
    });
    expect(report.status).toBe('failed');
    expect(report.error!.phase).toBe('server');
    expect(report.error!.message).toMatch(/password authentication failed for user "postgres"\. The server rejected the user or password in the URL/);
    expect(JSON.stringify(report)).not.toContain('not-the-password-42');
  });

  describe('with a role of its own', () => {
    const role = `lockstep_fault_${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    beforeAll(() => admin((q) => q(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOCREATEDB`)));
    afterAll(() => admin((q) => q(`DROP ROLE IF EXISTS ${role}`)));

    it('a role without CREATEDB: says to grant it, or to use the embedded server', async () => {
      const before = await ourDatabases();
      const report = await rehearse({
        target: { path: 'migrations/002.up.sql', text: 'ALTER TABLE t ADD COLUMN a int;' },
        previous: [CREATE_T],
        server: { kind: 'url', url: urlAs(role, password) },
      });
      expect(report.status).toBe('failed');
      expect(report.error!.phase).toBe('server');
      expect(report.error!.message).toMatch(new RegExp(`the role in postgres://${role}:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/postgres may not create databases .*grant CREATEDB to that role, or drop --url`));
      expect(await ourDatabases()).toEqual(before);
    });
  });

  describe('a full disk while seeding', () => {
    const root = process.getuid?.() === 0;
    const role = `lockstep_disk_${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const tablespace = `lockstep_small_${randomBytes(4).toString('hex')}`;
    let mountpoint: string | undefined;
    beforeAll(async () => {
      if (!root) return;
      mountpoint = mkdtempSync(join(tmpdir(), 'lockstep-small-disk-'));
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountpoint], { encoding: 'utf8' });
      if (mounted.status !== 0) throw new Error(`mount tmpfs failed: ${mounted.stderr}`);
      const postgres = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(mountpoint, Number(postgres.stdout), Number(group.stdout));
      await admin(async (q) => {
        await q(`CREATE TABLESPACE ${tablespace} LOCATION '${mountpoint}'`);
        await q(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' CREATEDB`);
        await q(`GRANT CREATE ON TABLESPACE ${tablespace} TO ${role}`);
        await q(`ALTER ROLE ${role} SET default_tablespace = '${tablespace}'`);
      });
    });
    afterAll(async () => {
      if (!root || !mountpoint) return;
      try {
        await admin(async (q) => {
          await q(`REVOKE CREATE ON TABLESPACE ${tablespace} FROM ${role}`).catch(() => undefined);
          await q(`DROP ROLE IF EXISTS ${role}`);
          await q(`DROP TABLESPACE IF EXISTS ${tablespace}`);
        });
      } finally {
        // The mount goes whatever happened above: a leftover tmpfs outlives the test server.
        spawnSync('umount', [mountpoint]);
        rmSync(mountpoint, { recursive: true, force: true });
      }
    });

    it.skipIf(!root)('says the server ran out of disk space, keeps the smaller size, and drops everything', async () => {
      const before = await ourDatabases();
      const options: RehearsalOptions = {
        target: { path: 'migrations/002.up.sql', text: 'ALTER TABLE t ADD COLUMN a int;' },
        previous: [CREATE_T],
        server: { kind: 'url', url: urlAs(role, password) },
        sizes: [200, 50_000],
        repeat: 1,
        budgetMs: 600_000, // the prediction from 200 rows is generous; the disk fills long before
      };
      const report = await rehearse(options);
      expect(report.status).toBe('failed');
      expect(report.error).toMatchObject({ phase: 'seed' });
      expect(report.error!.message).toMatch(/seeding public\.t \(50,000 rows\) stopped: the server ran out of disk space: could not extend file .*No space left on device.*\(SQLSTATE 53100\)/);
      expect(report.error!.hint).toMatch(/Free disk space .* or rehearse at smaller --sizes/);
      expect(report.statements[0]!.samples.map((s) => s.size)).toEqual([200]);
      expect(await ourDatabases()).toEqual(before);
      // The tablespace is empty again: DROP TABLESPACE in afterAll would fail otherwise; check it here too.
      const left = spawnSync('find', [mountpoint!, '-type', 'f'], { encoding: 'utf8' }).stdout.trim();
      expect(left).toBe('');
    });
  });

  it('a migration that deadlocks against the workload: the victim, where, and what to do', async () => {
    const before = await ourDatabases();
    const report = await rehearse({
      target: {
        path: 'migrations/002_target.up.sql',
        // Locks the parent, then (after the clients' inserts into the child wait for the parent through their
        // foreign key while holding the child) the child: a lock-order deadlock. The migration waits last, so its
        // deadlock check (deadlock_timeout after it starts waiting) finds the cycle: it is the victim.
        text: 'LOCK TABLE customers IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(1.2);\nALTER TABLE orders ADD COLUMN flag int;\n',
      },
      previous: [
        {
          path: 'migrations/001_create.up.sql',
          text: 'CREATE TABLE customers (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, total int);\n',
        },
      ],
      server: { kind: 'url', url: embeddedServerUrl() },
      sizes: [1000],
      repeat: 1,
      workload: { clients: 3, ratePerSecond: 100, statementTimeoutMs: 10_000, tables: ['orders'], queue: false },
    });
    // The measured samples (no workload) ran fine; the contention run shows the deadlock.
    expect(report.error).toBeNull();
    expect(report.statements[2]!.samples).toHaveLength(1);
    const run = report.contention!.workload!;
    expect(run.migration).toMatchObject({ status: 'failed', code: '40P01', statement: 2 });
    expect(report.contention!.notes.join('\n')).toMatch(
      /deadlock: the migration itself was the deadlock victim at migrations\/002_target\.up\.sql:3 \(statement 3, SQLSTATE 40P01\).*Take its locks in the order the application does/,
    );
    // The clients' inserts waited for the parent until the deadlock was resolved, then went through.
    const inserts = run.byQuery.find((q) => q.kind === 'insert')!;
    expect(inserts.maxMs).toBeGreaterThan(1000);
    expect(await ourDatabases()).toEqual(before);
  });
});
