/**
 * The tracker reads plain Ethernet frames (IPv4 without options and not a fragment, or IPv6 with
 * TCP right after the fixed header) straight from their bytes, and hands every other frame to the
 * decoder. Both ways must give the same report: on every capture in fixtures/ (and the tcpdump
 * corpus when present), and on encoder-built frames that sit on either side of each condition
 * of the direct path (IP options, fragments, lengths that disagree, short TCP headers, cut
 * captures, VLAN tags, UDP).
 */
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.js';
import { PacketDecoder, encodePacket, type PacketSpec } from '../../src/codec/index.js';
import { HandshakeTracker, trackHandshakes, type HandshakeReport, type HandshakeSource } from '../../src/track/index.js';
import { captureFiles, pcapFile } from '../pcap-file.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'tcpdump');

/** Every record decoded by the PacketDecoder and fed with `feed`: the path without shortcuts. */
async function viaDecoder(source: HandshakeSource, name: string, maxPackets = Infinity): Promise<HandshakeReport | null> {
  const tracker = new HandshakeTracker({ file: name });
  const decoder = new PacketDecoder();
  let records;
  try {
    records = await openCapture(source as string | Buffer, { name });
  } catch {
    return null;
  }
  try {
    for await (const batch of records) {
      for (const r of batch) {
        if (r.index > maxPackets) break;
        tracker.feed(decoder.decode(r.buf, r.offset, r.capLen, r.linkType, r.origLen), r.tsSec, r.tsNsec, r.index);
      }
    }
  } catch {
    return null; // a faulty file: bad-input tests cover those
  } finally {
    await records.close();
  }
  return { connections: tracker.finish(), summary: tracker.summary };
}

async function expectSameReport(source: HandshakeSource, name: string): Promise<void> {
  const decoded = await viaDecoder(source, name);
  if (decoded === null) return;
  const tracked = await trackHandshakes(source, { name });
  expect(tracked, name).toEqual(decoded);
}

/** A pcap file of Ethernet frames, each cut to its caplen, eight to a second. */
function pcapOf(frames: readonly { bytes: Buffer; capLen: number }[]): Buffer {
  return pcapFile(frames.map((f, i) => ({ ...f, sec: 1_700_000_000 + (i >> 3), usec: (i * 1237) % 1_000_000 })));
}

const segmentArb = fc.record({
  v6: fc.boolean(),
  fromClient: fc.boolean(),
  port: fc.integer({ min: 40000, max: 40002 }),
  flags: fc.oneof(fc.constantFrom(0x02, 0x12, 0x10, 0x18, 0x11, 0x14, 0x04), fc.integer({ min: 0, max: 255 })),
  seq: fc.constantFrom(1000, 1001, 1101, 0xfffffff0, 5000),
  ack: fc.constantFrom(0, 1001, 5001, 1101, 0xfffffff1),
  window: fc.constantFrom(0, 1, 65535),
  payload: fc.integer({ min: 0, max: 40 }),
  options: fc.constantFrom('none', 'mss', 'ts', 'bad'),
  // What takes a frame off the direct path, or puts it right at an edge of it.
  twist: fc.constantFrom('none', 'none', 'none', 'ipOptions', 'mf', 'fragOffset', 'longIpLength', 'shortIpLength',
    'tinyIpLength', 'dataOffset3', 'dataOffset15', 'cut', 'cutHeader', 'vlan', 'udp', 'trailer', 'v6ext', 'v6short'),
  cutAt: fc.integer({ min: 0, max: 80 }),
});
type SegmentCase = typeof segmentArb extends fc.Arbitrary<infer T> ? T : never;

