import { describe, expect, it } from 'vitest';
import { ErrorCode, FaultInjectionVfs, LsmkvError, open } from '../../src/index.js';
import { useFreshDb } from '../helpers/fresh-db.js';
import { tempDir } from '../helpers/tmp-dir.js';

const { cleanups, fresh } = useFreshDb();

describe('db basics', () => {
  it('puts, gets, overwrites and deletes with string and byte keys', async () => {
    const { db } = await fresh();
    expect(db.get('a')).toBeUndefined();
    db.put('a', '1');
    db.put(Buffer.from('b'), new Uint8Array([2]));
    expect(db.get('a')).toEqual(Buffer.from('1'));
    expect(db.get(new Uint8Array([0x62]))).toEqual(Buffer.from([2]));
    db.put('a', 'one');
    expect(db.get('a')!.toString()).toBe('one');
    db.delete('a');
    expect(db.get('a')).toBeUndefined();
    expect(db.has('b')).toBe(true);
    expect(db.has('a')).toBe(false);
    expect(db.getMany(['a', 'b', 'c'])).toEqual([undefined, Buffer.from([2]), undefined]);
  });

  it('stores the empty key and empty values', async () => {
    const { db } = await fresh();
    db.put('', '');
    expect(db.get('')).toEqual(Buffer.alloc(0));
    await db.flush();
    expect(db.get('')).toEqual(Buffer.alloc(0));
  });

  it('returns copies: mutating a returned value changes nothing stored', async () => {
    const { db } = await fresh();
    db.put('k', 'value');
    const v = db.get('k')!;
    v.fill(0);
    expect(db.get('k')!.toString()).toBe('value');
  });

  it('applies a batch atomically and in order', async () => {
    const { db } = await fresh();
    db.put('x', 'old');
    const b = db.batch().put('a', '1').put('b', '2').delete('x').put('a', '3');
    expect(b.length).toBe(4);
    db.write(b);
    expect(db.get('a')!.toString()).toBe('3');
    expect(db.get('b')!.toString()).toBe('2');
    expect(db.get('x')).toBeUndefined();
  });

  it('starts each new batch with room for the last batch written, up to 256 KiB, so it does not regrow', async () => {
    const { db } = await fresh();
    const value = Buffer.alloc(100, 7);
    const fill = (n: number) => {
      const b = db.batch();
      for (let i = 0; i < n; i++) b.put(`key${String(i).padStart(8, '0')}`, value);
      return b;
    };
    expect(db.batch().inner.capacity).toBeLessThan(1024);
    const big = fill(1000);
    db.write(big);
    const next = db.batch();
    expect(next.inner.capacity).toBeGreaterThanOrEqual(big.byteLength);
    const again = fill(1000);
    expect(again.inner.capacity).toBe(next.inner.capacity); // filled without growing
    await db.writeAsync(fill(10));
    expect(db.batch().inner.capacity).toBeLessThan(big.byteLength); // follows the last batch, also through writeAsync
    db.write(fill(5000)); // ~600 KiB
    expect(db.batch().inner.capacity).toBe(256 * 1024);
    expect(db.get('key00004999')!.equals(value)).toBe(true);
  });

  it('rejects bad arguments with TypeError/RangeError and keeps working', async () => {
    const { db } = await fresh();
    db.put('keep', 'me');
    expect(() => db.put(1 as unknown as string, 'v')).toThrow(TypeError);
    expect(() => db.put('k', null as unknown as string)).toThrow(TypeError);
    expect(() => db.put('k', { a: 1 } as unknown as string)).toThrow(/value must be a string, Buffer or Uint8Array/);
    expect(() => db.get(undefined as unknown as string)).toThrow(TypeError);
    expect(() => db.put(Buffer.alloc(64 * 1024 + 1), 'v')).toThrow(RangeError);
    expect(() => db.put('k', 'v', { sync: 'yes' } as unknown as { sync: boolean })).toThrow(TypeError);
    expect(() => db.batch().put('a', 'b').put(5 as unknown as string, 'x')).toThrow(TypeError);
    expect(() => db.iterator({ limit: -5 })).toThrow(RangeError);
    expect(() => db.iterator({ reverse: 'yes' as unknown as boolean })).toThrow(TypeError);
    await expect(db.putAsync(7 as unknown as string, 'x')).rejects.toThrow(TypeError);
    expect(db.get('k')).toBeUndefined();
    expect(db.get('keep')!.toString()).toBe('me');
  });

  it('rejects invalid options before touching the disk', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    await expect(open(t.path, { writeBufferSize: -1 })).rejects.toThrow(RangeError);
    await expect(open(t.path, { compression: 'zstd' as 'none' })).rejects.toThrow(TypeError);
    await expect(open(t.path, { bogus: 1 } as never)).rejects.toThrow(/unknown option 'bogus'/);
    await expect(open('')).rejects.toThrow(TypeError);
  });

  it('honours createIfMissing and errorIfExists', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const missing = `${t.path}/nope`;
    await expect(open(missing, { createIfMissing: false })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    const db = await open(missing);
    db.put('a', 'b');
    await db.close();
    await expect(open(missing, { errorIfExists: true })).rejects.toMatchObject({ code: ErrorCode.EXISTS });
    const again = await open(missing, { createIfMissing: false });
    expect(again.get('a')!.toString()).toBe('b');
    await again.close();
  });

  it('a second open of the same directory fails with LOCKED until the first closes', async () => {
    const { db, dir } = await fresh();
    await expect(open(dir)).rejects.toMatchObject({ code: ErrorCode.LOCKED });
    await db.close();
    const again = await open(dir);
    await again.close();
  });

  it('close is idempotent and every later call throws CLOSED', async () => {
    const { db } = await fresh();
    db.put('a', '1');
    const it = db.iterator();
    const p1 = db.close();
    const p2 = db.close();
    expect(p1).toBe(p2);
    await p1;
    for (const f of [() => db.get('a'), () => db.put('a', '2'), () => db.iterator(), () => db.snapshot(), () => it.next()]) {
      try {
        f();
        expect.unreachable('should throw');
      } catch (e) {
        expect(e).toBeInstanceOf(LsmkvError);
        expect((e as LsmkvError).code).toBe(ErrorCode.CLOSED);
      }
    }
    await expect(db.flush()).rejects.toMatchObject({ code: ErrorCode.CLOSED });
  });

  it('reopens with everything written, across flushes', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    let db = await open(t.path, { writeBufferSize: 16 * 1024 });
    for (let i = 0; i < 3000; i++) db.put(`key${String(i).padStart(5, '0')}`, `value-${i}`);
    for (let i = 0; i < 3000; i += 3) db.delete(`key${String(i).padStart(5, '0')}`);
    await db.close();
    db = await open(t.path);
    for (let i = 0; i < 3000; i++) {
      const v = db.get(`key${String(i).padStart(5, '0')}`);
      if (i % 3 === 0) expect(v).toBeUndefined();
      else expect(v!.toString()).toBe(`value-${i}`);
    }
    await db.close();
  });

  it('group-commits concurrent async writes, including sync ones', async () => {
    const { db } = await fresh();
    const ps: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) ps.push(db.putAsync(`k${i}`, `v${i}`, { sync: i % 10 === 0 }));
    ps.push(db.deleteAsync('k5'));
    ps.push(db.writeAsync(db.batch().put('batch', 'yes')));
    await Promise.all(ps);
    expect(db.get('k199')!.toString()).toBe('v199');
    expect(db.get('k5')).toBeUndefined();
    expect(db.get('batch')!.toString()).toBe('yes');
  });

  it('keeps call order between queued async writes and a later synchronous write', async () => {
    const { db } = await fresh();
    const p = db.putAsync('k', 'async');
    db.put('k', 'sync');
    await p;
    expect(db.get('k')!.toString()).toBe('sync');
  });

  it('reports stats', async () => {
    const { db } = await fresh();
    for (let i = 0; i < 2000; i++) db.put(`k${i}`, 'x'.repeat(100));
    await db.flush();
    for (let i = 0; i < 100; i++) db.get(`k${i}-absent`); // inside the tables' key range: the bloom filter answers
    const s = db.stats();
    expect(s.levels.length).toBe(7);
    expect(s.levels.reduce((n, l) => n + l.files, 0)).toBeGreaterThan(0);
    expect(s.userBytesWritten).toBeGreaterThan(2000 * 100);
    expect(s.writeAmplification).toBeGreaterThan(1);
    expect(s.bloom.checked).toBeGreaterThan(0);
    expect(s.bloom.useful).toBeGreaterThan(50);
    expect(s.sequence).toBe(2000);
    expect(['native', 'typescript']).toContain(s.codec);
  });
});

describe('db on the fault-injection vfs (inline background)', () => {
  it('works end to end in memory', async () => {
    const vfs = new FaultInjectionVfs();
    const db = await open('/mem/db', { vfs, writeBufferSize: 8192 });
    for (let i = 0; i < 2000; i++) db.put(`k${i}`, `v${i}`);
    await db.flush();
    expect(db.stats().background).toBe('inline');
    expect(db.get('k1999')!.toString()).toBe('v1999');
    await db.close();
    const again = await open('/mem/db', { vfs });
    expect(again.get('k0')!.toString()).toBe('v0');
    await again.close();
  });
});
