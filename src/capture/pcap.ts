/**
 * Classic pcap (libpcap savefile) reader: both byte orders, microsecond and nanosecond magics,
 * and the "modified" (Kuznetzov) variant with its 24-byte record header. The 24-byte file header
 * and the record headers are read straight from the window: loading binary-parser costs tens of
 * milliseconds at start-up, a tenth of the time it takes to read a 1,000,000-packet file, so it
 * is loaded only for pcapng, whose blocks and option lists it describes well.
 */
import { CaptureError } from '../errors.js';
import type { ByteWindow } from './bytes.js';
import { BatchedSource, BATCH_RECORDS } from './batched.js';
import type { CaptureRecord, PcapHeaderInfo, SourceInfo } from './record.js';

export const PcapMagic = {
  usec: 0xa1b2c3d4,
  nsec: 0xa1b23c4d,
  modified: 0xa1b2cd34,
} as const;

/** No record may claim more captured bytes than this (libpcap's maximum snapshot length). */
export const MAX_CAPLEN = 262144;
export const PCAP_HEADER_LEN = 24;
export { BATCH_RECORDS } from './batched.js';

/** The LinkType field's FCS bits (pcap spec: F bit 26, FCS length in 16-bit words in 28..31). */
const FCS_PRESENT = 0x04000000;
const LINKTYPE_MASK = 0x03ffffff;

interface RawPcapHeader {
  magic: number;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linkTypeField: number;
}

function parseHeader(b: Buffer, bigEndian: boolean): RawPcapHeader {
  const u32 = (at: number): number => (bigEndian ? b.readUInt32BE(at) : b.readUInt32LE(at));
  const u16 = (at: number): number => (bigEndian ? b.readUInt16BE(at) : b.readUInt16LE(at));
  return {
    magic: u32(0),
    versionMajor: u16(4),
    versionMinor: u16(6),
    thiszone: bigEndian ? b.readInt32BE(8) : b.readInt32LE(8),
    sigfigs: u32(12),
    snaplen: u32(16),
    linkTypeField: u32(20),
  };
}

/** The pcap magic's kind and byte order, or null when the 4 bytes are not a pcap magic. */
export function pcapMagicAt(buf: Buffer, at: number): { bigEndian: boolean; magic: number } | null {
  const be = buf.readUInt32BE(at);
  const le = buf.readUInt32LE(at);
  for (const m of [PcapMagic.usec, PcapMagic.nsec, PcapMagic.modified]) {
    if (be === m) return { bigEndian: true, magic: m };
    if (le === m) return { bigEndian: false, magic: m };
  }
  return null;
}

/** Whether caplen and len are stored the pre-2.3 way round (libpcap's lengths_swapped). */
const Swap = { none: 0, always: 1, whenCapExceedsLen: 2 } as const;
type SwapMode = (typeof Swap)[keyof typeof Swap];

function swapModeFor(major: number, minor: number): SwapMode {
  if (major === 2) return minor < 3 ? Swap.always : minor === 3 ? Swap.whenCapExceedsLen : Swap.none;
  return major === 543 ? Swap.always : Swap.none;
}

export function pcapLinkType(field: number): { linkType: number; fcsLen?: number } {
  const linkType = field & LINKTYPE_MASK;
  if ((field & FCS_PRESENT) === 0) return { linkType };
  return { linkType, fcsLen: ((field >>> 28) & 0xf) * 2 };
}

/** Reads the file header at the window start; the caller has filled at least 24 bytes if any. */
export function openPcapSource(win: ByteWindow, name: string, gzip: boolean, keepBeyondSnaplen = false): PcapSource {
  const avail = win.available;
  if (avail < PCAP_HEADER_LEN) {
    throw new CaptureError(name, 0, win.offsetOf(win.start), `pcap file header cut short: ${avail} of ${PCAP_HEADER_LEN} bytes`);
  }
  const head = win.buf.subarray(win.start, win.start + PCAP_HEADER_LEN);
  const kind = pcapMagicAt(head, 0);
  if (kind === null) throw new CaptureError(name, 0, win.offsetOf(win.start), 'not a pcap file');
  const h = parseHeader(head, kind.bigEndian);
  const supported = (h.versionMajor === 2 && h.versionMinor <= 4) || (h.versionMajor === 543 && h.versionMinor === 0);
  if (!supported) {
    throw new CaptureError(name, 0, win.offsetOf(win.start + 4), `unsupported pcap version ${h.versionMajor}.${h.versionMinor}`);
  }
  win.start += PCAP_HEADER_LEN;
  const { linkType, fcsLen } = pcapLinkType(h.linkTypeField);
  const nanosecond = kind.magic === PcapMagic.nsec;
  const pcap: PcapHeaderInfo = {
    magic: kind.magic,
    versionMajor: h.versionMajor,
    versionMinor: h.versionMinor,
    thiszone: h.thiszone,
    sigfigs: h.sigfigs,
    linkTypeField: h.linkTypeField,
  };
  const info: SourceInfo = {
    name,
    format: 'pcap',
    nanosecond,
    bigEndian: kind.bigEndian,
    gzip,
    interfaces: [
      {
        linkType,
        snaplen: h.snaplen,
        tsresol: { base: 10, exp: nanosecond ? 9 : 6 },
        ...(fcsLen === undefined ? {} : { fcsLen }),
      },
    ],
    pcap,
  };
  // libpcap reads a snaplen of 0 or past the maximum as the maximum, and cuts records that
  // claim more than the snaplen (but no more than the maximum) down to it.
  const snap = h.snaplen === 0 || h.snaplen > MAX_CAPLEN || keepBeyondSnaplen ? MAX_CAPLEN : h.snaplen;
  return new PcapSource(win, info, swapModeFor(h.versionMajor, h.versionMinor), kind.magic === PcapMagic.modified, snap);
}

