/**
 * Writers: pcap read and written with the same parameters is the same file byte for byte;
 * read -> write pcap -> read gives identical records; read -> write pcapng -> tshark reads the
 * same packets and timestamps as from the original, and so do we.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError, UsageError } from '../../src/errors.js';
import { openCapture, openWriter, readAllRecords, writerOptionsFor, type CaptureRecord, type SourceInfo } from '../../src/capture/index.js';
import { CAPTURE_FIXTURES, CORPUS_DIR, FIXTURES_DIR, captureFiles, epochString, hasTool, tsharkRead } from './oracle.js';

const tshark = hasTool('tshark');
const work = mkdtempSync(join(tmpdir(), 'ws-capture-rt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Good {
  file: string;
  info: SourceInfo;
  records: CaptureRecord[];
}

/** Every capture we and tshark read without a fault (bad/ fixtures and faulty corpus files drop out). */
async function goodCaptures(): Promise<Good[]> {
  const out: Good[] = [];
  for (const file of [...captureFiles(FIXTURES_DIR), ...captureFiles(CORPUS_DIR, ['.pcap', '.pcapng'])]) {
    try {
      const src = await openCapture(file, { keepBeyondSnaplen: true });
      const records: CaptureRecord[] = [];
      for await (const batch of src) for (const r of batch) records.push(r.copy());
      out.push({ file, info: src.info, records });
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
    }
  }
  return out;
}

const goods = await goodCaptures();
const label = (g: Good): string => (g.file.startsWith(FIXTURES_DIR) ? g.file.slice(FIXTURES_DIR.length + 1) : basename(g.file));
const same = (r: CaptureRecord): unknown[] => [r.index, r.linkType, r.tsSec, r.tsNsec, r.capLen, r.origLen, r.data.toString('hex')];

async function writeAll(target: string, records: CaptureRecord[], opts: Parameters<typeof openWriter>[1]): Promise<void> {
  const w = openWriter(target, opts);
  for (const r of records) w.write(r);
  await w.close();
}

describe('pcap -> pcap', () => {
  const plain = goods.filter((g) => g.info.format === 'pcap' && g.info.pcap!.magic !== 0xa1b2cd34);
  it.each(plain.map((g) => [label(g), g]))('%s is reproduced byte for byte', async (_n, g) => {
    const out = join(work, 'same.pcap');
    await writeAll(out, g.records, writerOptionsFor(g.info));
    const original = g.file.endsWith('.gz') ? null : readFileSync(g.file);
    if (original) expect(readFileSync(out).equals(original)).toBe(true);
    else expect((await readAllRecords(out)).map(same)).toEqual(g.records.map(same));
  });

  it('the modified-pcap fixture, written as standard pcap, gives identical records', async () => {
    const g = goods.find((x) => basename(x.file) === 'lo-modified.pcap')!;
    const out = join(work, 'modified-as-pcap.pcap');
    await writeAll(out, g.records, { format: 'pcap', linkType: 1 });
    expect((await readAllRecords(out)).map(same)).toEqual(g.records.map(same));
  });
});

describe('any capture -> nanosecond pcap -> read', () => {
  // pcap holds one link type and 32-bit seconds; multi-link and post-2106 captures go to pcapng only.
  const fits = goods.filter((g) => new Set(g.records.map((r) => r.linkType)).size <= 1 && g.records.every((r) => r.tsSec < 2 ** 32));
  it.each(fits.map((g) => [label(g), g]))('%s', async (_n, g) => {
    const out = join(work, 'ns.pcap');
    await writeAll(out, g.records, { format: 'pcap', nanosecond: true, linkType: g.info.interfaces[0]?.linkType ?? 1 });
    const back = await readAllRecords(out);
    // A fraction of a second beyond 2^32 ns (the corpus timestamp_invalid_micro file) cannot be stored.
    expect(back.map(same)).toEqual(g.records.map((r) => (r.tsNsec < 2 ** 32 ? same(r) : same(Object.assign(r.copy(), { tsNsec: r.tsNsec % 2 ** 32 })))));
  });
});

