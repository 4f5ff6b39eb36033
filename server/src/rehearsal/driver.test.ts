import { describe, expect, it } from 'vitest';
import { withScratchDatabase } from '../../../test/setup/pg.js';
import { DbError, redactUrl, urlForDatabase } from './driver.js';

describe('pgDriver', () => {
  it('keeps the server error fields (SQLSTATE, 1-based position, detail) in a DbError', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect();
      try {
        await session.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');
        const syntax = await session.query('SELECT 1 FROM t WHERE').catch((error: unknown) => error);
        expect(syntax).toBeInstanceOf(DbError);
        expect(syntax).toMatchObject({ code: '42601', position: 22, message: 'syntax error at end of input' });
        const duplicate = await session.query('INSERT INTO t VALUES ($1)', [1]).catch((error: unknown) => error);
        expect(duplicate).toMatchObject({ code: '23505', detail: 'Key (id)=(1) already exists.', table: 't', constraint: 't_pkey' });
      } finally {
        await session.close();
      }
    });
  });

  it('returns the last result of a multi-statement string, and its own backend pid', async () => {
    await withScratchDatabase(async ({ driver, name }) => {
      const session = await driver.connect();
      try {
        const result = await session.query<{ db: string; pid: number }>('SELECT 1; SELECT current_database() AS db, pg_backend_pid() AS pid');
        expect(result).toEqual({ rows: [{ db: name, pid: session.backendPid }], rowCount: 1, command: 'SELECT' });
        await session.close();
        await session.close(); // idempotent
      } finally {
        await session.close();
      }
    });
  });

  it('connect(database) reaches another database on the same server', async () => {
    await withScratchDatabase(async ({ driver }) => {
      const session = await driver.connect('postgres');
      const { rows } = await session.query<{ db: string }>('SELECT current_database() AS db');
      await session.close();
      expect(rows).toEqual([{ db: 'postgres' }]);
    });
  });

  it('rewrites the database of a URL and masks its password', () => {
    const url = 'postgres://postgres:s3cret@127.0.0.1:5555/postgres?sslmode=disable';
    expect(urlForDatabase(url, 'my db')).toBe('postgres://postgres:s3cret@127.0.0.1:5555/my%20db?sslmode=disable');
    expect(redactUrl(url)).toBe('postgres://postgres:***@127.0.0.1:5555/postgres?sslmode=disable');
  });
});
