import { Layer } from './layer.js';
import type { Packet } from './packet.js';
import { ipv4String, ipv6String, macString } from './addr.js';
import type { LinkSpec, NetworkSpec, PacketSpec, TransportSpec } from './encode.js';
import type { Ipv6ExtSpec, Ipv6OptionSpec } from './ipv6.js';
import { walkIpv6Options } from './ipv6.js';
import type { VlanSpec } from './vlan.js';
import type { Icmpv6Spec } from './icmpv6.js';

/**
 * The spec that re-encodes exactly the decoded frame's bytes: every length, checksum, option
 * byte and padding is carried over as an explicit value. Null when the frame cannot be rebuilt
 * from what was decoded (truncated, malformed, or a header the encoder does not model such as AH).
 * Allocates freely: for tests, fixtures and tools, not the hot path.
 */
export function packetSpecOf(p: Packet): PacketSpec | null {
  if (p.truncated || p.issue !== null) return null;
  const b = p.buf;
  const frameEnd = p.start + p.capLen;
  const link = linkSpecOf(p);
  if (!link) return null;
  const spec: PacketSpec = { link };
  let dataEnd = frameEnd;
  let next: number;

  if (p.has(Layer.Ipv4)) {
    const v = p.ip4;
    const tl = v.totalLength;
    dataEnd = tl === 0 ? frameEnd : v.offset + tl;
    spec.network = {
      type: 'ipv4', src: v.srcString(), dst: v.dstString(), tos: v.tos, id: v.id, flags: v.flags,
      fragmentOffset: v.fragmentOffset, ttl: v.ttl, protocol: v.protocol,
      optionBytes: b.subarray(v.offset + 20, v.offset + v.headerLength), ihl: v.ihl,
      totalLength: tl, checksum: v.checksum,
    };
    next = v.offset + v.headerLength;
  } else if (p.has(Layer.Ipv6)) {
    const v = p.ip6;
    const pl = v.payloadLength;
    dataEnd = pl === 0 ? (v.jumboLength > 0 ? v.offset + 40 + v.jumboLength : frameEnd) : v.offset + 40 + pl;
    const exts: Ipv6ExtSpec[] = [];
    for (let i = 0; i < v.extCount; i++) {
      const e = extSpecOf(p, i);
      if (!e) return null;
      exts.push(e);
    }
    spec.network = {
      type: 'ipv6', src: v.srcString(), dst: v.dstString(), trafficClass: v.trafficClass, flowLabel: v.flowLabel,
      hopLimit: v.hopLimit, nextHeader: v.nextHeader, payloadLength: pl, extensions: exts,
    };
    next = v.extCount ? v.extOffset(v.extCount - 1) + v.extLength(v.extCount - 1) : v.offset + 40;
  } else if (p.has(Layer.Arp)) {
    const v = p.arp;
    if (v.plen !== 4 && v.plen !== 16) return null;
    const proto = (o: number) => (v.plen === 4 ? ipv4String(b, o) : ipv6String(b, o));
    spec.network = {
      type: 'arp', hardwareType: v.hardwareType, protocolType: v.protocolType, hlen: v.hlen, plen: v.plen,
      operation: v.operation,
      senderHardware: macString(b, v.senderHardwareOffset, v.hlen), senderProtocol: proto(v.senderProtocolOffset),
      targetHardware: macString(b, v.targetHardwareOffset, v.hlen), targetProtocol: proto(v.targetProtocolOffset),
    };
    next = v.offset + v.headerLength;
    dataEnd = next;
  } else {
    // No network layer: the payload (e.g. an 802.3 LLC frame or an unknown EtherType) runs to its end.
    next = p.networkOffset >= 0 ? p.networkOffset : p.payloadOffset;
    dataEnd = p.payloadLength > 0 ? p.payloadOffset + p.payloadLength : frameEnd;
  }
  if (dataEnd > frameEnd) return null;

  const t = transportSpecOf(p);
  if (t) {
    spec.transport = t.spec;
    next = t.end;
  }
  spec.payload = b.subarray(next, dataEnd);
  if (dataEnd < frameEnd) {
    if (link.type !== 'ethernet') return null;
    link.trailer = b.subarray(dataEnd, frameEnd);
  }
  return spec;
}

