/** UDP (tcpdump's print-udp.c): ports, checksum verdicts with -v, application summaries. */
import type { PrintContext } from './context.js';
import { csumAdd, csumFinish, cksumShouldBe, hex4, ipv4At, ipv6At } from './format.js';
import type { IpInfo } from './ip.js';
import { ip4PseudoSum } from './ip.js';
import { ip6PseudoSum } from './ip6.js';
import { printUdpPayload, udpUndecodedMark } from './app.js';

function addresses(ctx: PrintContext, ip: IpInfo, sport: number, dport: number): void {
  const b = ctx.buf;
  if (ip.headerProto === 17) {
    const src = ip.version === 6 ? ipv6At(b, ip.off + 8) : ipv4At(b, ip.off + 12);
    const dst = ip.version === 6 ? ipv6At(b, ip.off + 24) : ipv4At(b, ip.off + 16);
    if (sport < 0) ctx.s += `${src} > ${dst}: `;
    else ctx.s += `${src}.${sport} > ${dst}.${dport}: `;
  } else if (sport >= 0) ctx.s += `${sport} > ${dport}: `;
}

export function printUdp(ctx: PrintContext, bp: number, length: number, ip: IpInfo): void {
  ctx.protocol = 'udp';
  if (!ctx.has(bp + 2, 2)) {
    addresses(ctx, ip, -1, -1);
    ctx.truncateLocal();
  }
  const sport = ctx.u16(bp);
  const dport = ctx.u16(bp + 2);
  if (length < 8) {
    addresses(ctx, ip, sport, dport);
    ctx.s += `truncated-udp ${length}`;
    return;
  }
  if (!ctx.has(bp + 4, 2)) {
    addresses(ctx, ip, sport, dport);
    ctx.truncateLocal();
  }
  let ulen = ctx.u16(bp + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    addresses(ctx, ip, sport, dport);
    ctx.s += `truncated-udplength ${ulen}`;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const cp = bp + 8;
  if (cp > ctx.snapend) {
    addresses(ctx, ip, sport, dport);
    ctx.truncateLocal();
  }
  addresses(ctx, ip, sport, dport);
  const o = ctx.opts;
  if (o.verbose && !ip.fragmented) {
    if (ip.version === 4 && o.verbose > 1) {
      const field = ctx.u16(bp + 6);
      if (field === 0) ctx.s += '[no cksum] ';
      else if (ctx.has(cp, length)) {
        const sum = csumFinish(csumAdd(ctx.buf, bp, length + 8, ip4PseudoSum(ctx, ip.off, 17, length + 8)));
        ctx.s += sum !== 0 ? `[bad udp cksum 0x${hex4(field)} -> 0x${hex4(cksumShouldBe(field, sum))}!] ` : '[udp sum ok] ';
      }
    } else if (ip.version === 6 && ctx.has(cp, length)) {
      const sum = csumFinish(csumAdd(ctx.buf, bp, length + 8, ip6PseudoSum(ctx, ip.off, 17, length + 8)));
      const field = ctx.u16(bp + 6);
      ctx.s += sum !== 0 ? `[bad udp cksum 0x${hex4(field)} -> 0x${hex4(cksumShouldBe(field, sum))}!] ` : '[udp sum ok] ';
    }
  }
  if (!o.quiet && printUdpPayload(ctx, cp, length, sport, dport)) return;
  ctx.s += ulen > length && !ip.fragmented ? `UDP, bad length ${ulen} > ${length}` : `UDP, length ${ulen}`;
  if (!o.quiet) ctx.s += udpUndecodedMark(sport, dport);
}
