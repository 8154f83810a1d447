/**
 * loader — chooses the codec for this process: the only file that loads the native addon
 * (build/Release/lsmkv.node).
 *
 * LSMKV_NATIVE=1 forces native (an LsmkvError NATIVE_UNAVAILABLE with the reason if it is missing or fails),
 * LSMKV_NATIVE=0 forces TypeScript, unset / '' / 'auto' picks native if it loads and passes the known-answer
 * self-test, else TypeScript. The choice and the reason the addon was not used are observable (CodecSelection).
 * The native side is trusted only after the self-test: a checksum, a block encoding, a bloom filter and a stored
 * (snappy-compressed, checksummed) block compared with constants (the same constants the TypeScript codec
 * produces; test/codec/loader.test.ts), and the binary's status numbers compared with codec.ts (catches a stale
 * build). Then each memtable and scan call the binding has, on hand-built inputs (six batch ops, a five-entry
 * block): stageBatch (nodes, arena bytes, state, memtable filter bits), linkStaged (two calls: an unsorted then a
 * sorted batch; heights and the whole link array) and scanMerge (one step each way: stop, control array, batch,
 * candidate), compared with constants that the test derives from their TypeScript twins (MemTable.stage and
 * linkStaged, MemTableFilter, scan-merge-ts). A call the binding lacks (an older binary) is skipped: the codec
 * runs without it. A mismatch, or a throw, is the reason, naming the call.
 * Cost (node 20 on the loaded 2-core dev machine; selfTestCodec of the native codec without -> with the three
 * calls, CPU time): warm, medians of 5 x 300 runs, 14-18 us -> 63-79 us (stageBatch, linkStaged, scanMerge add
 * ~10-20, ~6-15, ~17-30 us); the first run in a fresh process, which is what a process start pays, medians of 10
 * processes, 1.7 -> 3.4 ms. Of the added ~1.6 ms about 1 ms is V8 compiling the new functions on first call
 * (with --no-lazy the difference is 0.4-0.6 ms), the rest the first native calls (50-100 us each) and first uses
 * of Buffer paths; hence bulk Buffer/string builtins below instead of byte loops.
 *
 * Who may call: the engine (selectCodec) and tests/benchmarks (codecFor). Results are memoized per process
 * (per worker thread: the addon is context-aware and loads in each thread).
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ErrorCode, LsmkvError } from '../base/errors.js';
import { TRAILER_SIZE, ValueKind } from '../base/internal-key.js';
import type { Codec } from './codec.js';
import { CodecStatus } from './codec.js';
import type { NativeBinding } from './native-codec.js';
import { createNativeCodec } from './native-codec.js';
import { tsCodec } from './ts-codec.js';

export interface CodecSelection {
  codec: Codec;
  kind: 'native' | 'typescript';
  /** Why the native codec is not in use (undefined when it is). */
  reason: string | undefined;
}

/** Path of the addon relative to the package root. */
export const NATIVE_ADDON_PATH = 'build/Release/lsmkv.node';

