/**
 * LiveCapture's own logic, driven by a stand-in for cap's handle (no libpcap, no root): copying
 * out of the one reused buffer, batching, chunk reuse while batches are still held, the queue
 * limit, -c, close, stamps and wire lengths.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/record.js';
import type { CapHandle } from '../../src/live/binding.js';
import { linkTypeFromCap } from '../../src/live/linktype.js';
import { formatInterfaceLine, prefixSuffix } from '../../src/live/interfaces.js';
import { parseDuration } from '../../src/live/index.js';
import { CAP_SNAPLEN, LiveCapture, type LiveCaptureOptions } from '../../src/live/source.js';

/** Emits packets the way cap does: bytes copied into the one shared buffer, then an event. */
class FakeCap extends EventEmitter implements CapHandle {
  readonly buffer = Buffer.alloc(CAP_SNAPLEN + 1);
  closed = false;
  open(): string {
    return 'ETHERNET';
  }
  close(): boolean {
    this.closed = true;
    return true;
  }
  /** Packet `seq`: its length and every byte derive from seq, so corruption is detectable. */
  emitPacket(seq: number, len = packetLength(seq)): void {
    if (this.closed) return;
    for (let i = 0; i < len; i++) this.buffer[i] = (seq * 31 + i) & 0xff;
    if (len >= 4) this.buffer.writeUInt32BE(seq, 0);
    this.emit('packet', len, false);
  }
}

const packetLength = (seq: number): number => 60 + ((seq * 7919) % 1400);

function open(opts: Partial<LiveCaptureOptions> = {}) {
  const cap = new FakeCap();
  const live = new LiveCapture(cap, cap.buffer, 'ETHERNET', 'fake0', { interface: 'fake0', ...opts });
  return { cap, live };
}

