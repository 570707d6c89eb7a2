/**
 * Protocols tcpdump summarises on one line that wirescope's codec does not model: IGMP, GRE,
 * SCTP (common header), IPsec AH/ESP headers, LLDP (TLV names), NTP and BOOTP/DHCP headers.
 */
import type { PrintContext } from './context.js';
import { csumAdd, csumFinish, hex, HEX2, hex4, ipv4At, ipv6At, macAt, visChar } from './format.js';
import type { IpInfo } from './ip.js';
import { printGroupRecords } from './group-records.js';
import { printIp } from './ip.js';
import { printIp6 } from './ip6.js';
import { etherTypeName } from './tables.js';


export function printIgmp(ctx: PrintContext, bp: number, len: number): void {
  if (ctx.opts.quiet) {
    ctx.s += 'igmp';
    return;
  }
  ctx.protocol = 'igmp';
  const type = ctx.u8(bp);
  const addr = (off: number) => {
    ctx.check(off, 4);
    return ipv4At(ctx.buf, off);
  };
  switch (type) {
    case 0x11:
      ctx.s += 'igmp query';
      if (len >= 12) printIgmpv3Query(ctx, bp, len);
      else {
        const mrc = ctx.u8(bp + 1);
        if (mrc !== 0) {
          ctx.s += ' v2';
          if (mrc !== 100) ctx.s += ` [max resp time ${mrc}]`;
        } else ctx.s += ' v1';
        if (ctx.u32(bp + 4)) ctx.s += ` [gaddr ${addr(bp + 4)}]`;
        if (len !== 8) ctx.s += ` [len ${len}]`;
      }
      break;
    case 0x12:
      ctx.s += `igmp v1 report ${addr(bp + 4)}`;
      if (len !== 8) ctx.s += ` [len ${len}]`;
      break;
    case 0x16:
      ctx.s += `igmp v2 report ${addr(bp + 4)}`;
      break;
    case 0x22:
      ctx.s += 'igmp v3 report';
      printIgmpv3Report(ctx, bp, len);
      break;
    case 0x17:
      ctx.s += `igmp leave ${addr(bp + 4)}`;
      break;
    case 0x13:
      ctx.s += 'igmp dvmrp';
      break;
    case 0x14:
      ctx.s += 'igmp pimv1';
      break;
    default:
      ctx.s += `igmp-${type}`;
  }
  if (ctx.opts.verbose && len >= 4 && ctx.has(bp, len)) {
    if (csumFinish(csumAdd(ctx.buf, bp, len, 0)) !== 0) ctx.s += ` bad igmp cksum ${hex(ctx.u16(bp + 2))}!`;
  }
}

function printIgmpv3Report(ctx: PrintContext, bp: number, len: number): void {
  if (len < 16 || len % 4) {
    ctx.s += ` [invalid len ${len}]`;
    return;
  }
  printGroupRecords(ctx, bp, len, 4);
}

function printIgmpv3Query(ctx: PrintContext, bp: number, len: number): void {
  if (len < 12) {
    ctx.s += ` [invalid len ${len}]`;
    return;
  }
  const mrc = ctx.u8(bp + 1);
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) {
    ctx.s += ' [max resp time ';
    ctx.s += mrt < 600 ? `${(mrt * 0.1).toFixed(1)}s` : relTime(Math.floor(mrt / 10));
    ctx.s += ']';
  }
  if (ctx.u32(bp + 4) === 0) return;
  ctx.s += ` [gaddr ${ipv4At(ctx.buf, bp + 4)}`;
  const nsrcs = ctx.u16(bp + 10);
  if (nsrcs > 0) {
    if (len < 12 + nsrcs * 4) ctx.s += ' [invalid number of sources]';
    else if (ctx.opts.verbose > 1) {
      ctx.s += ' {';
      for (let i = 0; i < nsrcs; i++) {
        ctx.check(bp + 12 + i * 4, 4);
        ctx.s += ' ' + ipv4At(ctx.buf, bp + 12 + i * 4);
      }
      ctx.s += ' }';
    } else ctx.s += `, ${nsrcs} source(s)`;
  }
  ctx.s += ']';
}

/** unsigned_relts_print: 1h2m3s. */
function relTime(secs: number): string {
  if (secs === 0) return '0s';
  const units: [number, string][] = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let s = '';
  for (const [n, u] of units) {
    if (secs >= n) {
      s += `${Math.floor(secs / n)}${u}`;
      secs %= n;
    }
  }
  return s;
}

const GRE_FLAGS: [number, string][] = [
  [0x8000, 'checksum present'], [0x4000, 'routing present'], [0x2000, 'key present'], [0x1000, 'seq# present'],
  [0x0800, 'source routing present'], [0x0080, 'ack present'],
];

