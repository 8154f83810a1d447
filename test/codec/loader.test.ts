/**
 * loader tests: the selection rule (LSMKV_NATIVE = 0 / 1 / auto / unset / invalid) as a pure function, the
 * known-answer self-test (both codecs pass it; a wrong codec fails it), and the real thing in child processes:
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
import { chooseCodec, codecFor, NATIVE_ADDON_PATH, selfTestCodec } from '../../src/codec/loader.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
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
