/**
 * lsmkv — the public surface. Everything a user may import is exported here by name; nothing else is public.
 */

export { open } from './db/open.js';
export { Db, Snapshot, type DbStats, type IteratorOptions, type LevelStats } from './db/db.js';
export { Batch } from './db/batch.js';
export { DbIterator, type Entry } from './db/db-iterator.js';
export type { WriteOptions, Bytes } from './db/keys.js';
export { ErrorCode, LsmkvError, isLsmkvError, type ErrorDetails } from './base/errors.js';
export { DEFAULT_OPTIONS, MAX_KEY_SIZE, MAX_VALUE_SIZE, type Options, type Compression } from './base/options.js';
export type { Vfs, WritableFile, RandomAccessFile, FileLock } from './base/vfs.js';
export { NodeVfs, nodeVfs } from './vfs/node-vfs.js';
export { FaultInjectionVfs } from './vfs/fault-injection-vfs.js';
export { selectCodec, type CodecSelection } from './codec/loader.js';
