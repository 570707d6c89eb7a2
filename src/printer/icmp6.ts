/** ICMPv6 (tcpdump's print-icmp6.c): errors, echo, neighbour discovery and its options, MLD. */
import type { PrintContext } from './context.js';
import { csumAdd, csumFinish, cksumShouldBe, hex4, HEX2, ipv6At } from './format.js';
import { printGroupRecords } from './group-records.js';
import { hexOnly } from './hexdump.js';
import type { IpInfo } from './ip.js';
import { ip6PseudoSum } from './ip6.js';

const TYPES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded in-transit',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  138: 'router renumbering',
  139: 'node information query',
  140: 'node information reply',
  141: 'inverse neighbor solicitation',
  142: 'inverse neighbor advertisement',
  143: 'multicast listener report v2',
  144: 'ha discovery request',
  145: 'ha discovery reply',
  146: 'mobile router solicitation',
  147: 'mobile router advertisement',
  148: 'certification path solicitation',
  149: 'certification path advertisement',
  151: 'multicast router advertisement',
  152: 'multicast router solicitation',
  153: 'multicast router termination',
  155: 'RPL',
};

const OPTION_NAMES: Record<number, string> = {
  1: 'source link-address',
  2: 'destination link-address',
  3: 'prefix info',
  4: 'redirected header',
  5: 'mtu',
  7: 'advertisement interval',
  8: 'homeagent information',
  24: 'route info',
  25: 'rdnss',
  31: 'dnssl',
};

const UNREACH_CODES: Record<number, string> = {
  0: 'unreachable route',
  1: 'unreachable prohibited',
  2: 'beyond scope',
  3: 'unreachable address',
  4: 'unreachable port',
};

const RTPREF = ['medium', 'high', 'rsv', 'low'];

function bits(v: number, table: [number, string][]): string {
  const out: string[] = [];
  for (const [bit, name] of table) if (v & bit) out.push(name);
  return out.length ? out.join(', ') : 'none';
}
const RA_FLAGS: [number, string][] = [[0x80, 'managed'], [0x40, 'other stateful'], [0x20, 'home agent'], [0x04, 'proxy']];
const PI_FLAGS: [number, string][] = [[0x80, 'onlink'], [0x40, 'auto'], [0x20, 'router']];
const NA_FLAGS: [number, string][] = [[0x80, 'router'], [0x40, 'solicited'], [0x20, 'override']];

function lifetime(v: number): string {
  return v === 0xffffffff ? 'infinity' : `${v}s`;
}

