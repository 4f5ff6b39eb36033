// A table's indexes in creation order, as a persistent vector: appending shares everything but a path of small
// nodes with the list it grew from. Relation records are immutable, so before this each CREATE INDEX copied the
// table's whole index array into the new record: 20,000 indexes on one table cost 200 million element copies.
import type { Index } from './model';

const BITS = 5;
/** Items per node: a 32-way trie is at most 4 levels deep below a million items. */
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/** Inner nodes hold nodes, leaves hold indexes; every leaf in the trie is full (WIDTH items). */
type Node = readonly unknown[];

let lastId = 0;

/**
 * Items and node slots copied by all lists so far (appends, and arrays materialized for readers): a work counter,
 * so a test can tell that adding an index stays amortized O(1), and that nothing reads the whole list per
 * statement, without timing anything.
 */
let slotsCopied = 0;

export function indexListSlotsCopied(): number {
  return slotsCopied;
}

export class IndexList implements Iterable<Index> {
  static readonly EMPTY = new IndexList(0, BITS, [], [], 0);

  static from(items: Iterable<Index>): IndexList {
    let list = IndexList.EMPTY;
    for (const item of items) list = list.append(item);
    // A rebuilt list did not grow from anything by appending (see `appendedTo`).
    return list.length === 0 ? IndexList.EMPTY : new IndexList(list.length, list.shift, list.root, list.tail, 0);
  }

  /** Identifies this list, for `appendedTo`. */
  readonly id = ++lastId;
  /** The materialized array, built on first use (iteration, find…) and kept: the list never changes. */
  private array: readonly Index[] | undefined;

  private constructor(
    readonly length: number,
    /** BITS × the number of inner levels above the leaves. */
    private readonly shift: number,
    /** The first `length - tail.length` items, in full leaves. */
    private readonly root: Node,
    /** The last 1 … WIDTH items (none only when the list is empty). */
    private readonly tail: readonly Index[],
    /**
     * The id of the list this one was made from by `append`, else 0: lets the store tell in O(1) that a new record's
     * indexes are the old record's plus one, with no reference that would keep every earlier version alive.
     */
    readonly appendedTo: number,
  ) {}

  private get tailOffset(): number {
    return this.length - this.tail.length;
  }

  get(i: number): Index | undefined {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) return undefined;
    const offset = this.tailOffset;
    if (i >= offset) return this.tail[i - offset];
    let node = this.root;
    for (let level = this.shift; level > 0; level -= BITS) node = node[(i >>> level) & MASK] as Node;
    return node[i & MASK] as Index;
  }

  /** This list plus `item` at the end, in amortized O(1): at most one leaf's worth of copying. */
  append(item: Index): IndexList {
    if (this.tail.length < WIDTH) {
      slotsCopied += this.tail.length + 1;
      return new IndexList(this.length + 1, this.shift, this.root, [...this.tail, item], this.id);
    }
    // The full tail becomes a leaf of the trie; the trie grows a level when its root is full.
    const leaves = this.tailOffset >>> BITS;
    let root: Node;
    let shift = this.shift;
    if (leaves >= 1 << shift) {
      root = [this.root, pathTo(shift, this.tail)];
      shift += BITS;
    } else {
      root = pushLeaf(shift, this.root, this.tailOffset, this.tail);
    }
    return new IndexList(this.length + 1, shift, root, [item], this.id);
  }

  /** This list without the indexes `drop` accepts; the list itself when it drops none. */
  without(drop: (index: Index) => boolean): IndexList {
    return this.some(drop) ? IndexList.from(this.toArray().filter((i) => !drop(i))) : this;
  }

  /** This list with each index replaced by `change(index)`; the list itself when nothing changes. */
  replace(change: (index: Index) => Index): IndexList {
    const before = this.toArray();
    const after = before.map(change);
    return after.some((index, i) => index !== before[i]) ? IndexList.from(after) : this;
  }

  toArray(): readonly Index[] {
    if (!this.array) {
      slotsCopied += this.length;
      const out: Index[] = [];
      const offset = this.tailOffset;
      for (let i = 0; i < offset; i += WIDTH) out.push(...(this.leafAt(i) as readonly Index[]));
      out.push(...this.tail);
      this.array = out;
    }
    return this.array;
  }

  /** The JSON of the array it stands for, so a record serializes as it did with a plain array. */
  toJSON(): readonly Index[] {
    return this.toArray();
  }

  [Symbol.iterator](): Iterator<Index> {
    return this.toArray()[Symbol.iterator]();
  }

  find(predicate: (index: Index) => boolean): Index | undefined {
    return this.toArray().find(predicate);
  }

  some(predicate: (index: Index) => boolean): boolean {
    return this.toArray().some(predicate);
  }

  every(predicate: (index: Index) => boolean): boolean {
    return this.toArray().every(predicate);
  }

  filter(predicate: (index: Index) => boolean): Index[] {
    return this.toArray().filter(predicate);
  }

  map<T>(f: (index: Index, i: number) => T): T[] {
    return this.toArray().map(f);
  }

  private leafAt(i: number): Node {
    let node = this.root;
    for (let level = this.shift; level > 0; level -= BITS) node = node[(i >>> level) & MASK] as Node;
    return node;
  }
}

/** A chain of single-child nodes from `level` down to `leaf`. */
function pathTo(level: number, leaf: Node): Node {
  return level === 0 ? leaf : [pathTo(level - BITS, leaf)];
}

/** `node` (at `level`) with `leaf` added as the leaf holding items from `offset` on; copies one node per level. */
function pushLeaf(level: number, node: Node, offset: number, leaf: Node): Node {
  const slot = (offset >>> level) & MASK;
  slotsCopied += node.length + 1;
  const copy = node.slice();
  if (level === BITS) copy[slot] = leaf;
  else copy[slot] = slot < node.length ? pushLeaf(level - BITS, node[slot] as Node, offset, leaf) : pathTo(level - BITS, leaf);
  return copy;
}
