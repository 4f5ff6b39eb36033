import { describe, expect, it } from 'vitest';
import { CowMap } from './cow-map';

/** A small deterministic PRNG (mulberry32), so a failing sequence replays. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filled(size: number): CowMap<string, number> {
  const map = new CowMap<string, number>();
  for (let i = 0; i < size; i++) map.set(`k${i}`, i);
  return map;
}

describe('CowMap', () => {
  it('a fork copies on its first write and leaves the source as it was', () => {
    const source = filled(10);
    const copy = source.fork();
    copy.set('k1', 100);
    copy.delete('k2');
    expect(source.get('k1')).toBe(1);
    expect(source.has('k2')).toBe(true);
    expect(copy.get('k1')).toBe(100);
    expect(copy.has('k2')).toBe(false);
    expect(copy.copies).toBe(1);
  });

  it('a scratch fork of a large map writes in a layer over it: no copy per look-ahead', () => {
    const source = filled(5000);
    for (let round = 0; round < 100; round++) {
      const scratch = source.fork(true);
      scratch.set(`new${round}`, round);
      scratch.set('k7', -1);
      scratch.delete('k8');
      expect(scratch.copies).toBe(0);
      expect(scratch.get(`new${round}`)).toBe(round);
      expect(scratch.get('k7')).toBe(-1);
      expect(scratch.has('k8')).toBe(false);
      // One added, one removed.
      expect(scratch.size).toBe(source.size);
      // The source owns its storage still: its own writes copy nothing either.
      source.set(`s${round}`, round);
      expect(source.copies).toBe(0);
    }
    expect(source.get('k7')).toBe(7);
    expect(source.has('k8')).toBe(true);
  });

  // Iteration order matters (catalog listings come from it): a layer must read exactly like a copied Map.
  it.each([1, 2, 3, 4, 5])('a scratch fork reads and iterates like a copied Map under random writes (seed %i)', (seed) => {
    const random = prng(seed);
    const source = filled(200);
    const scratch = source.fork(true);
    const model = new Map(source.entries());
    for (let step = 0; step < 400; step++) {
      const key = `k${Math.floor(random() * 260)}`;
      if (random() < 0.35) expect(scratch.delete(key)).toBe(model.delete(key));
      else {
        scratch.set(key, step);
        model.set(key, step);
      }
      expect(scratch.size).toBe(model.size);
      expect(scratch.get(key)).toBe(model.get(key));
      expect(scratch.has(key)).toBe(model.has(key));
      if (step % 50 === 0) expect([...scratch.entries()]).toEqual([...model.entries()]);
    }
    expect([...scratch.keys()]).toEqual([...model.keys()]);
    expect([...scratch.values()]).toEqual([...model.values()]);
    // 400 writes over 200 keys outgrow the layer: it was copied out once or twice, not per write.
    expect(scratch.copies).toBeGreaterThan(0);
    expect(scratch.copies).toBeLessThan(5);
    // The source never saw any of it.
    expect([...source.entries()]).toEqual(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
  });
});
