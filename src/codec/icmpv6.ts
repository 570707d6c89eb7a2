import type { ChecksumStatus } from './layer.js';
import { checksumOf, foldSum, transportChecksum } from './checksum.js';
import { put16 } from './wire.js';
import { IcmpHeaderView } from './icmp-header.js';
import { ipv6String, parseIpv6 } from './addr.js';
import { putBytes, type Bytes } from './wire.js';

export const Icmpv6Type = {
  DestUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParamProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  RouterSolicit: 133,
  RouterAdvert: 134,
  NeighborSolicit: 135,
  NeighborAdvert: 136,
  Redirect: 137,
} as const;

/** Fixed message length of the neighbor discovery types (RFC 4861); 8 for everything else. */
export function icmpv6FixedLength(type: number): number {
  switch (type) {
    case 134:
      return 16;
    case 135:
    case 136:
      return 24;
    case 137:
      return 40;
    default:
      return 8;
  }
}

/** ND types carry options after their fixed part. */
export function isNeighborDiscovery(type: number): boolean {
  return type >= 133 && type <= 137;
}

/** ICMPv6 (RFC 4443) with the neighbor discovery basics (RFC 4861). */
export class Icmpv6View extends IcmpHeaderView {
  /** Absolute offset of the quoted packet in an error message, -1 otherwise. */
  innerOffset = -1;
  /** ND options: absolute start and end (end == start when none). */
  optionsOffset = 0;
  optionsEnd = 0;

  /** Target address of NS / NA / redirect, -1 for other types. */
  get targetOffset(): number {
    const t = this.type;
    return t === 135 || t === 136 || t === 137 ? this.offset + 8 : -1;
  }
  targetString(): string {
    const o = this.targetOffset;
    return o < 0 ? '' : ipv6String(this.buf, o);
  }
  /** Redirect's destination address, -1 for other types. */
  get destinationOffset(): number {
    return this.type === 137 ? this.offset + 24 : -1;
  }
  /** NA flags: router, solicited, override. */
  get router(): boolean {
    return (this.buf[this.offset + 4]! & 0x80) !== 0;
  }
  get solicited(): boolean {
    return (this.buf[this.offset + 4]! & 0x40) !== 0;
  }
  get override(): boolean {
    return (this.buf[this.offset + 4]! & 0x20) !== 0;
  }
  /** RA: current hop limit, router lifetime, reachable time, retransmit timer. */
  get curHopLimit(): number {
    return this.buf[this.offset + 4]!;
  }
  get routerLifetime(): number {
    return (this.buf[this.offset + 6]! << 8) | this.buf[this.offset + 7]!;
  }
  /**
   * Calls cb(type, absoluteOffset, lengthInBytes) for each ND option; false when an option
   * has length 0 or runs past the message.
   */
  forEachOption(cb: (type: number, offset: number, length: number) => void): boolean {
    return walkNdOptions(this.buf, this.optionsOffset, this.optionsEnd, cb) < 0;
  }
  checksumStatus(): ChecksumStatus {
    const cover = this.packet.ipEnd - this.offset;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return 'unverifiable';
    return foldSum(transportChecksum.sum(this.packet, this.offset, cover, 58)) === 0xffff ? 'correct' : 'incorrect';
  }
  expectedChecksum(): number {
    const cover = this.packet.ipEnd - this.offset;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return -1;
    return checksumOf(transportChecksum.sum(this.packet, this.offset, cover, 58) - this.checksum);
  }
}

/** ND options are type, length in 8-byte units (never 0), data. Returns a bad option's offset or -1. */
export function walkNdOptions(
  buf: Uint8Array,
  start: number,
  end: number,
  cb: ((type: number, offset: number, length: number) => void) | null,
): number {
  let o = start;
  while (o < end) {
    if (o + 2 > end) return o;
    const len = buf[o + 1]! * 8;
    if (len === 0 || o + len > end) return o;
    if (cb) cb(buf[o]!, o, len);
    o += len;
  }
  return -1;
}

/** An ND option: the length byte (8-byte units) and padding are filled in unless `length` is set. */
export interface NdOptionSpec {
  type: number;
  data?: Bytes;
  /** Length field override, in 8-byte units. */
  length?: number;
}

export interface Icmpv6Spec {
  type: 'icmpv6';
  icmpType: number;
  code?: number;
  id?: number;
  sequence?: number;
  /** The whole second word (MTU, pointer, ND flags / RA fields); overrides id/sequence. */
  word?: number;
  /** NS / NA / redirect target. */
  target?: string;
  /** Redirect destination. */
  destination?: string;
  /** RA reachable time and retransmit timer. */
  reachableTime?: number;
  retransTimer?: number;
  options?: NdOptionSpec[];
  checksum?: number;
}

function ndOptionBytes(spec: Icmpv6Spec): number[] {
  const out: number[] = [];
  for (const o of spec.options ?? []) {
    const data = Array.from(o.data ?? []);
    const units = Math.ceil((data.length + 2) / 8);
    out.push(o.type, o.length ?? units, ...data, ...new Array<number>(units * 8 - 2 - data.length).fill(0));
  }
  return out;
}

/** Header bytes before the payload: the 8-byte base, ND fixed fields, ND options. */
export function icmpv6HeaderLength(spec: Icmpv6Spec): number {
  let n = 8;
  if (spec.icmpType === 134 || spec.reachableTime !== undefined || spec.retransTimer !== undefined) n += 8;
  if (spec.target !== undefined) n += 16;
  if (spec.destination !== undefined) n += 16;
  return n + ndOptionBytes(spec).length;
}

export function encodeIcmpv6(spec: Icmpv6Spec, buf: Uint8Array, off: number): number {
  buf[off] = spec.icmpType;
  buf[off + 1] = spec.code ?? 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  if (spec.word !== undefined) {
    putBytes(buf, off + 4, [(spec.word >>> 24) & 255, (spec.word >>> 16) & 255, (spec.word >>> 8) & 255, spec.word & 255]);
  } else {
    const id = spec.id ?? 0;
    const seq = spec.sequence ?? 0;
    putBytes(buf, off + 4, [(id >> 8) & 255, id & 255, (seq >> 8) & 255, seq & 255]);
  }
  let o = off + 8;
  if (spec.icmpType === 134 || spec.reachableTime !== undefined || spec.retransTimer !== undefined) {
    const r = spec.reachableTime ?? 0;
    const t = spec.retransTimer ?? 0;
    putBytes(buf, o, [(r >>> 24) & 255, (r >>> 16) & 255, (r >>> 8) & 255, r & 255]);
    putBytes(buf, o + 4, [(t >>> 24) & 255, (t >>> 16) & 255, (t >>> 8) & 255, t & 255]);
    o += 8;
  }
  if (spec.target !== undefined) {
    buf.set(parseIpv6(spec.target), o);
    o += 16;
  }
  if (spec.destination !== undefined) {
    buf.set(parseIpv6(spec.destination), o);
    o += 16;
  }
  o += putBytes(buf, o, ndOptionBytes(spec));
  return o - off;
}
