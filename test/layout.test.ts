/**
 * Layout: the import-direction rule of the team preamble, checked over every src/**\/*.ts import (static,
 * `export … from` and dynamic import()):
 *   base imports nothing; codec, vfs, batch, memtable, iterator import only base; log and sstable add codec and
 *   vfs; wal and manifest add log; compaction adds manifest, sstable, iterator; db imports all.
 * Above db sit the public barrel (src/index.ts) and the CLI. No import cycles between files. And exactly one file
 * loads the native addon (createRequire / a .node path): src/codec/loader.ts.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** What each layer may import besides itself (the preamble's rule, written out cumulatively). */
const ALLOWED: Record<string, string[]> = {
  base: [],
  codec: ['base'],
  vfs: ['base'],
  batch: ['base'],
  memtable: ['base'],
  iterator: ['base'],
  log: ['base', 'codec', 'vfs'],
  sstable: ['base', 'codec', 'vfs'],
  wal: ['base', 'codec', 'vfs', 'log'],
  manifest: ['base', 'codec', 'vfs', 'log'],
  compaction: ['base', 'codec', 'vfs', 'log', 'manifest', 'sstable', 'iterator'],
  db: ['base', 'codec', 'vfs', 'batch', 'memtable', 'iterator', 'log', 'sstable', 'wal', 'manifest', 'compaction'],
  '(index)': ['db', 'base', 'vfs', 'codec'],
  cli: ['(index)', '(outside src)'],
};

/**
 * Known deviations from the written rule, each downward (no cycle) and reported to the team. A new one fails the
 * test; removing one from the code fails it too (so the list stays true).
 */
const EXCEPTIONS = new Set([
  'compaction -> memtable', // compaction-job flushes a MemTable image
  'wal -> batch', // wal-reader checks write-batch headers
]);

/** Rank for "nothing imports upward": a layer may import only strictly lower ranks. */
const RANK: Record<string, number> = {
  base: 0,
  codec: 1,
  vfs: 1,
  batch: 1,
  memtable: 1,
  iterator: 1,
  log: 2,
  sstable: 2,
  wal: 3,
  manifest: 3,
  compaction: 4,
  db: 5,
  '(index)': 6,
  cli: 7,
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return '(outside src)';
  const parts = rel.split(/[\\/]/);
  return parts.length === 1 ? '(index)' : parts[0]!;
}

/** Every module specifier a file imports: static imports, re-exports, side-effect imports and import(). */
function importsOf(source: string): string[] {
  const noComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of noComments.matchAll(re)) out.push(m[1]!);
  return out;
}

const files = walk(SRC).sort();
/** file -> resolved .ts files it imports (relative imports only). */
const graph = new Map<string, string[]>();
const edges: Array<{ from: string; to: string; spec: string }> = [];
for (const f of files) {
  const targets: string[] = [];
  for (const spec of importsOf(readFileSync(f, 'utf8'))) {
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
    targets.push(target);
    edges.push({ from: f, to: target, spec });
  }
  graph.set(f, targets);
}

describe('source layout', () => {
  it('parses imports of every kind', () => {
    const sample = `
      import { a } from './a.js';
      import type { B } from '../b/b.js';
      export { c } from "./c.js";
      export * from './d.js';
      import './side-effect.js';
      const e = await import('./e.js');
      import {
        multi,
        line,
      } from './f.js';
      // import { no } from './commented.js';
      /* import { no } from './block-commented.js'; */
    `;
    expect(importsOf(sample).sort()).toEqual(['../b/b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './side-effect.js']);
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('relative imports end in .js and point at files that exist', () => {
    for (const e of edges) {
      expect(e.spec, relative(ROOT, e.from)).toMatch(/\.js$/);
      if (layerOf(e.to) !== '(outside src)') expect(files, `${relative(ROOT, e.from)} imports ${e.spec}`).toContain(e.to);
    }
  });

  it('base imports nothing outside base (no packages either, apart from node: built-ins)', () => {
    for (const f of files.filter((x) => layerOf(x) === 'base')) {
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        if (spec.startsWith('node:')) continue;
        expect(spec.startsWith('./'), `${relative(ROOT, f)} imports ${spec}`).toBe(true);
      }
    }
  });

  it('every cross-layer import is allowed by the layer table (known exceptions listed)', () => {
    const seen = new Set<string>();
    const violations: string[] = [];
    for (const e of edges) {
      const from = layerOf(e.from);
      const to = layerOf(e.to);
      if (from === to) continue;
      expect(ALLOWED[from], `unknown layer ${from}`).toBeDefined();
      const pair = `${from} -> ${to}`;
      if (ALLOWED[from]!.includes(to)) continue;
      if (EXCEPTIONS.has(pair)) {
        seen.add(pair);
        continue;
      }
      violations.push(`${relative(ROOT, e.from)} imports ${e.spec} (${pair})`);
    }
    expect(violations).toEqual([]);
    expect([...seen].sort()).toEqual([...EXCEPTIONS].sort());
  });

  it('nothing imports upward (ranked layers)', () => {
    const upward = edges
      .filter((e) => layerOf(e.to) !== '(outside src)' && layerOf(e.from) !== layerOf(e.to))
      .filter((e) => RANK[layerOf(e.to)]! >= RANK[layerOf(e.from)]!)
      .map((e) => `${relative(ROOT, e.from)} -> ${relative(ROOT, e.to)}`);
    expect(upward).toEqual([]);
  });

  it('has no import cycles between files', () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 1);
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (!graph.has(t)) continue;
        if (state.get(t) === 1) cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(' -> '));
        else if (state.get(t) === undefined) visit(t);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('exactly one file loads the native addon: src/codec/loader.ts', () => {
    const loaders = files.filter((f) => {
      const s = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      return /\bcreateRequire\b|\.node['"`]|process\.dlopen|\brequire\s*\(/.test(s);
    });
    expect(loaders.map((f) => relative(ROOT, f))).toEqual(['src/codec/loader.ts']);
  });
});
