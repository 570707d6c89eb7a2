/**
 * A SYN flood for the tracker's memory bench: 1,000,000 SYNs, each from its own 4-tuple (a
 * /12 of spoofed IPv4 sources times 16 source ports) to one server, none answered. Built with
 * our encoder and pcap writer into `<dataDir>/flood-v1.pcap` once, then reused.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openWriter } from '../src/capture/index.js';
import { CaptureRecord } from '../src/capture/record.js';
import { encodePacket, encodedLength, type PacketSpec } from '../src/codec/index.js';

export const FLOOD_CONNECTIONS = 1_000_000;
const FILE = 'flood-v1.pcap';
const BASE_SEC = 1_700_000_000;

function floodSpec(i: number): PacketSpec {
  const host = i >>> 4;
  return {
    link: { type: 'ethernet', src: '02:00:00:00:00:66', dst: '02:00:00:00:00:01' },
    network: {
      type: 'ipv4',
      src: `10.${16 + ((host >>> 16) & 15)}.${(host >>> 8) & 255}.${host & 255}`,
      dst: '192.0.2.80',
      ttl: 64,
      id: i & 0xffff,
    },
    transport: {
      type: 'tcp',
      srcPort: 1024 + (i & 15) * 3000 + (host % 3000),
      dstPort: 80,
      seq: Math.imul(i + 1, 0x9e3779b1) >>> 0,
      flags: 0x02,
      window: 64240,
      options: [{ type: 'mss', value: 1460 }],
    },
  };
}

export function writeFloodCapture(path: string, count: number): Promise<void> {
  const writer = openWriter(path, { format: 'pcap', linkType: 1, snaplen: 262144 });
  const rec = new CaptureRecord();
  rec.linkType = 1;
  const scratch = Buffer.alloc(128);
  for (let i = 0; i < count; i++) {
    const spec = floodSpec(i);
    const frame = encodePacket(spec, scratch, 0);
    rec.buf = frame;
    rec.offset = 0;
    rec.capLen = rec.origLen = encodedLength(spec);
    // 20 µs apart: 50,000 SYNs a second for 20 s.
    const us = i * 20;
    rec.tsSec = BASE_SEC + Math.floor(us / 1e6);
    rec.tsNsec = (us % 1e6) * 1000;
    writer.write(rec);
  }
  return writer.close();
}

/** Makes the flood capture unless it is already there; returns its path. */
export async function ensureFloodCapture(dataDir: string): Promise<string> {
  const path = join(dataDir, FILE);
  if (existsSync(path) && statSync(path).size >= 24 + FLOOD_CONNECTIONS * (16 + 58)) return path;
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFloodCapture(tmp, FLOOD_CONNECTIONS);
  renameSync(tmp, path);
  return path;
}