export function printGre(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'gre';
  if (length < 2) return ctx.printTrunc();
  const flags = ctx.u16(bp);
  ctx.s += `GREv${flags & 7}`;
  if ((flags & 7) !== 0) {
    ctx.s += (flags & 7) === 1 ? ' (PPTP, not decoded)' : ' ERROR: unknown-version';
    return;
  }
  const o = ctx.opts;
  if (o.verbose) {
    const on = GRE_FLAGS.filter(([b]) => flags & b).map(([, n]) => n);
    ctx.s += `, Flags [${on.length ? on.join(', ') : 'none'}]`;
  }
  let len = length - 2;
  bp += 2;
  if (len < 2) return ctx.printTrunc();
  const prot = ctx.u16(bp);
  len -= 2;
  bp += 2;
  if (flags & 0xc000) {
    if (len < 2) return ctx.printTrunc();
    if (o.verbose) ctx.s += `, sum 0x${hex(ctx.u16(bp))}`;
    bp += 2;
    len -= 2;
    if (len < 2) return ctx.printTrunc();
    ctx.s += `, off 0x${hex(ctx.u16(bp))}`;
    bp += 2;
    len -= 2;
  }
  if (flags & 0x2000) {
    if (len < 4) return ctx.printTrunc();
    ctx.s += `, key=0x${hex(ctx.u32(bp))}`;
    bp += 4;
    len -= 4;
  }
  if (flags & 0x1000) {
    if (len < 4) return ctx.printTrunc();
    ctx.s += `, seq ${ctx.u32(bp)}`;
    bp += 4;
    len -= 4;
  }
  if (o.linkHeader) ctx.s += `, proto ${etherTypeName(prot) ?? 'unknown'} (0x${hex4(prot)})`;
  ctx.s += `, length ${length}`;
  ctx.s += o.verbose < 1 ? ': ' : '\n\t';
  switch (prot) {
    case 0x0800:
      printIp(ctx, bp, len);
      break;
    case 0x86dd:
      printIp6(ctx, bp, len);
      break;
    default:
      ctx.s += `gre-proto-0x${hex(prot)}`;
  }
}

const SCTP_CHUNKS: Record<number, string> = {
  0: 'DATA', 1: 'INIT', 2: 'INIT ACK', 3: 'SACK', 4: 'HB REQ', 5: 'HB ACK', 6: 'ABORT', 7: 'SHUTDOWN',
  8: 'SHUTDOWN ACK', 9: 'OP ERR', 10: 'COOKIE ECHO', 11: 'COOKIE ACK', 12: 'ECN ECHO', 13: 'ECN CWR',
  14: 'SHUTDOWN COMPLETE', 64: 'FORWARD TSN', 0xc1: 'ASCONF', 0x80: 'ASCONF ACK',
};

/** SCTP: the common header; chunks are listed by type only (their contents are not decoded). */
export function printSctp(ctx: PrintContext, bp: number, length: number, ip: IpInfo): void {
  ctx.protocol = 'sctp';
  if (length < 12) {
    ctx.s += `truncated-sctp - ${12 - length} bytes missing!`;
    return;
  }
  ctx.checkLocal(bp, 12);
  const b = ctx.buf;
  const sport = ctx.u16(bp);
  const dport = ctx.u16(bp + 2);
  const src = ip.version === 6 ? ipv6At(b, ip.off + 8) : ipv4At(b, ip.off + 12);
  const dst = ip.version === 6 ? ipv6At(b, ip.off + 24) : ipv4At(b, ip.off + 16);
  ctx.s += `${src}.${sport} > ${dst}.${dport}: sctp`;
  let left = length - 12;
  let cp = bp + 12;
  const sep = ctx.opts.verbose >= 2 ? '\n\t' : ' (';
  for (let n = 1; left > 0; n++) {
    if (left < 4) {
      ctx.s += ' (invalid)';
      return;
    }
    const type = ctx.u8(cp);
    const clen = ctx.u16(cp + 2);
    ctx.s += `${sep}${n}) [${SCTP_CHUNKS[type] ?? `Unknown chunk type: 0x${hex(type)}`}] `;
    if (clen < 4) {
      ctx.s += ' (invalid)';
      return;
    }
    const padded = (clen + 3) & ~3;
    if (padded > left) {
      ctx.s += ' (invalid)';
      return;
    }
    cp += padded;
    left -= padded;
    if (ctx.opts.verbose < 2) ctx.s += ')';
  }
}

/** ah_print: returns the AH length (the caller continues with the next header). */
export function printAh(ctx: PrintContext, bp: number): number {
  ctx.protocol = 'ah';
  const sumlen = ctx.u8(bp + 1);
  const ahlen = (sumlen + 2) * 4;
  ctx.s += 'AH(';
  if (ctx.opts.verbose) ctx.s += `length=${sumlen}(${ahlen}-bytes),`;
  ctx.s += `spi=0x${ctx.u32(bp + 4).toString(16).padStart(8, '0')}`;
  ctx.s += `,seq=0x${hex(ctx.u32(bp + 8))}`;
  ctx.s += ',icv=0x';
  for (let p = bp + 12; p < bp + ahlen; p++) ctx.s += HEX2[ctx.u8(p)];
  ctx.s += '): ';
  return ahlen;
}

