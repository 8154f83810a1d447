/**
 * view-buffer — makes a Buffer that views bytes of an ArrayBuffer, about 3x cheaper than Buffer#subarray.
 *
 * Node's Buffer#subarray (and Buffer.from(arrayBuffer, offset, length)) checks and normalises its arguments in
 * JavaScript before it constructs the view; a scan returns two views per entry (key and value), so that cost is
 * paid millions of times. ViewBuffer is a plain Uint8Array subclass whose prototype chain runs through
 * Buffer.prototype, and whose `constructor` is Buffer, so what it makes is a Buffer to every observer:
 * `instanceof Buffer`, Buffer.isBuffer, every Buffer method, util.inspect (`<Buffer ..>`), JSON, Buffer.compare.
 * Measured, Node 20 on this machine, 5 M views of 16 bytes: subarray 60-83 ns, Buffer.from(ab, off, len)
 * 59-67 ns, viewBuffer 22-30 ns (a plain Uint8Array 22-34 ns).
 * REQUIRES: 0 <= byteOffset, byteOffset + length <= buffer.byteLength (the Uint8Array constructor throws a
 * RangeError otherwise, so a wrong call fails loudly, it never reads outside the buffer).
 */

class ViewBuffer extends Uint8Array {}
Object.setPrototypeOf(ViewBuffer.prototype, Buffer.prototype);
Object.defineProperty(ViewBuffer.prototype, 'constructor', {
  value: Buffer,
  writable: true,
  configurable: true,
  enumerable: false,
});

/** A Buffer viewing buffer[byteOffset, byteOffset + length) (shares the bytes, copies nothing). */
export function viewBuffer(buffer: ArrayBuffer | SharedArrayBuffer, byteOffset: number, length: number): Buffer {
  return new ViewBuffer(buffer as ArrayBuffer, byteOffset, length) as unknown as Buffer;
}
