/**
 * The >= 1 GiB benchmark capture: the big capture's records repeated, each copy shifted later in
 * time by the span of the original (plus a second) so timestamps keep increasing. Cached as
 * `<dataDir>/gig-of-<source name>` (a new big capture gets a new one); built with plain record
 * walking, not the reader under test.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

export const GIG_BYTES = 1 << 30;

/** Builds the capture unless it is already there; returns its path. */
export async function ensureGigCapture(dataDir: string, fromPcap: string): Promise<string> {
  const path = join(dataDir, `gig-of-${basename(fromPcap)}`);
  if (existsSync(path) && statSync(path).size >= GIG_BYTES) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  writeGigCapture(fromPcap, tmp, GIG_BYTES);
  renameSync(tmp, path);
  return path;
}

/** The little-endian microsecond pcap `from`, its records repeated until the file has `size` bytes. */
export function writeGigCapture(from: string, to: string, size: number): void {
  const src = readFileSync(from);
  if (src.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${from}: expected a little-endian microsecond pcap`);
  const body = src.subarray(24);
  const starts: number[] = [];
  for (let p = 0; p + 16 <= body.length; p += 16 + body.readUInt32LE(p + 8)) starts.push(p);
  if (starts.length === 0) throw new Error(`${from}: no records`);
  const seconds = Uint32Array.from(starts, (p) => body.readUInt32LE(p));
  const shift = seconds[seconds.length - 1]! - seconds[0]! + 1;
  const fd = openSync(to, 'w');
  try {
    writeSync(fd, src, 0, 24);
    let written = 24;
    for (let k = 0; written < size; k++) {
      // Copy k is the original shifted k spans later; the body is rewritten in place.
      if (k > 0) starts.forEach((p, i) => body.writeUInt32LE((seconds[i]! + k * shift) >>> 0, p));
      for (let off = 0; off < body.length; ) off += writeSync(fd, body, off, Math.min(16 << 20, body.length - off));
      written += body.length;
    }
  } finally {
    closeSync(fd);
  }
}
