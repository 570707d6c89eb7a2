/**
 * One entry point, every kind of input: a path, a Buffer, a Readable (in tiny chunks, so
 * records straddle reads), gzip of pcap and pcapng, standard input ('-'), and a window smaller
 * than a record. All must give the same records as the plain file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCapture, readAllRecords, type CaptureRecord } from '../../src/capture/index.js';
import { runChild } from './child.js';
import { CAPTURE_FIXTURES } from './oracle.js';

const fx = (name: string): string => join(CAPTURE_FIXTURES, name);

function summary(records: CaptureRecord[]): unknown[] {
  return records.map((r) => [r.index, r.interfaceId, r.linkType, r.tsSec, r.tsNsec, r.capLen, r.origLen, r.data.toString('hex')]);
}

describe.each(['lo-usec.pcap', 'lo-nsec.pcapng', 'two-links.pcapng', 'be/two-links-be.pcapng', 'lo-modified.pcap'])('%s', (name) => {
  const file = fx(name);

  it('path, Buffer, stream in 7-byte chunks, gzip and a 64-byte window read the same records', async () => {
    const want = summary(await readAllRecords(file));
    expect(want.length).toBeGreaterThan(0);
    expect(summary(await readAllRecords(readFileSync(file)))).toEqual(want);
    expect(summary(await readAllRecords(createReadStream(file, { highWaterMark: 7 })))).toEqual(want);
    expect(summary(await readAllRecords(gzipSync(readFileSync(file))))).toEqual(want);
    expect(summary(await readAllRecords(Readable.from([gzipSync(readFileSync(file))])))).toEqual(want);
    expect(summary(await readAllRecords(file, { chunkSize: 64 }))).toEqual(want);
  });
});

describe('format detection and info', () => {
  it('tells pcap (both precisions, both byte orders, modified) from pcapng and gzip', async () => {
    const cases: Array<[string, string, boolean, boolean, boolean]> = [
      ['lo-usec.pcap', 'pcap', false, false, false],
      ['lo-nsec.pcap', 'pcap', true, false, false],
      ['be/lo-usec-be.pcap', 'pcap', false, true, false],
      ['be/lo-nsec-be.pcap', 'pcap', true, true, false],
      ['lo-modified.pcap', 'pcap', false, false, false],
      ['lo-nsec.pcapng', 'pcapng', true, false, false],
      ['be/two-links-be.pcapng', 'pcapng', false, true, false],
      ['lo-nsec.pcap.gz', 'pcap', true, false, true],
    ];
    for (const [name, format, nanosecond, bigEndian, gzip] of cases) {
      const src = await openCapture(fx(name));
      expect([name, src.info.format, src.info.nanosecond, src.info.bigEndian, src.info.gzip]).toEqual([name, format, nanosecond, bigEndian, gzip]);
      await src.close();
    }
  });

  it('big-endian files read the same records as their little-endian originals', async () => {
    for (const [be, le] of [
      ['be/lo-usec-be.pcap', 'lo-usec.pcap'],
      ['be/lo-nsec-be.pcap', 'lo-nsec.pcap'],
      ['be/two-links-be.pcapng', 'two-links.pcapng'],
    ] as const) {
      expect(summary(await readAllRecords(fx(be)))).toEqual(summary(await readAllRecords(fx(le))));
    }
  });

  it('a pcapng with two link types gives each record its own interface and link type', async () => {
    const src = await openCapture(fx('two-links.pcapng'));
    expect(src.info.interfaces.map((i) => i.linkType)).toEqual([1, 276]);
    const byInterface = new Map<number, Set<number>>();
    for await (const batch of src) for (const r of batch) (byInterface.get(r.interfaceId) ?? byInterface.set(r.interfaceId, new Set()).get(r.interfaceId)!).add(r.linkType);
    expect([...byInterface.entries()].map(([id, lts]) => [id, [...lts]])).toEqual([
      [0, [1]],
      [1, [276]],
    ]);
  });

  it('pcap link type FCS bits are exposed and stripped', async () => {
    const b = Buffer.from(readFileSync(fx('lo-usec.pcap')));
    b.writeUInt32LE((0x04000000 | (2 << 28) | 1) >>> 0, 20); // F bit, 2 16-bit words of FCS
    const src = await openCapture(b);
    expect(src.info.interfaces[0]).toMatchObject({ linkType: 1, fcsLen: 4 });
    for await (const batch of src) for (const r of batch) expect(r.linkType).toBe(1);
  });

  it('truncated records (caplen < origlen) are kept and marked', async () => {
    const records = await readAllRecords(fx('lo-snap96.pcap'));
    expect(records.length).toBe(6);
    for (const r of records) {
      expect(r.capLen).toBeLessThanOrEqual(96);
      expect(r.truncated).toBe(r.capLen < r.origLen);
    }
    expect(records.some((r) => r.truncated)).toBe(true);
  });

  it('records are handed out in batches of reused objects, valid until the next batch', async () => {
    const many = Buffer.concat([readFileSync(fx('lo-usec.pcap')), ...Array.from({ length: 2000 }, () => readFileSync(fx('lo-usec.pcap')).subarray(24))]);
    const src = await openCapture(many);
    const sizes: number[] = [];
    let first: CaptureRecord | undefined;
    let reused = false;
    for await (const batch of src) {
      sizes.push(batch.length);
      if (first === undefined) first = batch[0];
      else if (batch[0] === first) reused = true;
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6 * 2001);
    expect(sizes.length).toBeLessThan(6);
    expect(reused).toBe(true);
  });

  it('close() ends iteration early and releases the input', async () => {
    const src = await openCapture(fx('lo-usec.pcap'));
    let n = 0;
    for await (const batch of src) {
      n += batch.length;
      break;
    }
    await src.close();
    await src.close();
    expect(n).toBe(6);
  });
});

describe('standard input', () => {
  const body = `
    let n = 0, last = '';
    try {
      const src = await capture.openCapture('-');
      for await (const batch of src) for (const r of batch) { n++; last = r.tsSec + '.' + r.tsNsec + '/' + r.capLen; }
      console.log(JSON.stringify({ n, last, format: src.info.format, gzip: src.info.gzip }));
    } catch (e) { console.log(JSON.stringify({ n, error: e.message })); }`;

  it("reads '-' (plain and gzip), and reports a cut file after the good records", async () => {
    const want = await readAllRecords(fx('lo-nsec.pcapng'));
    const last = want[want.length - 1]!;
    const plain = await runChild(body, { stdinFile: fx('lo-nsec.pcapng') });
    expect(JSON.parse(plain.stdout)).toEqual({ n: 6, last: `${last.tsSec}.${last.tsNsec}/${last.capLen}`, format: 'pcapng', gzip: false });
    const gz = await runChild(body, { stdinFile: fx('lo-nsec.pcap.gz') });
    expect(JSON.parse(gz.stdout)).toMatchObject({ n: 6, format: 'pcap', gzip: true });
    const cut = await runChild(body, { stdinFile: fx('bad/cut-in-record-data.pcap') });
    expect(JSON.parse(cut.stdout)).toEqual({ n: 2, error: '-: record 3 at byte offset 280: packet data cut off at end of file: 49 of 98 bytes' });
    const empty = await runChild(body, { stdin: Buffer.alloc(0) });
    expect(JSON.parse(empty.stdout)).toEqual({ n: 0, error: '-: record 0 at byte offset 0: empty file: not a capture file' });
  });

  it('a gzip stream cut short is an error after the records before the cut', async () => {
    const gz = readFileSync(fx('lo-nsec.pcap.gz'));
    const cut = await runChild(body, { stdin: gz.subarray(0, gz.length - 30) });
    const out = JSON.parse(cut.stdout) as { n: number; error: string };
    // Offsets in a gzip stream count decompressed bytes; the fault is where the reader stood.
    expect(out.n).toBe(4);
    expect(out.error).toBe('-: record 5 at byte offset 536: gzip: unexpected end of file');
  });
});

describe('a path that is not a regular file', () => {
  // Regular files are read with readSync; a FIFO can stall, so it is read off-thread and the
  // event loop keeps running while the writer pauses (here a child process pausing 600 ms).
  it('a named pipe gives the same records as the file without blocking the event loop', { timeout: 20_000 }, async () => {
    const file = fx('two-links.pcapng');
    const dir = mkdtempSync(join(tmpdir(), 'wirescope-fifo-'));
    const fifo = join(dir, 'cap.fifo');
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    try {
      execFileSync('mkfifo', [fifo]);
      const writer = `const fs = require('fs'); const b = fs.readFileSync(process.argv[1]); const fd = fs.openSync(process.argv[2], 'w');
        fs.writeSync(fd, b.subarray(0, 300)); setTimeout(() => { fs.writeSync(fd, b.subarray(300)); fs.closeSync(fd); }, 600);`;
      const child = spawn(process.execPath, ['-e', writer, file, fifo], { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('close', r));
      const got = summary(await readAllRecords(fifo));
      await exited;
      expect(got).toEqual(summary(await readAllRecords(file)));
      expect(longestGap).toBeLessThan(300);
    } finally {
      clearInterval(timer);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('any read size and any stream chunking give the same records (property)', () => {
  it.each(['lo-usec.pcap', 'two-links.pcapng', 'be/two-links-be.pcapng', 'lo-modified.pcap'])('%s', async (name) => {
    const bytes = readFileSync(fx(name));
    const want = summary(await readAllRecords(bytes));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), async (chunkSize, cuts) => {
        const pieces: Buffer[] = [];
        for (let p = 0, i = 0; p < bytes.length; i++) {
          const n = cuts[i % cuts.length]!;
          pieces.push(bytes.subarray(p, p + n));
          p += n;
        }
        expect(summary(await readAllRecords(Readable.from(pieces), { chunkSize }))).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });
});
