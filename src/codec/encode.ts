import { encodeEthernet, type EthernetSpec } from './ethernet.js';
import { encodeVlan, type VlanSpec } from './vlan.js';
import { encodeSll, type SllSpec } from './sll.js';
import { encodeSll2, type Sll2Spec } from './sll2.js';
import { encodeNull, type NullSpec } from './null.js';
import { arpLength, encodeArp, type ArpSpec } from './arp.js';
import { encodeIpv4, ipv4FinalDst, ipv4HeaderLength, type Ipv4Spec } from './ipv4.js';
import { encodeIpv6, ipv6FinalDst, ipv6HeaderLength, type Ipv6Spec } from './ipv6.js';
import { encodeTcp, tcpHeaderLength, type TcpSpec } from './tcp.js';
import { encodeUdp, type UdpSpec } from './udp.js';
import { encodeIcmp, type IcmpSpec } from './icmp.js';
import { encodeIcmpv6, icmpv6HeaderLength, type Icmpv6Spec } from './icmpv6.js';
import { checksumOf, pseudoHeaderSum, sumWords } from './checksum.js';
import { parseIpv4, parseIpv6 } from './addr.js';
import { put16, type Bytes } from './wire.js';

/** Raw IP: LINKTYPE_RAW (101, or 12/14 as BSDs number DLT_RAW), IPV4 (228), IPV6 (229). */
export interface RawSpec {
  type: 'raw';
  /** Default 101. */
  linkType?: 101 | 12 | 14 | 228 | 229;
}

export type LinkSpec = EthernetSpec | SllSpec | Sll2Spec | NullSpec | RawSpec;
export type NetworkSpec = Ipv4Spec | Ipv6Spec | ArpSpec;
export type TransportSpec = TcpSpec | UdpSpec | IcmpSpec | Icmpv6Spec;

/** A frame to build. Lengths and checksums are computed unless the spec overrides them. */
export interface PacketSpec {
  link: LinkSpec;
  network?: NetworkSpec;
  transport?: TransportSpec;
  payload?: Bytes;
}

/** The LINKTYPE_* a frame built from this link spec belongs in. */
export function linkTypeOf(link: LinkSpec): number {
  switch (link.type) {
    case 'ethernet':
      return 1;
    case 'sll':
      return 113;
    case 'sll2':
      return 276;
    case 'null':
      return 0;
    case 'loop':
      return 108;
    case 'raw':
      return link.linkType ?? 101;
  }
}

const PROTO = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 } as const;
const ETHERTYPE = { ipv4: 0x0800, ipv6: 0x86dd, arp: 0x0806 } as const;

function linkHeaderLength(link: LinkSpec): number {
  switch (link.type) {
    case 'ethernet':
      return 14 + 4 * (link.vlans?.length ?? 0);
    case 'sll':
      return 16 + 4 * (link.vlans?.length ?? 0);
    case 'sll2':
      return 20 + 4 * (link.vlans?.length ?? 0);
    case 'null':
    case 'loop':
      return 4;
    case 'raw':
      return 0;
  }
}

function networkLength(n: NetworkSpec | undefined): number {
  if (!n) return 0;
  if (n.type === 'ipv4') return ipv4HeaderLength(n);
  if (n.type === 'ipv6') return ipv6HeaderLength(n);
  return arpLength(n);
}

function transportLength(t: TransportSpec | undefined): number {
  if (!t) return 0;
  switch (t.type) {
    case 'tcp':
      return tcpHeaderLength(t);
    case 'udp':
    case 'icmp':
      return 8;
    case 'icmpv6':
      return icmpv6HeaderLength(t);
  }
}

/** Bytes encodePacket will write for this spec. */
export function encodedLength(spec: PacketSpec): number {
  const trailer = spec.link.type === 'ethernet' ? (spec.link.trailer?.length ?? 0) : 0;
  return (
    linkHeaderLength(spec.link) + networkLength(spec.network) + transportLength(spec.transport) +
    (spec.payload?.length ?? 0) + trailer
  );
}

/**
 * Builds a frame into `into` at `offset` (or a new Buffer) and returns the frame's bytes (a
 * view of `into` when given). Throws RangeError when `into` is too small, TypeError on a bad
 * address: spec errors are programming errors, unlike packet bytes.
 */
