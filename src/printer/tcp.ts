/** TCP (tcpdump's print-tcp.c): flags, relative seq/ack per connection, options, checksum. */
import type { PrintContext } from './context.js';
import { csumAdd, csumFinish, cksumShouldBe, hex4, HEX2, ipv4At, ipv6At } from './format.js';
import type { IpInfo } from './ip.js';
import { ip4PseudoSum } from './ip.js';
import { ip6PseudoSum } from './ip6.js';
import { printTcpPayload } from './app.js';
import { u32, i32 } from '../codec/wire.js';

const FLAG_CHARS = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'W'];
const FLAG_TEXT: string[] = [];
for (let f = 0; f < 256; f++) {
  let s = '';
  for (let i = 0; i < 8; i++) if (f & (1 << i)) s += FLAG_CHARS[i];
  FLAG_TEXT.push(s || 'none');
}

const OPTION_NAMES: Record<number, string> = {
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  6: 'echo',
  7: 'echoreply',
  8: 'TS',
  11: 'cc',
  12: 'ccnew',
  13: '',
  19: 'md5',
  20: 'scps',
  27: 'qs',
  28: 'uto',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
  254: 'exp',
};

/** The initial sequence numbers of one conversation, as tcpdump's tcp_seq_hash keeps them. */
interface SeqEntry {
  seq: number;
  ack: number;
}

interface SeqEntry6 extends SeqEntry {
  pa: number;
  pc: number;
  tuple: Int32Array;
}

/**
 * tcpdump's per-conversation state for relative sequence numbers, keyed by the ordered
 * (address, port) pairs: numbers for IPv4 and a tuple hash for IPv6 (no allocation per lookup).
 */
export class TcpSeqTable {
  private readonly v4 = new Map<number, Map<number, SeqEntry>>();
  private readonly v6 = new Map<number, SeqEntry6[]>();
  /** Results of the last relate(): sequence and ack numbers as tcpdump prints them. */
  relSeq = 0;
  relAck = 0;
  /** The segment went from the higher to the lower (port, address) end. */
  reversed = false;
  /** The conversation's recorded ISNs, for SACK blocks. */
  baseSeq = 0;
  baseAck = 0;

  /**
   * tcpdump's relative numbering for an ACK-bearing segment: the first one of a conversation
   * (or a SYN) records the ISNs, later ones are printed relative to them.
   */
  relate(b: Buffer, ipOff: number, v6: boolean, sport: number, dport: number, flags: number, seq: number, ack: number): void {
    const alen = v6 ? 16 : 4;
    const sa = v6 ? ipOff + 8 : ipOff + 12;
    const da = sa + alen;
    const rev = sport > dport || (sport === dport && b.compare(b, sa, sa + alen, da, da + alen) > 0);
    // ordered ends, as tcpdump keys its table
    const a = rev ? da : sa, pa = rev ? dport : sport, c = rev ? sa : da, pc = rev ? sport : dport;
    let th = v6 ? this.lookup6(b, a, pa, c, pc, false) : this.lookup4(b, a, pa, c, pc, false);
    if (th === undefined || flags & 0x02) {
      th ??= (v6 ? this.lookup6(b, a, pa, c, pc, true) : this.lookup4(b, a, pa, c, pc, true))!;
      if (rev) {
        th.ack = seq;
        th.seq = (ack - 1) >>> 0;
      } else {
        th.seq = seq;
        th.ack = (ack - 1) >>> 0;
      }
    } else if (rev) {
      seq = (seq - th.ack) >>> 0;
      ack = (ack - th.seq) >>> 0;
    } else {
      seq = (seq - th.seq) >>> 0;
      ack = (ack - th.ack) >>> 0;
    }
    this.relSeq = seq;
    this.relAck = ack;
    this.reversed = rev;
    this.baseSeq = th.seq;
    this.baseAck = th.ack;
  }

  lookup4(b: Buffer, a: number, pa: number, c: number, pc: number, create: boolean): SeqEntry | undefined {
    const k1 = u32(b, a) * 65536 + pa;
    const k2 = u32(b, c) * 65536 + pc;
    let inner = this.v4.get(k1);
    if (inner === undefined) {
      if (!create) return undefined;
      inner = new Map();
      this.v4.set(k1, inner);
    }
    let e = inner.get(k2);
    if (e === undefined && create) {
      e = { seq: 0, ack: 0 };
      inner.set(k2, e);
    }
    return e;
  }

