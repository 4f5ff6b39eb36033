// A Map that clones in O(1): a fork shares the underlying Map until either side writes, and the writer copies it
// first. Values are immutable records, so copying the Map (not the records) is enough. Replaying a migrations
// folder snapshots the catalog once per file; each snapshot then costs one shallow Map copy per object kind that
// the next file changes.
//
// A scratch fork (a look-ahead, thrown away before its source is written again) does not copy on its first write:
// it records its few changes in a layer over the source's Map, which cannot change while the fork is alive. The lock
// model takes such a look-ahead for every statement, so copying there would cost the size of the catalog per
// statement (20,000 CREATE INDEX on one table copied the 20,000-entry index map 20,000 times).

/** The changes a scratch fork made over the Map it shares, kept so that reads and iteration order match a copy. */
interface Layer<K, V> {
  /** The shared Map: never written through this layer. */
  readonly under: ReadonlyMap<K, V>;
  /** Keys of `under` given a new value (a Map keeps an overwritten key in its place). */
  readonly changed: Map<K, V>;
  /** Keys of `under` removed. */
  readonly deleted: Set<K>;
  /** Keys not in `under` (or removed from it and set again: a Map puts those at the end), in insertion order. */
  readonly added: Map<K, V>;
  size: number;
}

/** Below this size a scratch fork's first write just copies: a layer saves nothing on a small map. */
const LAYER_MIN_SIZE = 64;

export class CowMap<K, V> {
  private map: Map<K, V>;
  private owned: boolean;
  /** Set while this (scratch) map writes over a shared Map instead of owning a copy; `map` is unused then. */
  private layer: Layer<K, V> | undefined;
  private readonly scratch: boolean;
  /** How many writes this map has taken: lets a caller tell cheaply whether a statement changed the catalog. */
  writes = 0;
  /** How many keys this map has lost: name-probe hints (CatalogStore#nameProbeStart) stay valid while it is unchanged. */
  deletes = 0;
  /** Whole-map copies this map has made (a test counts them: a look-ahead must not copy). */
  copies = 0;

  constructor(map: Map<K, V> = new Map(), owned = true, scratch = false) {
    this.map = map;
    this.owned = owned;
    this.scratch = scratch;
  }

  get size(): number {
    return this.layer ? this.layer.size : this.map.size;
  }

  get(key: K): V | undefined {
    const layer = this.layer;
    if (!layer) return this.map.get(key);
    if (layer.added.has(key)) return layer.added.get(key);
    if (layer.deleted.has(key)) return undefined;
    return layer.changed.has(key) ? layer.changed.get(key) : layer.under.get(key);
  }

  has(key: K): boolean {
    const layer = this.layer;
    if (!layer) return this.map.has(key);
    return layer.added.has(key) || (!layer.deleted.has(key) && layer.under.has(key));
  }

  // Iteration visits every entry anyway: a layer is copied out first, so iterating costs a native Map walk rather
  // than a generator step per entry through the layer.
  keys(): IterableIterator<K> {
    if (this.layer) this.flatten();
    return this.map.keys();
  }

  values(): IterableIterator<V> {
    if (this.layer) this.flatten();
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    if (this.layer) this.flatten();
    return this.map.entries();
  }

  set(key: K, value: V): void {
    this.writes++;
    const layer = this.layer ?? this.own();
    if (!layer) {
      this.map.set(key, value);
      return;
    }
    if (layer.added.has(key)) layer.added.set(key, value);
    else if (!layer.deleted.has(key) && layer.under.has(key)) layer.changed.set(key, value);
    else {
      layer.added.set(key, value);
      layer.size++;
    }
    this.flattenIfLarge(layer);
  }

  delete(key: K): boolean {
    if (!this.has(key)) return false;
    this.writes++;
    this.deletes++;
    const layer = this.layer ?? this.own();
    if (!layer) return this.map.delete(key);
    if (!layer.added.delete(key)) {
      layer.changed.delete(key);
      layer.deleted.add(key);
    }
    layer.size--;
    this.flattenIfLarge(layer);
    return true;
  }

  /**
   * A copy sharing storage with this map; whichever side writes first pays for the copy. `scratch`: the copy is
   * thrown away before this map is written again (a look-ahead), so this side keeps owning its storage — otherwise
   * its next write would copy the whole map, once per look-ahead — and the copy writes in a layer over it.
   */
  fork(scratch = false): CowMap<K, V> {
    // A layer is this map's own mutable state: a fork of it gets the flattened contents (forks of look-aheads are rare).
    if (this.layer) this.flatten();
    if (!scratch) this.owned = false;
    return new CowMap(this.map, false, scratch);
  }

  /** Makes `map` this map's own before a write; returns the layer to write in instead, for a large scratch fork. */
  private own(): Layer<K, V> | undefined {
    if (this.owned) return undefined;
    if (this.scratch && this.map.size >= LAYER_MIN_SIZE) {
      this.layer = { under: this.map, changed: new Map(), deleted: new Set(), added: new Map(), size: this.map.size };
      return this.layer;
    }
    this.map = new Map(this.map);
    this.copies++;
    this.owned = true;
    return undefined;
  }

  /** A layer as large as a fair share of the Map it covers is copied out: reads stay cheap, writes amortized O(1). */
  private flattenIfLarge(layer: Layer<K, V>): void {
    if (layer.changed.size + layer.deleted.size + layer.added.size > layer.under.size / 4 + LAYER_MIN_SIZE) this.flatten();
  }

  private flatten(): void {
    this.map = new Map(this.layeredEntries());
    this.copies++;
    this.owned = true;
    this.layer = undefined;
  }

  /** The entries in the order a copied Map would hold them. */
  private *layeredEntries(): IterableIterator<[K, V]> {
    const layer = this.layer!;
    for (const [key, value] of layer.under) {
      if (layer.deleted.has(key)) continue;
      yield [key, layer.changed.has(key) ? layer.changed.get(key)! : value];
    }
    yield* layer.added;
  }
}
