/**
 * Golden files (docs/FORMAT.md): a database written by format v1 (test/golden/v1: tables in two levels with
 * snappy and raw blocks, a MANIFEST, CURRENT and a WAL holding unflushed writes, copied as a crash leaves them)
 * must always open and read back exactly test/golden/v1-expected.json, with both codecs. One small table
 * (test/golden/table-v1.sst, fixed creation time) is pinned byte for byte: today's TableBuilder must write the
 * same bytes with either codec. Regenerate only for a new format version: node test/golden/make-golden.mjs.
 */
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import { makeInternalKey } from '../../src/base/internal-key.js';
import type { Codec } from '../../src/codec/codec.js';
import { codecFor } from '../../src/codec/loader.js';
import { xxh32 } from '../../src/codec/xxh32.js';
import { open } from '../../src/index.js';
import { TableBuilder } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { tempDir } from '../helpers/tmp-dir.js';
// @ts-expect-error a plain ES module without types (it runs on dist/ as a script)
import { PINNED_TABLE_OPTIONS, buildPinnedTable, pinnedTableEntries } from '../golden/make-golden.mjs';

const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));
const PINNED = `${GOLDEN}table-v1.sst`;
/** DO NOT CHANGE without a new format version: the size and XXH32 (seed 0) of test/golden/table-v1.sst. */
const PINNED_SIZE = 6451;
const PINNED_XXH32 = 0x61be6faa;

interface Expected {
  entries: Array<[string, string]>;
  absent: string[];
  levelsWhenCopied: Array<[number, number]>;
}
const expected = JSON.parse(readFileSync(`${GOLDEN}v1-expected.json`, 'utf8')) as Expected;
const engine = { TableBuilder, makeInternalKey, compareInternalKeys };

/** Both codec sides; the native one only when the addon loads (the reason is printed otherwise). */
function codecs(): Array<['native' | 'typescript', Codec | string]> {
  let native: Codec | string;
  try {
    native = codecFor('native');
  } catch (e) {
    native = (e as Error).message;
    console.log(`golden: skipping the native codec: ${native}`);
  }
  return [
    ['typescript', codecFor('typescript')],
    ['native', native],
  ];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('golden database v1', () => {
  it('holds what make-golden.mjs describes: tables in two levels, a WAL with data, MANIFEST and CURRENT', () => {
    const names = readdirSync(`${GOLDEN}v1`).sort();
    expect(names.filter((n) => n.endsWith('.sst')).length).toBeGreaterThanOrEqual(3);
    expect(names.filter((n) => n.endsWith('.log')).length).toBe(1);
    expect(names).toContain('CURRENT');
    expect(names).not.toContain('LOCK');
    const current = readFileSync(`${GOLDEN}v1/CURRENT`, 'latin1');
    expect(names).toContain(current.trim());
    expect(readFileSync(`${GOLDEN}v1/${names.find((n) => n.endsWith('.log'))!}`).length).toBeGreaterThan(1000);
    expect(expected.levelsWhenCopied.length).toBeGreaterThanOrEqual(2);
    expect(expected.entries.length).toBeGreaterThan(500);
  });

  for (const [kind, codec] of codecs()) {
    it.skipIf(typeof codec === 'string')(`opens a copy and reads everything back with the ${kind} codec`, async () => {
      const t = tempDir();
      try {
        cpSync(`${GOLDEN}v1`, t.path, { recursive: true });
        const db = await open(t.path, { codec: kind, background: 'inline' });
        try {
          expect(db.codecKind).toBe(kind);
          for (const [k, v] of expected.entries) {
            const got = db.get(Buffer.from(k, 'hex'));
            if (got === undefined || got.toString('hex') !== v) throw new Error(`key ${k}: ${got?.toString('hex')} != ${v}`);
          }
          for (const k of expected.absent) expect(db.get(Buffer.from(k, 'hex')), k).toBeUndefined();
          const forward = db.iterator();
          expect(forward.all().map(([k, v]) => [hex(k), hex(v)])).toEqual(expected.entries);
          forward.close();
          const reverse = db.iterator({ reverse: true });
          expect(reverse.all().map(([k, v]) => [hex(k), hex(v)])).toEqual([...expected.entries].reverse());
          reverse.close();
          const verified = db.verify();
          expect(verified.tables).toBeGreaterThanOrEqual(3);
          // The store keeps working on the old files: a full compaction reads every table, then reads back again.
          await db.compactRange();
          expect(db.iterator().all().length).toBe(expected.entries.length);
        } finally {
          await db.close();
        }
        const again = await open(t.path, { codec: kind, background: 'inline' });
        expect(again.iterator().all().map(([k, v]) => [hex(k), hex(v)])).toEqual(expected.entries);
        await again.close();
      } finally {
        t.remove();
      }
    });
  }
});

describe('pinned table v1', () => {
  const bytes = readFileSync(PINNED);

  it('has the pinned size and checksum', () => {
    expect(bytes.length).toBe(PINNED_SIZE);
    expect(xxh32(bytes, 0)).toBe(PINNED_XXH32);
    expect(bytes.subarray(bytes.length - 8).toString('latin1')).toBe('lsmkvSST');
  });

  for (const [kind, codec] of codecs()) {
    it.skipIf(typeof codec === 'string')(`today's TableBuilder writes the same bytes, and they read back (${kind})`, () => {
      const c = codec as Codec;
      const vfs = new FaultInjectionVfs();
      vfs.mkdir('/t');
      buildPinnedTable(engine, vfs, '/t/000001.sst', c);
      expect(vfs.readRaw('/t/000001.sst').equals(bytes)).toBe(true);

      const stats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
      const file = vfs.openReadable('/t/000001.sst');
      const reader = TableReader.open(file, '000001.sst', 1, c, undefined, stats);
      reader.verify();
      expect(reader.properties.creationTime).toBe(PINNED_TABLE_OPTIONS.creationTime);
      // Both block kinds are present: the compression byte of each data block trailer.
      const internals = reader as unknown as { blockOffsets: Float64Array; blockSizes: Float64Array };
      const kinds = new Set<number>();
      for (let i = 0; i < reader.numBlocks; i++) kinds.add(bytes[internals.blockOffsets[i]! + internals.blockSizes[i]!]!);
      expect([...kinds].sort()).toEqual([0, 1]);
      const want = pinnedTableEntries(engine) as Array<[Buffer, Buffer]>;
      const it = reader.iterator();
      let n = 0;
      for (it.seekToFirst(); it.valid(); it.next(), n++) {
        expect(hex(it.key())).toBe(hex(want[n]![0]));
        expect(hex(it.value())).toBe(hex(want[n]![1]));
      }
      it.close();
      expect(n).toBe(want.length);
      reader.close();
    });
  }
});