  lookup6(b: Buffer, a: number, pa: number, c: number, pc: number, create: boolean): SeqEntry | undefined {
    const a0 = i32(b, a), a1 = i32(b, a + 4), a2 = i32(b, a + 8), a3 = i32(b, a + 12);
    const c0 = i32(b, c), c1 = i32(b, c + 4), c2 = i32(b, c + 8), c3 = i32(b, c + 12);
    // a 52-bit hash of the tuple picks a bucket; entries keep the tuple to compare
    const h1 = Math.imul(a0 ^ Math.imul(a1, 0x85ebca6b) ^ Math.imul(a2, 0xc2b2ae35) ^ Math.imul(a3, 0x27d4eb2f), 0x165667b1) ^ pa;
    const h2 = Math.imul(c0 ^ Math.imul(c1, 0x85ebca6b) ^ Math.imul(c2, 0xc2b2ae35) ^ Math.imul(c3, 0x27d4eb2f), 0x9e3779b1) ^ (pc << 4);
    const key = (h1 >>> 0) * 0x100000 + (h2 & 0xfffff);
    let bucket = this.v6.get(key);
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const e = bucket[i]!;
        const t = e.tuple;
        if (e.pa === pa && e.pc === pc && t[0] === a0 && t[1] === a1 && t[2] === a2 && t[3] === a3 && t[4] === c0 && t[5] === c1 && t[6] === c2 && t[7] === c3) return e;
      }
    }
    if (!create) return undefined;
    const e: SeqEntry6 = { seq: 0, ack: 0, pa, pc, tuple: Int32Array.of(a0, a1, a2, a3, c0, c1, c2, c3) };
    if (bucket === undefined) {
      bucket = [];
      this.v6.set(key, bucket);
    }
    bucket.push(e);
    return e;
  }

}

