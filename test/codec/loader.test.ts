/**
 * loader tests: the selection rule (LSMKV_NATIVE = 0 / 1 / auto / unset / invalid) as a pure function, the
 * known-answer self-test (both codecs pass it; a wrong codec fails it; the answers for the native memtable and scan
 * calls are what their TypeScript twins produce; a corrupted or throwing call fails it, naming the call, and the
 * selection then falls back or fails loudly), and the real thing in child processes:
 * the loader compiled into throwaway package roots with the addon present, missing or corrupt, plus a worker
 * thread loading the addon next to the main thread.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';
import type { Codec } from '../../src/codec/codec.js';
import {
  chooseCodec,
  codecFor,
  digestInts,
  NATIVE_ADDON_PATH,
  NATIVE_CALL_ANSWERS,
  NATIVE_CALL_OPS,
  nativeCallInputs,
  selfTestCodec,
  trustCodec,
} from '../../src/codec/loader.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { ValueKind } from '../../src/base/internal-key.js';
import { forEachBatchOp, WriteBatch } from '../../src/batch/write-batch.js';
import { bloomHash } from '../../src/codec/bloom-probe.js';
import { scanMergeTs } from '../../src/db/scan-merge-ts.js';
import { MemTable } from '../../src/memtable/memtable.js';
import { resealTrailer } from '../../fuzz/snappy.fuzz.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const addon = join(repoRoot, NATIVE_ADDON_PATH);
const addonBuilt = existsSync(addon);

function fakeNative(): Codec {
  return { ...tsCodec, kind: 'native' };
}

function failingLoad(): Codec {
  throw new Error('cannot open build/Release/lsmkv.node');
}

describe('chooseCodec (the selection rule)', () => {
  it('LSMKV_NATIVE=0 picks TypeScript without trying to load the addon', () => {
    let tried = false;
    const s = chooseCodec('0', () => {
      tried = true;
      return fakeNative();
    });
    expect(s).toEqual({ codec: tsCodec, kind: 'typescript', reason: 'LSMKV_NATIVE=0' });
    expect(tried).toBe(false);
  });

  it('LSMKV_NATIVE=1 picks native when it loads', () => {
    const native = fakeNative();
    expect(chooseCodec('1', () => native)).toEqual({ codec: native, kind: 'native', reason: undefined });
  });

  it('LSMKV_NATIVE=1 fails loudly with NATIVE_UNAVAILABLE and the reason when the addon does not load', () => {
    let caught: unknown;
    try {
      chooseCodec('1', failingLoad);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LsmkvError);
    expect((caught as LsmkvError).code).toBe(ErrorCode.NATIVE_UNAVAILABLE);
    expect((caught as LsmkvError).message).toBe(
      'codec: native codec unavailable: LSMKV_NATIVE=1: cannot open build/Release/lsmkv.node',
    );
  });

  it.each([undefined, '', 'auto'])('LSMKV_NATIVE=%j picks native if it loads, else TypeScript with the reason', (env) => {
    const native = fakeNative();
    expect(chooseCodec(env, () => native).kind).toBe('native');
    expect(chooseCodec(env, failingLoad)).toEqual({
      codec: tsCodec,
      kind: 'typescript',
      reason: 'cannot open build/Release/lsmkv.node',
    });
  });

  it('rejects any other value with an exact TypeError', () => {
    expect(() => chooseCodec('yes', fakeNative)).toThrow(
      new TypeError("codec: LSMKV_NATIVE must be '0', '1' or 'auto', got 'yes'"),
    );
  });
});

describe('selfTestCodec (the known answers)', () => {
  it('the TypeScript codec produces the known answers', () => {
    expect(selfTestCodec(tsCodec)).toBeUndefined();
  });

  it.skipIf(!addonBuilt)('the native codec produces the known answers', () => {
    expect(selfTestCodec(codecFor('native'))).toBeUndefined();
  });

  it('a codec with a wrong checksum, block or filter fails, naming what differed', () => {
    expect(selfTestCodec({ ...tsCodec, xxh32: (d, s) => tsCodec.xxh32(d, s) ^ 1 })).toMatch(/^self-test: xxh32 gave/);
    const badBlock: Codec = { ...tsCodec, encodeBlock: (e, r) => tsCodec.encodeBlock(e, r + 1) };
    expect(selfTestCodec(badBlock)).toMatch(/^self-test: encodeBlock gave/);
    const badBloom: Codec = { ...tsCodec, bloomBuild: (k, o, c, b) => tsCodec.bloomBuild(k, o, c, b + 1) };
    expect(selfTestCodec(badBloom)).toMatch(/^self-test: bloomBuild gave/);
    const uncompressed: Codec = { ...tsCodec, writeBlock: (e, r) => tsCodec.writeBlock(e, r, false) };
    expect(selfTestCodec(uncompressed)).toMatch(/^self-test: writeBlock gave/);
    const unchecked: Codec = {
      ...tsCodec,
      readBlock: (b) => tsCodec.decodeBlock(b.subarray(0, b.length - 5)),
    };
    expect(selfTestCodec(unchecked)).toMatch(/^self-test: readBlock of the known stored block gave status/);
    const noChecksum: Codec = { ...tsCodec, readBlock: (b) => tsCodec.readBlock(resealTrailer(Buffer.from(b))) };
    expect(selfTestCodec(noChecksum)).toMatch(/^self-test: readBlock of a flipped block gave/);
    const lenient: Codec = { ...tsCodec, decodeBlock: (b) => tsCodec.decodeBlock(b.subarray(0, b.length)) };
    expect(selfTestCodec(lenient)).toBeUndefined();
  });
});

/** A TypeScript memtable (no linker, no stager) that staged the self-test batch; linked after op `linkAfter`. */
function stagedMemTable(linkAfter: number[] = []): MemTable {
  const mt = new MemTable({ chunkSize: 1024, filterBytes: 128, filterHash: bloomHash });
  let i = 0;
  forEachBatchOp(nativeCallInputs().payload, (kind, key, value, seq) => {
    mt.stage(seq, kind, key, value);
    if (linkAfter.includes(i++)) mt.linkStaged();
  });
  return mt;
}

