import { EMPTY_BUFFER } from './layer.js';
import { ipv6String } from './addr.js';

/** Most extension headers a packet may carry before the decoder calls it malformed. */
export const MAX_IPV6_EXTENSIONS = 16;

/** IPv6 header (RFC 8200) plus the extension headers the decoder walked. */
export class Ipv6View {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 40;
  /** Extension headers, in wire order (reused arrays; valid up to extCount). */
  extCount = 0;
  private readonly extTypes = new Uint8Array(MAX_IPV6_EXTENSIONS);
  private readonly extOffsets = new Int32Array(MAX_IPV6_EXTENSIONS);
  private readonly extLengths = new Int32Array(MAX_IPV6_EXTENSIONS);
  /** Absolute offset of the fragment header, -1 if none. */
  fragmentHeaderOffset = -1;
  /** Jumbo Payload option value (RFC 2675), 0 if none. */
  jumboLength = 0;
  /** Absolute offset of the destination the pseudo-header uses (routing header: final hop). */
  finalDstOffset = 24;

  reset(buf: Buffer, offset: number, length: number): void {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.extCount = 0;
    this.fragmentHeaderOffset = -1;
    this.jumboLength = 0;
    this.finalDstOffset = offset + 24;
  }

  /** Appends an extension header; false when the list is full. */
  addExtension(type: number, offset: number, length: number): boolean {
    const n = this.extCount;
    if (n === MAX_IPV6_EXTENSIONS) return false;
    this.extTypes[n] = type;
    this.extOffsets[n] = offset;
    this.extLengths[n] = length;
    this.extCount = n + 1;
    return true;
  }
  extType(i: number): number {
    return this.extTypes[i]!;
  }
  extOffset(i: number): number {
    return this.extOffsets[i]!;
  }
  extLength(i: number): number {
    return this.extLengths[i]!;
  }

  get version(): number {
    return this.buf[this.offset]! >> 4;
  }
  get trafficClass(): number {
    return ((this.buf[this.offset]! & 15) << 4) | (this.buf[this.offset + 1]! >> 4);
  }
  get flowLabel(): number {
    const b = this.buf;
    const o = this.offset;
    return ((b[o + 1]! & 15) << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  }
  get payloadLength(): number {
    return (this.buf[this.offset + 4]! << 8) | this.buf[this.offset + 5]!;
  }
  get nextHeader(): number {
    return this.buf[this.offset + 6]!;
  }
  get hopLimit(): number {
    return this.buf[this.offset + 7]!;
  }
  get srcOffset(): number {
    return this.offset + 8;
  }
  get dstOffset(): number {
    return this.offset + 24;
  }
  srcString(): string {
    return ipv6String(this.buf, this.offset + 8);
  }
  dstString(): string {
    return ipv6String(this.buf, this.offset + 24);
  }
  finalDstString(): string {
    return ipv6String(this.buf, this.finalDstOffset);
  }
  get hasFragment(): boolean {
    return this.fragmentHeaderOffset >= 0;
  }
  /** Fragment offset in bytes (0 without a fragment header). */
  get fragmentOffset(): number {
    const o = this.fragmentHeaderOffset;
    if (o < 0) return 0;
    return (((this.buf[o + 2]! << 8) | this.buf[o + 3]!) >> 3) * 8;
  }
  get moreFragments(): boolean {
    const o = this.fragmentHeaderOffset;
    return o >= 0 && (this.buf[o + 3]! & 1) !== 0;
  }
  get fragmentId(): number {
    const o = this.fragmentHeaderOffset;
    if (o < 0) return 0;
    const b = this.buf;
    return ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
  }
}

/**
 * Walks the TLV options of a hop-by-hop or destination-options header in buf[start, end):
 * Pad1 (type 0) is one byte, every other option has a length byte. Returns the offset of the
 * first malformed option or -1.
 */
export function walkIpv6Options(
  buf: Uint8Array,
  start: number,
  end: number,
  cb: ((type: number, offset: number, length: number) => void) | null,
): number {
  let o = start;
  while (o < end) {
    const type = buf[o]!;
    if (type === 0) {
      if (cb) cb(0, o, 1);
      o++;
      continue;
    }
    if (o + 1 >= end) return o;
    const len = buf[o + 1]! + 2;
    if (o + len > end) return o;
    if (cb) cb(type, o, len);
    o += len;
  }
  return -1;
}