export function printTcp(ctx: PrintContext, bp: number, length: number, ip: IpInfo): void {
  ctx.protocol = 'tcp';
  const b = ctx.buf;
  const v6 = ip.version === 6;
  const ipOff = ip.off;
  const src = v6 ? ipv6At(b, ipOff + 8) : ipv4At(b, ipOff + 12);
  const dst = v6 ? ipv6At(b, ipOff + 24) : ipv4At(b, ipOff + 16);
  if (!ctx.has(bp + 2, 2)) {
    ctx.s += `${src} > ${dst}:`;
    ctx.printTrunc();
    return;
  }
  const sport = ctx.u16(bp);
  const dport = ctx.u16(bp + 2);
  if (ip.headerProto === 6) ctx.s += `${src}.${sport} > ${dst}.${dport}: `;
  else ctx.s += `${sport} > ${dport}: `;
  ctx.checkLocal(bp, 20);
  let hlen = (b[bp + 12]! >> 4) * 4;
  if (hlen < 20) {
    ctx.s += ` tcp ${(length - hlen) >>> 0} [bad hdr length ${hlen} - too short, < 20]`;
    return;
  }
  let seq = ctx.u32(bp + 4);
  let ack = ctx.u32(bp + 8);
  const win = ctx.u16(bp + 14);
  const urp = ctx.u16(bp + 18);
  const o = ctx.opts;
  if (o.quiet) {
    ctx.s += `tcp ${(length - hlen) >>> 0}`;
    if (hlen > length) ctx.s += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  const flags = b[bp + 13]!;
  ctx.s += 'Flags [' + FLAG_TEXT[flags] + ']';
  let rev = false;
  let thseq = 0;
  let thack = 0;
  if (!o.absoluteSeq && flags & 0x10) {
    const table = ctx.tcpSeq;
    table.relate(b, ipOff, v6, sport, dport, flags, seq, ack);
    seq = table.relSeq;
    ack = table.relAck;
    rev = table.reversed;
    thseq = table.baseSeq;
    thack = table.baseAck;
  }
  if (hlen > length) {
    ctx.s += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  if (o.verbose && !ip.fragmented && ctx.has(bp, length)) {
    const pseudo = v6 ? ip6PseudoSum(ctx, ipOff, 6, length) : ip4PseudoSum(ctx, ipOff, 6, length);
    const sum = csumFinish(csumAdd(b, bp, length, pseudo));
    const field = ctx.u16(bp + 16);
    ctx.s += `, cksum 0x${hex4(field)}` + (sum !== 0 ? ` (incorrect -> 0x${hex4(cksumShouldBe(field, sum))})` : ' (correct)');
  }
  length -= hlen;
  if (o.verbose > 1 || length > 0 || flags & 0x07) {
    ctx.s += `, seq ${seq}`;
    if (length > 0) ctx.s += `:${(seq + length) >>> 0}`;
  }
  if (flags & 0x10) ctx.s += `, ack ${ack}`;
  ctx.s += `, win ${win}`;
  if (flags & 0x20) ctx.s += `, urg ${urp}`;
  if (hlen > 20) {
    try {
      if (!printTcpOptions(ctx, bp + 20, hlen - 20, flags, rev, thseq, thack)) return;
    } catch (e) {
      if (e !== TCP_OPTION_TRUNCATED) throw e;
      ctx.printTrunc();
      if (optSeparator) ctx.s += '>';
      return;
    }
  }
  ctx.s += `, length ${length}`;
  if (length <= 0) return;
  printTcpPayload(ctx, bp + (b[bp + 12]! >> 4) * 4, length, sport, dport, flags);
}

/** The option list; false after `[bad opt]` (tcpdump returns from tcp_print there). */
function printTcpOptions(ctx: PrintContext, cp: number, hlen: number, flags: number, rev: boolean, thseq: number, thack: number): boolean {
  ctx.s += ', options [';
  let ch = '';
  while (hlen > 0) {
    ctx.s += ch;
    const opt = ctx.u8(cp);
    cp++;
    let len: number;
    if (opt === 0 || opt === 1) len = 1;
    else {
      len = ctx.u8(cp);
      cp++;
      if (len < 2 || len > hlen) return badOpt(ctx, ch);
      --hlen;
    }
    --hlen;
    let datalen = 0;
    ctx.s += OPTION_NAMES[opt] ?? `unknown-${opt}`;
    optSeparator = ch;
    const lencheck = (l: number): boolean => {
      if (l > hlen) return false;
      // ND_TCHECK_LEN jumps to tcp_print's own trunc label, which closes with '>'
      if (!ctx.has(cp, l)) throw TCP_OPTION_TRUNCATED;
      return true;
    };
    switch (opt) {
      case 2:
        datalen = 2;
        if (!lencheck(2)) return badOpt(ctx, ch);
        ctx.s += ' ' + ctx.u16(cp);
        break;
      case 3:
        datalen = 1;
        if (!lencheck(1)) return badOpt(ctx, ch);
        ctx.s += ' ' + ctx.u8(cp);
        break;
      case 5:
        datalen = len - 2;
        if (datalen % 8 !== 0) ctx.s += ' invalid sack';
        else {
          ctx.s += ` ${datalen / 8} `;
          for (let i = 0; i < datalen; i += 8) {
            if (!lencheck(i + 4)) return badOpt(ctx, ch);
            let s = ctx.u32(cp + i);
            if (!lencheck(i + 8)) return badOpt(ctx, ch);
            let e = ctx.u32(cp + i + 4);
            const base = rev ? thseq : thack;
            s = (s - base) >>> 0;
            e = (e - base) >>> 0;
            ctx.s += `{${s}:${e}}`;
          }
        }
        break;
      case 6:
      case 7:
      case 11:
      case 12:
      case 13:
        datalen = 4;
        if (!lencheck(4)) return badOpt(ctx, ch);
        ctx.s += ' ' + ctx.u32(cp);
        break;
      case 8:
        datalen = 8;
        if (!lencheck(8)) return badOpt(ctx, ch);
        ctx.s += ` val ${ctx.u32(cp)} ecr ${ctx.u32(cp + 4)}`;
        break;
      case 19:
        datalen = 16;
        if (!lencheck(16)) return badOpt(ctx, ch);
        ctx.s += ' ';
        // tcpdump built with libcrypto cannot check without the key either
        ctx.s += "can't check - ";
        for (let i = 0; i < 16; i++) ctx.s += HEX2[ctx.u8(cp + i)];
        break;
      case 20:
        datalen = 2;
        if (!lencheck(2)) return badOpt(ctx, ch);
        ctx.s += ` cap ${HEX2[ctx.u8(cp)]} id ${ctx.u8(cp + 1)}`;
        break;
      case 29:
        datalen = len - 2;
        if (datalen < 2) ctx.s += ' (invalid)';
        else {
          if (!lencheck(1)) return badOpt(ctx, ch);
          ctx.s += ` keyid ${ctx.u8(cp)}`;
          if (!lencheck(2)) return badOpt(ctx, ch);
          ctx.s += ` rnextkeyid ${ctx.u8(cp + 1)}`;
          if (datalen > 2) {
            ctx.s += ' mac 0x';
            for (let i = 2; i < datalen; i++) {
              if (!lencheck(i + 1)) return badOpt(ctx, ch);
              ctx.s += HEX2[ctx.u8(cp + i)];
            }
          }
        }
        break;
      case 0:
      case 1:
      case 4:
        break;
      case 28: {
        datalen = 2;
        if (!lencheck(2)) return badOpt(ctx, ch);
        let uto = ctx.u16(cp);
        ctx.s += ` 0x${uto.toString(16)}`;
        uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
        ctx.s += ' ' + uto;
        break;
      }
      case 30: {
        datalen = len - 2;
        if (!lencheck(datalen)) return badOpt(ctx, ch);
        const saved = ctx.snapend;
        ctx.snapend = Math.min(cp - 2 + len, saved);
        let ok: boolean;
        try {
          ok = printMptcp(ctx, cp - 2, len, flags);
        } finally {
          ctx.snapend = saved;
        }
        if (!ok) return badOpt(ctx, ch);
        break;
      }
      case 34:
        datalen = len - 2;
        if (!lencheck(datalen)) return badOpt(ctx, ch);
        ctx.s += ' ';
        printFastOpen(ctx, cp, datalen, false);
        break;
      case 254: {
        datalen = len - 2;
        if (!lencheck(datalen)) return badOpt(ctx, ch);
        if (datalen < 2) return badOpt(ctx, ch);
        const magic = ctx.u16(cp);
        ctx.s += '-';
        if (magic === 0xf989) printFastOpen(ctx, cp + 2, datalen - 2, true);
        else ctx.s += hex4(magic);
        break;
      }
      default:
        datalen = len - 2;
        if (datalen) ctx.s += ' 0x';
        for (let i = 0; i < datalen; ++i) {
          if (!lencheck(i + 1)) return badOpt(ctx, ch);
          ctx.s += HEX2[ctx.u8(cp + i)];
        }
    }
    cp += datalen;
    hlen -= datalen;
    datalen++;
    if (opt !== 0 && opt !== 1) datalen++;
    if (datalen !== len) ctx.s += `[len ${len}]`;
    ch = ',';
    if (opt === 0) break;
  }
  ctx.s += ']';
  return true;
}

class TcpOptionTruncated {}
const TCP_OPTION_TRUNCATED = new TcpOptionTruncated();
let optSeparator = '';

const MPTCP_SUBTYPES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'];

/** mptcp_print: length, subtype, and MP_CAPABLE's details; false makes the option `[bad opt]`. */
function printMptcp(ctx: PrintContext, opt: number, len: number, flags: number): boolean {
  ctx.protocol = 'mptcp';
  if (len < 3) return false;
  const subtype = Math.min(ctx.u8(opt + 2) >> 4, 8);
  ctx.s += ` ${len} ${MPTCP_SUBTYPES[subtype]}`;
  if (subtype !== 0) return true;
  const syn = (flags & 0x02) !== 0;
  if (!((len === 12 || len === 4) && syn) && !((len === 20 || len === 22) && (flags & 0x12) === 0x10)) return false;
  const version = ctx.u8(opt + 2) & 0x0f;
  if (version > 1) {
    ctx.s += ` Unknown Version (${version})`;
    return true;
  }
  ctx.s += ` v${version}`;
  if (ctx.u8(opt + 3) & 0x80) ctx.s += ' csum';
  if (len === 12 || len >= 20) {
    ctx.check(opt + 4, 8);
    ctx.s += ` {0x${ctx.buf.readBigUInt64BE(opt + 4).toString(16)}`;
    if (len >= 20) {
      ctx.check(opt + 12, 8);
      ctx.s += `,0x${ctx.buf.readBigUInt64BE(opt + 12).toString(16)}`;
    }
    ctx.s += '}';
  }
  return true;
}

function badOpt(ctx: PrintContext, ch: string): false {
  ctx.s += ch ? '[bad opt]]' : '[bad opt]';
  return false;
}

function printFastOpen(ctx: PrintContext, cp: number, datalen: number, exp: boolean): void {
  if (exp) ctx.s += 'tfo';
  if (datalen === 0) ctx.s += ' cookiereq';
  else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) ctx.s += ' (invalid)';
  else {
    ctx.s += ' cookie ';
    for (let i = 0; i < datalen; ++i) ctx.s += HEX2[ctx.u8(cp + i)];
  }
}
