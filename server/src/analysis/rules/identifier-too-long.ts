import { defineRule, ruleDocPath } from './rule';

/** NAMEDATALEN − 1: the longest identifier PostgreSQL keeps, in bytes of the server encoding (UTF-8 assumed). */
const MAX_IDENTIFIER_BYTES = 63;
const encoder = new TextEncoder();
/** A name over 63 UTF-8 bytes has at least 22 UTF-16 units (a unit encodes to at most 3 bytes). */
const MIN_UNITS = Math.ceil((MAX_IDENTIFIER_BYTES + 1) / 3);
/**
 * False when no identifier token of `text` can exceed 63 bytes, so the statement need not be scanned (the scanner
 * otherwise ran for every statement of every file for this rule alone: most of its cost). Conservative, in one
 * pass: an unquoted identifier lies inside a run of identifier characters (scan.l ident_cont: letters, digits, _,
 * $, anything non-ASCII) at least as long in bytes; a quoted one's content lies between two odd runs of double
 * quotes (inside it every quote is doubled), so it is at most the bytes between consecutive odd runs, counting
 * doubled quotes twice.
 */
function mayHaveLongIdentifier(text: string): boolean {
  if (text.length < MIN_UNITS) return false;
  let run = 0; // bytes of the current run of identifier characters
  // Bytes since the last odd run of quotes; -1 before the first one (a quoted name starts with an odd run).
  let quoted = -1;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x22) {
      let quotes = 1;
      while (text.charCodeAt(i + 1) === 0x22) {
        quotes++;
        i++;
      }
      run = 0;
      if (quotes % 2 === 0) {
        if (quoted >= 0) quoted += quotes;
      } else {
        // An odd run ends one quoted name and may start the next; its doubled quotes may belong to either.
        if (quoted >= 0 && quoted + quotes - 1 > MAX_IDENTIFIER_BYTES) return true;
        quoted = quotes - 1;
      }
      continue;
    }
    // UTF-8 bytes of this UTF-16 unit: surrogate halves 2 each (4 a pair), others up to 3.
    const bytes = unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
    if (quoted >= 0) quoted += bytes;
    const identifierChar =
      unit >= 0x80 || (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x30 && unit <= 0x39) || unit === 0x5f || unit === 0x24;
    run = identifierChar ? run + bytes : 0;
    if (run > MAX_IDENTIFIER_BYTES) return true;
  }
  return quoted > MAX_IDENTIFIER_BYTES;
}

/**
 * PostgreSQL truncates identifiers longer than 63 bytes (NAMEDATALEN − 1) with only a NOTICE (scan.l
 * truncate_identifier, at a character boundary): two long names that share their first 63 bytes become the same
 * object, and tools that compare names (ORMs, schema diffs, `pg_indexes` checks) never find the long one. Bytes,
 * not characters: 32 two-byte letters are 64 bytes. https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
 */
export const identifierTooLong = defineRule({
  meta: {
    id: 'identifier-too-long',
    description: 'An identifier longer than 63 bytes (UTF-8): PostgreSQL silently truncates it.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('identifier-too-long'),
  },
  kinds: 'all',
  check(context) {
    if (!mayHaveLongIdentifier(context.statement.text)) return;
    const seen = new Set<string>();
    for (const token of context.statement.tokens()) {
      if (token.name !== 'IDENT') continue;
      // Fewer than 22 units are at most 63 bytes: no need to encode.
      if (token.text.length < MIN_UNITS) continue;
      const name = identifierValue(token.text);
      const bytes = encoder.encode(name).length;
      if (bytes <= MAX_IDENTIFIER_BYTES || seen.has(name)) continue;
      seen.add(name);
      const kept = truncate(name);
      context.report({
        message:
          `Identifier "${name}" is ${bytes} bytes; PostgreSQL keeps only the first ${MAX_IDENTIFIER_BYTES} ("${kept}") with just a NOTICE, so another ` +
          `name with the same start names the same object and tools looking for the full name do not find it. Shorten it to ${MAX_IDENTIFIER_BYTES} bytes or fewer.`,
        data: { identifier: name, bytes, truncated: kept },
        range: { start: token.start, end: token.end },
      });
    }
  },
});

/** The identifier as PostgreSQL sees it: quotes removed ("" → "), unquoted names folded to lower case (ASCII). */
function identifierValue(text: string): string {
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) return text.slice(1, -1).replace(/""/g, '"');
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The longest prefix of whole characters within the byte limit (pg_mbcliplen). */
function truncate(name: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of name) {
    const size = encoder.encode(ch).length;
    if (bytes + size > MAX_IDENTIFIER_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out;
}
