/**
 * Size-scaled severity. A rewrite of a 200-row table is over before anyone notices; the same rewrite of a
 * 50-million-row table is an outage. Rules whose cost grows with the table (rewrites, scans, index builds, long
 * writes under a blocking lock) pass the tables they act on here and report with the severity and the size phrase
 * it returns. Sizes come from lockstep.json `tables` and the statsFile (`lockstep stats`), read through
 * FileContext#tableRows (part of the analyzer's cache key through the options).
 *
 * Unknown size: the rule's own default severity, and the message says the size is unknown and how to give it.
 * A `rules` setting in lockstep.json still wins over the severity chosen here (the analyzer applies it last).
 *
 * Convention for messages: end the sentence about the effect with ` (${phrase})`, and put `rows`/`sizeClass` in
 * `data` via `sizeData(sized)`, so tests and tools read the size without parsing prose.
 */
import type { Severity } from '../types';
import type { RuleContext } from './rule';

/** Up to this many rows a table is "small": the work takes milliseconds, so the finding is informational. */
export const SMALL_TABLE_ROWS = 10_000;
/** From this many rows a table is "large": the work takes minutes to hours, so the finding is an error. */
export const LARGE_TABLE_ROWS = 1_000_000;

export type SizeClass = 'small' | 'medium' | 'large' | 'unknown';

export interface SizedSeverity {
  severity: Severity;
  sizeClass: SizeClass;
  /** The largest known row count among the tables, and the table it belongs to. */
  rows?: number;
  table?: string;
  /** For messages: "public.orders has about 50,000,000 rows (lockstep.json)" or the unknown-size hint. */
  phrase: string;
}

export function classifyRows(rows: number): Exclude<SizeClass, 'unknown'> {
  if (rows <= SMALL_TABLE_ROWS) return 'small';
  if (rows >= LARGE_TABLE_ROWS) return 'large';
  return 'medium';
}

const SEVERITY_BY_CLASS: Record<Exclude<SizeClass, 'unknown'>, Severity> = {
  small: 'info',
  medium: 'warning',
  large: 'error',
};

/**
 * The severity for a finding about work on `tables` (relation names as the lock model prints them: public.orders).
 * The largest known table decides — unless another table's size is unknown and the known ones are not large: the
 * unknown one may be the big one, so the rule's default stays (never lower than it on a guess). Tables created
 * earlier in the file are the rules' business (they usually skip them); this only looks at sizes.
 */
export function sizedSeverity(context: Pick<RuleContext, 'file'>, tables: readonly string[], defaultSeverity: Severity): SizedSeverity {
  let best: { table: string; rows: number } | undefined;
  const unknown: string[] = [];
  for (const table of new Set(tables)) {
    const rows = context.file.tableRows(table);
    if (rows === undefined) {
      unknown.push(table);
      continue;
    }
    if (!best || rows > best.rows) best = { table, rows };
  }
  // No parentheses in phrases: rules put the phrase in parentheses themselves.
  const unknownPhrase = `table size unknown${unknown.length > 0 ? ` for ${unknown.join(', ')}` : ''}: give it in lockstep.json "tables" or a statsFile written by \`lockstep stats\``;
  if (!best) return { severity: defaultSeverity, sizeClass: 'unknown', phrase: unknownPhrase };
  const sizeClass = classifyRows(best.rows);
  const known = `${best.table} has about ${formatRows(best.rows)} rows`;
  if (unknown.length > 0 && sizeClass !== 'large') {
    return { severity: defaultSeverity, sizeClass: 'unknown', rows: best.rows, table: best.table, phrase: `${known}; ${unknownPhrase}` };
  }
  return { severity: SEVERITY_BY_CLASS[sizeClass], sizeClass, rows: best.rows, table: best.table, phrase: known };
}

/** The size facts a finding's `data` carries: `sizeClass` always, `rows` when known. */
export function sizeData(sized: SizedSeverity): { sizeClass: SizeClass; rows?: number } {
  return sized.rows === undefined ? { sizeClass: sized.sizeClass } : { sizeClass: sized.sizeClass, rows: sized.rows };
}

export function formatRows(rows: number): string {
  return Math.round(rows).toLocaleString('en-US');
}
