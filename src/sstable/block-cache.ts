/**
 * block-cache — an LRU of decoded blocks keyed by (file number, block offset), bounded by bytes.
 *
 * Shared by every table reader of one database (one thread). A block is charged for its decoded arrays plus a
 * fixed overhead; a block larger than the whole capacity is not cached. Capacity 0 disables the cache (every
 * lookup is a miss, nothing is kept). Entries are immutable; an evicted block stays valid for whoever holds it.
 * Counters `hits` / `misses` count lookups.
 */

import type { DecodedBlock } from '../codec/codec.js';

/** Estimated bytes of object headers per cached block (node, maps, typed-array wrappers). */
const ENTRY_OVERHEAD = 200;

interface Node {
  fileNumber: number;
  offset: number;
  block: DecodedBlock;
  charge: number;
  prev: Node | undefined;
  next: Node | undefined;
}

export function blockCharge(block: DecodedBlock): number {
  return block.keys.length + block.data.length + block.keyOffsets.byteLength + block.valueOffsets.byteLength
    + ENTRY_OVERHEAD;
}

export class BlockCache {
  hits = 0;
  misses = 0;
  private usage_ = 0;
  private count_ = 0;
  /** fileNumber → (offset → node): two levels so lookups build no composite key. */
  private readonly files = new Map<number, Map<number, Node>>();
  /** Most recently used at head, least at tail. */
  private head: Node | undefined;
  private tail: Node | undefined;

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
    const node = this.files.get(fileNumber)?.get(offset);
    if (node === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (node !== this.head) {
      this.unlink(node);
      this.pushFront(node);
    }
    return node.block;
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
    const node: Node = { fileNumber, offset, block, charge, prev: undefined, next: undefined };
    perFile.set(offset, node);
    this.pushFront(node);
    this.usage_ += charge;
    this.count_++;
    while (this.usage_ > this.capacity && this.tail !== undefined) this.remove(this.tail);
  }

  /** Drops every block of a file (called when the table is deleted). */
  evictFile(fileNumber: number): void {
    const perFile = this.files.get(fileNumber);
    if (perFile === undefined) return;
    for (const node of [...perFile.values()]) this.remove(node);
  }

  clear(): void {
    this.files.clear();
    this.head = this.tail = undefined;
    this.usage_ = 0;
    this.count_ = 0;
  }

  private remove(node: Node): void {
    this.unlink(node);
    const perFile = this.files.get(node.fileNumber);
    if (perFile !== undefined) {
      perFile.delete(node.offset);
      if (perFile.size === 0) this.files.delete(node.fileNumber);
    }
    this.usage_ -= node.charge;
    this.count_--;
  }

  private unlink(node: Node): void {
    if (node.prev !== undefined) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next !== undefined) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
  }

  private pushFront(node: Node): void {
    node.next = this.head;
    node.prev = undefined;
    if (this.head !== undefined) this.head.prev = node;
    this.head = node;
    if (this.tail === undefined) this.tail = node;
  }
}
