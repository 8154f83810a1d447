import { describe, expect, it } from 'vitest';
import { EntryPacker, copyRange } from '../../src/iterator/entry-packer.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

function bytes(rnd: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

describe('EntryPacker', () => {
  it('hands back every added range as its own Buffer, in order, whatever the sizes (staging grows)', () => {
    const rnd = seeded(5);
    const p = new EntryPacker();
    for (const count of [1, 7, 300, 3000]) {
      const want: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < count; i++) {
        // Sizes straddle the byte-loop/set() switch, and a few values exceed the initial 64 KiB staging area.
        const k = bytes(rnd, Math.floor(rnd() * 40));
        const v = bytes(rnd, i % 997 === 5 ? 70_000 : Math.floor(rnd() * 200));
        // Add from inside larger arrays to check the offsets are honoured.
        const src = new Uint8Array(k.length + v.length + 10);
        src.set(k, 3);
        src.set(v, 3 + k.length + 2);
        p.add(src, 3, 3 + k.length, src, 5 + k.length, 5 + k.length + v.length);
        src.fill(0xee); // the packer copied already
        want.push([k, v]);
      }
      expect(p.count).toBe(count);
      const got = p.take(true, true);
      expect(p.count).toBe(0);
      expect(got.length).toBe(count);
      for (let i = 0; i < count; i++) {
        const [k, v] = got[i]!;
        expect(Buffer.isBuffer(k) && Buffer.isBuffer(v)).toBe(true);
        expect(Buffer.compare(k!, want[i]![0])).toBe(0);
        expect(Buffer.compare(v!, want[i]![1])).toBe(0);
      }
    }
  });

  it('returns disjoint views: writing one changes no other entry, and later batches change none', () => {
    const p = new EntryPacker();
    const k = Buffer.from('key');
    const v = Buffer.from('value');
    for (let i = 0; i < 3; i++) p.add(k, 0, 3, v, 0, 5);
    const first = p.take(true, true);
    first[0]![0]!.fill(0);
    first[0]![1]!.fill(0);
    expect(first[1]![0]!.toString()).toBe('key');
    expect(first[1]![1]!.toString()).toBe('value');
    expect(first[0]![0]!.length).toBe(3);
    p.add(Buffer.from('other'), 0, 5, Buffer.from('x'), 0, 1);
    const second = p.take(true, true);
    expect(second[0]![0]!.toString()).toBe('other');
    expect(first[2]![0]!.toString()).toBe('key'); // reusing the staging area did not touch the first batch
    expect(first[2]![1]!.toString()).toBe('value');
  });

  it('leaves out keys or values when they are not wanted, and clear() drops a batch', () => {
    const p = new EntryPacker();
    p.add(Buffer.from('a'), 0, 1, Buffer.from('b'), 0, 1);
    p.clear();
    expect(p.take(true, true)).toEqual([]);
    p.add(Buffer.from('k'), 0, 1, new Uint8Array(0), 0, 0);
    const keysOnly = p.take(true, false);
    expect(keysOnly[0]![0]!.toString()).toBe('k');
    expect(keysOnly[0]![1]).toBeUndefined();
    p.add(new Uint8Array(0), 0, 0, Buffer.from('v'), 0, 1);
    const valuesOnly = p.take(false, true);
    expect(valuesOnly[0]![0]).toBeUndefined();
    expect(valuesOnly[0]![1]!.toString()).toBe('v');
  });

  it('takes what a producer wrote into the staging area through reserve() and commit()', () => {
    const p = new EntryPacker();
    p.add(Buffer.from('ab'), 0, 2, Buffer.from('cd'), 0, 2);
    p.reserve(200_000, 5000);
    expect(p.stageArea.length).toBeGreaterThanOrEqual(200_000);
    expect(p.endsArea.length).toBeGreaterThanOrEqual(2 * 5001);
    expect(Buffer.from(p.stageArea.subarray(0, 4)).toString()).toBe('abcd'); // growing kept what was there
    const stage = p.stageArea;
    const ends = p.endsArea;
    stage.set(Buffer.from('efg'), p.bytesUsed);
    ends[2] = 5; // key 'e'
    ends[3] = 7; // value 'fg'
    p.commit(2, 7);
    const got = p.take(true, true).map(([k, v]) => `${k!.toString()}=${v!.toString()}`);
    expect(got).toEqual(['ab=cd', 'e=fg']);
  });
});

describe('copyRange', () => {
  it('copies short and long ranges from views with an offset', () => {
    const rnd = seeded(9);
    for (const n of [0, 1, 31, 32, 33, 1000]) {
      const backing = bytes(rnd, n + 20);
      const src = backing.subarray(7);
      const dst = new Uint8Array(n + 4);
      copyRange(src, 2, 2 + n, dst, 3);
      expect(Buffer.compare(dst.subarray(3, 3 + n), src.subarray(2, 2 + n))).toBe(0);
      expect(dst[0]).toBe(0);
    }
  });
});
