import { describe, expect, it } from 'vitest';
import { IndexList, indexListSlotsCopied } from './index-list';
import type { Index } from './model';

function index(n: number): Index {
  return {
    schema: 'public',
    name: `i${n}`,
    key: `public.i${n}`,
    table: 'public.t',
    method: 'btree',
    unique: false,
    primary: false,
    nullsNotDistinct: false,
    columns: [{ column: 'x', descending: false }],
    include: [],
    valid: true,
    concurrently: false,
  };
}

describe('IndexList', () => {
  // Sizes on both sides of a full tail (32), a full one-level trie (32 + 1,024) and a second level.
  it.each([0, 1, 31, 32, 33, 64, 1056, 1057, 2100])('holds %i appended indexes in order', (count) => {
    const items = Array.from({ length: count }, (_, n) => index(n));
    let list = IndexList.EMPTY;
    for (const item of items) list = list.append(item);
    expect(list.length).toBe(count);
    expect(list.toArray()).toEqual(items);
    expect([...list]).toEqual(items);
    for (let i = 0; i < count; i++) expect(list.get(i)).toBe(items[i]);
    expect(list.get(count)).toBeUndefined();
    expect(list.get(-1)).toBeUndefined();
    expect(JSON.stringify({ indexes: list })).toBe(JSON.stringify({ indexes: items }));
    expect(IndexList.from(items).toArray()).toEqual(items);
  });

  it('leaves the list it grew from unchanged, and so does a second append to that list', () => {
    let base = IndexList.EMPTY;
    for (let n = 0; n < 40; n++) base = base.append(index(n));
    const a = base.append(index(100));
    const b = base.append(index(200));
    expect(base.length).toBe(40);
    expect(base.get(39)!.name).toBe('i39');
    expect(a.get(40)!.name).toBe('i100');
    expect(b.get(40)!.name).toBe('i200');
    expect(a.appendedTo).toBe(base.id);
    expect(b.appendedTo).toBe(base.id);
    expect(IndexList.from(base.toArray()).appendedTo).toBe(0);
  });

  it('replaces and removes, returning the same list when nothing changes', () => {
    const list = IndexList.from([index(0), index(1), index(2)]);
    expect(list.without((i) => i.name === 'nope')).toBe(list);
    expect(list.replace((i) => i)).toBe(list);
    expect(list.without((i) => i.name === 'i1').map((i) => i.name)).toEqual(['i0', 'i2']);
    expect(list.replace((i) => (i.name === 'i2' ? { ...i, valid: false } : i)).map((i) => i.valid)).toEqual([true, true, false]);
  });

  it('appends in amortized constant work, not by copying the list (a work count, not a timing)', () => {
    const count = 20_000;
    let list = IndexList.EMPTY;
    const before = indexListSlotsCopied();
    for (let n = 0; n < count; n++) list = list.append(index(n));
    const perAppend = (indexListSlotsCopied() - before) / count;
    // Copying the whole list per append, as a plain immutable array does, would be count / 2 = 10,000 per append.
    expect(perAppend).toBeLessThan(40);
    expect(list.get(count - 1)!.name).toBe(`i${count - 1}`);
  });
});
