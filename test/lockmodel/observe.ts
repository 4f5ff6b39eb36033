/** Runs a lock-fact example on the embedded server with the tracer and normalises what it saw for comparison. */
import { traceStatements } from '../../server/src/rehearsal/tracer';
import { pgDriver } from '../../server/src/rehearsal/driver';
import { embeddedServerUrl, withScratchDatabase } from '../setup/pg';
import type { FactExample } from '../../server/src/analysis/lockmodel/fact';
import { ensureProofTablespace, needsProofTablespace } from './tablespace';

export interface Observation {
  locks: Array<{ relation: string; kind: string; mode: string }>;
  rewrites: string[];
  scans: string[];
  transaction: 'allowed' | 'forbidden';
  /** false when the statement was sampled from a monitor connection (a lower bound of its locks). */
  exact: boolean;
  error?: string;
}

export async function serverMajor(): Promise<number> {
  const session = await pgDriver(embeddedServerUrl()).connect();
  try {
    const { rows } = await session.query<{ major: number }>("SELECT current_setting('server_version_num')::int / 10000 AS major");
    return rows[0]!.major;
  } finally {
    await session.close();
  }
}

export async function traceExample(example: FactExample): Promise<Observation> {
  if (needsProofTablespace(example.setup + example.sql)) await ensureProofTablespace(pgDriver(embeddedServerUrl()), embeddedServerUrl());
  return withScratchDatabase(async (db) => {
    const [trace] = await traceStatements(db.driver, {
      setup: example.setup,
      statements: [example.sql],
      transactional: false,
      database: db.name,
    });
    if (!trace) throw new Error('the tracer returned no trace');
    return {
      locks: trace.locks.map((l) => ({ relation: l.relation, kind: l.relkind, mode: l.mode })).sort(byRelation),
      rewrites: [...trace.rewritten].sort(),
      scans: [...trace.scanned].sort(),
      transaction: trace.observedVia === 'monitor' ? 'forbidden' : 'allowed',
      exact: trace.observedVia === 'transaction',
      ...(trace.error ? { error: `${trace.error.code}: ${trace.error.message}` } : {}),
    };
  });
}

export function byRelation(a: { relation: string }, b: { relation: string }): number {
  return a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0;
}
