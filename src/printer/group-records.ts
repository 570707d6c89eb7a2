/**
 * Group records of IGMPv3 (RFC 3376) and MLDv2 (RFC 3810) reports: the same layout, with
 * 4-byte or 16-byte addresses, printed the same way by tcpdump's igmp and icmp6 printers.
 */
import type { PrintContext } from './context.js';
import { ipv4At, ipv6At } from './format.js';

const RECORD_TYPE: Record<number, string> = { 1: 'is_in', 2: 'is_ex', 3: 'to_in', 4: 'to_ex', 5: 'allow', 6: 'block' };

/** `len` is the whole report's length; records start 8 bytes in. */
export function printGroupRecords(ctx: PrintContext, bp: number, len: number, addrLen: 4 | 16): void {
  const addrAt = addrLen === 4 ? ipv4At : ipv6At;
  const unknown = addrLen === 4 ? 'v3-report' : 'v2-report';
  const fixed = 4 + addrLen;
  const ngroups = ctx.u16(bp + 6);
  ctx.s += `, ${ngroups} group record(s)`;
  if (!ctx.opts.verbose) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + fixed) {
      ctx.s += ' [invalid number of groups]';
      return;
    }
    ctx.check(bp + group + 4, addrLen);
    ctx.s += ` [gaddr ${addrAt(ctx.buf, bp + group + 4)}`;
    const type = ctx.u8(bp + group);
    ctx.s += ` ${RECORD_TYPE[type] ?? ` [${unknown}-#${type}]`}`;
    const nsrcs = ctx.u16(bp + group + 2);
    if (len < group + fixed + nsrcs * addrLen) {
      ctx.s += ` [invalid number of sources ${nsrcs}]`;
      return;
    }
    if (ctx.opts.verbose === 1) ctx.s += `, ${nsrcs} source(s)`;
    else {
      ctx.s += ' {';
      for (let j = 0; j < nsrcs; j++) {
        ctx.check(bp + group + fixed + j * addrLen, addrLen);
        ctx.s += ' ' + addrAt(ctx.buf, bp + group + fixed + j * addrLen);
      }
      ctx.s += ' }';
    }
    group += fixed + nsrcs * addrLen;
    ctx.s += ']';
  }
}
