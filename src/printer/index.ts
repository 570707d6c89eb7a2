/**
 * TcpdumpPrinter: one tcpdump 4.99 line (plus -v continuation lines and -x/-X/-A dumps) per
 * record, built as a string that the CLI writes out in large chunks.
 */
import type { CaptureRecord } from '../capture/record.js';
import { LOCAL_TRUNCATED, PrintContext, TRUNCATED } from './context.js';
import { asciiDump, hexAndAscii, hexOnly } from './hexdump.js';
import { printEthernet, printNull, printRaw, printSll, printSll2 } from './link.js';
import type { PrintOptions } from './options.js';
import { TimestampFormatter } from './time.js';
import { FastPath } from './fast.js';

export { defaultPrintOptions, type PrintOptions } from './options.js';
export { TimestampFormatter } from './time.js';

/** Link types the printer decodes (others are refused up front, as tcpdump does). */
export const PRINTABLE_LINK_TYPES: ReadonlySet<number> = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

/** Where `printTo` writes: a chunk buffer that lines can be written into in place. */
export interface LineSink {
  buf: Buffer;
  used: number;
  ensure(n: number): void;
  write(text: string): void;
}

export class TcpdumpPrinter {
  private readonly ctx: PrintContext;
  private readonly time: TimestampFormatter;
  private readonly fast: FastPath | null;
  private count = 0;

  /**
   * `signedSeconds`: pcap files store seconds in a signed 32-bit field as libpcap reads it, so
   * stamps from 2038-01-19 03:14:08 on are negative (tcpdump prints `[Error converting time]`).
   */
  constructor(
    readonly opts: PrintOptions,
    private readonly signedSeconds = false,
    /** false forces every packet through the per-protocol printers (tests compare both). */
    useFastPath = true,
  ) {
    this.ctx = new PrintContext(opts);
    this.time = new TimestampFormatter(opts.timeFormat, opts.nano);
    const plain = opts.verbose <= 1 && !(opts.verbose && opts.quiet) && !opts.hex && !opts.hexAscii && !opts.ascii;
    const tf = opts.timeFormat;
    this.fast =
      useFastPath && plain && (tf === 0 || tf === 1 || tf === 4)
        ? new FastPath(this.ctx.tcpSeq, tf, opts.nano, opts.numbered, opts.absoluteSeq, opts.verbose, opts.linkHeader, opts.quiet)
        : null;
  }

  /** Prints one record into `out`: common packets as bytes in place, the rest as text. */
  printTo(out: LineSink, rec: CaptureRecord): void {
    const fast = this.fast;
    if (fast !== null && rec.linkType === 1 && !(this.signedSeconds && rec.tsSec >= 0x80000000)) {
      out.ensure(2048);
      const end = fast.write(out.buf, out.used, rec.buf, rec.offset, rec.capLen, rec.origLen, rec.tsSec, rec.tsNsec, this.count + 1);
      if (end >= 0) {
        this.count++;
        out.used = end;
        return;
      }
    }
    out.write(this.format(rec));
  }

  /** The text for one record, newline included. */
  format(rec: CaptureRecord): string {
    return this.formatPacket(rec.buf, rec.offset, rec.capLen, rec.origLen, rec.linkType, rec.tsSec, rec.tsNsec);
  }

  formatPacket(buf: Buffer, offset: number, capLen: number, origLen: number, linkType: number, tsSec: number, tsNsec: number): string {
    const o = this.opts;
    this.count++;
    let head = o.numbered ? numberText(this.count) : '';
    let sec = tsSec;
    if (this.signedSeconds && sec >= 0x80000000) sec -= 0x100000000;
    head += this.time.print(sec, tsNsec);
    const ctx = this.ctx;
    ctx.reset(buf, offset, capLen);
    let hdrlen = 0;
    try {
      hdrlen = this.printLink(linkType, offset, origLen, capLen);
    } catch (e) {
      if (e === LOCAL_TRUNCATED) {
        ctx.printTrunc();
        hdrlen = ctx.llHeaderLength;
      } else if (e === TRUNCATED) {
        ctx.printTrunc();
        // tcpdump's longjmp leaves the link header length unset: the dumps start at byte 0
        hdrlen = 0;
      } else throw e;
    }
    let text = head + ctx.s;
    if (o.hexAscii || o.hex || o.ascii) text += this.dump(buf, offset, capLen, hdrlen);
    return text + '\n';
  }

  private printLink(linkType: number, p: number, length: number, caplen: number): number {
    const ctx = this.ctx;
    switch (linkType) {
      case 1:
        return printEthernet(ctx, p, length, caplen);
      case 113:
        return printSll(ctx, p, length, caplen);
      case 276:
        return printSll2(ctx, p, length, caplen);
      case 0:
        return printNull(ctx, p, length, caplen, false);
      case 108:
        return printNull(ctx, p, length, caplen, true);
      case 12:
      case 14:
      case 101:
      case 228:
      case 229:
        return printRaw(ctx, p, length);
      default:
        // tcpdump's unsupported_if_print: the protocol name, then every byte
        ctx.s += 'UNSUPPORTED' + hexAndAscii(ctx.buf, p, caplen, '\n\t');
        return 0;
    }
  }

  private dump(buf: Buffer, offset: number, capLen: number, hdrlen: number): string {
    const o = this.opts;
    if (o.hexAscii) {
      if (o.hexAscii > 1) return hexAndAscii(buf, offset, capLen, '\n\t');
      return capLen > hdrlen ? hexAndAscii(buf, offset + hdrlen, capLen - hdrlen, '\n\t') : '';
    }
    if (o.hex) {
      if (o.hex > 1) return hexOnly(buf, offset, capLen, '\n\t');
      return capLen > hdrlen ? hexOnly(buf, offset + hdrlen, capLen - hdrlen, '\n\t') : '';
    }
    if (o.ascii > 1) return asciiDump(buf, offset, capLen);
    return capLen > hdrlen ? asciiDump(buf, offset + hdrlen, capLen - hdrlen) : '';
  }
}

function numberText(n: number): string {
  const s = String(n);
  return (s.length >= 5 ? s : '     '.slice(s.length) + s) + '  ';
}
