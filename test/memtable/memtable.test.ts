import { describe, expect, it } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import { ErrorCode, isLsmkvError } from '../../src/base/errors.js';
import { KIND_FOR_SEEK, MAX_SEQUENCE, ValueKind, makeInternalKey } from '../../src/base/internal-key.js';
import type { InternalIterator } from '../../src/base/iterator.js';
import { MemTable } from '../../src/memtable/memtable.js';
import { prng as seededRandom } from '../helpers/model.js';

interface ModelEntry {
  ikey: Buffer;
  userKey: Buffer;
  seq: number;
  kind: number;
  value: Buffer;
}

/** Key bytes: zero (ties with the zero padding of short keys' prefixes), both sides of the sign bit, 0xfe. */
const ALPHABET = [0x00, 0x61, 0x7f, 0x80, 0xfe];
const enc = (s: string): Buffer => Buffer.from(s, 'latin1');
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Short keys over ALPHABET (many versions per key, keys that are prefixes of others) and a few long ones. */
function shortOrLongKey(rnd: () => number): Buffer {
  if (rnd() < 0.05) {
    // A few long keys sharing a prefix past the comparator's hand-loop length.
    const long = Buffer.alloc(40 + Math.floor(rnd() * 3), 0x7a);
    long[long.length - 1] = 0x61 + Math.floor(rnd() * 3);
    return long;
  }
  const keyLen = Math.floor(rnd() * 4);
  const userKey = Buffer.alloc(keyLen);
  for (let j = 0; j < keyLen; j++) userKey[j] = ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
  return userKey;
}

/**
 * Keys of 12 to 20 bytes that share 11 leading bytes and end in ALPHABET bytes: they differ inside, at and past
 * the 16 bytes a node holds inline, and the zero byte ties with the padding of shorter keys.
 */
function boundaryKey(rnd: () => number): Buffer {
  const len = 12 + Math.floor(rnd() * 9);
  const k = Buffer.alloc(len, 0x30);
  for (let j = 11; j < len; j++) k[j] = ALPHABET[Math.floor(rnd() * 2.5)]!;
  return k;
}

/** Random memtable contents plus the same entries sorted by internal key. */
function buildRandom(
  seed: number,
  n: number,
  chunkSize: number,
  makeKey: (rnd: () => number) => Buffer = shortOrLongKey,
): { mt: MemTable; model: ModelEntry[] } {
  const rnd = seededRandom(seed);
  const mt = new MemTable({ chunkSize });
  const model: ModelEntry[] = [];
  // Unique sequence numbers in random order, so that versions of one key arrive out of order too.
  const seqs = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = seqs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [seqs[i], seqs[j]] = [seqs[j]!, seqs[i]!];
  }
  for (let i = 0; i < n; i++) model.push(entry(makeKey(rnd), seqs[i]!, rnd, mt));
  model.sort((a, b) => compareInternalKeys(a.ikey, b.ikey));
  return { mt, model };
}

function entry(userKey: Buffer, seq: number, rnd: () => number, mt: MemTable): ModelEntry {
  const kind = rnd() < 0.3 ? ValueKind.Deletion : ValueKind.Value;
  const value =
    kind === ValueKind.Deletion ? Buffer.alloc(0) : Buffer.from(`v${seq}:`.padEnd(Math.floor(rnd() * 600), 'x'));
  mt.add(seq, kind, userKey, value);
  return { ikey: makeInternalKey(userKey, seq, kind), userKey, seq, kind, value };
}

/** Model of get(): newest entry of userKey with sequence <= seq. */
function modelGet(model: ModelEntry[], userKey: Buffer, seq: number): Buffer | null | undefined {
  let best: ModelEntry | undefined;
  for (const e of model) {
    if (e.userKey.equals(userKey) && e.seq <= seq && (best === undefined || e.seq > best.seq)) best = e;
  }
  if (best === undefined) return undefined;
  return best.kind === ValueKind.Deletion ? null : best.value;
}

/** Index of the first model entry >= target, or model.length. */
function lowerBound(model: ModelEntry[], target: Buffer): number {
  let lo = 0;
  let hi = model.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareInternalKeys(model[mid]!.ikey, target) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function drainForward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) out.push(`${hex(it.key())}=${hex(it.value())}`);
  return out;
}

function drainReverse(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToLast(); it.valid(); it.prev()) out.push(`${hex(it.key())}=${hex(it.value())}`);
  return out;
}

