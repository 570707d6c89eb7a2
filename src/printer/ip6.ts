/** IPv6 (tcpdump's print-ip6.c, print-ip6opts.c, print-frag6.c, print-rt6.c). */
import type { PrintContext } from './context.js';
import { csumAdd, hex, ipv6At } from './format.js';
import { ipProtoName } from './tables.js';
import { ipDemux, ipInfo } from './ip.js';

let depth = 0;

export function printIp6(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'ip6';
  ctx.checkLocal(bp, 40);
  if (length < 40) {
    ctx.s += `truncated-ip6 ${length}`;
    return;
  }
  if (!ctx.opts.linkHeader) ctx.s += 'IP6 ';
  const version = ctx.u8(bp) >> 4;
  if (version !== 6) {
    ctx.s += `version error: ${version} != 6`;
    return;
  }
  const b = ctx.buf;
  let payloadLen = ctx.u16(bp + 4);
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (length < len) ctx.s += `truncated-ip6 - ${len - length} bytes missing!`;
  } else len = length;
  let nh = ctx.u8(bp + 6);
  if (ctx.opts.verbose) {
    const flow = ctx.u32(bp);
    let s = '(';
    if (flow & 0x0ff00000) s += `class 0x${((flow & 0x0ff00000) >>> 20).toString(16).padStart(2, '0')}, `;
    if (flow & 0x000fffff) s += `flowlabel 0x${(flow & 0x000fffff).toString(16).padStart(5, '0')}, `;
    s += `hlim ${ctx.u8(bp + 7)}, next-header ${ipProtoName(nh)} (${nh}) payload length: ${payloadLen}) `;
    ctx.s += s;
  }
  const saved = ctx.pushSnap(bp, len);
  let cp = bp;
  let advance = 40;
  let totalAdvance = 0;
  let foundExt = false;
  let foundJumbo = false;
  let foundHbh = false;
  let fragmented = false;
  let ph = 255;
  while (cp < ctx.snapend && advance > 0) {
    if (len < advance) {
      ctx.printTrunc();
      ctx.popSnap(saved);
      return;
    }
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === bp + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      ctx.s += `${ipv6At(b, bp + 8)} > ${ipv6At(b, bp + 24)}: `;
    }
    switch (nh) {
      case 0: {
        if (foundHbh) {
          ctx.s += '[The Hop-by-Hop Options header was already found] (invalid)';
          return;
        }
        if (ph !== 255) {
          ctx.s += "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
          return;
        }
        const r = printOptionsHeader(ctx, cp, 'HBH ', 'hbhopt', true, payloadLen);
        advance = r.advance;
        if (r.jumbo >= 0) {
          foundJumbo = true;
          payloadLen = r.jumbo;
        }
        if (payloadLen === 0 && !foundJumbo) {
          ctx.s += '[No valid Jumbo Payload Hop-by-Hop option found] (invalid)';
          return;
        }
        if (advance < 0) return;
        foundExt = true;
        foundHbh = true;
        ph = nh;
        nh = ctx.u8(cp);
        break;
      }
      case 60: {
        const r = printOptionsHeader(ctx, cp, 'DSTOPT ', 'dstopt', false, payloadLen);
        advance = r.advance;
        if (advance < 0) return;
        foundExt = true;
        ph = nh;
        nh = ctx.u8(cp);
        break;
      }
      case 44:
        advance = printFrag6(ctx, cp, bp);
        if (advance < 0 || ctx.snapend <= cp + advance) return;
        foundExt = true;
        ph = nh;
        nh = ctx.u8(cp);
        fragmented = true;
        break;
      case 43:
        ctx.u8(cp);
        advance = printRt6(ctx, cp);
        if (advance < 0) return;
        foundExt = true;
        ph = nh;
        nh = ctx.u8(cp);
        break;
      default: {
        if (foundJumbo) {
          len = payloadLen + 40;
          if (len < totalAdvance) {
            ctx.printTrunc();
            return;
          }
          if (length < len) ctx.s += `truncated-ip6 - ${len - length} bytes missing!`;
          ctx.snapend = Math.min(saved, bp + len);
          len -= totalAdvance;
        } else if (payloadLen === 0) {
          if (foundExt) {
            ctx.printTrunc();
            return;
          }
          len = 40;
          ctx.snapend = Math.min(saved, bp + len);
          len -= totalAdvance;
        }
        depth++;
        try {
          ipDemux(ctx, cp, len, ipInfo(6, bp, ctx.buf[bp + 6]!, fragmented, depth), nh);
        } finally {
          depth--;
        }
        ctx.popSnap(saved);
        return;
      }
    }
    ctx.protocol = 'ip6';
  }
  ctx.popSnap(saved);
}

