/**
 * Structured output built on the codec's views: `--json` (one object per packet per line, every
 * decoded field) and `--layers` / `-V` (a tree per packet: one block per layer with its OSI
 * layer, each field with value and byte offset from the frame start).
 */
import type { CaptureRecord } from '../capture/record.js';
import { Layer, layerName, PacketDecoder, type Packet } from '../codec/index.js';
import { HEX2, hex4 } from './format.js';
import type { PrintOptions } from './options.js';
import { etherTypeName, ipProtoName } from './tables.js';
import { TimestampFormatter } from './time.js';

type Value = string | number | boolean;

/** One field: name, value, offset from the frame start, size in bytes. */
interface Field {
  name: string;
  value: Value;
  offset: number;
  size: number;
}

interface LayerBlock {
  layer: string;
  osi: 2 | 3 | 4 | 7;
  title: string;
  offset: number;
  length: number;
  fields: Field[];
}

const OSI_LABEL: Record<number, string> = { 2: 'layer 2 (data link)', 3: 'layer 3 (network)', 4: 'layer 4 (transport)', 7: 'payload' };

function f(fields: Field[], name: string, value: Value, offset: number, size: number): void {
  fields.push({ name, value, offset, size });
}

function hexValue(v: number, digits: number): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

/** The decoded layers of one packet as blocks of fields (allocates: for printing only). */
export function describePacket(pkt: Packet): LayerBlock[] {
  const out: LayerBlock[] = [];
  const s = pkt.start;
  let vlanIndex = 0;
  for (let i = 0; i < pkt.layerCount; i++) {
    const id = pkt.layerAt(i);
    const fields: Field[] = [];
    let block: LayerBlock;
    switch (id) {
      case Layer.Null:
      case Layer.Loop: {
        const v = pkt.loop;
        const o = v.offset - s;
        f(fields, 'family', v.family, o, 4);
        block = { layer: layerName(id), osi: 2, title: id === Layer.Null ? 'BSD loopback' : 'OpenBSD loopback', offset: o, length: 4, fields };
        break;
      }
      case Layer.Ethernet: {
        const v = pkt.eth;
        const o = v.offset - s;
        f(fields, 'destination', v.dstString(), o, 6);
        f(fields, 'source', v.srcString(), o + 6, 6);
        f(fields, 'ethertype', hexValue(v.etherType, 4) + typeName(v.etherType), o + 12, 2);
        block = { layer: 'ethernet', osi: 2, title: 'Ethernet II', offset: o, length: 14, fields };
        break;
      }
      case Layer.Vlan: {
        const v = pkt.vlan(vlanIndex++);
        const o = v.offset - s;
        f(fields, 'tpid', hexValue(v.tpid, 4), o - 2, 2);
        f(fields, 'pcp', v.pcp, o, 2);
        f(fields, 'dei', v.dei, o, 2);
        f(fields, 'vid', v.vid, o, 2);
        f(fields, 'ethertype', hexValue(v.etherType, 4) + typeName(v.etherType), o + 2, 2);
        block = { layer: 'vlan', osi: 2, title: '802.1Q VLAN tag', offset: o, length: 4, fields };
        break;
      }
      case Layer.Sll: {
        const v = pkt.sll;
        const o = v.offset - s;
        f(fields, 'packetType', v.packetType, o, 2);
        f(fields, 'arphrdType', v.arphrdType, o + 2, 2);
        f(fields, 'addressLength', v.addressLength, o + 4, 2);
        f(fields, 'address', v.addressString(), o + 6, 8);
        f(fields, 'protocol', hexValue(v.protocol, 4) + typeName(v.protocol), o + 14, 2);
        block = { layer: 'sll', osi: 2, title: 'Linux cooked capture v1', offset: o, length: 16, fields };
        break;
      }
      case Layer.Sll2: {
        const v = pkt.sll2;
        const o = v.offset - s;
        f(fields, 'protocol', hexValue(v.protocol, 4) + typeName(v.protocol), o, 2);
        f(fields, 'interfaceIndex', v.interfaceIndex, o + 4, 4);
        f(fields, 'arphrdType', v.arphrdType, o + 8, 2);
        f(fields, 'packetType', v.packetType, o + 10, 1);
        f(fields, 'addressLength', v.addressLength, o + 11, 1);
        f(fields, 'address', v.addressString(), o + 12, 8);
        block = { layer: 'sll2', osi: 2, title: 'Linux cooked capture v2', offset: o, length: 20, fields };
        break;
      }
      case Layer.Raw:
        block = { layer: 'raw', osi: 2, title: 'Raw IP (no link header)', offset: 0, length: 0, fields };
        break;
      case Layer.Arp: {
        const v = pkt.arp;
        const o = v.offset - s;
        f(fields, 'hardwareType', v.hardwareType, o, 2);
        f(fields, 'protocolType', hexValue(v.protocolType, 4), o + 2, 2);
        f(fields, 'hlen', v.hlen, o + 4, 1);
        f(fields, 'plen', v.plen, o + 5, 1);
        f(fields, 'operation', v.operation, o + 6, 2);
        f(fields, 'senderHardware', v.senderHardwareString(), v.senderHardwareOffset - s, v.hlen);
        f(fields, 'senderProtocol', v.senderProtocolString(), v.senderProtocolOffset - s, v.plen);
        f(fields, 'targetHardware', v.targetHardwareString(), v.targetHardwareOffset - s, v.hlen);
        f(fields, 'targetProtocol', v.targetProtocolString(), v.targetProtocolOffset - s, v.plen);
        block = { layer: 'arp', osi: 3, title: 'ARP', offset: o, length: 8 + 2 * v.hlen + 2 * v.plen, fields };
        break;
      }
      case Layer.Ipv4: {
        const v = pkt.ip4;
        const o = v.offset - s;
        f(fields, 'version', v.version, o, 1);
        f(fields, 'ihl', v.ihl, o, 1);
        f(fields, 'dscp', v.dscp, o + 1, 1);
        f(fields, 'ecn', v.ecn, o + 1, 1);
        f(fields, 'totalLength', v.totalLength, o + 2, 2);
        f(fields, 'id', v.id, o + 4, 2);
        f(fields, 'reservedFlag', v.reservedFlag, o + 6, 1);
        f(fields, 'df', v.df, o + 6, 1);
        f(fields, 'mf', v.mf, o + 6, 1);
        f(fields, 'fragmentOffset', v.fragmentOffset, o + 6, 2);
        f(fields, 'ttl', v.ttl, o + 8, 1);
        f(fields, 'protocol', v.protocol, o + 9, 1);
        f(fields, 'checksum', hexValue(v.checksum, 4), o + 10, 2);
        f(fields, 'checksumStatus', v.checksumStatus(), o + 10, 2);
        f(fields, 'src', v.srcString(), o + 12, 4);
        f(fields, 'dst', v.dstString(), o + 16, 4);
        if (v.optionsLength > 0) {
          v.forEachOption((kind, off, len) => f(fields, `option ${kind}`, optionBytes(pkt.buf, off, len), off - s, len));
        }
        block = { layer: 'ipv4', osi: 3, title: `IPv4, ${ipProtoName(v.protocol)}`, offset: o, length: v.headerLength, fields };
        break;
      }
      case Layer.Ipv6: {
        const v = pkt.ip6;
        const o = v.offset - s;
        f(fields, 'version', v.version, o, 1);
        f(fields, 'trafficClass', v.trafficClass, o, 2);
        f(fields, 'flowLabel', hexValue(v.flowLabel, 5), o + 1, 3);
        f(fields, 'payloadLength', v.payloadLength, o + 4, 2);
        f(fields, 'nextHeader', v.nextHeader, o + 6, 1);
        f(fields, 'hopLimit', v.hopLimit, o + 7, 1);
        f(fields, 'src', v.srcString(), o + 8, 16);
        f(fields, 'dst', v.dstString(), o + 24, 16);
        let len = 40;
        for (let k = 0; k < v.extCount; k++) {
          f(fields, `extension ${ipProtoName(v.extType(k))} (${v.extType(k)})`, `${v.extLength(k)} bytes`, v.extOffset(k) - s, v.extLength(k));
          len += v.extLength(k);
        }
        if (v.hasFragment) {
          f(fields, 'fragmentId', v.fragmentId, -1, 4);
          f(fields, 'fragmentOffset', v.fragmentOffset, -1, 2);
          f(fields, 'moreFragments', v.moreFragments, -1, 2);
        }
        block = { layer: 'ipv6', osi: 3, title: 'IPv6', offset: o, length: len, fields };
        break;
      }
      case Layer.Tcp: {
        const v = pkt.tcp;
        const o = v.offset - s;
        f(fields, 'srcPort', v.srcPort, o, 2);
        f(fields, 'dstPort', v.dstPort, o + 2, 2);
        f(fields, 'seq', v.seq, o + 4, 4);
        f(fields, 'ack', v.ack, o + 8, 4);
        f(fields, 'dataOffset', v.dataOffset, o + 12, 1);
        f(fields, 'flags', tcpFlags(v.flags), o + 12, 2);
        f(fields, 'window', v.window, o + 14, 2);
        f(fields, 'checksum', hexValue(v.checksum, 4), o + 16, 2);
        f(fields, 'checksumStatus', v.checksumStatus(), o + 16, 2);
        f(fields, 'urgentPointer', v.urgentPointer, o + 18, 2);
        if (v.optionsLength > 0) {
          v.forEachOption((kind, off, len) => f(fields, `option ${TCP_OPTION_NAMES[kind] ?? kind}`, optionBytes(pkt.buf, off, len), off - s, len));
        }
        block = { layer: 'tcp', osi: 4, title: 'TCP', offset: o, length: v.headerLength, fields };
        break;
      }
      case Layer.Udp: {
        const v = pkt.udp;
        const o = v.offset - s;
        f(fields, 'srcPort', v.srcPort, o, 2);
        f(fields, 'dstPort', v.dstPort, o + 2, 2);
        f(fields, 'length', v.lengthField, o + 4, 2);
        f(fields, 'checksum', hexValue(v.checksum, 4), o + 6, 2);
        f(fields, 'checksumStatus', v.checksumStatus(), o + 6, 2);
        block = { layer: 'udp', osi: 4, title: 'UDP', offset: o, length: 8, fields };
        break;
      }
      case Layer.Icmp: {
        const v = pkt.icmp;
        const o = v.offset - s;
        f(fields, 'type', v.type, o, 1);
        f(fields, 'code', v.code, o + 1, 1);
        f(fields, 'checksum', hexValue(v.checksum, 4), o + 2, 2);
        f(fields, 'checksumStatus', v.checksumStatus(), o + 2, 2);
        f(fields, 'id', v.id, o + 4, 2);
        f(fields, 'sequence', v.sequence, o + 6, 2);
        block = { layer: 'icmp', osi: 3, title: 'ICMP', offset: o, length: 8, fields };
        break;
      }
      case Layer.Icmpv6: {
        const v = pkt.icmp6;
        const o = v.offset - s;
        f(fields, 'type', v.type, o, 1);
        f(fields, 'code', v.code, o + 1, 1);
        f(fields, 'checksum', hexValue(v.checksum, 4), o + 2, 2);
        f(fields, 'checksumStatus', v.checksumStatus(), o + 2, 2);
        f(fields, 'word', hexValue(v.word, 8), o + 4, 4);
        if (v.targetOffset >= 0) f(fields, 'target', v.targetString(), v.targetOffset - s, 16);
        v.forEachOption((type, off, len) => f(fields, `option ${type}`, optionBytes(pkt.buf, off, len), off - s, len));
        block = { layer: 'icmpv6', osi: 3, title: 'ICMPv6', offset: o, length: 8, fields };
        break;
      }
      case Layer.Payload:
      default:
        continue;
    }
    out.push(block);
  }
  if (pkt.payloadLength > 0) {
    const o = pkt.payloadOffset - s;
    const n = Math.min(pkt.payloadLength, 32);
    let hex = '';
    for (let i = 0; i < n; i++) hex += HEX2[pkt.buf[pkt.payloadOffset + i]!];
    const fields: Field[] = [{ name: 'bytes', value: hex + (pkt.payloadLength > n ? '...' : ''), offset: o, size: pkt.payloadLength }];
    out.push({ layer: 'payload', osi: 7, title: `payload (not decoded), ${pkt.payloadLength} bytes`, offset: o, length: pkt.payloadLength, fields });
  }
  return out;
}

