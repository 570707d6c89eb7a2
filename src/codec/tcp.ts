import { EMPTY_BUFFER, type ChecksumStatus } from './layer.js';
import { checksumOf, foldSum, transportChecksum, type ChecksumSource } from './checksum.js';
import { walkOptions, type OptionCallback } from './ipv4.js';
import { put16, put32, putBytes, roundUp, u32, type Bytes } from './wire.js';

/** TCP option kinds. */
export const TcpOption = {
  Eol: 0,
  Nop: 1,
  Mss: 2,
  WindowScale: 3,
  SackPermitted: 4,
  Sack: 5,
  Timestamps: 8,
  FastOpen: 34,
  /** RFC 6994 experimental; TFO's pre-RFC 7413 form uses ExID 0xF989. */
  Experimental: 254,
} as const;

/** TCP flag bits as they sit in the 12-bit field (AE, formerly NS, is 0x100). */
export const TcpFlag = {
  Fin: 0x01,
  Syn: 0x02,
  Rst: 0x04,
  Psh: 0x08,
  Ack: 0x10,
  Urg: 0x20,
  Ece: 0x40,
  Cwr: 0x80,
  Ae: 0x100,
} as const;

/** Most SACK blocks that fit in 40 option bytes. */
const MAX_SACK = 4;

/**
 * TCP header (RFC 9293). The decoder parses the options once per packet into plain fields
 * (mss, windowScale, ...): they are read far more often than they are absent.
 */
