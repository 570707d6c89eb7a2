import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketDecoder, encodePacket, type Packet } from '../../src/codec/index.js';
import { corpusFiles, fixtureFiles, recordsOf } from './helpers.js';

/** Every field the decoder writes, on the packet and on each view (buffers left out). */
function state(p: Packet): string {
  const views = { loop: p.loop, eth: p.eth, sll: p.sll, sll2: p.sll2, arp: p.arp, ip4: p.ip4, ip6: p.ip6, tcp: p.tcp, udp: p.udp, icmp: p.icmp, icmp6: p.icmp6 };
  const plain = (o: object) => Object.fromEntries(Object.entries(o).filter(([k, v]) => k !== 'buf' && k !== 'packet' && typeof v !== 'object'));
  const layers = Array.from({ length: p.layerCount }, (_, i) => p.layerAt(i));
  const ext = Array.from({ length: p.ip6.extCount }, (_, i) => [p.ip6.extType(i), p.ip6.extOffset(i), p.ip6.extLength(i)]);
  const vlans = Array.from({ length: p.vlanCount }, (_, i) => plain(p.vlan(i)));
  const v = Object.fromEntries(Object.entries(views).map(([k, view]) => [k, plain(view)]));
  return JSON.stringify({ packet: plain(p), issue: p.issue, layers, ext, vlans, v });
}

const fast = new PacketDecoder();
const general = new PacketDecoder({ fastPath: false });

/** Both decoders leave the same state; they start from each other's leftovers to catch stale fields. */
function same(buf: Buffer, off: number, cap: number, lt: number, orig: number): boolean {
  return state(fast.decode(buf, off, cap, lt, orig)) === state(general.decode(buf, off, cap, lt, orig));
}

describe('the Ethernet/IP/TCP-UDP fast path', () => {
  it('leaves exactly the state the general path leaves, on every fixture packet and prefix', async () => {
    const files = [...fixtureFiles(), ...corpusFiles().files];
    const bad: string[] = [];
    let n = 0;
    for (const file of files) {
      for (const r of await recordsOf(file)) {
        if (r.linkType !== 1) continue;
        for (const cap of [r.capLen, r.capLen - 1, 60, 54, 40, 34]) {
          if (cap < 0 || cap > r.capLen) continue;
          n++;
          if (!same(r.buf, r.offset, cap, 1, r.origLen)) bad.push(`${file} #${r.index} cap ${cap}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(n).toBeGreaterThan(1000);
  });

  it('on random frames shaped like the common case, with random bytes overwritten', () => {
    const base = fc.record({
      v6: fc.boolean(),
      tcp: fc.boolean(),
      hdr: fc.uint8Array({ minLength: 0, maxLength: 20 }),
      payload: fc.uint8Array({ maxLength: 40 }),
      edits: fc.array(fc.tuple(fc.nat(90), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      cut: fc.nat(120),
    });
    fc.assert(
      fc.property(base, ({ v6, tcp, payload, edits, cut }) => {
        const frame = Buffer.from(encodePacket({
          link: { type: 'ethernet' },
          network: v6 ? { type: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2' } : { type: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
          transport: tcp
            ? { type: 'tcp', srcPort: 1, dstPort: 2, flags: ['ack'], options: [{ type: 'nop' }, { type: 'nop' }, { type: 'timestamps', tsVal: 1, tsEcr: 2 }] }
            : { type: 'udp', srcPort: 1, dstPort: 2 },
          payload,
        }));
        for (const [at, v] of edits) if (at < frame.length) frame[at] = v;
        const cap = Math.min(frame.length, cut);
        expect(same(frame, 0, cap, 1, frame.length)).toBe(true);
        expect(same(frame, 0, frame.length, 1, frame.length)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
