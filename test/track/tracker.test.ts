import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HandshakeTracker, TcpFlag, endpointString, trackHandshakes, type TcpSegment } from '../../src/track/index.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');

/** A raw segment over a 32-byte address buffer: client 10.0.0.x / server 10.9.0.1 (or IPv6). */
function segment(v6: boolean, clientHost: number, cport: number, fromClient: boolean, seq: number, ack: number, flags: number, len = 0): TcpSegment {
  const buf = new Uint8Array(32);
  const client = v6 ? [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, (clientHost >>> 24) & 255, (clientHost >>> 16) & 255, (clientHost >>> 8) & 255, clientHost & 255] : [10, (clientHost >>> 16) & 255, (clientHost >>> 8) & 255, clientHost & 255];
  const server = v6 ? [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] : [10, 9, 0, 1];
  const w = v6 ? 16 : 4;
  buf.set(fromClient ? client : server, 0);
  buf.set(fromClient ? server : client, w);
  return {
    ipVersion: v6 ? 6 : 4, buf, srcAddrOffset: 0, dstAddrOffset: w,
    srcPort: fromClient ? cport : 80, dstPort: fromClient ? 80 : cport,
    seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535, optionsOffset: 0, optionsLength: 0, payloadLength: len,
  };
}

const { Syn, Ack, Fin, Rst, Psh } = TcpFlag;

function handshakeAndClose(t: HandshakeTracker, v6: boolean, host: number, port: number, cIsn: number, sIsn: number, at: number): number {
  let i = at;
  const c = (seq: number, ack: number, f: number, len = 0) => t.feedSegment(segment(v6, host, port, true, seq, ack, f, len), 1000 + i, 0, ++i);
  const s = (seq: number, ack: number, f: number, len = 0) => t.feedSegment(segment(v6, host, port, false, seq, ack, f, len), 1000 + i, 0, ++i);
  c(cIsn, 0, Syn);
  s(sIsn, cIsn + 1, Syn | Ack);
  c(cIsn + 1, sIsn + 1, Ack);
  c(cIsn + 1, sIsn + 1, Psh | Ack, 100);
  s(sIsn + 1, cIsn + 101, Psh | Ack, 50);
  c(cIsn + 101, sIsn + 51, Fin | Ack);
  s(sIsn + 51, cIsn + 102, Fin | Ack);
  c(cIsn + 102, sIsn + 52, Ack);
  return i;
}

