import { EMPTY_BUFFER } from './layer.js';

/**
 * BSD loopback header (LINKTYPE_NULL 0, LINKTYPE_LOOP 108): a 4-byte address family.
 * LOOP stores it in network order; NULL in the capturing host's order, which libpcap and tcpdump
 * guess: a value with bits in the upper half was written by the other byte order.
 */
export class NullView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 4;
  /** True for LINKTYPE_LOOP (network byte order). */
  networkOrder = false;

  get family(): number {
    const b = this.buf;
    const o = this.offset;
    const be = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    if (this.networkOrder) return be;
    const le = ((b[o + 3]! << 24) | (b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!) >>> 0;
    return (le & 0xffff0000) !== 0 ? be : le;
  }
}

/** Address families that mean IPv6 on the BSDs, macOS and Linux. */
export function isIpv6Family(family: number): boolean {
  return family === 24 || family === 28 || family === 30 || family === 10;
}

export interface NullSpec {
  /** 'null' = LINKTYPE_NULL (host byte order), 'loop' = LINKTYPE_LOOP (network order). */
  type: 'null' | 'loop';
  /** Default 2 for IPv4; for IPv6 30 (macOS) with 'null', 24 (OpenBSD) with 'loop'. */
  family?: number;
  /** NULL only: the byte order of the capturing host. Default little-endian. */
  bigEndian?: boolean;
}

export function encodeNull(spec: NullSpec, family: number, buf: Uint8Array, off: number): number {
  const f = spec.family ?? family;
  if (spec.type === 'loop' || spec.bigEndian) {
    buf[off] = (f >>> 24) & 255;
    buf[off + 1] = (f >>> 16) & 255;
    buf[off + 2] = (f >>> 8) & 255;
    buf[off + 3] = f & 255;
  } else {
    buf[off] = f & 255;
    buf[off + 1] = (f >>> 8) & 255;
    buf[off + 2] = (f >>> 16) & 255;
    buf[off + 3] = (f >>> 24) & 255;
  }
  return 4;
}
