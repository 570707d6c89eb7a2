/** IPv4 (tcpdump's print-ip.c): header, -v fields, options, checksum verdict, demux. */
import type { PrintContext } from './context.js';
import { TRUNCATED } from './context.js';
import { csumAdd, csumFinish, cksumShouldBe, hex, ipv4At } from './format.js';
import { ipProtoName } from './tables.js';
import { printIp6 } from './ip6.js';
import { printTcp } from './tcp.js';
import { printUdp } from './udp.js';
import { printIcmp } from './icmp.js';
import { printIcmp6 } from './icmp6.js';
import { printAh, printEsp, printGre, printIgmp, printSctp } from './other.js';

/** What a transport printer needs to know about the IP header above it. */
export interface IpInfo {
  version: 4 | 6;
  /** Offset of the IP header. */
  off: number;
  /** The protocol field of the IP header itself (IPv6: the first next-header). */
  headerProto: number;
  fragmented: boolean;
}

const ip4InfoPool: IpInfo[] = [];
const ip6InfoPool: IpInfo[] = [];
export function ipInfo(version: 4 | 6, off: number, headerProto: number, fragmented: boolean, depth: number): IpInfo {
  const pool = version === 4 ? ip4InfoPool : ip6InfoPool;
  let i = pool[depth];
  if (i === undefined) {
    i = { version, off, headerProto, fragmented };
    pool[depth] = i;
  }
  i.off = off;
  i.headerProto = headerProto;
  i.fragmented = fragmented;
  return i;
}

let depth = 0;

/** ipN_print: by the version nibble (raw IP links). */
export function printIpN(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'ip';
  if (ctx.avail(p) < 1) {
    ctx.printTrunc();
    return;
  }
  const v = ctx.u8(p) >> 4;
  if (v === 4) printIp(ctx, p, length);
  else if (v === 6) printIp6(ctx, p, length);
  else ctx.s += `unknown ip ${v}`;
}

export function printIp(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'ip';
  const v = ctx.u8(p) >> 4;
  if (v !== 4) {
    ctx.s += `IP${v}` + (v === 6 ? ', wrong link-layer encapsulation' : '') + ' (invalid)';
    return;
  }
  if (!ctx.opts.linkHeader) ctx.s += 'IP ';
  ctx.checkLocal(p, 20);
  if (length < 20) {
    ctx.s += `truncated-ip ${length}`;
    return;
  }
  const hlen = (ctx.u8(p) & 0x0f) * 4;
  if (hlen < 20) {
    ctx.s += `bad-hlen ${hlen}`;
    return;
  }
  let len = ctx.u16(p + 2);
  if (length < len) ctx.s += `truncated-ip - ${len - length} bytes missing! `;
  if (len < hlen) {
    // tcpdump 4.99 as distributions build it (no GUESS_TSO): a zero length is bad too
    ctx.s += `bad-len ${len}`;
    return;
  }
  const saved = ctx.pushSnap(p, Math.min(length, len));
  const plen = len - hlen;
  const off = ctx.u16(p + 6);
  const proto = ctx.u8(p + 9);
  const b = ctx.buf;
  if (ctx.opts.verbose) {
    const tos = ctx.u8(p + 1);
    let s = `(tos 0x${hex(tos)}`;
    switch (tos & 3) {
      case 1:
        s += ',ECT(1)';
        break;
      case 2:
        s += ',ECT(0)';
        break;
      case 3:
        s += ',CE';
        break;
    }
    const ttl = ctx.u8(p + 8);
    if (ttl >= 1) s += `, ttl ${ttl}`;
    let flags = '';
    if (off & 0x2000) flags = '+';
    if (off & 0x4000) flags += (flags ? ', ' : '') + 'DF';
    if (off & 0x8000) flags += (flags ? ', ' : '') + 'rsvd';
    s += `, id ${ctx.u16(p + 4)}, offset ${(off & 0x1fff) * 8}, flags [${flags || 'none'}], proto ${ipProtoName(proto)} (${proto})`;
    s += `, length ${ctx.u16(p + 2)}`;
    ctx.s += s;
    let truncatedOptions = false;
    if (hlen > 20) {
      ctx.s += ', options (';
      if (!printIpOptions(ctx, p + 20, hlen - 20)) {
        ctx.s += ' [truncated-option]';
        truncatedOptions = true;
      }
      ctx.s += ')';
    }
    if (p + hlen <= ctx.snapend) {
      const sum = csumFinish(csumAdd(b, p, hlen, 0));
      if (sum !== 0) {
        const field = ctx.u16(p + 10);
        ctx.s += `, bad cksum ${hex(field)} (->${hex(cksumShouldBe(field, sum))})!`;
      }
    }
    ctx.s += ')\n    ';
    if (truncatedOptions) {
      ctx.s += `${ipv4At(b, p + 12)} > ${ipv4At(b, p + 16)}: `;
      ctx.printTrunc();
      ctx.popSnap(saved);
      return;
    }
  }
  if ((off & 0x1fff) === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) {
      ctx.check(p + 12, 8);
      ctx.s += `${ipv4At(b, p + 12)} > ${ipv4At(b, p + 16)}: `;
    }
    if (!ctx.has(p, hlen)) {
      ctx.s += ` [remaining caplen(${ctx.avail(p)}) < header length(${hlen})]`;
      throw TRUNCATED;
    }
    depth++;
    try {
      ipDemux(ctx, p + hlen, plen, ipInfo(4, p, proto, (off & 0x2000) !== 0, depth), proto);
    } finally {
      depth--;
    }
  } else {
    ctx.check(p + 12, 8);
    ctx.s += `${ipv4At(b, p + 12)} > ${ipv4At(b, p + 16)}: ip-proto-${proto}`;
  }
  ctx.popSnap(saved);
}

