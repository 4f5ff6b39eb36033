/**
 * Small helpers to write SQL that looks like the user's: keyword case, identifiers quoted only when needed, text
 * cut from the user's own statement by token ranges, and edits applied to a statement's text.
 */
import type { RangeVar } from '@pgsql/types';
import { scanTokens, type Token } from '../parse/parser';
import { quoteIdent } from '../names';
import type { StatementView } from '../statement-view';

export type KeywordCase = 'upper' | 'lower';

/** The case of the statement's first keyword: generated SQL follows it. */
export function keywordCaseOf(view: StatementView): KeywordCase {
  const first = view.tokens().find((t) => t.keywordKind !== undefined);
  return first && first.text === first.text.toLowerCase() ? 'lower' : 'upper';
}

/**
 * `sql` (written with upper-case keywords) in the user's keyword case. Only keyword tokens change: identifiers,
 * strings and dollar-quoted bodies stay as written.
 */
export function inCase(sql: string, keywordCase: KeywordCase): string {
  if (keywordCase === 'upper') return sql;
  const tokens = scanTokens(sql);
  if (!tokens) return sql;
  let out = '';
  let at = 0;
  for (const t of tokens) {
    if (t.keywordKind === undefined || t.name === 'SCONST' || t.name === 'IDENT') continue;
    out += sql.slice(at, t.start) + t.text.toLowerCase();
    at = t.end;
  }
  return out + sql.slice(at);
}

export function ident(name: string): string {
  return quoteIdent(name);
}

/** The relation as the user named it: schema only when written. */
export function relationText(rv: RangeVar): string {
  return rv.schemaname ? `${ident(rv.schemaname)}.${ident(rv.relname ?? '')}` : ident(rv.relname ?? '');
}

/** The schema-qualified key (public.t) of a RangeVar as written: for messages. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Tokens of the statement without comments. */
export function codeTokens(view: StatementView): Token[] {
  return view.tokens().filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
}

export interface StatementEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (offsets relative to `text`). */
export function applyEdits(text: string, edits: readonly StatementEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  return out;
}

/** Leading whitespace of the line `offset` is on. */
export function indentationAt(text: string, offset: number): string {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** `words` → a file-name slug: lower case, [a-z0-9_], at most `max` characters. */
export function slug(...words: string[]): string {
  const s = words
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s.length > 60 ? s.slice(0, 60).replace(/_+$/, '') : s;
}
