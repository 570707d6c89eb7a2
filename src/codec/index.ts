/**
 * The codec: zero-copy header views, one reusable PacketDecoder, and an encoder that builds any
 * of the packets the decoder understands (tests use it for every edge case).
 */
export {
  Layer, layerName, LinkType, EtherType, IpProto, IssueReason,
  type LayerId, type DecodeIssue, type ChecksumStatus, type IssueReasonText,
} from './layer.js';
export { Packet, PacketDecoder, MAX_VLAN_TAGS } from './packet.js';
export { NullView, isIpv6Family } from './null.js';
export { EthernetView } from './ethernet.js';
export { VlanView, isVlanTpid } from './vlan.js';
export { SllView } from './sll.js';
export { Sll2View } from './sll2.js';
export { ArpView } from './arp.js';
export { Ipv4View, Ipv4Option, walkOptions, type OptionCallback } from './ipv4.js';
export { Ipv6View, walkIpv6Options, MAX_IPV6_EXTENSIONS } from './ipv6.js';
export { TcpView, TcpOption, TcpFlag } from './tcp.js';
export { UdpView } from './udp.js';
export { IcmpView, IcmpType, isIcmpError, isIcmpQuery } from './icmp.js';
export { Icmpv6View, Icmpv6Type, icmpv6FixedLength, isNeighborDiscovery, walkNdOptions } from './icmpv6.js';
export { sumWords, foldSum, checksumOf, pseudoHeaderSum, transportChecksum, type ChecksumSource } from './checksum.js';
export { macString, ipv4String, ipv4FromNumber, ipv6String, parseMac, parseIpv4, parseIpv6, parseIp } from './addr.js';
export {
  encodePacket, encodedLength, linkTypeOf,
  type PacketSpec, type LinkSpec, type NetworkSpec, type TransportSpec, type RawSpec,
} from './encode.js';
export { encodeEthernet, type EthernetSpec } from './ethernet.js';
export { encodeVlan, type VlanSpec } from './vlan.js';
export { encodeSll, parseHexAddress, type SllSpec } from './sll.js';
export { encodeSll2, type Sll2Spec } from './sll2.js';
export { encodeNull, type NullSpec } from './null.js';
export { encodeArp, arpLength, type ArpSpec } from './arp.js';
export { encodeIpv4, ipv4HeaderLength, ipv4OptionBytes, ipv4FinalDst, type Ipv4Spec, type Ipv4OptionSpec } from './ipv4.js';
export { encodeIpv6, ipv6HeaderLength, ipv6FinalDst, type Ipv6Spec, type Ipv6ExtSpec, type Ipv6OptionSpec } from './ipv6.js';
export { encodeTcp, tcpHeaderLength, tcpOptionBytes, tcpFlagsOf, type TcpSpec, type TcpOptionSpec, type TcpFlagName } from './tcp.js';
export { encodeUdp, type UdpSpec } from './udp.js';
export { encodeIcmp, type IcmpSpec } from './icmp.js';
export { encodeIcmpv6, icmpv6HeaderLength, type Icmpv6Spec, type NdOptionSpec } from './icmpv6.js';
export { packetSpecOf } from './spec-of.js';
