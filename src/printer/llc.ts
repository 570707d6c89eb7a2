/** IEEE 802.2 LLC, SNAP and spanning tree BPDUs (tcpdump's print-llc.c, print-stp.c). */
import type { PrintContext } from './context.js';
import { HEX2, hex4, macAt } from './format.js';
import { etherTypeName } from './tables.js';
import { defaultPrint, printEtherType } from './link.js';
import { printIp } from './ip.js';

const SAP_NAMES: Record<number, string> = {
  0x00: 'Null', 0xff: 'Global', 0x02: '802.1B I', 0x03: '802.1B G', 0x06: 'IP', 0x04: 'SNA', 0x0e: 'ProWay NM',
  0x42: 'STP', 0x4e: 'RS511', 0x7e: 'ISO8208', 0x8e: 'ProWay', 0xaa: 'SNAP', 0xe0: 'IPX', 0xf0: 'NetBeui', 0xfe: 'OSI',
};
const LLC_CMDS: Record<number, string> = { 0x03: 'ui', 0xe3: 'test', 0xaf: 'xid', 0x63: 'ua', 0x43: 'disc', 0x0f: 'dm', 0x6f: 'sabme', 0x87: 'frmr' };
const LLC_FLAGS: Record<number, string> = { 0: 'Command', 1: 'Response', 0x10: 'Poll', 0x11: 'Final', 0x100: 'Poll', 0x101: 'Final' };

/**
 * llc_print: returns the LLC(+SNAP) header length, negative when the payload type is unknown
 * (the caller then dumps the bytes). `src`/`dst` are MAC offsets for the non -e summary.
 */
export function printLlc(ctx: PrintContext, p: number, length: number, caplen: number, src: number, dst: number): number {
  ctx.protocol = 'llc';
  if (caplen < 3 || length < 3) {
    ctx.printTrunc();
    defaultPrint(ctx, p, caplen);
    return Math.min(caplen, length);
  }
  const dsapField = ctx.u8(p);
  const ssapField = ctx.u8(p + 1);
  let control = ctx.u8(p + 2);
  let isU = true;
  let hdrlen = 3;
  if ((control & 3) !== 3) {
    if (caplen < 4) {
      ctx.printTrunc();
      defaultPrint(ctx, p, caplen);
      return caplen;
    }
    control = ctx.buf.readUInt16LE(p + 2);
    isU = false;
    hdrlen = 4;
  }
  if (ssapField === 0xff && dsapField === 0xff) {
    if (ctx.opts.linkHeader) ctx.s += 'IPX 802.3: ';
    ctx.s += 'IPX (not decoded)';
    return 0;
  }
  const dsap = dsapField & 0xfe;
  const ssap = ssapField & 0xfe;
  const e = ctx.opts.linkHeader;
  if (e) {
    ctx.s += `LLC, dsap ${SAP_NAMES[dsap] ?? 'Unknown'} (0x${HEX2[dsap]}) ${dsapField & 1 ? 'Group' : 'Individual'}, ssap ${SAP_NAMES[ssap] ?? 'Unknown'} (0x${HEX2[ssap]}) ${ssapField & 1 ? 'Response' : 'Command'}`;
    ctx.s += isU ? `, ctrl 0x${HEX2[control]}: ` : `, ctrl 0x${hex4(control)}: `;
  }
  p += hdrlen;
  length -= hdrlen;
  caplen -= hdrlen;
  if (ssap === 0xaa && dsap === 0xaa && control === 0x03) {
    return printSnap(ctx, p, length, caplen) ? hdrlen + 5 : -(hdrlen + 5);
  }
  if (ssap === 0x42 && dsap === 0x42 && control === 0x03) {
    printStp(ctx, p, length);
    return hdrlen;
  }
  if (ssap === 0x06 && dsap === 0x06 && control === 0x03) {
    printIp(ctx, p, length);
    return hdrlen;
  }
  if (!e) {
    const name = (sap: number, what: string) => SAP_NAMES[sap] ?? `Unknown ${what} 0x${HEX2[sap]}`;
    const b = ctx.buf;
    if (ssap === dsap) ctx.s += src >= 0 ? `${macAt(b, src)} > ${macAt(b, dst)} ${name(dsap, 'DSAP')} ` : `${name(dsap, 'DSAP')} `;
    else ctx.s += src >= 0 ? `${macAt(b, src)} ${name(ssap, 'SSAP')} > ${macAt(b, dst)} ${name(dsap, 'DSAP')} ` : `${name(ssap, 'SSAP')} > ${name(dsap, 'DSAP')} `;
  }
  if (isU) {
    ctx.s += `Unnumbered, ${LLC_CMDS[control & 0xef] ?? HEX2[control & 0xef]}, Flags [${LLC_FLAGS[(ssapField & 1) | (control & 0x10)] ?? '?'}], length ${length + hdrlen}`;
  } else if ((control & 3) === 1) {
    const s = ['Receiver Ready', 'Receiver not Ready', 'Reject', '?'][(control >> 2) & 3];
    ctx.s += `Supervisory, ${s}, rcv seq ${control >> 9}, Flags [${LLC_FLAGS[(ssapField & 1) | (control & 0x100)] ?? '?'}], length ${length + hdrlen}`;
  } else {
    ctx.s += `Information, send seq ${(control >> 1) & 0x7f}, rcv seq ${control >> 9}, Flags [${LLC_FLAGS[(ssapField & 1) | (control & 0x100)] ?? '?'}], length ${length + hdrlen}`;
  }
  return hdrlen;
}