describe('the memtable and scan answers (derived from the TypeScript twins)', () => {
  const inputs = nativeCallInputs();

  it('the hand-built batch is what WriteBatch encodes', () => {
    const b = new WriteBatch();
    for (const [kind, key, value] of NATIVE_CALL_OPS) {
      if (kind === ValueKind.Value) b.put(Buffer.from(key), Buffer.from(value));
      else b.delete(Buffer.from(key));
    }
    expect(Buffer.from(inputs.payload).equals(Buffer.from(b.payload(100)))).toBe(true);
  });

  it('the hand-built staged memtable is what MemTable.stage writes (links, arena, heights, rng, filter bits)', () => {
    const mt = stagedMemTable();
    expect(mt.stageBatch(inputs.payload)).toBe(false); // no stager: the batch was staged op by op above
    expect(Array.from(mt.linkArray().subarray(0, inputs.links.length))).toEqual(Array.from(inputs.links));
    expect(mt.approximateBytes).toBe(inputs.chunk.length + inputs.links.length * 4);
    expect(Buffer.from(mt.arenaChunks()[0]!.subarray(0, inputs.chunk.length)).equals(Buffer.from(inputs.chunk))).toBe(
      true,
    );
    const heights = Array.from(inputs.staged, (p) => mt.linkArray()[p + 4]);
    expect(heights).toEqual(NATIVE_CALL_ANSWERS.heights);
    expect((mt as unknown as { rng: number }).rng).toBe(NATIVE_CALL_ANSWERS.rngAfter);
    // stage() defers the bits to linkStaged; the filter is then MemTableFilter.add of every key's bloomHash.
    mt.linkStaged();
    expect(digestInts(mt.keyFilter!.words)).toBe(NATIVE_CALL_ANSWERS.filterDigest);
  });

  it('the link answers are what MemTable.linkStaged does with ops 0-3, then 4-5', () => {
    // Heights after each call: a memtable frozen after ops 0-3, and the full one.
    const afterFour = new MemTable({ chunkSize: 1024 });
    forEachBatchOp(inputs.payload, (kind, key, value, seq) => {
      if (seq < 104) afterFour.stage(seq, kind, key, value);
    });
    afterFour.freeze();
    const mt = stagedMemTable([3]);
    mt.freeze();
    expect([afterFour.image().height, mt.image().height]).toEqual(NATIVE_CALL_ANSWERS.linkHeights);
    expect(digestInts(mt.linkArray().subarray(0, inputs.links.length))).toBe(NATIVE_CALL_ANSWERS.linkedDigest);
    const order: number[] = [];
    for (let p = mt.firstNode(); p !== 0; p = mt.nextNode(p)) order.push(inputs.staged.indexOf(p));
    expect(order).toEqual(NATIVE_CALL_ANSWERS.order);
  });

  it('the scan answers are what scan-merge-ts gives (and the TypeScript codec skips the calls it lacks)', () => {
    expect(selfTestCodec({ ...tsCodec, scanMerge: scanMergeTs })).toBeUndefined();
    expect(tsCodec.linkStaged ?? tsCodec.stageBatch ?? tsCodec.scanMerge).toBeUndefined();
  });

  it('digestInts changes with any one int', () => {
    const a = Int32Array.from({ length: 40 }, (_, i) => i * 7919);
    const d = digestInts(a);
    for (let i = 0; i < a.length; i++) {
      const b = a.slice();
      b[i]! ^= 1 << (i % 32);
      expect(digestInts(b)).not.toBe(d);
    }
  });
});

