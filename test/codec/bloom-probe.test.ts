/**
 * bloom-probe: probing a filter with a precomputed hash (what a point lookup does for every table it visits)
 * answers exactly like Codec.bloomMayContain on both codecs, and the hash is XXH32 with the filter seed.
 */

import { describe, expect, it } from 'vitest';
import { bloomHash, bloomMayContainHash } from '../../src/codec/bloom-probe.js';
import type { Codec } from '../../src/codec/codec.js';
import { BLOOM_SEED } from '../../src/codec/codec.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { xxh32 } from '../../src/codec/xxh32.js';
import { randomBytes, seededRandom } from '../../fuzz/native-decoder.fuzz.js';
import { loadNativeForTests } from './load-native.js';

const maybeNative = loadNativeForTests('native bloom-probe tests');
const codecs: Array<[string, Codec]> = [['typescript', tsCodec]];
if (maybeNative !== undefined) codecs.push(['native', maybeNative]);

describe.each(codecs)('bloomMayContainHash on %s-built filters', (_name, codec) => {
  it('answers like bloomMayContain for members, non-members and special filters', () => {
    const r = seededRandom(91);
    for (const bitsPerKey of [1, 4, 10, 33, 60]) {
      const members = Array.from({ length: 200 }, () => randomBytes(r, Math.floor(r() * 24)));
      const keyOffsets = new Uint32Array(members.length + 1);
      members.forEach((k, i) => (keyOffsets[i + 1] = keyOffsets[i]! + k.length));
      const filter = codec.bloomBuild(Buffer.concat(members), keyOffsets, members.length, bitsPerKey);
      const probes = [...members, ...Array.from({ length: 400 }, () => randomBytes(r, Math.floor(r() * 24)))];
      let rejected = 0;
      for (const k of probes) {
        const h = bloomHash(k);
        expect(h).toBe(xxh32(k, BLOOM_SEED));
        const may = bloomMayContainHash(filter, h);
        expect(may).toBe(codec.bloomMayContain(filter, k));
        if (!may) rejected++;
      }
      for (const k of members) expect(bloomMayContainHash(filter, bloomHash(k))).toBe(true);
      expect(rejected).toBeGreaterThan(0);
    }
    // Too short, or k above 30 (reserved): matches everything.
    expect(bloomMayContainHash(Buffer.from([0]), 12345)).toBe(true);
    expect(bloomMayContainHash(Buffer.from([0, 0, 0, 31]), 12345)).toBe(true);
    expect(bloomMayContainHash(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 3]), 12345)).toBe(false);
  });
});
