/**
 * `lockstep rehearse` in-process (runCli with a capturing CliIo) against the run's embedded PostgreSQL as --url:
 * formats, exit codes, and the URL's password never appearing in anything the command writes.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/src/cli/run';
import type { CliIo } from '../../server/src/cli/io';
import { urlForDatabase } from '../../server/src/rehearsal/driver';
import { embeddedServerUrl } from '../setup/pg';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lockstep-rehearse-'));
  await mkdir(join(root, 'migrations'));
  await writeFile(join(root, 'migrations', '001_create.up.sql'), 'CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sku text NOT NULL UNIQUE, qty int NOT NULL CHECK (qty >= 0));\n');
  await writeFile(join(root, 'migrations', '001_create.down.sql'), 'DROP TABLE items;\n');
  await writeFile(join(root, 'migrations', '002_rewrite.up.sql'), "-- rewrites items\nALTER TABLE items ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n");
  await writeFile(join(root, 'migrations', '003_broken.up.sql'), 'ALTER TABLE items ADD COLUMN a int;\nALTER TABLE items DROP COLUMN nope;\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function lockstep(args: string[]): Promise<{ code: number | 'running'; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: root };
  const code = await runCli(args, io);
  return { code, out, err };
}

const password = (): string => new URL(embeddedServerUrl()).password;

describe('lockstep rehearse', () => {
  it('prints text, JSON and markdown reports, and never the password', async () => {
    const url = embeddedServerUrl();
    expect(password().length).toBeGreaterThan(8);
    const common = ['rehearse', 'migrations/002_rewrite.up.sql', '--url', url, '--sizes', '200,1k', '--rows', 'items=1M', '--repeat', '1'];

    const text = await lockstep([...common, '--threshold-seconds', '0.001']);
    expect(text.code).toBe(1); // the rewrite blocks reads and writes longer than 1 ms
    expect(text.out).toMatch(/Rehearsal of migrations\/002_rewrite\.up\.sql/);
    expect(text.out).toMatch(/AccessExclusive items\s+rewrite\+scan/);
    expect(text.out).toMatch(/blocks reads and writes on public\.items/);
    expect(text.err).toMatch(/replay.*migrations\/001_create\.up\.sql/);

    const json = await lockstep([...common, '--format', 'json']);
    const report = JSON.parse(json.out);
    expect(report).toMatchObject({ version: 1, status: 'completed', sizes: [200, 1000], target: { 'public.items': 1_000_000 }, contention: null });
    expect(report.replayed).toEqual(['migrations/001_create.up.sql']);
    expect(report.statements[0].line).toBe(2);

    const markdown = await lockstep([...common, '--format', 'markdown', '--quiet']);
    expect(markdown.out).toMatch(/^### Lockstep rehearsal: `migrations\/002_rewrite\.up\.sql`/);
    expect(markdown.out).toMatch(/\| 1 \| 2 \| `ALTER TABLE items ADD COLUMN token/);
    expect(markdown.err).toBe('');

    for (const run of [text, json, markdown]) {
      expect(run.out + run.err).not.toContain(password());
      expect(run.out + run.err).not.toContain(encodeURIComponent(password()));
    }
  });

  it('reports a failing statement at file:line with exit code 1, and a server it cannot reach with exit code 2 — without the password', async () => {
    const url = embeddedServerUrl();
    const failing = await lockstep(['rehearse', 'migrations/003_broken.up.sql', '--url', url, '--sizes', '200']);
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/migrations\/003_broken\.up\.sql:2:\d+: statement 2 failed at 200 rows: column "nope" of relation "items" does not exist/);

    const unreachable = await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', urlForDatabase(url, 'no_such_database'), '--sizes', '200']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.out + unreachable.err).toMatch(/no_such_database/);
    expect(unreachable.out + unreachable.err).toContain(':***@');

    const remote = await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', `postgres://admin:${password()}@192.0.2.7/db`]);
    expect(remote.code).toBe(2);
    expect(remote.out + remote.err).toMatch(/--allow-remote/);

    for (const run of [failing, unreachable, remote]) expect(run.out + run.err).not.toContain(password());
  });

  it('prints the --workload section in text and markdown', async () => {
    const common = ['rehearse', 'migrations/002_rewrite.up.sql', '--url', embeddedServerUrl(), '--sizes', '200', '--repeat', '1', '--quiet'];
    const workload = ['--workload', '--workload-clients', '2', '--workload-rate', '50', '--lock-timeout', '0.3', '--hold-seconds', '0.9'];
    const text = await lockstep([...common, ...workload]);
    expect(text.out).toMatch(/^Workload at 200 rows: 2 clients, 50 queries\/s on items, statement_timeout 2\.00 s:$/m);
    expect(text.out).toMatch(/^ {2}while the migration ran \(completed in .+\): \d+ quer(y|ies), slowest .+, p99 .+, \d+ timed out$/m);
    expect(text.out).toMatch(/^ {4}items (read|insert|update): /m);
    expect(text.out).toMatch(/^ {4}no lock_timeout: the migration waited .+ for its lock and completed in .+; up to \d+ clients? queued behind it/m);
    expect(text.out).toMatch(/^ {4}lock_timeout 300 ms \(recommended\): .* failed after .+ at statement 1 \(55P03: lock_timeout\)/m);
    expect(text.out).toMatch(/who waited on whom: .*migration \(statement 1, line 2\) → long-running read transaction/);

    const markdown = await lockstep([...common, ...workload, '--format', 'markdown']);
    expect(markdown.out).toMatch(/^\*\*Workload at 200 rows: 2 clients, 50 queries\/s on items, statement_timeout 2\.00 s\*\*$/m);
    expect(markdown.out).toMatch(/^- lock queue: a transaction holds a read lock \(AccessShareLock\) on items for 900 ms after the migration starts$/m);
    expect(markdown.out).toMatch(/^ {2}- no lock_timeout: /m);
    expect(markdown.out).not.toMatch(/Concurrent traffic was not simulated/);
  });

  it("follows lockstep.json: its transaction override plans the transactions, its lockTimeout bounds the queue", async () => {
    const project = await mkdtemp(join(tmpdir(), 'lockstep-rehearse-config-'));
    try {
      await mkdir(join(project, 'migrations'));
      await writeFile(join(project, 'lockstep.json'), JSON.stringify({ transaction: 'none', lockTimeout: '300ms' }));
      await writeFile(join(project, 'migrations', '001_create.up.sql'), 'CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL);\n');
      await writeFile(join(project, 'migrations', '002_two.up.sql'), 'ALTER TABLE items ADD COLUMN a int;\nALTER TABLE items ADD COLUMN b int;\n');
      let out = '';
      const io: CliIo = { out: (t) => void (out += t), err: () => undefined, cwd: project };
      const args = ['rehearse', 'migrations/002_two.up.sql', '--url', embeddedServerUrl(), '--sizes', '200', '--repeat', '1', '--format', 'json'];
      await runCli([...args, '--workload', '--workload-clients', '1', '--hold-seconds', '0.8'], io);
      const report = JSON.parse(out);
      // golang-migrate alone would send both statements as one query (one transaction); "none" runs each on its own.
      expect(report.transaction.mode).toBe('per-statement');
      expect(report.transaction.reason).toMatch(/statement 1 on its own, statement 2 on its own.*lockstep\.json sets "transaction": "none"/);
      expect(report.statements[0].blocking.heldUntil).toBe('until its COMMIT');
      expect(report.contention.queue.runs[1]).toMatchObject({ lockTimeoutMs: 300, lockTimeoutSource: 'recommended', migration: { code: '55P03' } });
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('rejects bad options with exit code 2 and documents --workload in --help', async () => {
    expect((await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--rows', 'items'])).code).toBe(2);
    expect((await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--sizes', '10,x'])).code).toBe(2);
    expect((await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--keep-templates'])).code).toBe(2);
    expect((await lockstep(['rehearse'])).code).toBe(2);
    const stray = await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--workload-clients', '3']);
    expect(stray).toMatchObject({ code: 2, err: expect.stringMatching(/--workload-clients only applies with --workload/) });
    expect((await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--workload', '--workload-clients', '0'])).code).toBe(2);
    expect((await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--workload', '--workload-rate', 'fast'])).code).toBe(2);
    const help = await lockstep(['rehearse', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--workload\s+after the measured sizes, simulate the application/);
    expect(help.out).toMatch(/--workload-clients N/);
  });
});
