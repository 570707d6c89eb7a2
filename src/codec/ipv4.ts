import { EMPTY_BUFFER, type ChecksumStatus } from './layer.js';
import { ipv4String } from './addr.js';
import { checksumOf, foldSum, sumWords } from './checksum.js';

/** IPv4 option kinds (RFC 791, 2113). */
export const Ipv4Option = {
  Eol: 0,
  Nop: 1,
  RecordRoute: 7,
  Timestamp: 68,
  Lsrr: 131,
  Ssrr: 137,
  RouterAlert: 148,
} as const;

export type OptionCallback = (kind: number, offset: number, length: number) => void;

/**
 * Walks type-length options in buf[start, end): EOL ends the list, NOP is one byte, anything
 * else has a length byte >= 2 that must fit. Calls `cb` with the option's absolute offset and
 * length; returns the offset of the first malformed option, or -1 when the walk was clean.
 */
export function walkOptions(buf: Uint8Array, start: number, end: number, cb: OptionCallback | null): number {
  let o = start;
  while (o < end) {
    const kind = buf[o]!;
    if (kind === 0) {
      if (cb) cb(0, o, 1);
      return -1;
    }
    if (kind === 1) {
      if (cb) cb(1, o, 1);
      o++;
      continue;
    }
    if (o + 1 >= end) return o;
    const len = buf[o + 1]!;
    if (len < 2 || o + len > end) return o;
    if (cb) cb(kind, o, len);
    o += len;
  }
  return -1;
}

/** IPv4 header (RFC 791) over buf at offset; getters read the bytes. */
export class Ipv4View {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  /** Header bytes captured (== headerLength once decoded). */
  length = 0;
  headerLength = 20;
  /** Absolute offset of the address a pseudo-header uses as destination (LSRR/SSRR: the last hop). */
  finalDstOffset = 16;

  get version(): number {
    return this.buf[this.offset]! >> 4;
  }
  get ihl(): number {
    return this.buf[this.offset]! & 15;
  }
  get tos(): number {
    return this.buf[this.offset + 1]!;
  }
  get dscp(): number {
    return this.buf[this.offset + 1]! >> 2;
  }
  get ecn(): number {
    return this.buf[this.offset + 1]! & 3;
  }
  get totalLength(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  get id(): number {
    return (this.buf[this.offset + 4]! << 8) | this.buf[this.offset + 5]!;
  }
  /** The 3 flag bits (reserved, DF, MF) as a number 0..7. */
  get flags(): number {
    return this.buf[this.offset + 6]! >> 5;
  }
  get reservedFlag(): boolean {
    return (this.buf[this.offset + 6]! & 0x80) !== 0;
  }
  get df(): boolean {
    return (this.buf[this.offset + 6]! & 0x40) !== 0;
  }
  get mf(): boolean {
    return (this.buf[this.offset + 6]! & 0x20) !== 0;
  }
  /** Fragment offset in bytes. */
  get fragmentOffset(): number {
    return (((this.buf[this.offset + 6]! & 0x1f) << 8) | this.buf[this.offset + 7]!) * 8;
  }
  get ttl(): number {
    return this.buf[this.offset + 8]!;
  }
  get protocol(): number {
    return this.buf[this.offset + 9]!;
  }
  get checksum(): number {
    return (this.buf[this.offset + 10]! << 8) | this.buf[this.offset + 11]!;
  }
  get srcOffset(): number {
    return this.offset + 12;
  }
  get dstOffset(): number {
    return this.offset + 16;
  }
  get src(): number {
    const b = this.buf;
    const o = this.offset + 12;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  get dst(): number {
    const b = this.buf;
    const o = this.offset + 16;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  srcString(): string {
    return ipv4String(this.buf, this.offset + 12);
  }
  dstString(): string {
    return ipv4String(this.buf, this.offset + 16);
  }
  get optionsOffset(): number {
    return this.offset + 20;
  }
  get optionsLength(): number {
    return this.headerLength - 20;
  }
  /** Calls cb(kind, absoluteOffset, length) per option; false if an option was malformed. */
  forEachOption(cb: OptionCallback): boolean {
    return walkOptions(this.buf, this.offset + 20, this.offset + this.headerLength, cb) < 0;
  }
  checksumStatus(): ChecksumStatus {
    if (this.length < this.headerLength) return 'unverifiable';
    const s = foldSum(sumWords(this.buf, this.offset, this.offset + this.headerLength, 0));
    return s === 0xffff ? 'correct' : 'incorrect';
  }
  /** The header checksum the header should carry (-1 when the header was not all captured). */
  expectedChecksum(): number {
    if (this.length < this.headerLength) return -1;
    return checksumOf(sumWords(this.buf, this.offset, this.offset + this.headerLength, 0) - this.checksum);
  }
}
