import { EMPTY_BUFFER } from './layer.js';
import type { ChecksumSource } from './checksum.js';

/**
 * The 8-byte header ICMP (RFC 792) and ICMPv6 (RFC 4443) share: type, code, checksum and a
 * 4-byte rest of header (id + sequence for queries).
 */
export class IcmpHeaderView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  headerLength = 8;
  constructor(protected readonly packet: ChecksumSource) {}

  get type(): number {
    return this.buf[this.offset]!;
  }
  get code(): number {
    return this.buf[this.offset + 1]!;
  }
  get checksum(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  /** The 32-bit word after the checksum (gateway, MTU, pointer, ND flags, or id + sequence). */
  get restOfHeader(): number {
    const b = this.buf;
    const o = this.offset + 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  get id(): number {
    return (this.buf[this.offset + 4]! << 8) | this.buf[this.offset + 5]!;
  }
  get sequence(): number {
    return (this.buf[this.offset + 6]! << 8) | this.buf[this.offset + 7]!;
  }
}
