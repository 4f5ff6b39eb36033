// A Map that clones in O(1): a fork shares the underlying Map until either side writes, and the writer copies it
// first. Values are immutable records, so copying the Map (not the records) is enough. Replaying a migrations
// folder snapshots the catalog once per file; each snapshot then costs one shallow Map copy per object kind that
// the next file changes.

export class CowMap<K, V> {
  private map: Map<K, V>;
  private owned: boolean;
  /** How many writes this map has taken: lets a caller tell cheaply whether a statement changed the catalog. */
  writes = 0;
  /** How many keys this map has lost: name-probe hints (CatalogStore#nameProbeStart) stay valid while it is unchanged. */
  deletes = 0;

  constructor(map: Map<K, V> = new Map(), owned = true) {
    this.map = map;
    this.owned = owned;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  set(key: K, value: V): void {
    this.writes++;
    this.own();
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    if (!this.map.has(key)) return false;
    this.writes++;
    this.deletes++;
    this.own();
    return this.map.delete(key);
  }

  /**
   * A copy sharing storage with this map; whichever side writes first pays for the copy. `scratch`: the copy is
   * thrown away before this map is written again (a look-ahead), so this side keeps owning its storage — otherwise
   * its next write would copy the whole map, once per look-ahead.
   */
  fork(scratch = false): CowMap<K, V> {
    if (!scratch) this.owned = false;
    return new CowMap(this.map, false);
  }

  private own(): void {
    if (!this.owned) {
      this.map = new Map(this.map);
      this.owned = true;
    }
  }
}