export class TcpView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  headerLength = 20;

  /** MSS option value, -1 if absent. */
  mss = -1;
  /** Window scale shift count, -1 if absent. */
  windowScale = -1;
  sackPermitted = false;
  /** Absolute offset of the timestamps option's TSval, -1 if absent (the values are read on demand). */
  tsOffset = -1;
  sackBlockCount = 0;
  /** Absolute offset of the first SACK block, -1 if none. */
  sackOffset = -1;
  /** TFO cookie (kind 34, or kind 254 with ExID 0xF989): absolute offset and length, -1 if absent. */
  tfoCookieOffset = -1;
  tfoCookieLength = -1;
  /** Set when the options were walked (some field may hold a value), so the next reset clears them. */
  private optionsDirty = false;

  /** @param packet where the pseudo-header and coverage come from */
  constructor(private readonly packet: ChecksumSource) {}

  /**
   * Re-points the view and parses its options; returns the offset of a bad option or -1.
   * Small on purpose (it inlines into the decoder's fast path): clearing old options and
   * walking new ones are calls, taken only for headers other than the common shapes.
   */
  reset(buf: Buffer, offset: number, headerLength: number): number {
    // The common Linux layout NOP NOP TS needs no walk. Read before the stores below, which
    // would make V8 load the buffer's bounds again.
    const linuxTimestamps =
      headerLength === 32 && buf[offset + 20] === 1 && buf[offset + 21] === 1 && buf[offset + 22] === 8 &&
      buf[offset + 23] === 10;
    this.buf = buf;
    this.offset = offset;
    this.length = headerLength;
    this.headerLength = headerLength;
    // Before the call below (taken rarely), after which V8 would check this view's map again.
    // clearOptions leaves tsOffset alone; parseOptions sets it when the walk finds one.
    this.tsOffset = linuxTimestamps ? offset + 24 : -1;
    // `=== true`: one compare, where the truth test of a field V8 cannot type is a dozen.
    if (this.optionsDirty === true) this.clearOptions();
    return linuxTimestamps || headerLength === 20 ? -1 : this.parseOptions(offset + 20, offset + headerLength);
  }

  private clearOptions(): void {
    this.optionsDirty = false;
    this.mss = -1;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.sackBlockCount = 0;
    this.sackOffset = -1;
    this.tfoCookieOffset = -1;
    this.tfoCookieLength = -1;
  }

  private parseOptions(start: number, end: number): number {
    const b = this.buf;
    this.optionsDirty = true;
    let o = start;
    while (o < end) {
      const kind = b[o]!;
      if (kind === 0) return -1;
      if (kind === 1) {
        o++;
        continue;
      }
      if (o + 1 >= end) return o;
      const len = b[o + 1]!;
      if (len < 2 || o + len > end) return o;
      switch (kind) {
        case 2:
          if (len !== 4) return o;
          this.mss = (b[o + 2]! << 8) | b[o + 3]!;
          break;
        case 3:
          if (len !== 3) return o;
          this.windowScale = b[o + 2]!;
          break;
        case 4:
          if (len !== 2) return o;
          this.sackPermitted = true;
          break;
        case 5:
          if ((len - 2) % 8 !== 0) return o;
          this.sackOffset = o + 2;
          this.sackBlockCount = Math.min((len - 2) >> 3, MAX_SACK);
          break;
        case 8:
          if (len !== 10) return o;
          this.tsOffset = o + 2;
          break;
        case 34:
          this.tfoCookieOffset = o + 2;
          this.tfoCookieLength = len - 2;
          break;
        case 254:
          if (len >= 4 && b[o + 2] === 0xf9 && b[o + 3] === 0x89) {
            this.tfoCookieOffset = o + 4;
            this.tfoCookieLength = len - 4;
          }
          break;
        default:
          break;
      }
      o += len;
    }
    return -1;
  }

  get hasTimestamps(): boolean {
    return this.tsOffset >= 0;
  }
  /** TSval, 0 without the option. */
  get tsVal(): number {
    return this.tsOffset < 0 ? 0 : u32(this.buf, this.tsOffset);
  }
  /** TSecr, 0 without the option. */
  get tsEcr(): number {
    return this.tsOffset < 0 ? 0 : u32(this.buf, this.tsOffset + 4);
  }
  get srcPort(): number {
    return (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
  }
  get dstPort(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  get seq(): number {
    return u32(this.buf, this.offset + 4);
  }
  get ack(): number {
    return u32(this.buf, this.offset + 8);
  }
  /** Header length in 32-bit words. */
  get dataOffset(): number {
    return this.buf[this.offset + 12]! >> 4;
  }
  /** The 3 reserved bits between the data offset and AE. */
  get reserved(): number {
    return (this.buf[this.offset + 12]! >> 1) & 7;
  }
  /** 12-bit flags: CWR ECE URG ACK PSH RST SYN FIN in the low byte, AE (ex-NS) at 0x100. */
  get flags(): number {
    return ((this.buf[this.offset + 12]! & 1) << 8) | this.buf[this.offset + 13]!;
  }
  get fin(): boolean {
    return (this.buf[this.offset + 13]! & 0x01) !== 0;
  }
  get syn(): boolean {
    return (this.buf[this.offset + 13]! & 0x02) !== 0;
  }
  get rst(): boolean {
    return (this.buf[this.offset + 13]! & 0x04) !== 0;
  }
  get psh(): boolean {
    return (this.buf[this.offset + 13]! & 0x08) !== 0;
  }
  get ackFlag(): boolean {
    return (this.buf[this.offset + 13]! & 0x10) !== 0;
  }
  get urg(): boolean {
    return (this.buf[this.offset + 13]! & 0x20) !== 0;
  }
  get ece(): boolean {
    return (this.buf[this.offset + 13]! & 0x40) !== 0;
  }
  get cwr(): boolean {
    return (this.buf[this.offset + 13]! & 0x80) !== 0;
  }
  get ae(): boolean {
    return (this.buf[this.offset + 12]! & 1) !== 0;
  }
  get window(): number {
    return (this.buf[this.offset + 14]! << 8) | this.buf[this.offset + 15]!;
  }
  get checksum(): number {
    return (this.buf[this.offset + 16]! << 8) | this.buf[this.offset + 17]!;
  }
  get urgentPointer(): number {
    return (this.buf[this.offset + 18]! << 8) | this.buf[this.offset + 19]!;
  }
  get optionsOffset(): number {
    return this.offset + 20;
  }
  get optionsLength(): number {
    return this.headerLength - 20;
  }
  sackLeft(i: number): number {
    return u32(this.buf, this.sackOffset + 8 * i);
  }
  sackRight(i: number): number {
    return u32(this.buf, this.sackOffset + 8 * i + 4);
  }
  /** Calls cb(kind, absoluteOffset, length) per option (EOL included, then stops); false if malformed. */
  forEachOption(cb: OptionCallback): boolean {
    return walkOptions(this.buf, this.offset + 20, this.offset + this.headerLength, cb) < 0;
  }
  /**
   * 'incorrect' also for a 0xffff field where 0x0000 is computed: the sum verifies, but RFC 1624
   * says a sender never produces that value and tshark flags it; tcpdump prints it as correct
   * (see `negativeZeroChecksum`).
   */
  checksumStatus(): ChecksumStatus {
    const cover = this.packet.ipEnd - this.offset;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return 'unverifiable';
    if (foldSum(transportChecksum.sum(this.packet, this.offset, cover, 6)) !== 0xffff) return 'incorrect';
    return this.checksum === 0xffff && this.expectedChecksum() === 0 ? 'incorrect' : 'correct';
  }
  /** The field is 0xffff where 0x0000 is computed: tshark says bad, tcpdump and receivers accept it. */
  get negativeZeroChecksum(): boolean {
    return this.checksum === 0xffff && this.expectedChecksum() === 0;
  }
  /** The checksum the segment should carry; -1 when not verifiable. */
  expectedChecksum(): number {
    const cover = this.packet.ipEnd - this.offset;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return -1;
    return checksumOf(transportChecksum.sum(this.packet, this.offset, cover, 6) - this.checksum);
  }
}

export type TcpOptionSpec =
  | { type: 'eol' }
  | { type: 'nop' }
  | { type: 'mss'; value: number }
  | { type: 'wscale'; shift: number }
  | { type: 'sackPermitted' }
  | { type: 'sack'; blocks: readonly (readonly [number, number])[] }
  | { type: 'timestamps'; tsVal: number; tsEcr: number }
  /** Fast Open (kind 34); an empty or absent cookie is a cookie request. */
  | { type: 'tfo'; cookie?: Bytes }
  /** Any kind, kept as kind + bytes; length defaults to data.length + 2. */
  | { type: 'raw'; kind: number; data?: Bytes; length?: number };

export type TcpFlagName = 'fin' | 'syn' | 'rst' | 'psh' | 'ack' | 'urg' | 'ece' | 'cwr' | 'ae';

export interface TcpSpec {
  type: 'tcp';
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** The 12-bit flags number (TcpFlag bits) or flag names. */
  flags?: number | readonly TcpFlagName[];
  /** Default 65535. */
  window?: number;
  urgentPointer?: number;
  options?: TcpOptionSpec[];
  /** Raw option bytes (instead of `options`), padded to 4 with zeros. */
  optionBytes?: Bytes;
  /** The 3 reserved bits. */
  reserved?: number;
  /** Overrides. */
  dataOffset?: number;
  checksum?: number;
}

const FLAG_BITS: Record<TcpFlagName, number> = {
  fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ece: 64, cwr: 128, ae: 256,
};

export function tcpFlagsOf(flags: TcpSpec['flags']): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return flags;
  let n = 0;
  for (const f of flags) n |= FLAG_BITS[f];
  return n;
}

