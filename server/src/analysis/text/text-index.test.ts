import { describe, expect, it } from 'vitest';
import { TextIndex } from './text-index';

describe('TextIndex', () => {
  it('handles LF, CRLF and lone CR line breaks like LSP', () => {
    const index = new TextIndex('a\nbc\r\nd\re');
    expect(index.lineCount).toBe(4);
    expect(index.positionAt(2)).toEqual({ line: 1, character: 0 });
    expect(index.positionAt(4)).toEqual({ line: 1, character: 2 });
    expect(index.positionAt(6)).toEqual({ line: 2, character: 0 });
    expect(index.positionAt(8)).toEqual({ line: 3, character: 0 });
    expect(index.offsetAt({ line: 3, character: 1 })).toBe(9);
  });

  it('clamps out-of-range offsets and positions', () => {
    const index = new TextIndex('ab\ncd');
    expect(index.positionAt(-5)).toEqual({ line: 0, character: 0 });
    expect(index.positionAt(99)).toEqual({ line: 1, character: 2 });
    expect(index.offsetAt({ line: 0, character: 99 })).toBe(3);
    expect(index.offsetAt({ line: 9, character: 0 })).toBe(5);
  });
});
