/**
 * pcapng cases built block by block: timestamp resolutions and offsets, simple and obsolete
 * packet blocks, sections of both byte orders, blocks to skip. Expected values come from the
 * spec's arithmetic (BigInt) and, where installed, from tshark reading the same bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readAllRecords, openCapture, type CaptureRecord } from '../../src/capture/index.js';
import { NgBuilder, frame, u8 } from './build.js';
import { epochString, hasTool, tsharkRead } from './oracle.js';

const tshark = hasTool('tshark');
const work = mkdtempSync(join(tmpdir(), 'ws-capture-ng-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Seconds and nanoseconds of `ts` units at `unitsPerSec`, truncated (spec arithmetic). */
function expectedTime(ts: bigint, unitsPerSec: bigint, offset = 0n): string {
  const sec = ts / unitsPerSec + offset;
  const nsec = ((ts % unitsPerSec) * 1_000_000_000n) / unitsPerSec;
  return `${sec}.${nsec.toString().padStart(9, '0')}`;
}

const time = (r: CaptureRecord): string => epochString(r.tsSec, r.tsNsec);

/**
 * When tshark is here, it must read the same records from the same bytes. A simple packet block
 * has no time (tshark prints none, we say 0); tshark numbers interfaces within each section.
 */
function tsharkAgrees(name: string, bytes: Buffer, records: CaptureRecord[], sectionLocalIds = records.map((r) => r.interfaceId)): void {
  if (!tshark) return;
  const file = join(work, name);
  writeFileSync(file, bytes);
  const t = tsharkRead(file);
  expect(t.error).toBe('');
  expect(records.map((r, i) => [time(r), r.origLen, r.capLen, sectionLocalIds[i]])).toEqual(
    t.records.map((x) => [x.time === '' ? '0.000000000' : x.time, x.len, x.capLen, x.interfaceId]),
  );
}

describe('timestamps', () => {
  it('decimal resolutions from seconds to picoseconds, binary resolutions, offsets', async () => {
    const b = new NgBuilder().section(false);
    const ifaces: Array<{ res: number; units: bigint; offset: bigint }> = [
      { res: 0, units: 1n, offset: 0n },
      { res: 3, units: 1000n, offset: 0n },
      { res: 6, units: 1_000_000n, offset: 0n },
      { res: 9, units: 1_000_000_000n, offset: 0n },
      { res: 12, units: 10n ** 12n, offset: 0n },
      { res: 0x80 | 20, units: 1n << 20n, offset: 0n },
      { res: 0x80 | 30, units: 1n << 30n, offset: 0n },
      { res: 6, units: 1_000_000n, offset: 1_000_000_000n },
      { res: 9, units: 1_000_000_000n, offset: -3600n },
    ];
    for (const f of ifaces) {
      const opts: Array<[number, Buffer]> = [[9, u8(f.res)]];
      if (f.offset !== 0n) opts.push([14, b.i64(f.offset)]);
      b.idb(1, 65535, opts);
    }
    const stamps = [0n, 1n, 123_456_789n, 1_763_700_000_123_456_789n, (1n << 53n) + 1n, (1n << 64n) - 1n];
    const want: string[] = [];
    /** Wireshark scales the sub-second part as (ts % units) * 10^9 in 64 bits; it wraps past that. */
    const wiresharkWraps: boolean[] = [];
    ifaces.forEach((f, i) => {
      for (const ts of stamps) {
        b.epb(i, ts, frame(60, i));
        want.push(expectedTime(ts, f.units, f.offset));
        wiresharkWraps.push((ts % f.units) * 1_000_000_000n >= 1n << 64n);
      }
    });
    const bytes = b.build();
    const records = await readAllRecords(bytes);
    // Seconds are a JS number: exact below 2^53 (285 million years), the nearest double above.
    const exact = (t: string): boolean => BigInt(t.split('.')[0]!) < 1n << 53n;
    expect(records.map(time).filter((t, i) => exact(want[i]!))).toEqual(want.filter(exact));
    records.forEach((r, i) => {
      if (!exact(want[i]!)) expect(r.tsSec).toBe(Number(BigInt(want[i]!.split('.')[0]!)));
    });
    if (tshark) {
      const file = join(work, 'resolutions.pcapng');
      writeFileSync(file, bytes);
      const t = tsharkRead(file).records.map((x) => x.time);
      expect(t.length).toBe(records.length);
      want.forEach((w, i) => {
        if (exact(w) && !wiresharkWraps[i]) expect(t[i], `record ${i + 1}`).toBe(w);
      });
    }
  });

  it('any 64-bit timestamp at any decimal resolution up to ns is exact (property)', async () => {
    await fc.assert(
      // Up to 2^64 - 1 units, or fewer where the seconds would pass 2^53.
      fc.asyncProperty(fc.integer({ min: 0, max: 9 }), fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 50 }), async (exp, all) => {
        const stamps = all.filter((ts) => ts / 10n ** BigInt(exp) < 1n << 53n);
        const b = new NgBuilder().section(false).idb(1, 0, [[9, u8(exp)]]);
        for (const ts of stamps) b.epb(0, ts, frame(14, 1));
        const records = await readAllRecords(b.build());
        expect(records.map(time)).toEqual(stamps.map((ts) => expectedTime(ts, 10n ** BigInt(exp))));
      }),
      { numRuns: 60 },
    );
  });
});

