/**
 * Independent walkers over capture file layouts (record and block offsets), written from the
 * format specs for the tests, so expected offsets never come from the reader under test.
 */
import { readFileSync } from 'node:fs';

export function pcapRecordOffsets(file: string): number[] {
  const b = readFileSync(file);
  const le = b[0] === 0xd4 || b[0] === 0x4d || b[0] === 0x34;
  const hdr = (le ? b.readUInt32LE(0) : b.readUInt32BE(0)) === 0xa1b2cd34 ? 24 : 16;
  const out: number[] = [];
  for (let p = 24; p + hdr <= b.length; p += hdr + (le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8))) out.push(p);
  return out;
}

export interface BlockAt {
  offset: number;
  type: number;
  length: number;
}

export function pcapngBlocks(file: string): BlockAt[] {
  const b = readFileSync(file);
  const out: BlockAt[] = [];
  let le = true;
  for (let p = 0; p + 12 <= b.length; ) {
    if (b.readUInt32LE(p) === 0x0a0d0d0a) le = b.readUInt32LE(p + 8) === 0x1a2b3c4d;
    const type = le ? b.readUInt32LE(p) : b.readUInt32BE(p);
    const length = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
    out.push({ offset: p, type, length });
    if (length < 12) break;
    p += length;
  }
  return out;
}
