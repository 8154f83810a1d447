/**
 * memtable-iterator — the InternalIterator over a memtable's skiplist.
 *
 * A cursor is a node position in the skiplist's link array (0 = not valid). Moving costs one array read in either
 * direction: level 0 has forward and backward links. Inserts into a live (not frozen) memtable between moves are
 * fine: node positions never change, and a new node is seen or not depending on where it lands.
 * key() and value() are views into the arena, valid while the memtable lives (not only until the next move).
 * Not safe to share across threads (it is a cursor); the memtable it reads may live in shared memory.
 * Who may call: MemTable.iterator() constructs it; anyone uses it through InternalIterator.
 */

import type { InternalIterator } from '../base/iterator.js';
import { TRAILER_SIZE, trailerSequence } from '../base/internal-key.js';

/** What the iterator needs from a skiplist. Node 0 is the head: "no node". */
export interface SkipListNodes {
  firstNode(): number;
  lastNode(): number;
  nextNode(p: number): number;
  prevNode(p: number): number;
  /** First node >= (user key t[ts, te), seq, kind) in internal-key order, or 0. */
  seekNode(t: Uint8Array, ts: number, te: number, seq: number, kind: number): number;
  /** Sign of node p's internal key minus (user key t[ts, te), seq, kind). REQUIRES: p != 0. */
  compareNode(p: number, t: Uint8Array, ts: number, te: number, seq: number, kind: number): number;
  nodeKey(p: number): Buffer;
  nodeValue(p: number): Buffer;
  /** The link array (node layout in memtable.ts); replaced by a bigger copy when it grows, so read it per use. */
  linkArray(): Int32Array;
  /** The arena chunks the nodes point into. */
  arenaChunks(): readonly Uint8Array[];
}

export class MemTableIterator implements InternalIterator {
  private node = 0;

  constructor(private readonly list: SkipListNodes) {}

  valid(): boolean {
    return this.node !== 0;
  }

  seekToFirst(): void {
    this.node = this.list.firstNode();
  }

  seekToLast(): void {
    this.node = this.list.lastNode();
  }

  /** REQUIRES: target is an internal key (at least TRAILER_SIZE bytes). */
  seek(target: Uint8Array): void {
    const te = checkedUserKeyEnd(target);
    this.node = this.list.seekNode(target, 0, te, trailerSequence(target, te), target[te]!);
  }

  /** REQUIRES: target is an internal key (at least TRAILER_SIZE bytes). */
  seekForPrev(target: Uint8Array): void {
    const te = checkedUserKeyEnd(target);
    const seq = trailerSequence(target, te);
    const kind = target[te]!;
    const list = this.list;
    const p = list.seekNode(target, 0, te, seq, kind);
    if (p === 0) this.node = list.lastNode();
    else if (list.compareNode(p, target, 0, te, seq, kind) > 0) this.node = list.prevNode(p);
    else this.node = p;
  }

  next(): void {
    this.node = this.list.nextNode(this.node);
  }

  prev(): void {
    this.node = this.list.prevNode(this.node);
  }

  key(): Uint8Array {
    return this.list.nodeKey(this.node);
  }

  value(): Uint8Array {
    return this.list.nodeValue(this.node);
  }

  close(): void {
    this.node = 0;
  }

  // ---- raw access for a scan step that walks the skiplist itself (src/db/native-scan.ts) ----

  /** The skiplist this iterator walks. */
  get nodes(): SkipListNodes {
    return this.list;
  }

  /** The current node's position in the link array (0: not valid). */
  get position(): number {
    return this.node;
  }

  /** Moves to node position p (0: not valid). REQUIRES: p is 0 or a linked node of this skiplist. */
  set position(p: number) {
    this.node = p;
  }
}

function checkedUserKeyEnd(target: Uint8Array): number {
  const te = target.length - TRAILER_SIZE;
  if (te < 0) throw new RangeError(`memtable: seek target must be an internal key (>= 8 bytes), got ${target.length}`);
  return te;
}
