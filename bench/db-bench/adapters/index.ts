/**
 * adapters — makes the adapter of a store by name, loading its library only then, so a run without the peers
 * (the published CLI, where they are absent) never touches them.
 */

import type { StoreAdapter } from '../adapter.js';
import type { StoreName } from '../config.js';

export async function createAdapter(store: StoreName): Promise<StoreAdapter> {
  try {
    switch (store) {
      case 'lsmkv':
      case 'lsmkv-ts':
        return new (await import('./lsmkv.js')).LsmkvAdapter();
      case 'classic-level':
        return new (await import('./classic-level.js')).ClassicLevelAdapter();
      case 'rocksdb':
        return new (await import('./rocksdb.js')).RocksdbAdapter();
      case 'lmdb':
        return new (await import('./lmdb.js')).LmdbAdapter();
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`db-bench: cannot load store '${store}': ${why}`, { cause: e });
  }
}
