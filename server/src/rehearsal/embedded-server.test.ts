import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-server.js';

describe('startEmbeddedPostgres', () => {
  it('runs a private server on 127.0.0.1 with its own socket directory, and stop() removes it (twice is fine)', async () => {
    const server = await startEmbeddedPostgres();
    let postmasterPid: number | undefined;
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres:[^@*]+@127\.0\.0\.1:\d+\/postgres$/);
      expect(server.redactedUrl).toBe(`postgres://postgres:***@127.0.0.1:${server.port}/postgres`);
      const session = await server.driver.connect();
      const { rows } = await session.query<Record<string, string>>(
        `SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets,
                current_setting('port') AS port, current_setting('server_encoding') AS encoding,
                current_setting('server_version_num') AS version, current_setting('data_directory') AS data,
                (SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer')::text AS checkpointer`,
      );
      await session.close();
      expect(rows[0]).toMatchObject({
        listen: '127.0.0.1',
        sockets: dirname(server.databaseDir),
        port: String(server.port),
        encoding: 'UTF8',
        data: server.databaseDir,
      });
      expect(Number(rows[0]!.version)).toBeGreaterThanOrEqual(170000);
      postmasterPid = Number((await import('node:fs')).readFileSync(`${server.databaseDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      expect(server.startupMs.total).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    await server.stop();
    expect(existsSync(dirname(server.databaseDir))).toBe(false);
    expect(() => process.kill(postmasterPid!, 0)).toThrow(); // ESRCH: the postmaster is gone (and was reaped)
  });

  it('fails loudly with the server log when it cannot start, and leaves no directory behind', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const failure = await startEmbeddedPostgres({ port }).then(
        (server) => server.stop().then(() => new Error('the server started on a port that was taken')),
        (error: unknown) => error as Error,
      );
      expect(failure.message).toContain(`embedded PostgreSQL did not start on 127.0.0.1:${port}`);
      expect(failure.message).toMatch(/could not bind IPv4 address "127\.0\.0\.1": Address already in use/);
      const dataDir = /data directory (\S+)\)/.exec(failure.message)?.[1];
      expect(dataDir).toBeDefined();
      expect(existsSync(dirname(dataDir!))).toBe(false);
    } finally {
      squatter.close();
    }
  });
});
