/**
 * TableBuilder: the file layout exactly as docs/FORMAT.md "Table files" describes it, parsed here by hand (not
 * through TableReader): contiguous blocks with trailers and checksums, index entries = last key of each block,
 * the filter, sorted properties, metaindex names, the 52-byte footer. Plus ordering checks, estimatedSize and
 * misuse errors.
 */

import { describe, expect, it } from 'vitest';
import { getVarint, varintValue } from '../../src/base/coding.js';
import { makeInternalKey } from '../../src/base/internal-key.js';
import type { DecodedBlock } from '../../src/codec/codec.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { TableBuilder } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { DEFAULT_TABLE_OPTIONS, MemRandomAccessFile, MemWritableFile, buildTable, makeModel, newStats, randomBytes, rng } from './helpers.js';

function decode(b: Buffer): DecodedBlock {
  const d = tsCodec.decodeBlock(b);
  if (typeof d === 'number') throw new Error(`status ${d}`);
  return d;
}

function entries(d: DecodedBlock): Array<[Buffer, Buffer]> {
  const out: Array<[Buffer, Buffer]> = [];
  for (let i = 0; i < d.count; i++) {
    out.push([
      d.keys.subarray(d.keyOffsets[i]!, d.keyOffsets[i + 1]!),
      d.data.subarray(d.valueOffsets[2 * i]!, d.valueOffsets[2 * i + 1]!),
    ]);
  }
  return out;
}

function handle(v: Buffer): [number, number] {
  let p = getVarint(v, 0, v.length);
  const offset = varintValue.v;
  p = getVarint(v, p, v.length);
  expect(p).toBe(v.length);
  return [offset, varintValue.v];
}

/** The stored block at a handle, after checking its trailer; compressed blocks are returned as stored. */
function stored(file: Buffer, [offset, size]: [number, number]): { bytes: Buffer; type: number } {
  const type = file[offset + size]!;
  expect(file.readUInt32LE(offset + size + 1)).toBe(tsCodec.xxh32(file.subarray(offset, offset + size + 1), 0));
  return { bytes: file.subarray(offset, offset + size), type };
}

