import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Layer, PacketDecoder, encodePacket, linkTypeOf, packetSpecOf, ipv4FromNumber,
  type Ipv4OptionSpec, type Ipv6ExtSpec, type LinkSpec, type NetworkSpec, type PacketSpec, type TcpOptionSpec,
  type TransportSpec,
} from '../../src/codec/index.js';
import { touchEverything } from './helpers.js';

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const hex2 = u8.map((b) => b.toString(16).padStart(2, '0'));
const mac = fc.array(hex2, { minLength: 6, maxLength: 6 }).map((a) => a.join(':'));
const ip4 = u32.map(ipv4FromNumber);
// Canonical RFC 5952 text is what the decoder prints, so compare through bytes: build from groups.
const ip6 = fc.array(u16, { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

const vlan = fc.record({
  tpid: fc.constantFrom(0x8100, 0x88a8, 0x9100),
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
});

const link: fc.Arbitrary<LinkSpec> = fc.oneof(
  fc.record({ type: fc.constant('ethernet' as const), dst: mac, src: mac, vlans: fc.array(vlan, { maxLength: 3 }) }),
  fc.record({
    type: fc.constant('sll' as const), packetType: fc.integer({ min: 0, max: 4 }), arphrdType: u16, address: mac,
    vlans: fc.array(vlan, { maxLength: 1 }),
  }),
  fc.record({
    type: fc.constant('sll2' as const), interfaceIndex: u32, arphrdType: u16, packetType: u8, address: mac,
  }),
  fc.record({ type: fc.constant('null' as const), bigEndian: fc.boolean() }),
  fc.record({ type: fc.constant('loop' as const) }),
  fc.record({ type: fc.constant('raw' as const), linkType: fc.constantFrom(101 as const, 12 as const, 14 as const) }),
);

const ip4Option: fc.Arbitrary<Ipv4OptionSpec> = fc.oneof(
  fc.constant({ type: 'nop' as const }),
  fc.record({ type: fc.constantFrom('rr' as const, 'lsrr' as const, 'ssrr' as const), route: fc.array(ip4, { minLength: 1, maxLength: 2 }) }),
  fc.record({ type: fc.constant('ts' as const), flag: fc.constant(0), entries: fc.array(fc.record({ timestamp: u32 }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ type: fc.constant('ra' as const), value: u16 }),
);

const ipv4 = fc.record({
  type: fc.constant('ipv4' as const), src: ip4, dst: ip4, tos: u8, id: u16, df: fc.boolean(), mf: fc.boolean(),
  ttl: u8, options: fc.array(ip4Option, { maxLength: 2 }),
});

const ext: fc.Arbitrary<Ipv6ExtSpec> = fc.oneof(
  fc.record({ type: fc.constantFrom('hopByHop' as const, 'destOptions' as const), options: fc.array(fc.record({ type: fc.integer({ min: 2, max: 255 }), data: bytes(6) }), { maxLength: 2 }) }),
  fc.record({ type: fc.constant('routing' as const), routingType: fc.constantFrom(0, 2, 4), addresses: fc.array(ip6, { minLength: 1, maxLength: 3 }), segmentsLeft: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ type: fc.constant('fragment' as const), more: fc.boolean(), id: u32 }),
);

const ipv6 = fc.record({
  type: fc.constant('ipv6' as const), src: ip6, dst: ip6, trafficClass: u8, flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  hopLimit: u8, extensions: fc.array(ext, { maxLength: 3 }),
});

const tcpOption: fc.Arbitrary<TcpOptionSpec> = fc.oneof(
  fc.record({ type: fc.constant('mss' as const), value: u16 }),
  fc.record({ type: fc.constant('wscale' as const), shift: fc.integer({ min: 0, max: 14 }) }),
  fc.constant({ type: 'sackPermitted' as const }),
  fc.record({ type: fc.constant('timestamps' as const), tsVal: u32, tsEcr: u32 }),
  fc.record({ type: fc.constant('sack' as const), blocks: fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 2 }) }),
  fc.record({ type: fc.constant('tfo' as const), cookie: bytes(8) }),
  fc.constant({ type: 'nop' as const }),
);

// Each kind at most once (the decoder keeps the last one seen), at most 40 bytes.
const tcpOptions = fc.uniqueArray(tcpOption, { maxLength: 4, selector: (o) => o.type }).filter((opts) => {
  const size = opts.reduce((n, o) => n + ({ mss: 4, wscale: 3, sackPermitted: 2, timestamps: 10, nop: 1, eol: 1, raw: 2 } as Record<string, number>)[o.type]! +
    (o.type === 'sack' ? 2 + 8 * o.blocks.length : o.type === 'tfo' ? 2 + (o.cookie?.length ?? 0) : 0), 0);
  return size <= 40;
});

const tcp = fc.record({
  type: fc.constant('tcp' as const), srcPort: u16, dstPort: u16, seq: u32, ack: u32,
  flags: fc.integer({ min: 0, max: 0x1ff }), window: u16, urgentPointer: u16, options: tcpOptions,
});
const udp = fc.record({ type: fc.constant('udp' as const), srcPort: u16, dstPort: u16 });
const icmp = fc.record({ type: fc.constant('icmp' as const), icmpType: fc.constantFrom(0, 8, 13, 14), code: u8, id: u16, sequence: u16 });
const icmp6 = fc.oneof(
  fc.record({ type: fc.constant('icmpv6' as const), icmpType: fc.constantFrom(128, 129), code: u8, id: u16, sequence: u16 }),
  fc.record({ type: fc.constant('icmpv6' as const), icmpType: fc.constant(135), target: ip6 }),
);

const packet: fc.Arbitrary<PacketSpec> = fc
  .tuple(link, fc.oneof(ipv4, ipv6), fc.oneof(tcp, udp, icmp, icmp6), bytes(64))
  .filter(([, n, t]) => (n.type === 'ipv4' ? t.type !== 'icmpv6' : t.type !== 'icmp'))
  .map(([l, n, t, payload]) => ({
    link: l, network: n as NetworkSpec, transport: t as TransportSpec,
    // After an ND message come ND options, not free bytes.
    payload: t.type === 'icmpv6' && t.icmpType === 135 ? new Uint8Array(0) : payload,
  }));

const decoder = new PacketDecoder();
const scratch = new PacketDecoder();
const canon6 = (text: string) => {
  // Render an address the way the decoder does, through a throwaway encode/decode.
  const b = encodePacket({ link: { type: 'raw' }, network: { type: 'ipv6', src: text, dst: text } });
  return scratch.decode(b, 0, b.length, 101).ip6.srcString();
};

describe('encode then decode gives back the field values', () => {
  it('for random valid packets', () => {
    fc.assert(
      fc.property(packet, (spec) => {
        const frame = encodePacket(spec);
        const p = decoder.decode(frame, 0, frame.length, linkTypeOf(spec.link));
        expect(p.issue).toBeNull();
        expect(p.truncated).toBe(false);
        const l = spec.link;
        if (l.type === 'ethernet') {
          expect([p.eth.dstString(), p.eth.srcString()]).toEqual([l.dst, l.src]);
          expect(p.vlanCount).toBe(l.vlans!.length);
          l.vlans!.forEach((v, i) => expect([p.vlan(i).tpid, p.vlan(i).pcp, p.vlan(i).dei, p.vlan(i).vid]).toEqual([v.tpid, v.pcp, v.dei, v.vid]));
        } else if (l.type === 'sll') {
          expect([p.sll.packetType, p.sll.arphrdType, p.sll.addressString()]).toEqual([l.packetType, l.arphrdType, l.address]);
        } else if (l.type === 'sll2') {
          expect([p.sll2.interfaceIndex, p.sll2.arphrdType, p.sll2.packetType, p.sll2.addressString()]).toEqual([l.interfaceIndex, l.arphrdType, l.packetType, l.address]);
        } else if (l.type === 'null' || l.type === 'loop') {
          expect(p.has(l.type === 'null' ? Layer.Null : Layer.Loop)).toBe(true);
        }
        const n = spec.network!;
        if (n.type === 'ipv4') {
          const v = p.ip4;
          expect([v.srcString(), v.dstString(), v.tos, v.id, v.df, v.mf, v.ttl]).toEqual([n.src, n.dst, n.tos, n.id, n.df, n.mf, n.ttl]);
          expect(v.checksumStatus()).toBe('correct');
          const kinds: number[] = [];
          v.forEachOption((k) => kinds.push(k));
          const want = n.options!.map((o) => ({ nop: 1, rr: 7, lsrr: 131, ssrr: 137, ts: 68, ra: 148, eol: 0, raw: -1 })[o.type]);
          expect(kinds.slice(0, want.length)).toEqual(want);
        } else if (n.type === 'ipv6') {
          const v = p.ip6;
          expect([v.srcString(), v.dstString()]).toEqual([canon6(n.src), canon6(n.dst)]);
          expect([v.trafficClass, v.flowLabel, v.hopLimit]).toEqual([n.trafficClass, n.flowLabel, n.hopLimit]);
          expect(v.extCount).toBe(n.extensions!.length);
          n.extensions!.forEach((e, i) => expect(v.extType(i)).toBe({ hopByHop: 0, routing: 43, fragment: 44, destOptions: 60 }[e.type]));
          const frag = n.extensions!.find((e) => e.type === 'fragment');
          expect(v.hasFragment).toBe(frag !== undefined);
          if (frag?.type === 'fragment') expect([v.fragmentId, v.moreFragments, v.fragmentOffset]).toEqual([frag.id, frag.more, 0]);
        }
        const t = spec.transport!;
        const fragmented = n.type === 'ipv4' ? n.mf : n.type === 'ipv6' && n.extensions!.some((e) => e.type === 'fragment' && e.more);
        const verdict = fragmented ? 'unverifiable' : 'correct';
        if (t.type === 'tcp') {
          const v = p.tcp;
          expect([v.srcPort, v.dstPort, v.seq, v.ack, v.flags, v.window, v.urgentPointer]).toEqual([t.srcPort, t.dstPort, t.seq, t.ack, t.flags, t.window, t.urgentPointer]);
          const flags = t.flags as number;
          expect([v.fin, v.syn, v.rst, v.psh, v.ackFlag, v.urg, v.ece, v.cwr, v.ae]).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256].map((b) => (flags & b) !== 0));
          const opt = <K extends TcpOptionSpec['type']>(k: K) => t.options!.find((o) => o.type === k) as Extract<TcpOptionSpec, { type: K }> | undefined;
          expect(v.mss).toBe(opt('mss')?.value ?? -1);
          expect(v.windowScale).toBe(opt('wscale')?.shift ?? -1);
          expect(v.sackPermitted).toBe(opt('sackPermitted') !== undefined);
          expect([v.hasTimestamps, v.tsVal, v.tsEcr]).toEqual(opt('timestamps') ? [true, opt('timestamps')!.tsVal, opt('timestamps')!.tsEcr] : [false, 0, 0]);
          const sack = opt('sack');
          expect(v.sackBlockCount).toBe(sack?.blocks.length ?? 0);
          sack?.blocks.forEach(([l2, r], i) => expect([v.sackLeft(i), v.sackRight(i)]).toEqual([l2, r]));
          const tfo = opt('tfo');
          expect(v.tfoCookieLength).toBe(tfo ? (tfo.cookie?.length ?? 0) : -1);
          if (tfo) expect([...p.buf.subarray(v.tfoCookieOffset, v.tfoCookieOffset + v.tfoCookieLength)]).toEqual(Array.from(tfo.cookie ?? []));
          expect(v.checksumStatus() === verdict || (v.negativeZeroChecksum && !fragmented)).toBe(true);
        } else if (t.type === 'udp') {
          expect([p.udp.srcPort, p.udp.dstPort, p.udp.lengthField]).toEqual([t.srcPort, t.dstPort, 8 + spec.payload!.length]);
          expect(p.udp.checksumStatus()).toBe(verdict);
        } else if (t.type === 'icmp') {
          expect([p.icmp.type, p.icmp.code, p.icmp.id, p.icmp.sequence]).toEqual([t.icmpType, t.code, t.id, t.sequence]);
          expect(p.icmp.checksumStatus()).toBe(verdict);
        } else {
          expect(p.icmp6.type).toBe(t.icmpType);
          if (t.icmpType === 135) expect(p.icmp6.targetString()).toBe(canon6(t.target!));
          else expect([p.icmp6.code, p.icmp6.id, p.icmp6.sequence]).toEqual([t.code, t.id, t.sequence]);
          expect(p.icmp6.checksumStatus()).toBe(verdict);
        }
        expect([...p.payload()]).toEqual(Array.from(spec.payload!));
        // And the decoded packet describes itself exactly.
        expect(encodePacket(packetSpecOf(p)!).equals(frame)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('for ARP', () => {
    fc.assert(
      fc.property(mac, ip4, mac, ip4, fc.integer({ min: 1, max: 4 }), (sha, spa, tha, tpa, op) => {
        const frame = encodePacket({
          link: { type: 'ethernet', trailer: new Uint8Array(18) },
          network: { type: 'arp', operation: op, senderHardware: sha, senderProtocol: spa, targetHardware: tha, targetProtocol: tpa },
        });
        const p = decoder.decode(frame, 0, frame.length, 1);
        expect(p.issue).toBeNull();
        const a = p.arp;
        expect([a.operation, a.senderHardwareString(), a.senderProtocolString(), a.targetHardwareString(), a.targetProtocolString()]).toEqual([op, sha, spa, tha, tpa]);
        expect(p.payloadLength).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

describe('IPv4 fragments', () => {
  // RFC 791: a datagram is a fragment when More Fragments is set or its offset is not zero.
  it('isFragment is MF or a non-zero offset, whatever DF says', () => {
    const decoder = new PacketDecoder();
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 0x1fff }), (df, mf, units) => {
        const b = encodePacket({ link: { type: 'raw' }, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', df, mf, fragmentOffset: units * 8 } });
        const v = decoder.decode(b, 0, b.length, 101).ip4;
        expect([v.df, v.mf, v.fragmentOffset, v.isFragment]).toEqual([df, mf, units * 8, mf || units !== 0]);
      }),
    );
  });
});

describe('robustness', () => {
  it('random bytes decode without throwing, and a clean decode re-encodes exactly', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 160 }), (lt, data) => {
        const buf = Buffer.from(data);
        const p = decoder.decode(buf, 0, buf.length, lt);
        touchEverything(p);
        const spec = packetSpecOf(p);
        if (spec) expect(encodePacket(spec).equals(buf)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('valid packets with random bytes overwritten decode without throwing', () => {
    fc.assert(
      fc.property(packet, fc.array(fc.tuple(fc.nat(), u8), { minLength: 1, maxLength: 4 }), (spec, edits) => {
        const frame = Buffer.from(encodePacket(spec));
        for (const [at, v] of edits) frame[at % frame.length] = v;
        const p = decoder.decode(frame, 0, frame.length, linkTypeOf(spec.link));
        touchEverything(p);
        const again = packetSpecOf(p);
        if (again) expect(encodePacket(again).equals(frame)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a capLen beyond the buffer is clamped, not read past', () => {
    const frame = encodePacket({ link: { type: 'ethernet' }, network: { type: 'ipv4', src: '1.2.3.4', dst: '5.6.7.8' }, transport: { type: 'udp', srcPort: 1, dstPort: 2 } });
    const p = decoder.decode(frame, 0, frame.length + 100, 1);
    expect(p.has(Layer.Udp)).toBe(true);
    expect(p.payloadLength).toBe(0);
  });
});
