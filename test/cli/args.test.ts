import { describe, expect, it } from 'vitest';
import { UsageError, integerOption } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/cli.js';
import { parseBenchArgs } from '../../src/cli/commands/bench.js';
import { captureIO } from './capture-io.js';

describe('lsmkv CLI arguments', () => {
  it('bench defaults: lsmkv alone on the quick workloads, N = 1,000,000', () => {
    const { config } = parseBenchArgs([]);
    expect(config.stores).toEqual(['lsmkv']);
    expect(config.n).toBe(1_000_000);
    expect(config.workloads).toEqual(expect.arrayContaining(['fillrandom', 'readrandom', 'readseq', 'deleterandom']));
  });

  it('--peers selects every store and workload; explicit lists win and come back in canonical order', () => {
    const a = parseBenchArgs(['--peers']).config;
    expect(a.stores).toEqual(['lsmkv', 'classic-level', 'rocksdb', 'lmdb']);
    expect(a.workloads).toHaveLength(13);
    const b = parseBenchArgs(['--peers', '--stores', 'lmdb,rocksdb', '--workloads=readseq,fillrandom', '--n', '2k', '--rounds', '3', '--native', '0', '--value-size', '400', '--json', 'o.json', '--dir', '/d']);
    expect(b.config).toMatchObject({ stores: ['lmdb', 'rocksdb'], workloads: ['fillrandom', 'readseq'], n: 2000, rounds: 3, native: '0', valueSize: 400 });
    expect(b).toMatchObject({ json: 'o.json', dir: '/d' });
  });

  it('reads integers as 1000000, 1_000_000, 1e6 and 1M and rejects the rest with the flag named', () => {
    for (const t of ['1000000', '1_000_000', '1e6', '1M', '1000k']) expect(integerOption('n', t, 1, 1e8)).toBe(1_000_000);
    expect(() => integerOption('n', '0', 1, 10)).toThrow("--n must be an integer between 1 and 10, got '0'");
    expect(() => integerOption('n', '1.5', 1, 10)).toThrow(UsageError);
    expect(() => integerOption('n', 'ten', 1, 10)).toThrow(UsageError);
  });

  it.each([
    [['bench', '--bogus'], "Unknown option '--bogus'"],
    [['bench', '--n'], "Option '--n <value>' argument missing"],
    [['bench', '--n', 'lots'], "--n must be an integer between 1 and 100000000, got 'lots'"],
    [['bench', '--stores', 'lsmkv,mongo'], "--stores: unknown store 'mongo' (expected one of: lsmkv, classic-level, rocksdb, lmdb, lsmkv-ts)"],
    [['bench', '--workloads', 'readall'], "--workloads: unknown workload 'readall'"],
    [['bench', '--native', 'yes'], "--native must be one of auto, 0, 1, got 'yes'"],
    [['bench', '--peers=1'], "Option '--peers' does not take an argument"],
    [['bench', 'extra'], "unexpected argument 'extra'"],
    [['verify'], 'verify: missing <dir>'],
    [['stats', 'a', 'b'], "unexpected argument 'b'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j is a usage error: one clear line on stderr, exit code 2', async (argv, message) => {
    const io = captureIO();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).toContain(`lsmkv: ${message}`);
    expect(io.err).toContain("Run 'lsmkv --help'");
    expect(io.out).toBe('');
  });

  it('--help prints usage naming every command and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], []]) {
      const io = captureIO();
      expect(await runCli(argv, io)).toBe(0);
      for (const cmd of ['lsmkv bench', 'lsmkv bench --peers', 'lsmkv verify <dir>', 'lsmkv stats <dir>']) expect(io.out).toContain(cmd);
    }
  });
});
