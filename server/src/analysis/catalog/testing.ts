// Test support: replays SQL text into a Catalog the way the analyzer will (split, parse each piece, apply each
// statement with its origin). Only tests import this; the catalog itself never parses.
import { parseStatementText } from '../parse/parser';
import { splitStatements } from '../split/splitter';
import type { Catalog } from './catalog';
import { hashString } from './hash';
import type { ApplyResult } from './model';

export interface ReplayOutcome {
  results: ApplyResult[];
  /** Pieces PostgreSQL's parser rejected (psql meta-commands, templates, syntax errors), with their text. */
  unparsed: string[];
}

export function replaySql(catalog: Catalog, sql: string, file?: string): ReplayOutcome {
  const results: ApplyResult[] = [];
  const unparsed: string[] = [];
  let statement = 0;
  for (const piece of splitStatements(sql)) {
    const text = sql.slice(piece.start, piece.end);
    if (piece.kind !== 'sql' || piece.templates.length > 0) {
      unparsed.push(text);
      continue;
    }
    const parsed = parseStatementText(text);
    if (!parsed.ok) {
      unparsed.push(text);
      statement++;
      continue;
    }
    for (const node of parsed.nodes) {
      const nodeText = text.slice(node.start, node.end);
      results.push(
        catalog.apply(node.ast, { ...(file !== undefined ? { file } : {}), statement, textHash: hashString(nodeText) }),
      );
      statement++;
    }
  }
  return { results, unparsed };
}

/** Problems reported while replaying, flattened, for assertions. */
export function problemsOf(outcome: ReplayOutcome): string[] {
  return outcome.results.flatMap((r) => r.problems.map((p) => `${p.code}: ${p.message}`));
}
