// Decides how much of an open document to analyze. Analysis is synchronous and its cost grows with the file
// (about 0.75 s for a dense 1 MB migration on a 2-core machine, 10 s for 10 MB), so a document above
// maxDocumentBytes is analyzed only up to the last statement that ends within the limit; the server keeps
// answering instead of freezing the editor. docs/performance.md has the measurements behind the default.
import { splitStatements } from '../analysis/split/splitter';

/** 1 MB: 15× the largest migration in the shared corpus, and analyzed in under a second on a slow machine. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 1_000_000;

export type AnalyzablePart =
  | { truncated: false; text: string }
  | {
      truncated: true;
      /** The prefix to analyze: whole statements only, possibly empty. */
      text: string;
      totalBytes: number;
      /** 1-based number of the last line (partly) analyzed; 0 when nothing is. */
      lastAnalyzedLine: number;
    };

export function analyzablePart(text: string, maxBytes: number): AnalyzablePart {
  // A UTF-16 unit is 1–3 UTF-8 bytes (a surrogate pair is 2 units, 4 bytes), so short texts need no count.
  if (text.length * 3 <= maxBytes) return { truncated: false, text };
  const totalBytes = Buffer.byteLength(text, 'utf8');
  if (totalBytes <= maxBytes) return { truncated: false, text };

  const head = text.slice(0, utf16LengthWithin(text, maxBytes));
  // Only the head is split, so the work stays bounded however large the document is.
  const pieces = splitStatements(head);
  const last = pieces[pieces.length - 1];
  // The last piece may continue past the limit (no semicolon yet, or a string, comment or dollar quote cut
  // off): analyzing its head would report errors that are not in the file. A terminated one is whole.
  const cut = last === undefined || last.terminated ? head.length : last.triviaStart;
  const analyzed = head.slice(0, cut);
  const significantEnd = analyzed.trimEnd().length;
  return {
    truncated: true,
    text: analyzed,
    totalBytes,
    lastAnalyzedLine: significantEnd === 0 ? 0 : lineIndexAt(analyzed, significantEnd - 1) + 1,
  };
}

/** The longest prefix length (in UTF-16 units) whose UTF-8 encoding fits in `maxBytes`, never splitting a pair. */
function utf16LengthWithin(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let width = 3;
    let units = 1;
    if (c < 0x80) width = 1;
    else if (c < 0x800) width = 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      }
    }
    if (bytes + width > maxBytes) break;
    bytes += width;
    i += units;
  }
  return i;
}

/** 0-based LSP line (\n, \r\n and \r end a line) of `offset`. */
function lineIndexAt(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}
