/**
 * Structured output built on the codec's views: `--json` and `--layers` / `-V`. One describer
 * walks the decoded layers and writes into a sink (structured-out.ts): JSON text or the tree.
 *
 * --json: one object per packet per line.
 *   { index, ts: "sec.nsec" (exact), tsSec, tsNsec, capLen, origLen, linkType, interface,
 *     truncated, issue: null | { layer, osi, reason, offset },
 *     layers: [ { layer, osi, offset, length, ...fields }, ... ] }         (wire order)
 * A layer the decoder stopped in (cut by the capture, or malformed) still appears, with
 * `"partial":true`, holding only its fixed fields whose bytes were captured.
 * Offsets are bytes from the frame start. Numbers are numbers (ports, seq, ttl, ids, checksums,
 * EtherTypes); addresses are strings. Field keys are camelCase and stable:
 *   ethernet: dst src etherType      vlan: tpid pcp dei vid etherType
 *   sll: packetType arphrdType addressLength address protocol
 *   sll2: protocol reserved interfaceIndex arphrdType packetType addressLength address
 *   null/loop: family              arp: hardwareType protocolType hlen plen operation
 *        senderHardware senderProtocol targetHardware targetProtocol
 *   ipv4: version headerLength dscp ecn totalLength id flags{value,reserved,df,mf}
 *         fragmentOffset (bytes) ttl protocol checksum src dst options[]
 *   ipv6: version trafficClass flowLabel payloadLength nextHeader hopLimit src dst
 *         extensions[ {type,name,offset,length,nextHeader,...} ] jumboLength?
 *   tcp: srcPort dstPort seq ack headerLength reserved flags{value,ae,cwr,ece,urg,ack,psh,rst,syn,fin}
 *        window checksum urgentPointer options[]
 *   udp: srcPort dstPort lengthField checksum      payload: (offset, length only)
 *   icmp / icmpv6: type typeName code checksum + per-type fields; errors add
 *        quoted: { issue, layers: [...] } (the quoted header, decoded; offsets still frame-relative)
 *   checksum: { value, status: "correct"|"incorrect"|"unverifiable", expected: number|null }
 *   options (IPv4, TCP, IPv6 TLV, ND): [ { kind|type, name, offset, length, ...decoded } ],
 *        unknown ones carry `bytes` (hex of the data after kind and length).
 * -V: the same fields, one block per layer labelled with its OSI layer, `key  value  @offset`.
 */
import type { CaptureRecord } from '../capture/record.js';
import { ipv6String, Layer, layerName, PacketDecoder, walkIpv6Options, walkOptions, type ChecksumStatus, type Packet } from '../codec/index.js';
import { HEX2 } from './format.js';
import type { PrintOptions } from './options.js';
import { etherTypeName, ipProtoName, LINKTYPE_BANNER } from './tables.js';
import { TimestampFormatter } from './time.js';
import { ClippedOut, displayName, JsonOut, TreeOut, osiLabel, type Osi, type StructuredOut } from './structured-out.js';
import { u32 } from '../codec/wire.js';

export { JsonOut, TreeOut } from './structured-out.js';

/** OSI layer of each layer id (ARP and ICMP belong to the network layer). */
const OSI: readonly Osi[] = [2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 3, 3, 7];

export function osiOf(layer: number): Osi {
  return OSI[layer] ?? 7;
}

function hx(v: number, digits: number): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

function hexBytes(b: Buffer, off: number, len: number, end: number): string {
  let s = '';
  const stop = Math.min(off + len, end);
  for (let i = off; i < stop; i++) s += HEX2[b[i]!];
  return s;
}