const OUI_NAMES: Record<number, string> = { 0x000000: 'Ethernet', 0x0000f8: 'Cisco', 0x00000c: 'Cisco', 0x0080c2: 'Ethernet bridged', 0x00000d: 'Cisco' };

/** snap_print: false when the protocol is unknown. */
function printSnap(ctx: PrintContext, p: number, length: number, caplen: number): boolean {
  ctx.checkLocal(p, 5);
  if (caplen < 5 || length < 5) {
    ctx.printTrunc();
    return true;
  }
  const oui = (ctx.u8(p) << 16) | ctx.u16(p + 1);
  const et = ctx.u16(p + 3);
  if (ctx.opts.linkHeader) {
    const etName = oui === 0 || oui === 0xf8 ? etherTypeName(et) ?? 'Unknown' : 'Unknown';
    ctx.s += `oui ${OUI_NAMES[oui] ?? 'Unknown'} (0x${oui.toString(16).padStart(6, '0')}), ${oui === 0 ? 'ethertype' : 'pid'} ${etName} (0x${hex4(et)}), length ${length - 5}: `;
  }
  p += 5;
  length -= 5;
  caplen -= 5;
  if (oui === 0 || oui === 0xf8) return printEtherType(ctx, et, p, length, caplen);
  return false;
}

const STP_BPDU_TYPES: Record<number, string> = { 0x00: 'Config', 0x80: 'Topology Change', 0x02: 'Rapid STP' };
const STP_FLAGS: [number, string][] = [
  [0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'], [0x40, 'Agreement'], [0x80, 'Topology change ACK'],
];

function bridgeId(ctx: PrintContext, off: number): string {
  ctx.check(off, 8);
  return `${HEX2[ctx.buf[off]!]}${HEX2[ctx.buf[off + 1]!]}.${macAt(ctx.buf, off + 2)}`;
}

/** stp_print for 802.1d/802.1w configuration and TCN BPDUs (MSTP is not decoded). */
function printStp(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'stp';
  if (length < 4) {
    ctx.s += ` (invalid)`;
    return;
  }
  if (ctx.u16(p) !== 0) {
    ctx.s += `unknown STP version, length ${length}`;
    return;
  }
  const version = ctx.u8(p + 2);
  const VERSIONS: Record<number, string> = { 0: '802.1d', 2: '802.1w', 3: '802.1s' };
  ctx.s += `STP ${VERSIONS[version] ?? `Unknown STP protocol (0x${HEX2[version]})`}`;
  const type = ctx.u8(p + 3);
  if (version === 0 || version === 2) ctx.s += `, ${STP_BPDU_TYPES[type] ?? `Unknown BPDU Type (0x${HEX2[type]})`}`;
  if (type === 0x80) return;
  if (type !== 0x00 && type !== 0x02) return;
  if (length < 35) {
    ctx.s += ' (invalid)';
    return;
  }
  const flags = ctx.u8(p + 4);
  const on = STP_FLAGS.filter(([bit]) => flags & bit).map(([, n]) => n);
  ctx.s += `, Flags [${on.length ? on.join(', ') : 'none'}]`;
  ctx.s += `, bridge-id ${bridgeId(ctx, p + 17)}.${hex4(ctx.u16(p + 25))}, length ${length}`;
  if (!ctx.opts.verbose) return;
  const t = (off: number) => (ctx.u16(off) / 256).toFixed(2);
  ctx.s += `\n\tmessage-age ${t(p + 27)}s, max-age ${t(p + 29)}s, hello-time ${t(p + 31)}s, forwarding-delay ${t(p + 33)}s`;
  ctx.s += `\n\troot-id ${bridgeId(ctx, p + 5)}, root-pathcost ${ctx.u32(p + 13)}`;
  if (version === 2) {
    const ROLES = ['Unknown', 'Alternate', 'Root', 'Designated'];
    ctx.s += `, port-role ${ROLES[(flags >> 2) & 3]}`;
  }
}
