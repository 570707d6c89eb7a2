/**
 * Bad input: one CaptureError naming file, record or block number and byte offset, thrown only
 * after every good record before the fault was delivered. Expected positions come from the
 * fixture layout (test/capture/layout.ts) and from how fixtures/capture/make.sh cut the files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/errors.js';
import { openCapture, readAllRecords, type CaptureRecord } from '../../src/capture/index.js';
import { pcapRecordOffsets, pcapngBlocks } from './layout.js';
import { CAPTURE_FIXTURES } from './oracle.js';

const fx = (name: string): string => join(CAPTURE_FIXTURES, name);

interface Outcome {
  records: CaptureRecord[];
  error: CaptureError;
  /** Records delivered in batches before the iterator threw. */
  deliveredBeforeThrow: number;
}

async function readUntilFault(input: string | Buffer | NodeJS.ReadableStream, name?: string): Promise<Outcome> {
  const records: CaptureRecord[] = [];
  try {
    const src = await openCapture(input, name === undefined ? {} : { name });
    for await (const batch of src) for (const r of batch) records.push(r.copy());
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    return { records, error: e as CaptureError, deliveredBeforeThrow: records.length };
  }
  throw new Error('expected a CaptureError');
}

async function goodRecords(name: string): Promise<CaptureRecord[]> {
  return readAllRecords(fx(name));
}