function intact(r: CaptureRecord, seq: number): boolean {
  if (r.capLen !== packetLength(seq) || r.buf.readUInt32BE(r.offset) !== seq) return false;
  for (let i = 4; i < r.capLen; i++) if (r.buf[r.offset + i] !== ((seq * 31 + i) & 0xff)) return false;
  return true;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('LiveCapture with a stand-in cap handle', () => {
  it('keeps every record of a held batch intact while later packets arrive, in order, numbered', async () => {
    const { cap, live } = open();
    const total = 30_000;
    let sent = 0;
    // Producer: bursts of up to 3000 packets per event-loop turn (1.5 MB or so: several chunks).
    const producer = (async () => {
      for (let burst = 1; sent < total && burst < 10_000; burst++) {
        const n = Math.min(total - sent, (burst * 1237) % 3000);
        for (let i = 0; i < n; i++) cap.emitPacket(sent++);
        await tick();
      }
      await live.close();
    })();
    let expected = 0;
    let batches = 0;
    let prevNs = 0;
    const bad: number[] = [];
    for await (const batch of live) {
      batches++;
      await tick(); // more packets land while this batch is held
      await tick();
      for (const r of batch) {
        const ns = r.tsSec * 1e9 + r.tsNsec;
        const ok =
          intact(r, expected) && r.index === expected + 1 && r.origLen === r.capLen && r.linkType === 1 && ns >= prevNs && r.tsNsec < 1e9;
        if (!ok) bad.push(expected);
        prevNs = ns;
        expected++;
      }
    }
    await producer;
    expect(bad.slice(0, 10)).toEqual([]);
    expect(expected).toBe(total);
    expect(batches).toBeGreaterThan(5);
    expect(live.stats()).toEqual({ captured: total, received: total, dropped: 0, ifDropped: 0 });
    expect(cap.closed).toBe(true);
    // Stamps are wall-clock time.
    expect(Math.abs(prevNs / 1e6 - Date.now())).toBeLessThan(5000);
  });

  it('drops and counts packets beyond the queue limit when nobody reads', async () => {
    const { cap, live } = open({ queueBytes: 2 << 20 });
    let bytes = 0;
    let seq = 0;
    for (; bytes < 6 << 20; seq++) {
      cap.emitPacket(seq);
      bytes += packetLength(seq);
    }
    await live.close();
    const s = live.stats();
    expect(s.received).toBe(seq);
    expect(s.dropped).toBeGreaterThan(0);
    let got = 0;
    let last = -1;
    for await (const batch of live) {
      for (const r of batch) {
        // A small packet may still fit where a big one was dropped: gaps, never reordering.
        const seq = r.buf.readUInt32BE(r.offset);
        expect(seq).toBeGreaterThan(last);
        expect(intact(r, seq)).toBe(true);
        last = seq;
        got++;
      }
    }
    expect(got + s.dropped).toBe(seq);
    expect(live.stats().captured).toBe(got);
  });

  it('applies snaplen, and stops by itself after maxPackets (-c)', async () => {
    const { cap, live } = open({ snaplen: 100, maxPackets: 5 });
    for (let i = 0; i < 8; i++) cap.emitPacket(i);
    expect(cap.closed).toBe(true);
    const recs: CaptureRecord[] = [];
    for await (const batch of live) for (const r of batch) recs.push(r.copy());
    expect(recs.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(recs.map((r) => r.capLen)).toEqual([0, 1, 2, 3, 4].map((i) => Math.min(100, packetLength(i))));
    expect(recs.map((r) => r.origLen)).toEqual([0, 1, 2, 3, 4].map(packetLength));
    expect(live.stats()).toMatchObject({ captured: 5, received: 5 });
  });

  it('recovers the wire length of a packet cut at cap\'s 65535-byte snaplen from the IP header', async () => {
    const { cap, live } = open();
    cap.buffer.fill(0, 0, 64);
    cap.buffer.writeUInt16BE(0x0800, 12);
    cap.buffer[14] = 0x45;
    cap.buffer.writeUInt16BE(65_516, 16); // IPv4 total length: frame = 14 + 65516 = 65530... below the cut
    cap.emit('packet', 65_530, false);
    cap.buffer.writeUInt16BE(0x86dd, 12);
    cap.buffer[14] = 0x60;
    cap.buffer.writeUInt16BE(65_535, 18); // IPv6 payload length 65535: frame 14 + 40 + 65535
    cap.emit('packet', CAP_SNAPLEN, false);
    await live.close();
    const lens: [number, number][] = [];
    for await (const batch of live) for (const r of batch) lens.push([r.capLen, r.origLen]);
    expect(lens).toEqual([
      [65_530, 65_530],
      [65_535, 14 + 40 + 65_535],
    ]);
  });

  it('ends iteration when closed with nothing queued, and close is idempotent', async () => {
    const { live } = open();
    const it = live[Symbol.asyncIterator]();
    const pending = it.next();
    await live.close();
    await live.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});

describe('live helpers', () => {
  it('maps what cap.open returns to LINKTYPE numbers', () => {
    expect(linkTypeFromCap('ETHERNET')).toBe(1);
    expect(linkTypeFromCap('LINKTYPE_LINUX_SLL')).toBe(113);
    expect(linkTypeFromCap('RAW')).toBe(101);
    expect(linkTypeFromCap('NULL')).toBe(0);
    expect(linkTypeFromCap('Unknown linktype 276')).toBe(276);
    expect(linkTypeFromCap('Unknown linktype 12')).toBe(101);
    expect(linkTypeFromCap('nonsense')).toBe(-1);
  });

  it('writes tcpdump -D lines and address prefixes', () => {
    const base = { index: 1, name: 'eth0', up: true, running: true, loopback: false, wireless: false, connection: 'connected' as const, addresses: [] };
    expect(formatInterfaceLine(base)).toBe('1.eth0 [Up, Running, Connected]');
    expect(formatInterfaceLine({ ...base, index: 2, name: 'any', description: 'Pseudo-device that captures on all interfaces', connection: 'not-applicable' })).toBe(
      '2.any (Pseudo-device that captures on all interfaces) [Up, Running]',
    );
    expect(formatInterfaceLine({ ...base, name: 'lo', loopback: true, connection: 'not-applicable' })).toBe('1.lo [Up, Running, Loopback]');
    expect(formatInterfaceLine({ ...base, up: false, running: false, connection: 'unknown' })).toBe('1.eth0 [none]');
    expect(formatInterfaceLine({ ...base, up: false, running: false, connection: 'disconnected' })).toBe('1.eth0 [none, Disconnected]');
    expect(formatInterfaceLine({ ...base, up: false, running: false, wireless: true, connection: 'unknown' })).toBe('1.eth0 [Wireless]');
    expect(prefixSuffix('255.255.255.0')).toBe('/24');
    expect(prefixSuffix('ffff:ffff:ffff:ffff::')).toBe('/64');
    expect(prefixSuffix('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('/128');
    expect(prefixSuffix(undefined)).toBe('');
  });

  it('parses --duration', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5')).toBe(1500);
    expect(() => parseDuration('soon')).toThrow(/bad duration/);
  });
});
