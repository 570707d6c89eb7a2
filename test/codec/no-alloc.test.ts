import { PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { Layer, PacketDecoder, encodePacket, linkTypeOf, type PacketSpec } from '../../src/codec/index.js';

// A mix that walks every decode path that matters for speed: VLAN, IPv4 options, IPv6
// extension headers, TCP options (fast path and full walk), UDP, ICMP, ICMPv6 ND, truncation.
const specs: PacketSpec[] = [
  { link: { type: 'ethernet', vlans: [{ vid: 1 }] }, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', options: [{ type: 'ra' }] }, transport: { type: 'tcp', srcPort: 1, dstPort: 2, seq: 0xfffffff0, flags: ['syn'], options: [{ type: 'mss', value: 1460 }, { type: 'sackPermitted' }, { type: 'timestamps', tsVal: 0xfffffffe, tsEcr: 0x80000000 }, { type: 'nop' }, { type: 'wscale', shift: 7 }] } },
  { link: { type: 'ethernet' }, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' }, transport: { type: 'tcp', srcPort: 1, dstPort: 2, ack: 0xffffffff, flags: ['ack'], options: [{ type: 'nop' }, { type: 'nop' }, { type: 'timestamps', tsVal: 0xffffffff, tsEcr: 0xfffffff0 }] }, payload: new Uint8Array(100) },
  { link: { type: 'sll2' }, network: { type: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ type: 'hopByHop', options: [{ type: 5, data: [0, 0] }] }, { type: 'fragment', more: true, id: 0xffffffff }] }, transport: { type: 'udp', srcPort: 1, dstPort: 2 }, payload: new Uint8Array(40) },
  { link: { type: 'null' }, network: { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' }, transport: { type: 'icmp', icmpType: 3, code: 3 }, payload: new Uint8Array(28).fill(0x45, 0, 1) },
  { link: { type: 'raw' }, network: { type: 'ipv6', src: '2001:db8::1', dst: 'ff02::1' }, transport: { type: 'icmpv6', icmpType: 135, target: '2001:db8::2', options: [{ type: 1, data: [1, 2, 3, 4, 5, 6] }] } },
];

describe('the decode path allocates nothing', () => {
  it('decodes 300,000 frames with no garbage collection and a flat heap', async () => {
    const frames = specs.map((s) => ({ buf: encodePacket(s), lt: linkTypeOf(s.link) }));
    const d = new PacketDecoder();
    const run = (n: number): number => {
      let check = 0;
      for (let i = 0; i < n; i++) {
        const f = frames[i % frames.length]!;
        // Every 7th frame is cut short, so the truncation paths run too.
        const cap = i % 7 === 0 ? f.buf.length >> 1 : f.buf.length;
        const p = d.decode(f.buf, 0, cap, f.lt, f.buf.length);
        check = (check + p.layerCount + p.payloadLength + (p.has(Layer.Tcp) ? p.tcp.tsVal + p.tcp.seq : 0)) | 0;
      }
      return check;
    };
    run(200_000); // let the JIT settle: compiling allocates
    let gcs = 0;
    const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
    obs.observe({ entryTypes: ['gc'] });
    const settle = () => new Promise((r) => setTimeout(r, 50)); // GC entries arrive asynchronously
    // A collection can still be owed to what ran before (encoding, compiling), and on a loaded
    // machine the optimizing compiler (a background thread) may finish late: unoptimized code
    // boxes numbers. Allocation-free code gets a clean run within a few attempts, code that
    // allocates never does.
    let grown = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      await settle();
      gcs = 0;
      const before = process.memoryUsage().heapUsed;
      run(300_000);
      grown = process.memoryUsage().heapUsed - before;
      await settle();
      if (gcs === 0) break;
    }
    obs.disconnect();
    expect(gcs, 'garbage collections during the decode loop').toBe(0);
    // One small object per decode would be >= 16 bytes x 300,000 = 4.8 MB; what the JIT itself
    // leaves behind (feedback, code) stays far below 2 MB.
    expect(grown, 'heap growth over 300,000 decodes').toBeLessThan(2 * 1024 * 1024);
  });
});
