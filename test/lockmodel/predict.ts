/** The model's prediction for a lock-fact example, in the shape the proof compares with the tracer's. */
import { analyzeText } from '../../server/src/analysis/analyzer';
import { replayMigrations } from '../../server/src/analysis/schema-context';
import type { FactExample } from '../../server/src/analysis/lockmodel/fact';
import { byRelation } from './observe';
import { splitStatements } from '../../server/src/analysis/split/splitter';
import { parseStatementText } from '../../server/src/analysis/parse/parser';

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
  // The tracer runs the setup and the statement on one session, so what the setup SETs for the session (TimeZone,
  // search_path) still holds for the statement: those SETs open the analyzed file, ahead of the statement.
  const sessionSets = sessionSettings(example.setup);
  const result = analyzeText([...sessionSets, example.sql].join(';\n'), { pgVersion }, base);
  const statements = result.statements.filter((s) => s.effect);
  if (statements.length !== sessionSets.length + 1) {
    throw new Error(`an example must be exactly one statement, got ${result.statements.length - sessionSets.length}: ${example.sql}`);
  }
  const effect = statements[statements.length - 1]!.effect!;
  return {
    factIds: effect.facts.map((f) => f.id),
    locks: effect.locks.map((l) => ({ relation: l.relation, kind: l.kind, mode: l.mode })).sort(byRelation),
    rewrites: [...effect.rewrites].sort(),
    scans: [...effect.scans].sort(),
    transaction: effect.transaction,
    unknown: effect.unknown,
  };
}

/** The setup's session-level SET statements (not SET LOCAL, which ends with the setup's transaction). */
function sessionSettings(setup: string): string[] {
  const out: string[] = [];
  for (const piece of splitStatements(setup)) {
    if (piece.kind !== 'sql') continue;
    const text = setup.slice(piece.start, piece.end);
    const parsed = parseStatementText(text);
    if (!parsed.ok) continue;
    for (const node of parsed.nodes) {
      const set = (node.ast as { VariableSetStmt?: { is_local?: boolean } }).VariableSetStmt;
      if (set && !set.is_local) out.push(text.slice(node.start, node.end).trim().replace(/;$/, ''));
    }
  }
  return out;
}
