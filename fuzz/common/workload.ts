/**
 * workload — what the crash harnesses write: keys from a bounded key space (so overwrites and deletes hit live
 * keys), self-describing values, and random batches of mixed size, kind and sync flag.
 *
 * Keys: keyName(id) is one of a few prefixes (short, path-like, long) followed by the 7-digit id, so keys differ
 * in length and share prefixes; parseKeyName inverts it (-1 for a key the workload never writes).
 * Values: makeValue(op, len) = `<op>.<len>:` followed by filler bytes that depend on op, padded to `len` bytes
 * (longer if the header does not fit). The global operation index `op` in every value tells the oracle which
 * write it is looking at; parseValue rebuilds the whole value and returns -1 unless every byte matches.
 * Batches are encoded as one text line for the kill harness's child → parent protocol (encodeBatch/decodeBatch).
 */

import type { Prng } from './prng.js';

/** Value length of a deletion in a BatchSpec. */
export const DELETE = -1;

/** One write as the harness issues it: op i puts keyIds[i] with a valueLens[i]-byte value, or deletes it. */
export interface BatchSpec {
  keyIds: number[];
  /** DELETE (-1) for a deletion. */
  valueLens: number[];
  sync: boolean;
}

/** The knobs of a workload, drawn per run so that runs differ in shape. */
export interface WorkloadShape {
  keySpace: number;
  deleteRatio: number;
  syncRatio: number;
  /** Share of values between 1 and 4 KiB (the rest are 0..100 bytes). */
  largeRatio: number;
  maxBatch: number;
}

const PREFIXES = ['', 'u/', 'tenant/0042/table/items/row/'];
const ID_DIGITS = 7;

export function keyName(id: number): string {
  return PREFIXES[id % PREFIXES.length]! + String(id).padStart(ID_DIGITS, '0');
}

/** The id keyName made `key` from, or -1. */
export function parseKeyName(key: string): number {
  if (key.length < ID_DIGITS) return -1;
  const id = Number(key.slice(key.length - ID_DIGITS));
  return Number.isInteger(id) && keyName(id) === key ? id : -1;
}

export function makeValue(op: number, len: number): Buffer {
  const header = `${op}.${len}:`;
  const out = Buffer.allocUnsafe(Math.max(len, header.length));
  out.write(header, 0, 'latin1');
  for (let i = header.length; i < out.length; i++) out[i] = 97 + ((op + i) % 26);
  return out;
}

/** The op index a value made by makeValue carries, or -1 if the bytes are not exactly such a value. */
export function parseValue(value: Uint8Array): number {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
  const colon = buf.indexOf(58, 0);
  if (colon < 0 || colon > 40) return -1;
  const m = /^(\d+)\.(\d+)$/.exec(buf.toString('latin1', 0, colon));
  if (m === null) return -1;
  const op = Number(m[1]);
  const expected = makeValue(op, Number(m[2]));
  return expected.equals(buf) ? op : -1;
}

export function randomShape(prng: Prng): WorkloadShape {
  return {
    keySpace: prng.pick([50, 400, 2000]),
    deleteRatio: prng.pick([0.05, 0.2, 0.4]),
    syncRatio: prng.pick([0.01, 0.05, 0.3]),
    largeRatio: prng.pick([0, 0.02, 0.1]),
    maxBatch: prng.pick([1, 8, 64]),
  };
}

function valueLength(prng: Prng, shape: WorkloadShape): number {
  return prng.chance(shape.largeRatio) ? prng.range(1024, 4096) : prng.below(101);
}

/** A random batch: size skewed towards 1, puts and deletes (deletes of keys likely to be live). */
export function randomBatch(prng: Prng, shape: WorkloadShape): BatchSpec {
  const n = prng.skewed(1, shape.maxBatch);
  const keyIds: number[] = [];
  const valueLens: number[] = [];
  for (let i = 0; i < n; i++) {
    // A quarter of the time revisit a key of this batch, so a batch can overwrite or delete its own write.
    const id = i > 0 && prng.chance(0.25) ? keyIds[prng.below(i)]! : prng.below(shape.keySpace);
    keyIds.push(id);
    valueLens.push(prng.chance(shape.deleteRatio) ? DELETE : valueLength(prng, shape));
  }
  return { keyIds, valueLens, sync: prng.chance(shape.syncRatio) };
}

/** `<sync 0|1> <id>:<len|d>,...` — one line of the kill child's report. */
export function encodeBatch(b: BatchSpec): string {
  const ops = b.keyIds.map((id, i) => `${id}:${b.valueLens[i] === DELETE ? 'd' : b.valueLens[i]}`);
  return `${b.sync ? 1 : 0} ${ops.join(',')}`;
}

export function decodeBatch(text: string): BatchSpec {
  const m = /^([01]) (\d+:(?:d|\d+)(?:,\d+:(?:d|\d+))*)$/.exec(text);
  if (m === null) throw new Error(`workload: malformed batch line '${text.slice(0, 80)}'`);
  const keyIds: number[] = [];
  const valueLens: number[] = [];
  for (const op of m[2]!.split(',')) {
    const [id, len] = op.split(':') as [string, string];
    keyIds.push(Number(id));
    valueLens.push(len === 'd' ? DELETE : Number(len));
  }
  return { keyIds, valueLens, sync: m[1] === '1' };
}
