/** Numeric layer ids (a plain object: vitest transpiles files in isolation, so no TS enums). */
export const Layer = {
  Null: 0,
  Loop: 1,
  Ethernet: 2,
  Vlan: 3,
  Sll: 4,
  Sll2: 5,
  Raw: 6,
  Arp: 7,
  Ipv4: 8,
  Ipv6: 9,
  Tcp: 10,
  Udp: 11,
  Icmp: 12,
  Icmpv6: 13,
  Payload: 14,
} as const;

export type LayerId = (typeof Layer)[keyof typeof Layer];

const NAMES: readonly string[] = [
  'null', 'loop', 'ethernet', 'vlan', 'sll', 'sll2', 'raw', 'arp',
  'ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'payload',
];

/** Lower-case protocol name of a layer id ('ipv4', 'tcp', ...); 'unknown' for anything else. */
export function layerName(id: number): string {
  return id >= 0 && id < NAMES.length ? NAMES[id]! : 'unknown';
}

/** LINKTYPE_* values the decoder understands. */
export const LinkType = {
  Null: 0,
  Ethernet: 1,
  /** DLT_RAW as some BSDs number it; libpcap maps both 12 and 14 to raw IP. */
  RawBsd12: 12,
  RawBsd14: 14,
  Raw: 101,
  Loop: 108,
  Sll: 113,
  Ipv4: 228,
  Ipv6: 229,
  Sll2: 276,
} as const;

/** EtherType values used by the decoder and encoder. */
export const EtherType = {
  Ipv4: 0x0800,
  Arp: 0x0806,
  Vlan: 0x8100,
  Ipv6: 0x86dd,
  QinQ: 0x88a8,
  QinQOld1: 0x9100,
  QinQOld2: 0x9200,
} as const;

/** IP protocol / IPv6 next-header numbers. */
export const IpProto = {
  HopByHop: 0,
  Icmp: 1,
  Tcp: 6,
  Udp: 17,
  Routing: 43,
  Fragment: 44,
  Ah: 51,
  Icmpv6: 58,
  NoNext: 59,
  DestOptions: 60,
} as const;

/**
 * Constant reasons a layer could not be (fully) decoded. `offset` in the issue is relative to
 * the frame start: for 'truncated' it is where the cut header starts, for malformed fields it is
 * the offending field.
 */
export const IssueReason = {
  Truncated: 'truncated',
  BadVersion: 'bad IP version',
  BadHeaderLength: 'bad header length',
  BadTotalLength: 'total length shorter than header',
  BadPayloadLength: 'payload length exceeds captured data',
  BadOption: 'bad option',
  BadLength: 'bad length',
  TooManyVlans: 'too many VLAN tags',
  TooManyExtensions: 'too many extension headers',
  BadExtension: 'bad extension header',
  UnsupportedLinkType: 'unsupported link type',
  BadDataOffset: 'bad data offset',
} as const;

export type IssueReasonText = (typeof IssueReason)[keyof typeof IssueReason];

/** What was wrong, where. One instance per decoder, reused. */
export interface DecodeIssue {
  layer: LayerId;
  reason: string;
  /** Byte offset relative to the frame start. */
  offset: number;
}

/** 'unverifiable' = the bytes the checksum covers were not all captured (or a fragment). */
export type ChecksumStatus = 'correct' | 'incorrect' | 'unverifiable';

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
