import { defineRule, ruleDocPath } from './rule';
import { sizedSeverity, sizeData } from './table-size';
import { relationNameRange } from './relation-ranges';

/**
 * REFRESH MATERIALIZED VIEW without CONCURRENTLY re-runs the query and swaps in the result under AccessExclusiveLock:
 * every SELECT of the view waits for the whole refresh. CONCURRENTLY takes ExclusiveLock (reads go on) but needs a
 * UNIQUE index on plain columns without WHERE covering all rows, and the view must already be populated.
 */
export const refreshMatviewBlocking = defineRule({
  meta: {
    id: 'refresh-matview-blocking',
    description: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view while it is recomputed.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('refresh-matview-blocking'),
  },
  kinds: ['RefreshMatViewStmt'],
  check(context, stmt) {
    if (stmt.concurrent || stmt.skipData || !stmt.relation) return;
    if (context.file.createdInFile(stmt.relation)) return;
    const view = context.file.schema.resolve(stmt.relation);
    const lock = context.effect.locks.find((l) => l.relation === view)?.mode ?? 'AccessExclusiveLock';
    const unique = uniqueIndexForConcurrentRefresh(context.file.schema, view);
    const sized = sizedSeverity(context, [view], refreshMatviewBlocking.meta.defaultSeverity);
    const name = relationNameRange(context.statement, stmt.relation);
    context.report({
      message:
        `REFRESH MATERIALIZED VIEW takes ${lock} on ${view} and holds it while the query re-runs (${sized.phrase}): every read of ${view} waits ` +
        'for the whole refresh. Use REFRESH MATERIALIZED VIEW CONCURRENTLY (ExclusiveLock: reads go on), ' +
        (unique ? `which can use the unique index ${unique}.` : `which needs a UNIQUE index on plain columns of ${view}, without WHERE: create one first (CREATE UNIQUE INDEX CONCURRENTLY).`),
      data: { view, lock, ...(unique ? { uniqueIndex: unique } : {}), ...sizeData(sized) },
      severity: sized.severity,
      ...(name ? { range: { start: 0, end: name.end } } : {}),
    });
  },
});

function uniqueIndexForConcurrentRefresh(
  schema: { indexesOf(t: string): string[]; indexFacts(i: string): { unique: boolean; predicate?: unknown; keys: Array<{ column?: string }> } | undefined },
  view: string,
): string | undefined {
  return schema.indexesOf(view).find((i) => {
    const facts = schema.indexFacts(i);
    return facts?.unique === true && facts.predicate === undefined && facts.keys.every((k) => k.column !== undefined);
  });
}
