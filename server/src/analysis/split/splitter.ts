/**
 * Splits a migration file into statements without parsing them, so one broken statement never hides the others.
 *
 * It follows psql's own lexer rules (src/bin/psql/psqlscanslash.l, src/fe_utils/psqlscan.l): a statement ends at
 * a semicolon outside quotes, comments, parentheses and `BEGIN ATOMIC … END` bodies; a backslash starts a psql
 * meta-command that runs to the end of the line. It never throws: unterminated quotes, dollar quotes and comments
 * run to the end of the file, and PostgreSQL's parser then reports them precisely.
 *
 * Hand-written rather than built on libpg-query's scanner because the scanner throws on an unterminated dollar
 * quote and knows nothing of psql meta-commands or Go-template placeholders, all of which real migrations contain.
 */

export type PieceKind = 'sql' | 'psql-meta';

export interface StatementPiece {
  kind: PieceKind;
  /** UTF-16 offset of the first character of the statement (after leading whitespace and comments). */
  start: number;
  /** UTF-16 offset just past the last significant character (trailing comments and the semicolon excluded). */
  end: number;
  /** Offset where the trivia (whitespace and comments) before this statement begins. */
  triviaStart: number;
  /** Whether a semicolon ended the statement (false at the end of the file or before a meta-command). */
  terminated: boolean;
  /**
   * Placeholders a migration runner substitutes before PostgreSQL sees the text, as [start, end) offsets:
   * Go templates (`{{ … }}`, also as a whole quoted identifier `"{{ … }}"`) and Synapse's `$%NAME%$`.
   */
  templates: Array<[number, number]>;
  /**
   * psql variable interpolations (`:name`, `:'name'`, `:"name"`) outside quotes. psql substitutes only variables
   * that are set, so these are candidates: the analyzer uses them to explain a statement that fails to parse.
   */
  psqlVariables: Array<[number, number]>;
}

const enum Ch {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  Quote = 39, // '
  DoubleQuote = 34,
  Dollar = 36,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Minus = 45,
  Slash = 47,
  Semicolon = 59,
  Backslash = 92,
  Colon = 58,
  Equals = 61,
  LBrace = 123,
  RBrace = 125,
}

function isSpace(c: number): boolean {
  return c === Ch.Space || (c >= Ch.Tab && c <= Ch.CR) || c === 0xfeff;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === Ch.Dollar;
}

export function splitStatements(text: string): StatementPiece[] {
  const pieces: StatementPiece[] = [];
  splitFrom(text, 0, pieces, () => false);
  return pieces;
}

/** The last split, to split an edited version of its text (`splitEdited`). */
export interface SplitText {
  readonly text: string;
  readonly pieces: readonly StatementPiece[];
}

/**
 * How far past the offset where a piece's scan stops it may read: the `$%NAME%$` placeholder test looks at up to
 * 64 characters from a `$` inside the piece.
 */
const LOOKAHEAD = 64;

/**
 * `splitStatements(text)`, re-scanning only around the edit that turned `previous.text` into `text`: the pieces
 * before it and, once the scan is back in step with the old one past the edit, those after it are the previous
 * ones (moved). The splitter's only state between pieces is the offset it resumes at (each piece's
 * `triviaStart`), so this gives exactly the pieces a full split gives (splitter.test.ts compares them).
 */
