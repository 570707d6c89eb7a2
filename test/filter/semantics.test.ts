/**
 * Tricky libpcap semantics, one frame at a time. Each expected value is the verdict of the BPF
 * program libpcap 1.10 generates, quoted (abridged) from `tcpdump -d -y EN10MB 'expr'` in the
 * comment above it — not our own output.
 */
import { describe, expect, it } from 'vitest';
import { encodePacket, type PacketSpec } from '../../src/codec/encode.js';
import { compileFilter, filterSource } from '../../src/filter/index.js';

const ETH = { type: 'ethernet', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } as const;

function frame(spec: PacketSpec): Buffer {
  return encodePacket(spec);
}

/** Runs `expr` on `buf` (optionally cut to `cap` bytes, as a snaplen would). */
function verdict(expr: string, buf: Buffer, cap = buf.length, linkType = 1, bigEndian = false): boolean {
  return compileFilter(expr, linkType, { bigEndian })(buf, 0, cap, buf.length);
}

const tcp4 = (dport: number, flags: number, extra: Partial<PacketSpec['network'] & object> = {}): Buffer =>
  frame({
    link: ETH,
    network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', ...extra } as PacketSpec['network'],
    transport: { type: 'tcp', srcPort: 40000, dstPort: dport, flags },
  });

describe('boolean structure', () => {
  // pcap-filter(7): "and" and "or" have the same precedence and group left to right.
  // tcpdump -d 'tcp or udp and port 53' ends in the port 53 test on both branches.
  it('and/or have equal precedence, left to right', () => {
    const syn80 = tcp4(80, 2);
    expect(verdict('tcp or udp and port 53', syn80)).toBe(false);
    expect(verdict('tcp or (udp and port 53)', syn80)).toBe(true);
  });

  // "not" binds tighter than and/or: (not udp) and tcp.
  it('not binds tighter than and', () => {
    expect(verdict('not udp and tcp', tcp4(80, 2))).toBe(true);
    expect(verdict('! tcp || tcp[13] = 2', tcp4(80, 2))).toBe(true);
  });
});

describe('bounds: a load past the captured bytes rejects the packet', () => {
  // tcpdump -d 'not tcp[100] = 1': ... ldxb 4*([14]&0xf); ldb [x + 114]; jeq #0x1 jt ret0 jf ret262144.
  // The BPF interpreter returns 0 when ldb reads past caplen, so even the negation is false.
  it('under not, a truncated TCP header is still rejected', () => {
    const syn = tcp4(80, 2);
    expect(verdict('not tcp[100] = 1', syn)).toBe(false);
    expect(verdict('tcp[100] = 1', syn)).toBe(false);
    expect(verdict('not tcp[10] = 1', syn)).toBe(true);
  });

  // tcpdump -d 'port 80' on a frame cut at 36 bytes: ldh [x + 16] (byte 36..37) is past caplen.
  it('port test on a frame cut inside the TCP header', () => {
    const syn = tcp4(80, 2);
    expect(verdict('port 80', syn, 38)).toBe(true); // dst port at 36..37 captured
    expect(verdict('dst port 80', syn, 37)).toBe(false);
    expect(verdict('not dst port 80', syn, 37)).toBe(false);
    // ip test needs only bytes 12..13.
    expect(verdict('ip', syn, 14)).toBe(true);
  });

  // tcpdump -d 'not ip[0] / (ip[1] - ip[1]) = 0': ... div x ... — bpf_filter returns 0 on X == 0.
  it('division by a zero computed at run time rejects', () => {
    const syn = tcp4(80, 2);
    expect(verdict('not ip[0] / (ip[1] - ip[1]) = 0', syn)).toBe(false);
    // Non-IP frames never reach the division: the program accepts them (jf to ret #262144).
    const lldp = frame({ link: { ...ETH, etherType: 0x88cc }, payload: new Uint8Array(40) });
    expect(verdict('not ip[0] / (ip[1] - ip[1]) = 0', lldp)).toBe(true);
  });
});

describe('IPv4 fragments', () => {
  // tcpdump -d 'port 80': ldh [20]; jset #0x1fff jt ret0 — non-first fragments never match a port.
  it('port excludes non-first fragments even when the bytes read 80', () => {
    const frag = frame({
      link: ETH,
      network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', fragmentOffset: 1480, protocol: 6 },
      payload: [0, 80, 0, 80, 0, 0, 0, 0],
    });
    expect(verdict('port 80', frag)).toBe(false);
    expect(verdict('tcp', frag)).toBe(true); // ldb [23] == 6, no fragment test
    expect(verdict('ip[6:2] & 0x1fff != 0', frag)).toBe(true);
  });
});