/** Wraps f so that after each call `corrupt` changes one output value. */
function corrupting<A extends unknown[], R>(f: (...args: A) => R, corrupt: (args: A, r: R) => R): (...args: A) => R {
  return (...args: A) => corrupt(args, f(...args));
}

describe('the memtable and scan checks fail on a wrong answer, naming the call', () => {
  it('scanMerge: a wrong batch end, stop, control slot or candidate byte', () => {
    type ScanArgs = Parameters<typeof scanMergeTs>;
    const bad = (corrupt: (a: ScanArgs, r: number) => number): string | undefined =>
      selfTestCodec({ ...tsCodec, scanMerge: corrupting(scanMergeTs, corrupt) });
    expect(bad((a, r) => ((a[7][1]! += 1), r))).toMatch(/^self-test: scanMerge forward gave .*ends \[20,22,/);
    expect(bad((_, r) => r + 1)).toMatch(/^self-test: scanMerge forward gave stop 3 /);
    expect(bad((a, r) => ((a[1][13]! += a[1][1]! & 128 ? 1 : 0), r))).toMatch(/^self-test: scanMerge reverse gave /);
    expect(bad((a, r) => ((a[8][0]! ^= a[1][1]! & 128 ? 1 : 0), r))).toMatch(
      /^self-test: scanMerge reverse gave .*candidate '`pple'='old', expected/,
    );
    expect(selfTestCodec({ ...tsCodec, scanMerge: () => { throw new RangeError('boom'); } })).toBe(
      'self-test: scanMerge threw: boom',
    );
  });

  it('a failing check falls back to TypeScript with the reason (auto) and fails loudly (LSMKV_NATIVE=1)', () => {
    const broken: Codec = { ...tsCodec, kind: 'native', scanMerge: corrupting(scanMergeTs, (_, r) => r + 1) };
    const s = chooseCodec('auto', () => trustCodec(broken, 'x/lsmkv.node'));
    expect(s.kind).toBe('typescript');
    expect(s.reason).toMatch(/^x\/lsmkv\.node: self-test: scanMerge forward gave stop 3 /);
    expect(() => chooseCodec('1', () => trustCodec(broken, 'x/lsmkv.node'))).toThrow(
      /^codec: native codec unavailable: LSMKV_NATIVE=1: x\/lsmkv\.node: self-test: scanMerge forward/,
    );
  });

  describe.skipIf(!addonBuilt)('with the native calls', () => {
    it('passes with every call, and with any of them absent (an older binary)', () => {
      const native = codecFor('native');
      expect(native.stageBatch && native.linkStaged && native.scanMerge).toBeTypeOf('function');
      expect(selfTestCodec({ ...native, stageBatch: undefined })).toBeUndefined();
      expect(selfTestCodec({ ...native, linkStaged: undefined, scanMerge: undefined })).toBeUndefined();
    });

    it('stageBatch: a wrong node int, arena byte, state slot or filter bit', () => {
      const native = codecFor('native');
      const bad = (corrupt: (a: Parameters<NonNullable<Codec['stageBatch']>>) => void): string | undefined =>
        selfTestCodec({ ...native, stageBatch: corrupting(native.stageBatch!, (a, r) => (corrupt(a), r)) });
      expect(bad((a) => (a[2][33]! += 1))).toBe('self-test: stageBatch wrote link int 33 = 14, expected 13');
      expect(bad((a) => (a[4][5]! ^= 0x20))).toMatch(/^self-test: stageBatch wrote arena byte 5 = /);
      expect(bad((a) => (a[1][2]! += 1))).toMatch(/^self-test: stageBatch returned 1 with state \[98,6,-19443420,/);
      expect(bad((a) => (a[5]![0]! ^= 1 << 9))).toMatch(/^self-test: stageBatch set filter bits with digest /);
      expect(bad((a) => (a[3][0]! = 0))).toMatch(/^self-test: stageBatch staged \[0,/);
    });

    it('linkStaged: a wrong link or height, or a throw', () => {
      const native = codecFor('native');
      const link = native.linkStaged!;
      const bad = (l: NonNullable<Codec['linkStaged']>): string | undefined =>
        selfTestCodec({ ...native, linkStaged: l });
      expect(bad(corrupting(link, (a, h) => ((a[0][a[0].length - 1]! += 1), h)))).toMatch(
        /^self-test: linkStaged gave links with digest [0-9a-f]+, expected 1230f744$/,
      );
      expect(bad(corrupting(link, (_, h) => h + 1))).toBe('self-test: linkStaged returned heights 3, 4, expected 2, 2');
      // Without the arena chunk the binary reports a node outside its chunk: the wrapper throws.
      const noChunks = bad((links, staged, count, height) => link(links, staged, count, height, []));
      expect(noChunks).toMatch(/^self-test: linkStaged threw: codec: native linkStaged: /);
    });

    it('scanMerge (native): a wrong staged byte', () => {
      const native = codecFor('native');
      const scan = corrupting(native.scanMerge!, (a: Parameters<NonNullable<Codec['scanMerge']>>, r: number) => {
        a[6][0]! ^= 1;
        return r;
      });
      expect(selfTestCodec({ ...native, scanMerge: scan })).toMatch(
        /^self-test: scanMerge forward gave .*stage '`-very/,
      );
    });
  });
});

describe('codecFor', () => {
  it('returns the TypeScript codec for typescript', () => {
    expect(codecFor('typescript')).toBe(tsCodec);
  });
});

/** Throwaway package roots holding the compiled loader, with the addon present, missing or corrupt. */
const roots = { present: '', missing: '', corrupt: '' };
let scratch = '';

function compileLoaderInto(outDir: string): void {
  const program = ts.createProgram([join(repoRoot, 'src/codec/loader.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    rootDir: repoRoot,
    outDir,
    types: ['node'],
    skipLibCheck: true,
    noEmitOnError: false,
  });
  program.emit();
  if (!existsSync(join(outDir, 'src/codec/loader.js'))) throw new Error('loader did not compile');
}

/** Runs `body` (an ES module body with `loader` imported) in a child node with LSMKV_NATIVE = env. */
function runChild(root: string, env: string | undefined, body: string): { status: number | null; out: string } {
  const loaderUrl = pathToFileURL(join(root, 'src/codec/loader.js')).href;
  const script = `const loader = await import(${JSON.stringify(loaderUrl)});\n${body}`;
  const childEnv = { ...process.env };
  delete childEnv['LSMKV_NATIVE'];
  if (env !== undefined) childEnv['LSMKV_NATIVE'] = env;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: childEnv, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const REPORT = `
try {
  const s = loader.selectCodec();
  console.log(JSON.stringify({ kind: s.kind, codecKind: s.codec.kind, reason: s.reason ?? null, h: s.codec.xxh32(new Uint8Array([1, 2, 3]), 0) }));
} catch (e) {
  console.log(JSON.stringify({ code: e.code, message: e.message }));
  process.exitCode = 3;
}`;

function report(root: string, env: string | undefined): Record<string, unknown> {
  const r = runChild(root, env, REPORT);
  const line = r.out.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(line) as Record<string, unknown>), status: r.status };
}

describe('selectCodec in a real process', () => {
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'lsmkv-loader-'));
    roots.present = join(scratch, 'present');
    mkdirSync(roots.present);
    writeFileSync(join(roots.present, 'package.json'), '{ "name": "loader-test", "type": "module" }\n');
    compileLoaderInto(roots.present);
    roots.missing = join(scratch, 'missing');
    roots.corrupt = join(scratch, 'corrupt');
    cpSync(roots.present, roots.missing, { recursive: true });
    cpSync(roots.present, roots.corrupt, { recursive: true });
    mkdirSync(join(roots.corrupt, 'build/Release'), { recursive: true });
    writeFileSync(join(roots.corrupt, NATIVE_ADDON_PATH), 'not an ELF file');
    if (addonBuilt) {
      mkdirSync(join(roots.present, 'build/Release'), { recursive: true });
      copyFileSync(addon, join(roots.present, NATIVE_ADDON_PATH));
    }
  });

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  const H123 = tsCodec.xxh32(new Uint8Array([1, 2, 3]), 0);

  it('addon missing: auto falls back to TypeScript and says why; 0 is TypeScript', () => {
    const auto = report(roots.missing, undefined);
    expect(auto).toMatchObject({ kind: 'typescript', codecKind: 'typescript', h: H123, status: 0 });
    expect(auto['reason']).toContain(NATIVE_ADDON_PATH);
    expect(report(roots.missing, '0')).toMatchObject({ kind: 'typescript', reason: 'LSMKV_NATIVE=0', status: 0 });
  });

  it('addon missing: LSMKV_NATIVE=1 fails loudly with NATIVE_UNAVAILABLE naming the file', () => {
    const r = report(roots.missing, '1');
    expect(r).toMatchObject({ code: ErrorCode.NATIVE_UNAVAILABLE, status: 3 });
    expect(r['message']).toMatch(/^codec: native codec unavailable: LSMKV_NATIVE=1: .*build\/Release\/lsmkv\.node/);
  });

  it('addon corrupt: auto falls back with the reason, 1 fails loudly', () => {
    const auto = report(roots.corrupt, 'auto');
    expect(auto).toMatchObject({ kind: 'typescript', status: 0 });
    expect(auto['reason']).toContain('lsmkv.node');
    expect(report(roots.corrupt, '1')).toMatchObject({ code: ErrorCode.NATIVE_UNAVAILABLE, status: 3 });
  });

  it('an invalid LSMKV_NATIVE value is an error, not a silent default', () => {
    const r = runChild(roots.missing, 'true', REPORT);
    expect(r.status).toBe(3);
    expect(r.out).toContain("LSMKV_NATIVE must be '0', '1' or 'auto', got 'true'");
  });

  it.skipIf(!addonBuilt)('addon present: unset, auto and 1 pick native; 0 picks TypeScript', () => {
    for (const env of [undefined, 'auto', '1']) {
      expect(report(roots.present, env), String(env)).toMatchObject({
        kind: 'native',
        codecKind: 'native',
        reason: null,
        h: H123,
        status: 0,
      });
    }
    expect(report(roots.present, '0')).toMatchObject({ kind: 'typescript', codecKind: 'typescript', status: 0 });
  });

  it.skipIf(!addonBuilt)('addon present: loads in a worker thread as well as the main thread', () => {
    const body = `
const { Worker } = await import('node:worker_threads');
const main = loader.selectCodec();
const url = ${JSON.stringify(pathToFileURL(join(roots.present, 'src/codec/loader.js')).href)};
const w = new Worker(\`
  import { parentPort } from 'node:worker_threads';
  const s = (await import(\${JSON.stringify(url)})).selectCodec();
  parentPort.postMessage({ kind: s.kind, h: s.codec.xxh32(new Uint8Array([1, 2, 3]), 0) });\`,
  { eval: true, execArgv: ['--input-type=module'] });
const fromWorker = await new Promise((resolve, reject) => { w.on('message', resolve); w.on('error', reject); });
await w.terminate();
console.log(JSON.stringify({ main: main.kind, worker: fromWorker.kind, h: fromWorker.h }));`;
    const r = runChild(roots.present, '1', body);
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').pop()!)).toEqual({ main: 'native', worker: 'native', h: H123 });
  });
});