function frameOf(s: SegmentCase): { bytes: Buffer; capLen: number } {
  const client = s.v6 ? 'fd00::1' : '10.0.0.1';
  const server = s.v6 ? 'fd00::2' : '10.0.0.2';
  const [src, dst] = s.fromClient ? [client, server] : [server, client];
  const [srcPort, dstPort] = s.fromClient ? [s.port, 80] : [80, s.port];
  const optionBytes = { none: [], mss: [2, 4, 5, 180], ts: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], bad: [2, 9, 5, 180] }[s.options];
  const spec: PacketSpec = {
    link: { type: 'ethernet', ...(s.twist === 'vlan' ? { vlans: [{ vid: 7 }] } : {}), ...(s.twist === 'trailer' ? { trailer: [0, 0, 0, 0, 0, 0] } : {}) },
    network: s.v6
      ? {
        type: 'ipv6', src, dst,
        ...(s.twist === 'v6ext' ? { extensions: [{ type: 'destOptions' }] } : {}),
        ...(s.twist === 'v6short' ? { payloadLength: 10 } : {}),
        ...(s.twist === 'longIpLength' ? { payloadLength: 2000 } : {}),
      } as PacketSpec['network']
      : {
        type: 'ipv4', src, dst,
        ...(s.twist === 'ipOptions' ? { optionBytes: [1, 1, 1, 0] } : {}),
        ...(s.twist === 'mf' ? { mf: true } : {}),
        ...(s.twist === 'fragOffset' ? { fragmentOffset: 8 } : {}),
        ...(s.twist === 'longIpLength' ? { totalLength: 2000 } : {}),
        ...(s.twist === 'shortIpLength' ? { totalLength: 45 } : {}),
        ...(s.twist === 'tinyIpLength' ? { totalLength: 12 } : {}),
      },
    transport: s.twist === 'udp'
      ? { type: 'udp', srcPort, dstPort }
      : {
        type: 'tcp', srcPort, dstPort, seq: s.seq, ack: s.ack, flags: s.flags, window: s.window, optionBytes,
        ...(s.twist === 'dataOffset3' ? { dataOffset: 3 } : {}),
        ...(s.twist === 'dataOffset15' ? { dataOffset: 15 } : {}),
      },
    payload: Buffer.alloc(s.payload, 0x61),
  };
  const bytes = encodePacket(spec);
  const capLen = s.twist === 'cut' ? bytes.length - Math.min(s.cutAt, bytes.length - 1)
    : s.twist === 'cutHeader' ? Math.min(bytes.length, 40 + s.cutAt % 40) : bytes.length;
  return { bytes, capLen };
}

describe('TCP segments read straight from Ethernet frames', () => {
  it('give the decoder path\'s report on every capture in fixtures/', async () => {
    const files = captureFiles(join(ROOT, 'fixtures'));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) await expectSameReport(f, f);
  });

  it.skipIf(!existsSync(CORPUS))('give the decoder path\'s report on the tcpdump corpus', async () => {
    const files = captureFiles(CORPUS);
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) await expectSameReport(f, f);
  }, 120_000);

  it.skipIf(existsSync(CORPUS))(`${CORPUS} is absent: the corpus comparison is skipped`, () => {});

  it('give the decoder path\'s report on frames at every edge of the direct path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(segmentArb, { minLength: 1, maxLength: 40 }), async (segments) => {
        await expectSameReport(pcapOf(segments.map(frameOf)), '<frames>');
      }),
      { numRuns: 300 },
    );
  });

  it('stop for the decoder at the first frame that needs it and go on from that frame, maxPackets counted once', async () => {
    const plain = (seq: number, flags: number, payload = 0) =>
      frameOf({ v6: false, fromClient: true, port: 40000, flags, seq: seq as SegmentCase['seq'], ack: 5001, window: 65535, payload, options: 'none', twist: 'none', cutAt: 0 });
    const reply = frameOf({ v6: false, fromClient: false, port: 40000, flags: 0x12, seq: 5000, ack: 1001, window: 65535, payload: 0, options: 'mss', twist: 'none', cutAt: 0 });
    const tagged = frameOf({ v6: false, fromClient: true, port: 40000, flags: 0x18, seq: 1001, ack: 5001, window: 65535, payload: 10, options: 'none', twist: 'vlan', cutAt: 0 });
    const frames = [plain(1000, 0x02), reply, plain(1001, 0x10), tagged, plain(1011, 0x18, 5), tagged, plain(1016, 0x11)];
    const file = pcapOf(frames);
    for (let max = 1; max <= frames.length + 1; max++) {
      const decoded = await viaDecoder(file, '<frames>', max);
      expect(await trackHandshakes(file, { name: '<frames>', maxPackets: max }), `maxPackets ${max}`).toEqual(decoded);
    }
    expect((await trackHandshakes(file, { name: '<frames>' })).connections[0]).toMatchObject({ history: 'ShADTF', packets: { client: 6, server: 1 } }); // T: the tagged segment sent twice
  });

  it('take the direct path for the frames it is meant for', async () => {
    // A connection of plain frames: the tracker must see it whole (and so must the decoder path).
    const frames = [
      frameOf({ v6: false, fromClient: true, port: 40000, flags: 0x02, seq: 1000, ack: 0, window: 65535, payload: 0, options: 'mss', twist: 'none', cutAt: 0 }),
      frameOf({ v6: false, fromClient: false, port: 40000, flags: 0x12, seq: 5000, ack: 1001, window: 65535, payload: 0, options: 'mss', twist: 'none', cutAt: 0 }),
      frameOf({ v6: false, fromClient: true, port: 40000, flags: 0x10, seq: 1001, ack: 5001, window: 65535, payload: 0, options: 'none', twist: 'trailer', cutAt: 0 }),
    ];
    const report = await trackHandshakes(pcapOf(frames), { name: '<frames>' });
    expect(report.connections).toHaveLength(1);
    expect(report.connections[0]).toMatchObject({ handshake: 'complete', client: '10.0.0.1:40000', server: '10.0.0.2:80', history: 'ShA' });
  });
});
