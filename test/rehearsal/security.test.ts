/**
 * Security (issue 8): a --url password never appears in anything `lockstep rehearse` writes — stdout and stderr in
 * every format, with --workload, on success and on each kind of failure, and any file it leaves in the project or
 * the temp directory. The password has characters a URL must percent-encode, so both spellings are searched.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/src/cli/run';
import type { CliIo } from '../../server/src/cli/io';
import { pgDriver } from '../../server/src/rehearsal/driver';
import { embeddedServerUrl } from '../setup/pg';

const role = `lockstep_secret_${randomBytes(4).toString('hex')}`;
// '@', ':', '%' and '/' must be percent-encoded in a URL; the random tail makes any hit certain to be ours.
const password = `S3cr@t:%/${randomBytes(9).toString('hex')}`;
let root: string;

function urlWith(user: string, secret: string, database = 'postgres'): string {
  const url = new URL(embeddedServerUrl());
  url.username = user;
  url.password = encodeURIComponent(secret);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const session = await pgDriver(embeddedServerUrl()).connect();
  try {
    await session.query(sql);
  } finally {
    await session.close();
  }
}

beforeAll(async () => {
  await admin(`CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password.replace(/'/g, "''")}'`);
  root = await mkdtemp(join(tmpdir(), 'lockstep-secret-'));
  await mkdir(join(root, 'migrations'));
  await writeFile(join(root, 'migrations', '001_create.up.sql'), 'CREATE TABLE items (id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, qty int NOT NULL);\n');
  await writeFile(join(root, 'migrations', '002_rewrite.up.sql'), 'ALTER TABLE items ALTER COLUMN qty TYPE bigint;\n');
  await writeFile(join(root, 'migrations', '003_broken.up.sql'), 'ALTER TABLE items ADD COLUMN a int;\nALTER TABLE items DROP COLUMN nope;\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await admin(`DROP ROLE IF EXISTS ${role}`);
});

/** Every file under `dir` (up to 4 MB each), with its text. */
async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out; // removed meanwhile, or not ours to read
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) {
      try {
        if ((await stat(path)).size <= 4 * 1024 * 1024) out.push({ path, text: (await readFile(path)).toString('latin1') });
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

describe('the --url password', () => {
  it('appears nowhere in what rehearse writes: output in every format, errors, and files', async () => {
    const tmpBefore = new Set(await readdir(tmpdir()));
    const projectBefore = new Set((await filesUnder(root)).map((f) => f.path));
    const url = urlWith(role, password);
    expect(url).toContain(encodeURIComponent(password));

    const written: string[] = [];
    const codes: Array<number | 'running'> = [];
    // Anything written past the CLI's io (console.*, process.stderr.write) is captured too.
    const streams = [process.stdout, process.stderr] as const;
    const originals = streams.map((stream) => stream.write.bind(stream));
    const lockstep = async (args: string[]): Promise<void> => {
      const io: CliIo = { out: (t) => void written.push(t), err: (t) => void written.push(t), cwd: root };
      streams.forEach((stream, i) => {
        stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
          written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
          return (originals[i] as (...a: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof stream.write;
      });
      try {
        codes.push(await runCli(args, io));
      } finally {
        streams.forEach((stream, i) => void (stream.write = originals[i] as typeof stream.write));
      }
    };
    const common = ['--sizes', '200', '--repeat', '1', '--rows', 'items=1M'];
    const workload = ['--workload', '--workload-clients', '2', '--workload-timeout', '0.5', '--lock-timeout', '0.3', '--hold-seconds', '0.8'];
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', url, ...common, ...workload]);
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', url, ...common, ...workload, '--format', 'json']);
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', url, ...common, '--format', 'markdown']);
    // Failures: a migration statement, a missing database, a wrong password, a refused remote host.
    await lockstep(['rehearse', 'migrations/003_broken.up.sql', '--url', url, ...common, '--format', 'json']);
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', urlWith(role, password, 'no_such_db'), ...common]);
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', urlWith(role, `${password}x`), ...common]);
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', url.replace('127.0.0.1', '203.0.113.9'), ...common]);
    // The password as a libpq-style parameter instead of in the userinfo: a working run and a failing one.
    const asParameter = new URL(url);
    asParameter.password = '';
    asParameter.searchParams.set('password', password);
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', asParameter.toString(), ...common, '--format', 'json']);
    asParameter.port = '1';
    await lockstep(['rehearse', 'migrations/002_rewrite.up.sql', '--url', asParameter.toString(), ...common]);

    // The runs did what they should — so the search below covers real reports, not only usage errors.
    expect(codes).toEqual([1, 1, 1, 1, 2, 2, 2, 1, 2]);
    const all = written.join('');
    expect(all).toMatch(/Workload at 200 rows/);
    expect(all).toMatch(/"contention": \{/);
    expect(all).toMatch(/### Lockstep rehearsal/);
    expect(all).toMatch(/column "nope" of relation "items" does not exist/);
    expect(all).toMatch(/database "no_such_db" does not exist/);
    expect(all).toMatch(/password authentication failed/);
    expect(all).toMatch(/host 203\.0\.113\.9 is not this machine/);
    expect(all).toContain(`${role}:***@`); // the URL is shown, redacted
    expect(all).toMatch(/127\.0\.0\.1:1\/postgres\?password=\*\*\*/);

    const files = [
      ...(await filesUnder(root)).filter((f) => !projectBefore.has(f.path) || f.path.endsWith('.sql')),
      ...(await Promise.all([...(await readdir(tmpdir()))].filter((e) => !tmpBefore.has(e)).map((e) => filesUnder(join(tmpdir(), e))))).flat(),
    ];
    const variants = [password, encodeURIComponent(password), `${password}x`, encodeURIComponent(`${password}x`), password.slice(-18)];
    for (const variant of variants) {
      expect(all.includes(variant), `output contains ${variant === password ? 'the password' : 'a form of it'}`).toBe(false);
      for (const file of files) expect(file.text.includes(variant), `${file.path} contains the password`).toBe(false);
    }
  });
});