const TCP_OPTION_NAMES: Record<number, string> = { 0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 8: 'timestamp', 19: 'md5', 29: 'tcp-ao', 30: 'mptcp', 34: 'tfo' };

function typeName(t: number): string {
  const n = etherTypeName(t);
  return n ? ` (${n})` : '';
}

function optionBytes(b: Buffer, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len && off + i < b.length; i++) s += HEX2[b[off + i]!];
  return s;
}

function tcpFlags(flags: number): string {
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];
  const on = names.filter((_, i) => flags & (1 << i));
  return `0x${hex4(flags).slice(1)}${on.length ? ' ' + on.join('|') : ''}`;
}

function tsText(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

export function jsonFormatter(_opts: PrintOptions): (rec: CaptureRecord) => string {
  const decoder = new PacketDecoder();
  return (rec) => {
    const pkt = decoder.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
    const layers = describePacket(pkt).map((b) => {
      const o: Record<string, Value> = { layer: b.layer, osi: b.osi, offset: b.offset, length: b.length };
      for (const fl of b.fields) o[fl.name] = fl.value;
      return o;
    });
    const obj = {
      n: rec.index,
      ts: tsText(rec.tsSec, rec.tsNsec),
      caplen: rec.capLen,
      len: rec.origLen,
      linktype: rec.linkType,
      interface: rec.interfaceId,
      truncated: pkt.truncated,
      issue: pkt.issue ? { layer: layerName(pkt.issue.layer), reason: pkt.issue.reason, offset: pkt.issue.offset } : null,
      layers,
    };
    return JSON.stringify(obj) + '\n';
  };
}

export function layersFormatter(opts: PrintOptions): (rec: CaptureRecord) => string {
  const decoder = new PacketDecoder();
  const time = new TimestampFormatter(opts.timeFormat === 1 ? 4 : opts.timeFormat || 4, opts.nano);
  return (rec) => {
    const pkt = decoder.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
    let s = `packet ${rec.index}  ${time.print(rec.tsSec, rec.tsNsec)} captured ${rec.capLen} of ${rec.origLen} bytes, link type ${rec.linkType}\n`;
    for (const b of describePacket(pkt)) {
      s += `  ${OSI_LABEL[b.osi]}: ${b.title}  [bytes ${b.offset}..${b.offset + b.length - 1}]\n`;
      for (const fl of b.fields) {
        const where = fl.offset >= 0 ? `@${fl.offset}` : '';
        s += `    ${fl.name.padEnd(22)} ${String(fl.value).padEnd(30)} ${where}\n`;
      }
    }
    if (pkt.issue) s += `  ! ${layerName(pkt.issue.layer)}: ${pkt.issue.reason} at byte ${pkt.issue.offset}\n`;
    return s + '\n';
  };
}