/** The package root: the nearest ancestor with a package.json (works from src/codec and dist/src/codec). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = up;
  }
}

// Known answers. DO NOT CHANGE unless the format changes: they are what the TypeScript codec produces (and, for
// the checksums, the reference C XXH32). The input is long enough to take the native path of xxh32.
const SELF_TEST_INPUT = Uint8Array.from({ length: 300 }, (_, i) => (i * 29 + 7) & 0xff);
const SELF_TEST_XXH32 = 0x1ea7f057;
const SELF_TEST_SEED = 0x9747b28c;
const SELF_TEST_XXH32_SEEDED = 0x6132a4a3;
const SELF_TEST_KEYS = Buffer.from('appleapplepieapplyapt');
const SELF_TEST_KEY_OFFSETS = Uint32Array.of(0, 5, 13, 18, 21);
const SELF_TEST_VALUES = Buffer.from('12345678');
const SELF_TEST_VALUE_OFFSETS = Uint32Array.of(0, 1, 3, 6, 8);
const SELF_TEST_BLOCK =
  '0005016170706c653105030270696532330005036170706c79343536020102743738000000001100000002000000';
const SELF_TEST_DECODED_VALUE_OFFSETS = '8,9,15,17,25,28,32,34';
const SELF_TEST_BLOOM = 'd604731213080b6107';
// writeBlock (snappy on, restart interval 4) of k0..k7 → 'snappy-self-test' × 8: a compressed stored block.
const SELF_TEST_IO_ENTRIES = {
  count: 8,
  keys: Buffer.from('k0k1k2k3k4k5k6k7'),
  keyOffsets: Uint32Array.from({ length: 9 }, (_, i) => 2 * i),
  values: Buffer.from('snappy-self-test'.repeat(8)),
  valueOffsets: Uint32Array.from({ length: 9 }, (_, i) => 16 * i),
};
const SELF_TEST_STORED =
  'ae01600002106b30736e617070792d73656c662d74657374010110314a140000324a140000333e1400015100343e15000c010110354a' +
  '140000364a140000373e14002c00000000510000000200000001e6c1a723';

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

/**
 * Runs the known-answer test on a codec; returns a description of the first mismatch, or undefined if it passes.
 * Exported for tests (the TypeScript codec must pass it too).
 */
export function selfTestCodec(codec: Codec): string | undefined {
  const h = codec.xxh32(SELF_TEST_INPUT, 0);
  if (h !== SELF_TEST_XXH32) return `self-test: xxh32 gave ${h.toString(16)}, expected ${SELF_TEST_XXH32.toString(16)}`;
  const hs = codec.xxh32(SELF_TEST_INPUT, SELF_TEST_SEED);
  if (hs !== SELF_TEST_XXH32_SEEDED) {
    return `self-test: seeded xxh32 gave ${hs.toString(16)}, expected ${SELF_TEST_XXH32_SEEDED.toString(16)}`;
  }
  const entries = {
    count: 4,
    keys: SELF_TEST_KEYS,
    keyOffsets: SELF_TEST_KEY_OFFSETS,
    values: SELF_TEST_VALUES,
    valueOffsets: SELF_TEST_VALUE_OFFSETS,
  };
  const block = codec.encodeBlock(entries, 2);
  if (hex(block) !== SELF_TEST_BLOCK) return `self-test: encodeBlock gave ${hex(block)}, expected ${SELF_TEST_BLOCK}`;
  const decoded = codec.decodeBlock(block);
  if (typeof decoded === 'number') return `self-test: decodeBlock of the known block gave status ${decoded}`;
  const keyOffsets = Array.from(decoded.keyOffsets).join(',');
  const valueOffsets = Array.from(decoded.valueOffsets).join(',');
  if (
    decoded.count !== 4 ||
    !decoded.keys.equals(SELF_TEST_KEYS) ||
    keyOffsets !== Array.from(SELF_TEST_KEY_OFFSETS).join(',') ||
    valueOffsets !== SELF_TEST_DECODED_VALUE_OFFSETS
  ) {
    return `self-test: decodeBlock gave keys ${hex(decoded.keys)} [${keyOffsets}] values [${valueOffsets}]`;
  }
  const damaged = Buffer.from(block);
  damaged[damaged.length - 4] = 0;
  const status = codec.decodeBlock(damaged);
  if (status !== CodecStatus.BAD_RESTART_ARRAY) return `self-test: damaged block gave ${String(status)}`;
  const bloom = codec.bloomBuild(SELF_TEST_KEYS, SELF_TEST_KEY_OFFSETS, 4, 10);
  if (hex(bloom) !== SELF_TEST_BLOOM) return `self-test: bloomBuild gave ${hex(bloom)}, expected ${SELF_TEST_BLOOM}`;
  return selfTestBlockIo(codec) ?? selfTestNativeCalls(codec);
}