const modelStrings = (model: ModelEntry[]): string[] => model.map((e) => `${hex(e.ikey)}=${hex(e.value)}`);

function randomTarget(rnd: () => number, model: ModelEntry[]): Buffer {
  if (rnd() < 0.5) {
    // At an existing entry, or at its user key with a neighbouring sequence (between versions).
    const e = model[Math.floor(rnd() * model.length)]!;
    const r = rnd();
    if (r < 0.4) return e.ikey;
    return makeInternalKey(e.userKey, Math.max(0, e.seq + (r < 0.7 ? 1 : -1)), rnd() < 0.5 ? 0 : 1);
  }
  // Between keys: a random user key that may or may not exist.
  const len = Math.floor(rnd() * 5);
  const k = Buffer.alloc(len);
  for (let j = 0; j < len; j++) k[j] = ALPHABET[Math.floor(rnd() * ALPHABET.length)]! + (rnd() < 0.3 ? 1 : 0);
  return makeInternalKey(k, Math.floor(rnd() * 1200), rnd() < 0.5 ? 0 : 1);
}

function checkAgainstModel(mt: MemTable, model: ModelEntry[], seed: number): void {
  expect(mt.count).toBe(model.length);
  const it = mt.iterator();
  const want = modelStrings(model);
  expect(drainForward(it)).toEqual(want);
  expect(drainReverse(it)).toEqual([...want].reverse());

  const rnd = seededRandom(seed);
  for (let i = 0; i < 400; i++) {
    const target = randomTarget(rnd, model);
    const lb = lowerBound(model, target);

    it.seek(target);
    if (lb === model.length) expect(it.valid()).toBe(false);
    else expect(hex(it.key())).toBe(hex(model[lb]!.ikey));

    // seekForPrev: last entry <= target.
    const atOrBefore = lb < model.length && compareInternalKeys(model[lb]!.ikey, target) === 0 ? lb : lb - 1;
    it.seekForPrev(target);
    if (atOrBefore < 0) {
      expect(it.valid()).toBe(false);
      continue;
    }
    expect(hex(it.key())).toBe(hex(model[atOrBefore]!.ikey));
    // Walk a few steps each way from there.
    let pos = atOrBefore;
    for (let s = 0; s < 5 && it.valid(); s++) {
      if (rnd() < 0.5) {
        it.next();
        pos++;
      } else {
        it.prev();
        pos--;
      }
      if (pos < 0 || pos >= model.length) expect(it.valid()).toBe(false);
      else expect(`${hex(it.key())}=${hex(it.value())}`).toBe(want[pos]);
    }
  }

  const userKeys = [...new Set(model.map((e) => e.userKey.toString('latin1')))].map(enc);
  userKeys.push(enc('absent'), enc(''), enc('aaaa'), Buffer.from([0]), Buffer.from([0, 0, 0, 0, 0]));
  for (const uk of userKeys) {
    for (const snap of [0, 1, 7, 100, 500, 1000, 1499, 1500, MAX_SEQUENCE]) {
      const got = mt.get(uk, snap);
      const exp = modelGet(model, uk, snap);
      if (exp === undefined || exp === null) expect(got).toBe(exp);
      else expect(got !== null && got !== undefined && hex(got)).toBe(hex(exp));
    }
  }
}