export function encodePacket(spec: PacketSpec, into?: Buffer, offset = 0): Buffer {
  const total = encodedLength(spec);
  const buf = into ?? Buffer.alloc(total);
  if (offset < 0 || offset + total > buf.length) {
    throw new RangeError(`encodePacket needs ${total} bytes at offset ${offset}, buffer has ${buf.length}`);
  }
  const { link, network, transport } = spec;
  const payload = spec.payload ?? [];
  const netType = network
    ? ETHERTYPE[network.type]
    : link.type === 'ethernet' && link.etherType !== undefined
      ? link.etherType
      : 0;
  const proto = transport ? PROTO[transport.type] : 0;
  const transLen = transportLength(transport);
  const upperLen = transLen + payload.length;

  // link
  let o = offset;
  const vlans: VlanSpec[] = link.type === 'ethernet' || link.type === 'sll' || link.type === 'sll2' ? (link.vlans ?? []) : [];
  const firstType = vlans.length ? (vlans[0]!.tpid ?? 0x8100) : netType;
  switch (link.type) {
    case 'ethernet':
      o += encodeEthernet(link, firstType, buf, o);
      break;
    case 'sll':
      o += encodeSll(link, firstType, buf, o);
      break;
    case 'sll2':
      o += encodeSll2(link, firstType, buf, o);
      break;
    case 'null':
    case 'loop': {
      const v6 = network?.type === 'ipv6' ? (link.type === 'null' ? 30 : 24) : 2;
      o += encodeNull(link, v6, buf, o);
      break;
    }
    case 'raw':
      break;
  }
  vlans.forEach((v, i) => {
    o += encodeVlan(v, i + 1 < vlans.length ? (vlans[i + 1]!.tpid ?? 0x8100) : netType, buf, o);
  });

  // network
  if (network?.type === 'ipv4') o += encodeIpv4(network, proto, upperLen, buf, o);
  else if (network?.type === 'ipv6') o += encodeIpv6(network, proto, upperLen, buf, o);
  else if (network?.type === 'arp') o += encodeArp(network, buf, o);

  // transport + payload
  const tOff = o;
  if (transport) {
    switch (transport.type) {
      case 'tcp':
        o += encodeTcp(transport, buf, o);
        break;
      case 'udp':
        o += encodeUdp(transport, payload.length, buf, o);
        break;
      case 'icmp':
        o += encodeIcmp(transport, buf, o);
        break;
      case 'icmpv6':
        o += encodeIcmpv6(transport, buf, o);
        break;
    }
  }
  for (let i = 0; i < payload.length; i++) buf[o + i] = payload[i]! & 255;
  o += payload.length;
  if (link.type === 'ethernet' && link.trailer) {
    for (let i = 0; i < link.trailer.length; i++) buf[o + i] = link.trailer[i]! & 255;
  }

  if (transport) fillChecksum(spec, transport, buf, tOff, upperLen);
  return buf.subarray(offset, offset + total);
}

/** Checksum field position within the transport header. */
const CKSUM_AT = { tcp: 16, udp: 6, icmp: 2, icmpv6: 2 } as const;

function fillChecksum(spec: PacketSpec, t: TransportSpec, buf: Buffer, tOff: number, len: number): void {
  const at = tOff + CKSUM_AT[t.type];
  if (t.checksum !== undefined) {
    put16(buf, at, t.checksum);
    return;
  }
  let acc = sumWords(buf, tOff, tOff + len, 0);
  const n = spec.network;
  if (t.type !== 'icmp' && n && n.type !== 'arp') {
    const proto = PROTO[t.type];
    const src = n.type === 'ipv4' ? parseIpv4(n.src) : parseIpv6(n.src);
    const dst = n.type === 'ipv4' ? ipv4FinalDst(n) : ipv6FinalDst(n);
    const pseudo = new Uint8Array(src.length * 2);
    pseudo.set(src, 0);
    pseudo.set(dst, src.length);
    acc += pseudoHeaderSum(pseudo, src.length, 0, src.length, proto, len);
  }
  let c = checksumOf(acc);
  // UDP sends a computed zero as all ones (zero means "none" over IPv4).
  if (t.type === 'udp' && c === 0) c = 0xffff;
  put16(buf, at, c);
}