interface OptResult {
  advance: number;
  jumbo: number;
}
const optResult: OptResult = { advance: 0, jumbo: -1 };

/** hbhopt_process / dstopt_process: the header, then each option (only shown with -v). */
function printOptionsHeader(ctx: PrintContext, cp: number, label: string, proto: string, hbh: boolean, payloadLen: number): OptResult {
  ctx.protocol = proto;
  optResult.jumbo = -1;
  const hlen = (ctx.u8(cp + 1) + 1) << 3;
  if (!ctx.has(cp, hlen)) {
    ctx.printTrunc();
    optResult.advance = -1;
    return optResult;
  }
  ctx.s += label;
  if (!printIp6Options(ctx, cp + 2, hlen - 2, hbh, payloadLen)) {
    ctx.printTrunc();
    optResult.advance = -1;
    return optResult;
  }
  optResult.advance = hlen;
  return optResult;
}

/** ip6_opt_process: false on a truncated or malformed option list. */
function printIp6Options(ctx: PrintContext, bp: number, len: number, hbh: boolean, payloadLen: number): boolean {
  const v = ctx.opts.verbose > 0;
  if (len === 0) return true;
  let seenJumbo = false;
  let optlen = 0;
  for (let i = 0; i < len; i += optlen) {
    const type = ctx.u8(bp + i);
    if (type === 0) optlen = 1;
    else {
      if (i + 1 < len) optlen = ctx.u8(bp + i + 1) + 2;
      else return false;
    }
    if (i + optlen > len) return false;
    switch (type) {
      case 0:
        if (v) ctx.s += '(pad1)';
        break;
      case 1:
        if (len - i < 2) {
          ctx.s += '(padn: trunc)';
          return false;
        }
        if (v) ctx.s += '(padn)';
        break;
      case 5:
        if (len - i < 4) {
          ctx.s += '(rtalert: trunc)';
          return false;
        }
        if (ctx.u8(bp + i + 1) !== 2) {
          ctx.s += `(rtalert: invalid len ${ctx.u8(bp + i + 1)})`;
          return false;
        }
        if (v) ctx.s += `(rtalert: 0x${ctx.u16(bp + i + 2).toString(16).padStart(4, '0')}) `;
        break;
      case 0xc2: {
        if (len - i < 6) {
          ctx.s += '(jumbo: trunc)';
          return false;
        }
        if (ctx.u8(bp + i + 1) !== 4) {
          ctx.s += `(jumbo: invalid len ${ctx.u8(bp + i + 1)})`;
          return false;
        }
        const jumbo = ctx.u32(bp + i + 2);
        if (seenJumbo) {
          if (v) ctx.s += `(jumbo: ${jumbo} - already seen) `;
        } else {
          seenJumbo = true;
          if (!hbh) {
            if (v) ctx.s += `(jumbo: ${jumbo} - not a hop-by-hop option) `;
          } else if (payloadLen !== 0) {
            if (v) ctx.s += `(jumbo: ${jumbo} - payload len != 0) `;
          } else if (jumbo < 65536) {
            if (v) ctx.s += `(jumbo: ${jumbo} - < 65536) `;
          } else {
            optResult.jumbo = jumbo;
            if (v) ctx.s += `(jumbo: ${jumbo}) `;
          }
        }
        break;
      }
      case 0xc9:
        if (len - i < 18) {
          ctx.s += '(homeaddr: trunc)';
          return false;
        }
        if (ctx.u8(bp + i + 1) < 16) {
          ctx.s += `(homeaddr: invalid len ${ctx.u8(bp + i + 1)})`;
          return false;
        }
        if (v) {
          ctx.check(bp + i + 2, 16);
          ctx.s += `(homeaddr: ${ipv6At(ctx.buf, bp + i + 2)})`;
        }
        break;
      default:
        if (len - i < 2) {
          ctx.s += `(type ${type}: trunc)`;
          return false;
        }
        if (v) ctx.s += `(opt_type 0x${type.toString(16).padStart(2, '0')}: len=${ctx.u8(bp + i + 1)})`;
    }
  }
  if (v) ctx.s += ' ';
  return true;
}

