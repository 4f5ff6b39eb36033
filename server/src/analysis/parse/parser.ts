/**
 * The only place that talks to libpg-query. Parses one statement piece at a time (a whole file would fail on its
 * first error) and converts libpg-query's offsets into UTF-16 offsets relative to the piece.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';
import type { Node } from '@pgsql/types';
import { ByteOffsetMap, codePointToUtf16 } from '../text/encoding';

let loading: Promise<void> | undefined;
let loaded = false;

/** Loads the WASM parser once per process. Everything else in the core is synchronous. */
export function initParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

export function parserReady(): boolean {
  return loaded;
}

export interface ParsedNode {
  ast: Node;
  kind: string;
  /** UTF-16 offsets relative to the parsed text. */
  start: number;
  end: number;
  /** libpg-query byte offset of the node's statement start, to convert node `location`s later. */
  byteStart: number;
}

export type ParseOutcome =
  | { ok: true; nodes: ParsedNode[]; offsets: ByteOffsetMap }
  | { ok: false; message: string; /** UTF-16 offset relative to the parsed text */ offset: number };

export function parseStatementText(text: string): ParseOutcome {
  if (!loaded) throw new Error('libpg-query is not loaded: call initParser() before analyzing');
  let result;
  try {
    result = parseSync(text);
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (error instanceof Error ? error.message : String(error));
    const cursor = details?.cursorPosition;
    const offset = cursor !== undefined && cursor >= 0 ? codePointToUtf16(text, cursor) : 0;
    return { ok: false, message, offset };
  }
  const offsets = new ByteOffsetMap(text);
  const nodes: ParsedNode[] = [];
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const byteStart = raw.stmt_location ?? 0;
    const start = offsets.toUtf16(byteStart);
    // stmt_len 0 means "to the end of the string".
    const end = raw.stmt_len ? offsets.toUtf16(byteStart + raw.stmt_len) : text.length;
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    nodes.push({ ast: raw.stmt, kind, start, end: trimTrailing(text, start, end), byteStart });
  }
  return { ok: true, nodes, offsets };
}

function trimTrailing(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}

export interface Token {
  /** UTF-16 offsets relative to the scanned text. */
  start: number;
  end: number;
  text: string;
  /** e.g. IDENT, SCONST, SQL_COMMENT (keywords are UNKNOWN here: see keywordKind). */
  name: string;
  /** The upper-cased keyword for keyword tokens. */
  keyword: string | undefined;
  /** RESERVED_KEYWORD, UNRESERVED_KEYWORD, COL_NAME_KEYWORD or TYPE_FUNC_NAME_KEYWORD for keywords. */
  keywordKind: string | undefined;
}

/**
 * Tokens of one statement, for precise ranges (many AST nodes carry no location). Returns undefined when the
 * scanner refuses the text (it throws on an unterminated dollar quote).
 */
export function scanTokens(text: string): Token[] | undefined {
  if (!loaded) throw new Error('libpg-query is not loaded: call initParser() before analyzing');
  let scanned;
  try {
    scanned = scanSync(text);
  } catch {
    return undefined;
  }
  const offsets = new ByteOffsetMap(text);
  return scanned.tokens.map((t) => ({
    start: offsets.toUtf16(t.start),
    end: offsets.toUtf16(t.end),
    text: t.text,
    name: sharedString(t.tokenName),
    keyword: t.keywordKind === 0 ? undefined : upperKeyword(t.text),
    keywordKind: t.keywordKind === 0 ? undefined : sharedString(t.keywordName),
  }));
}

/*
 * Statement views keep their tokens while the statement is unchanged, so a big document holds tens of thousands of
 * them; JSON.parse gives every token fresh copies of its token name and keyword kind, and toUpperCase a fresh
 * keyword. There are a few hundred distinct ones: sharing one copy of each takes a third off the tokens' memory
 * (bench/memory.ts). Bounded, since a keyword's case variants are the user's to choose.
 */
const SHARED_STRINGS_MAX = 4096;
const sharedStrings = new Map<string, string>();
const upperKeywords = new Map<string, string>();

function sharedString(value: string): string {
  const known = sharedStrings.get(value);
  if (known !== undefined) return known;
  if (sharedStrings.size < SHARED_STRINGS_MAX) sharedStrings.set(value, value);
  return value;
}

function upperKeyword(spelling: string): string {
  const known = upperKeywords.get(spelling);
  if (known !== undefined) return known;
  const upper = sharedString(spelling.toUpperCase());
  if (upperKeywords.size < SHARED_STRINGS_MAX) upperKeywords.set(spelling, upper);
  return upper;
}
