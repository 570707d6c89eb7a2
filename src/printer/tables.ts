/** Names tcpdump prints for numbers (its tok2str tables), for the protocols wirescope prints. */

export const ETHERTYPE_NAMES: Record<number, string> = {
  0x0200: 'PUP',
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x8035: 'Reverse ARP',
  0x809b: 'Appletalk',
  0x80f3: 'Appletalk ARP',
  0x8100: '802.1Q',
  0x8137: 'IPX',
  0x86dd: 'IPv6',
  0x8808: 'MAC control',
  0x8809: 'Slow Protocols',
  0x880b: 'PPP',
  0x8847: 'MPLS unicast',
  0x8848: 'MPLS multicast',
  0x8863: 'PPPoE D',
  0x8864: 'PPPoE S',
  0x888e: 'EAPOL',
  0x88a8: '802.1Q-QinQ',
  0x88cc: 'LLDP',
  0x88e5: '802.1AE MACsec',
  0x88f7: 'PTP',
  0x8906: 'FCoE',
  0x8914: 'FIP',
  0x9000: 'Loopback',
  0x9100: '802.1Q-9100',
  0x9200: '802.1Q-9200',
  0x893a: 'IEEE1905.1',
};

export const IPPROTO_NAMES: Record<number, string> = {
  0: 'Options',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  8: 'EGP',
  9: 'IGRP',
  17: 'UDP',
  33: 'DCCP',
  41: 'IPv6',
  43: 'Routing',
  44: 'Fragment',
  46: 'RSVP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  55: 'Mobile IP',
  58: 'ICMPv6',
  62: 'Mobile IP (old)',
  88: 'EIGRP',
  89: 'OSPF',
  103: 'PIM',
  108: 'Compressed IP',
  112: 'VRRP',
  113: 'PGM',
  132: 'SCTP',
  135: 'Mobility',
  143: 'Ethernet',
  240: 'pfsync',
};

export function ipProtoName(p: number): string {
  return IPPROTO_NAMES[p] ?? 'unknown';
}

export function etherTypeName(t: number): string | undefined {
  return ETHERTYPE_NAMES[t];
}

/** The stderr banner's DLT name and description per LINKTYPE (pcap_datalink_val_to_name/description). */
export const LINKTYPE_BANNER: Record<number, [string, string]> = {
  0: ['NULL', 'BSD loopback'],
  1: ['EN10MB', 'Ethernet'],
  6: ['IEEE802', 'Token ring'],
  9: ['PPP', 'PPP'],
  12: ['RAW', 'Raw IP'],
  101: ['RAW', 'Raw IP'],
  105: ['IEEE802_11', '802.11'],
  108: ['LOOP', 'OpenBSD loopback'],
  113: ['LINUX_SLL', 'Linux cooked v1'],
  127: ['IEEE802_11_RADIO', '802.11 plus radiotap header'],
  228: ['IPV4', 'Raw IPv4'],
  229: ['IPV6', 'Raw IPv6'],
  276: ['LINUX_SLL2', 'Linux cooked v2'],
};
