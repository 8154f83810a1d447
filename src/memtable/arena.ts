/**
 * arena — the byte store of a memtable: a list of chunks, each a Buffer over its own SharedArrayBuffer, into which
 * entries are bump-allocated and never moved or freed until the whole arena is dropped.
 *
 * Chunks start small (64 KiB) and double up to `chunkSize`, so a tiny memtable does not hold megabytes. An entry
 * larger than a quarter of `chunkSize` gets a dedicated chunk of exactly its size, and the current chunk stays
 * current for the entries that follow (so a huge value wastes no chunk tail).
 *
 * Sharing: the SharedArrayBuffers go to another thread by postMessage without a copy. Invariant that makes this
 * safe without atomics: exactly one thread ever allocates and writes, and it stops writing (the memtable is frozen)
 * before the buffers are posted; readers in other threads only see bytes written before the post, which
 * postMessage orders before their reads.
 *
 * allocate() returns the offset and leaves the chunk index in `lastChunk`, so that it needs no result object.
 * Native staging writes into the current chunk directly and reports how far with advanceCurrent().
 * Who may call: src/memtable/memtable.ts only.
 */

const FIRST_CHUNK_SIZE = 64 * 1024;

/** Structured-cloneable description of an arena: the chunks and how many bytes it consumed. */
export interface ArenaImage {
  chunks: SharedArrayBuffer[];
  usedBytes: number;
}

export class Arena {
  /** chunks[i] is a Buffer over a SharedArrayBuffer; entries never move. */
  readonly chunks: Buffer[] = [];
  /** Chunk index of the most recent allocate(). */
  lastChunk = -1;
  /** Bytes handed out plus chunk tails abandoned when a new chunk was started. */
  usedBytes = 0;

  private readonly chunkSize: number;
  /** Index of the chunk small entries go to, or -1 before the first allocation. */
  private current = -1;
  private currentOffset = 0;
  private currentSize = 0;
  private nextSize: number;

  /** REQUIRES: chunkSize is an integer >= 1024 (checked by the caller). */
  constructor(chunkSize: number) {
    this.chunkSize = chunkSize;
    this.nextSize = Math.min(FIRST_CHUNK_SIZE, chunkSize);
  }

  /** Reserves n bytes and returns their offset within chunks[lastChunk]. */
  allocate(n: number): number {
    if (this.currentOffset + n <= this.currentSize) {
      const off = this.currentOffset;
      this.currentOffset = off + n;
      this.usedBytes += n;
      this.lastChunk = this.current;
      return off;
    }
    if (n > this.chunkSize >>> 2) {
      // Dedicated chunk: the current one keeps serving small entries.
      this.lastChunk = this.addChunk(n);
      this.usedBytes += n;
      return 0;
    }
    this.usedBytes += this.currentSize - this.currentOffset;
    let size = this.nextSize;
    while (size < n) size *= 2;
    this.nextSize = Math.min(size * 2, this.chunkSize);
    this.current = this.addChunk(size);
    this.currentSize = size;
    this.currentOffset = n;
    this.usedBytes += n;
    this.lastChunk = this.current;
    return 0;
  }

  /** Index of the chunk small entries go to, or -1 before the first allocation. */
  get currentChunk(): number {
    return this.current;
  }

  /** Bytes in use in the current chunk. */
  get currentUsed(): number {
    return this.currentOffset;
  }

  /**
   * Takes note that a native stager (MemTable.stageBatch) wrote entries into the current chunk up to `offset`,
   * as allocate() calls that fit would have.
   * REQUIRES: currentChunk >= 0; currentUsed <= offset <= that chunk's length.
   */
  advanceCurrent(offset: number): void {
    this.usedBytes += offset - this.currentOffset;
    this.currentOffset = offset;
    this.lastChunk = this.current;
  }

  image(): ArenaImage {
    return { chunks: this.chunks.map((c) => c.buffer as SharedArrayBuffer), usedBytes: this.usedBytes };
  }

  /** A read-only arena over the chunks of an image (no copy). */
  static fromImage(image: ArenaImage): Arena {
    if (!Array.isArray(image.chunks) || !image.chunks.every((c) => c instanceof SharedArrayBuffer)) {
      throw new TypeError('memtable: image.arena.chunks must be an array of SharedArrayBuffer');
    }
    const arena = new Arena(FIRST_CHUNK_SIZE);
    for (const sab of image.chunks) arena.chunks.push(Buffer.from(sab));
    arena.usedBytes = image.usedBytes;
    return arena;
  }

  private addChunk(size: number): number {
    this.chunks.push(Buffer.from(new SharedArrayBuffer(size)));
    return this.chunks.length - 1;
  }
}
