/**
 * Acceptance: on every capture in fixtures/ and in the shared tcpdump corpus, the records we read
 * agree with tshark: count, time to the nanosecond, wire and captured length, link type.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/errors.js';
import { CaptureRecord, openCapture, openWriter, type InterfaceInfo } from '../../src/capture/index.js';
import { CORPUS_DIR, FIXTURES_DIR, captureFiles, corpusPresent, epochString, hasTool, tsharkRead } from './oracle.js';

const tshark = hasTool('tshark');
const work = mkdtempSync(join(tmpdir(), 'ws-capture-oracle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Files tshark cannot be the oracle for, with the reason. tcpdump (libpcap) is their oracle
 * instead, in tcpdump-agreement.test.ts.
 */
export const TSHARK_DIFFERS: Record<string, string> = {
  // Fractions beyond one second (usec 1000000 and 2147483648, nsec 1000000000 and 2147483648).
  // Wireshark keeps nanoseconds in a signed 32-bit int: usec * 1000 wraps and 2147483648 ns is
  // printed negative. libpcap hands the raw fraction through and tcpdump prints it; so do we.
  'timestamp_invalid_micro.pcap': 'fraction overflows Wireshark nstime (signed 32-bit ns)',
  'timestamp_invalid_nano.pcap': 'fraction overflows Wireshark nstime (signed 32-bit ns)',
  // Record 3 claims 4294967295 bytes. Wireshark's pcap reader then guesses the file is one of
  // the old patched-header variants and re-reads the records with other header sizes (a third
  // "record" of 0 bytes at 4294967295.000098). libpcap reads 2 records and stops, as we do.
  'record-claims-4gb.pcap': 'Wireshark re-guesses the pcap variant on a bad record',
};

/**
 * Files with records longer than the pcap snaplen. By default we cut them to the snaplen as
 * libpcap does (tcpdump-agreement checks that); Wireshark keeps every byte, so they are compared
 * with tshark when read with `keepBeyondSnaplen`.
 */
const BEYOND_SNAPLEN = new Set(['ipv6_missing_jumbo_payload_option.pcap']);

interface Read {
  records: CaptureRecord[];
  linkTypes: number[];
  fault: CaptureError | null;
}

async function readAll(file: string): Promise<Read> {
  const records: CaptureRecord[] = [];
  let fault: CaptureError | null = null;
  let interfaces: InterfaceInfo[] = [];
  try {
    const src = await openCapture(file, { keepBeyondSnaplen: BEYOND_SNAPLEN.has(basename(file)) });
    interfaces = src.info.interfaces;
    for await (const batch of src) for (const r of batch) records.push(r.copy());
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    fault = e;
  }
  return { records, linkTypes: interfaces.map((i) => i.linkType), fault };
}

/**
 * tshark reports Wireshark's encapsulation numbers, not LINKTYPE_ values. The mapping comes
 * from tshark itself: a probe pcapng with one interface per link type and one packet each.
 */
async function encapOf(linkTypes: number[]): Promise<Map<number, number>> {
  const probe = join(work, 'probe.pcapng');
  const interfaces = linkTypes.map((linkType) => ({ linkType, snaplen: 262144 }));
  const w = openWriter(probe, { format: 'pcapng', linkType: linkTypes[0] ?? 1, interfaces });
  linkTypes.forEach((linkType, i) => {
    const r = new CaptureRecord();
    r.interfaceId = i;
    r.linkType = linkType;
    r.tsSec = 1;
    r.buf = Buffer.alloc(64);
    r.capLen = r.origLen = 64;
    w.write(r);
  });
  await w.close();
  const seen = tsharkRead(probe).records;
  expect(seen.length).toBe(linkTypes.length);
  return new Map(linkTypes.map((lt, i) => [lt, seen[i]!.encap]));
}

const fixtureFiles = captureFiles(FIXTURES_DIR);

const corpusFiles = captureFiles(CORPUS_DIR, ['.pcap', '.pcapng']);

describe.skipIf(!tshark)('records agree with tshark', () => {
  const reads = new Map<string, Read>();
  let encap = new Map<number, number>();

  beforeAll(async () => {
    for (const f of [...fixtureFiles, ...corpusFiles]) reads.set(f, await readAll(f));
    const all = new Set<number>();
    for (const r of reads.values()) for (const lt of r.linkTypes) all.add(lt);
    encap = await encapOf([...all].sort((a, b) => a - b));
  });

  function agree(file: string): void {
    const ours = reads.get(file)!;
    const theirs = tsharkRead(file);
    const label = basename(file);
    // tshark stops at a fault too (and says why); the good records before it must match.
    expect(ours.fault === null, `${label}: we say ${ours.fault?.message}; tshark says ${theirs.error}`).toBe(theirs.error === '');
    expect(ours.records.length, label).toBe(theirs.records.length);
    ours.records.forEach((r, i) => {
      const t = theirs.records[i]!;
      const where = `${label} record ${i + 1}`;
      expect(epochString(r.tsSec, r.tsNsec), where).toBe(t.time);
      expect(r.origLen, where).toBe(t.len);
      expect(r.capLen, where).toBe(t.capLen);
      expect(encap.get(r.linkType), `${where} link type ${r.linkType}`).toBe(t.encap);
    });
  }

  it.each(fixtureFiles.filter((f) => !(basename(f) in TSHARK_DIFFERS)).map((f) => [relative(FIXTURES_DIR, f), f]))('fixtures/%s', (_name, file) => agree(file));

  describe.skipIf(!corpusPresent())('shared tcpdump corpus', () => {
    it.each(corpusFiles.filter((f) => !(basename(f) in TSHARK_DIFFERS)).map((f) => [basename(f), f]))('%s', (_name, file) => agree(file));
  });
});

it('says why the shared corpus or tshark comparisons are skipped', () => {
  if (!tshark) console.log('tshark is not installed: tshark agreement tests skipped');
  if (!corpusPresent()) console.log(`shared corpus absent (${CORPUS_DIR}): corpus agreement tests skipped`);
  expect(true).toBe(true);
});
