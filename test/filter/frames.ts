/**
 * Synthetic captures for the filter tests, built with the codec's encoder: the corner cases
 * real traffic rarely shows (VLAN/QinQ, ARP/RARP, IPv6 extension headers and fragments, IPv4
 * fragments and options, every ICMP type we name, TCP flag combinations, many ports, 802.3/LLC,
 * truncated records) on every link type the filter supports.
 */
import { encodePacket, type PacketSpec } from '../../src/codec/encode.js';
import { CaptureRecord } from '../../src/capture/record.js';

export interface SyntheticCapture {
  /** File name under fixtures/filter/. */
  name: string;
  linkType: number;
  records: CaptureRecord[];
}

type Link = PacketSpec['link'];

const ETH: Link = { type: 'ethernet', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const ETH_REV: Link = { type: 'ethernet', src: '02:00:00:00:00:02', dst: '02:00:00:00:00:01' };

interface Frame {
  spec: PacketSpec;
  /** Keep only this many bytes (a snaplen cut). */
  cut?: number;
}

function tcp4(link: Link, src: string, dst: string, sport: number, dport: number, flags: number, extra: Partial<PacketSpec> = {}): Frame {
  return {
    spec: {
      link,
      network: { type: 'ipv4', src, dst },
      transport: { type: 'tcp', srcPort: sport, dstPort: dport, flags, seq: 1000, ack: flags & 0x10 ? 2000 : 0 },
      payload: [],
      ...extra,
    },
  };
}

function udp4(link: Link, src: string, dst: string, sport: number, dport: number, payloadLen = 8): Frame {
  return {
    spec: {
      link,
      network: { type: 'ipv4', src, dst },
      transport: { type: 'udp', srcPort: sport, dstPort: dport },
      payload: new Uint8Array(payloadLen).fill(0x61),
    },
  };
}

function tcp6(link: Link, src: string, dst: string, sport: number, dport: number, flags: number): Frame {
  return {
    spec: {
      link,
      network: { type: 'ipv6', src, dst },
      transport: { type: 'tcp', srcPort: sport, dstPort: dport, flags, seq: 5, ack: flags & 0x10 ? 9 : 0 },
    },
  };
}

function udp6(link: Link, src: string, dst: string, sport: number, dport: number): Frame {
  return {
    spec: {
      link,
      network: { type: 'ipv6', src, dst },
      transport: { type: 'udp', srcPort: sport, dstPort: dport },
      payload: [1, 2, 3, 4],
    },
  };
}

const F = { fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ece: 64, cwr: 128 } as const;

function ethernetFrames(): Frame[] {
  const out: Frame[] = [];
  // TCP flag combinations and ports, both directions.
  const flagSets = [F.syn, F.syn | F.ack, F.ack, F.psh | F.ack, F.fin | F.ack, F.rst, F.rst | F.ack, F.urg | F.ack, F.syn | F.ece | F.cwr, F.fin | F.syn | F.rst | F.psh | F.ack | F.urg];
  const ports = [80, 443, 22, 8080, 1024, 1023, 65535, 0, 53, 5353];
  flagSets.forEach((fl, i) => {
    const p = ports[i % ports.length]!;
    out.push(tcp4(ETH, '10.0.0.1', '10.1.2.3', 40000 + i, p, fl));
    out.push(tcp4(ETH_REV, '10.1.2.3', '10.0.0.1', p, 40000 + i, fl ^ F.ack));
  });
  out.push(tcp4(ETH, '192.168.1.10', '172.16.5.4', 80, 443, F.syn));
  out.push(tcp4(ETH, '172.16.5.4', '192.168.1.10', 2000, 2001, F.ack));
  // UDP: DNS, NTP, mDNS, a port range, a big datagram.
  out.push(udp4(ETH, '10.0.0.1', '10.0.0.53', 33333, 53));
  out.push(udp4(ETH, '10.0.0.53', '10.0.0.1', 53, 33333));
  out.push(udp4(ETH, '10.0.0.1', '10.0.0.123', 123, 123));
  out.push(udp4({ type: 'ethernet', src: '02:00:00:00:00:01', dst: '01:00:5e:00:00:fb' }, '10.0.0.1', '224.0.0.251', 5353, 5353));
  out.push(udp4({ type: 'ethernet', src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff' }, '10.0.0.1', '255.255.255.255', 68, 67, 300));
  out.push(udp4(ETH, '10.9.8.7', '10.0.0.1', 1500, 1999, 1200));
  // IPv4 fragments: first (MF) carries the ports, a later one carries bytes that look like port 80.
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv4', src: '10.0.0.1', dst: '10.1.2.3', id: 77, mf: true },
      transport: { type: 'udp', srcPort: 80, dstPort: 9000, length: 3008 },
      payload: new Uint8Array(64),
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv4', src: '10.0.0.1', dst: '10.1.2.3', id: 77, fragmentOffset: 72, protocol: 17 },
      payload: [0, 80, 0, 80, 0x12, 0x34, 0, 0, 2, 2, 2, 2],
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv4', src: '10.0.0.1', dst: '10.1.2.3', id: 78, fragmentOffset: 1480, protocol: 6 },
      payload: [0, 80, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0, 0],
    },
  });
  // IPv4 options (IHL 6): tcp[] offsets move with the header length.
  out.push(tcp4(ETH, '10.0.0.2', '10.0.0.3', 4444, 80, F.syn, {
    network: { type: 'ipv4', src: '10.0.0.2', dst: '10.0.0.3', optionBytes: [148, 4, 0, 0] },
  }));
  // ICMP types.
  for (const [t, c] of [[8, 0], [0, 0], [3, 3], [3, 1], [11, 0], [5, 1], [13, 0], [12, 0]] as const) {
    out.push({
      spec: {
        link: ETH,
        network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.9' },
        transport: { type: 'icmp', icmpType: t, code: c, id: 7, sequence: 1 },
        payload: new Uint8Array(28),
      },
    });
  }
  // IGMP-like and other protocols by number.
  out.push({ spec: { link: ETH, network: { type: 'ipv4', src: '10.0.0.1', dst: '224.0.0.1', protocol: 2 }, payload: [0x11, 0, 0, 0, 0, 0, 0, 0] } });
  out.push({ spec: { link: ETH, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', protocol: 47 }, payload: new Uint8Array(20) } });
  out.push({ spec: { link: ETH, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', protocol: 132 }, payload: [0, 80, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0] } });
  // ARP and RARP.
  out.push({
    spec: {
      link: { type: 'ethernet', src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff' },
      network: { type: 'arp', operation: 1, senderHardware: '02:00:00:00:00:01', senderProtocol: '10.0.0.1', targetProtocol: '10.1.2.3' } as PacketSpec['network'],
    },
  });
  out.push({
    spec: {
      link: ETH_REV,
      network: { type: 'arp', operation: 2, senderHardware: '02:00:00:00:00:02', senderProtocol: '10.1.2.3', targetHardware: '02:00:00:00:00:01', targetProtocol: '10.0.0.1' } as PacketSpec['network'],
    },
  });
  out.push({
    spec: {
      link: { type: 'ethernet', src: '02:00:00:00:00:03', dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x8035 },
      network: { type: 'arp', operation: 3, senderHardware: '02:00:00:00:00:03', senderProtocol: '0.0.0.0', targetHardware: '02:00:00:00:00:03', targetProtocol: '192.168.7.7' } as PacketSpec['network'],
    },
  });
  // VLAN, QinQ (0x88a8 and 0x9100 outer tags).
  out.push(tcp4({ ...ETH, vlans: [{ vid: 100 }] } as Link, '10.0.0.1', '10.1.2.3', 5555, 80, F.syn));
  out.push(udp4({ ...ETH, vlans: [{ vid: 200 }] } as Link, '10.0.0.1', '10.0.0.53', 5353, 53));
  out.push(tcp6({ ...ETH, vlans: [{ vid: 100, pcp: 5 }] } as Link, 'fd00::1', 'fd00::2', 5555, 443, F.syn));
  out.push(tcp4({ ...ETH, vlans: [{ tpid: 0x88a8, vid: 10 }, { vid: 20 }] } as Link, '10.0.0.1', '10.1.2.3', 6000, 80, F.ack));
  out.push(udp4({ ...ETH, vlans: [{ tpid: 0x9100, vid: 4095 }, { vid: 100 }] } as Link, '10.0.0.7', '10.0.0.8', 53, 53));
  out.push({ spec: { link: { ...ETH, vlans: [{ vid: 300 }] } as Link, network: { type: 'arp', operation: 1, senderHardware: '02:00:00:00:00:01', senderProtocol: '10.0.0.1', targetProtocol: '10.0.0.2' } as PacketSpec['network'] } });
  // IPv6: plain, ICMPv6, extension headers, fragments.
  out.push(tcp6(ETH, 'fd00::1', 'fd00::2', 40001, 80, F.syn));
  out.push(tcp6(ETH_REV, 'fd00::2', 'fd00::1', 80, 40001, F.syn | F.ack));
  out.push(udp6(ETH, 'fd00::1', 'fd00::53', 40002, 53));
  out.push(udp6({ type: 'ethernet', src: '02:00:00:00:00:01', dst: '33:33:00:00:00:fb' }, 'fe80::1', 'ff02::fb', 5353, 5353));
  out.push({ spec: { link: ETH, network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2' }, transport: { type: 'icmpv6', icmpType: 128, id: 1, sequence: 1 }, payload: [1, 2, 3, 4] } });
  out.push({ spec: { link: ETH_REV, network: { type: 'ipv6', src: 'fd00::2', dst: 'fd00::1' }, transport: { type: 'icmpv6', icmpType: 129, id: 1, sequence: 1 }, payload: [1, 2, 3, 4] } });
  out.push({ spec: { link: { type: 'ethernet', src: '02:00:00:00:00:01', dst: '33:33:ff:00:00:02' }, network: { type: 'ipv6', src: 'fd00::1', dst: 'ff02::1:ff00:2', hopLimit: 255 }, transport: { type: 'icmpv6', icmpType: 135, target: 'fd00::2' } } });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'ff02::16', extensions: [{ type: 'hopByHop', options: [{ type: 5, data: [0, 0] }] }] },
      transport: { type: 'icmpv6', icmpType: 143 },
      payload: [0, 0, 0, 0],
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'hopByHop' }] },
      transport: { type: 'tcp', srcPort: 40003, dstPort: 80, flags: F.syn },
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'destOptions' }, { type: 'routing', addresses: ['fd00::9'] }] },
      transport: { type: 'udp', srcPort: 40004, dstPort: 53 },
      payload: [9, 9],
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'fragment', offset: 0, more: true, id: 99 }] },
      transport: { type: 'tcp', srcPort: 40005, dstPort: 80, flags: F.psh | F.ack },
      payload: new Uint8Array(16),
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'fragment', offset: 1232, more: false, id: 99, nextHeader: 6 }] },
      payload: new Uint8Array(24),
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'fragment', offset: 0, more: true, id: 100 }] },
      transport: { type: 'icmpv6', icmpType: 128, id: 2, sequence: 2 },
      payload: new Uint8Array(8),
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'hopByHop' }, { type: 'fragment', offset: 0, more: true, id: 101 }] },
      transport: { type: 'udp', srcPort: 53, dstPort: 40006 },
      payload: new Uint8Array(8),
    },
  });
  out.push({
    spec: {
      link: ETH,
      network: { type: 'ipv6', src: '2001:db8::1', dst: '2001:db8:1::2', nextHeader: 51 },
      // AH: next header TCP, payload length 4 (24 bytes), then a TCP header.
      payload: [6, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0],
    },
  });
  out.push({ spec: { link: ETH, network: { type: 'ipv6', src: '::1', dst: '::1' }, transport: { type: 'udp', srcPort: 1, dstPort: 2 } } });
  // 802.3 length field + LLC (STP BPDU) and an IPX-ish SAP, an unknown EtherType.
  out.push({ spec: { link: { type: 'ethernet', src: '02:00:00:00:00:05', dst: '01:80:c2:00:00:00', etherType: 38 }, payload: [0x42, 0x42, 0x03, ...new Array<number>(35).fill(0)] } });
  out.push({ spec: { link: { type: 'ethernet', src: '02:00:00:00:00:05', dst: '01:80:c2:00:00:00', etherType: 30 }, payload: [0x06, 0x06, 0x03, ...new Array<number>(27).fill(0)] } });
  out.push({ spec: { link: { type: 'ethernet', src: '02:00:00:00:00:06', dst: '02:00:00:00:00:07', etherType: 0x88cc }, payload: new Uint8Array(40) } });
  // Truncated records: the filter must reject when it needs bytes that were not captured.
  out.push({ ...tcp4(ETH, '10.0.0.1', '10.1.2.3', 40100, 80, F.syn), cut: 40 });
  out.push({ ...tcp4(ETH, '10.0.0.1', '10.1.2.3', 40101, 80, F.syn), cut: 50 });
  out.push({ ...tcp4(ETH, '10.0.0.1', '10.1.2.3', 40102, 80, F.syn), cut: 20 });
  out.push({ ...tcp6(ETH, 'fd00::1', 'fd00::2', 40103, 80, F.syn), cut: 56 });
  out.push({ ...tcp6(ETH, 'fd00::1', 'fd00::2', 40104, 80, F.syn), cut: 30 });
  out.push({ ...udp4(ETH, '10.0.0.1', '10.0.0.2', 7, 7), cut: 12 });
  return out;
}