function printFrag6(ctx: PrintContext, bp: number, ip6: number): number {
  ctx.protocol = 'frag6';
  const offlg = ctx.u16(bp + 2);
  const plen = ctx.u16(ip6 + 4);
  const rest = 40 + plen - (bp - ip6) - 8;
  const restText = rest >= 0 ? String(rest) : (BigInt(rest) + (1n << 64n)).toString();
  if (ctx.opts.verbose) {
    const id = ctx.u32(bp + 4);
    ctx.s += `frag (0x${id.toString(16).padStart(8, '0')}:${offlg & 0xfff8}|${restText})`;
  } else ctx.s += `frag (${offlg & 0xfff8}|${restText})`;
  if ((offlg & 0xfff8) !== 0) return -1;
  ctx.s += ' ';
  return 8;
}

function printRt6(ctx: PrintContext, bp: number): number {
  ctx.protocol = 'rt6';
  let len = ctx.u8(bp + 1);
  ctx.s += `RT6 (len=${len}`;
  const type = ctx.u8(bp + 2);
  ctx.s += `, type=${type}`;
  if (type === 0) ctx.s += ' [Deprecated]';
  ctx.s += `, segleft=${ctx.u8(bp + 3)}`;
  const b = ctx.buf;
  switch (type) {
    case 0:
    case 2:
    case 4: {
      if (type === 4) {
        ctx.s += `, last-entry=${ctx.u8(bp + 4)}`;
        const flags = ctx.u8(bp + 5);
        if (flags || ctx.opts.verbose) ctx.s += `, flags=0x${hex(flags)}`;
        ctx.s += `, tag=${hex(ctx.u16(bp + 6))}`;
      } else {
        const rsv = ctx.u32(bp + 4);
        if (rsv || ctx.opts.verbose) ctx.s += `, rsv=0x${hex(rsv)}`;
      }
      if (len % 2 === 1) {
        ctx.s += ` [invalid length ${len}] (invalid)`;
        return -1;
      }
      len >>= 1;
      let p = bp + 8;
      for (let i = 0; i < len; i++) {
        ctx.check(p, 16);
        ctx.s += `, [${i}]${ipv6At(b, p)}`;
        p += 16;
      }
      ctx.s += ') ';
      return (ctx.u8(bp + 1) + 1) << 3;
    }
    default:
      ctx.s += ' (unknown type) (invalid)';
      return -1;
  }
}

/**
 * The IPv6 pseudo-header sum (nextproto6_cksum): the destination is the last address of a
 * type 0/2/4 routing header when one is present, as the final receiver checks it.
 */
export function ip6PseudoSum(ctx: PrintContext, ip6: number, proto: number, len: number): number {
  const b = ctx.buf;
  let sum = csumAdd(b, ip6 + 8, 16, 0);
  let dst = ip6 + 24;
  let nh = b[ip6 + 6]!;
  let cp = ip6 + 40;
  for (let guard = 0; guard < 16; guard++) {
    if (nh === 0 || nh === 60 || nh === 43) {
      if (!ctx.has(cp, 8)) break;
      const hl = (b[cp + 1]! + 1) << 3;
      if (nh === 43) {
        const type = b[cp + 2]!;
        const n = b[cp + 1]! >> 1;
        if ((type === 0 || type === 2) && n > 0 && ctx.has(cp + 8, n * 16)) dst = cp + 8 + (n - 1) * 16;
        else if (type === 4 && ctx.has(cp + 8, 16)) dst = cp + 8;
      }
      nh = b[cp]!;
      cp += hl;
    } else break;
  }
  sum = csumAdd(b, dst, 16, sum);
  return sum + Math.floor(len / 65536) + (len & 0xffff) + proto;
}
