import { EMPTY_BUFFER, type ChecksumStatus } from './layer.js';
import { ipv4String, parseIpv4 } from './addr.js';
import { put16, putBytes, roundUp, type Bytes } from './wire.js';
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
  /** MF set or a non-zero offset: this datagram is one piece of a larger one (one read of both fields). */
  get isFragment(): boolean {
    return ((this.buf[this.offset + 6]! & 0x3f) | this.buf[this.offset + 7]!) !== 0;
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

export type Ipv4OptionSpec =
  | { type: 'eol' }
  | { type: 'nop' }
  /** Record route (7), loose (131) / strict (137) source route. Pointer default 4 (first slot). */
  | { type: 'rr' | 'lsrr' | 'ssrr'; pointer?: number; route: string[] }
  /** Timestamp (68): flag 0 = timestamps only, 1 = address + timestamp, 3 = prespecified. */
  | { type: 'ts'; flag?: number; overflow?: number; pointer?: number; entries: { address?: string; timestamp: number }[] }
  /** Router alert (148), value default 0. */
  | { type: 'ra'; value?: number }
  /** Anything: kind, data; length defaults to data.length + 2. */
  | { type: 'raw'; kind: number; data?: Bytes; length?: number };

export interface Ipv4Spec {
  type: 'ipv4';
  src: string;
  dst: string;
  tos?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** The three flag bits as a number (overrides df/mf). */
  flags?: number;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Default 64. */
  ttl?: number;
  /** Default: the transport's protocol number. */
  protocol?: number;
  options?: Ipv4OptionSpec[];
  /** Raw option bytes (used instead of `options`; padded to 4 with zeros). */
  optionBytes?: Bytes;
  /** Overrides (to build broken headers). */
  ihl?: number;
  totalLength?: number;
  checksum?: number;
}

const ROUTE_KIND = { rr: 7, lsrr: 131, ssrr: 137 } as const;

/** Option bytes, unpadded. */
export function ipv4OptionBytes(spec: Ipv4Spec): number[] {
  if (spec.optionBytes) return Array.from(spec.optionBytes);
  const out: number[] = [];
  for (const o of spec.options ?? []) {
    switch (o.type) {
      case 'eol':
        out.push(0);
        break;
      case 'nop':
        out.push(1);
        break;
      case 'rr':
      case 'lsrr':
      case 'ssrr':
        out.push(ROUTE_KIND[o.type], 3 + 4 * o.route.length, o.pointer ?? 4);
        for (const a of o.route) out.push(...parseIpv4(a));
        break;
      case 'ts': {
        const flag = o.flag ?? 0;
        const per = flag === 0 ? 4 : 8;
        out.push(68, 4 + per * o.entries.length, o.pointer ?? 5, ((o.overflow ?? 0) << 4) | flag);
        for (const e of o.entries) {
          if (flag !== 0) out.push(...parseIpv4(e.address ?? '0.0.0.0'));
          out.push((e.timestamp >>> 24) & 255, (e.timestamp >>> 16) & 255, (e.timestamp >>> 8) & 255, e.timestamp & 255);
        }
        break;
      }
      case 'ra':
        out.push(148, 4, ((o.value ?? 0) >> 8) & 255, (o.value ?? 0) & 255);
        break;
      case 'raw':
        out.push(o.kind, o.length ?? (o.data ? o.data.length : 0) + 2, ...Array.from(o.data ?? []));
        break;
    }
  }
  return out;
}

export function ipv4HeaderLength(spec: Ipv4Spec): number {
  return 20 + roundUp(ipv4OptionBytes(spec).length, 4);
}

/** The address a pseudo-header uses as destination: a source route's last hop (as tcpdump). */
export function ipv4FinalDst(spec: Ipv4Spec): Uint8Array {
  const opts = ipv4OptionBytes(spec);
  let dst = parseIpv4(spec.dst);
  walkOptions(Uint8Array.from(opts), 0, opts.length, (kind, o, len) => {
    if ((kind === 131 || kind === 137) && len >= 7) dst = Uint8Array.from(opts.slice(o + len - 4, o + len));
  });
  return dst;
}

/** Writes the header (checksum included) for `upperLength` bytes after it; returns its length. */
export function encodeIpv4(spec: Ipv4Spec, protocol: number, upperLength: number, buf: Uint8Array, off: number): number {
  const opts = ipv4OptionBytes(spec);
  const hl = 20 + roundUp(opts.length, 4);
  buf[off] = 0x40 | ((spec.ihl ?? hl / 4) & 15);
  buf[off + 1] = spec.tos ?? 0;
  put16(buf, off + 2, spec.totalLength ?? hl + upperLength);
  put16(buf, off + 4, spec.id ?? 0);
  const flags = spec.flags ?? ((spec.df ? 2 : 0) | (spec.mf ? 1 : 0));
  put16(buf, off + 6, ((flags & 7) << 13) | (((spec.fragmentOffset ?? 0) / 8) & 0x1fff));
  buf[off + 8] = spec.ttl ?? 64;
  buf[off + 9] = spec.protocol ?? protocol;
  put16(buf, off + 10, 0);
  buf.set(parseIpv4(spec.src), off + 12);
  buf.set(parseIpv4(spec.dst), off + 16);
  putBytes(buf, off + 20, opts);
  buf.fill(0, off + 20 + opts.length, off + hl);
  put16(buf, off + 10, spec.checksum ?? checksumOf(sumWords(buf, off, off + hl, 0)));
  return hl;
}