function ipFrames(link: Link): Frame[] {
  return [
    tcp4(link, '10.0.0.1', '10.1.2.3', 40000, 80, F.syn),
    tcp4(link, '10.1.2.3', '10.0.0.1', 80, 40000, F.syn | F.ack),
    tcp4(link, '10.0.0.1', '10.1.2.3', 40000, 80, F.rst),
    udp4(link, '10.0.0.1', '10.0.0.53', 33333, 53),
    tcp6(link, 'fd00::1', 'fd00::2', 40001, 443, F.syn),
    udp6(link, 'fd00::1', 'fd00::53', 40002, 53),
    { spec: { link, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.9' }, transport: { type: 'icmp', icmpType: 8, id: 1, sequence: 1 } } },
    { spec: { link, network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2' }, transport: { type: 'icmpv6', icmpType: 128, id: 1, sequence: 1 } } },
    {
      spec: {
        link,
        network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'fragment', offset: 0, more: true, id: 5 }] },
        transport: { type: 'tcp', srcPort: 40007, dstPort: 80, flags: F.syn },
      },
    },
  ];
}

function cookedFrames(kind: 'sll' | 'sll2'): Frame[] {
  const base = (packetType: number): Link => ({ type: kind, packetType, address: '02:00:00:00:00:01' }) as Link;
  return [
    ...ipFrames(base(0)),
    tcp4(base(4), '10.0.0.1', '10.1.2.3', 40010, 22, F.psh | F.ack),
    udp4(base(4), '10.0.0.1', '10.0.0.53', 33334, 53),
    { spec: { link: base(1), network: { type: 'arp', operation: 1, senderHardware: '02:00:00:00:00:01', senderProtocol: '10.0.0.1', targetProtocol: '10.1.2.3' } as PacketSpec['network'] } },
  ];
}

function toRecords(frames: Frame[]): CaptureRecord[] {
  return frames.map((f, i) => {
    const bytes = encodePacket(f.spec);
    const r = new CaptureRecord();
    r.index = i + 1;
    r.tsSec = 1_700_000_000 + i;
    r.buf = bytes;
    r.offset = 0;
    r.capLen = f.cut !== undefined ? Math.min(f.cut, bytes.length) : bytes.length;
    r.origLen = bytes.length;
    return r;
  });
}

export function syntheticCaptures(): SyntheticCapture[] {
  const out: SyntheticCapture[] = [
    { name: 'ethernet-mix.pcap', linkType: 1, records: toRecords(ethernetFrames()) },
    { name: 'sll.pcap', linkType: 113, records: toRecords(cookedFrames('sll')) },
    { name: 'sll2.pcap', linkType: 276, records: toRecords(cookedFrames('sll2')) },
    {
      name: 'null.pcap',
      linkType: 0,
      records: toRecords([
        ...ipFrames({ type: 'null' } as Link),
        // IPv6 as BSDs (24, 28, 30) and Linux (10) number AF_INET6; libpcap accepts only the BSD ones.
        ...[24, 28, 10].map((family) => udp6({ type: 'null', family } as Link, 'fd00::1', 'fd00::2', 1, 2)),
        // Written by a big-endian host: libpcap compares the family in the file's byte order.
        tcp4({ type: 'null', bigEndian: true } as Link, '10.0.0.1', '10.1.2.3', 1, 80, F.syn),
      ]),
    },
    { name: 'loop.pcap', linkType: 108, records: toRecords(ipFrames({ type: 'loop' } as Link)) },
    { name: 'raw.pcap', linkType: 101, records: toRecords(ipFrames({ type: 'raw' } as Link)) },
    { name: 'raw12.pcap', linkType: 12, records: toRecords(ipFrames({ type: 'raw', linkType: 12 } as Link)) },
    { name: 'ipv4.pcap', linkType: 228, records: toRecords(ipFrames({ type: 'raw', linkType: 228 } as Link).slice(0, 4)) },
    { name: 'ipv6.pcap', linkType: 229, records: toRecords([4, 5, 7, 8].map((i) => ipFrames({ type: 'raw', linkType: 229 } as Link)[i]!)) },
  ];
  for (const c of out) for (const r of c.records) r.linkType = c.linkType;
  return out;
}
