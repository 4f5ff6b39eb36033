import type { Node } from '@pgsql/types';
import { scanTokens, type Token } from './parse/parser';
import type { ByteOffsetMap } from './text/encoding';

/**
 * One parsed statement as the rules see it: its text, its AST, and helpers that turn libpg-query byte locations
 * and scanner tokens into UTF-16 offsets relative to the statement text. Built once per distinct statement text
 * and cached by the analyzer, so nothing here may depend on where the statement sits in the file.
 */
export class StatementView {
  private tokenCache: Token[] | null | undefined;

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

  /** Scanner tokens of the statement (lazily computed), or an empty list when the scanner refuses the text. */
  tokens(): Token[] {
    if (this.tokenCache === undefined) this.tokenCache = scanTokens(this.text) ?? null;
    return this.tokenCache ?? [];
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
