/**
 * log-fixtures — shared helpers of the log tests: deterministic payloads, hand-built fragments and
 * a writer that remembers where each record starts and ends.
 */

import { createHash } from 'node:crypto';
import { putFixed32 } from '../../src/base/coding.js';
import { BLOCK_SIZE, HEADER_SIZE } from '../../src/log/log-format.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { LogWriter } from '../../src/log/log-writer.js';
import { MemFile } from './mem-file.js';

export { prng } from '../helpers/model.js';

/** A payload of `n` bytes derived from `tag`, so that every record's contents are distinct. */
export function payload(n: number, tag: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + tag * 17 + (i >> 8)) & 0xff;
  return b;
}

/** One fragment (header + payload) with a correct checksum unless `checksum` overrides it. */
export function fragment(type: number, body: Uint8Array, checksum?: number): Buffer {
  const out = Buffer.alloc(HEADER_SIZE + body.length);
  out[4] = body.length & 0xff;
  out[5] = body.length >>> 8;
  out[6] = type;
  out.set(body, HEADER_SIZE);
  putFixed32(out, 0, checksum ?? tsCodec.xxh32(out.subarray(6), 0));
  return out;
}

export interface WrittenLog {
  data: Buffer;
  payloads: Buffer[];
  /** Offset of each record's first fragment. */
  starts: number[];
  /** Offset just past each record's last fragment. */
  ends: number[];
}

/** Writes the payloads one record per addRecord call and returns the file with the record positions. */
export function writeLog(payloads: Buffer[]): WrittenLog {
  const file = new MemFile();
  const w = new LogWriter(file, tsCodec);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const p of payloads) {
    const size = file.size;
    starts.push(BLOCK_SIZE - (size % BLOCK_SIZE) < HEADER_SIZE ? size + BLOCK_SIZE - (size % BLOCK_SIZE) : size);
    w.addRecord(p);
    ends.push(file.size);
  }
  return { data: file.contents(), payloads, starts, ends };
}

/** Short fingerprints of payloads: deep-comparing large Buffers in expect() is very slow. */
export function digests(payloads: readonly Uint8Array[]): string[] {
  return payloads.map((p) => `${p.length}:${createHash('sha1').update(p).digest('hex').slice(0, 12)}`);
}
