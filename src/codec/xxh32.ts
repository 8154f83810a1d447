/**
 * xxh32 — XXH32, the checksum of every block, fragment and footer (docs/FORMAT.md "Checksum"), in pure
 * TypeScript with 32-bit integer arithmetic (Math.imul, `| 0`), reading 4 bytes at a time.
 *
 * DO NOT CHANGE the result: checksums are embedded in on-disk data. Verified against the xxhash-addon package
 * (the reference C implementation) in test/codec/ts-codec.test.ts. Pure function, safe to call from anywhere.
 */

const PRIME1 = 0x9e3779b1 | 0;
const PRIME2 = 0x85ebca77 | 0;
const PRIME3 = 0xc2b2ae3d | 0;
const PRIME4 = 0x27d4eb2f | 0;
const PRIME5 = 0x165667b1 | 0;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

/** XXH32 of data with `seed` (an unsigned 32-bit number), as an unsigned 32-bit number. */
export function xxh32(data: Uint8Array, seed: number): number {
  return xxh32Range(data, 0, data.length, seed);
}

/**
 * XXH32 of data[start, end) without making a view (the bloom filter hashes many keys out of one flat array).
 * REQUIRES: 0 <= start <= end <= data.length.
 */
export function xxh32Range(data: Uint8Array, start: number, end: number, seed: number): number {
  const len = end - start;
  const b = data;
  let p = start;
  let h: number;
  seed |= 0;
  if (len >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed;
    let v4 = (seed - PRIME1) | 0;
    const limit = end - 16;
    while (p <= limit) {
      v1 = round(v1, b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
      v2 = round(v2, b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24));
      v3 = round(v3, b[p + 8]! | (b[p + 9]! << 8) | (b[p + 10]! << 16) | (b[p + 11]! << 24));
      v4 = round(v4, b[p + 12]! | (b[p + 13]! << 8) | (b[p + 14]! << 16) | (b[p + 15]! << 24));
      p += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + PRIME5) | 0;
  }
  h = (h + len) | 0;
  while (p + 4 <= end) {
    const lane = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    h = Math.imul(rotl((h + Math.imul(lane, PRIME3)) | 0, 17), PRIME4);
    p += 4;
  }
  while (p < end) {
    h = Math.imul(rotl((h + Math.imul(b[p]!, PRIME5)) | 0, 11), PRIME1);
    p++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}