describe('IPv6 next headers', () => {
  const fragTcp = frame({
    link: ETH,
    network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'fragment', offset: 0, more: true, id: 1 }] },
    transport: { type: 'tcp', srcPort: 40000, dstPort: 80, flags: 2 },
  });
  const hbhTcp = frame({
    link: ETH,
    network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2', extensions: [{ type: 'hopByHop' }] },
    transport: { type: 'tcp', srcPort: 40000, dstPort: 80, flags: 2 },
  });

  // tcpdump -d 'tcp': ... jeq #0x86dd; ldb [20]; jeq #0x6 ...; jeq #0x2c; ldb [54]; jeq #0x6.
  // tcpdump -d 'tcp port 80': ldb [20]; jeq #0x6; ldh [54]/[56] — no look past a fragment header.
  it('tcp looks through one fragment header, tcp port does not', () => {
    expect(verdict('tcp', fragTcp)).toBe(true);
    expect(verdict('ip6 proto 6', fragTcp)).toBe(true);
    expect(verdict('tcp port 80', fragTcp)).toBe(false);
  });

  // A hop-by-hop header is not skipped by `tcp` (only 0x2c is), but protochain walks it:
  // tcpdump -d 'ip6 protochain 6': jeq #0x0 ... ldb [x + 14]; ldb [x + 15]; add #1; mul #8 ...
  it('protochain walks hop-by-hop, proto does not', () => {
    expect(verdict('tcp', hbhTcp)).toBe(false);
    expect(verdict('ip6 protochain 6', hbhTcp)).toBe(true);
    expect(verdict('protochain 6', hbhTcp)).toBe(true);
    expect(verdict('ip6 protochain 17', hbhTcp)).toBe(false);
  });
});

describe('vlan moves the offsets of everything after it', () => {
  const tagged = frame({
    link: { ...ETH, vlans: [{ vid: 100 }] },
    network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
    transport: { type: 'udp', srcPort: 53, dstPort: 53 },
  });
  // tcpdump -d 'vlan and ip': ldh [12] in {0x8100,0x88a8,0x9100}; ldh [16]; jeq #0x800.
  it('ip after vlan reads the inner EtherType', () => {
    expect(verdict('ip', tagged)).toBe(false);
    expect(verdict('vlan and ip', tagged)).toBe(true);
    expect(verdict('vlan 100 and udp port 53', tagged)).toBe(true);
    expect(verdict('vlan 101', tagged)).toBe(false);
  });

  // The shift is lexical: in 'vlan or ip' the ip test also reads [16] (tcpdump -d shows ldh [16]).
  it('the shift applies to later primitives even across or', () => {
    const plain = tcp4(80, 2);
    expect(verdict('ip', plain)).toBe(true);
    expect(verdict('vlan or ip', plain)).toBe(false);
    expect(verdict('ip or vlan', plain)).toBe(true);
  });
});

describe('hosts, nets and qualifier inheritance', () => {
  const arp = frame({
    link: { ...ETH, dst: 'ff:ff:ff:ff:ff:ff' },
    network: { type: 'arp', operation: 1, senderHardware: '02:00:00:00:00:01', senderProtocol: '10.0.0.7', targetProtocol: '10.0.0.8' } as PacketSpec['network'],
  });
  // tcpdump -d 'host 10.0.0.8': ... jeq #0x806/#0x8035; ld [28]; ld [38] — ARP sender/target.
  it('host matches ARP sender and target protocol addresses', () => {
    expect(verdict('host 10.0.0.8', arp)).toBe(true);
    expect(verdict('src host 10.0.0.7', arp)).toBe(true);
    expect(verdict('ip host 10.0.0.8', arp)).toBe(false);
    expect(verdict('arp dst host 10.0.0.7', arp)).toBe(false);
  });

  // tcpdump -d 'host 10.0.0.9 or 10.0.0.2' tests [26]/[30] against both addresses.
  it('a bare address after or inherits host', () => {
    const p = tcp4(80, 2);
    expect(verdict('host 10.0.0.9 or 10.0.0.2', p)).toBe(true);
    expect(verdict('port 443 or 80', p)).toBe(true);
    expect(verdict('port 443 or 22', p)).toBe(false);
  });

  // tcpdump -d 'host 10.0' → ld [26]; and #0xffff0000; jeq #0xa000000 (a short host is a net).
  it('short dotted host and net numbers', () => {
    const p = tcp4(80, 2);
    expect(verdict('host 10.0', p)).toBe(true);
    expect(verdict('net 10', p)).toBe(true);
    expect(verdict('host 10', p)).toBe(false); // 0.0.0.10
    expect(verdict('net 10.0.0.0 mask 255.255.255.252', p)).toBe(true);
    expect(verdict('net 10.0.0.4/30', p)).toBe(false);
  });
});

