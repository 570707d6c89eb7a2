import type { ChecksumStatus } from './layer.js';
import { checksumOf, foldSum, transportChecksum } from './checksum.js';
import { put16 } from './wire.js';
import { IcmpHeaderView } from './icmp-header.js';

export const IcmpType = {
  EchoReply: 0,
  DestUnreachable: 3,
  SourceQuench: 4,
  Redirect: 5,
  Echo: 8,
  RouterAdvert: 9,
  RouterSolicit: 10,
  TimeExceeded: 11,
  ParamProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  InfoRequest: 15,
  InfoReply: 16,
  MaskRequest: 17,
  MaskReply: 18,
} as const;

/** Types whose body quotes the offending datagram's IP header. */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** Types whose second word is identifier + sequence number. */
export function isIcmpQuery(type: number): boolean {
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

/** ICMP header (RFC 792): type, code, checksum and the 4-byte rest of header. */
export class IcmpView extends IcmpHeaderView {
  /** Absolute offset of the quoted IP header in an error message, -1 otherwise. */
  innerOffset = -1;

  checksumStatus(): ChecksumStatus {
    const cover = this.packet.ipEnd - this.offset;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return 'unverifiable';
    return foldSum(transportChecksum.sum(this.packet, this.offset, cover, -1)) === 0xffff ? 'correct' : 'incorrect';
  }
  expectedChecksum(): number {
    const cover = this.packet.ipEnd - this.offset;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return -1;
    return checksumOf(transportChecksum.sum(this.packet, this.offset, cover, -1) - this.checksum);
  }
}

export interface IcmpSpec {
  type: 'icmp';
  icmpType: number;
  code?: number;
  id?: number;
  sequence?: number;
  /** The whole second word (gateway, MTU, pointer...); overrides id/sequence. */
  rest?: number;
  checksum?: number;
}

/** Writes the 8-byte header with a zero checksum; the quoted packet or echo data is the payload. */
export function encodeIcmp(spec: IcmpSpec, buf: Uint8Array, off: number): number {
  buf[off] = spec.icmpType;
  buf[off + 1] = spec.code ?? 0;
  put16(buf, off + 2, 0);
  if (spec.rest !== undefined) {
    put16(buf, off + 4, (spec.rest >>> 16) & 0xffff);
    put16(buf, off + 6, spec.rest & 0xffff);
  } else {
    put16(buf, off + 4, spec.id ?? 0);
    put16(buf, off + 6, spec.sequence ?? 0);
  }
  return 8;
}
