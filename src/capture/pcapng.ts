/**
 * pcapng reader (draft-ietf-opsawg-pcapng): every section with its own byte order, interface
 * description blocks with their timestamp resolution and offset, enhanced, simple and obsolete
 * packet blocks. Statistics, name resolution, custom and unknown blocks are skipped after their
 * length is checked. SHB and IDB bodies and option lists go through binary-parser (cold);
 * packet block headers are read straight from the window (hot).
 */
import { Parser } from 'binary-parser';
import { CaptureError } from '../errors.js';
import type { ByteWindow } from './bytes.js';
import { BatchedSource, BATCH_RECORDS } from './batched.js';
import { MAX_CAPLEN, readError } from './pcap.js';
import type { CaptureRecord, InterfaceInfo, SourceInfo } from './record.js';

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const BlockType = {
  shb: PCAPNG_SHB_TYPE,
  idb: 0x00000001,
  obsoletePacket: 0x00000002,
  spb: 0x00000003,
  nrb: 0x00000004,
  isb: 0x00000005,
  epb: 0x00000006,
} as const;

const OptionCode = {
  endOfOpt: 0,
  ifName: 2,
  ifDescription: 3,
  ifTsresol: 9,
  ifFcslen: 13,
  ifTsoffset: 14,
} as const;

/** Blocks bigger than this are refused (packet, section, interface) or skipped unread (others). */
export const MAX_BLOCK = 16 << 20;

interface RawOption {
  code: number;
  length: number;
  value: Buffer;
}

function optionsParser(endian: 'little' | 'big'): Parser {
  const option = new Parser()
    .endianness(endian)
    .uint16('code')
    .uint16('length')
    .buffer('value', { length: 'length' })
    .seek(function (this: { length: number }) {
      return (4 - (this.length % 4)) % 4;
    });
  return new Parser().array('options', {
    type: option,
    // Stops at opt_endofopt or when no whole option header is left (options are optional).
    readUntil: (item: RawOption, rest: Buffer) => item.code === OptionCode.endOfOpt || rest.length < 4,
  });
}

function shbParser(endian: 'little' | 'big'): Parser {
  return new Parser().endianness(endian).uint16('major').uint16('minor').seek(8);
}

function idbParser(endian: 'little' | 'big'): Parser {
  return new Parser().endianness(endian).uint16('linkType').uint16('reserved').uint32('snaplen');
}

const parsers = {
  little: { options: optionsParser('little'), shb: shbParser('little'), idb: idbParser('little') },
  big: { options: optionsParser('big'), shb: shbParser('big'), idb: idbParser('big') },
};

function parseOptions(body: Buffer, bigEndian: boolean): RawOption[] {
  if (body.length < 4) return [];
  const { options } = parsers[bigEndian ? 'big' : 'little'].options.parse(body) as { options: RawOption[] };
  return options;
}

/**
 * How one interface turns 64-bit timestamps into seconds + nanoseconds. Decimal resolutions up
 * to nanoseconds (the usual 6 and 9) divide in 16-bit steps with exact double arithmetic;
 * anything else (binary, sub-nanosecond) takes a BigInt path.
 */
interface Clock {
  fast: boolean;
  /** Units per second (fast path). */
  units: number;
  /** Nanoseconds per unit (fast path, an integer). */
  nsPerUnit: number;
  unitsBig: bigint;
  /** if_tsoffset, seconds. */
  offset: number;
  /** The last timestamp converted (fast path): its high and low halves, seconds and nanoseconds. */
  hi: number;
  lo: number;
  sec: number;
  nsec: number;
}

function clockFor(tsresol: { base: 2 | 10; exp: number }, tsoffset: bigint): Clock {
  const offset = Number(tsoffset);
  if (tsresol.base === 10 && tsresol.exp <= 9) {
    const units = 10 ** tsresol.exp;
    return { fast: true, units, nsPerUnit: 10 ** (9 - tsresol.exp), unitsBig: BigInt(units), offset, hi: -1, lo: 0, sec: 0, nsec: 0 };
  }
  const unitsBig = BigInt(tsresol.base) ** BigInt(tsresol.exp);
  return { fast: false, units: 0, nsPerUnit: 0, unitsBig, offset, hi: -1, lo: 0, sec: 0, nsec: 0 };
}