function sameRecords(got: CaptureRecord[], want: CaptureRecord[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((r, i) => {
    const w = want[i]!;
    expect([r.index, r.tsSec, r.tsNsec, r.capLen, r.origLen, r.linkType]).toEqual([w.index, w.tsSec, w.tsNsec, w.capLen, w.origLen, w.linkType]);
    expect(r.data.equals(w.data)).toBe(true);
  });
}

describe('pcap faults', () => {
  const third = pcapRecordOffsets(fx('lo-usec.pcap'))[2]!;

  it('record header cut off at end of file', async () => {
    const file = fx('bad/cut-in-record-header.pcap');
    expect(readFileSync(file).length).toBe(third + 8);
    const out = await readUntilFault(file);
    expect(out.error.record).toBe(3);
    expect(out.error.unit).toBe('record');
    expect(out.error.byteOffset).toBe(third);
    expect(out.error.message).toBe(`${file}: record 3 at byte offset ${third}: record header cut off at end of file: 8 of 16 bytes`);
    sameRecords(out.records, (await goodRecords('lo-usec.pcap')).slice(0, 2));
  });

  it('packet data cut off at end of file', async () => {
    const file = fx('bad/cut-in-record-data.pcap');
    const good = readFileSync(fx('lo-usec.pcap'));
    const caplen = good.readUInt32LE(third + 8);
    const cut = readFileSync(file).length;
    expect(cut).toBe(third + 16 + Math.floor(caplen / 2));
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(
      `${file}: record 3 at byte offset ${third}: packet data cut off at end of file: ${cut - third - 16} of ${caplen} bytes`,
    );
    sameRecords(out.records, (await goodRecords('lo-usec.pcap')).slice(0, 2));
  });

  it('a record claiming 4 GB is refused without reading or allocating it', async () => {
    const file = fx('bad/record-claims-4gb.pcap');
    expect(readFileSync(file).readUInt32LE(third + 8)).toBe(0xffffffff);
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(
      `${file}: record 3 at byte offset ${third}: record claims 4294967295 captured bytes, more than the maximum 262144`,
    );
    expect(out.deliveredBeforeThrow).toBe(2);
  });

  it('caplen above the snaplen is tolerated up to 262144 (cut to the snaplen, as libpcap does), then an error', async () => {
    const base = readFileSync(fx('lo-usec.pcap'));
    const file = Buffer.concat([base.subarray(0, 24), recordBytes(262144), recordBytes(200), recordBytes(262145)]);
    file.writeUInt32LE(96, 16); // snaplen 96
    const out = await readUntilFault(file, 'big.pcap');
    expect(out.records.map((r) => [r.capLen, r.origLen, r.truncated])).toEqual([
      [96, 262144, true],
      [96, 200, true],
    ]);
    expect(out.records[1]!.data.equals(file.subarray(24 + 16 + 262144 + 16, 24 + 16 + 262144 + 16 + 96))).toBe(true);
    expect(out.error.message).toBe(
      `big.pcap: record 3 at byte offset ${24 + 2 * 16 + 262144 + 200}: record claims 262145 captured bytes, more than the maximum 262144`,
    );
    const kept = await readAllRecords(file.subarray(0, 24 + 2 * 16 + 262144 + 200), { keepBeyondSnaplen: true });
    expect(kept.map((r) => r.capLen)).toEqual([262144, 200]);
  });

  it('file header cut short', async () => {
    const file = fx('bad/header-cut-short.pcap');
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(`${file}: record 0 at byte offset 0: pcap file header cut short: 10 of 24 bytes`);
  });

  it('not a capture file', async () => {
    const file = fx('bad/not-a-capture.pcap');
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(`${file}: record 0 at byte offset 0: not a pcap or pcapng capture (file starts with 0x74686973)`);
  });

  it('an empty file, a missing file and a directory are one-line errors', async () => {
    expect((await readUntilFault(Buffer.alloc(0), 'empty')).error.message).toBe('empty: record 0 at byte offset 0: empty file: not a capture file');
    const missing = (await readUntilFault('/nonexistent/x.pcap')).error;
    expect(missing.message).toMatch(/^\/nonexistent\/x\.pcap: record 0 at byte offset 0: cannot open: ENOENT/);
    const dir = (await readUntilFault(CAPTURE_FIXTURES)).error;
    expect(dir.message).toBe(`${CAPTURE_FIXTURES}: record 0 at byte offset 0: is a directory, not a capture file`);
  });

  it('unsupported pcap version', async () => {
    const b = Buffer.from(readFileSync(fx('lo-usec.pcap')));
    b.writeUInt16LE(3, 4);
    const out = await readUntilFault(b, 'v3.pcap');
    expect(out.error.message).toBe('v3.pcap: record 0 at byte offset 4: unsupported pcap version 3.4');
  });
});

function recordBytes(caplen: number): Buffer {
  const r = Buffer.alloc(16 + caplen);
  r.writeUInt32LE(1, 0);
  r.writeUInt32LE(caplen, 8);
  r.writeUInt32LE(caplen, 12);
  return r;
}

describe('pcapng faults', () => {
  const fifth = pcapngBlocks(fx('lo-nsec.pcapng'))[4]!;

  it('block cut off at end of file', async () => {
    const file = fx('bad/cut-in-block.pcapng');
    const cut = readFileSync(file).length;
    expect(cut).toBe(fifth.offset + fifth.length / 2);
    const out = await readUntilFault(file);
    expect(out.error.unit).toBe('block');
    expect(out.error.record).toBe(5);
    expect(out.error.message).toBe(
      `${file}: block 5 at byte offset ${fifth.offset}: enhanced packet block cut off at end of file: ${cut - fifth.offset} of ${fifth.length} bytes`,
    );
    sameRecords(out.records, (await goodRecords('lo-nsec.pcapng')).slice(0, 2));
  });

  it('trailing length that does not match', async () => {
    const file = fx('bad/bad-trailer.pcapng');
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(
      `${file}: block 5 at byte offset ${fifth.offset}: enhanced packet block trailing length ${fifth.length + 4} does not match its length ${fifth.length}`,
    );
    expect(out.deliveredBeforeThrow).toBe(2);
  });

  it('EPB naming an interface never described', async () => {
    const file = fx('bad/unknown-interface.pcapng');
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(
      `${file}: block 5 at byte offset ${fifth.offset}: enhanced packet block (record 3) names interface 3, but the section describes 1`,
    );
    expect(out.deliveredBeforeThrow).toBe(2);
  });

  it('bad section version', async () => {
    const file = fx('bad/bad-version.pcapng');
    const out = await readUntilFault(file);
    expect(out.error.message).toBe(`${file}: block 1 at byte offset 0: unsupported pcapng section version 2.0`);
  });

  it('a block claiming 4 GB: packet blocks are refused, unknown blocks skipped until EOF', async () => {
    const good = readFileSync(fx('lo-nsec.pcapng'));
    const epb = Buffer.from(good.subarray(fifth.offset, fifth.offset + fifth.length));
    epb.writeUInt32LE(0xfffffffc, 4);
    const withEpb = Buffer.concat([good.subarray(0, fifth.offset), epb]);
    const a = await readUntilFault(withEpb, 'a.pcapng');
    expect(a.error.message).toBe(`a.pcapng: block 5 at byte offset ${fifth.offset}: enhanced packet block claims 4294967292 bytes, more than the maximum 16777216`);
    expect(a.records.length).toBe(2);
    const unknown = Buffer.from(epb);
    unknown.writeUInt32LE(0x0badcafe, 0);
    const b = await readUntilFault(Readable.from([good.subarray(0, fifth.offset), unknown]), 'b.pcapng');
    expect(b.error.message).toBe(`b.pcapng: block 5 at byte offset ${fifth.offset}: block of 4294967292 bytes cut off at end of file`);
    expect(b.records.length).toBe(2);
  });
});