describe('MemTable', () => {
  it('matches a sorted-array model: iteration both ways, seek, seekForPrev, get at snapshots', () => {
    for (const [seed, chunkSize] of [
      [1, 1024],
      [2, 4 * 1024 * 1024],
      [3, 8192],
    ] as const) {
      const { mt, model } = buildRandom(seed, 1500, chunkSize);
      checkAgainstModel(mt, model, seed + 100);
    }
  });

  it('orders keys that differ inside, at and past the 16 bytes held in the node (same model checks)', () => {
    const { mt, model } = buildRandom(5, 1500, 4096, boundaryKey);
    expect(new Set(model.map((e) => e.userKey.length)).size).toBe(9);
    checkAgainstModel(mt, model, 105);
    // Keys equal on 16 bytes that differ only in length or past byte 16, and their neighbours by one byte.
    const rnd = seededRandom(6);
    for (let i = 0; i < 300; i++) {
      const k = boundaryKey(rnd);
      const e = model.find((m) => m.userKey.equals(k));
      const want = modelGet(model, k, MAX_SEQUENCE);
      const got = mt.get(k, MAX_SEQUENCE);
      if (want === undefined || want === null) expect(got).toBe(want);
      else expect(got !== null && got !== undefined && hex(got)).toBe(hex(want));
      expect(e === undefined).toBe(want === undefined);
    }
  });

  it('stage + linkStaged build the same memtable as add, for batches unsorted, sorted, reversed and of one op', () => {
    for (const [seed, makeKey] of [
      [7, shortOrLongKey],
      [8, boundaryKey],
    ] as const) {
      const { model } = buildRandom(seed, 1500, 1 << 20, makeKey);
      // The model in insertion order again: buildRandom sorted it, so shuffle it back with the same kind of PRNG.
      const rnd = seededRandom(seed + 50);
      const ops = [...model];
      for (let i = ops.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [ops[i], ops[j]] = [ops[j]!, ops[i]!];
      }
      const mt = new MemTable({ chunkSize: 8192 });
      let i = 0;
      let round = 0;
      while (i < ops.length) {
        const size = [1, 2, 17, 300, 1000][round % 5]!;
        const batch = ops.slice(i, i + size);
        if (round % 3 === 1) batch.sort((a, b) => compareInternalKeys(a.ikey, b.ikey));
        if (round % 3 === 2) batch.sort((a, b) => compareInternalKeys(b.ikey, a.ikey));
        if (round % 4 === 3) {
          // add() between batches must not disturb the next batch's search hints.
          for (const e of batch) mt.add(e.seq, e.kind, e.userKey, e.value);
        } else {
          const before = mt.count;
          for (const e of batch) mt.stage(e.seq, e.kind, e.userKey, e.value);
          expect(mt.count).toBe(before);
          mt.linkStaged();
        }
        i += size;
        round++;
      }
      mt.linkStaged();
      checkAgainstModel(mt, model, seed + 200);
    }
  });

  it('staged entries are invisible until linked; freeze links them; stage on a frozen memtable throws', () => {
    const mt = new MemTable();
    mt.add(1, ValueKind.Value, enc('a'), enc('1'));
    mt.stage(2, ValueKind.Value, enc('b'), enc('2'));
    mt.stage(3, ValueKind.Deletion, enc('a'), enc(''));
    expect(mt.get(enc('b'), MAX_SEQUENCE)).toBeUndefined();
    expect(mt.get(enc('a'), MAX_SEQUENCE)?.toString()).toBe('1');
    expect(drainForward(mt.iterator()).length).toBe(1);
    mt.linkStaged();
    expect(mt.count).toBe(3);
    expect(mt.get(enc('a'), MAX_SEQUENCE)).toBeNull();
    expect(mt.get(enc('b'), MAX_SEQUENCE)?.toString()).toBe('2');
    mt.linkStaged();
    expect(mt.count).toBe(3);
    mt.stage(4, ValueKind.Value, enc('c'), enc('4'));
    mt.freeze();
    expect(mt.count).toBe(4);
    expect(mt.get(enc('c'), MAX_SEQUENCE)?.toString()).toBe('4');
    expect(() => mt.stage(5, ValueKind.Value, enc('d'), enc('5'))).toThrow(/stage on a frozen memtable/);
  });

  it('an empty memtable finds nothing', () => {
    const mt = new MemTable();
    expect(mt.count).toBe(0);
    expect(mt.get(enc('a'), MAX_SEQUENCE)).toBeUndefined();
    const it = mt.iterator();
    it.seekToFirst();
    expect(it.valid()).toBe(false);
    it.seekToLast();
    expect(it.valid()).toBe(false);
    it.seek(makeInternalKey(enc('a'), 5, KIND_FOR_SEEK));
    expect(it.valid()).toBe(false);
    it.seekForPrev(makeInternalKey(enc('a'), 5, KIND_FOR_SEEK));
    expect(it.valid()).toBe(false);
    let calls = 0;
    mt.forEach(() => calls++);
    mt.forEachRaw(() => calls++);
    expect(calls).toBe(0);
  });

  it('a deletion hides older values only for snapshots that see it', () => {
    const mt = new MemTable();
    mt.add(10, ValueKind.Value, enc('k'), enc('v10'));
    mt.add(20, ValueKind.Deletion, enc('k'), enc(''));
    mt.add(30, ValueKind.Value, enc('k'), enc('v30'));
    mt.add(15, ValueKind.Value, enc('j'), enc('j15'));
    mt.add(25, ValueKind.Value, enc('l'), enc('l25'));
    expect(mt.get(enc('k'), 9)).toBeUndefined();
    expect(mt.get(enc('k'), 10)?.toString()).toBe('v10');
    expect(mt.get(enc('k'), 19)?.toString()).toBe('v10');
    expect(mt.get(enc('k'), 20)).toBeNull();
    expect(mt.get(enc('k'), 29)).toBeNull();
    expect(mt.get(enc('k'), 30)?.toString()).toBe('v30');
    expect(mt.get(enc('k'), MAX_SEQUENCE)?.toString()).toBe('v30');
    // A neighbour's entries are never mistaken for the key's, nor a prefix for the key.
    expect(mt.get(enc('j'), 14)).toBeUndefined();
    expect(mt.get(enc('kk'), MAX_SEQUENCE)).toBeUndefined();
    expect(mt.get(enc(''), MAX_SEQUENCE)).toBeUndefined();
  });

  it('orders equal sequences of one key by kind descending', () => {
    const mt = new MemTable();
    mt.add(5, ValueKind.Deletion, enc('k'), enc(''));
    mt.add(5, ValueKind.Value, enc('k'), enc('v'));
    const it = mt.iterator();
    it.seekToFirst();
    expect(hex(it.key())).toBe(hex(makeInternalKey(enc('k'), 5, ValueKind.Value)));
    it.next();
    expect(hex(it.key())).toBe(hex(makeInternalKey(enc('k'), 5, ValueKind.Deletion)));
  });

  it('get returns a copy; iterator views stay valid while the memtable lives', () => {
    const mt = new MemTable({ chunkSize: 1024 });
    mt.add(1, ValueKind.Value, enc('a'), enc('first'));
    const it = mt.iterator();
    it.seekToFirst();
    const view = it.value();
    const got = mt.get(enc('a'), 1)!;
    got.fill(0x21);
    expect(mt.get(enc('a'), 1)?.toString()).toBe('first');
    for (let i = 0; i < 2000; i++) mt.add(i + 2, ValueKind.Value, enc(`k${i}`), Buffer.alloc(50, i));
    expect(Buffer.from(view).toString()).toBe('first');
  });

  it('stores values bigger than a chunk in chunks of their own', () => {
    const mt = new MemTable({ chunkSize: 1024 });
    const rnd = seededRandom(9);
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(rnd() * 256);
    mt.add(1, ValueKind.Value, enc('small1'), enc('s1'));
    mt.add(2, ValueKind.Value, enc('big'), big);
    mt.add(3, ValueKind.Value, enc('small2'), enc('s2'));
    mt.add(4, ValueKind.Value, enc('mid'), Buffer.alloc(1500, 7));
    expect(mt.get(enc('big'), 10)?.equals(big)).toBe(true);
    expect(mt.get(enc('small1'), 10)?.toString()).toBe('s1');
    expect(mt.get(enc('small2'), 10)?.toString()).toBe('s2');
    expect(mt.get(enc('mid'), 10)?.equals(Buffer.alloc(1500, 7))).toBe(true);
    const it = mt.iterator();
    it.seek(makeInternalKey(enc('big'), 10, KIND_FOR_SEEK));
    expect(Buffer.from(it.value()).equals(big)).toBe(true);
    expect(mt.approximateBytes).toBeGreaterThanOrEqual(big.length + 1500);
    expect(mt.approximateBytes).toBeLessThan(big.length + 1500 + 4096 + 16 * 1024);
  });

  it('approximateBytes tracks what was added', () => {
    const mt = new MemTable();
    const empty = mt.approximateBytes;
    for (let i = 0; i < 10_000; i++) mt.add(i + 1, ValueKind.Value, enc(`key${i}`.padEnd(16, '.')), Buffer.alloc(100));
    const perEntry = (mt.approximateBytes - empty) / 10_000;
    // 16-byte key + 8-byte trailer + 100-byte value = 124 arena bytes, plus 9 node ints and 1.33 links on average.
    expect(perEntry).toBeGreaterThan(124 + 32);
    expect(perEntry).toBeLessThan(124 + 52);
    expect(mt.count).toBe(10_000);
  });

  it('a link array reserved for the write buffer never grows before approximateBytes reaches that size', () => {
    const budget = 1024 * 1024;
    const reserved = new MemTable({ linkBytes: budget });
    const capacity = reserved.linkCapacity;
    expect(capacity * 4).toBeGreaterThanOrEqual(budget);
    // Empty values and short keys: the entry is mostly node, the worst case for the link array's share.
    let i = 0;
    while (reserved.approximateBytes < budget) reserved.add(++i, ValueKind.Value, enc(`k${i}`), Buffer.alloc(0));
    expect(reserved.linkCapacity).toBe(capacity);
    // Without the reservation the same entries make the array grow (each growth is a copy of all of it).
    const plain = new MemTable();
    const initial = plain.linkCapacity;
    for (let j = 1; j <= i; j++) plain.add(j, ValueKind.Value, enc(`k${j}`), Buffer.alloc(0));
    expect(plain.linkCapacity).toBeGreaterThan(initial);
    // Same contents either way.
    expect(reserved.get(enc('k1'), MAX_SEQUENCE)).toEqual(Buffer.alloc(0));
    expect(reserved.count).toBe(plain.count);
  });

  it('forEach and forEachRaw walk the entries in order', () => {
    const { mt, model } = buildRandom(4, 800, 2048);
    const viaForEach: string[] = [];
    mt.forEach((k, v) => viaForEach.push(`${hex(k)}=${hex(v)}`));
    const viaRaw: string[] = [];
    mt.forEachRaw((c, ks, ke, ve) => viaRaw.push(`${hex(c.subarray(ks, ke))}=${hex(c.subarray(ke, ve))}`));
    expect(viaForEach).toEqual(modelStrings(model));
    expect(viaRaw).toEqual(modelStrings(model));
  });

  it('an iterator stays ordered while entries are added between its moves', () => {
    const mt = new MemTable({ chunkSize: 4096 });
    const name = (i: number): Buffer => enc(String(i).padStart(4, '0'));
    for (let i = 0; i < 100; i += 2) mt.add(i + 1, ValueKind.Value, name(i), enc('v'));
    const it = mt.iterator();
    it.seekToFirst();
    const seen: string[] = [];
    let seq = 1000;
    while (it.valid()) {
      const at = Buffer.from(it.key().subarray(0, 4)).toString();
      seen.push(at);
      // The next odd key lands just ahead of the cursor and must be seen; the '#' keys land behind it, enough of
      // them to force the link array to be replaced by a larger copy mid-walk.
      if (Number(at) % 2 === 0) mt.add(seq++, ValueKind.Value, name(Number(at) + 1), enc('w'));
      for (let j = 0; j < 40; j++) mt.add(seq++, ValueKind.Value, enc(`#${seq}`), enc('w'));
      it.next();
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => String(i).padStart(4, '0')));
    expect(mt.count).toBe(50 + 50 + 100 * 40);
  });

  it('freeze forbids add, and image() requires a frozen memtable', () => {
    const mt = new MemTable();
    mt.add(1, ValueKind.Value, enc('a'), enc('1'));
    expect(() => mt.image()).toThrow(/not frozen/);
    expect(mt.frozen).toBe(false);
    mt.freeze();
    expect(mt.frozen).toBe(true);
    let err: unknown;
    try {
      mt.add(2, ValueKind.Value, enc('b'), enc('2'));
    } catch (e) {
      err = e;
    }
    expect(isLsmkvError(err, ErrorCode.READ_ONLY)).toBe(true);
    expect(mt.get(enc('b'), 5)).toBeUndefined();
  });

  it('rejects a bad chunkSize and a seek target shorter than a trailer', () => {
    expect(() => new MemTable({ chunkSize: 100 })).toThrow(
      new RangeError('memtable: chunkSize must be an integer between 1024 and 1073741824, got 100'),
    );
    expect(() => new MemTable({ chunkSize: 5000.5 })).toThrow(RangeError);
    expect(() => new MemTable({ linkBytes: -1 })).toThrow(
      new RangeError('memtable: linkBytes must be an integer between 0 and 2147483644, got -1'),
    );
    expect(() => new MemTable({ linkBytes: 2 ** 31 })).toThrow(RangeError);
    const it = new MemTable().iterator();
    expect(() => it.seek(new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('MemTable.stageBatch without a native stager', () => {
  it('returns false and stages nothing, so the caller stages op by op; a frozen memtable refuses it', () => {
    const mt = new MemTable();
    // A well-formed one-op batch: first sequence 1, count 1, put "k" -> "v".
    const payload = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0x6b, 1, 0x76]);
    const before = mt.approximateBytes;
    expect(mt.stageBatch(payload)).toBe(false);
    mt.linkStaged();
    expect(mt.count).toBe(0);
    expect(mt.approximateBytes).toBe(before);
    mt.freeze();
    let error: unknown;
    try {
      mt.stageBatch(payload);
    } catch (e) {
      error = e;
    }
    expect(isLsmkvError(error) && error.code).toBe(ErrorCode.READ_ONLY);
  });
});