function u16(b: Buffer, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function ip4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

const EXT_NAMES: Record<number, string> = { 0: 'Hop-by-hop options', 43: 'Routing', 44: 'Fragment', 51: 'AH', 59: 'No next header', 60: 'Destination options' };

function protoName(p: number): string {
  return EXT_NAMES[p] ?? ipProtoName(p);
}

function withName(v: number, name: string | undefined, digits = 0): string {
  const n = digits ? hx(v, digits) : String(v);
  return name ? `${n} (${name})` : n;
}

/** Checksum as { value, status, expected }; the tree says what it should be when it is wrong. */
function checksum(out: StructuredOut, value: number, status: ChecksumStatus, expected: number, offset: number): void {
  const exp = expected < 0 ? 'null' : String(expected);
  const text = out.tree
    ? `${hx(value, 4)} [${status}${status === 'incorrect' && expected >= 0 ? `, should be ${hx(expected, 4)}` : ''}]`
    : '';
  out.field('checksum', `{"value":${value},"status":"${status}","expected":${exp}}`, text, offset, 2);
}

const FAMILY_NAMES: Record<number, string> = { 2: 'AF_INET', 10: 'AF_INET6 (Linux)', 24: 'AF_INET6 (OpenBSD, NetBSD)', 28: 'AF_INET6 (FreeBSD)', 30: 'AF_INET6 (macOS)' };
const SLL_PACKET_TYPES = ['unicast to us', 'broadcast', 'multicast', 'unicast to another host', 'sent by us'];
const ARP_OPS: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply', 8: 'inverse request', 9: 'inverse reply' };
const ARPHRD: Record<number, string> = { 1: 'Ethernet', 6: 'IEEE 802', 772: 'loopback', 776: 'IPv6-in-IPv4', 65534: 'none' };

/**
 * Describes the packet into `out`. `s` is the frame start the offsets count from (the outer
 * frame's for a quoted packet). `depth` bounds quoted-packet recursion.
 */
export class PacketDescriber {
  private readonly inner: PacketDecoder[] = [];
  private readonly clip = new ClippedOut();
  /** Describing a layer the decoder stopped in: fixed fields only. */
  private partial = false;

  describe(out: StructuredOut, pkt: Packet, s: number, depth = 0): void {
    let vlanIndex = 0;
    const n = pkt.layerCount;
    for (let i = 0; i < n; i++) {
      const id = pkt.layerAt(i);
      switch (id) {
        case Layer.Null:
        case Layer.Loop: {
          const v = pkt.loop;
          const fam = v.family;
          out.layer(layerName(id), 2, id === Layer.Null ? 'BSD loopback (NULL)' : 'OpenBSD loopback (LOOP)', v.offset - s, 4);
          out.num('family', fam, v.offset - s, 4, out.tree ? withName(fam, FAMILY_NAMES[fam]) : undefined);
          out.close();
          break;
        }
        case Layer.Ethernet: {
          const v = pkt.eth;
          const o = v.offset - s;
          const et = v.etherType;
          out.layer('ethernet', 2, out.tree ? `Ethernet II, ${v.srcString()} > ${v.dstString()}` : '', o, 14);
          out.str('dst', v.dstString(), o, 6, this.macText(pkt.buf, v.offset, out));
          out.str('src', v.srcString(), o + 6, 6, this.macText(pkt.buf, v.offset + 6, out));
          out.num('etherType', et, o + 12, 2, et <= 1500 ? `${et} (802.3 length)` : withName(et, etherTypeName(et), 4));
          out.close();
          break;
        }
        case Layer.Vlan: {
          const v = pkt.vlan(vlanIndex++);
          const o = v.offset - s;
          out.layer('vlan', 2, out.tree ? `${v.tpid === 0x8100 ? '802.1Q' : '802.1ad/QinQ'} VLAN tag, id ${v.vid}` : '', o, 4);
          out.num('tpid', v.tpid, o - 2, 2, out.tree ? withName(v.tpid, etherTypeName(v.tpid), 4) : undefined);
          out.num('pcp', v.pcp, o, 1, out.tree ? `${v.pcp} (priority)` : undefined);
          out.bool('dei', v.dei, o, 1);
          out.num('vid', v.vid, o, 2);
          out.num('etherType', v.etherType, o + 2, 2, out.tree ? withName(v.etherType, etherTypeName(v.etherType), 4) : undefined);
          out.close();
          break;
        }
        case Layer.Sll: {
          const v = pkt.sll;
          const o = v.offset - s;
          out.layer('sll', 2, 'Linux cooked capture v1', o, 16);
          out.num('packetType', v.packetType, o, 2, out.tree ? withName(v.packetType, SLL_PACKET_TYPES[v.packetType]) : undefined);
          out.num('arphrdType', v.arphrdType, o + 2, 2, out.tree ? withName(v.arphrdType, ARPHRD[v.arphrdType]) : undefined);
          out.num('addressLength', v.addressLength, o + 4, 2);
          out.str('address', v.addressString(), o + 6, Math.min(v.addressLength, 8));
          out.num('protocol', v.protocol, o + 14, 2, out.tree ? withName(v.protocol, etherTypeName(v.protocol), 4) : undefined);
          out.close();
          break;
        }
        case Layer.Sll2: {
          const v = pkt.sll2;
          const o = v.offset - s;
          out.layer('sll2', 2, 'Linux cooked capture v2', o, 20);
          out.num('protocol', v.protocol, o, 2, out.tree ? withName(v.protocol, etherTypeName(v.protocol), 4) : undefined);
          out.num('reserved', v.reserved, o + 2, 2);
          out.num('interfaceIndex', v.interfaceIndex, o + 4, 4);
          out.num('arphrdType', v.arphrdType, o + 8, 2, out.tree ? withName(v.arphrdType, ARPHRD[v.arphrdType]) : undefined);
          out.num('packetType', v.packetType, o + 10, 1, out.tree ? withName(v.packetType, SLL_PACKET_TYPES[v.packetType]) : undefined);
          out.num('addressLength', v.addressLength, o + 11, 1);
          out.str('address', v.addressString(), o + 12, Math.min(v.addressLength, 8));
          out.close();
          break;
        }
        case Layer.Raw:
          if (depth === 0) {
            out.layer('raw', 2, 'Raw IP (no link-layer header)', 0, 0);
            out.close();
          }
          break;
        case Layer.Arp:
          this.arp(out, pkt, s);
          break;
        case Layer.Ipv4:
          this.ipv4(out, pkt, s);
          break;
        case Layer.Ipv6:
          this.ipv6(out, pkt, s);
          break;
        case Layer.Tcp:
          this.tcp(out, pkt, s);
          break;
        case Layer.Udp:
          this.udp(out, pkt, s);
          break;
        case Layer.Icmp:
          this.icmp(out, pkt, s, depth);
          break;
        case Layer.Icmpv6:
          this.icmp6(out, pkt, s, depth);
          break;
        default:
          break;
      }
    }
    // An ICMP error's body is shown decoded as `quoted`, not again as payload.
    const quotedBody =
      (pkt.has(Layer.Icmp) && pkt.icmp.innerOffset === pkt.payloadOffset) || (pkt.has(Layer.Icmpv6) && pkt.icmp6.innerOffset === pkt.payloadOffset);
    if (pkt.payloadLength > 0 && !quotedBody) {
      const o = pkt.payloadOffset - s;
      out.layer('payload', 7, out.tree ? `${pkt.payloadLength} bytes, not decoded` : '', o, pkt.payloadLength);
      if (out.tree) {
        const shown = Math.min(pkt.payloadLength, 32);
        const more = pkt.payloadLength > shown ? '...' : '';
        out.field('bytes', '', hexBytes(pkt.buf, pkt.payloadOffset, shown, pkt.capEnd) + more, o, pkt.payloadLength);
      }
      out.close();
    }
    if (depth === 0) this.partialLayer(out, pkt, s);
    this.issue(out, pkt, s);
  }

  private udp(out: StructuredOut, pkt: Packet, s: number): void {
    const v = pkt.udp;
    const o = v.offset - s;
    out.layer('udp', 4, out.tree ? `UDP, ${v.srcPort} > ${v.dstPort}` : '', o, 8);
    out.num('srcPort', v.srcPort, o, 2);
    out.num('dstPort', v.dstPort, o + 2, 2);
    out.num('lengthField', v.lengthField, o + 4, 2);
    const st = v.checksumStatus();
    checksum(out, v.checksum, st, v.hasChecksum ? v.expectedChecksum() : -1, o + 6);
    out.close();
  }

  /**
   * The layer the decoder stopped in, as far as its bytes go: its fixed fields that were
   * captured (options, extension headers and quoted packets are left out: their lengths are
   * not to be trusted). Only when the view points where the issue is (the header's start, or
   * the bad field a few bytes in).
   */
  private partialLayer(out: StructuredOut, pkt: Packet, s: number): void {
    const is = pkt.issue;
    if (!is || pkt.has(is.layer)) return;
    const id = is.layer;
    const view =
      id === Layer.Ipv4 ? pkt.ip4 : id === Layer.Ipv6 ? pkt.ip6 : id === Layer.Tcp ? pkt.tcp : id === Layer.Udp ? pkt.udp
        : id === Layer.Icmp ? pkt.icmp : id === Layer.Icmpv6 ? pkt.icmp6 : id === Layer.Arp ? pkt.arp : null;
    if (!view || view.buf !== pkt.buf) return;
    const rel = view.offset - s;
    const limit = pkt.capEnd - s;
    if (rel < 0 || rel >= limit || rel > is.offset || is.offset - rel > 12) return;
    const clip = this.clip.wrap(out, limit, is.reason);
    this.partial = true;
    try {
      if (id === Layer.Ipv4) this.ipv4(clip, pkt, s);
      else if (id === Layer.Ipv6) this.ipv6(clip, pkt, s);
      else if (id === Layer.Tcp) this.tcp(clip, pkt, s);
      else if (id === Layer.Udp) this.udp(clip, pkt, s);
      else if (id === Layer.Icmp) this.icmp(clip, pkt, s, 0);
      else if (id === Layer.Icmpv6) this.icmp6(clip, pkt, s, 0);
      else this.arp(clip, pkt, s);
    } finally {
      this.partial = false;
    }
  }

  private macText(b: Buffer, off: number, out: StructuredOut): string | undefined {
    if (!out.tree) return undefined;
    const s = `${HEX2[b[off]!]}:${HEX2[b[off + 1]!]}:${HEX2[b[off + 2]!]}:${HEX2[b[off + 3]!]}:${HEX2[b[off + 4]!]}:${HEX2[b[off + 5]!]}`;
    const kind = (b[off]! & 1) !== 0 ? (b[off] === 0xff ? 'broadcast' : 'multicast') : 'unicast';
    return `${s} (${kind}${(b[off]! & 2) !== 0 ? ', locally administered' : ''})`;
  }

  /** In the tree, the issue is a block of its own under the layer it belongs to. */
  private issue(out: StructuredOut, pkt: Packet, s: number): void {
    const is = pkt.issue;
    if (!is || !out.tree) return;
    const name = layerName(is.layer);
    const off = is.offset + pkt.start - s;
    out.layer('issue', osiOf(is.layer), out.tree ? `${displayName(name)}: not fully decoded: ${is.reason} at byte ${off}` : '', off, 0);
    out.str('layer', name, off, 0);
    out.str('reason', is.reason, off, 0);
    out.num('offset', off, off, 0);
    out.num('captured', pkt.capLen - is.offset, off, 0, out.tree ? `${Math.max(0, pkt.capLen - is.offset)} bytes from here` : undefined);
    out.close();
  }

  private arp(out: StructuredOut, pkt: Packet, s: number): void {
    const v = pkt.arp;
    const o = v.offset - s;
    const op = v.operation;
    out.layer('arp', 3, out.tree ? `ARP ${ARP_OPS[op] ?? 'operation ' + op}` : '', o, 8 + 2 * v.hlen + 2 * v.plen);
    out.num('hardwareType', v.hardwareType, o, 2, out.tree ? withName(v.hardwareType, v.hardwareType === 1 ? 'Ethernet' : undefined) : undefined);
    out.num('protocolType', v.protocolType, o + 2, 2, out.tree ? withName(v.protocolType, etherTypeName(v.protocolType), 4) : undefined);
    out.num('hlen', v.hlen, o + 4, 1);
    out.num('plen', v.plen, o + 5, 1);
    out.num('operation', op, o + 6, 2, out.tree ? withName(op, ARP_OPS[op]) : undefined);
    out.str('senderHardware', v.senderHardwareString(), v.senderHardwareOffset - s, v.hlen);
    out.str('senderProtocol', v.senderProtocolString(), v.senderProtocolOffset - s, v.plen);
    out.str('targetHardware', v.targetHardwareString(), v.targetHardwareOffset - s, v.hlen);
    out.str('targetProtocol', v.targetProtocolString(), v.targetProtocolOffset - s, v.plen);
    out.close();
  }

  private ipv4(out: StructuredOut, pkt: Packet, s: number): void {
    const v = pkt.ip4;
    const o = v.offset - s;
    const b = v.buf;
    out.layer('ipv4', 3, out.tree ? `IPv4, ${v.srcString()} > ${v.dstString()}, ${ipProtoName(v.protocol)}` : '', o, Math.max(20, v.ihl * 4));
    out.num('version', v.version, o, 1);
    out.num('headerLength', v.ihl * 4, o, 1, out.tree ? `${v.ihl * 4} bytes (ihl ${v.ihl})` : undefined);
    out.num('dscp', v.dscp, o + 1, 1);
    out.num('ecn', v.ecn, o + 1, 1, out.tree ? withName(v.ecn, ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'][v.ecn]) : undefined);
    out.num('totalLength', v.totalLength, o + 2, 2, v.totalLength === 0 ? '0 (TSO: captured length used)' : undefined);
    out.num('id', v.id, o + 4, 2, out.tree ? `${v.id} (${hx(v.id, 4)})` : undefined);
    const fl = v.flags;
    const ftext = out.tree ? `${hx(fl, 1)}${v.reservedFlag ? ' reserved' : ''}${v.df ? ' DF' : ''}${v.mf ? ' MF' : ''}${fl === 0 ? ' none' : ''}` : '';
    out.field('flags', `{"value":${fl},"reserved":${v.reservedFlag},"df":${v.df},"mf":${v.mf}}`, ftext, o + 6, 1);
    out.num('fragmentOffset', v.fragmentOffset, o + 6, 2, out.tree ? `${v.fragmentOffset} bytes` : undefined);
    out.num('ttl', v.ttl, o + 8, 1);
    out.num('protocol', v.protocol, o + 9, 1, out.tree ? withName(v.protocol, protoName(v.protocol)) : undefined);
    checksum(out, v.checksum, v.checksumStatus(), v.expectedChecksum(), o + 10);
    out.str('src', v.srcString(), o + 12, 4);
    out.str('dst', v.dstString(), o + 16, 4);
    if (v.optionsLength > 0 && !this.partial) {
      out.open('options', true, `${v.optionsLength} bytes`, o + 20, v.optionsLength);
      const end = v.offset + v.headerLength;
      const bad = walkOptions(b, v.offset + 20, end, (kind, p, len) => this.ipv4Option(out, b, kind, p, len, s));
      if (bad >= 0) this.badOption(out, b, b[bad]!, bad, end, s);
      out.close();
    }
    out.close();
  }

  private badOption(out: StructuredOut, b: Buffer, kind: number, p: number, end: number, s: number): void {
    const bytes = hexBytes(b, p, end - p, end);
    out.item(`{"kind":${kind},"name":"malformed","offset":${p - s},"length":${end - p},"bytes":"${bytes}"}`, 'malformed', `kind ${kind}, bad length, bytes ${bytes}`, p - s, end - p);
  }

  private ipv4Option(out: StructuredOut, b: Buffer, kind: number, p: number, len: number, s: number): void {
    const head = (name: string) => `{"kind":${kind},"name":"${name}","offset":${p - s},"length":${len}`;
    switch (kind) {
      case 0:
      case 1: {
        const name = kind === 0 ? 'eol' : 'nop';
        out.item(head(name) + '}', name, kind === 0 ? 'end of options' : 'no operation', p - s, 1);
        return;
      }
      case 7:
      case 131:
      case 137: {
        const name = kind === 7 ? 'rr' : kind === 131 ? 'lsrr' : 'ssrr';
        const ptr = len > 2 ? b[p + 2]! : 0;
        let route = '';
        let text = '';
        for (let a = p + 3; a + 4 <= p + len; a += 4) {
          const addr = ip4(b, a);
          route += (route ? ',' : '') + `"${addr}"`;
          text += (text ? ' ' : '') + (a - p + 1 === ptr ? '^' : '') + addr;
        }
        const label = kind === 7 ? 'record route' : kind === 131 ? 'loose source route' : 'strict source route';
        out.item(`${head(name)},"pointer":${ptr},"route":[${route}]}`, name, `${label}, pointer ${ptr}: ${text}`, p - s, len);
        return;
      }
      case 68: {
        const ptr = len > 2 ? b[p + 2]! : 0;
        const of = len > 3 ? b[p + 3]! >> 4 : 0;
        const flag = len > 3 ? b[p + 3]! & 15 : 0;
        const per = flag === 0 ? 4 : 8;
        let entries = '';
        let text = '';
        for (let a = p + 4; a + per <= p + len; a += per) {
          const ts = u32(b, a + per - 4);
          if (per === 8) {
            const addr = ip4(b, a);
            entries += (entries ? ',' : '') + `{"address":"${addr}","timestamp":${ts}}`;
            text += ` ${addr}@${ts}`;
          } else {
            entries += (entries ? ',' : '') + `{"timestamp":${ts}}`;
            text += ` ${ts}`;
          }
        }
        out.item(
          `${head('ts')},"pointer":${ptr},"overflow":${of},"flag":${flag},"entries":[${entries}]}`,
          'ts',
          `timestamp, flag ${flag}${flag === 0 ? ' (timestamps only)' : flag === 1 ? ' (address + timestamp)' : flag === 3 ? ' (prespecified)' : ''}, pointer ${ptr}, overflow ${of}:${text}`,
          p - s,
          len,
        );
        return;
      }
      case 148: {
        const val = len >= 4 ? u16(b, p + 2) : 0;
        out.item(`${head('ra')},"value":${val}}`, 'ra', `router alert, value ${val}`, p - s, len);
        return;
      }
      default: {
        const bytes = hexBytes(b, p + 2, len - 2, p + len);
        out.item(`${head('unknown')},"bytes":"${bytes}"}`, 'unknown', `kind ${kind}, len ${len}, bytes ${bytes || '(none)'}`, p - s, len);
      }
    }
  }

  private ipv6(out: StructuredOut, pkt: Packet, s: number): void {
    const v = pkt.ip6;
    const o = v.offset - s;
    const b = v.buf;
    let total = 40;
    for (let k = 0; k < v.extCount; k++) total += v.extLength(k);
    const upper = v.extCount > 0 ? b[v.extOffset(v.extCount - 1)]! : v.nextHeader;
    out.layer('ipv6', 3, out.tree ? `IPv6, ${v.srcString()} > ${v.dstString()}, ${protoName(upper)}` : '', o, total);
    out.num('version', v.version, o, 1);
    out.num('trafficClass', v.trafficClass, o, 2, out.tree ? `${hx(v.trafficClass, 2)} (DSCP ${v.trafficClass >> 2}, ECN ${v.trafficClass & 3})` : undefined);
    out.num('flowLabel', v.flowLabel, o + 1, 3, hx(v.flowLabel, 5));
    out.num('payloadLength', v.payloadLength, o + 4, 2, v.payloadLength === 0 && v.jumboLength > 0 ? '0 (jumbogram)' : undefined);
    out.num('nextHeader', v.nextHeader, o + 6, 1, out.tree ? withName(v.nextHeader, protoName(v.nextHeader)) : undefined);
    out.num('hopLimit', v.hopLimit, o + 7, 1);
    out.str('src', v.srcString(), o + 8, 16);
    out.str('dst', v.dstString(), o + 24, 16);
    if (v.jumboLength > 0 && !this.partial) out.num('jumboLength', v.jumboLength, findJumboOffset(pkt) - s, 4);
    if (v.extCount > 0 && !this.partial) {
      out.open('extensions', true, `${v.extCount} extension header${v.extCount > 1 ? 's' : ''}`, v.extOffset(0) - s, total - 40);
      for (let k = 0; k < v.extCount; k++) this.ipv6Ext(out, b, v.extType(k), v.extOffset(k), v.extLength(k), s);
      out.close();
    }
    out.close();
  }

  private ipv6Ext(out: StructuredOut, b: Buffer, type: number, p: number, len: number, s: number): void {
    const name = type === 0 ? 'hopByHop' : type === 43 ? 'routing' : type === 44 ? 'fragment' : type === 60 ? 'destOptions' : type === 51 ? 'ah' : 'ext' + type;
    const title = type === 0 ? 'hop-by-hop options' : type === 43 ? 'routing header' : type === 44 ? 'fragment header' : type === 60 ? 'destination options' : type === 51 ? 'authentication header' : 'header ' + type;
    const o = p - s;
    out.open('', false, `${title} (${type}), ${len} bytes`, o, len);
    if (!out.tree) {
      out.num('type', type, o, 1);
      out.str('name', name, o, 1);
      out.num('offset', o, o, 1);
      out.num('length', len, o, 1);
    }
    out.num('nextHeader', b[p]!, o, 1, out.tree ? withName(b[p]!, protoName(b[p]!)) : undefined);
    if (type === 44) {
      const w = u16(b, p + 2);
      out.num('reserved', b[p + 1]!, o + 1, 1);
      out.num('fragmentOffset', (w >> 3) * 8, o + 2, 2, out.tree ? `${(w >> 3) * 8} bytes` : undefined);
      out.num('reservedBits', (w >> 1) & 3, o + 3, 1);
      out.bool('more', (w & 1) !== 0, o + 3, 1);
      const id = u32(b, p + 4);
      out.num('id', id, o + 4, 4, out.tree ? `${id} (${hx(id, 8)})` : undefined);
    } else if (type === 51) {
      out.num('payloadLen', b[p + 1]!, o + 1, 1, out.tree ? `${b[p + 1]!} (${len} bytes)` : undefined);
      if (len >= 12) {
        out.num('spi', u32(b, p + 4), o + 4, 4);
        out.num('sequence', u32(b, p + 8), o + 8, 4);
      }
    } else {
      out.num('hdrExtLen', b[p + 1]!, o + 1, 1, out.tree ? `${b[p + 1]!} (${len} bytes)` : undefined);
    }
    if (type === 43) {
      const rt = b[p + 2]!;
      out.num('routingType', rt, o + 2, 1, out.tree ? withName(rt, rt === 0 ? 'source route, deprecated' : rt === 2 ? 'mobile IPv6 home address' : rt === 3 ? 'RPL' : rt === 4 ? 'segment routing' : undefined) : undefined);
      out.num('segmentsLeft', b[p + 3]!, o + 3, 1);
      if (rt === 4) {
        out.num('lastEntry', b[p + 4]!, o + 4, 1);
        out.num('flags', b[p + 5]!, o + 5, 1);
        out.num('tag', u16(b, p + 6), o + 6, 2);
      } else {
        out.num('reserved', u32(b, p + 4), o + 4, 4);
      }
      if (rt === 0 || rt === 2 || rt === 4) {
        out.open(rt === 4 ? 'segments' : 'addresses', true, `${(len - 8) >> 4} addresses`, o + 8, len - 8);
        for (let a = p + 8, i = 0; a + 16 <= p + len; a += 16, i++) {
          const addr = ipv6Text(b, a);
          out.item(JSON.stringify(addr), `[${i}]`, addr, a - s, 16);
        }
        out.close();
      }
    } else if (type === 0 || type === 60) {
      out.open('options', true, `${len - 2} bytes`, o + 2, len - 2);
      const end = p + len;
      let q = p + 2;
      const bad = walkIpv6Options(b, q, end, null);
      while (q < end && (bad < 0 || q < bad)) {
        const t = b[q]!;
        const l = t === 0 ? 1 : b[q + 1]! + 2;
        this.ipv6Option(out, b, t, q, l, s);
        q += l;
      }
      if (bad >= 0) this.badOption(out, b, b[bad]!, bad, end, s);
      out.close();
    }
    out.close();
  }

  private ipv6Option(out: StructuredOut, b: Buffer, t: number, q: number, l: number, s: number): void {
    const head = (name: string) => `{"type":${t},"name":"${name}","offset":${q - s},"length":${l}`;
    if (t === 0) out.item(head('pad1') + '}', 'pad1', 'Pad1', q - s, 1);
    else if (t === 1) out.item(head('padN') + '}', 'padN', `PadN, ${l} bytes`, q - s, l);
    else if (t === 5 && l === 4) {
      const val = u16(b, q + 2);
      out.item(`${head('routerAlert')},"value":${val}}`, 'routerAlert', `router alert, value ${val}${val === 0 ? ' (MLD)' : ''}`, q - s, l);
    } else if (t === 0xc2 && l === 6) {
      const val = u32(b, q + 2);
      out.item(`${head('jumbo')},"value":${val}}`, 'jumbo', `jumbo payload length ${val}`, q - s, l);
    } else {
      const bytes = hexBytes(b, q + 2, l - 2, q + l);
      out.item(`${head('unknown')},"bytes":"${bytes}"}`, 'unknown', `type ${hx(t, 2)}, len ${l}, bytes ${bytes || '(none)'}`, q - s, l);
    }
  }

  private tcp(out: StructuredOut, pkt: Packet, s: number): void {
    const v = pkt.tcp;
    const o = v.offset - s;
    const b = v.buf;
    const fl = v.flags;
    const names = tcpFlagNames(fl);
    out.layer('tcp', 4, out.tree ? `TCP, ${v.srcPort} > ${v.dstPort}, ${names || 'no flags'}` : '', o, Math.max(20, v.dataOffset * 4));
    out.num('srcPort', v.srcPort, o, 2);
    out.num('dstPort', v.dstPort, o + 2, 2);
    out.num('seq', v.seq, o + 4, 4);
    out.num('ack', v.ack, o + 8, 4, v.ackFlag ? undefined : `${v.ack} (ACK flag not set)`);
    out.num('headerLength', v.dataOffset * 4, o + 12, 1, out.tree ? `${v.dataOffset * 4} bytes (data offset ${v.dataOffset})` : undefined);
    out.num('reserved', v.reserved, o + 12, 1);
    out.field(
      'flags',
      `{"value":${fl},"ae":${v.ae},"cwr":${v.cwr},"ece":${v.ece},"urg":${v.urg},"ack":${v.ackFlag},"psh":${v.psh},"rst":${v.rst},"syn":${v.syn},"fin":${v.fin}}`,
      out.tree ? `${hx(fl, 3)} ${names || '(none)'}` : '',
      o + 12,
      2,
    );
    out.num('window', v.window, o + 14, 2);
    checksum(out, v.checksum, v.checksumStatus(), v.expectedChecksum(), o + 16);
    out.num('urgentPointer', v.urgentPointer, o + 18, 2);
    if (v.optionsLength > 0 && !this.partial) {
      out.open('options', true, `${v.optionsLength} bytes`, o + 20, v.optionsLength);
      const end = v.offset + v.headerLength;
      const bad = walkOptions(b, v.offset + 20, end, (kind, p, len) => this.tcpOption(out, b, kind, p, len, s));
      if (bad >= 0) this.badOption(out, b, b[bad]!, bad, end, s);
      out.close();
    }
    out.close();
  }

  private tcpOption(out: StructuredOut, b: Buffer, kind: number, p: number, len: number, s: number): void {
    const head = (name: string) => `{"kind":${kind},"name":"${name}","offset":${p - s},"length":${len}`;
    const o = p - s;
    switch (kind) {
      case 0:
        out.item(head('eol') + '}', 'eol', 'end of options', o, 1);
        return;
      case 1:
        out.item(head('nop') + '}', 'nop', 'no operation', o, 1);
        return;
      case 2:
        if (len === 4) {
          const mss = u16(b, p + 2);
          out.item(`${head('mss')},"value":${mss}}`, 'mss', `mss ${mss}`, o, len);
          return;
        }
        break;
      case 3:
        if (len === 3) {
          const shift = b[p + 2]!;
          const mult = shift <= 14 ? 2 ** shift : 16384;
          out.item(`${head('wscale')},"value":${shift},"multiplier":${mult}}`, 'wscale', `wscale ${shift} (x${mult})`, o, len);
          return;
        }
        break;
      case 4:
        if (len === 2) {
          out.item(head('sackOK') + '}', 'sackOK', 'SACK permitted', o, len);
          return;
        }
        break;
      case 5:
        if ((len - 2) % 8 === 0) {
          let json = '';
          let text = '';
          for (let a = p + 2; a + 8 <= p + len; a += 8) {
            const l = u32(b, a);
            const r = u32(b, a + 4);
            json += (json ? ',' : '') + `{"left":${l},"right":${r}}`;
            text += ` ${l}-${r}`;
          }
          out.item(`${head('sack')},"blocks":[${json}]}`, 'sack', `SACK${text}`, o, len);
          return;
        }
        break;
      case 8:
        if (len === 10) {
          const val = u32(b, p + 2);
          const ecr = u32(b, p + 6);
          out.item(`${head('timestamps')},"tsVal":${val},"tsEcr":${ecr}}`, 'timestamps', `TS val ${val} ecr ${ecr}`, o, len);
          return;
        }
        break;
      case 19:
        out.item(`${head('md5')},"digest":"${hexBytes(b, p + 2, len - 2, p + len)}"}`, 'md5', `MD5 signature ${hexBytes(b, p + 2, len - 2, p + len)}`, o, len);
        return;
      case 34:
      case 254: {
        const exp = kind === 254;
        if (!exp || (len >= 4 && b[p + 2] === 0xf9 && b[p + 3] === 0x89)) {
          const start = exp ? p + 4 : p + 2;
          const cookie = hexBytes(b, start, p + len - start, p + len);
          out.item(
            `${head('tfo')}${exp ? ',"exid":63881' : ''},"cookie":"${cookie}"}`,
            'tfo',
            cookie ? `TFO cookie ${cookie}${exp ? ' (experimental, ExID 0xf989)' : ''}` : `TFO cookie request${exp ? ' (experimental, ExID 0xf989)' : ''}`,
            o,
            len,
          );
          return;
        }
        break;
      }
      default:
        break;
    }
    const bytes = hexBytes(b, p + 2, len - 2, p + len);
    const name = kind === 30 ? 'mptcp' : kind === 29 ? 'tcpAo' : kind === 28 ? 'userTimeout' : 'unknown';
    out.item(`${head(name)},"bytes":"${bytes}"}`, name, `kind ${kind}, len ${len}, bytes ${bytes || '(none)'}`, o, len);
  }

  private icmp(out: StructuredOut, pkt: Packet, s: number, depth: number): void {
    const v = pkt.icmp;
    const o = v.offset - s;
    const b = v.buf;
    const t = v.type;
    const name = ICMP_TYPES[t] ?? 'unknown';
    const avail = pkt.capEnd - v.offset;
    out.layer('icmp', 3, out.tree ? `ICMP ${name}${t === 3 ? ', ' + (UNREACH_CODES[v.code] ?? 'code ' + v.code) : ''}` : '', o, 8);
    out.num('type', t, o, 1, out.tree ? withName(t, name) : undefined);
    out.str('typeName', name, o, 1);
    out.num('code', v.code, o + 1, 1, t === 3 ? withName(v.code, UNREACH_CODES[v.code]) : t === 11 ? withName(v.code, ['TTL exceeded in transit', 'fragment reassembly time exceeded'][v.code]) : undefined);
    checksum(out, v.checksum, v.checksumStatus(), v.expectedChecksum(), o + 2);
    if (t === 0 || t === 8 || (t >= 13 && t <= 18)) {
      out.num('id', v.id, o + 4, 2, out.tree ? `${v.id} (${hx(v.id, 4)})` : undefined);
      out.num('sequence', v.sequence, o + 6, 2);
      if ((t === 13 || t === 14) && avail >= 20) {
        out.num('originate', u32(b, v.offset + 8), o + 8, 4, out.tree ? `${u32(b, v.offset + 8)} ms since midnight UT` : undefined);
        out.num('receive', u32(b, v.offset + 12), o + 12, 4);
        out.num('transmit', u32(b, v.offset + 16), o + 16, 4);
      } else if ((t === 17 || t === 18) && avail >= 12) {
        out.str('mask', ip4(b, v.offset + 8), o + 8, 4);
      }
    } else if (t === 3 && v.code === 4) {
      out.num('unused', u16(b, v.offset + 4), o + 4, 2);
      out.num('mtu', u16(b, v.offset + 6), o + 6, 2, out.tree ? `${u16(b, v.offset + 6)} (next-hop MTU)` : undefined);
    } else if (t === 5) {
      out.str('gateway', ip4(b, v.offset + 4), o + 4, 4);
    } else if (t === 12) {
      out.num('pointer', b[v.offset + 4]!, o + 4, 1);
    } else {
      out.num('unused', v.restOfHeader, o + 4, 4);
    }
    if (v.innerOffset >= 0 && !this.partial) this.quoted(out, pkt, v.innerOffset, 228, s, depth);
    out.close();
  }

  private icmp6(out: StructuredOut, pkt: Packet, s: number, depth: number): void {
    const v = pkt.icmp6;
    const o = v.offset - s;
    const b = v.buf;
    const t = v.type;
    const name = ICMP6_TYPES[t] ?? 'unknown';
    out.layer('icmpv6', 3, out.tree ? `ICMPv6 ${name}` : '', o, v.headerLength);
    out.num('type', t, o, 1, out.tree ? withName(t, name) : undefined);
    out.str('typeName', name, o, 1);
    out.num('code', v.code, o + 1, 1, t === 1 ? withName(v.code, UNREACH6_CODES[v.code]) : undefined);
    checksum(out, v.checksum, v.checksumStatus(), v.expectedChecksum(), o + 2);
    const p = v.offset;
    if (t === 128 || t === 129) {
      out.num('id', v.id, o + 4, 2, out.tree ? `${v.id} (${hx(v.id, 4)})` : undefined);
      out.num('sequence', v.sequence, o + 6, 2);
    } else if (t === 2) {
      out.num('mtu', v.restOfHeader, o + 4, 4);
    } else if (t === 4) {
      out.num('pointer', v.restOfHeader, o + 4, 4);
    } else if (t === 134) {
      out.num('curHopLimit', v.curHopLimit, o + 4, 1);
      const f = b[p + 5]!;
      out.field('flags', `{"value":${f},"managed":${(f & 0x80) !== 0},"other":${(f & 0x40) !== 0}}`, `${hx(f, 2)}${f & 0x80 ? ' managed' : ''}${f & 0x40 ? ' other' : ''}`, o + 5, 1);
      out.num('routerLifetime', v.routerLifetime, o + 6, 2, out.tree ? `${v.routerLifetime} s` : undefined);
      out.num('reachableTime', u32(b, p + 8), o + 8, 4, out.tree ? `${u32(b, p + 8)} ms` : undefined);
      out.num('retransTimer', u32(b, p + 12), o + 12, 4, out.tree ? `${u32(b, p + 12)} ms` : undefined);
    } else if (t === 136) {
      out.field('flags', `{"value":${b[p + 4]! >> 5},"router":${v.router},"solicited":${v.solicited},"override":${v.override}}`, `${v.router ? 'router ' : ''}${v.solicited ? 'solicited ' : ''}${v.override ? 'override' : ''}`.trim() || 'none', o + 4, 1);
    } else {
      out.num('reserved', v.restOfHeader, o + 4, 4);
    }
    if (v.targetOffset >= 0) out.str('target', v.targetString(), v.targetOffset - s, 16);
    if (v.destinationOffset >= 0) out.str('destination', ipv6Text(b, v.destinationOffset), v.destinationOffset - s, 16);
    if (v.optionsEnd > v.optionsOffset && !this.partial) {
      out.open('options', true, `${v.optionsEnd - v.optionsOffset} bytes`, v.optionsOffset - s, v.optionsEnd - v.optionsOffset);
      let bad = -1;
      const ok = v.forEachOption((ot, off, len) => this.ndOption(out, b, ot, off, len, s));
      if (!ok) {
        let q = v.optionsOffset;
        while (q + 2 <= v.optionsEnd && b[q + 1]! > 0 && q + b[q + 1]! * 8 <= v.optionsEnd) q += b[q + 1]! * 8;
        bad = q;
      }
      if (bad >= 0) this.badOption(out, b, b[bad]!, bad, Math.min(v.optionsEnd, pkt.capEnd), s);
      out.close();
    }
    if (v.innerOffset >= 0 && !this.partial) this.quoted(out, pkt, v.innerOffset, 229, s, depth);
    out.close();
  }

  private ndOption(out: StructuredOut, b: Buffer, t: number, q: number, l: number, s: number): void {
    const head = (name: string) => `{"type":${t},"name":"${name}","offset":${q - s},"length":${l}`;
    if ((t === 1 || t === 2) && l >= 8) {
      const name = t === 1 ? 'sourceLinkAddress' : 'targetLinkAddress';
      let addr = '';
      for (let i = q + 2; i < q + l; i++) addr += (addr ? ':' : '') + HEX2[b[i]!];
      if (l === 8) addr = addr.slice(0, 17);
      out.item(`${head(name)},"address":"${addr}"}`, name, `${t === 1 ? 'source' : 'target'} link-layer address ${addr}`, q - s, l);
    } else if (t === 3 && l === 32) {
      const plen = b[q + 2]!;
      const f = b[q + 3]!;
      const valid = u32(b, q + 4);
      const pref = u32(b, q + 8);
      const prefix = ipv6Text(b, q + 16);
      out.item(
        `${head('prefixInformation')},"prefixLength":${plen},"onLink":${(f & 0x80) !== 0},"autonomous":${(f & 0x40) !== 0},"validLifetime":${valid},"preferredLifetime":${pref},"prefix":"${prefix}"}`,
        'prefixInformation',
        `prefix ${prefix}/${plen}${f & 0x80 ? ' onlink' : ''}${f & 0x40 ? ' auto' : ''}, valid ${valid} s, preferred ${pref} s`,
        q - s,
        l,
      );
    } else if (t === 24 && l >= 8 && l <= 24) {
      // Route information (RFC 4191): the prefix is cut to the option's length.
      const plen = b[q + 2]!;
      const prf = (b[q + 3]! >> 3) & 3;
      const life = u32(b, q + 4);
      const full = Buffer.alloc(16);
      b.copy(full, 0, q + 8, q + l);
      const prefix = ipv6Text(full, 0);
      out.item(
        `${head('routeInformation')},"prefixLength":${plen},"preference":${prf},"routeLifetime":${life},"prefix":"${prefix}"}`,
        'routeInformation',
        `route ${prefix}/${plen}, preference ${['medium', 'high', 'reserved', 'low'][prf]}, lifetime ${life} s`,
        q - s,
        l,
      );
    } else if (t === 5 && l === 8) {
      const mtu = u32(b, q + 4);
      out.item(`${head('mtu')},"value":${mtu}}`, 'mtu', `MTU ${mtu}`, q - s, l);
    } else {
      const bytes = hexBytes(b, q + 2, l - 2, q + l);
      out.item(`${head('unknown')},"bytes":"${bytes}"}`, 'unknown', `type ${t}, len ${l}, bytes ${bytes}`, q - s, l);
    }
  }

  /** The packet an ICMP error quotes, decoded by a decoder of its own. */
  private quoted(out: StructuredOut, pkt: Packet, off: number, linkType: number, s: number, depth: number): void {
    const end = pkt.payloadOffset + pkt.payloadLength > off ? pkt.payloadOffset + pkt.payloadLength : pkt.capEnd;
    const len = Math.min(end, pkt.capEnd) - off;
    if (len <= 0) return;
    out.open('quoted', false, `the offending packet, ${len} bytes quoted`, off - s, len);
    if (depth >= 2) {
      out.close();
      return;
    }
    const d = (this.inner[depth] ??= new PacketDecoder());
    const q = d.decode(pkt.buf, off, len, linkType, len);
    if (!out.tree) {
      const is = q.issue;
      out.field('issue', is ? `{"layer":"${layerName(is.layer)}","osi":${osiOf(is.layer)},"reason":"${is.reason}","offset":${is.offset + off - s}}` : 'null', '', off - s, 0);
    }
    if (!out.tree) out.open('layers', true, '', off - s, len);
    this.describe(out, q, s, depth + 1);
    if (!out.tree) out.close();
    out.close();
  }
}

function findJumboOffset(pkt: Packet): number {
  const v = pkt.ip6;
  for (let k = 0; k < v.extCount; k++) {
    if (v.extType(k) !== 0) continue;
    const b = v.buf;
    const end = v.extOffset(k) + v.extLength(k);
    let q = v.extOffset(k) + 2;
    while (q + 1 < end) {
      if (b[q] === 0) {
        q++;
        continue;
      }
      if (b[q] === 0xc2) return q + 2;
      q += b[q + 1]! + 2;
    }
  }
  return v.offset + 4;
}

function ipv6Text(b: Buffer, o: number): string {
  return ipv6String(b, o);
}

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

function tcpFlagNames(flags: number): string {
  let s = '';
  for (let i = 0; i <= 8; i++) if (flags & (1 << i)) s += (s ? '|' : '') + TCP_FLAG_NAMES[i];
  return s;
}

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply', 3: 'destination unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request',
  9: 'router advertisement', 10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem',
  13: 'timestamp request', 14: 'timestamp reply', 15: 'information request', 16: 'information reply',
  17: 'address mask request', 18: 'address mask reply',
};
const UNREACH_CODES = [
  'net unreachable', 'host unreachable', 'protocol unreachable', 'port unreachable', 'fragmentation needed',
  'source route failed', 'destination network unknown', 'destination host unknown', 'source host isolated',
  'network administratively prohibited', 'host administratively prohibited', 'network unreachable for TOS',
  'host unreachable for TOS', 'communication administratively prohibited', 'host precedence violation', 'precedence cutoff in effect',
];
const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 143: 'multicast listener report v2',
};
const UNREACH6_CODES = [
  'no route', 'administratively prohibited', 'beyond scope of source address', 'address unreachable',
  'port unreachable', 'source address failed policy', 'reject route',
];

function tsText(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

export function jsonFormatter(_opts: PrintOptions): (rec: CaptureRecord) => string {
  const decoder = new PacketDecoder();
  const describer = new PacketDescriber();
  const out = new JsonOut();
  return (rec) => {
    const pkt = decoder.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
    out.reset();
    out.begin();
    const is = pkt.issue;
    out.raw(
      `"index":${rec.index},"ts":"${tsText(rec.tsSec, rec.tsNsec)}","tsSec":${rec.tsSec},"tsNsec":${rec.tsNsec},` +
      `"capLen":${rec.capLen},"origLen":${rec.origLen},"linkType":${rec.linkType},"interface":${rec.interfaceId},` +
      `"truncated":${pkt.truncated},"issue":` +
      (is ? `{"layer":"${layerName(is.layer)}","osi":${osiOf(is.layer)},"reason":"${is.reason}","offset":${is.offset}}` : 'null'),
    );
    out.open('layers', true, '', 0, 0);
    describer.describe(out, pkt, pkt.start);
    out.close();
    return out.s + '}\n';
  };
}

export function layersFormatter(opts: PrintOptions): (rec: CaptureRecord) => string {
  const decoder = new PacketDecoder();
  const describer = new PacketDescriber();
  const out = new TreeOut();
  const time = new TimestampFormatter(opts.timeFormat === 1 ? 4 : opts.timeFormat || 4, opts.nano);
  return (rec) => {
    const pkt = decoder.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
    out.reset();
    const lt = LINKTYPE_BANNER[rec.linkType];
    out.s += `packet ${rec.index}  ${time.print(rec.tsSec, rec.tsNsec).trimEnd()}  captured ${rec.capLen} of ${rec.origLen} bytes, link type ${rec.linkType}${lt ? ` (${lt[0]})` : ''}${pkt.truncated ? ', truncated' : ''}\n`;
    describer.describe(out, pkt, pkt.start);
    return out.s + '\n';
  };
}

export { osiLabel };
