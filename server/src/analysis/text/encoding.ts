/**
 * libpg-query reports node locations as UTF-8 byte offsets and syntax-error cursors as code-point indexes,
 * while editors count UTF-16 code units. These helpers convert offsets within one string.
 */

/** True when every code unit is ASCII, so bytes, code points and UTF-16 units coincide. */
export function isAscii(text: string): boolean {
  // A regex test is much faster than a JS loop for long strings.
  return !/[^\x00-\x7f]/.test(text);
}

/** UTF-8 byte offset → UTF-16 offset within `text`. Offsets inside a multi-byte character snap to its start. */
export function utf8ToUtf16(text: string, byteOffset: number): number {
  if (byteOffset <= 0) return 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let width: number;
    let units = 1;
    if (c < 0x80) width = 1;
    else if (c < 0x800) width = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      } else width = 3;
    } else width = 3;
    if (bytes + width > byteOffset) return i;
    bytes += width;
    i += units - 1;
    if (bytes === byteOffset) return i + 1;
  }
  return text.length;
}

/** Code-point index → UTF-16 offset within `text`. */
export function codePointToUtf16(text: string, codePoints: number): number {
  if (codePoints <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    seen++;
    if (seen === codePoints) return i + 1;
  }
  return text.length;
}

/**
 * Converts many byte offsets of one string efficiently: ASCII strings map to themselves; otherwise a prefix
 * table is built once.
 */
export class ByteOffsetMap {
  private readonly ascii: boolean;
  private table: Uint32Array | undefined;

  constructor(private readonly text: string) {
    this.ascii = isAscii(text);
  }

  toUtf16(byteOffset: number): number {
    if (this.ascii) return Math.max(0, Math.min(byteOffset, this.text.length));
    if (!this.table) this.table = buildByteTable(this.text);
    const table = this.table;
    if (byteOffset <= 0) return 0;
    if (byteOffset >= table.length) return this.text.length;
    return table[byteOffset]!;
  }
}

/** table[b] = UTF-16 offset of the character that contains byte b (its start). */
function buildByteTable(text: string): Uint32Array {
  const bytes = utf8Length(text);
  const table = new Uint32Array(bytes + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let width: number;
    const start = i;
    if (c < 0x80) width = 1;
    else if (c < 0x800) width = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      width = 4;
      i++;
    } else width = 3;
    for (let k = 0; k < width; k++) table[b + k] = start;
    b += width;
  }
  table[bytes] = text.length;
  return table;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Number of bytes of `text` in UTF-8 (lone surrogates count 3, as libpg-query's encoder writes them). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
