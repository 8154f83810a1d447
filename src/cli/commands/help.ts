/**
 * help command — `lsmkv --help`: the usage text.
 */

import { STORE_NAMES, WORKLOAD_NAMES } from '../../../bench/db-bench/config.js';
import type { CliIO } from '../io.js';

export const HELP = `lsmkv — an embedded, crash-safe LSM-tree key-value store

Usage:
  lsmkv bench [options]     benchmark lsmkv (1,000,000 entries in a temporary directory)
  lsmkv bench --peers       the same against classic-level, rocksdb and lmdb, every workload
  lsmkv verify <dir>        read every block of a database and check every checksum
  lsmkv stats <dir>         print a database's statistics
  lsmkv --help              this text

Bench options:
  --n N                entries (default 1000000; 1e6, 250k, 1M work)
  --stores LIST        comma list of ${STORE_NAMES.join(', ')} (lsmkv-ts: lsmkv on its TypeScript codec)
  --workloads LIST     comma list of ${WORKLOAD_NAMES.join(', ')}
  --rounds R           repeat R times, rotating the store order; report medians (default 1)
  --value-size B       value bytes (default 100; half compressible)
  --native auto|0|1    LSMKV_NATIVE for the lsmkv process (default auto)
  --dir DIR            where the temporary directory goes (default the OS temp dir); removed afterwards
  --json FILE          also write the results as JSON
  --seed S             seed of key order and values (default 301)
  --quiet              no progress output

Exit codes: 0 ok; 1 a benchmark cell FAILED verification, or verify found corruption; 2 usage error;
3 the database could not be opened.
`;

export function helpCommand(io: CliIO): number {
  io.stdout.write(HELP);
  return 0;
}