export function printIcmp6(ctx: PrintContext, bp: number, length: number, ip: IpInfo): void {
  ctx.protocol = 'icmp6';
  const b = ctx.buf;
  const o = ctx.opts;
  const addr = (off: number): string => {
    ctx.check(off, 16);
    return ipv6At(b, off);
  };
  if (length === 0) {
    ctx.s += 'ICMP6, length 0 (invalid)';
    return;
  }
  if (o.verbose && !ip.fragmented && ctx.has(bp, length)) {
    const field = ctx.u16(bp + 2);
    const sum = csumFinish(csumAdd(b, bp, length, ip6PseudoSum(ctx, ip.off, 58, length)));
    ctx.s += sum !== 0 ? `[bad icmp6 cksum 0x${hex4(field)} -> 0x${hex4(cksumShouldBe(field, sum))}!] ` : '[icmp6 sum ok] ';
  }
  const type = ctx.u8(bp);
  ctx.s += `ICMP6, ${TYPES[type] ?? `unknown icmp6 type (${type})`}`;
  if (o.verbose && (type === 133 || type === 134 || type === 135 || type === 136 || type === 137 || type === 145 || type === 147)) {
    ctx.s += `, length ${length}`;
  }
  const code = ctx.u8(bp + 1);
  const oip = bp + 8;
  try {
    switch (type) {
      case 1:
        ctx.s += ', ' + (UNREACH_CODES[code] ?? `unknown unreach code (${code})`);
        switch (code) {
          case 0:
          case 1:
          case 3:
            ctx.s += ' ' + addr(oip + 24);
            break;
          case 2:
            ctx.s += ` ${addr(oip + 24)}, source address ${addr(oip + 8)}`;
            break;
          case 4: {
            const up = upperLayer(ctx, oip);
            if (up === null) {
              ctx.printTrunc();
              return;
            }
            const dport = ctx.u16(up.off + 2);
            const d = addr(oip + 24);
            ctx.s += up.proto === 6 ? `, ${d} tcp port ${dport}` : up.proto === 17 ? `, ${d} udp port ${dport}` : `, ${d} protocol ${up.proto} port ${dport} unreachable`;
            break;
          }
          default:
            ctx.s += `, ${addr(oip + 24)} unreachable code ${code}`;
        }
        break;
      case 2:
        ctx.s += `, mtu ${ctx.u32(bp + 4)}`;
        break;
      case 3:
        if (code === 0) ctx.s += ` for ${addr(oip + 24)}`;
        else if (code === 1) ctx.s += ' (reassembly)';
        else ctx.s += `, unknown code (${code})`;
        break;
      case 4:
        ctx.check(oip + 24, 16);
        switch (code) {
          case 0:
            ctx.s += `, erroneous - octet ${ctx.u32(bp + 4)}`;
            break;
          case 1:
            ctx.s += `, next header - octet ${ctx.u32(bp + 4)}`;
            break;
          case 2:
            ctx.s += `, option - octet ${ctx.u32(bp + 4)}`;
            break;
          case 3:
            ctx.s += `, incomplete header chain - octet ${ctx.u32(bp + 4)}`;
            break;
          default:
            ctx.s += `, code-#${code}`;
        }
        break;
      case 128:
      case 129:
        ctx.s += `, id ${ctx.u16(bp + 4)}, seq ${ctx.u16(bp + 6)}`;
        break;
      case 130:
        if (length === 24) {
          ctx.s += ` max resp delay: ${ctx.u16(bp + 4)} `;
          ctx.s += ` addr: ${addr(bp + 8)}`;
        } else if (length >= 28) {
          ctx.s += ' v2';
          printMldv2Query(ctx, bp, length);
        } else ctx.s += ` unknown-version (len ${length}) `;
        break;
      case 131:
      case 132:
        ctx.s += ' ' + addr(bp + 8);
        break;
      case 133:
        if (o.verbose && !printNdOptions(ctx, bp + 8, length - 8)) return ctx.printTrunc();
        break;
      case 134:
        if (o.verbose) {
          const f = ctx.u8(bp + 5);
          ctx.s += `\n\thop limit ${ctx.u8(bp + 4)}, Flags [${bits(f, RA_FLAGS)}], pref ${RTPREF[(f >> 3) & 3]}, router lifetime ${ctx.u16(bp + 6)}s, reachable time ${ctx.u32(bp + 8)}ms, retrans timer ${ctx.u32(bp + 12)}ms`;
          if (!printNdOptions(ctx, bp + 16, length - 16)) return ctx.printTrunc();
        }
        break;
      case 135:
        ctx.s += `, who has ${addr(bp + 8)}`;
        if (o.verbose && !printNdOptions(ctx, bp + 24, length - 24)) return ctx.printTrunc();
        break;
      case 136:
        ctx.s += `, tgt is ${addr(bp + 8)}`;
        if (o.verbose) {
          ctx.s += `, Flags [${bits(ctx.u8(bp + 4), NA_FLAGS)}]`;
          if (!printNdOptions(ctx, bp + 24, length - 24)) return ctx.printTrunc();
        }
        break;
      case 137:
        ctx.s += `, ${addr(bp + 24)}`;
        ctx.s += ` to ${addr(bp + 8)}`;
        if (o.verbose && !printNdOptions(ctx, bp + 40, length - 40)) return ctx.printTrunc();
        break;
      case 141:
      case 142:
        break;
      case 143:
        printMldv2Report(ctx, bp, length);
        break;
      default:
        ctx.s += `, length ${length}`;
        if (o.verbose <= 1) ctx.s += hexOnly(b, bp, Math.min(length, ctx.avail(bp)), '\n\t');
        return;
    }
  } catch (e) {
    throw e;
  }
  if (!o.verbose) ctx.s += `, length ${length}`;
}

function upperLayer(ctx: PrintContext, ip6: number): { proto: number; off: number } | null {
  if (!ctx.has(ip6, 40)) return null;
  const b = ctx.buf;
  let nh = b[ip6 + 6]!;
  let cp = ip6 + 40;
  for (let i = 0; i < 16; i++) {
    if (nh === 0 || nh === 60 || nh === 43) {
      if (!ctx.has(cp, 2)) return null;
      const hl = (b[cp + 1]! + 1) << 3;
      nh = b[cp]!;
      cp += hl;
    } else if (nh === 44) {
      if (!ctx.has(cp, 8)) return null;
      if ((((b[cp + 2]! << 8) | b[cp + 3]!) & 0xfff8) !== 0) return null;
      nh = b[cp]!;
      cp += 8;
    } else break;
  }
  if (!ctx.has(cp, 4)) return null;
  return { proto: nh, off: cp };
}

