/** ARP and RARP (tcpdump's print-arp.c). */
import type { PrintContext } from './context.js';
import { hexAndAscii } from './hexdump.js';
import { ipv4At, linkAddrAt } from './format.js';
import { etherTypeName } from './tables.js';
import { hex4 } from './format.js';

const ARP_HRD: Record<number, string> = {
  1: 'Ethernet',
  6: 'TokenRing',
  7: 'ArcNet',
  15: 'FrameRelay',
  16: 'ATM',
  19: 'ATM',
  31: 'IEEE1394',
  32: 'InfiniBand',
};
const ARP_OPS: Record<number, string> = {
  1: 'Request',
  2: 'Reply',
  3: 'Reverse Request',
  4: 'Reverse Reply',
  8: 'Inverse Request',
  9: 'Inverse Reply',
  10: 'NACK Reply',
};

export function printArp(ctx: PrintContext, bp: number, length: number, caplen: number): void {
  ctx.protocol = 'arp';
  ctx.checkLocal(bp, 8);
  const b = ctx.buf;
  const hrd = ctx.u16(bp);
  const pro = ctx.u16(bp + 2);
  const hln = ctx.u8(bp + 4);
  const pln = ctx.u8(bp + 5);
  const op = ctx.u16(bp + 6);
  if (hrd === 19) {
    printAtmArp(ctx, bp, length);
    return;
  }
  const sha = bp + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  if (!ctx.has(tpa, pln)) {
    ctx.printTrunc();
    return;
  }
  if (!ctx.opts.linkHeader) ctx.s += 'ARP, ';
  const v = ctx.opts.verbose > 0;
  const ipProto = pro === 0x0800 || pro === 0x1000;
  if (!ipProto || pln !== 4 || hln === 0 || v) {
    ctx.s += `${ARP_HRD[hrd] ?? `Unknown Hardware (${hrd})`} (len ${hln}), ${etherTypeName(pro) ?? `Unknown Protocol (0x${hex4(pro)})`} (len ${pln})`;
    if (!v) {
      ctx.s += `, length ${length}`;
      return;
    }
  }
  ctx.s += `${v ? ', ' : ''}${ARP_OPS[op] ?? `Unknown (${op})`} `;
  const paddr = (off: number): string => (!ipProto ? '<wrong proto type>' : pln !== 4 ? '<wrong len>' : ipv4At(b, off));
  switch (op) {
    case 1: {
      ctx.s += 'who-has ' + paddr(tpa);
      let nonzero = false;
      for (let i = 0; i < hln; i++) if (b[tha + i] !== 0) nonzero = true;
      if (nonzero) ctx.s += ` (${linkAddrAt(b, tha, hln)})`;
      ctx.s += ' tell ' + paddr(spa);
      break;
    }
    case 2:
      ctx.s += paddr(spa) + ' is-at ' + linkAddrAt(b, sha, hln);
      break;
    case 3:
      ctx.s += `who-is ${linkAddrAt(b, tha, hln)} tell ${linkAddrAt(b, sha, hln)}`;
      break;
    case 4:
      ctx.s += `${linkAddrAt(b, tha, hln)} at ${paddr(tpa)}`;
      break;
    case 8:
      ctx.s += `who-is ${linkAddrAt(b, tha, hln)} tell ${linkAddrAt(b, sha, hln)}`;
      break;
    case 9:
      ctx.s += `${linkAddrAt(b, sha, hln)} at ${paddr(spa)}`;
      break;
    default: {
      const o = ctx.opts;
      if (!(o.hex || o.hexAscii || o.ascii)) ctx.s += hexAndAscii(b, bp, Math.min(caplen, ctx.avail(bp)), '\n\t');
      return;
    }
  }
  ctx.s += `, length ${length}`;
}

/** ATM ARP (RFC 2225): variable-length addresses; only the truncation check is decoded. */
function printAtmArp(ctx: PrintContext, bp: number, length: number): void {
  ctx.check(bp, 12);
  const b = ctx.buf;
  const shl = b[bp + 4]! & 0x3f;
  const ssl = b[bp + 5]! & 0x3f;
  const spl = b[bp + 8]!;
  const thl = b[bp + 9]! & 0x3f;
  const tsl = b[bp + 10]! & 0x3f;
  const tpl = b[bp + 11]!;
  const tpa = bp + 12 + shl + ssl + spl + thl + tsl;
  if (!ctx.has(tpa, tpl)) {
    ctx.printTrunc();
    return;
  }
  if (!ctx.opts.linkHeader) ctx.s += 'ARP, ';
  ctx.s += `ATM ARP (not decoded), length ${length}`;
}
