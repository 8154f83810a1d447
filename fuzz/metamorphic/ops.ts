/**
 * ops — the operations of the metamorphic harness as plain data (so fast-check can shrink them and a failure
 * prints a readable minimal list), their fast-check generators, and their one-line formatting.
 *
 * Keys are hex strings over a small alphabet that includes 0x00 and 0xff (bytewise order and prefix order are
 * exercised; hex order equals byte order). Values are described by (length, fill) and built on demand, so a
 * value shrinks to a short one. Indexes into live snapshots and open iterators are taken modulo their count
 * (an op on none is a no-op), so any shrunk list still runs.
 */

import fc from 'fast-check';

export interface ValueSpec {
  len: number;
  fill: number;
}

export type WriteOp = { t: 'put'; k: string; v: ValueSpec } | { t: 'del'; k: string };

export interface IterSpec {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse: boolean;
  limit?: number;
  /** seek() to this key right after creation. */
  seek?: string;
  /** 'keys' = keys only (values: false), 'values' = values only (keys: false). */
  fields: 'both' | 'keys' | 'values';
}

export type Op =
  | WriteOp
  | { t: 'batch'; ops: WriteOp[] }
  /** Async writes issued without awaiting (sync: true sometimes), with synchronous ones interleaved. */
  | { t: 'async'; items: Array<{ op: WriteOp; mode: 'async' | 'async-sync' | 'sync' }> }
  | { t: 'get'; k: string }
  | { t: 'getMany'; ks: string[] }
  | { t: 'iter'; spec: IterSpec }
  | { t: 'snap' }
  | { t: 'snapGet'; i: number; k: string }
  | { t: 'snapIter'; i: number; spec: IterSpec }
  | { t: 'release'; i: number }
  /** Opens an iterator and keeps it across later operations (it must keep reading its point in time). */
  | { t: 'iterOpen'; spec: IterSpec }
  | { t: 'iterNext'; i: number; n: number }
  | { t: 'iterClose'; i: number }
  | { t: 'flush' }
  | { t: 'compact'; lo?: string; hi?: string }
  | { t: 'reopen' };

const KEY_BYTES = [0x00, 0x01, 0x61, 0x62, 0x63, 0x7f, 0x80, 0xff];

export const keyArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...KEY_BYTES), { minLength: 0, maxLength: 4 })
  .map((bytes) => Buffer.from(bytes).toString('hex'));

const valueArb: fc.Arbitrary<ValueSpec> = fc.record({
  len: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 3, arbitrary: fc.integer({ min: 41, max: 900 }) },
    { weight: 1, arbitrary: fc.integer({ min: 901, max: 5000 }) },
  ),
  fill: fc.integer({ min: 0, max: 255 }),
});

const writeArb: fc.Arbitrary<WriteOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('put' as const), k: keyArb, v: valueArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('del' as const), k: keyArb }) },
);

const iterSpecArb: fc.Arbitrary<IterSpec> = fc.record(
  {
    gt: keyArb,
    gte: keyArb,
    lt: keyArb,
    lte: keyArb,
    reverse: fc.boolean(),
    limit: fc.integer({ min: 0, max: 12 }),
    seek: keyArb,
    fields: fc.constantFrom('both' as const, 'both' as const, 'keys' as const, 'values' as const),
  },
  { requiredKeys: ['reverse', 'fields'] },
);

const indexArb = fc.nat({ max: 7 });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: writeArb },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('batch' as const), ops: fc.array(writeArb, { maxLength: 8 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('async' as const),
      items: fc.array(
        fc.record({ op: writeArb, mode: fc.constantFrom('async' as const, 'async-sync' as const, 'sync' as const) }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('get' as const), k: keyArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('getMany' as const), ks: fc.array(keyArb, { maxLength: 6 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('iter' as const), spec: iterSpecArb }) },
  { weight: 2, arbitrary: fc.constant({ t: 'snap' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('snapGet' as const), i: indexArb, k: keyArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('snapIter' as const), i: indexArb, spec: iterSpecArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release' as const), i: indexArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('iterOpen' as const), spec: iterSpecArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('iterNext' as const), i: indexArb, n: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('iterClose' as const), i: indexArb }) },
  { weight: 2, arbitrary: fc.constant({ t: 'flush' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('compact' as const), lo: keyArb, hi: keyArb }, { requiredKeys: ['t'] }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
);

export function opsArb(maxLength: number): fc.Arbitrary<Op[]> {
  return fc.array(opArb, { maxLength, size: 'max' });
}

/** The bytes of a value spec: `fill` repeated with a small stride (compressible but not constant). */
export function valueBytes(v: ValueSpec): Buffer {
  const b = Buffer.allocUnsafe(v.len);
  for (let i = 0; i < v.len; i++) b[i] = (v.fill + (i % 7 === 0 ? i : 0)) & 0xff;
  return b;
}

function fmtKey(k: string | undefined): string {
  return k === undefined ? '-' : `'${k}'`;
}

function fmtWrite(op: WriteOp): string {
  return op.t === 'put' ? `put ${fmtKey(op.k)} v(${op.v.len},${op.v.fill})` : `del ${fmtKey(op.k)}`;
}

export function fmtIter(s: IterSpec): string {
  const parts: string[] = [];
  for (const b of ['gt', 'gte', 'lt', 'lte', 'seek'] as const) if (s[b] !== undefined) parts.push(`${b}=${fmtKey(s[b])}`);
  if (s.reverse) parts.push('reverse');
  if (s.limit !== undefined) parts.push(`limit=${s.limit}`);
  if (s.fields !== 'both') parts.push(`${s.fields}-only`);
  return `{${parts.join(' ')}}`;
}

/** One line per op, e.g. `put '6162' v(12,3)`. */
export function fmtOp(op: Op): string {
  switch (op.t) {
    case 'put':
    case 'del':
      return fmtWrite(op);
    case 'batch':
      return `batch [${op.ops.map(fmtWrite).join(', ')}]`;
    case 'async':
      return `async [${op.items.map((x) => `${x.mode} ${fmtWrite(x.op)}`).join(', ')}]`;
    case 'get':
      return `get ${fmtKey(op.k)}`;
    case 'getMany':
      return `getMany [${op.ks.map(fmtKey).join(', ')}]`;
    case 'iter':
      return `iter ${fmtIter(op.spec)}`;
    case 'snapGet':
      return `snapGet #${op.i} ${fmtKey(op.k)}`;
    case 'snapIter':
      return `snapIter #${op.i} ${fmtIter(op.spec)}`;
    case 'release':
      return `release #${op.i}`;
    case 'iterOpen':
      return `iterOpen ${fmtIter(op.spec)}`;
    case 'iterNext':
      return `iterNext #${op.i} n=${op.n}`;
    case 'iterClose':
      return `iterClose #${op.i}`;
    case 'compact':
      return `compact ${fmtKey(op.lo)}..${fmtKey(op.hi)}`;
    default:
      return op.t;
  }
}
