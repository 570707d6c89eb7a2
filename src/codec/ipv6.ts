import { EMPTY_BUFFER } from './layer.js';
import { ipv6String, parseIpv6 } from './addr.js';
import { put16, put32, putBytes, type Bytes } from './wire.js';

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
  /** Absolute offset of the (first) fragment header, -1 if none. */
  fragmentHeaderOffset = -1;
  /** A fragment header with M set was seen: part of a larger datagram. */
  fragmented = false;
  /** Jumbo Payload option value (RFC 2675), 0 if none. */
  jumboLength = 0;
  /** Absolute offset of the destination the pseudo-header uses (routing header: final hop). */
  finalDstOffset = 24;

  reset(buf: Buffer, offset: number, length: number): void {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.finalDstOffset = offset + 24;
    // The decoder sets the fragment and jumbo fields only after adding an extension header, so
    // with none they still hold their defaults (and the common case is four stores).
    if (this.extCount !== 0) this.clearExtensions();
  }

  private clearExtensions(): void {
    this.extCount = 0;
    this.fragmentHeaderOffset = -1;
    this.fragmented = false;
    this.jumboLength = 0;
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

/** A hop-by-hop / destination option: Pad1 is { type: 0 }; length defaults to data.length. */
export interface Ipv6OptionSpec {
  type: number;
  data?: Bytes;
  length?: number;
}

export type Ipv6ExtSpec =
  | {
      type: 'hopByHop' | 'destOptions';
      options?: Ipv6OptionSpec[];
      /** Add a Jumbo Payload option: `true` = the real length, a number = that value. */
      jumbo?: number | true;
      nextHeader?: number;
      /** Header length field override (8-byte units minus one). */
      hdrExtLen?: number;
    }
  | {
      type: 'routing';
      /** 0 (deprecated source route), 2 (mobile IPv6), 4 (segment routing)... Default 0. */
      routingType?: number;
      segmentsLeft?: number;
      /** The 4 bytes after segments left (reserved / SRH last entry, flags, tag). */
      reserved?: number;
      addresses: string[];
      nextHeader?: number;
      hdrExtLen?: number;
    }
  | {
      type: 'fragment';
      /** Fragment offset in bytes (a multiple of 8). */
      offset?: number;
      more?: boolean;
      id?: number;
      /** The reserved byte and the two reserved bits beside M. */
      reserved?: number;
      reservedBits?: number;
      nextHeader?: number;
    };

export interface Ipv6Spec {
  type: 'ipv6';
  src: string;
  dst: string;
  trafficClass?: number;
  flowLabel?: number;
  /** Default 64. */
  hopLimit?: number;
  /** Default: the first extension header's type, else the transport's protocol. */
  nextHeader?: number;
  extensions?: Ipv6ExtSpec[];
  /** Override; default the real length, or 0 with a jumbo option. */
  payloadLength?: number;
}

const EXT_TYPE = { hopByHop: 0, routing: 43, fragment: 44, destOptions: 60 } as const;

/** Option bytes of a hop-by-hop/destination header, padded (Pad1/PadN) to a multiple of 8 with the 2 fixed bytes. */
function tlvBytes(ext: { options?: Ipv6OptionSpec[]; jumbo?: number | true }, jumboValue: number): number[] {
  const out: number[] = [];
  if (ext.jumbo !== undefined) {
    // RFC 2675 alignment 4n+2: the option lands right after the two fixed bytes.
    const v = ext.jumbo === true ? jumboValue : ext.jumbo;
    out.push(0xc2, 4, (v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  for (const o of ext.options ?? []) {
    if (o.type === 0) {
      out.push(0);
      continue;
    }
    const data = Array.from(o.data ?? []);
    out.push(o.type, o.length ?? data.length, ...data);
  }
  const pad = (8 - ((out.length + 2) % 8)) % 8;
  if (pad === 1) out.push(0);
  else if (pad > 1) out.push(1, pad - 2, ...new Array<number>(pad - 2).fill(0));
  return out;
}

function extLength(ext: Ipv6ExtSpec): number {
  switch (ext.type) {
    case 'fragment':
      return 8;
    case 'routing':
      return 8 + 16 * ext.addresses.length;
    default:
      return 2 + tlvBytes(ext, 0).length;
  }
}

export function ipv6HeaderLength(spec: Ipv6Spec): number {
  let n = 40;
  for (const e of spec.extensions ?? []) n += extLength(e);
  return n;
}

/** Routing header with segments left: the pseudo-header uses the final destination. */
export function ipv6FinalDst(spec: Ipv6Spec): Uint8Array {
  let dst = parseIpv6(spec.dst);
  for (const e of spec.extensions ?? []) {
    if (e.type !== 'routing' || (e.segmentsLeft ?? e.addresses.length) === 0 || e.addresses.length === 0) continue;
    const t = e.routingType ?? 0;
    if (t === 0 || t === 2) dst = parseIpv6(e.addresses[e.addresses.length - 1]!);
    else if (t === 4) dst = parseIpv6(e.addresses[0]!);
  }
  return dst;
}

/** Writes the header and extension headers; `upperLength` = bytes after them. Returns bytes written. */
export function encodeIpv6(spec: Ipv6Spec, protocol: number, upperLength: number, buf: Uint8Array, off: number): number {
  const exts = spec.extensions ?? [];
  const total = ipv6HeaderLength(spec);
  const plen = total - 40 + upperLength;
  const hasJumbo = exts.some((e) => (e.type === 'hopByHop' || e.type === 'destOptions') && e.jumbo !== undefined);
  const tc = spec.trafficClass ?? 0;
  put32(buf, off, (6 << 28) | ((tc & 255) << 20) | ((spec.flowLabel ?? 0) & 0xfffff));
  put16(buf, off + 4, spec.payloadLength ?? (hasJumbo || plen > 0xffff ? 0 : plen));
  buf[off + 6] = spec.nextHeader ?? (exts.length ? EXT_TYPE[exts[0]!.type] : protocol);
  buf[off + 7] = spec.hopLimit ?? 64;
  buf.set(parseIpv6(spec.src), off + 8);
  buf.set(parseIpv6(spec.dst), off + 24);
  let o = off + 40;
  exts.forEach((e, i) => {
    const next = e.nextHeader ?? (i + 1 < exts.length ? EXT_TYPE[exts[i + 1]!.type] : protocol);
    const len = extLength(e);
    buf[o] = next;
    if (e.type === 'fragment') {
      buf[o + 1] = e.reserved ?? 0;
      put16(buf, o + 2, ((((e.offset ?? 0) / 8) & 0x1fff) << 3) | (((e.reservedBits ?? 0) & 3) << 1) | (e.more ? 1 : 0));
      put32(buf, o + 4, e.id ?? 0);
    } else if (e.type === 'routing') {
      buf[o + 1] = e.hdrExtLen ?? len / 8 - 1;
      buf[o + 2] = e.routingType ?? 0;
      buf[o + 3] = e.segmentsLeft ?? e.addresses.length;
      put32(buf, o + 4, e.reserved ?? 0);
      e.addresses.forEach((a, j) => buf.set(parseIpv6(a), o + 8 + 16 * j));
    } else {
      buf[o + 1] = e.hdrExtLen ?? len / 8 - 1;
      putBytes(buf, o + 2, tlvBytes(e, plen));
    }
    o += len;
  });
  return total;
}
