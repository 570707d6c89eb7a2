/** Big-endian writers for the encoder (the decoder reads bytes inline). */

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