/**
 * Sets r.tsSec / r.tsNsec from the two 32-bit halves of a timestamp. Kept small so the packet
 * loop inlines it: the step from the last packet's time is the common case.
 */
function setTimestamp(r: CaptureRecord, hi: number, lo: number, c: Clock): void {
  if (c.fast && hi === c.hi) {
    // Same high half as the last packet: step from its time by the difference of the low
    // halves (|diff| < 2^32 units, so diff * nsPerUnit stays an exact integer below 2^53).
    let sec = c.sec;
    let nsec = c.nsec + (lo - c.lo) * c.nsPerUnit;
    if (nsec >= 1_000_000_000 || nsec < 0) {
      const carry = Math.floor(nsec / 1_000_000_000);
      sec += carry;
      nsec -= carry * 1_000_000_000;
    }
    c.lo = lo;
    c.sec = sec;
    c.nsec = nsec;
    r.tsSec = sec + c.offset;
    r.tsNsec = nsec;
    return;
  }
  setTimestampAfresh(r, hi, lo, c);
}

/** The whole conversion, when the high half changed or the resolution is not a power of ten. */
function setTimestampAfresh(r: CaptureRecord, hi: number, lo: number, c: Clock): void {
  if (c.fast) {
    const d = c.units;
    let cur = hi >>> 16;
    const q3 = Math.floor(cur / d);
    cur = (cur - q3 * d) * 65536 + (hi & 0xffff);
    const q2 = Math.floor(cur / d);
    cur = (cur - q2 * d) * 65536 + (lo >>> 16);
    const q1 = Math.floor(cur / d);
    cur = (cur - q1 * d) * 65536 + (lo & 0xffff);
    const q0 = Math.floor(cur / d);
    const sec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
    const nsec = (cur - q0 * d) * c.nsPerUnit;
    c.hi = hi;
    c.lo = lo;
    c.sec = sec;
    c.nsec = nsec;
    r.tsSec = sec + c.offset;
    r.tsNsec = nsec;
    return;
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  r.tsSec = Number(v / c.unitsBig) + c.offset;
  r.tsNsec = Number(((v % c.unitsBig) * 1_000_000_000n) / c.unitsBig);
}

export function openPcapngSource(win: ByteWindow, name: string, gzip: boolean): Promise<PcapngSource> {
  const source = new PcapngSource(win, name, gzip);
  return source.readHead().then(() => source);
}

export class PcapngSource extends BatchedSource {
  readonly info: SourceInfo;
  private bigEndian = false;
  /** Global id of the current section's interface 0; record interface ids are global. */
  private sectionBase = 0;
  private readonly clocks: Clock[] = [];
  /** Link type per global interface id (a plain number array for the hot loop). */
  private readonly linkTypes: number[] = [];
  private blockNo = 0;
  private recordNo = 0;
  private sawSection = false;
  /** The fast loop stopped at a block it does not take, rather than at the end of the window. */
  private stoppedShort = false;
  private viewed: Buffer | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(0));

  constructor(win: ByteWindow, name: string, gzip: boolean) {
    super(win);
    this.info = { name, format: 'pcapng', nanosecond: false, bigEndian: false, gzip, interfaces: [] };
  }

  private fault(offset: number, reason: string): CaptureError {
    return new CaptureError(this.info.name, this.blockNo + 1, offset, reason, 'block');
  }

  private u32(b: Buffer, p: number): number {
    return this.bigEndian ? b.readUInt32BE(p) : b.readUInt32LE(p);
  }

  /**
   * Reads the first section header and the blocks after it up to the first packet, so `info`
   * names the interfaces (and their link types) before the first batch is asked for.
   */
  async readHead(): Promise<void> {
    for (;;) {
      const status = await this.nextWholeBlock();
      if (status === 'eof') return;
      const p = this.win.start;
      const type = this.u32(this.win.buf, p);
      if ((type === BlockType.epb || type === BlockType.spb || type === BlockType.obsoletePacket)) return;
      this.coldBlock(type, p, this.u32(this.win.buf, p + 4));
    }
  }

  /**
   * Makes the next block whole in the window (or skips an oversized skippable one and tries
   * again). Validates lengths; sets the section's byte order when the block is an SHB.
   */
  private async nextWholeBlock(): Promise<'block' | 'eof'> {
    const win = this.win;
    for (;;) {
      if (win.available < 12) await this.fillOrThrow(12);
      const avail = win.available;
      if (avail === 0) return 'eof';
      const at = win.offsetOf(win.start);
      if (avail < 12) throw this.fault(at, `block header cut off at end of file: ${avail} of 12 bytes`);
      const b = win.buf;
      const p = win.start;
      const type = b.readUInt32LE(p);
      if (type === BlockType.shb) this.sectionByteOrder(b, p, at);
      else if (!this.sawSection) throw this.fault(at, 'pcapng file does not start with a section header block');
      const len = this.u32(b, p + 4);
      this.checkLength(type, len, at);
      if (len > MAX_BLOCK) {
        await this.skipHuge(len, at);
        continue;
      }
      if (win.available < len) await this.fillOrThrow(len);
      if (win.available < len) {
        throw this.fault(at, `${blockName(type)} cut off at end of file: ${win.available} of ${len} bytes`);
      }
      const trailer = this.u32(win.buf, win.start + len - 4);
      if (trailer !== len) throw this.fault(at, `${blockName(type)} trailing length ${trailer} does not match its length ${len}`);
      return 'block';
    }
  }

  private sectionByteOrder(b: Buffer, p: number, at: number): void {
    const bom = b.readUInt32LE(p + 8);
    if (bom === BYTE_ORDER_MAGIC) this.bigEndian = false;
    else if (bom === 0x4d3c2b1a) this.bigEndian = true;
    else {
      const what = this.sawSection ? 'section header block' : 'pcapng file';
      throw this.fault(at, `${what} has a bad byte-order magic 0x${b.subarray(p + 8, p + 12).toString('hex')}`);
    }
    if (!this.sawSection) this.info.bigEndian = this.bigEndian;
  }

  private checkLength(type: number, len: number, at: number): void {
    if (len < 12 || len % 4 !== 0) throw this.fault(at, `${blockName(type)} has an invalid length ${len}`);
    const packet = type === BlockType.epb || type === BlockType.spb || type === BlockType.obsoletePacket;
    if (len > MAX_BLOCK && (packet || type === BlockType.shb || type === BlockType.idb)) {
      throw this.fault(at, `${blockName(type)} claims ${len} bytes, more than the maximum ${MAX_BLOCK}`);
    }
    if (type === BlockType.shb && len < 28) throw this.fault(at, `section header block too short: ${len} bytes`);
  }

  /** An oversized block we do not need is passed over without holding it. */
  private async skipHuge(len: number, at: number): Promise<void> {
    const win = this.win;
    const skipped = await this.guard(() => win.skip(len - 4));
    if (skipped < len - 4 || (win.available < 4 && (await this.fillOrThrow(4), win.available < 4))) {
      throw this.fault(at, `block of ${len} bytes cut off at end of file`);
    }
    const trailer = this.u32(win.buf, win.start);
    if (trailer !== len) throw this.fault(at, `block trailing length ${trailer} does not match its length ${len}`);
    win.start += 4;
    this.blockNo++;
  }

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw readError(this.info.name, this.blockNo + 1, this.win.offsetOf(this.win.start), e, 'block');
    }
  }

  private async fillOrThrow(need: number): Promise<void> {
    await this.guard(() => this.win.fill(need));
  }

  /** Handles a whole non-packet block at `p` (or a packet block outside the fast loop) and consumes it. */
  private coldBlock(type: number, p: number, len: number): void {
    const win = this.win;
    const at = win.offsetOf(p);
    const body = win.buf.subarray(p + 8, p + len - 4);
    if (type === BlockType.shb) this.sectionHeader(body, at);
    else if (type === BlockType.idb) this.interfaceDescription(body, at);
    win.start = p + len;
    this.blockNo++;
  }

  private sectionHeader(body: Buffer, at: number): void {
    const endian = this.bigEndian ? 'big' : 'little';
    const h = parsers[endian].shb.parse(body.subarray(4)) as { major: number; minor: number };
    // 1.2 was written by some old tools for a format identical to 1.0; libpcap and Wireshark read it.
    if (h.major !== 1 || (h.minor !== 0 && h.minor !== 2)) {
      throw this.fault(at, `unsupported pcapng section version ${h.major}.${h.minor}`);
    }
    this.sawSection = true;
    this.sectionBase = this.info.interfaces.length;
  }

  private interfaceDescription(body: Buffer, at: number): void {
    if (body.length < 8) throw this.fault(at, `interface description block too short: ${body.length + 12} bytes`);
    const h = parsers[this.bigEndian ? 'big' : 'little'].idb.parse(body) as { linkType: number; snaplen: number };
    const itf: InterfaceInfo = { linkType: h.linkType, snaplen: h.snaplen };
    let tsresol: { base: 2 | 10; exp: number } = { base: 10, exp: 6 };
    let tsoffset = 0n;
    for (const o of parseOptions(body.subarray(8), this.bigEndian)) {
      const v = o.value;
      if (o.code === OptionCode.ifName) itf.name = stringOption(v);
      else if (o.code === OptionCode.ifDescription) itf.description = stringOption(v);
      else if (o.code === OptionCode.ifTsresol && v.length >= 1) {
        tsresol = v[0]! & 0x80 ? { base: 2, exp: v[0]! & 0x7f } : { base: 10, exp: v[0]! };
      } else if (o.code === OptionCode.ifTsoffset && v.length >= 8) {
        tsoffset = this.bigEndian ? v.readBigInt64BE(0) : v.readBigInt64LE(0);
      } else if (o.code === OptionCode.ifFcslen && v.length >= 1) itf.fcsLen = v[0]!;
    }
    itf.tsresol = tsresol;
    if (tsoffset !== 0n) itf.tsoffset = tsoffset;
    if (this.info.interfaces.length === 0) this.info.nanosecond = tsresol.base === 10 ? tsresol.exp >= 9 : tsresol.exp >= 30;
    this.info.interfaces.push(itf);
    this.linkTypes.push(itf.linkType);
    this.clocks.push(clockFor(tsresol, tsoffset));
  }

  protected async *batches(): AsyncGenerator<readonly CaptureRecord[]> {
    const win = this.win;
    const pool = this.pool;
    for (;;) {
      if (this.closed) return;
      const n = this.packetRun();
      if (n > 0) {
        yield n === BATCH_RECORDS ? pool : pool.slice(0, n);
        continue;
      }
      // The next block is one the fast loop does not take (cut by the window, a section or
      // interface block, a fault): make it whole, or fail, and handle it here.
      if (!this.stoppedShort && win.eof && win.start === win.end) return;
      const status = await this.nextWholeBlock();
      if (status === 'eof') return;
      const q = win.start;
      const type = this.u32(win.buf, q);
      const len = this.u32(win.buf, q + 4);
      if (this.packetBlock(type, q, len, pool[0]!)) {
        win.start = q + len;
        this.blockNo++;
        yield pool.slice(0, 1);
      } else this.coldBlock(type, q, len);
    }
  }

  /**
   * Fills the pool from the run of whole, well-formed enhanced packet blocks (and skippable
   * blocks) at the window start, up to a batch, and returns how many records it made. A plain
   * method rather than part of the generator, so V8 optimises it like any hot function.
   */
  private packetRun(): number {
    const win = this.win;
    const pool = this.pool;
    const clocks = this.clocks;
    const b = win.buf;
    if (b !== this.viewed) {
      this.viewed = b;
      this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const dv = this.dv;
    // Typed locals: a boolean, and a number rather than an imported binding.
    const le = this.bigEndian ? false : true;
    const max = BATCH_RECORDS;
    const end = win.end;
    const base = this.sectionBase;
    const count = this.info.interfaces.length - base;
    const linkTypes = this.linkTypes;
    let p = win.start;
    let n = 0;
    let slow = false;
    let recordNo = this.recordNo;
    let blockNo = this.blockNo;
    while (n < max && end - p >= 12) {
      const type = dv.getUint32(p, le);
      const len = dv.getUint32(p + 4, le);
      if (len > end - p || len < 12 || (len & 3) !== 0) {
        slow = true;
        break;
      }
      if (type === BlockType.epb) {
        if (len < 32) {
          slow = true;
          break;
        }
        const ifId = dv.getUint32(p + 8, le);
        const capLen = dv.getUint32(p + 20, le);
        if (ifId >= count || capLen > len - 32 || capLen > MAX_CAPLEN || dv.getUint32(p + len - 4, le) !== len) {
          slow = true;
          break;
        }
        const r = pool[n++]!;
        const g = base + ifId;
        r.index = ++recordNo;
        r.interfaceId = g;
        r.linkType = linkTypes[g]!;
        setTimestamp(r, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le), clocks[g]!);
        r.capLen = capLen;
        r.origLen = dv.getUint32(p + 24, le);
        r.buf = b;
        r.offset = p + 28;
      } else if (type === BlockType.spb || type === BlockType.obsoletePacket || type === BlockType.shb || type === BlockType.idb) {
        slow = true;
        break;
      } else if (dv.getUint32(p + len - 4, le) !== len) {
        slow = true;
        break;
      }
      p += len;
      blockNo++;
    }
    this.recordNo = recordNo;
    this.blockNo = blockNo;
    this.stoppedShort = slow;
    win.start = p;
    return n;
  }

  /**
   * Fills `r` from a whole packet block at `q` (validated length and trailer) and returns
   * true, returns false for non-packet blocks, throws for a bad packet block.
   */
  private packetBlock(type: number, q: number, len: number, r: CaptureRecord): boolean {
    const b = this.win.buf;
    const at = this.win.offsetOf(q);
    const ifs = this.info.interfaces;
    const count = ifs.length - this.sectionBase;
    const recordNo = this.recordNo + 1;
    if (type === BlockType.epb || type === BlockType.obsoletePacket) {
      const obsolete = type === BlockType.obsoletePacket;
      if (len < 32) throw this.fault(at, `${blockName(type)} (record ${recordNo}) too short: ${len} bytes`);
      const ifId = obsolete ? (this.bigEndian ? b.readUInt16BE(q + 8) : b.readUInt16LE(q + 8)) : this.u32(b, q + 8);
      if (ifId >= count) {
        throw this.fault(at, `${blockName(type)} (record ${recordNo}) names interface ${ifId}, but the section describes ${count}`);
      }
      const capLen = this.u32(b, q + 20);
      if (capLen > MAX_CAPLEN) {
        throw this.fault(at, `${blockName(type)} (record ${recordNo}) claims ${capLen} captured bytes, more than the maximum ${MAX_CAPLEN}`);
      }
      if (capLen > len - 32) {
        throw this.fault(at, `${blockName(type)} (record ${recordNo}) claims ${capLen} captured bytes in a ${len}-byte block`);
      }
      const g = this.sectionBase + ifId;
      r.index = ++this.recordNo;
      r.interfaceId = g;
      r.linkType = ifs[g]!.linkType;
      setTimestamp(r, this.u32(b, q + 12), this.u32(b, q + 16), this.clocks[g]!);
      r.capLen = capLen;
      r.origLen = this.u32(b, q + 24);
      r.buf = b;
      r.offset = q + 28;
      return true;
    }
    if (type === BlockType.spb) {
      if (count === 0) throw this.fault(at, `simple packet block (record ${recordNo}) before any interface description`);
      if (len < 16) throw this.fault(at, `simple packet block (record ${recordNo}) too short: ${len} bytes`);
      const g = this.sectionBase;
      const origLen = this.u32(b, q + 8);
      const snaplen = ifs[g]!.snaplen;
      let capLen = Math.min(origLen, len - 16);
      if (snaplen > 0 && snaplen < capLen) capLen = snaplen;
      if (capLen > MAX_CAPLEN) {
        throw this.fault(at, `simple packet block (record ${recordNo}) claims ${capLen} captured bytes, more than the maximum ${MAX_CAPLEN}`);
      }
      r.index = ++this.recordNo;
      r.interfaceId = g;
      r.linkType = ifs[g]!.linkType;
      // An SPB carries no timestamp.
      r.tsSec = 0;
      r.tsNsec = 0;
      r.capLen = capLen;
      r.origLen = origLen;
      r.buf = b;
      r.offset = q + 12;
      return true;
    }
    return false;
  }
}

function stringOption(v: Buffer): string {
  const nul = v.indexOf(0);
  return v.toString('utf8', 0, nul === -1 ? v.length : nul);
}

function blockName(type: number): string {
  switch (type) {
    case BlockType.shb:
      return 'section header block';
    case BlockType.idb:
      return 'interface description block';
    case BlockType.epb:
      return 'enhanced packet block';
    case BlockType.spb:
      return 'simple packet block';
    case BlockType.obsoletePacket:
      return 'packet block';
    case BlockType.isb:
      return 'interface statistics block';
    case BlockType.nrb:
      return 'name resolution block';
    default:
      return `block of type 0x${type.toString(16).padStart(8, '0')}`;
  }
}