export function splitEdited(text: string, previous: SplitText | undefined): StatementPiece[] {
  if (!previous) return splitStatements(text);
  const old = previous.text;
  const oldPieces = previous.pieces;
  const limit = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < limit && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  if (prefix === old.length && prefix === text.length) return [...oldPieces];
  let suffix = 0;
  while (suffix < limit - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const delta = text.length - old.length;
  // Keep piece k while the scan of it (which ends at or before the next piece's triviaStart, reading at most
  // LOOKAHEAD further) stayed in the unchanged prefix; resume at the next kept piece's triviaStart.
  let kept = 0;
  while (kept + 1 < oldPieces.length && oldPieces[kept + 1]!.triviaStart + LOOKAHEAD <= prefix) kept++;
  const pieces = oldPieces.slice(0, kept);
  // With nothing kept, from the top: the first piece's triviaStart may lie past the edit (after `;;`).
  const resumeAt = kept === 0 ? 0 : oldPieces[kept]!.triviaStart;
  // Old pieces by triviaStart, for the offsets in the unchanged suffix: where the new scan starts a piece at one
  // of them (moved by delta), the rest of the split is the old one.
  const suffixStart = text.length - suffix;
  let m = kept;
  const resumesInStep = (i: number): boolean => {
    if (i < suffixStart) return false;
    while (m < oldPieces.length && oldPieces[m]!.triviaStart < i - delta) m++;
    if (m >= oldPieces.length || oldPieces[m]!.triviaStart !== i - delta) return false;
    for (let k = m; k < oldPieces.length; k++) pieces.push(moved(oldPieces[k]!, delta));
    return true;
  };
  splitFrom(text, resumeAt, pieces, resumesInStep);
  return pieces;
}

function moved(piece: StatementPiece, delta: number): StatementPiece {
  if (delta === 0) return piece;
  // Thousands per edit: a literal of the same shape (no spread), and the (nearly always empty) lists shared.
  return {
    kind: piece.kind,
    start: piece.start + delta,
    end: piece.end + delta,
    triviaStart: piece.triviaStart + delta,
    terminated: piece.terminated,
    templates: piece.templates.length === 0 ? piece.templates : piece.templates.map(([a, b]) => [a + delta, b + delta]),
    psqlVariables: piece.psqlVariables.length === 0 ? piece.psqlVariables : piece.psqlVariables.map(([a, b]) => [a + delta, b + delta]),
  };
}

/**
 * The splitter's loop from offset `i`, appending to `pieces`; stops early when `done(offset)`, asked at each
 * offset a piece's trivia may start at, says the rest is known.
 */
function splitFrom(text: string, from: number, pieces: StatementPiece[], done: (offset: number) => boolean): void {
  const n = text.length;
  let i = from;

  while (i < n) {
    if (done(i)) return;
    const triviaStart = i;
    i = skipTrivia(text, i);
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === Ch.Semicolon) {
      i++; // empty statement
      continue;
    }
    if (c === Ch.Backslash) {
      const end = lineEnd(text, i);
      pieces.push({
        kind: 'psql-meta',
        start: i,
        end: trimEnd(text, i, end),
        triviaStart,
        terminated: false,
        templates: [],
        psqlVariables: [],
      });
      i = end;
      continue;
    }
    const piece = scanSqlStatement(text, i, triviaStart);
    pieces.push(piece.piece);
    i = piece.next;
  }
}

/** Skips whitespace and comments; returns the offset of the next significant character. */
function skipTrivia(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) i = lineEnd(text, i);
    else if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) i = blockCommentEnd(text, i);
    else break;
  }
  return i;
}

function lineEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.LF || c === Ch.CR) return i;
    i++;
  }
  return n;
}

/** Block comments nest in PostgreSQL. */
function blockCommentEnd(text: string, i: number): number {
  const n = text.length;
  let depth = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      depth++;
      i += 2;
    } else if (c === Ch.Star && text.charCodeAt(i + 1) === Ch.Slash) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return n;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** `'…'` with '' doubling; with `escapes` (E'…' strings) a backslash escapes the next character. */
