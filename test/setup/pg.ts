/**
 * Per-test scratch databases on the run's embedded server (see embedded-pg.ts). Each call creates a fresh
 * database, hands the test a driver whose default database it is, and drops it afterwards, forcibly, so a session
 * the test forgot to close does not keep it alive (WITH (FORCE) from PostgreSQL 13; on 12 the tracer's
 * dropDatabaseForce terminates the sessions first).
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { pgDriver, urlForDatabase, type DbDriver } from '../../server/src/rehearsal/driver.js';
import { dropDatabaseForce, serverMajor } from '../../server/src/rehearsal/tracer.js';

export interface ScratchDatabase {
  /** The database's name (lockstep_test_<random>). */
  name: string;
  /** URL of the scratch database (contains the password — do not log it). */
  url: string;
  /** Connects to the scratch database by default; connect('postgres') reaches the maintenance database. */
  driver: DbDriver;
}

/** postgres:// URL of the run's embedded server (database `postgres`). */
export function embeddedServerUrl(): string {
  const url = inject('lockstepPgUrl');
  if (!url) {
    throw new Error('no embedded PostgreSQL URL was provided: run the tests through vitest with vitest.config.ts (globalSetup test/setup/embedded-pg.ts)');
  }
  return url;
}

export async function withScratchDatabase<T>(fn: (database: ScratchDatabase) => Promise<T>): Promise<T> {
  const serverUrl = embeddedServerUrl();
  const name = `lockstep_test_${randomBytes(6).toString('hex')}`;
  const admin = await pgDriver(serverUrl).connect();
  let result: T;
  const major = await serverMajor(admin).catch(async (error: unknown) => {
    await admin.close();
    throw error;
  });
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = urlForDatabase(serverUrl, name);
    result = await fn({ name, url, driver: pgDriver(url) });
  } catch (error) {
    // The test's own failure is the one worth reporting; a failed clean-up only leaks a database on a throwaway server.
    await dropDatabaseForce(admin, name, major).catch(() => undefined);
    await admin.close();
    throw error;
  }
  try {
    await dropDatabaseForce(admin, name, major);
  } finally {
    await admin.close();
  }
  return result;
}