describe('byte-offset arithmetic', () => {
  // tcpdump -d 'ip[9] + tcp[0] > 0': no "ldb [23]; jeq #6" before ldb [x + 14] — libpcap's
  // gen_arth drops the right operand's protocol test, so a UDP packet is read as if TCP.
  it('reproduces libpcap dropping the right operand guard', () => {
    const udp = frame({ link: ETH, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' }, transport: { type: 'udp', srcPort: 1, dstPort: 2 } });
    expect(verdict('ip[9] + tcp[0] > 0', udp)).toBe(true);
    expect(verdict('tcp[0] + ip[9] > 0', udp)).toBe(false);
  });

  // BPF arithmetic is 32-bit unsigned: 0 - 1 = 0xffffffff; comparisons are unsigned.
  it('32-bit unsigned arithmetic and shifts', () => {
    const p = tcp4(80, 2);
    expect(verdict('ip[0] - 0x46 = 0xffffffff', p)).toBe(true);
    expect(verdict('-1 > 0 and ip', p)).toBe(true);
    expect(verdict('ip[0] << 28 = 0x50000000', p)).toBe(true);
    expect(verdict('tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', p)).toBe(true);
    expect(verdict('tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', tcp4(80, 0x12))).toBe(false);
  });

  // '%' and '^' have no yacc precedence, so the parser shifts: 2 * 3 % 4 is 2 * (3 % 4) = 6.
  it('% and ^ group to the right', () => {
    const p = tcp4(80, 2);
    expect(verdict('2 * 3 % 4 = 6 and ip', p)).toBe(true);
    expect(verdict('1 + 2 * 3 = 7 and ip', p)).toBe(true);
  });
});

describe('what libpcap folds away', () => {
  // tcpdump -d 'not ip[1000] & 0 = 1': ldh [12]; jeq #0x800; ld #0x0; jeq #0x1 jt 4 jf 4; ret #262144
  // — "and #0" became a constant, the ip[1000] load is gone, every packet is accepted, but
  // the EtherType test before it stays (the fold comes after branches stop moving), so a
  // frame cut before byte 14 is still rejected.
  it('x & 0 is a constant, so its load cannot reject', () => {
    expect(verdict('not ip[1000] & 0 = 1', tcp4(80, 2))).toBe(true);
    expect(verdict('ip[1000] * 0 = 0', tcp4(80, 2))).toBe(true);
    expect(verdict('not ip[1000] & 0 = 1', tcp4(80, 2), 13)).toBe(false);
  });

  // tcpdump -d 'ip or 1 = 1': (000) ret #262144 — a pure constant folds early, nothing is loaded.
  it('a constant comparison removes the tests around it', () => {
    expect(verdict('ip or 1 = 1', tcp4(80, 2), 0)).toBe(true);
  });

  // tcpdump -d 'not ether[12:2] = 0x8100 or !tcp dst port 22': the 0x86dd and 0x800 tests
  // stay after "jeq #0x8100" — ether[12:2] is an indexed load, numbered apart from the
  // EtherType loads of tcp, so the optimizer cannot thread — and a 12-byte frame is rejected.
  it('proto[expr] loads are not merged with the primitives\' loads', () => {
    expect(verdict('not ether[12:2] = 0x8100 or !tcp dst port 22', tcp4(80, 2), 12)).toBe(false);
    expect(verdict('not ether[12:2] = 0x8100 or !tcp dst port 22', tcp4(80, 2))).toBe(true);
  });

  // tcpdump -d '(tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and udp[2:2] < 1024 || !ether dst
  // ff:ff:ff:ff:ff:ff)': (000) ldh [12]; (001) ld [2] ... — the root test was dropped, its
  // load kept (opt_root), so a 12-byte frame is rejected though only bytes 0..5 matter.
  it('a dropped root test still loads', () => {
    const e = '(tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and udp[2:2] < 1024 || !ether dst ff:ff:ff:ff:ff:ff)';
    expect(verdict(e, tcp4(80, 2), 14)).toBe(true);
    expect(verdict(e, tcp4(80, 2), 12)).toBe(false);
  });

  // tcpdump -d '!src port 53 && ip6 proto 58 or host 10.0.0.1 or !vlan 100' accepts 0x86dd,
  // 0x800, 0x806, 0x8035 at once: the host test was threaded away, so its loads cannot reject.
  it('tests threaded away do not load', () => {
    const e = '!src port 53 && ip6 proto 58 or host 10.0.0.1 or !vlan 100';
    expect(verdict(e, tcp4(80, 2), 20)).toBe(true);
  });

  // tcpdump -d 'ip[0xffffffff] = 0': ldb [13] — the folded offset wraps at 32 bits.
  it('constant offsets wrap at 32 bits', () => {
    const p = tcp4(80, 2); // byte 13 is the low EtherType byte, 0x00
    expect(verdict('ip[0xffffffff] = 0', p)).toBe(true);
    expect(verdict('ip[0xfffffffe] = 8', p)).toBe(true);
  });
});

describe('protochain turns the optimizer off', () => {
  // libpcap sets no_optimize for protochain, so 'ip6 protochain 6 and net fd00::/16' runs as
  // gencode wrote it: the /16 still loads address words 1..3 (masked with 0), and a frame cut
  // at 30 bytes is rejected; tcpdump -r on such a frame keeps it for 'net fd00::/16' alone
  // (optimized: only word 0 is loaded) but not with the protochain.
  it('masked-out address words are loaded only without the optimizer', () => {
    const v6 = frame({ link: ETH, network: { type: 'ipv6', src: 'fd00::1', dst: 'fd00::2' }, transport: { type: 'tcp', srcPort: 1, dstPort: 80, flags: 2 } });
    expect(verdict('net fd00::/16', v6, 30)).toBe(true);
    expect(verdict('ip6 protochain 6', v6, 30)).toBe(true);
    expect(verdict('ip6 protochain 6 and net fd00::/16', v6, 30)).toBe(false);
    expect(verdict('ip6 protochain 6 and net fd00::/16', v6)).toBe(true);
  });
});

describe('lengths and link types', () => {
  // tcpdump -d 'greater 100': ld #pktlen; jge #0x64 — the wire length, not the captured one.
  it('len is the original length', () => {
    const p = tcp4(80, 2);
    const f = compileFilter('greater 54', 1);
    expect(f(p, 0, 20, 54)).toBe(true);
    expect(f(p, 0, 54, 53)).toBe(false);
  });

  // tcpdump -d -r <little-endian NULL file> 'ip': ld [0]; jeq #0x2000000 — the family is compared
  // in the file's byte order; a big-endian file gives jeq #0x2.
  it('NULL link family follows the file byte order', () => {
    const le = frame({ link: { type: 'null' }, network: { type: 'ipv4', src: '1.1.1.1', dst: '2.2.2.2' } });
    const be = frame({ link: { type: 'null', bigEndian: true }, network: { type: 'ipv4', src: '1.1.1.1', dst: '2.2.2.2' } });
    expect(verdict('ip', le, le.length, 0, false)).toBe(true);
    expect(verdict('ip', be, be.length, 0, false)).toBe(false);
    expect(verdict('ip', be, be.length, 0, true)).toBe(true);
  });

  // tcpdump -d -y RAW 'ip6': ldb [0]; and #0xf0; jeq #0x60.
  it('raw IP tests the version nibble', () => {
    const v6 = frame({ link: { type: 'raw' }, network: { type: 'ipv6', src: '::1', dst: '::2' }, transport: { type: 'udp', srcPort: 1, dstPort: 2 } });
    expect(verdict('ip6 and udp', v6, v6.length, 101)).toBe(true);
    expect(verdict('ip', v6, v6.length, 101)).toBe(false);
  });
});

describe('generated code', () => {
  it('embeds only numbers from the expression', () => {
    const src = filterSource('tcp port 80 and host 10.0.0.1', 1);
    expect(src).not.toMatch(/host|port|tcp/);
    expect(src).toContain('return function filter(buf, o, cap, len)');
  });
});
