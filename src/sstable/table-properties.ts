/**
 * table-properties — the facts recorded in a table's properties block (docs/FORMAT.md "Properties block"):
 * a block with restart interval 1 mapping ASCII names, sorted bytewise, to varints (raw bytes for the keys).
 *
 * Meaning of the sizes (written by TableBuilder): data-size = bytes of all data blocks with their trailers (the
 * offset where the next section begins); filter-size = bytes of the filter contents (without trailer);
 * index-size = bytes of the stored index block (without trailer). Missing names read as 0 / empty; unknown names
 * are ignored. DO NOT CHANGE the names: embedded in on-disk data.
 */

import { getVarint, putVarint, varintLength, varintValue } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import type { BlockEntries, DecodedBlock } from '../codec/codec.js';

export interface TableProperties {
  creationTime: number;
  dataSize: number;
  filterSize: number;
  indexSize: number;
  /** Raw internal key. */
  largestKey: Buffer;
  maxSequence: number;
  minSequence: number;
  numDataBlocks: number;
  numDeletions: number;
  numEntries: number;
  rawKeySize: number;
  rawValueSize: number;
  /** Raw internal key. */
  smallestKey: Buffer;
}

type NumericName = Exclude<keyof TableProperties, 'largestKey' | 'smallestKey'>;

/** Property name → field, sorted bytewise by name (the order they are written in). DO NOT CHANGE the names. */
const NUMERIC: ReadonlyArray<readonly [string, NumericName]> = [
  ['lsmkv.creation-time', 'creationTime'],
  ['lsmkv.data-size', 'dataSize'],
  ['lsmkv.filter-size', 'filterSize'],
  ['lsmkv.index-size', 'indexSize'],
  ['lsmkv.max-sequence', 'maxSequence'],
  ['lsmkv.min-sequence', 'minSequence'],
  ['lsmkv.num-data-blocks', 'numDataBlocks'],
  ['lsmkv.num-deletions', 'numDeletions'],
  ['lsmkv.num-entries', 'numEntries'],
  ['lsmkv.raw-key-size', 'rawKeySize'],
  ['lsmkv.raw-value-size', 'rawValueSize'],
];
const LARGEST_KEY = 'lsmkv.largest-key';
const SMALLEST_KEY = 'lsmkv.smallest-key';
const NUMERIC_BY_NAME = new Map<string, NumericName>(NUMERIC);

function varintBuffer(v: number): Buffer {
  const b = Buffer.allocUnsafe(varintLength(v));
  putVarint(b, 0, v);
  return b;
}

/** The properties as sorted block entries, ready for codec.encodeBlock with restart interval 1. */
export function propertiesToEntries(p: TableProperties): BlockEntries {
  const pairs: Array<[string, Buffer]> = NUMERIC.map(([name, field]) => [name, varintBuffer(p[field])]);
  pairs.push([LARGEST_KEY, p.largestKey], [SMALLEST_KEY, p.smallestKey]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const keys = Buffer.from(pairs.map((e) => e[0]).join(''), 'latin1');
  const values = Buffer.concat(pairs.map((e) => e[1]));
  const keyOffsets = new Uint32Array(pairs.length + 1);
  const valueOffsets = new Uint32Array(pairs.length + 1);
  for (let i = 0; i < pairs.length; i++) {
    keyOffsets[i + 1] = keyOffsets[i]! + pairs[i]![0].length;
    valueOffsets[i + 1] = valueOffsets[i]! + pairs[i]![1].length;
  }
  return { count: pairs.length, keys, keyOffsets, values, valueOffsets };
}

/** Reads a decoded properties block. Throws CORRUPTION (naming file and the block's offset) on a bad varint. */
export function propertiesFromBlock(block: DecodedBlock, fileName: string, blockOffset: number): TableProperties {
  const p: TableProperties = {
    creationTime: 0,
    dataSize: 0,
    filterSize: 0,
    indexSize: 0,
    largestKey: Buffer.alloc(0),
    maxSequence: 0,
    minSequence: 0,
    numDataBlocks: 0,
    numDeletions: 0,
    numEntries: 0,
    rawKeySize: 0,
    rawValueSize: 0,
    smallestKey: Buffer.alloc(0),
  };
  for (let i = 0; i < block.count; i++) {
    const name = block.keys.toString('latin1', block.keyOffsets[i]!, block.keyOffsets[i + 1]!);
    const vs = block.valueOffsets[2 * i]!;
    const ve = block.valueOffsets[2 * i + 1]!;
    if (name === LARGEST_KEY) {
      p.largestKey = Buffer.from(block.data.subarray(vs, ve));
    } else if (name === SMALLEST_KEY) {
      p.smallestKey = Buffer.from(block.data.subarray(vs, ve));
    } else {
      const field = NUMERIC_BY_NAME.get(name);
      if (field === undefined) continue;
      if (getVarint(block.data, vs, ve) !== ve) {
        throw corruption('sstable', `bad value for property ${name}`, fileName, blockOffset);
      }
      p[field] = varintValue.v;
    }
  }
  return p;
}
