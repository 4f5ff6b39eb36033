/** The model's prediction for a lock-fact example, in the shape the proof compares with the tracer's. */
import { analyzeText } from '../../server/src/analysis/analyzer';
import { replayMigrations } from '../../server/src/analysis/schema-context';
import type { FactExample } from '../../server/src/analysis/lockmodel/fact';
import { byRelation } from './observe';

export interface ExamplePrediction {
  factIds: string[];
  locks: Array<{ relation: string; kind: string; mode: string }>;
  rewrites: string[];
  scans: string[];
  transaction: 'allowed' | 'forbidden';
  unknown: boolean;
}

export function predictExample(example: FactExample, pgVersion: number): ExamplePrediction {
  // The tracer commits the setup before running the statement, so the setup is an earlier migration here.
  const base = replayMigrations([{ path: 'setup.sql', text: example.setup }]);
  const result = analyzeText(example.sql, { pgVersion }, base);
  const statements = result.statements.filter((s) => s.effect);
  if (statements.length !== 1) {
    throw new Error(`an example must be exactly one statement, got ${result.statements.length}: ${example.sql}`);
  }
  const effect = statements[0]!.effect!;
  return {
    factIds: effect.facts.map((f) => f.id),
    locks: effect.locks.map((l) => ({ relation: l.relation, kind: l.kind, mode: l.mode })).sort(byRelation),
    rewrites: [...effect.rewrites].sort(),
    scans: [...effect.scans].sort(),
    transaction: effect.transaction,
    unknown: effect.unknown,
  };
}
