/**
 * targets — the option sets the metamorphic harness runs every operation list against, side by side: tiny
 * memtables and files (so a few writes flush and compact through several levels) and default sizes, snappy and
 * no compression, bloom filters on and off, restart interval 1 and 16, the native and the TypeScript codec,
 * FaultInjectionVfs (inline background) and a real temporary directory (background on the worker thread).
 * All of them must agree with the model, hence with each other.
 *
 * A Target owns one database and knows how to close and reopen it. Harness code only.
 */

import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultInjectionVfs, open, selectCodec, type Db, type Options } from '../../src/index.js';

export interface TargetConfig {
  name: string;
  fs: 'fault-injection' | 'disk';
  options: Omit<Partial<Options>, 'vfs'>;
}

const TINY = {
  writeBufferSize: 4096,
  targetFileSize: 1024,
  maxBytesForLevelBase: 4096,
  level0CompactionTrigger: 2,
  level0SlowdownTrigger: 3,
  level0StopTrigger: 4,
  blockSize: 256,
} as const;

/** The configurations; 'native' falls back to 'typescript' where the addon does not load (see nativeNote()). */
export function targetConfigs(): TargetConfig[] {
  const native = selectCodec().codec.kind === 'native' ? 'native' : 'typescript';
  return [
    {
      name: 'fi/tiny/ts/r1/raw/nobloom',
      fs: 'fault-injection',
      options: { ...TINY, blockRestartInterval: 1, compression: 'none', bloomBitsPerKey: 0, codec: 'typescript' },
    },
    {
      name: `fi/tiny/${native}/r16/snappy/bloom`,
      fs: 'fault-injection',
      options: { ...TINY, blockRestartInterval: 16, compression: 'snappy', bloomBitsPerKey: 10, codec: native },
    },
    {
      name: `disk-worker/tiny/${native}/r4/snappy/bloom`,
      fs: 'disk',
      options: {
        ...TINY,
        blockRestartInterval: 4,
        compression: 'snappy',
        bloomBitsPerKey: 10,
        codec: native,
        background: 'worker',
      },
    },
    {
      name: 'disk-worker/default-sizes/ts/r16/raw/bloom',
      fs: 'disk',
      options: { compression: 'none', codec: 'typescript', background: 'worker', blockCacheSize: 0 },
    },
  ];
}

export function nativeNote(): string | undefined {
  const s = selectCodec();
  return s.codec.kind === 'native' ? undefined : `native codec unavailable (${s.reason ?? 'unknown'}): ran typescript`;
}

/**
 * Where disk targets live: /dev/shm (tmpfs: fsync costs nothing, so a run is not dominated by disk flushes)
 * when it is there and writable, else the OS temp directory. LSMKV_META_TMP overrides.
 */
function tempBase(): string {
  const forced = process.env.LSMKV_META_TMP;
  if (forced !== undefined && forced !== '') return forced;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export class Target {
  db!: Db;
  private vfs: FaultInjectionVfs | undefined;
  private readonly dir: string;
  private readonly tempRoot: string | undefined;

  private constructor(readonly config: TargetConfig) {
    if (config.fs === 'disk') {
      this.tempRoot = mkdtempSync(join(tempBase(), 'lsmkv-meta-'));
      this.dir = join(this.tempRoot, 'db');
    } else {
      this.vfs = new FaultInjectionVfs();
      this.dir = '/db';
    }
  }

  static async create(config: TargetConfig): Promise<Target> {
    const t = new Target(config);
    await t.openDb();
    return t;
  }

  private async openDb(): Promise<void> {
    this.db = await open(this.dir, { ...this.config.options, ...(this.vfs && { vfs: this.vfs }) });
  }

  async reopen(): Promise<void> {
    await this.db.close();
    await this.openDb();
  }

  /** Closes the database and deletes its files. */
  async dispose(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      if (this.tempRoot !== undefined) rmSync(this.tempRoot, { recursive: true, force: true });
    }
  }
}
