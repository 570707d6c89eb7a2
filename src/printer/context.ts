/**
 * The per-packet printing state tcpdump keeps in `netdissect_options`: the packet bytes, the
 * end of what may be read (shrunk to a protocol's own length as printers descend), the name of
 * the protocol being printed (for the ` [|proto]` truncation marker) and the text so far.
 *
 * Reading past the end throws TRUNCATED, caught once per packet, exactly where tcpdump
 * longjmps out of its printer.
 */
import type { PrintOptions } from './options.js';
import { TcpSeqTable } from './tcp.js';

export class TruncatedSignal {
  readonly truncated = true;
}
export const TRUNCATED = new TruncatedSignal();
/**
 * A truncation tcpdump handles inside the printer (ND_TCHECK's `goto trunc`): the marker is
 * printed and the printer returns normally, so the link header length stays known for -x.
 */
export const LOCAL_TRUNCATED = new TruncatedSignal();

const EMPTY = Buffer.alloc(0);

export class PrintContext {
  buf: Buffer = EMPTY;
  /** First byte of the packet. */
  start = 0;
  /** One past the last byte printers may read. */
  snapend = 0;
  /** The text printed for this packet so far (latin1: one char per byte). */
  s = '';
  /** tcpdump's ndo_protocol: named in ` [|proto]`. */
  protocol = '';
  /** Length of the link-layer header, for -x/-X/-A (which dump from the network layer). */
  llHeaderLength = 0;

  /** Relative sequence number state, kept for the whole capture (tcpdump's tcp_seq_hash4/6). */
  readonly tcpSeq = new TcpSeqTable();

  constructor(readonly opts: PrintOptions) {}

  reset(buf: Buffer, start: number, capLen: number): void {
    this.buf = buf;
    this.start = start;
    this.snapend = start + capLen;
    this.s = '';
    this.protocol = '';
    this.llHeaderLength = 0;
  }

  /** Are `len` bytes at `off` inside the captured (and protocol-bounded) data? */
  has(off: number, len: number): boolean {
    return off >= this.start && len >= 0 && off + len <= this.snapend;
  }

  /** Bytes available from `off` to the current end (0 when off is past it). */
  avail(off: number): number {
    return off >= this.snapend || off < this.start ? 0 : this.snapend - off;
  }

  check(off: number, len: number): void {
    if (!(off >= this.start && len >= 0 && off + len <= this.snapend)) throw TRUNCATED;
  }

  u8(off: number): number {
    if (off < this.start || off + 1 > this.snapend) throw TRUNCATED;
    return this.buf[off]!;
  }

  u16(off: number): number {
    if (off < this.start || off + 2 > this.snapend) throw TRUNCATED;
    const b = this.buf;
    return (b[off]! << 8) | b[off + 1]!;
  }

  u32(off: number): number {
    if (off < this.start || off + 4 > this.snapend) throw TRUNCATED;
    const b = this.buf;
    return ((b[off]! << 24) >>> 0) + ((b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!);
  }

  /** tcpdump's nd_push_snaplen: never widens. Returns the previous end for `popSnap`. */
  pushSnap(off: number, len: number): number {
    const prev = this.snapend;
    if (off + len < prev) this.snapend = Math.max(off + len, this.start);
    return prev;
  }

  popSnap(prev: number): void {
    this.snapend = prev;
  }

  /** tcpdump's nd_print_trunc: ` [|proto]` and carry on. */
  printTrunc(): void {
    this.s += ` [|${this.protocol}]`;
  }

  truncate(): never {
    throw TRUNCATED;
  }

  /** ND_TCHECK: ` [|proto]`, then the printer returns normally. */
  checkLocal(off: number, len: number): void {
    if (!(off >= this.start && len >= 0 && off + len <= this.snapend)) throw LOCAL_TRUNCATED;
  }

  truncateLocal(): never {
    throw LOCAL_TRUNCATED;
  }
}
