/** ICMPv4 (tcpdump's print-icmp.c). */
import type { PrintContext } from './context.js';
import { csumAdd, csumFinish, cksumShouldBe, hex, ipv4At } from './format.js';
import type { IpInfo } from './ip.js';
import { printIp } from './ip.js';

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  9: 'router advertisement',
  10: 'router solicitation',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'time stamp request',
  14: 'time stamp reply',
  15: 'information request',
  16: 'information reply',
  17: 'address mask request',
  18: 'address mask reply',
};

const UNREACH: Record<number, string> = {
  4: '%s unreachable - need to frag',
  5: '%s unreachable - source route failed',
  6: '%s unreachable - dst net unknown',
  7: '%s unreachable - dst host unknown',
  8: '%s unreachable - src host isolated',
  9: '%s unreachable - net prohibited',
  10: '%s unreachable - host prohibited',
  11: '%s unreachable - tos prohibited for net',
  12: '%s unreachable - tos prohibited for host',
  13: '%s unreachable - admin prohibited filter',
  14: '%s unreachable - host precedence violation',
  15: '%s unreachable - precedence cutoff',
};

const REDIRECT = ['redirect %s to net %s', 'redirect %s to host %s', 'redirect-tos %s to net %s', 'redirect-tos %s to host %s'];

function isErrorType(t: number): boolean {
  return t === 3 || t === 4 || t === 5 || t === 11 || t === 12;
}

export function printIcmp(ctx: PrintContext, bp: number, length: number, ip: IpInfo): void {
  ctx.protocol = 'icmp';
  const b = ctx.buf;
  const type = ctx.u8(bp);
  const code = ctx.u8(bp + 1);
  const oip = bp + 8;
  const addr = (off: number): string => {
    ctx.check(off, 4);
    return ipv4At(b, off);
  };
  let str: string;
  switch (type) {
    case 0:
    case 8:
      str = `echo ${type === 8 ? 'request' : 'reply'}, id ${ctx.u16(bp + 4)}, seq ${ctx.u16(bp + 6)}`;
      break;
    case 3:
      switch (code) {
        case 0:
          str = `net ${addr(oip + 16)} unreachable`;
          break;
        case 1:
          str = `host ${addr(oip + 16)} unreachable`;
          break;
        case 2:
          str = `${addr(oip + 16)} protocol ${ctx.u8(oip + 9)} unreachable`;
          break;
        case 3: {
          const p = ctx.u8(oip + 9);
          const hlen = (ctx.u8(oip) & 0xf) * 4;
          const dport = ctx.u16(oip + hlen + 2);
          const dst = addr(oip + 16);
          str = p === 6 ? `${dst} tcp port ${dport} unreachable` : p === 17 ? `${dst} udp port ${dport} unreachable` : `${dst} protocol ${p} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const mtu = ctx.u16(bp + 6);
          str = mtu ? `${addr(oip + 16)} unreachable - need to frag (mtu ${mtu})` : `${addr(oip + 16)} unreachable - need to frag`;
          break;
        }
        default:
          str = (UNREACH[code] ?? `#${code} %s unreachable`).replace('%s', addr(oip + 16));
      }
      break;
    case 5:
      str = (REDIRECT[code] ?? 'redirect-#' + code + ' %s to %s').replace('%s', addr(oip + 16)).replace('%s', addr(bp + 4));
      break;
    case 11:
      str = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      str = code ? `parameter problem - code ${code}` : `parameter problem - octet ${ctx.u8(bp + 4)}`;
      break;
    case 13:
    case 14:
      str = `time stamp ${type === 13 ? 'query' : 'reply'} id ${ctx.u16(bp + 4)} seq ${ctx.u16(bp + 6)}`;
      if (type === 14) {
        str += `: org ${timeText(ctx.u32(bp + 8))}, recv ${timeText(ctx.u32(bp + 12))}, xmit ${timeText(ctx.u32(bp + 16))}`;
      }
      break;
    case 18:
      str = `address mask is 0x${ctx.u32(bp + 12).toString(16).padStart(8, '0')}`;
      break;
    default:
      str = ICMP_TYPES[type] ?? `type-#${type}`;
  }
  ctx.s += `ICMP ${str}, length ${length}`;
  if (ctx.opts.verbose && !ip.fragmented && ctx.has(bp, length)) {
    const sum = csumFinish(csumAdd(b, bp, length, 0));
    if (sum !== 0) {
      const field = ctx.u16(bp + 2);
      ctx.s += ` (wrong icmp cksum ${hex(field)} (->${hex(cksumShouldBe(field, sum))})!)`;
    }
  }
  if (ctx.opts.verbose >= 1 && isErrorType(type)) {
    ctx.s += '\n\t';
    const saved = ctx.snapend;
    // the quoted datagram's own length bounds it (extensions may follow); tcpdump reads
    // ip_len again under that bound, so a quoted length under 4 truncates the ICMP layer
    ctx.snapend = Math.min(oip + ctx.u16(oip + 2), saved);
    printIp(ctx, oip, ctx.u16(oip + 2));
    ctx.snapend = saved;
    ctx.protocol = 'icmp';
  }
  if (ctx.opts.verbose >= 1 && length > 136 && (type === 3 || type === 11 || type === 12)) printMultipart(ctx, bp, length);
}

/** RFC 4884 multi-part extensions after an error's original datagram (header only). */
function printMultipart(ctx: PrintContext, bp: number, plen: number): void {
  ctx.checkLocal(bp, 141);
  const ext = bp + 136;
  if (ctx.u8(bp + 5) === 0 && ctx.has(ext, plen - 136)) {
    if (csumFinish(csumAdd(ctx.buf, ext, plen - 136, 0)) !== 0) return;
  }
  const version = ctx.u8(ext) >> 4;
  ctx.s += `\n\tICMP Multi-Part extension v${version}`;
  if (version !== 2) {
    ctx.s += ' packet not supported';
    return;
  }
  ctx.s += `, checksum 0x${ctx.u16(ext + 2).toString(16).padStart(4, '0')} (unverified), length ${plen - 136}`;
}

function timeText(ms: number): string {
  if (ms & 0x80000000) return `${ms >>> 0}`;
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const f = ms % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(f).padStart(3, '0')}`;
}