/** ip_demux_print: the protocol after an IPv4 header or IPv6 extension headers. */
export function ipDemux(ctx: PrintContext, p: number, length: number, ip: IpInfo, nh: number): void {
  for (;;) {
    if (nh !== 51) break;
    const next = ctx.u8(p);
    const advance = printAh(ctx, p);
    if (advance <= 0) return;
    p += advance;
    length -= advance;
    nh = next;
  }
  switch (nh) {
    case 50:
      printEsp(ctx, p, length);
      return;
    case 2:
      if (ip.version === 4) printIgmp(ctx, p, length);
      else ctx.s += '[IGMP requires IPv4] (invalid)';
      return;
    case 47:
      printGre(ctx, p, length);
      return;
    case 132:
      printSctp(ctx, p, length, ip);
      return;
    case 6:
      printTcp(ctx, p, length, ip);
      return;
    case 17:
      printUdp(ctx, p, length, ip);
      return;
    case 1:
      if (ip.version === 4) printIcmp(ctx, p, length, ip);
      else ctx.s += `[ICMP requires IPv4] (invalid)`;
      return;
    case 58:
      if (ip.version === 6) printIcmp6(ctx, p, length, ip);
      else ctx.s += `[ICMPv6 requires IPv6] (invalid)`;
      return;
    case 4:
      printIp(ctx, p, length);
      return;
    case 41:
      printIp6(ctx, p, length);
      return;
    case 59:
      ctx.s += 'no next header';
      return;
    default:
      ctx.s += ` ip-proto-${nh} ${length}`;
  }
}

const IPOPT_NAMES: Record<number, string> = { 0: 'EOL', 1: 'NOP', 7: 'RR', 68: 'timestamp', 130: 'security', 131: 'LSRR', 137: 'SSRR', 148: 'RA', 82: 'traceroute' };

