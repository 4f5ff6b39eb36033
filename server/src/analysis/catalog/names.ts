// Identifier handling the way PostgreSQL does it: folding, quoting, schema qualification and the names PostgreSQL
// generates for unnamed constraints, indexes and sequences.
import { qualify, quoteIdent } from '../names';

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * Quotes an identifier the way quote_ident does (keywords included), so catalog keys compare equal to the names
 * the rest of Lockstep (lock model, tracer) prints. Needs the parser loaded (keyword lookup).
 */
export function quoteIdentifier(name: string): string {
  return quoteIdent(name);
}

/** The catalog's key for a schema-qualified object: `public.users`, `app."Users"`, `public."user"`. */
export function qualifiedKey(schema: string, name: string): string {
  // Every catalog lookup builds keys, one per schema of search_path: quoting (a regex, and a keyword scan for
  // names without digits) was ~12 % of a cold analysis. The key depends only on the two strings, so it is
  // remembered; the cache is dropped whole when it grows past KEY_CACHE_LIMIT, which bounds its memory.
  let bySchema = keyCache.get(schema);
  if (!bySchema) keyCache.set(schema, (bySchema = new Map()));
  let key = bySchema.get(name);
  if (key === undefined) {
    if (++keyCacheSize > KEY_CACHE_LIMIT) {
      keyCache.clear();
      keyCache.set(schema, bySchema);
      bySchema.clear();
      keyCacheSize = 1;
    }
    key = qualify(schema, name);
    bySchema.set(name, key);
  }
  return key;
}

const KEY_CACHE_LIMIT = 50_000;
const keyCache = new Map<string, Map<string, string>>();
let keyCacheSize = 0;

/**
 * Splits `a.b`, `"A"."b.c"`, `users` into identifiers. Unquoted parts fold to lower case (ASCII only, as
 * PostgreSQL's downcase_identifier does for UTF-8 databases); quoted parts keep their case and `""` escapes.
 * Returns undefined for text that is not a dotted identifier list.
 */
export function parseQualifiedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  if (s === '') return undefined;
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += s[i++];
      }
      if (value === '') return undefined;
      parts.push(value);
    } else {
      let start = i;
      while (i < s.length && s[i] !== '.' && s[i] !== ' ' && s[i] !== '"') i++;
      if (i === start) return undefined;
      parts.push(foldIdentifier(s.slice(start, i)));
    }
    while (s[i] === ' ') i++;
    if (i >= s.length) return parts;
    if (s[i] !== '.') return undefined;
    i++;
  }
}

/** Lower-cases ASCII letters only, like PostgreSQL does for unquoted identifiers in a multi-byte encoding. */
export function foldIdentifier(word: string): string {
  return word.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * Splits a search_path string the way set_config('search_path', …) reads it (SplitIdentifierString): comma
 * separated, unquoted names folded, quoted names kept. Empty string → empty path.
 */
export function splitSearchPath(value: string): string[] {
  const out: string[] = [];
  for (const raw of splitOutsideQuotes(value, ',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (item.startsWith('"') && item.endsWith('"') && item.length >= 2) out.push(item.slice(1, -1).replace(/""/g, '"'));
    else out.push(foldIdentifier(item));
  }
  return out;
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Longest prefix of `s` that fits in `maxBytes` UTF-8 bytes without splitting a character (pg_mbcliplen). */
export function clipToBytes(s: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const len = utf8Length(ch);
    if (bytes + len > maxBytes) break;
    bytes += len;
    out += ch;
  }
  return out;
}

/**
 * PostgreSQL's makeObjectName: `name1_name2_label`, shortening the longer of name1/name2 until the result fits in
 * 63 bytes, so generated names match the server's (`a_very_long_table_name_…_key`).
 */
export function makeObjectName(name1: string, name2: string | undefined, label: string | undefined): string {
  let overhead = 0;
  if (label) overhead += utf8Length(label) + 1;
  if (name2 !== undefined) overhead += 1;
  const available = MAX_IDENTIFIER_BYTES - overhead;
  let name1Bytes = utf8Length(name1);
  let name2Bytes = name2 !== undefined ? utf8Length(name2) : 0;
  while (name1Bytes + name2Bytes > available) {
    if (name1Bytes > name2Bytes) name1Bytes--;
    else name2Bytes--;
  }
  let result = clipToBytes(name1, name1Bytes);
  if (name2 !== undefined) result += `_${clipToBytes(name2, name2Bytes)}`;
  if (label) result += `_${label}`;
  return result;
}

/**
 * ChooseRelationName / ChooseConstraintName: makeObjectName, then `label1`, `label2`, … until `taken` says the
 * name is free.
 */
export function chooseObjectName(
  name1: string,
  name2: string | undefined,
  label: string,
  taken: (candidate: string) => boolean,
  /**
   * Where to start probing and where the free name was found: PostgreSQL probes t_x_idx, t_x_idx1, … from the
   * start each time, which is quadratic for many unnamed indexes on one table; a caller that knows every earlier
   * pass is still taken (CatalogStore#nameProbeStart) skips them — same answer, linear total.
   */
  hint?: { start: number; found(pass: number): void },
): string {
  for (let pass = hint?.start ?? 0; ; pass++) {
    const candidate = makeObjectName(name1, name2, pass === 0 ? label : `${label}${pass}`);
    if (!taken(candidate)) {
      hint?.found(pass);
      return candidate;
    }
  }
}

/**
 * ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition: column names joined by `_`, stopping once the
 * text is long enough to be truncated anyway.
 */
export function nameAddition(columnNames: readonly string[]): string {
  let out = '';
  for (const name of columnNames) {
    if (out !== '') out += '_';
    out += name;
    if (utf8Length(out) >= MAX_IDENTIFIER_BYTES) break;
  }
  return out;
}
