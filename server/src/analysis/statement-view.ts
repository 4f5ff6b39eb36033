import type { Node } from '@pgsql/types';
import { scanTokens, type Token } from './parse/parser';
import type { ByteOffsetMap } from './text/encoding';
import { finishHash } from './catalog/hash';

/**
 * One parsed statement as the rules see it: its text, its AST, and helpers that turn libpg-query byte locations
 * and scanner tokens into UTF-16 offsets relative to the statement text. Built once per distinct statement text
 * and cached by the analyzer, so nothing here may depend on where the statement sits in the file.
 */
export class StatementView {
  private contentHashCache: string | undefined;

  constructor(
    readonly text: string,
    readonly kind: string,
    readonly ast: Node,
    private readonly offsets: ByteOffsetMap,
    /** UTF-16 offset of this statement's text inside the parsed text. */
    private readonly textStart: number,
  ) {}

  /** UTF-16 offset (relative to `text`) of a libpg-query node `location` (a byte offset of the parsed piece). */
  offsetOfLocation(location: number | undefined): number | undefined {
    if (location === undefined || location < 0) return undefined;
    return this.offsets.toUtf16(location) - this.textStart;
  }

  /**
   * A hash of what the statement says — its parse tree without source locations — so two texts that differ only in
   * whitespace, comments or keyword case get the same one. The analyzer's convergence check and the catalog's
   * object revisions use it instead of the text: an edit that leaves a DDL statement's meaning alone then leaves
   * the schema's history alone too (see analyzer.ts). Computed on first use: only statements that change the
   * catalog need it.
   */
  contentHash(): string {
    return (this.contentHashCache ??= contentHashOf(this.ast));
  }

  /** Scanner tokens of the statement, or an empty list when the scanner refuses the text. */
  tokens(): Token[] {
    let tokens = recentTokens.get(this);
    if (tokens === undefined) {
      tokens = scanTokens(this.text) ?? null;
      if (recentTokens.size >= RECENT_TOKENS_MAX) recentTokens.delete(recentTokens.keys().next().value!);
    } else {
      recentTokens.delete(this);
    }
    recentTokens.set(this, tokens);
    return tokens ?? [];
  }

  /** Range of the first run of tokens spelling `words` (keywords or identifiers, case-insensitive). */
  findWords(...words: string[]): { start: number; end: number } | undefined {
    const tokens = this.tokens().filter((t) => t.name !== 'SQL_COMMENT' && t.name !== 'C_COMMENT');
    const wanted = words.map((w) => w.toUpperCase());
    for (let i = 0; i + wanted.length <= tokens.length; i++) {
      if (wanted.every((w, k) => tokens[i + k]!.text.toUpperCase() === w)) {
        return { start: tokens[i]!.start, end: tokens[i + wanted.length - 1]!.end };
      }
    }
    return undefined;
  }
}

/*
 * Tokens are asked for while rules check a statement, and a checked statement's result is cached (analyzer.ts): a
 * view kept for the whole life of a document needs its tokens again only when its context changes. Kept on every
 * view, they were ~4 MB of a 5,000-statement document's ~60 MB retained heap (bench/memory.ts); the most recently
 * used views' tokens cover the rules of one statement and the statements around an edit. Least recently used go.
 */
const RECENT_TOKENS_MAX = 256;
const recentTokens = new Map<StatementView, Token[] | null>();

/** Fields of libpg-query's tree that say where, not what. */
const LOCATION_FIELDS = new Set(['location', 'stmt_location', 'stmt_len']);

/** Each field name's number, so hashing a tree mixes one number per field name instead of its characters. */
const fieldIds = new Map<string, number>();

function fieldId(name: string): number {
  let id = fieldIds.get(name);
  if (id === undefined) fieldIds.set(name, (id = fieldIds.size + 1));
  return id;
}

/**
 * A hash of a parse tree without its locations (see `StatementView#contentHash`): cyrb53 (as catalog/hash.ts) over a
 * pre-order walk of the tree, one value per field name, array length and leaf, each tagged with its type, so
 * `{a: 1}` and `{a: "1"}` or `[[1], 2]` and `[1, [2]]` differ. Cheaper than hashing JSON of the tree (no string is
 * built, field names are numbered once).
 */
export function contentHashOf(tree: unknown): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (value: number): void => {
    h1 = Math.imul(h1 ^ value, 2654435761);
    h2 = Math.imul(h2 ^ value, 1597334677);
  };
  const mixString = (text: string): void => {
    mix(text.length);
    for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
  };
  const visit = (value: unknown): void => {
    switch (typeof value) {
      case 'string':
        mix(1);
        mixString(value);
        return;
      case 'number':
        mix(2);
        if ((value | 0) === value) mix(value);
        else mixString(String(value));
        return;
      case 'boolean':
        mix(value ? 3 : 4);
        return;
      case 'object':
        if (value === null) {
          mix(5);
        } else if (Array.isArray(value)) {
          mix(6);
          mix(value.length);
          for (const item of value) visit(item);
        } else {
          mix(7);
          const record = value as Record<string, unknown>;
          for (const key in record) {
            if (LOCATION_FIELDS.has(key)) continue;
            const field = record[key];
            if (field === undefined) continue;
            mix(fieldId(key));
            visit(field);
          }
          mix(8);
        }
        return;
      default:
        mix(9);
    }
  };
  visit(tree);
  return finishHash(h1, h2);
}
