import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { viewBuffer } from '../../src/base/view-buffer.js';

describe('viewBuffer', () => {
  it('views the bytes it names without copying them', () => {
    const ab = new ArrayBuffer(16);
    const whole = new Uint8Array(ab);
    const b = viewBuffer(ab, 3, 5);
    expect(b.length).toBe(5);
    expect(b.byteOffset).toBe(3);
    b.write('hello');
    expect(Buffer.from(whole.subarray(3, 8)).toString()).toBe('hello');
    whole[3] = 0x4a; // 'J'
    expect(b.toString()).toBe('Jello');
  });

  it('is a Buffer to every observer a caller may use', () => {
    const b = viewBuffer(new ArrayBuffer(8), 1, 4);
    b.write('abcd');
    expect(b).toBeInstanceOf(Buffer);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.constructor).toBe(Buffer);
    expect(inspect(b)).toBe('<Buffer 61 62 63 64>');
    expect(JSON.stringify(b)).toBe('{"type":"Buffer","data":[97,98,99,100]}');
    expect(b.equals(Buffer.from('abcd'))).toBe(true);
    expect(Buffer.compare(b, Buffer.from('abce'))).toBe(-1);
    expect(b.readUInt16BE(0)).toBe(0x6162);
    expect(b.toString('hex')).toBe('61626364');
    expect(Buffer.concat([b, b]).toString()).toBe('abcdabcd');
    // Views of it are ordinary Buffers again.
    const sub = b.subarray(1, 3);
    expect(Object.getPrototypeOf(sub)).toBe(Buffer.prototype);
    expect(sub.toString()).toBe('bc');
  });

  it('works over a SharedArrayBuffer and refuses a range outside the buffer', () => {
    const sab = new SharedArrayBuffer(4);
    expect(viewBuffer(sab, 0, 4).length).toBe(4);
    expect(() => viewBuffer(new ArrayBuffer(4), 2, 3)).toThrow(RangeError);
    expect(() => viewBuffer(new ArrayBuffer(4), 5, 0)).toThrow(RangeError);
  });
});
