/**
 * libpcap as a second oracle: `tcpdump -r FILE -w OUT` writes every record exactly as libpcap
 * read it (timestamp, captured and wire length, bytes), and stops where libpcap finds a fault.
 * Our records must be the same, byte for byte, on every capture libpcap reads. This covers the
 * files tshark reads differently (see TSHARK_DIFFERS) and libpcap's snaplen rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/errors.js';
import { openCapture, type CaptureRecord } from '../../src/capture/index.js';
import { CORPUS_DIR, FIXTURES_DIR, captureFiles, corpusPresent, hasTool } from './oracle.js';

const tcpdump = hasTool('tcpdump');
const work = mkdtempSync(join(tmpdir(), 'ws-capture-libpcap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Where libpcap, not we, is the odd one out; each checked against tshark, which agrees with us. */
const LIBPCAP_DIFFERS: Record<string, string> = {
  // libpcap refuses a pcapng whose interfaces have different link types ("an interface has a
  // type 276 different from the type of the first interface") and delivers nothing; tshark
  // reads all 12 records with their own link types, as we do.
  'two-links.pcapng': 'two link types in one file',
  'two-links-be.pcapng': 'two link types in one file',
};

interface LibpcapRecord {
  sec: number;
  frac: number;
  capLen: number;
  origLen: number;
  data: Buffer;
}

/** The records of a little-endian pcap as tcpdump -w wrote them (walked from the pcap spec). */
function pcapRecords(b: Buffer): LibpcapRecord[] {
  const out: LibpcapRecord[] = [];
  for (let p = 24; p + 16 <= b.length; ) {
    const capLen = b.readUInt32LE(p + 8);
    out.push({ sec: b.readUInt32LE(p), frac: b.readUInt32LE(p + 4), capLen, origLen: b.readUInt32LE(p + 12), data: b.subarray(p + 16, p + 16 + capLen) });
    p += 16 + capLen;
  }
  return out;
}

/** Micro pcaps are re-read at micro precision, so libpcap never scales a bad fraction. */
function isMicroPcap(file: string): boolean {
  const head = (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file)).subarray(0, 4);
  return head.length === 4 && [0xa1b2c3d4, 0xa1b2cd34].some((m) => head.readUInt32LE(0) === m || head.readUInt32BE(0) === m);
}

async function ours(file: string): Promise<{ records: CaptureRecord[]; fault: CaptureError | null }> {
  const records: CaptureRecord[] = [];
  try {
    const src = await openCapture(file);
    for await (const batch of src) for (const r of batch) records.push(r.copy());
    return { records, fault: null };
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    return { records, fault: e };
  }
}

async function agree(file: string): Promise<void> {
  const micro = isMicroPcap(file);
  const out = join(work, basename(file) + '.pcap');
  rmSync(out, { force: true });
  const args = ['-w', out, `--time-stamp-precision=${micro ? 'micro' : 'nano'}`];
  // libpcap does not read gzip; it gets the decompressed bytes on stdin.
  const run = file.endsWith('.gz')
    ? spawnSync('sh', ['-c', 'gzip -dc "$0" | tcpdump -r - "$@"', file, ...args], { encoding: 'utf8' })
    : spawnSync('tcpdump', ['-r', file, ...args], { encoding: 'utf8' });
  const complaint = run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file')).join(' ');
  const theirs = run.status === 0 || complaint.includes('pcap_loop') ? pcapRecords(safeRead(out)) : [];
  const mine = await ours(file);
  const label = relative(FIXTURES_DIR, file).startsWith('..') ? basename(file) : relative(FIXTURES_DIR, file);
  expect(mine.fault === null, `${label}: we say ${mine.fault?.message}; tcpdump says ${complaint}`).toBe(run.status === 0);
  expect(mine.records.length, label).toBe(theirs.length);
  mine.records.forEach((r, i) => {
    const t = theirs[i]!;
    const where = `${label} record ${i + 1}`;
    // A pcap stores 32-bit seconds; pcapng times past 2106 (corpus time_2106_overflow,
    // time_2107; tshark checks their full value) come out of tcpdump -w modulo 2^32.
    expect([r.tsSec % 2 ** 32, micro ? r.tsNsec / 1000 : r.tsNsec], where).toEqual([t.sec, t.frac]);
    expect([r.capLen, r.origLen], where).toEqual([t.capLen, t.origLen]);
    expect(r.data.equals(t.data), `${where} bytes`).toBe(true);
  });
}

function safeRead(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

const fixtureFiles = captureFiles(FIXTURES_DIR).filter((f) => !(basename(f) in LIBPCAP_DIFFERS));
const corpusFiles = captureFiles(CORPUS_DIR, ['.pcap', '.pcapng']);

describe.skipIf(!tcpdump)('records agree with libpcap (tcpdump -r FILE -w OUT)', () => {
  it.each(fixtureFiles.map((f) => [relative(FIXTURES_DIR, f), f]))('fixtures/%s', async (_n, file) => agree(file));
  describe.skipIf(!corpusPresent())('shared tcpdump corpus', () => {
    it.each(corpusFiles.map((f) => [basename(f), f]))('%s', async (_n, file) => agree(file));
  });
});

it('says why libpcap comparisons are skipped', () => {
  if (!tcpdump) console.log('tcpdump is not installed: libpcap agreement tests skipped');
  if (!corpusPresent()) console.log(`shared corpus absent (${CORPUS_DIR}): corpus libpcap agreement skipped`);
  expect(true).toBe(true);
});
