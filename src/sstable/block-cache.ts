/**
 * block-cache — an LRU of decoded blocks keyed by (file number, block offset), bounded by bytes.
 *
 * Shared by every table reader of one database (one thread). A block is charged for its decoded arrays plus a
 * fixed overhead; a block larger than the whole capacity is not cached. Capacity 0 disables the cache (every
 * lookup is a miss, nothing is kept). Entries are immutable; an evicted block stays valid for whoever holds it.
 * Counters `hits` / `misses` count lookups.
 */

import type { DecodedBlock } from '../codec/codec.js';

/** Estimated bytes of object headers per cached block (the block's object and typed-array wrappers, map entry). */
const ENTRY_OVERHEAD = 200;

/** Slots allocated at first; the slot arrays double when full. */
const INITIAL_SLOTS = 256;

const NONE = -1;

export function blockCharge(block: DecodedBlock): number {
  return block.keys.length + block.data.length + block.keyOffsets.byteLength + block.valueOffsets.byteLength
    + ENTRY_OVERHEAD;
}

/**
 * The LRU list and the per-block fields live in flat slot arrays (no object per entry: an insert allocates nothing
 * but its map entry, and moving a hit to the front writes four integers).
 */
export class BlockCache {
  hits = 0;
  misses = 0;
  private usage_ = 0;
  private count_ = 0;
  /** fileNumber → (offset → slot): two levels so lookups build no composite key. */
  private readonly files = new Map<number, Map<number, number>>();
  /** Per slot; undefined for a free slot. */
  private blocks: Array<DecodedBlock | undefined> = [];
  private fileOf = new Float64Array(INITIAL_SLOTS);
  private offsetOf = new Float64Array(INITIAL_SLOTS);
  private charges = new Float64Array(INITIAL_SLOTS);
  /** LRU links by slot (NONE at the ends): most recently used at head, least at tail. */
  private prev = new Int32Array(INITIAL_SLOTS);
  private next = new Int32Array(INITIAL_SLOTS);
  private head = NONE;
  private tail = NONE;
  /** Slots below this were used at least once; free ones among them are on freeSlots. */
  private slotsUsed = 0;
  private readonly freeSlots: number[] = [];

  /** REQUIRES: capacity is a non-negative integer (bytes). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`block-cache: capacity must be a non-negative integer, got ${capacity}`);
    }
  }

  /** Bytes currently charged. */
  get usage(): number {
    return this.usage_;
  }

  /** Number of cached blocks. */
  get size(): number {
    return this.count_;
  }

  get(fileNumber: number, offset: number): DecodedBlock | undefined {
    const perFile = this.files.get(fileNumber);
    const slot = perFile === undefined ? undefined : perFile.get(offset);
    if (slot === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (slot !== this.head) {
      this.unlink(slot);
      this.pushFront(slot);
    }
    return this.blocks[slot];
  }

  insert(fileNumber: number, offset: number, block: DecodedBlock): void {
    const charge = blockCharge(block);
    if (charge > this.capacity) return;
    const old = this.files.get(fileNumber)?.get(offset);
    if (old !== undefined) this.remove(old);
    let perFile = this.files.get(fileNumber);
    if (perFile === undefined) {
      perFile = new Map();
      this.files.set(fileNumber, perFile);
    }
    const slot = this.allocSlot();
    this.blocks[slot] = block;
    this.fileOf[slot] = fileNumber;
    this.offsetOf[slot] = offset;
    this.charges[slot] = charge;
    perFile.set(offset, slot);
    this.pushFront(slot);
    this.usage_ += charge;
    this.count_++;
    while (this.usage_ > this.capacity && this.tail !== NONE) this.remove(this.tail);
  }

  /** Drops every block of a file (called when the table is deleted). */
  evictFile(fileNumber: number): void {
    const perFile = this.files.get(fileNumber);
    if (perFile === undefined) return;
    for (const slot of [...perFile.values()]) this.remove(slot);
  }

  clear(): void {
    this.files.clear();
    this.blocks = [];
    this.freeSlots.length = 0;
    this.slotsUsed = 0;
    this.head = this.tail = NONE;
    this.usage_ = 0;
    this.count_ = 0;
  }

  private allocSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.slotsUsed++;
    if (slot === this.prev.length) this.grow();
    return slot;
  }

  private grow(): void {
    const n = 2 * this.prev.length;
    const widen = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.fileOf = widen(this.fileOf, (k) => new Float64Array(k));
    this.offsetOf = widen(this.offsetOf, (k) => new Float64Array(k));
    this.charges = widen(this.charges, (k) => new Float64Array(k));
    this.prev = widen(this.prev, (k) => new Int32Array(k));
    this.next = widen(this.next, (k) => new Int32Array(k));
  }

  private remove(slot: number): void {
    this.unlink(slot);
    const fileNumber = this.fileOf[slot]!;
    const perFile = this.files.get(fileNumber);
    if (perFile !== undefined) {
      perFile.delete(this.offsetOf[slot]!);
      if (perFile.size === 0) this.files.delete(fileNumber);
    }
    this.usage_ -= this.charges[slot]!;
    this.count_--;
    this.blocks[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p !== NONE) this.next[p] = n;
    else this.head = n;
    if (n !== NONE) this.prev[n] = p;
    else this.tail = p;
  }

  private pushFront(slot: number): void {
    this.prev[slot] = NONE;
    this.next[slot] = this.head;
    if (this.head !== NONE) this.prev[this.head] = slot;
    this.head = slot;
    if (this.tail === NONE) this.tail = slot;
  }
}