export function tcpOptionBytes(spec: TcpSpec): number[] {
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
      case 'mss':
        out.push(2, 4, (o.value >> 8) & 255, o.value & 255);
        break;
      case 'wscale':
        out.push(3, 3, o.shift & 255);
        break;
      case 'sackPermitted':
        out.push(4, 2);
        break;
      case 'sack':
        out.push(5, 2 + 8 * o.blocks.length);
        for (const [l, r] of o.blocks) out.push(...be32(l), ...be32(r));
        break;
      case 'timestamps':
        out.push(8, 10, ...be32(o.tsVal), ...be32(o.tsEcr));
        break;
      case 'tfo': {
        const c = Array.from(o.cookie ?? []);
        out.push(34, 2 + c.length, ...c);
        break;
      }
      case 'raw':
        out.push(o.kind, o.length ?? (o.data ? o.data.length : 0) + 2, ...Array.from(o.data ?? []));
        break;
    }
  }
  return out;
}

function be32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

export function tcpHeaderLength(spec: TcpSpec): number {
  return 20 + roundUp(tcpOptionBytes(spec).length, 4);
}

/** Writes the header with a zero checksum (the packet encoder fills it); returns its length. */
export function encodeTcp(spec: TcpSpec, buf: Uint8Array, off: number): number {
  const opts = tcpOptionBytes(spec);
  const hl = 20 + roundUp(opts.length, 4);
  const flags = tcpFlagsOf(spec.flags);
  put16(buf, off, spec.srcPort);
  put16(buf, off + 2, spec.dstPort);
  put32(buf, off + 4, spec.seq ?? 0);
  put32(buf, off + 8, spec.ack ?? 0);
  buf[off + 12] = (((spec.dataOffset ?? hl / 4) & 15) << 4) | (((spec.reserved ?? 0) & 7) << 1) | ((flags >> 8) & 1);
  buf[off + 13] = flags & 255;
  put16(buf, off + 14, spec.window ?? 65535);
  put16(buf, off + 16, 0);
  put16(buf, off + 18, spec.urgentPointer ?? 0);
  putBytes(buf, off + 20, opts);
  buf.fill(0, off + 20 + opts.length, off + hl);
  return hl;
}
