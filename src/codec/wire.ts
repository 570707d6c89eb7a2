/**
 * Big-endian byte access by hand: the encoder's writers, and the 32-bit readers the codec,
 * printers and tracker share (Buffer's readUInt32BE does not inline on every Buffer shape).
 */

export type Bytes = ArrayLike<number>;

export function put16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 8) & 255;
  buf[off + 1] = v & 255;
}

export function put32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 24) & 255;
  buf[off + 1] = (v >>> 16) & 255;
  buf[off + 2] = (v >>> 8) & 255;
  buf[off + 3] = v & 255;
}

export function putBytes(buf: Uint8Array, off: number, data: Bytes): number {
  for (let i = 0; i < data.length; i++) buf[off + i] = data[i]! & 255;
  return data.length;
}

/** Rounds n up to a multiple of m. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Unsigned big-endian 32-bit word at `o`. */
export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The same word as a signed int32 (sequence arithmetic modulo 2^32, hashing). */
export function i32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}