function stringEnd(text: string, i: number, escapes: boolean): number {
  const n = text.length;
  i++; // opening quote
  while (i < n) {
    const c = text.charCodeAt(i);
    if (escapes && c === Ch.Backslash) i += 2;
    else if (c === Ch.Quote) {
      if (text.charCodeAt(i + 1) === Ch.Quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return n;
}

function quotedIdentEnd(text: string, i: number): number {
  const n = text.length;
  i++;
  while (i < n) {
    if (text.charCodeAt(i) === Ch.DoubleQuote) {
      if (text.charCodeAt(i + 1) === Ch.DoubleQuote) i += 2;
      else return i + 1;
    } else i++;
  }
  return n;
}

/** If a dollar-quote opening tag starts at i, returns the tag (e.g. "$body$"); otherwise undefined. */
function dollarTagAt(text: string, i: number): string | undefined {
  let j = i + 1;
  const n = text.length;
  if (j < n && text.charCodeAt(j) === Ch.Dollar) return '$$';
  if (j >= n || !isIdentStart(text.charCodeAt(j))) return undefined;
  j++;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === Ch.Dollar) return text.slice(i, j + 1);
    if (!isIdentChar(c) || c === Ch.Dollar) return undefined;
    j++;
  }
  return undefined;
}

/**
 * At a colon: the end of a psql variable reference (`:name`, `:'name'`, `:"name"`), or i + 1 when it is not one
 * (`::` casts, `:=` assignments, array slices `a[1:2]`).
 */
function psqlVariableEnd(text: string, i: number): number {
  const prev = text.charCodeAt(i - 1);
  const next = text.charCodeAt(i + 1);
  if (prev === Ch.Colon || next === Ch.Colon || next === Ch.Equals) return i + 1;
  if (next === Ch.Quote || next === Ch.DoubleQuote) {
    let j = i + 2;
    if (!isIdentStart(text.charCodeAt(j))) return i + 1;
    while (j < text.length && isIdentChar(text.charCodeAt(j))) j++;
    return text.charCodeAt(j) === next ? j + 1 : i + 1;
  }
  if (!isIdentStart(next)) return i + 1;
  let j = i + 2;
  while (j < text.length && isIdentChar(text.charCodeAt(j))) j++;
  return j;
}

function templateEnd(text: string, i: number): number {
  const close = text.indexOf('}}', i + 2);
  return close < 0 ? text.length : close + 2;
}

interface ScanOutcome {
  piece: StatementPiece;
  next: number;
}

function scanSqlStatement(text: string, start: number, triviaStart: number): ScanOutcome {
  const n = text.length;
  let i = start;
  let depth = 0;
  let lastSignificantEnd = start;
  const templates: Array<[number, number]> = [];
  const psqlVariables: Array<[number, number]> = [];
  // psql counts BEGIN/CASE … END only inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, for SQL-standard bodies.
  const leadingWords: string[] = [];
  let routine = false;
  let beginDepth = 0;

  const finish = (end: number, terminated: boolean, next: number): ScanOutcome => ({
    piece: { kind: 'sql', start, end, triviaStart, terminated, templates, psqlVariables },
    next,
  });

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) {
      i = lineEnd(text, i);
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      i = blockCommentEnd(text, i);
      continue;
    }
    if (c === Ch.Semicolon && depth <= 0 && beginDepth === 0) {
      return finish(lastSignificantEnd, true, i + 1);
    }
    if (c === Ch.Backslash) {
      // A meta-command ends the SQL statement in psql (e.g. `SELECT … \gset`).
      return finish(lastSignificantEnd, false, i);
    }
    let tokenEnd: number;
    if (c === Ch.Quote) {
      const prev = i > start ? text.charCodeAt(i - 1) : 0;
      const prevPrev = i - 1 > start ? text.charCodeAt(i - 2) : 0;
      const escapes = (prev === 69 || prev === 101) && !isIdentChar(prevPrev) && i - 1 >= start;
      tokenEnd = stringEnd(text, i, escapes);
    } else if (c === Ch.DoubleQuote) {
      if (text.startsWith('{{', i + 1)) {
        // "{{ index .Options "Namespace" }}": the template's own quotes must not end the identifier.
        const close = templateEnd(text, i + 1);
        templates.push([i + 1, close]);
        tokenEnd = text.charCodeAt(close) === Ch.DoubleQuote ? close + 1 : close;
      } else tokenEnd = quotedIdentEnd(text, i);
    } else if (c === Ch.Colon) {
      tokenEnd = psqlVariableEnd(text, i);
      if (tokenEnd > i + 1) psqlVariables.push([i, tokenEnd]);
    } else if (c === Ch.Dollar) {
      const prev = i > start ? text.charCodeAt(i - 1) : 0;
      const placeholder = /^\$%[A-Za-z_][A-Za-z0-9_]*%\$/.exec(text.slice(i, i + 64));
      const tag = isIdentChar(prev) || placeholder ? undefined : dollarTagAt(text, i);
      if (placeholder) {
        tokenEnd = i + placeholder[0].length;
        templates.push([i, tokenEnd]);
      } else if (tag) {
        const close = text.indexOf(tag, i + tag.length);
        tokenEnd = close < 0 ? n : close + tag.length;
      } else {
        tokenEnd = i + 1;
      }
    } else if (c === Ch.LBrace && text.charCodeAt(i + 1) === Ch.LBrace) {
      tokenEnd = templateEnd(text, i);
      templates.push([i, tokenEnd]);
    } else if (c === Ch.LParen) {
      depth++;
      tokenEnd = i + 1;
    } else if (c === Ch.RParen) {
      depth--;
      tokenEnd = i + 1;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      // An E/U&/B/X/N prefix directly before a quote belongs to the string; the loop picks the quote up next.
      // The word itself matters only among the first four or inside a routine body: no copy of every other one.
      if (leadingWords.length < 4) {
        leadingWords.push(text.slice(i, j).toLowerCase());
        routine = isRoutineDefinition(leadingWords);
      }
      if (routine && j - i <= 5) {
        const word = text.slice(i, j).toLowerCase();
        if (word === 'begin' || word === 'case') beginDepth++;
        else if (word === 'end' && beginDepth > 0) beginDepth--;
      }
      tokenEnd = j;
    } else {
      tokenEnd = i + 1;
    }
    i = tokenEnd;
    lastSignificantEnd = tokenEnd;
  }
  return finish(lastSignificantEnd, false, n);
}

function isRoutineDefinition(words: string[]): boolean {
  if (words[0] !== 'create' || words.length < 2) return false;
  if (words[1] === 'function' || words[1] === 'procedure') return true;
  return words[1] === 'or' && words[2] === 'replace' && (words[3] === 'function' || words[3] === 'procedure');
}