describe('TableBuilder file layout', () => {
  const r = rng(77);
  const model = makeModel(r, { userKeys: 120, maxVersions: 3, maxValue: 60, deletionRate: 0.2 });
  const { bytes: file, info } = buildTable(model, { compression: 'none', blockSize: 512, bloomBitsPerKey: 10 });

  it('ends with the 52-byte footer', () => {
    const f = file.subarray(file.length - 52);
    expect(f.subarray(44).toString('latin1')).toBe('lsmkvSST');
    expect(f.readUInt32LE(32)).toBe(1);
    expect(f[36]).toBe(1);
    expect([...f.subarray(37, 40)]).toEqual([0, 0, 0]);
    expect(f.readUInt32LE(40)).toBe(tsCodec.xxh32(f.subarray(0, 40), 0));
    const indexOffset = Number(f.readBigUInt64LE(16));
    const indexSize = Number(f.readBigUInt64LE(24));
    // The index block is the last thing before the footer; the metaindex comes right before it.
    expect(indexOffset + indexSize + 5).toBe(file.length - 52);
    expect(Number(f.readBigUInt64LE(0)) + Number(f.readBigUInt64LE(8)) + 5).toBe(indexOffset);
  });

  it('lays out contiguous data blocks indexed by their last keys, then filter, properties, metaindex, index', () => {
    const f = file.subarray(file.length - 52);
    const index = decode(stored(file, [Number(f.readBigUInt64LE(16)), Number(f.readBigUInt64LE(24))]).bytes);
    const meta = decode(stored(file, [Number(f.readBigUInt64LE(0)), Number(f.readBigUInt64LE(8))]).bytes);
    let expectedOffset = 0;
    const all: Array<[Buffer, Buffer]> = [];
    for (const [lastKey, h] of entries(index)) {
      const [offset, size] = handle(h);
      expect(offset).toBe(expectedOffset);
      const block = stored(file, [offset, size]);
      expect(block.type).toBe(0);
      const es = entries(decode(block.bytes));
      expect(es[es.length - 1]![0].equals(lastKey)).toBe(true);
      // data blocks use restart interval 16
      expect(block.bytes.readUInt32LE(block.bytes.length - 4)).toBe(Math.ceil(es.length / 16));
      all.push(...es);
      expectedOffset = offset + size + 5;
    }
    expect(all.map(([k, v]) => `${k.toString('hex')}:${v.toString('hex')}`)).toEqual(
      model.map((e) => `${e.ikey.toString('hex')}:${e.value.toString('hex')}`),
    );

    const metaEntries = entries(meta);
    expect(metaEntries.map(([k]) => k.toString('latin1'))).toEqual(['lsmkv.filter.bloom', 'lsmkv.properties']);
    const filterHandle = handle(metaEntries[0]![1]);
    expect(filterHandle[0]).toBe(expectedOffset); // the filter follows the data blocks
    const filter = stored(file, filterHandle);
    expect(filter.type).toBe(0);
    const distinctUsers = new Set(model.map((e) => e.userKey.toString('hex'))).size;
    expect(filter.bytes.length).toBe(Math.ceil(Math.max(64, distinctUsers * 10) / 8) + 1);
    for (const e of model) expect(tsCodec.bloomMayContain(filter.bytes, e.userKey)).toBe(true);

    const propsHandle = handle(metaEntries[1]![1]);
    expect(propsHandle[0]).toBe(filterHandle[0] + filterHandle[1] + 5);
    const props = entries(decode(stored(file, propsHandle).bytes));
    const names = props.map(([k]) => k.toString('latin1'));
    expect(names).toEqual([...names].sort());
    expect(names).toEqual([
      'lsmkv.creation-time', 'lsmkv.data-size', 'lsmkv.filter-size', 'lsmkv.index-size', 'lsmkv.largest-key',
      'lsmkv.max-sequence', 'lsmkv.min-sequence', 'lsmkv.num-data-blocks', 'lsmkv.num-deletions',
      'lsmkv.num-entries', 'lsmkv.raw-key-size', 'lsmkv.raw-value-size', 'lsmkv.smallest-key',
    ]);
    const prop = (name: string): Buffer => props.find(([k]) => k.toString('latin1') === name)![1];
    const num = (name: string): number => {
      const v = prop(name);
      expect(getVarint(v, 0, v.length)).toBe(v.length);
      return varintValue.v;
    };
    expect(num('lsmkv.creation-time')).toBe(DEFAULT_TABLE_OPTIONS.creationTime);
    expect(num('lsmkv.data-size')).toBe(filterHandle[0]);
    expect(num('lsmkv.filter-size')).toBe(filter.bytes.length);
    expect(num('lsmkv.index-size')).toBe(Number(f.readBigUInt64LE(24)));
    expect(num('lsmkv.num-data-blocks')).toBe(index.count);
    expect(num('lsmkv.num-entries')).toBe(model.length);
    expect(num('lsmkv.num-deletions')).toBe(info.numDeletions);
    expect(prop('lsmkv.smallest-key').equals(model[0]!.ikey)).toBe(true);
    expect(prop('lsmkv.largest-key').equals(model[model.length - 1]!.ikey)).toBe(true);
  });

  it('is deterministic for a fixed creation time', () => {
    expect(buildTable(model, { compression: 'none', blockSize: 512 }).bytes.equals(
      buildTable(model, { compression: 'none', blockSize: 512 }).bytes)).toBe(true);
  });
});

