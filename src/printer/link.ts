/** Link-layer printers (tcpdump's print-ether.c, print-sll.c, print-null.c, print-raw.c). */
import { readdirSync, readFileSync } from 'node:fs';
import type { PrintContext } from './context.js';
import { hexAndAscii } from './hexdump.js';
import { hex4, macAt } from './format.js';
import { etherTypeName } from './tables.js';
import { printIp, printIpN } from './ip.js';
import { printIp6 } from './ip6.js';
import { printArp } from './arp.js';
import { printLlc } from './llc.js';
import { printLldp } from './other.js';

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_REVARP = 0x8035;
const ETHERTYPE_IPV6 = 0x86dd;

function isVlanTpid(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

/** ether_type_print: `ethertype IPv4 (0x0800)`. */
export function etherTypeText(ctx: PrintContext, t: number): string {
  const name = etherTypeName(t);
  if (ctx.opts.quiet) return name ?? `Unknown Ethertype (0x${hex4(t)})`;
  return `ethertype ${name ?? 'Unknown'} (0x${hex4(t)})`;
}

/** tcpdump's default print: the remaining bytes as hex and ASCII (unless -x/-X/-A dump anyway). */
export function defaultPrint(ctx: PrintContext, off: number, len: number): void {
  const o = ctx.opts;
  // tcpdump's -q, -x and -X set ndo_suppress_default_print (-A does not)
  if (o.quiet || o.hex || o.hexAscii) return;
  const n = Math.min(len, ctx.avail(off));
  ctx.s += hexAndAscii(ctx.buf, off, n, '\n\t');
}

/**
 * ethertype_print: hands the payload to the network-layer printer. Returns false for types
 * wirescope does not decode (the caller then prints the raw bytes, as tcpdump does).
 */
export function printEtherType(ctx: PrintContext, type: number, off: number, length: number, caplen: number): boolean {
  switch (type) {
    case ETHERTYPE_IP:
      printIp(ctx, off, length);
      return true;
    case ETHERTYPE_IPV6:
      printIp6(ctx, off, length);
      return true;
    case ETHERTYPE_ARP:
    case ETHERTYPE_REVARP:
      printArp(ctx, off, length, caplen);
      return true;
    case 0x88cc:
      printLldp(ctx, off, length);
      return true;
    default:
      return false;
  }
}

/** ether_print: returns the link header length (MACs, type, VLAN tags). */
export function printEthernet(ctx: PrintContext, p: number, length: number, caplen: number): number {
  const e = ctx.opts.linkHeader;
  ctx.protocol = 'ether';
  if (length < caplen) {
    ctx.s += `[length ${length} < caplen ${caplen}] (invalid)`;
    return length;
  }
  if (caplen < 14) {
    ctx.printTrunc();
    return caplen;
  }
  const b = ctx.buf;
  const frame = p;
  const origLength = length;
  if (e) ctx.s += macAt(b, p + 6) + ' > ' + macAt(b, p) + ', ';
  length -= 12;
  caplen -= 12;
  p += 12;
  let hdrlen = 12;
  let type = ctx.u16(p);
  length -= 2;
  caplen -= 2;
  p += 2;
  hdrlen += 2;
  let printedLength = false;
  while (isVlanTpid(type)) {
    if (caplen < 4 || length < 4) {
      ctx.protocol = 'vlan';
      ctx.printTrunc();
      return hdrlen + Math.min(caplen, length);
    }
    if (e) {
      const tci = ctx.u16(p);
      ctx.s += etherTypeText(ctx, type);
      if (!printedLength) {
        ctx.s += `, length ${origLength}: `;
        printedLength = true;
      } else ctx.s += ', ';
      ctx.s += `vlan ${tci & 0xfff}, p ${tci >>> 13}${tci & 0x1000 ? ', DEI' : ''}, `;
    }
    type = ctx.u16(p + 2);
    p += 4;
    length -= 4;
    caplen -= 4;
    hdrlen += 4;
  }
  ctx.llHeaderLength = hdrlen;
  if (type <= 1500) {
    // 802.3 length field: LLC follows; wirescope does not decode LLC, it dumps it
    length = type;
    if (caplen > length) {
      caplen = length;
      ctx.pushSnap(p, length);
    }
    if (e) ctx.s += printedLength ? '802.3, ' : `802.3, length ${length}: `;
    let llcLen = printLlc(ctx, p, length, caplen, frame + 6, frame);
    if (llcLen < 0) {
      defaultPrint(ctx, p, caplen);
      llcLen = -llcLen;
    }
    return hdrlen + llcLen;
  }
  if (e) {
    ctx.s += etherTypeText(ctx, type);
    ctx.s += printedLength ? ', ' : `, length ${origLength}: `;
  }
  if (!printEtherType(ctx, type, p, length, caplen)) {
    if (!e) ctx.s += macAt(b, frame + 6) + ' > ' + macAt(b, frame) + ', ' + etherTypeText(ctx, type) + `, length ${origLength}: `;
    defaultPrint(ctx, p, caplen);
  }
  return hdrlen;
}

const SLL_PKTTYPES: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

function pad3(s: string, left: boolean): string {
  if (s.length >= 3) return s;
  return left ? s + ' '.repeat(3 - s.length) : ' '.repeat(3 - s.length) + s;
}

/** sll_print: direction, address, protocol, length (the -e header, or for undecoded types). */
function sllHeaderText(ctx: PrintContext, pkttype: number, addrOff: number, halen: number, proto: number, length: number): string {
  let s = pad3(SLL_PKTTYPES[pkttype] ?? '?', false) + ' ';
  if (halen === 6) s += macAt(ctx.buf, addrOff) + ' ';
  if (!ctx.opts.quiet) {
    if (proto <= 1500) s += proto === 1 ? '802.3' : proto === 4 ? '802.2' : `ethertype Unknown (0x${hex4(proto)})`;
    else s += `ethertype ${etherTypeName(proto) ?? 'Unknown'} (0x${hex4(proto)})`;
    s += `, length ${length}: `;
  }
  return s;
}

/** Linux cooked v1 (LINKTYPE_LINUX_SLL, 16-byte header). */
export function printSll(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'sll';
  if (caplen < 16) {
    ctx.printTrunc();
    return caplen;
  }
  const pkttype = ctx.u16(p);
  const halen = ctx.u16(p + 4);
  const proto = ctx.u16(p + 14);
  const header = () => sllHeaderText(ctx, pkttype, p + 6, halen, proto, length);
  if (ctx.opts.linkHeader) ctx.s += header();
  return sllPayload(ctx, p + 16, length - 16, caplen - 16, proto, 16, header);
}

function sllPayload(ctx: PrintContext, p: number, length: number, caplen: number, proto: number, hdrlen: number, header: () => string): number {
  const e = ctx.opts.linkHeader;
  for (;;) {
    ctx.llHeaderLength = hdrlen;
    if (proto <= 1500) {
      ctx.s += 'LLC (not decoded)';
      defaultPrint(ctx, p, caplen);
      return hdrlen;
    }
    if (proto !== 0x8100) break;
    if (caplen < 4) {
      ctx.protocol = 'vlan';
      ctx.printTrunc();
      return hdrlen + caplen;
    }
    const tci = ctx.u16(p);
    if (e) ctx.s += `vlan ${tci & 0xfff}, p ${tci >>> 13}${tci & 0x1000 ? ', DEI' : ''}, `;
    proto = ctx.u16(p + 2);
    if (proto <= 1500) proto = 4;
    if (!ctx.opts.quiet) ctx.s += `ethertype ${etherTypeName(proto) ?? 'Unknown'}, `;
    p += 4;
    length -= 4;
    caplen -= 4;
    hdrlen += 4;
  }
  if (!printEtherType(ctx, proto, p, length, caplen)) {
    if (!e) ctx.s += header();
    defaultPrint(ctx, p, caplen);
  }
  return hdrlen;
}

/** Linux cooked v2 (LINKTYPE_LINUX_SLL2, 20-byte header). */
export function printSll2(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'sll2';
  if (caplen < 20) {
    ctx.printTrunc();
    return caplen;
  }
  const proto = ctx.u16(p);
  const ifindex = ctx.u32(p + 4);
  const pkttype = ctx.u8(p + 10);
  const halen = ctx.u8(p + 11);
  // tcpdump names the interface with if_indextoname() on the host that reads the file
  const name = interfaceName(ifindex);
  ctx.s += (name.length >= 5 ? name : name + '     '.slice(name.length)) + ' ' + pad3(SLL_PKTTYPES[pkttype] ?? '?', true) + ' ';
  const header = () => {
    let s = `ifindex ${ifindex} `;
    if (halen === 6) s += macAt(ctx.buf, p + 12) + ' ';
    if (!ctx.opts.quiet) s += `ethertype ${etherTypeName(proto) ?? 'Unknown'} (0x${hex4(proto)}), length ${length}: `;
    return s;
  };
  if (ctx.opts.linkHeader) ctx.s += header();
  return sllPayload(ctx, p + 20, length - 20, caplen - 20, proto, 20, header);
}

const BSD_AF: Record<number, string> = { 2: 'IPv4', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6', 7: 'OSI', 16: 'Appletalk', 23: 'IPX' };

/** BSD loopback: a 4-byte address family in the capturing host's byte order (LOOP: network order). */
export function printNull(ctx: PrintContext, p: number, length: number, caplen: number, networkOrder: boolean): number {
  ctx.protocol = networkOrder ? 'loop' : 'null';
  if (caplen < 4) {
    ctx.printTrunc();
    return caplen;
  }
  const b = ctx.buf;
  let family = networkOrder ? b.readUInt32BE(p) : b.readUInt32LE(p);
  // tcpdump guesses the byte order: families are small numbers
  if (!networkOrder && (family & 0xffff0000) !== 0) family = b.readUInt32BE(p);
  ctx.llHeaderLength = 4;
  const total = length;
  const afText = () => (ctx.opts.quiet ? BSD_AF[family] ?? `Unknown AF ${family}` : `AF ${BSD_AF[family] ?? 'Unknown'} (${family})`) + `, length ${total}: `;
  if (ctx.opts.linkHeader) ctx.s += afText();
  length -= 4;
  caplen -= 4;
  p += 4;
  switch (family) {
    case 2:
      printIp(ctx, p, length);
      break;
    case 24:
    case 28:
    case 30:
      printIp6(ctx, p, length);
      break;
    default:
      if (!ctx.opts.linkHeader) ctx.s += afText();
      defaultPrint(ctx, p, caplen);
  }
  return 4;
}

/** Raw IP (LINKTYPE_RAW, IPV4, IPV6): `ip: ` with -e, then by the IP version nibble. */
export function printRaw(ctx: PrintContext, p: number, length: number): number {
  ctx.llHeaderLength = 0;
  if (ctx.opts.linkHeader) ctx.s += 'ip: ';
  printIpN(ctx, p, length);
  return 0;
}

let interfaceNames: Map<number, string> | null = null;

/** if_indextoname(3) on this host (Linux: /sys/class/net/NAME/ifindex); '?' when unknown. */
function interfaceName(index: number): string {
  if (interfaceNames === null) {
    interfaceNames = new Map();
    try {
      for (const name of readdirSync('/sys/class/net')) {
        try {
          interfaceNames.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'latin1').trim()), name);
        } catch {
          // interface vanished while listing
        }
      }
    } catch {
      // not Linux: every index is unknown
    }
  }
  return interfaceNames.get(index) ?? '?';
}
