// build.mjs — the package's install step: builds the native codec addon (build/Release/lsmkv.node) with the
// node-gyp shipped in node_modules, and never fails the install.
//
// If the build fails (no compiler, no headers, no python), it prints one clear line and exits 0: lsmkv then runs
// on the TypeScript codec, and src/codec/loader.ts reports why the addon is unavailable. Set LSMKV_NATIVE=0 to skip
// the build entirely. Run by `npm install` (package.json "install" script) or by hand: `node native/build.mjs`.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function fallback(reason) {
  console.warn(`lsmkv: native codec not built (${reason}); using the TypeScript codec`);
  process.exit(0);
}

if (process.env.LSMKV_NATIVE === '0') fallback('LSMKV_NATIVE=0');

const bin = process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp';
const local = join(root, 'node_modules', '.bin', bin);
const gyp = existsSync(local) ? local : bin;
// Prefer the headers of the running node (e.g. /usr/include/node) over a download when npm did not name a nodedir.
const args = ['rebuild'];
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const result = spawnSync(gyp, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) fallback(`could not run node-gyp: ${result.error.message}`);
if (result.status !== 0) fallback(`node-gyp rebuild exited with ${result.status ?? result.signal}`);
console.log('lsmkv: native codec built (build/Release/lsmkv.node)');