describe('TableBuilder', () => {
  it('rejects keys out of order, duplicates, short keys, empty tables and reuse', () => {
    const b = new TableBuilder(new MemWritableFile(), DEFAULT_TABLE_OPTIONS, tsCodec);
    b.add(makeInternalKey(Buffer.from('b'), 5, 1), Buffer.from('x'));
    expect(() => b.add(makeInternalKey(Buffer.from('a'), 9, 1), Buffer.alloc(0))).toThrow(RangeError);
    expect(() => b.add(makeInternalKey(Buffer.from('b'), 5, 1), Buffer.alloc(0))).toThrow(RangeError);
    expect(() => b.add(makeInternalKey(Buffer.from('b'), 6, 1), Buffer.alloc(0))).toThrow(RangeError);
    expect(() => b.add(Buffer.from('short'), Buffer.alloc(0))).toThrow(RangeError);
    b.add(makeInternalKey(Buffer.from('b'), 4, 1), Buffer.from('y'));
    b.add(makeInternalKey(Buffer.from('b'), 4, 0), Buffer.alloc(0));
    b.add(makeInternalKey(Buffer.from('ba'), 9, 1), Buffer.alloc(0));
    expect(b.numEntries).toBe(4);
    const info = b.finish();
    expect(info.numDeletions).toBe(1);
    expect(info.minSequence).toBe(4);
    expect(info.maxSequence).toBe(9);
    expect(() => b.finish()).toThrow();
    expect(() => b.add(makeInternalKey(Buffer.from('c'), 1, 1), Buffer.alloc(0))).toThrow();
    expect(() => new TableBuilder(new MemWritableFile(), DEFAULT_TABLE_OPTIONS, tsCodec).finish()).toThrow(RangeError);
  });

  it('gathers blocks into ~256 KiB appends, passes a block larger than that through, and holds every entry after finish', () => {
    const r = rng(31);
    let appends = 0;
    const file = new (class extends MemWritableFile {
      override append(data: Uint8Array): void {
        appends++;
        super.append(data);
      }
    })();
    const b = new TableBuilder(file, { ...DEFAULT_TABLE_OPTIONS, compression: 'none' }, tsCodec);
    const written: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < 3000; i++) {
      // Incompressible values; entry 1500 alone makes a 300 KiB block (bigger than the pending buffer).
      const value = randomBytes(r, i === 1500 ? 300 * 1024 : 400);
      const ikey = makeInternalKey(Buffer.from(`key${String(i).padStart(6, '0')}`), i + 1, 1);
      b.add(ikey, value);
      written.push([ikey, value]);
    }
    expect(appends).toBeLessThan(10);
    const info = b.finish();
    expect(file.size).toBe(info.size);
    expect(appends).toBeGreaterThanOrEqual(Math.ceil(info.size / (256 * 1024)));
    expect(appends).toBeLessThanOrEqual(Math.ceil(info.size / (256 * 1024)) + 3);
    const reader = TableReader.open(new MemRandomAccessFile(file.contents()), 't.sst', 1, tsCodec, undefined, newStats());
    const it = reader.iterator();
    let n = 0;
    for (it.seekToFirst(); it.valid(); it.next(), n++) {
      expect(Buffer.compare(it.key(), written[n]![0])).toBe(0);
      expect(Buffer.compare(it.value(), written[n]![1])).toBe(0);
    }
    expect(n).toBe(written.length);
  });

  it('estimates its size closely while data blocks are pending', () => {
    const r = rng(12);
    const model = makeModel(r, { userKeys: 2000, maxVersions: 1, maxValue: 100, deletionRate: 0 });
    const file = new MemWritableFile();
    const b = new TableBuilder(file, { ...DEFAULT_TABLE_OPTIONS, compression: 'none', bloomBitsPerKey: 0 }, tsCodec);
    let last = 0;
    for (const e of model) {
      b.add(e.ikey, e.value);
      expect(b.estimatedSize).toBeGreaterThan(last);
      last = b.estimatedSize;
      expect(file.size).toBeLessThanOrEqual(last);
    }
    const before = b.estimatedSize;
    const info = b.finish();
    // Everything after the data blocks (index, properties, metaindex, footer) is small next to them.
    expect(before).toBeLessThanOrEqual(info.size);
    expect(info.size - before).toBeLessThan(info.size * 0.05);
    // Data blocks are cut as soon as they reach blockSize: every block but the last is at least blockSize and
    // overshoots by less than one entry (internal key <= 20 bytes + value <= 100 bytes + 3 varint bytes + trailer).
    const props = TableReader.open(new MemRandomAccessFile(file.contents()), 't.sst', 1, tsCodec, undefined, newStats())
      .properties;
    const blocks = props.numDataBlocks;
    expect(props.dataSize).toBeGreaterThanOrEqual((blocks - 1) * 4096);
    expect(props.dataSize).toBeLessThan(blocks * (4096 + 4 + 128 + 5));
  });
});