/** The fused block calls: the known stored bytes, their decoding, and a flipped byte caught by the checksum. */
function selfTestBlockIo(codec: Codec): string | undefined {
  const stored = codec.writeBlock(SELF_TEST_IO_ENTRIES, 4, true);
  if (hex(stored) !== SELF_TEST_STORED) return `self-test: writeBlock gave ${hex(stored)}, expected ${SELF_TEST_STORED}`;
  const read = codec.readBlock(stored);
  const raw = codec.encodeBlock(SELF_TEST_IO_ENTRIES, 4);
  if (typeof read === 'number' || read.count !== 8 || !read.data.equals(raw) || !read.keys.equals(SELF_TEST_IO_ENTRIES.keys)) {
    return `self-test: readBlock of the known stored block gave ${typeof read === 'number' ? `status ${read}` : 'other entries'}`;
  }
  const flipped = Buffer.from(stored);
  flipped[3] = flipped[3]! ^ 1;
  const status = codec.readBlock(flipped);
  if (status !== CodecStatus.BAD_CHECKSUM) return `self-test: readBlock of a flipped block gave ${String(status)}`;
  return undefined;
}

// ---- The memtable and scan calls (Codec.stageBatch, linkStaged, scanMerge), each checked when the codec has it ----
// Six write-batch ops (sequences 100..105) staged into a fresh memtable, its node heights drawn from the memtable's
// xorshift seeded as a new MemTable seeds it. The inputs are built here by hand, byte for byte as MemTable.stage
// writes them (node layout: src/memtable/memtable.ts); the answers are constants that test/codec/loader.test.ts
// derives from the TypeScript twins. Arrays are sized exactly, so an off-by-one bound in the binary shows.
const MT_FIRST_SEQ = 100;
/** The ops (kind, user key, value); exported for the test, which encodes them with WriteBatch. */
export const NATIVE_CALL_OPS: readonly (readonly [kind: number, key: string, value: string])[] = [
  [ValueKind.Value, 'kiwi', 'green'],
  [ValueKind.Value, 'apple', 'red'],
  [ValueKind.Deletion, 'fig', ''],
  [ValueKind.Value, 'a-very-long-key-0001', ''],
  [ValueKind.Value, 'a-very-long-key-0002', 'x'],
  [ValueKind.Value, 'kiwi', 'ripe'],
];
/** The first xorshift state of a new MemTable (its `rng` field). */
const MEMTABLE_RNG = 0x2545f491;
/** Link-array ints: node fields before the next links (F_NEXT), and the head node (it starts the array). */
const NODE_FIELDS = 9;
const NODE_PREV = 4;
const NODE_WORDS = 5;
const HEAD_INTS = NODE_FIELDS + 12;
/** The self-test filter: two blocks of 16 ints (MemTableFilter's layout). */
const FILTER_INTS = 32;
const BATCH_HEADER = 12;

// The scan step's control array and flags (src/db/native-scan.ts documents them; the loader may not import db/).
const CTL_USED = 3;
const CTL_COUNT = 4;
const CTL_CAND_KEY_LEN = 7;
const CTL_CAND_VALUE_LEN = 8;
const FLAG_KEYS = 2;
const FLAG_VALUES = 4;
const FLAG_LOWER_INCLUSIVE = 8;
const FLAG_HAS_LOWER = 32;
const FLAG_HAS_UPPER = 64;
const FLAG_REVERSE = 128;
const SOURCE_TABLE = 0;
const SOURCE_MEMTABLE = 1;
/** The table block merged with the memtable: (user key, value), sequences 50.., all puts. */
const SCAN_TABLE: readonly (readonly [key: string, value: string])[] = [
  ['apple', 'old'],
  ['banana', 'yellow'],
  ['fig', 'purple'],
  ['kiwi', 'brown'],
  ['plum', 'blue'],
];
const SCAN_FIRST_SEQ = 50;
/** The snapshot: hides op 5 (kiwi@105). */
const SCAN_SEQUENCE = 104;
const SCAN_LOWER = 'a-very-long-key-0002';
const SCAN_UPPER = 'lime';

/**
 * The known answers of the memtable and scan calls. Exported for test/codec/loader.test.ts, which derives each
 * from the TypeScript twins. DO NOT CHANGE unless the memtable or scan layout changes.
 */
