import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MAX_SEQUENCE, ValueKind, makeInternalKey } from '../../src/base/internal-key.js';
import { MemTable, type MemTableImage } from '../../src/memtable/memtable.js';
import { prng as seededRandom } from '../helpers/model.js';

const enc = (s: string): Buffer => Buffer.from(s);

function filled(n: number, seed: number): MemTable {
  const rnd = seededRandom(seed);
  // Small chunks so that the image carries several arena buffers, one of them a dedicated big-value chunk.
  const mt = new MemTable({ chunkSize: 4096 });
  for (let i = 0; i < n; i++) {
    const key = enc(`key${Math.floor(rnd() * n)}`);
    const kind = rnd() < 0.2 ? ValueKind.Deletion : ValueKind.Value;
    mt.add(i + 1, kind, key, kind === ValueKind.Value ? enc(`value${i}`) : new Uint8Array(0));
  }
  mt.add(n + 1, ValueKind.Value, enc('big'), Buffer.alloc(20_000, 0x5a));
  return mt;
}

function dump(mt: MemTable): string[] {
  const out: string[] = [];
  const it = mt.iterator();
  for (it.seekToFirst(); it.valid(); it.next()) {
    out.push(`${Buffer.from(it.key()).toString('hex')}=${Buffer.from(it.value()).toString('hex')}`);
  }
  return out;
}

function sums(image: MemTableImage): number[] {
  return [image.links, ...image.arena.chunks].map((sab) => {
    const bytes = new Uint8Array(sab);
    let s = 0;
    for (let i = 0; i < bytes.length; i++) s = (s * 31 + bytes[i]!) >>> 0;
    return s;
  });
}

describe('MemTable image', () => {
  it('fromImage over a structured clone reads the same entries, in both directions, and gets the same values', () => {
    const mt = filled(2000, 1);
    mt.freeze();
    const image = structuredClone(mt.image());
    expect(image.arena.chunks.length).toBeGreaterThan(2);
    const copy = MemTable.fromImage(image);
    expect(copy.frozen).toBe(true);
    expect(copy.count).toBe(mt.count);
    expect(copy.approximateBytes).toBe(mt.approximateBytes);
    expect(dump(copy)).toEqual(dump(mt));
    const rev: string[] = [];
    const it = copy.iterator();
    for (it.seekToLast(); it.valid(); it.prev()) rev.push(Buffer.from(it.key()).toString('hex'));
    expect(rev).toEqual(dump(mt).map((s) => s.split('=')[0]).reverse());
    for (let i = 0; i < 2000; i += 37) {
      for (const snap of [i, MAX_SEQUENCE]) {
        expect(copy.get(enc(`key${i}`), snap)).toEqual(mt.get(enc(`key${i}`), snap));
      }
    }
    expect(copy.get(enc('big'), MAX_SEQUENCE)?.equals(Buffer.alloc(20_000, 0x5a))).toBe(true);
    it.seek(makeInternalKey(enc('key1'), MAX_SEQUENCE, ValueKind.Value));
    expect(Buffer.from(it.key()).subarray(0, 4).toString()).toBe('key1');
    expect(() => copy.add(1, ValueKind.Value, enc('x'), enc('y'))).toThrow(/frozen/);
  });

  it('an empty frozen memtable round-trips', () => {
    const mt = new MemTable();
    mt.freeze();
    const copy = MemTable.fromImage(structuredClone(mt.image()));
    expect(copy.count).toBe(0);
    const it = copy.iterator();
    it.seekToLast();
    expect(it.valid()).toBe(false);
  });

  it('rejects an image that is not one', () => {
    expect(() => MemTable.fromImage({} as MemTableImage)).toThrow(TypeError);
    const mt = new MemTable();
    mt.freeze();
    const image = mt.image();
    expect(() => MemTable.fromImage({ ...image, linksUsed: 1e9 })).toThrow(RangeError);
    expect(() => MemTable.fromImage({ ...image, height: 0 })).toThrow(RangeError);
    expect(() => MemTable.fromImage({ ...image, arena: { chunks: [new ArrayBuffer(8)] as never, usedBytes: 0 } })).toThrow(
      TypeError,
    );
  });

  it('posting the image to a worker shares its buffers: same bytes arrive, and a write there is seen here', async () => {
    const mt = filled(3000, 2);
    mt.freeze();
    const image = mt.image();
    const linkInts = image.links.byteLength / 4;
    // The marker goes into the unused tail of the link array, so the memtable's contents stay intact.
    expect(image.linksUsed).toBeLessThan(linkInts);
    const code = `
      const { parentPort } = require('node:worker_threads');
      parentPort.once('message', (image) => {
        const bufs = [image.links, ...image.arena.chunks];
        const allShared = bufs.every((b) => b instanceof SharedArrayBuffer);
        const sums = bufs.map((sab) => {
          const bytes = new Uint8Array(sab);
          let s = 0;
          for (let i = 0; i < bytes.length; i++) s = (s * 31 + bytes[i]) >>> 0;
          return s;
        });
        const links = new Int32Array(image.links);
        links[links.length - 1] = 0x600dcafe | 0;
        parentPort.postMessage({ allShared, sums, count: image.count });
      });
    `;
    const worker = new Worker(code, { eval: true });
    try {
      const reply = await new Promise<{ allShared: boolean; sums: number[]; count: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(image);
      });
      expect(reply.allShared).toBe(true);
      expect(reply.count).toBe(mt.count);
      const links = new Int32Array(image.links);
      expect(links[linkInts - 1]).toBe(0x600dcafe | 0);
      links[linkInts - 1] = 0;
      expect(reply.sums).toEqual(sums(image));
      // The memtable itself is untouched and still reads the same through a view built from the same buffers.
      expect(dump(MemTable.fromImage(image))).toEqual(dump(mt));
    } finally {
      await worker.terminate();
    }
  });
});