it('runs of timestamps close together (the reader steps from the previous one) stay exact (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 9 }),
      fc.bigInt({ min: 0n, max: 1n << 62n }),
      fc.array(fc.bigInt({ min: -(1n << 33n), max: 1n << 33n }), { minLength: 1, maxLength: 60 }),
      async (exp, start, steps) => {
        const units = 10n ** BigInt(exp);
        const stamps: bigint[] = [];
        let ts = start;
        for (const d of steps) {
          ts += d;
          if (ts < 0n) ts = -ts;
          if (ts / units < 1n << 53n) stamps.push(ts);
        }
        const b = new NgBuilder().section(false).idb(1, 0, [[9, u8(exp)]]);
        for (const t of stamps) b.epb(0, t, frame(14, 1));
        const records = await readAllRecords(b.build());
        expect(records.map(time)).toEqual(stamps.map((t) => expectedTime(t, units)));
      },
    ),
    { numRuns: 80 },
  );
});

describe('blocks', () => {
  it('simple packet blocks: interface 0, no timestamp, length from the block, cut to the snaplen', async () => {
    const b = new NgBuilder().section(false).idb(1, 64).spb(100, frame(64, 1)).spb(10, frame(10, 2)).spb(60, frame(60, 3));
    const records = await readAllRecords(b.build());
    expect(records.map((r) => [r.interfaceId, r.tsSec, r.tsNsec, r.capLen, r.origLen, r.truncated])).toEqual([
      [0, 0, 0, 64, 100, true],
      [0, 0, 0, 10, 10, false],
      [0, 0, 0, 60, 60, false],
    ]);
    expect(records[1]!.data.equals(frame(10, 2))).toBe(true);
    tsharkAgrees('spb.pcapng', b.build(), records);
  });

  it('obsolete packet blocks, options on packets, and statistics, name resolution, custom and unknown blocks', async () => {
    const b = new NgBuilder().section(false, [1, 0], [[4, Buffer.from('wirescope test')]]).idb(1, 0, [[2, Buffer.from('eth0')]]).idb(101, 0);
    b.nrb()
      .epb(0, 1_000_000n, frame(60, 1), 60, [[2, b.u32(1)], [1, Buffer.from('a comment')]])
      .block(0x00000bad, Buffer.concat([b.u32(32473), Buffer.from('custom')]))
      .block(0x40000bad, Buffer.concat([b.u32(32473), Buffer.from('custom, not to copy')]))
      .block(0x12345678, Buffer.from('unknown block'))
      .block(0x0000000a, Buffer.concat([b.u32(0x544c534b), b.u32(4), Buffer.from('keys')]))
      .obsoletePacket(1, 2_500_000n, frame(40, 2))
      .isb(0)
      .epb(1, 3_000_001n, frame(20, 3), 1500);
    const bytes = b.build();
    const src = await openCapture(bytes);
    expect(src.info.interfaces.map((i) => [i.linkType, i.name])).toEqual([
      [1, 'eth0'],
      [101, undefined],
    ]);
    const records: CaptureRecord[] = [];
    for await (const batch of src) for (const r of batch) records.push(r.copy());
    expect(records.map((r) => [r.index, r.interfaceId, r.linkType, time(r), r.capLen, r.origLen])).toEqual([
      [1, 0, 1, '1.000000000', 60, 60],
      [2, 1, 101, '2.500000000', 40, 40],
      [3, 1, 101, '3.000001000', 20, 1500],
    ]);
    expect(records[2]!.data.equals(frame(20, 3))).toBe(true);
    tsharkAgrees('blocks.pcapng', bytes, records);
  });

  it('several sections, each with its own byte order and interfaces', async () => {
    const b = new NgBuilder()
      .section(false)
      .idb(1, 0)
      .epb(0, 1_000_000n, frame(30, 1))
      .section(true)
      .idb(113, 0, [[9, u8(9)]])
      .idb(1, 0)
      .epb(0, 2_000_000_001n, frame(31, 2))
      .epb(1, 3_000_000n, frame(32, 3))
      .section(false)
      .idb(101, 0)
      .epb(0, 4_000_000n, frame(33, 4));
    const bytes = b.build();
    const src = await openCapture(bytes);
    const records: CaptureRecord[] = [];
    for await (const batch of src) for (const r of batch) records.push(r.copy());
    expect(records.map((r) => [r.interfaceId, r.linkType, time(r), r.capLen])).toEqual([
      [0, 1, '1.000000000', 30],
      [1, 113, '2.000000001', 31],
      [2, 1, '3.000000000', 32],
      [3, 101, '4.000000000', 33],
    ]);
    expect(src.info.interfaces.length).toBe(4);
    expect(records[1]!.data.equals(frame(31, 2))).toBe(true);
    tsharkAgrees('sections.pcapng', bytes, records, [0, 0, 1, 0]);
  });

  it('an oversized block of an unknown type is skipped without being held', async () => {
    const b = new NgBuilder().section(false).idb(1, 0).epb(0, 1n, frame(20, 1));
    b.block(0x7777, Buffer.alloc(17 << 20)).epb(0, 2n, frame(20, 2));
    const records = await readAllRecords(b.build());
    expect(records.map((r) => r.data.equals(frame(20, r.index)))).toEqual([true, true]);
  });

  it('a caplen beyond the block is an error naming the record, after the records before it', async () => {
    const b = new NgBuilder().section(false).idb(1, 0).epb(0, 1n, frame(20, 1));
    const bad = new NgBuilder().epb(0, 2n, frame(20, 2)).build();
    bad.writeUInt32LE(200, 20);
    const bytes = Buffer.concat([b.build(), bad]);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const batch of await openCapture(bytes, { name: 'x' })) for (const r of batch) got.push(r.index);
      })(),
    ).rejects.toThrow(`x: block 4 at byte offset ${b.build().length}: enhanced packet block (record 2) claims 200 captured bytes in a 52-byte block`);
    expect(got).toEqual([1]);
  });
});
