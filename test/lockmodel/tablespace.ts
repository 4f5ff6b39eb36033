/**
 * The tablespace the SET TABLESPACE examples move relations to (facts/alter-table.ts PROOF_TABLESPACE). An example's
 * setup cannot create it: the tracer sends the setup as one query string, which PostgreSQL runs as one implicit
 * transaction, and CREATE TABLESPACE refuses to run inside a transaction block. Tablespaces belong to the cluster,
 * not to a database, so the harness creates it once per server, before the first example that names it.
 *
 * Where: an "in place" tablespace (allow_in_place_tablespaces, a developer setting in every major we prove: the
 * directory goes under the data directory's pg_tblspc, so nothing outside the throwaway server's own temp directory
 * is touched, and it goes away with the server). Superuser only — the embedded server's user is one.
 */
import type { DbDriver } from '../../server/src/rehearsal/driver';
import { PROOF_TABLESPACE } from '../../server/src/analysis/lockmodel/facts/alter-table';

const ready = new Map<string, Promise<void>>();

export function needsProofTablespace(sql: string): boolean {
  return sql.includes(PROOF_TABLESPACE);
}

/** Creates PROOF_TABLESPACE on the server `driver` reaches, once per server (keyed by `serverKey`). */
export function ensureProofTablespace(driver: DbDriver, serverKey: string): Promise<void> {
  let promise = ready.get(serverKey);
  if (!promise) {
    promise = createTablespace(driver);
    ready.set(serverKey, promise);
    promise.catch(() => ready.delete(serverKey));
  }
  return promise;
}

async function createTablespace(driver: DbDriver): Promise<void> {
  const session = await driver.connect();
  try {
    const { rows } = await session.query('SELECT 1 FROM pg_tablespace WHERE spcname = $1', [PROOF_TABLESPACE]);
    if (rows.length > 0) return;
    // Two queries on one session: a SET and CREATE TABLESPACE in one query string would be one transaction block.
    await session.query('SET allow_in_place_tablespaces = on');
    try {
      await session.query(`CREATE TABLESPACE ${PROOF_TABLESPACE} LOCATION ''`);
    } catch (error) {
      // Another test worker created it first (same server): that is the state we want.
      if ((error as { code?: string }).code !== '42710') {
        throw new Error(`could not create the proof tablespace ${PROOF_TABLESPACE} (in place, allow_in_place_tablespaces): ${String(error)}`, { cause: error });
      }
    }
  } finally {
    await session.close();
  }
}