export function printEsp(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'esp';
  ctx.s += `ESP(spi=0x${ctx.u32(bp).toString(16).padStart(8, '0')}`;
  ctx.s += `,seq=0x${hex(ctx.u32(bp + 4))}), length ${length}`;
}

const LLDP_TLVS: Record<number, string> = {
  0: 'End', 1: 'Chassis ID', 2: 'Port ID', 3: 'Time to Live', 4: 'Port Description', 5: 'System Name',
  6: 'System Description', 7: 'System Capabilities', 8: 'Management Address', 127: 'Organization specific',
};

/** LLDP: the length line, and with -v each TLV's name and length (contents are not decoded). */
export function printLldp(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'lldp';
  ctx.s += `LLDP, length ${len}`;
  let tlen = len;
  let p = bp;
  while (tlen >= 2) {
    ctx.checkLocal(p, 2);
    const tlv = ctx.u16(p);
    const type = tlv >> 9;
    const tl = tlv & 0x1ff;
    tlen -= 2;
    p += 2;
    if (ctx.opts.verbose) ctx.s += `\n\t${LLDP_TLVS[type] ?? 'Unknown'} TLV (${type}), length ${tl}`;
    if (!type || !tl) break;
    if (tlen < tl) {
      ctx.truncateLocal();
    }
    p += tl;
    tlen -= tl;
  }
}

const NTP_MODES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];
const NTP_LEAP: Record<number, string> = { 0: '', 0x40: '+1s', 0x80: '-1s', 0xc0: 'clock unsynchronized' };

/** NTP: version, mode and length; -v adds the leap indicator (the time fields are not decoded). */
export function printNtp(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'ntp';
  const status = ctx.u8(bp);
  const version = (status >> 3) & 7;
  const mode = status & 7;
  ctx.s += `NTPv${version}, ${NTP_MODES[mode]}, length ${length}`;
  if (!ctx.opts.verbose) return;
  const leap = status & 0xc0;
  ctx.s += `\n\tLeap indicator: ${NTP_LEAP[leap]} (${leap})`;
  if (mode <= 5 && length < 48) ctx.s += ' (invalid)';
}

/** BOOTP/DHCP: the fixed header; the vendor options are not decoded. */
export function printBootp(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'bootp';
  const op = ctx.u8(bp);
  ctx.s += `BOOTP/DHCP, ${op === 1 ? 'Request' : op === 2 ? 'Reply' : `unknown (0x${HEX2[op]})`}`;
  const htype = ctx.u8(bp + 1);
  const hlen = ctx.u8(bp + 2);
  if (htype === 1 && hlen === 6 && op === 1) {
    ctx.check(bp + 28, 6);
    ctx.s += ` from ${macAt(ctx.buf, bp + 28)}`;
  }
  ctx.s += `, length ${length}`;
  if (!ctx.opts.verbose) return;
  if (htype !== 1) ctx.s += `, htype ${htype}`;
  if (htype !== 1 || hlen !== 6) ctx.s += `, hlen ${hlen}`;
  if (ctx.u8(bp + 3)) ctx.s += `, hops ${ctx.u8(bp + 3)}`;
  if (ctx.u32(bp + 4)) ctx.s += `, xid 0x${hex(ctx.u32(bp + 4))}`;
  if (ctx.u16(bp + 8)) ctx.s += `, secs ${ctx.u16(bp + 8)}`;
  const flags = ctx.u16(bp + 10);
  ctx.s += `, Flags [${flags & 0x8000 ? 'Broadcast' : 'none'}]`;
  if (ctx.opts.verbose > 1) ctx.s += ` (0x${hex4(flags)})`;
  const addrs: [number, string][] = [[12, 'Client-IP'], [16, 'Your-IP'], [20, 'Server-IP'], [24, 'Gateway-IP']];
  for (const [off, name] of addrs) {
    if (ctx.u32(bp + off)) ctx.s += `\n\t  ${name} ${ipv4At(ctx.buf, bp + off)}`;
  }
  if (htype === 1 && hlen === 6) {
    ctx.check(bp + 28, 6);
    ctx.s += `\n\t  Client-Ethernet-Address ${macAt(ctx.buf, bp + 28)}`;
  }
  for (const [off, size, name] of [[44, 64, 'sname'], [108, 128, 'file']] as const) {
    if (ctx.u8(bp + off)) {
      ctx.s += `\n\t  ${name} "`;
      let ok = false;
      for (let i = 0; i < size; i++) {
        if (!ctx.has(bp + off + i, 1)) break;
        const c = ctx.buf[bp + off + i]!;
        if (c === 0) {
          ok = true;
          break;
        }
        ctx.s += visChar(c);
      }
      ctx.s += '"';
      if (!ok) {
        ctx.printTrunc();
        return;
      }
    }
  }
}