/** icmp6_opt_print: false when truncated. */
function printNdOptions(ctx: PrintContext, cp: number, resid: number): boolean {
  const b = ctx.buf;
  const ep = ctx.snapend;
  const v2 = ctx.opts.verbose > 1;
  while (cp < ep) {
    if (!ctx.has(cp + 1, 1)) return false;
    if (resid <= 0) return true;
    const type = b[cp]!;
    const olen = b[cp + 1]!;
    if (olen === 0) return false;
    if (cp + (olen << 3) > ep) return false;
    ctx.s += `\n\t  ${OPTION_NAMES[type] ?? 'unknown'} option (${type}), length ${olen << 3} (${olen}): `;
    switch (type) {
      case 1:
      case 2: {
        const l = (olen << 3) - 2;
        let s = '';
        for (let i = 0; i < l; i++) s += (i ? ':' : '') + HEX2[ctx.u8(cp + 2 + i)];
        ctx.s += s;
        break;
      }
      case 3:
        ctx.check(cp + 16, 16);
        ctx.s += `${ipv6At(b, cp + 16)}/${ctx.u8(cp + 2)}${olen !== 4 ? 'badlen' : ''}, Flags [${bits(ctx.u8(cp + 3), PI_FLAGS)}], valid time ${lifetime(ctx.u32(cp + 4))}`;
        ctx.s += `, pref. time ${lifetime(ctx.u32(cp + 8))}`;
        break;
      case 4:
        ctx.s += hexOnly(b, cp, Math.min(olen << 3, ctx.avail(cp)), '\n\t    ');
        break;
      case 5:
        ctx.s += ` ${ctx.u32(cp + 4)}${olen !== 1 ? 'bad option length' : ''}`;
        break;
      case 25: {
        const n = (olen - 1) >> 1;
        ctx.s += ` lifetime ${ctx.u32(cp + 4)}s,`;
        for (let i = 0; i < n; i++) {
          ctx.check(cp + 8 + i * 16, 16);
          ctx.s += ` addr: ${ipv6At(b, cp + 8 + i * 16)}`;
        }
        break;
      }
      case 31: {
        ctx.s += ` lifetime ${ctx.u32(cp + 4)}s, domain(s):`;
        let d = cp + 8;
        const end = cp + (olen << 3);
        while (d < end && ctx.u8(d) !== 0) {
          ctx.s += ' ';
          const r = fqdn(ctx, d);
          if (r < 0) return false;
          d = r;
        }
        break;
      }
      case 7:
        ctx.s += ` ${ctx.u32(cp + 4)}ms`;
        break;
      case 8:
        ctx.s += ` preference ${ctx.u16(cp + 4)}, lifetime ${ctx.u16(cp + 6)}`;
        break;
      case 24: {
        ctx.check(cp + 4, 4);
        const prefix = Buffer.alloc(16);
        if (olen === 2) ctx.check(cp + 8, 8), ctx.buf.copy(prefix, 0, cp + 8, cp + 16);
        else if (olen === 3) ctx.check(cp + 8, 16), ctx.buf.copy(prefix, 0, cp + 8, cp + 24);
        else if (olen !== 1) return false;
        ctx.s += ` ${ipv6At(prefix, 0)}/${ctx.u8(cp + 2)}`;
        ctx.s += `, pref=${RTPREF[(ctx.u8(cp + 3) >> 3) & 3]}`;
        ctx.s += `, lifetime=${lifetime(ctx.u32(cp + 4))}`;
        break;
      }
      default:
        if (!v2) {
          ctx.s += hexOnly(b, cp + 2, Math.min((olen << 3) - 2, ctx.avail(cp + 2)), '\n\t  ');
          return true;
        }
    }
    if (v2) ctx.s += hexOnly(b, cp + 2, Math.min((olen << 3) - 2, ctx.avail(cp + 2)), '\n\t    ');
    cp += olen << 3;
    resid -= olen << 3;
  }
  return true;
}

/** A DNS name without compression (ND options): labels then '.', returns the next offset or -1. */
function fqdn(ctx: PrintContext, cp: number): number {
  let s = '';
  for (let guard = 0; guard < 128; guard++) {
    const l = ctx.u8(cp);
    if (l === 0) {
      ctx.s += s || '.';
      return cp + 1;
    }
    if (l & 0xc0) return -1;
    ctx.check(cp + 1, l);
    s += ctx.buf.toString('latin1', cp + 1, cp + 1 + l) + '.';
    cp += 1 + l;
  }
  return -1;
}

function printMldv2Report(ctx: PrintContext, bp: number, len: number): void {
  if (len < 8) {
    ctx.s += ` [invalid len ${len}]`;
    return;
  }
  printGroupRecords(ctx, bp, len, 16);
}

function printMldv2Query(ctx: PrintContext, bp: number, len: number): void {
  if (len < 28) {
    ctx.s += ` [invalid len ${len}]`;
    return;
  }
  const mrc = ctx.u16(bp + 4);
  const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
  const v = ctx.opts.verbose;
  if (v) ctx.s += ` [max resp delay=${mrt}]`;
  ctx.check(bp + 8, 16);
  ctx.s += ` [gaddr ${ipv6At(ctx.buf, bp + 8)}`;
  if (v) {
    const f = ctx.u8(bp + 24);
    if (f & 0x08) ctx.s += ' sflag';
    if (f & 0x07) ctx.s += ` robustness=${f & 0x07}`;
    const q = ctx.u8(bp + 25);
    const qqi = q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3);
    ctx.s += ` qqi=${qqi}`;
  }
  const nsrcs = ctx.u16(bp + 26);
  if (nsrcs > 0) {
    if (len < 28 + nsrcs * 16) ctx.s += ' [invalid number of sources]';
    else if (v > 1) {
      ctx.s += ' {';
      for (let i = 0; i < nsrcs; i++) {
        ctx.check(bp + 28 + i * 16, 16);
        ctx.s += ' ' + ipv6At(ctx.buf, bp + 28 + i * 16);
      }
      ctx.s += ' }';
    } else ctx.s += `, ${nsrcs} source(s)`;
  }
  ctx.s += ']';
}
