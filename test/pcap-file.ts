/**
 * Capture files for tests, built by hand: a classic pcap (microseconds, little-endian) of
 * encoder-built frames, and the capture files below a folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PcapFrame {
  bytes: Uint8Array;
  /** Bytes kept (default all): a record cut by the snaplen. */
  capLen?: number;
  /** Timestamp (default 1,700,000,000 s plus the record number, and 0 µs). */
  sec?: number;
  usec?: number;
}

/** A pcap file of `frames` with the given link type (default Ethernet). */
export function pcapFile(frames: readonly PcapFrame[], linkType = 1): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [head];
  frames.forEach((f, i) => {
    const cap = Math.min(f.capLen ?? f.bytes.length, f.bytes.length);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(f.sec ?? 1_700_000_000 + i, 0);
    rec.writeUInt32LE(f.usec ?? 0, 4);
    rec.writeUInt32LE(cap, 8);
    rec.writeUInt32LE(f.bytes.length, 12);
    parts.push(rec, Buffer.from(f.bytes.buffer, f.bytes.byteOffset, cap));
  });
  return Buffer.concat(parts);
}

/** Every .pcap, .pcapng and .gz file below `dir`, sorted by path within each folder. */
export function captureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...captureFiles(path));
    else if (/\.(pcap|pcapng|gz)$/.test(name)) out.push(path);
  }
  return out;
}