/** ip_optprint: false when the options ran past the captured data. */
function printIpOptions(ctx: PrintContext, cp: number, length: number): boolean {
  let sep = '';
  try {
    while (length > 0) {
      ctx.s += sep;
      sep = ',';
      const code = ctx.u8(cp);
      ctx.s += IPOPT_NAMES[code] ?? `unknown ${code}`;
      let optLen: number;
      if (code === 0 || code === 1) optLen = 1;
      else {
        optLen = ctx.u8(cp + 1);
        if (optLen < 2) {
          ctx.s += ` [bad length ${optLen}]`;
          return true;
        }
      }
      if (optLen > length) {
        ctx.s += ` [bad length ${optLen}]`;
        return true;
      }
      switch (code) {
        case 0:
          return true;
        case 68:
          printIpTimestamp(ctx, cp, optLen);
          break;
        case 7:
        case 131:
        case 137:
          printIpRoute(ctx, cp, optLen);
          break;
        case 148:
          if (optLen < 4) {
            ctx.s += ` [bad length ${optLen}]`;
            break;
          }
          if (ctx.u16(cp + 2) !== 0) ctx.s += ' value ' + ctx.u16(cp + 2);
          break;
      }
      cp += optLen;
      length -= optLen;
    }
    return true;
  } catch (e) {
    if (e === TRUNCATED) return false;
    throw e;
  }
}

function printIpRoute(ctx: PrintContext, cp: number, length: number): void {
  if ((length + 1) & 3) ctx.s += ` [bad length ${length}]`;
  const ptr = ctx.u8(cp + 2) - 1;
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) ctx.s += ` [bad ptr ${ctx.u8(cp + 2)}]`;
  for (let len = 3; len < length; len += 4) {
    ctx.check(cp + len, 4);
    ctx.s += ' ' + ipv4At(ctx.buf, cp + len);
    if (ptr > len) ctx.s += ',';
  }
}

function printIpTimestamp(ctx: PrintContext, cp: number, length: number): void {
  if (length < 4) {
    ctx.s += `[bad length ${length}]`;
    return;
  }
  ctx.s += ' TS{';
  const flags = ctx.u8(cp + 3);
  const hoplen = (flags & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) ctx.s += `[bad length ${length}]`;
  const ptr = ctx.u8(cp + 2) - 1;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hoplen - 1) || ptr > length + 1) ctx.s += `[bad ptr ${ctx.u8(cp + 2)}]`;
  let ok = true;
  switch (flags & 0xf) {
    case 0:
      ctx.s += 'TSONLY';
      break;
    case 1:
      ctx.s += 'TS+ADDR';
      break;
    case 3:
      ctx.s += 'PRESPEC';
      break;
    default:
      ctx.s += `[bad ts type ${flags & 0xf}]`;
      ok = false;
  }
  if (ok) {
    let type = ' ';
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = ' ^ ';
      const ts = ctx.u32(cp + len + hoplen - 4);
      let addr = '';
      if (hoplen === 8) {
        ctx.check(cp + len, 4);
        addr = ipv4At(ctx.buf, cp + len);
      }
      ctx.s += `${type}${ts}@${addr}`;
      type = ' ';
    }
  }
  ctx.s += ptr === len ? ' ^ ' : '';
  if (flags >> 4) ctx.s += ` [${flags >> 4} hops not recorded]} `;
  else ctx.s += '}';
}

/** The IPv4 pseudo-header sum for TCP/UDP checksums. */
export function ip4PseudoSum(ctx: PrintContext, ipOff: number, proto: number, len: number): number {
  const b = ctx.buf;
  let sum = csumAdd(b, ipOff + 12, 4, 0);
  sum += finalDst4Sum(ctx, ipOff);
  return sum + proto + len;
}

/** ip_finddst: a source-route option's last address is the destination the checksum covers. */
function finalDst4Sum(ctx: PrintContext, ipOff: number): number {
  const b = ctx.buf;
  const hlen = (b[ipOff]! & 0xf) * 4;
  let cp = ipOff + 20;
  let left = hlen - 20;
  let dst = ipOff + 16;
  while (left > 0 && ctx.has(cp, 1)) {
    const code = b[cp]!;
    if (code === 0) break;
    if (code === 1) {
      cp++;
      left--;
      continue;
    }
    if (!ctx.has(cp + 1, 1)) break;
    const l = b[cp + 1]!;
    if (l < 2 || l > left) break;
    if ((code === 131 || code === 137) && l >= 7 && ctx.has(cp, l)) dst = cp + l - 4;
    cp += l;
    left -= l;
  }
  return (b[dst]! << 8 | b[dst + 1]!) + (b[dst + 2]! << 8 | b[dst + 3]!);
}
