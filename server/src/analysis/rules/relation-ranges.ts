import type { RangeVar } from '@pgsql/types';
import type { StatementView } from '../statement-view';

/**
 * The range from the start of the statement to the end of the (possibly qualified) relation name at `relation`:
 * `UPDATE public.orders`, `DELETE FROM orders`, `TRUNCATE orders`. Findings about a whole statement underline its
 * head this way, so the underline stays short on long statements. Undefined when the scanner refuses the text.
 */
export function headThroughRelation(view: StatementView, relation: RangeVar | undefined): { start: number; end: number } | undefined {
  const name = relationNameRange(view, relation);
  if (!name) return undefined;
  const first = view.tokens().find((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
  return first ? { start: first.start, end: name.end } : undefined;
}

/** The range of the relation name (`orders`, `app.orders`, `"Orders"`) the RangeVar's location points at. */
export function relationNameRange(view: StatementView, relation: RangeVar | undefined): { start: number; end: number } | undefined {
  const at = view.offsetOfLocation(relation?.location);
  if (at === undefined) return undefined;
  const tokens = view.tokens().filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
  let i = tokens.findIndex((t) => t.start >= at);
  if (i < 0) return undefined;
  const start = tokens[i]!.start;
  while (tokens[i + 1]?.text === '.' && tokens[i + 2]) i += 2;
  return { start, end: tokens[i]!.end };
}