describe('HandshakeTracker', () => {
  it('completes a handshake at any pair of ISNs, across the 2^32 wrap, IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0xffffffff, 0xfffffff0, 0, 1), (v6, cIsn, sIsn, wrapIsn) => {
        for (const [a, b] of [[cIsn, sIsn], [wrapIsn, sIsn], [cIsn, wrapIsn]] as const) {
          const t = new HandshakeTracker();
          handshakeAndClose(t, v6, 7, 40000, a, b, 0);
          const [c] = t.finish();
          // The server never sends a pure ACK here (its data carries the ACK), so no 'a'.
          expect(c).toMatchObject({ handshake: 'complete', close: 'fin', state: 'SF', history: 'ShADdFf', violations: [], bytes: { client: 100, server: 50 } });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary segments, and accounts for every packet', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ fromClient: fc.boolean(), seq: fc.integer({ min: 0, max: 0xffffffff }), ack: fc.integer({ min: 0, max: 0xffffffff }), flags: fc.integer({ min: 0, max: 255 }), len: fc.integer({ min: 0, max: 1460 }), port: fc.integer({ min: 40000, max: 40003 }) }), { maxLength: 60 }),
        (segs) => {
          const t = new HandshakeTracker({ maxConnections: 3 });
          segs.forEach((s, i) => t.feedSegment(segment(false, 1, s.port, s.fromClient, s.seq, s.ack, s.flags, s.len), 1, i, i + 1));
          const cs = t.finish();
          const listed = cs.reduce((n, c) => n + c.packets.client + c.packets.server, 0);
          expect(t.summary.tcpPackets).toBe(segs.length);
          expect(t.summary.connections).toBe(cs.length + t.summary.evicted);
          if (t.summary.evicted === 0) expect(listed).toBe(segs.length);
          for (const c of cs) expect(c.history).toMatch(/^\^?[SsHhAaDdFfRrTtWwIiQq]*$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps memory bounded under a SYN flood: the LRU cap evicts and counts', () => {
    const t = new HandshakeTracker({ maxConnections: 1000 });
    for (let i = 0; i < 50_000; i++) t.feedSegment(segment(false, i, 1024 + (i % 60000), true, i * 7919, 0, Syn), 1000, i, i + 1);
    expect(t.liveConnections).toBe(1000);
    const cs = t.finish();
    expect(cs).toHaveLength(1000);
    expect(t.summary).toMatchObject({ connections: 50_000, attempts: 50_000, timedOut: 50_000, evicted: 49_000 });
    // The survivors are the most recent SYNs.
    expect(cs[0]!.firstPacket).toBe(49_001);
  });

  it('releases closed connections after the linger time and lists them', () => {
    const seen: string[] = [];
    const t = new HandshakeTracker({ lingerSeconds: 5, onConnection: (c) => seen.push(`${c.client}@${c.firstPacket}`) });
    let at = 0;
    for (let k = 0; k < 3000; k++) at = handshakeAndClose(t, k % 2 === 1, k, 41000, k * 1000, k * 3000, at);
    // 24,000 packets 1 s apart, swept every 1024 packets: at most the connections of the last
    // sweep interval plus the linger time are still held.
    expect(t.liveConnections).toBeLessThanOrEqual(1024 / 8 + 5);
    expect(seen.length).toBe(3000 - t.liveConnections);
    const cs = t.finish();
    expect(seen).toHaveLength(3000);
    expect(cs).toHaveLength(3000);
    expect(t.summary).toMatchObject({ connections: 3000, complete: 3000, fin: 3000, evicted: 0 });
    expect(cs.map((c) => c.firstPacket)).toEqual([...Array(3000).keys()].map((k) => k * 8 + 1));
  });

  it('tells thousands of concurrent 4-tuples apart (hash buckets, both address families)', () => {
    const t = new HandshakeTracker();
    let i = 0;
    const n = 20_000;
    for (let k = 0; k < n; k++) t.feedSegment(segment(k % 2 === 1, k >>> 1, 40000 + (k % 7), true, k, 0, Syn), 1, 0, ++i);
    for (let k = 0; k < n; k++) t.feedSegment(segment(k % 2 === 1, k >>> 1, 40000 + (k % 7), false, 5, k + 1, Syn | Ack), 2, 0, ++i);
    for (let k = 0; k < n; k++) t.feedSegment(segment(k % 2 === 1, k >>> 1, 40000 + (k % 7), true, k + 1, 6, Ack), 3, 0, ++i);
    const cs = t.finish();
    expect(cs).toHaveLength(n);
    expect(cs.every((c) => c.handshake === 'complete' && c.packets.client === 2 && c.packets.server === 1)).toBe(true);
  });

  it('keeps every record, history included, when the table grows past its first 65,536 slots', () => {
    const t = new HandshakeTracker({ maxConnections: 70_000 });
    let i = 0;
    const n = 66_000;
    for (let k = 0; k < n; k++) t.feedSegment(segment(false, k, 40000, true, k, 0, Syn), 1, 0, ++i);
    for (let k = 0; k < n; k++) t.feedSegment(segment(false, k, 40000, false, 5, k + 1, Syn | Ack), 2, 0, ++i);
    for (let k = 0; k < n; k++) t.feedSegment(segment(false, k, 40000, true, k + 1, 6, Ack), 3, 0, ++i);
    const cs = t.finish();
    expect(cs).toHaveLength(n);
    expect(cs.filter((c) => c.handshake !== 'complete' || c.history !== 'ShA' || c.state !== 'S1')).toEqual([]);
  });

  it('reports packet counts and timing with nanosecond timestamps beyond 2^53 ns', () => {
    const t = new HandshakeTracker();
    const sec = 4_102_444_800; // 2100-01-01: sec * 1e9 > 2^53
    t.feedSegment(segment(false, 1, 40000, true, 10, 0, Syn), sec, 999_999_999, 1);
    t.feedSegment(segment(false, 1, 40000, false, 20, 11, Syn | Ack), sec + 1, 1, 2);
    t.feedSegment(segment(false, 1, 40000, true, 11, 21, Ack), sec + 1, 3, 3);
    const [c] = t.finish();
    expect(c!.handshakeRtt).toEqual({ synToSynAckNs: 2, synAckToAckNs: 2, totalNs: 4, connectNs: 4 });
    expect(c!.start).toBe(`${sec}.999999999`);
  });

  it('formats endpoints like inet_ntop', () => {
    expect(endpointString(false, 0xc0000201, 0, 0, 0, 80)).toBe('192.0.2.1:80');
    expect(endpointString(true, 0x20010db8, 0, 0, 1, 443)).toBe('[2001:db8::1]:443');
    expect(endpointString(true, 0, 0, 0, 1, 1)).toBe('[::1]:1');
    expect(endpointString(true, 0x20010db8, 0x00010000, 0, 0x00010000, 9)).toBe('[2001:db8:1::1:0]:9');
    expect(endpointString(true, 0, 0, 0xffff, 0xc0000201, 8)).toBe('[::ffff:192.0.2.1]:8');
  });
});

describe('real kernel captures (fixtures/README.md)', () => {
  it('parallel50: 50 complete handshakes, 30 FIN, 10 RST by the client, 10 by the server', async () => {
    const r = await trackHandshakes(join(FIX, 'parallel50.pcap'));
    expect(r.connections).toHaveLength(50);
    expect(r.summary).toMatchObject({ attempts: 50, complete: 50, fin: 30, reset: 20, violations: 0 });
    r.connections.forEach((c, i) => {
      const port = Number(c.client.split(':')[1]);
      const expected = port % 5 === 1 ? 'reset-by-client' : port % 5 === 3 ? 'reset-by-server' : 'fin';
      expect(c.close, `${c.client} (connection ${i})`).toBe(expected);
      expect(c.server).toBe('198.18.0.2:7050');
    });
  });

  it('syn-timeout: three SYNs (tcp_syn_retries=2) at 0, 1 and 3 s, never answered', async () => {
    const [c] = (await trackHandshakes(join(FIX, 'syn-timeout.pcap'))).connections;
    expect(c).toMatchObject({ client: '198.18.0.1:40030', server: '198.18.1.9:7000', handshake: 'timeout', synRetries: 2, state: 'S0', history: 'S' });
    expect(c!.durationNs / 1e9).toBeGreaterThan(2.9);
    expect(c!.durationNs / 1e9).toBeLessThan(3.5);
  });

  it('refused4 and handshake-refused: RST+ACK answers the SYN', async () => {
    for (const f of ['refused4.pcap', 'handshake-refused.pcap']) {
      const [c] = (await trackHandshakes(join(FIX, f))).connections;
      expect(c).toMatchObject({ handshake: 'refused', close: 'reset-by-server', state: 'REJ', history: 'Sr', violations: [] });
    }
  });

  it('tcp4/tcp6: Linux negotiates MSS, SACK, timestamps and window scaling both ways', async () => {
    for (const f of ['tcp4.pcap', 'tcp6.pcap']) {
      const [c] = (await trackHandshakes(join(FIX, f))).connections;
      expect(c!.options.negotiated).toMatchObject({ windowScale: true, sackPermitted: true, timestamps: true });
      // 16 + 4 bytes each way (fixtures/README.md).
      expect(c!.bytes).toEqual({ client: 20, server: 20 });
      expect(c).toMatchObject({ handshake: 'complete', close: 'fin', state: 'SF' });
    }
  });
});

describe('reused connection objects', () => {
  it('a connection built on a recycled object reports exactly what a fresh one does', () => {
    const fresh = new HandshakeTracker();
    handshakeAndClose(fresh, true, 99, 45000, 0xfffffff0, 77, 0);
    const want = fresh.finish();

    // A flood through a tiny cap fills the pool with evicted objects that carry state.
    const reused = new HandshakeTracker({ maxConnections: 2 });
    for (let i = 0; i < 50; i++) {
      reused.feedSegment(segment(false, i, 1024 + i, true, i * 977, 0, Syn | TcpFlag.Ece | TcpFlag.Cwr, 3), 1000, 0, i + 1);
      reused.feedSegment(segment(false, i, 1024 + i, false, 5, i * 977 + 9, Syn | Ack), 1000, 0, i + 1);
      reused.feedSegment(segment(false, i, 1024 + i, true, i * 977 + 1, 6, Fin | Ack, 7), 1000, 0, i + 1);
    }
    handshakeAndClose(reused, true, 99, 45000, 0xfffffff0, 77, 0);
    const got = reused.finish().filter((c) => c.client === want[0]!.client);
    expect(got).toEqual(want);
  });

  it("a history past the tracker's byte store goes on as text, the same in the report and the JSON", () => {
    // Zeek records F (f from the responder) again whenever a FIN ends at another sequence number
    // than the last: the client's twenty FINs at twenty positions, after S, h and A, are 23 letters.
    const feed = (t: HandshakeTracker): void => {
      let i = 0;
      const c = (seq: number, ack: number, f: number) => t.feedSegment(segment(false, 5, 41000, true, seq, ack, f), 1000 + i, 0, ++i);
      c(100, 0, Syn);
      t.feedSegment(segment(false, 5, 41000, false, 900, 101, Syn | Ack), 1000 + i, 0, ++i);
      c(101, 901, Ack);
      for (let k = 0; k < 20; k++) c(101 + k, 901, Fin | Ack);
    };
    const objects = new HandshakeTracker();
    feed(objects);
    const [report] = objects.finish();
    expect(report!.history).toBe(`ShA${'F'.repeat(20)}`);
    const json = new HandshakeTracker({ json: true });
    feed(json);
    const pieces: Buffer[] = [];
    json.finishJson((piece) => pieces.push(Buffer.from(piece)));
    expect(Buffer.concat(pieces).toString('utf8')).toBe(JSON.stringify(report));
  });
});