export class PcapSource extends BatchedSource {
  private readonly le: boolean;
  private readonly fracScale: number;
  private readonly linkType: number;
  private readonly hdrLen: number;
  /** Records handed out so far. */
  private index = 0;
  /** Why parsing stopped short of a whole record, when the record itself is at fault. */
  private fault: string | null = null;
  /** Bytes the next record needs from the window start. */
  private need: number;
  private viewed: Buffer | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(0));

  constructor(
    win: ByteWindow,
    readonly info: SourceInfo,
    private readonly swap: SwapMode,
    modified: boolean,
    private readonly snap: number,
  ) {
    super(win);
    this.le = !info.bigEndian;
    this.fracScale = info.nanosecond ? 1 : 1000;
    this.linkType = info.interfaces[0]!.linkType;
    this.hdrLen = modified ? 24 : 16;
    this.need = this.hdrLen;
  }

  protected async *batches(): AsyncGenerator<readonly CaptureRecord[]> {
    const win = this.win;
    const pool = this.pool;
    const name = this.info.name;
    const hdrLen = this.hdrLen;
    for (;;) {
      if (this.closed) return;
      const n = this.parse();
      if (n > 0) {
        yield n === BATCH_RECORDS ? pool : pool.slice(0, n);
        continue;
      }
      const p = win.start;
      if (this.fault !== null) throw new CaptureError(name, this.index + 1, win.offsetOf(p), this.fault);
      if (win.eof) {
        const left = win.available;
        if (left === 0) return;
        const reason =
          left < hdrLen
            ? `record header cut off at end of file: ${left} of ${hdrLen} bytes`
            : `packet data cut off at end of file: ${left - hdrLen} of ${this.need - hdrLen} bytes`;
        throw new CaptureError(name, this.index + 1, win.offsetOf(p), reason);
      }
      try {
        await win.fill(this.need);
      } catch (e) {
        throw readError(name, this.index + 1, win.offsetOf(win.start), e);
      }
    }
  }

  /**
   * Fills the pool with the whole records at the window start (up to a batch) and returns how
   * many. A plain method, not part of the generator: V8 optimises it like any hot function,
   * where the generator's loop ran several times slower.
   */
  private parse(): number {
    const win = this.win;
    const pool = this.pool;
    const b = win.buf;
    if (b !== this.viewed) {
      this.viewed = b;
      this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const dv = this.dv;
    // Locals the optimiser can type: a boolean (not any field value) and a plain number (an
    // imported binding is re-checked for its temporal dead zone on every iteration).
    const le = this.le ? true : false;
    const max = BATCH_RECORDS;
    const hdrLen = this.hdrLen;
    const swap = this.swap;
    const snap = this.snap;
    const fracScale = this.fracScale;
    const linkType = this.linkType;
    const end = win.end;
    let p = win.start;
    let index = this.index;
    let n = 0;
    this.need = hdrLen;
    while (n < max && end - p >= hdrLen) {
      // DataView reads beat byte assembly and Buffer#readUInt32LE here (V8 inlines them).
      let incl = dv.getUint32(p + 8, le);
      let orig = dv.getUint32(p + 12, le);
      if (swap !== Swap.none && (swap === Swap.always || incl > orig)) {
        const t = incl;
        incl = orig;
        orig = t;
      }
      let capLen = incl;
      if (incl > snap) {
        if (incl > MAX_CAPLEN) {
          this.fault = `record claims ${incl} captured bytes, more than the maximum ${MAX_CAPLEN}`;
          break;
        }
        capLen = snap;
      }
      if (end - p - hdrLen < incl) {
        this.need = hdrLen + incl;
        break;
      }
      const r = pool[n++]!;
      r.index = ++index;
      r.linkType = linkType;
      r.tsSec = dv.getUint32(p, le);
      r.tsNsec = dv.getUint32(p + 4, le) * fracScale;
      r.capLen = capLen;
      r.origLen = orig;
      r.buf = b;
      r.offset = p + hdrLen;
      p += hdrLen + incl;
    }
    win.start = p;
    this.index = index;
    return n;
  }
}

/** A failing byte source (I/O error, corrupt gzip stream) reported where the reader stood. */
export function readError(name: string, record: number, offset: number, e: unknown, unit: 'record' | 'block' = 'record'): CaptureError {
  if (e instanceof CaptureError) return e;
  const msg = e instanceof Error ? describeIoError(e) : String(e);
  return new CaptureError(name, record, offset, msg, unit);
}

export function describeIoError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('Z_')) return `gzip: ${e.message}`;
  if (code === 'EISDIR') return 'is a directory, not a capture file';
  return e.message;
}