function linkSpecOf(p: Packet): LinkSpec | null {
  const b = p.buf;
  const vlans: VlanSpec[] = [];
  for (let i = 0; i < p.vlanCount; i++) {
    const v = p.vlan(i);
    vlans.push({ tpid: v.tpid, pcp: v.pcp, dei: v.dei, vid: v.vid, etherType: v.etherType });
  }
  if (p.has(Layer.Ethernet)) {
    const e = p.eth;
    return { type: 'ethernet', dst: e.dstString(), src: e.srcString(), etherType: e.etherType, vlans };
  }
  if (p.has(Layer.Sll)) {
    const s = p.sll;
    return {
      type: 'sll', packetType: s.packetType, arphrdType: s.arphrdType, address: macString(b, s.addressOffset, 8),
      addressLength: s.addressLength, protocol: s.protocol, vlans,
    };
  }
  if (p.has(Layer.Sll2)) {
    const s = p.sll2;
    return {
      type: 'sll2', protocol: s.protocol, reserved: s.reserved, interfaceIndex: s.interfaceIndex,
      arphrdType: s.arphrdType, packetType: s.packetType, address: macString(b, s.addressOffset, 8),
      addressLength: s.addressLength, vlans,
    };
  }
  if (p.has(Layer.Null) || p.has(Layer.Loop)) {
    const o = p.loop.offset;
    const le = ((b[o + 3]! << 24) | (b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!) >>> 0;
    const loop = p.has(Layer.Loop);
    return { type: loop ? 'loop' : 'null', family: p.loop.family, bigEndian: !loop && le !== p.loop.family };
  }
  if (p.has(Layer.Raw)) {
    const lt = p.linkType;
    if (lt === 101 || lt === 12 || lt === 14 || lt === 228 || lt === 229) return { type: 'raw', linkType: lt };
  }
  return null;
}

function extSpecOf(p: Packet, i: number): Ipv6ExtSpec | null {
  const v = p.ip6;
  const b = p.buf;
  const o = v.extOffset(i);
  const len = v.extLength(i);
  const type = v.extType(i);
  const nextHeader = b[o]!;
  switch (type) {
    case 0:
    case 60: {
      const options: Ipv6OptionSpec[] = [];
      walkIpv6Options(b, o + 2, o + len, (t, at, l) => {
        options.push(t === 0 ? { type: 0 } : { type: t, length: b[at + 1]!, data: b.subarray(at + 2, at + l) });
      });
      return { type: type === 0 ? 'hopByHop' : 'destOptions', options, nextHeader, hdrExtLen: b[o + 1]! };
    }
    case 43: {
      if ((len - 8) % 16 !== 0) return null;
      const addresses: string[] = [];
      for (let a = o + 8; a < o + len; a += 16) addresses.push(ipv6String(b, a));
      return {
        type: 'routing', routingType: b[o + 2]!, segmentsLeft: b[o + 3]!,
        reserved: ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0,
        addresses, nextHeader, hdrExtLen: b[o + 1]!,
      };
    }
    case 44: {
      const f = (b[o + 2]! << 8) | b[o + 3]!;
      return {
        type: 'fragment', offset: (f >> 3) * 8, more: (f & 1) !== 0, reservedBits: (f >> 1) & 3, reserved: b[o + 1]!,
        id: ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0, nextHeader,
      };
    }
    default:
      return null;
  }
}

function transportSpecOf(p: Packet): { spec: TransportSpec; end: number } | null {
  if (p.has(Layer.Tcp)) {
    const t = p.tcp;
    return {
      spec: {
        type: 'tcp', srcPort: t.srcPort, dstPort: t.dstPort, seq: t.seq, ack: t.ack, flags: t.flags, window: t.window,
        urgentPointer: t.urgentPointer, optionBytes: p.buf.subarray(t.offset + 20, t.offset + t.headerLength),
        reserved: t.reserved, dataOffset: t.dataOffset, checksum: t.checksum,
      },
      end: t.offset + t.headerLength,
    };
  }
  if (p.has(Layer.Udp)) {
    const u = p.udp;
    return {
      spec: { type: 'udp', srcPort: u.srcPort, dstPort: u.dstPort, length: u.lengthField, checksum: u.checksum },
      end: u.offset + 8,
    };
  }
  if (p.has(Layer.Icmp)) {
    const c = p.icmp;
    return {
      spec: { type: 'icmp', icmpType: c.type, code: c.code, rest: c.restOfHeader, checksum: c.checksum },
      end: c.offset + 8,
    };
  }
  if (p.has(Layer.Icmpv6)) {
    const c = p.icmp6;
    // ND fixed fields are fields; ND options travel as payload bytes (exact, no re-padding).
    const spec: Icmpv6Spec = { type: 'icmpv6', icmpType: c.type, code: c.code, word: c.restOfHeader, checksum: c.checksum };
    const b = p.buf;
    const o = c.offset;
    if (c.type === 134) {
      spec.reachableTime = ((b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!) >>> 0;
      spec.retransTimer = ((b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!) >>> 0;
    }
    if (c.targetOffset >= 0) spec.target = ipv6String(b, c.targetOffset);
    if (c.destinationOffset >= 0) spec.destination = ipv6String(b, c.destinationOffset);
    return { spec, end: o + c.headerLength };
  }
  return null;
}