describe('any capture -> pcapng', () => {
  it.each(goods.map((g) => [label(g), g]))('%s: we and tshark read the same packets and times', async (_n, g) => {
    const out = join(work, 'out.pcapng');
    await writeAll(out, g.records, { format: 'pcapng', nanosecond: true, linkType: g.info.interfaces[0]?.linkType ?? 1 });
    const back = await readAllRecords(out);
    // pcapng stores one 64-bit count of units: a fraction past a second (corpus
    // timestamp_invalid_*) carries into the seconds.
    const normal = (r: CaptureRecord): CaptureRecord =>
      r.tsNsec < 1e9 ? r : Object.assign(r.copy(), { tsSec: r.tsSec + Math.floor(r.tsNsec / 1e9), tsNsec: r.tsNsec % 1e9 });
    expect(back.map(same)).toEqual(g.records.map((r) => same(normal(r))));
    if (tshark) {
      // tshark-agreement proved our records of the original equal tshark's reading of it; here
      // tshark reads the pcapng we wrote and must see the same packets and times.
      const after = tsharkRead(out).records.map((t) => [t.time, t.len, t.capLen]);
      expect(after).toEqual(g.records.map((r) => normal(r)).map((r) => [epochString(r.tsSec, r.tsNsec), r.origLen, r.capLen]));
    }
  });

  it('interfaces described up front keep their ids and names; microsecond pcapng too', async () => {
    const src = await openCapture(join(CAPTURE_FIXTURES, 'two-links.pcapng'));
    const records: CaptureRecord[] = [];
    for await (const b of src) for (const r of b) records.push(r.copy());
    const out = join(work, 'two.pcapng');
    await writeAll(out, records, writerOptionsFor(src.info));
    const again = await openCapture(out);
    expect(again.info.interfaces.map((i) => [i.linkType, i.snaplen, i.tsresol?.exp])).toEqual(src.info.interfaces.map((i) => [i.linkType, i.snaplen, 6]));
    await again.close();
    const back = await readAllRecords(out);
    expect(back.map((r) => [r.interfaceId, ...same(r)])).toEqual(records.map((r) => [r.interfaceId, ...same(r)]));
    if (tshark) expect(tsharkRead(out).records.map((t) => t.time)).toEqual(tsharkRead(join(CAPTURE_FIXTURES, 'two-links.pcapng')).records.map((t) => t.time));
  });
});

describe('writer behaviour', () => {
  it('a microsecond writer truncates nanoseconds; write copies, so records may be reused', async () => {
    const records = await readAllRecords(join(CAPTURE_FIXTURES, 'lo-nsec.pcap'));
    const out = join(work, 'us.pcap');
    const w = openWriter(out, { format: 'pcap', linkType: 1 });
    const reused = records[0]!.copy();
    for (const r of records) {
      Object.assign(reused, { tsSec: r.tsSec, tsNsec: r.tsNsec, capLen: r.capLen, origLen: r.origLen, index: r.index });
      reused.buf = Buffer.from(r.data);
      w.write(reused);
      reused.buf.fill(0);
    }
    await w.close();
    const back = await readAllRecords(out);
    expect(back.map((r) => [r.tsSec, r.tsNsec, r.data.toString('hex')])).toEqual(
      records.map((r) => [r.tsSec, Math.floor(r.tsNsec / 1000) * 1000, r.data.toString('hex')]),
    );
  });

  it('writes to a slow stream with back-pressure, the same bytes as to a file', async () => {
    const records = await readAllRecords(join(CAPTURE_FIXTURES, 'lo-usec.pcap'));
    const many = Array.from({ length: 20000 }, (_, i) => records[i % records.length]!);
    const stream = new PassThrough({ highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    const consumed = (async () => {
      for await (const c of stream) {
        chunks.push(c as Buffer);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const w = openWriter(stream, { format: 'pcap', linkType: 1 });
    for (let i = 0; i < many.length; i++) {
      w.write(many[i]!);
      if (i % 1000 === 999) await w.drain!();
    }
    await w.close();
    await consumed;
    const file = join(work, 'file.pcap');
    await writeAll(file, many, { format: 'pcap', linkType: 1 });
    expect(Buffer.concat(chunks).equals(readFileSync(file))).toBe(true);
  });

  it('big-endian pcapng output reads back the same, in tshark too', async () => {
    const src = join(CAPTURE_FIXTURES, 'two-links.pcapng');
    const records = await readAllRecords(src);
    const out = join(work, 'be.pcapng');
    await writeAll(out, records, { format: 'pcapng', linkType: 1, nanosecond: true, bigEndian: true });
    const again = await openCapture(out);
    expect(again.info.bigEndian).toBe(true);
    await again.close();
    expect((await readAllRecords(out)).map(same)).toEqual(records.map(same));
    if (tshark) expect(tsharkRead(out).records.map((t) => [t.time, t.len, t.encap])).toEqual(tsharkRead(src).records.map((t) => [t.time, t.len, t.encap]));
  });

  it('big-endian output when asked; a record of another link type is refused by a pcap writer', async () => {
    const records = await readAllRecords(join(CAPTURE_FIXTURES, 'lo-usec.pcap'));
    const out = join(work, 'be.pcap');
    await writeAll(out, records, { format: 'pcap', linkType: 1, bigEndian: true });
    expect(readFileSync(out).equals(readFileSync(join(CAPTURE_FIXTURES, 'be/lo-usec-be.pcap')))).toBe(true);
    const w = openWriter(join(work, 'x.pcap'), { format: 'pcap', linkType: 113 });
    expect(() => w.write(records[0]!)).toThrow(UsageError);
    await w.close();
  });
});
