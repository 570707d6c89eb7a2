import { describe, expect, it } from 'vitest';
import { Layer, PacketDecoder, encodePacket, linkTypeOf, type PacketSpec } from '../../src/codec/index.js';

const decoder = new PacketDecoder();
function decode(spec: PacketSpec) {
  const b = encodePacket(spec);
  return decoder.decode(b, 0, b.length, linkTypeOf(spec.link));
}

describe('encodePacket', () => {
  it('builds QinQ/IPv4 with options/TCP with every option and valid checksums', () => {
    const p = decode({
      link: { type: 'ethernet', vlans: [{ tpid: 0x88a8, vid: 100, pcp: 5 }, { vid: 200, dei: true }] },
      network: {
        type: 'ipv4', src: '192.0.2.1', dst: '198.51.100.7', id: 7, df: true,
        options: [{ type: 'nop' }, { type: 'lsrr', route: ['203.0.113.1', '203.0.113.9'] }],
      },
      transport: {
        type: 'tcp', srcPort: 1234, dstPort: 443, seq: 0xfffffff0, ack: 5,
        flags: ['syn', 'ack', 'ece', 'cwr', 'ae'],
        options: [
          { type: 'mss', value: 1400 }, { type: 'sackPermitted' }, { type: 'timestamps', tsVal: 1, tsEcr: 0xffffffff },
          { type: 'wscale', shift: 14 }, { type: 'tfo', cookie: [1, 2, 3, 4, 5, 6, 7, 8] },
          { type: 'sack', blocks: [[10, 20]] },
        ],
      },
      payload: Buffer.from('hello'),
    });
    expect(p.issue).toBeNull();
    expect(p.vlanCount).toBe(2);
    expect(p.vlan(0).tpid).toBe(0x88a8);
    expect(p.vlan(0).vid).toBe(100);
    expect(p.vlan(0).pcp).toBe(5);
    expect(p.vlan(1).dei).toBe(true);
    expect(p.ip4.checksumStatus()).toBe('correct');
    expect(p.tcp.checksumStatus()).toBe('correct');
    expect(p.tcp.flags).toBe(0x1d2);
    expect(p.tcp.seq).toBe(0xfffffff0);
    expect(p.tcp.mss).toBe(1400);
    expect(p.tcp.windowScale).toBe(14);
    expect(p.tcp.tsEcr).toBe(0xffffffff);
    expect(p.tcp.tfoCookieLength).toBe(8);
    expect(p.tcp.sackBlockCount).toBe(1);
    expect(p.tcp.sackRight(0)).toBe(20);
    expect(p.payload().toString()).toBe('hello');
  });

  it('builds IPv6 with an extension chain, routing header and jumbo payload', () => {
    const p = decode({
      link: { type: 'sll2', interfaceIndex: 3 },
      network: {
        type: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2',
        extensions: [
          { type: 'hopByHop', jumbo: true },
          { type: 'routing', routingType: 0, segmentsLeft: 1, addresses: ['2001:db8::99'] },
          { type: 'destOptions', options: [{ type: 0x1e, data: [1, 2, 3] }] },
        ],
      },
      transport: { type: 'udp', srcPort: 53, dstPort: 5353 },
      payload: new Uint8Array(70000),
    });
    expect(p.issue).toBeNull();
    expect(p.has(Layer.Sll2)).toBe(true);
    expect(p.ip6.extCount).toBe(3);
    // hop-by-hop 8 + routing 24 + dest options 8 + UDP 8 + data
    expect(p.ip6.jumboLength).toBe(8 + 24 + 8 + 8 + 70000);
    expect(p.ip6.finalDstString()).toBe('2001:db8::99');
    expect(p.udp.lengthField).toBe(0);
    expect(p.payloadLength).toBe(70000);
    expect(p.udp.checksumStatus()).toBe('correct');
  });

  it('writes into a caller buffer and honours overrides', () => {
    const into = Buffer.alloc(200);
    const b = encodePacket(
      {
        link: { type: 'raw' },
        network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', checksum: 0xbeef, totalLength: 1000 },
        transport: { type: 'udp', srcPort: 1, dstPort: 2, checksum: 0x1234 },
      },
      into,
      10,
    );
    expect(b.buffer).toBe(into.buffer);
    const p = decoder.decode(into, 10, b.length, 101);
    expect(p.ip4.checksum).toBe(0xbeef);
    expect(p.ip4.checksumStatus()).toBe('incorrect');
    expect(p.truncated).toBe(true);
    expect(p.udp.checksum).toBe(0x1234);
  });
});
