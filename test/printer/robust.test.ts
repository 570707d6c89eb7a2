/**
 * The printer never throws on packet bytes, and the byte-level fast path prints exactly what
 * the per-protocol printers print (they share no formatting code), on real fixture packets
 * mutated at random: header bytes flipped, captures cut short.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAllRecords } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/capture/record.js';
import { defaultPrintOptions, TcpdumpPrinter, type PrintOptions } from '../../src/printer/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LINK_TYPES = [0, 1, 12, 101, 108, 113, 228, 229, 276, 147];

function opts(p: Partial<PrintOptions>): PrintOptions {
  return { ...defaultPrintOptions(), ...p };
}

const VARIANTS: Partial<PrintOptions>[] = [
  {},
  { verbose: 1 },
  { verbose: 3, linkHeader: true },
  { quiet: true },
  { hexAscii: 1 },
  { hex: 2, timeFormat: 3 },
  { ascii: 1, timeFormat: 4, numbered: true },
  { absoluteSeq: true, timeFormat: 2, nano: true },
];

describe('printer robustness', () => {
  it('never throws on arbitrary bytes, whatever the link type and options', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 160 }),
        fc.constantFrom(...LINK_TYPES),
        fc.constantFrom(...VARIANTS),
        fc.nat({ max: 400 }),
        (bytes, linkType, variant, extra) => {
          const p = new TcpdumpPrinter(opts(variant));
          const buf = Buffer.from(bytes);
          const line = p.formatPacket(buf, 0, buf.length, buf.length + extra, linkType, 1700000000, 123456000);
          expect(line.endsWith('\n')).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the fast path prints what the per-protocol printers print', async () => {
    const files = [join(root, 'fixtures/tcp4.pcap'), join(root, 'fixtures/tcp6.pcap'), join(root, 'fixtures/parallel50.pcap')];
    for (const f of readdirSync(join(root, 'fixtures/track'))) if (f.endsWith('.pcap')) files.push(join(root, 'fixtures/track', f));
    const packets: CaptureRecord[] = [];
    for (const f of files) packets.push(...(await readAllRecords(f)).filter((r) => r.linkType === 1));
    expect(packets.length).toBeGreaterThan(50);
    const sink = () => {
      const chunks: string[] = [];
      return {
        buf: Buffer.alloc(1 << 16),
        used: 0,
        ensure(n: number) {
          if (this.used + n > this.buf.length) {
            chunks.push(this.buf.toString('latin1', 0, this.used));
            this.used = 0;
          }
        },
        write(t: string) {
          this.ensure(t.length);
          this.used += this.buf.write(t, this.used, 'latin1');
        },
        text() {
          return chunks.join('') + this.buf.toString('latin1', 0, this.used);
        },
      };
    };
    fc.assert(
      fc.property(
        fc.array(fc.record({ i: fc.nat(), at: fc.nat({ max: 100 }), value: fc.nat({ max: 255 }), cut: fc.nat({ max: 120 }) }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom<Partial<PrintOptions>>({}, { verbose: 1 }, { numbered: true, timeFormat: 4 }, { timeFormat: 1, absoluteSeq: true }, { linkHeader: true }, { linkHeader: true, verbose: 1 }, { quiet: true }, { quiet: true, linkHeader: true }),
        (edits, variant) => {
          const fast = new TcpdumpPrinter(opts(variant), true, true);
          const slow = new TcpdumpPrinter(opts(variant), true, false);
          const a = sink();
          const b = sink();
          for (const e of edits) {
            const r = packets[e.i % packets.length]!.copy();
            if (e.at < r.capLen) r.buf[e.at] = e.value;
            if (e.cut > 100) r.capLen = Math.max(0, r.capLen - (e.cut - 100));
            fast.printTo(a, r);
            slow.printTo(b, r);
          }
          expect(a.text()).toBe(b.text());
        },
      ),
      { numRuns: 400 },
    );
  });
});