export const NATIVE_CALL_ANSWERS = {
  /** Heights of the six nodes: the first six draws of MEMTABLE_RNG. */
  heights: [1, 1, 2, 1, 1, 1] as readonly number[],
  /** The xorshift state after those six draws. */
  rngAfter: -19443421,
  /** digestInts of the two-block filter once the six keys' bits are set. */
  filterDigest: 0xa4ecd0fb,
  /** Op indexes in internal-key order (the level-0 list). */
  order: [3, 4, 1, 2, 5, 0] as readonly number[],
  /** Heights returned by the two linkStaged calls: ops 0-3 (unsorted: sort, interleaved search), then 4-5 (sorted). */
  linkHeights: [2, 2] as readonly number[],
  /** digestInts of the whole link array after both calls. */
  linkedDigest: 0x1230f744,
  /**
   * Forward from the start, lower bound SCAN_LOWER inclusive, upper SCAN_UPPER exclusive: a key below the bound,
   * a shadowed table version, a deletion, a version above the snapshot, then the bound (plum).
   */
  forward:
    'stop 2 ctl [2,111,4,50,4,8,-1,0,0,0,0,0,0,4,5,0,1,0,0,0] ' +
    "stage 'a-very-long-key-0002xappleredbananayellowkiwigreen' ends [20,21,26,29,35,41,45,50] candidate ''=''",
  /** Reverse from the end, no bounds: stops at the table block's start holding apple@50 as the candidate. */
  reverse:
    'stop 0 ctl [2,390,0,29,3,8,0,5,3,1,0,0,0,-1,5,0,1,31,0,0] ' +
    "stage 'plumbluekiwigreenbananayellow' ends [4,8,12,17,23,29] candidate 'apple'='old'",
};

/** FNV-1a over the ints of a: any one changed int changes it. Exported for the test. */
export function digestInts(a: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h >>> 0;
}

// The self-test runs once per process, mostly in the interpreter: bulk Buffer calls instead of byte loops keep it
// short (a 300-iteration byte loop alone costs ~100-200 us there).

/** b[0, end) as a latin1 string (end clamped to b). */
function latin1(b: Uint8Array, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset, Math.max(0, Math.min(end, b.length))).toString('latin1');
}

