import { describe, expect, it } from 'vitest';
import { ByteOffsetMap, codePointToUtf16, utf8Length, utf8ToUtf16 } from './encoding';

describe('offset conversion', () => {
  const text = 'a é 🎉 ü\tz';

  it('maps UTF-8 byte offsets to UTF-16 offsets at every character boundary', () => {
    let bytes = 0;
    let units = 0;
    for (const ch of text) {
      expect(utf8ToUtf16(text, bytes)).toBe(units);
      expect(new ByteOffsetMap(text).toUtf16(bytes)).toBe(units);
      bytes += Buffer.byteLength(ch, 'utf8');
      units += ch.length;
    }
    expect(utf8ToUtf16(text, bytes)).toBe(text.length);
    expect(new ByteOffsetMap(text).toUtf16(bytes)).toBe(text.length);
  });

  it('maps code-point indexes to UTF-16 offsets (emoji are two units)', () => {
    expect(codePointToUtf16(text, 4)).toBe(4); // before the emoji
    expect(codePointToUtf16(text, 5)).toBe(6); // after it
    expect(codePointToUtf16(text, 100)).toBe(text.length);
  });

  it('counts UTF-8 bytes like the encoder libpg-query uses', () => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    expect(utf8Length('\ud800')).toBe(3); // lone surrogate
  });

  it('is the identity for ASCII text', () => {
    const map = new ByteOffsetMap('SELECT 1');
    expect(map.toUtf16(3)).toBe(3);
    expect(map.toUtf16(99)).toBe(8);
  });
});
