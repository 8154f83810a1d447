/**
 * loader — chooses the codec for this process: the only file that loads the native addon
 * (build/Release/lsmkv.node).
 *
 * LSMKV_NATIVE=1 forces native (an LsmkvError NATIVE_UNAVAILABLE with the reason if it is missing or fails),
 * LSMKV_NATIVE=0 forces TypeScript, unset / '' / 'auto' picks native if it loads and passes the known-answer
 * self-test, else TypeScript. The choice and the reason the addon was not used are observable (CodecSelection).
 * The native side is trusted only after the self-test: a checksum, a block encoding, a bloom filter and a stored
 * (snappy-compressed, checksummed) block compared with constants (the same constants the TypeScript codec produces; test/codec/loader.test.ts), and the binary's
 * status numbers compared with codec.ts (catches a stale build).
 *
 * Who may call: the engine (selectCodec) and tests/benchmarks (codecFor). Results are memoized per process
 * (per worker thread: the addon is context-aware and loads in each thread).
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ErrorCode, LsmkvError } from '../base/errors.js';
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
  return selfTestBlockIo(codec);
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
  const codec = createNativeCodec(binding);
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