/** The bytes of a typed array (a view, no copy). */
function bytesOf(a: Int32Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** The first index where a and b differ, -1 if none (min length if only the lengths differ). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** The self-test inputs, built by hand. Exported for the test, which compares them with what MemTable writes. */
export interface NativeCallInputs {
  /** The six ops as an encoded write batch (docs/FORMAT.md "Write batch"). */
  payload: Uint8Array;
  /** The link array with the six ops staged: the head, then each node (unlinked, its height in the prev slot). */
  links: Int32Array;
  /** The arena chunk with the six entries (user key ‖ trailer ‖ value). */
  chunk: Uint8Array;
  /** Node positions in op order. */
  staged: Int32Array;
}

/**
 * An internal key's trailer as a latin1 string: sequence << 8 | kind, fixed64 little-endian. REQUIRES: seq < 256
 * (the self-test's sequences are).
 */
function trailer(seq: number, kind: number): string {
  return String.fromCharCode(kind, seq, 0, 0, 0, 0, 0, 0);
}

export function nativeCallInputs(): NativeCallInputs {
  // Strings first, one Buffer each: builtins only (see above). Every length is < 128: a one-byte varint.
  const n = NATIVE_CALL_OPS.length;
  let batch = String.fromCharCode(MT_FIRST_SEQ, 0, 0, 0, 0, 0, 0, 0, n, 0, 0, 0);
  let arena = '';
  for (let i = 0; i < n; i++) {
    const [kind, key, value] = NATIVE_CALL_OPS[i]!;
    batch += String.fromCharCode(kind, key.length) + key;
    if (kind === ValueKind.Value) batch += String.fromCharCode(value.length) + value;
    arena += key + trailer(MT_FIRST_SEQ + i, kind) + value;
  }
  const payload = Buffer.from(batch, 'latin1');
  const chunk = Buffer.from(arena, 'latin1');
  const heights = NATIVE_CALL_ANSWERS.heights;
  let ints = HEAD_INTS;
  for (const h of heights) ints += NODE_FIELDS + h;
  const links = new Int32Array(ints);
  const staged = new Int32Array(n);
  // The key words: bytes [4w, 4w + 4) of the key, zero-padded, big-endian (DataView's default), top bit flipped.
  const padded = new Uint8Array(16);
  const words = new DataView(padded.buffer);
  for (let i = 0, off = 0, p = HEAD_INTS; i < n; i++) {
    const [, key, value] = NATIVE_CALL_OPS[i]!;
    const h = heights[i]!;
    links[p + 1] = off;
    links[p + 2] = key.length + TRAILER_SIZE;
    links[p + 3] = value.length;
    links[p + NODE_PREV] = h;
    padded.fill(0);
    padded.set(chunk.subarray(off, off + Math.min(key.length, 16)));
    for (let w = 0; w < 4; w++) links[p + NODE_WORDS + w] = words.getInt32(4 * w) ^ -0x80000000;
    staged[i] = p;
    off += key.length + TRAILER_SIZE + value.length;
    p += NODE_FIELDS + h;
  }
  return { payload, links, chunk, staged };
}

type StageBatch = NonNullable<Codec['stageBatch']>;
type LinkStaged = NonNullable<Codec['linkStaged']>;
type ScanMerge = NonNullable<Codec['scanMerge']>;

function selfTestStageBatch(stageBatch: StageBatch, want: NativeCallInputs): string | undefined {
  const links = new Int32Array(want.links.length);
  const chunk = new Uint8Array(want.chunk.length);
  const staged = new Int32Array(want.staged.length);
  const filter = new Int32Array(FILTER_INTS);
  const state = Int32Array.of(BATCH_HEADER, 0, MEMTABLE_RNG, HEAD_INTS, 0, 0, 0);
  const r = stageBatch(want.payload, state, links, staged, chunk, filter);
  const n = NATIVE_CALL_OPS.length;
  const got = `${r} with state [${state.join(',')}]`;
  const wantState = [want.payload.length, n, NATIVE_CALL_ANSWERS.rngAfter, links.length, n, 0, chunk.length];
  const expected = `1 with state [${wantState.join(',')}]`;
  if (got !== expected) return `self-test: stageBatch returned ${got}, expected ${expected}`;
  if (!bytesOf(links).equals(bytesOf(want.links))) {
    const at = firstDifference(links, want.links);
    return `self-test: stageBatch wrote link int ${at} = ${links[at]}, expected ${want.links[at]}`;
  }
  if (!bytesOf(chunk).equals(bytesOf(want.chunk))) {
    const at = firstDifference(chunk, want.chunk);
    return `self-test: stageBatch wrote arena byte ${at} = ${chunk[at]}, expected ${want.chunk[at]}`;
  }
  if (staged.join(',') !== want.staged.join(',')) {
    return `self-test: stageBatch staged [${staged.join(',')}], expected [${want.staged.join(',')}]`;
  }
  const d = digestInts(filter);
  const wantD = NATIVE_CALL_ANSWERS.filterDigest;
  if (d !== wantD) {
    return `self-test: stageBatch set filter bits with digest ${d.toString(16)}, expected ${wantD.toString(16)}`;
  }
  return undefined;
}

function selfTestLinkStaged(linkStaged: LinkStaged, want: NativeCallInputs): string | undefined {
  const links = want.links.slice();
  const staged = want.staged.slice();
  const chunks = [want.chunk];
  const h1 = linkStaged(links, staged, 4, 1, chunks);
  const h2 = linkStaged(links, staged.subarray(4), 2, h1, chunks);
  const [w1, w2] = NATIVE_CALL_ANSWERS.linkHeights;
  if (h1 !== w1 || h2 !== w2) return `self-test: linkStaged returned heights ${h1}, ${h2}, expected ${w1}, ${w2}`;
  const d = digestInts(links);
  const wantD = NATIVE_CALL_ANSWERS.linkedDigest;
  if (d !== wantD) {
    return `self-test: linkStaged gave links with digest ${d.toString(16)}, expected ${wantD.toString(16)}`;
  }
  return undefined;
}

/** Both directions over the table block and the staged memtable linked at level 0 by hand (scans read no more). */
function selfTestScanMerge(scanMerge: ScanMerge, want: NativeCallInputs): string | undefined {
  const links = want.links.slice();
  const order = NATIVE_CALL_ANSWERS.order;
  let prev = 0;
  for (const i of order) {
    const p = want.staged[i]!;
    links[p + NODE_PREV] = prev;
    links[prev + NODE_FIELDS] = p;
    prev = p;
  }
  links[prev + NODE_FIELDS] = 0;
  links[NODE_PREV] = prev;
  const n = SCAN_TABLE.length;
  const keyOffsets = new Uint32Array(n + 1);
  const valueOffsets = new Uint32Array(2 * n);
  let tableKeys = '';
  let tableValues = '';
  for (let i = 0; i < n; i++) {
    const [key, value] = SCAN_TABLE[i]!;
    tableKeys += key + trailer(SCAN_FIRST_SEQ + i, ValueKind.Value);
    keyOffsets[i + 1] = tableKeys.length;
    valueOffsets[2 * i] = tableValues.length;
    tableValues += value;
    valueOffsets[2 * i + 1] = tableValues.length;
  }
  const keys = Buffer.from(tableKeys, 'latin1');
  const data = Buffer.from(tableValues, 'latin1');
  const none = new Uint8Array(0);
  const srcs: unknown[] = [keys, keyOffsets, data, valueOffsets, links, [want.chunk], none, none];
  const lower = Buffer.from(SCAN_LOWER, 'latin1');
  const upper = Buffer.from(SCAN_UPPER, 'latin1');
  const stage = new Uint8Array(64);
  const ends = new Int32Array(16);
  const skip = new Uint8Array(32);
  const candKey = new Uint8Array(32);
  const candValue = new Uint8Array(32);
  const bounds = FLAG_HAS_LOWER | FLAG_LOWER_INCLUSIVE | FLAG_HAS_UPPER;
  for (const reverse of [false, true]) {
    // Header: sources, flags, skip length, bytes used, count, batch size (8), stop source, candidate key length,
    // value length, kind; then per source: type, position, block count, unused (src/db/native-scan.ts).
    const flags = FLAG_KEYS | FLAG_VALUES | (reverse ? FLAG_REVERSE : bounds);
    const table = [SOURCE_TABLE, reverse ? n - 1 : 0, n, 0];
    const memtable = [SOURCE_MEMTABLE, reverse ? links[NODE_PREV]! : links[NODE_FIELDS]!, 0, 0];
    const ctl = Int32Array.of(2, flags, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, ...table, ...memtable);
    const [lo, hi] = reverse ? [none, none] : [lower, upper];
    const stop = scanMerge(srcs, ctl, SCAN_SEQUENCE, skip, lo, hi, stage, ends, candKey, candValue);
    const got =
      `stop ${stop} ctl [${ctl.join(',')}] stage '${latin1(stage, ctl[CTL_USED]!)}' ` +
      `ends [${ends.subarray(0, Math.max(0, 2 * ctl[CTL_COUNT]!)).join(',')}] ` +
      `candidate '${latin1(candKey, ctl[CTL_CAND_KEY_LEN]!)}'='${latin1(candValue, ctl[CTL_CAND_VALUE_LEN]!)}'`;
    const expected = reverse ? NATIVE_CALL_ANSWERS.reverse : NATIVE_CALL_ANSWERS.forward;
    if (got !== expected) {
      return `self-test: scanMerge ${reverse ? 'reverse' : 'forward'} gave ${got}, expected ${expected}`;
    }
  }
  return undefined;
}

/** The memtable and scan calls the codec has (an older binary lacks some: the engine then runs without them). */
function selfTestNativeCalls(codec: Codec): string | undefined {
  const { stageBatch, linkStaged, scanMerge } = codec;
  if (stageBatch === undefined && linkStaged === undefined && scanMerge === undefined) return undefined;
  const inputs = nativeCallInputs();
  // A throw is a failure too, named after the call that threw.
  let name = 'stageBatch';
  try {
    let problem = stageBatch === undefined ? undefined : selfTestStageBatch(stageBatch, inputs);
    name = 'linkStaged';
    problem ??= linkStaged === undefined ? undefined : selfTestLinkStaged(linkStaged, inputs);
    name = 'scanMerge';
    problem ??= scanMerge === undefined ? undefined : selfTestScanMerge(scanMerge, inputs);
    return problem;
  } catch (e) {
    return `self-test: ${name} threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Checks that the binary's status numbers are the ones codec.ts uses; returns the first mismatch. */
export function checkStatusNumbers(binding: Pick<NativeBinding, 'codecStatus'>): string | undefined {
  const native = binding.codecStatus as Record<string, number> | undefined;
  if (native === undefined) return 'the addon exports no codecStatus (stale build?)';
  for (const [name, value] of Object.entries(CodecStatus)) {
    if (native[name] !== value) return `status ${name} is ${String(native[name])} in the addon, ${value} in codec.ts`;
  }
  return undefined;
}

/** Loads the addon and runs the self-test. Throws an Error whose message is the reason on any failure. */
export function loadNativeCodec(): Codec {
  const path = join(packageRoot(), NATIVE_ADDON_PATH);
  const binding = createRequire(import.meta.url)(path) as NativeBinding;
  const statusProblem = checkStatusNumbers(binding);
  if (statusProblem !== undefined) throw new Error(`${path}: ${statusProblem}`);
  return trustCodec(createNativeCodec(binding), path);
}

/** The codec if it passes selfTestCodec; else throws an Error whose message is `${path}: ${the mismatch}`. */
export function trustCodec(codec: Codec, path: string): Codec {
  const problem = selfTestCodec(codec);
  if (problem !== undefined) throw new Error(`${path}: ${problem}`);
  return codec;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function unavailable(reason: string, cause: unknown): LsmkvError {
  return new LsmkvError(ErrorCode.NATIVE_UNAVAILABLE, `codec: native codec unavailable: ${reason}`, { cause });
}

/**
 * The selection rule, apart from the environment and the file system: `env` is the value of LSMKV_NATIVE and
 * `load` returns a trusted native codec or throws with the reason.
 */
export function chooseCodec(env: string | undefined, load: () => Codec): CodecSelection {
  if (env === '0') return { codec: tsCodec, kind: 'typescript', reason: 'LSMKV_NATIVE=0' };
  if (env !== '1' && env !== undefined && env !== '' && env !== 'auto') {
    throw new TypeError(`codec: LSMKV_NATIVE must be '0', '1' or 'auto', got '${env}'`);
  }
  try {
    return { codec: load(), kind: 'native', reason: undefined };
  } catch (e) {
    if (env === '1') throw unavailable(`LSMKV_NATIVE=1: ${describe(e)}`, e);
    return { codec: tsCodec, kind: 'typescript', reason: describe(e) };
  }
}

let selected: { value: CodecSelection } | { error: unknown } | undefined;
let native: { value: Codec } | { error: unknown } | undefined;

function memoNative(): Codec {
  native ??= (() => {
    try {
      return { value: loadNativeCodec() };
    } catch (e) {
      return { error: e };
    }
  })();
  if ('error' in native) throw native.error;
  return native.value;
}

/** The codec for this process, chosen once by LSMKV_NATIVE (see the header). */
export function selectCodec(): CodecSelection {
  selected ??= (() => {
    try {
      return { value: chooseCodec(process.env['LSMKV_NATIVE'], memoNative) };
    } catch (e) {
      return { error: e };
    }
  })();
  if ('error' in selected) throw selected.error;
  return selected.value;
}

/** A specific codec, regardless of LSMKV_NATIVE (tests, benchmarks). Throws NATIVE_UNAVAILABLE for a missing addon. */
export function codecFor(kind: 'native' | 'typescript'): Codec {
  if (kind === 'typescript') return tsCodec;
  try {
    return memoNative();
  } catch (e) {
    throw unavailable(describe(e), e);
  }
}
