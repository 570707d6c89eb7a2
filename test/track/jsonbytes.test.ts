/**
 * The --json report writes addresses and numbers as bytes. Each must match the text the report
 * objects carry: the codec's ipv6String (checked against the WHATWG URL serializer and
 * inet_ntop's dotted tails in test/codec/addr.test.ts) and JSON.stringify's numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv6String } from '../../src/codec/index.js';
import { JsonBytes, QuadText } from '../../src/track/jsonbytes.js';

function written(write: (w: JsonBytes) => void): string {
  const w = new JsonBytes(null, 64);
  w.reserve(256);
  write(w);
  return w.take().toString('latin1');
}

function words(bytes: Uint8Array): [number, number, number, number] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return [v.getInt32(0), v.getInt32(4), v.getInt32(8), v.getInt32(12)];
}

/** Groups biased towards zero runs of every length and position, and the mapped forms' ffff. */
const groups = fc.array(fc.constantFrom(0, 0, 0, 0, 1, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0xabcd), {
  minLength: 8,
  maxLength: 8,
});

function bytesOf(g: number[]): Uint8Array {
  const b = new Uint8Array(16);
  g.forEach((x, i) => {
    b[2 * i] = x >> 8;
    b[2 * i + 1] = x & 255;
  });
  return b;
}

describe('JsonBytes', () => {
  it('writes IPv6 addresses as the codec prints them', () => {
    fc.assert(
      fc.property(fc.oneof(groups.map(bytesOf), fc.uint8Array({ minLength: 16, maxLength: 16 })), (b) => {
        expect(written((w) => w.ipv6(...words(b)))).toBe(ipv6String(b, 0));
      }),
      { numRuns: 5000 },
    );
  });

  it('writes the RFC 5952 examples and the dotted-tail forms', () => {
    const cases: Array<[number[], string]> = [
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[0x2001, 0xdb8, 0, 0, 0, 0, 2, 1], '2001:db8::2:1'],
      [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
      [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
      [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
      [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
      [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], '::ffff:192.0.2.1'],
      [[0, 0, 0, 0, 0, 0, 0xc000, 0x0201], '::192.0.2.1'],
    ];
    for (const [g, text] of cases) expect(written((w) => w.ipv6(...words(bytesOf(g))))).toBe(text);
  });

  it('writes packed ASCII texts of every length back byte for byte, each followed by what comes next', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.integer({ min: 0, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }), { minLength: 1, maxLength: 8 }), (texts) => {
        const packed = new QuadText(texts);
        const all = written((w) => texts.forEach((_, i) => {
          w.reserve(packed.length[i]! + 1);
          w.quads(packed.quads, packed.at[i]!, packed.length[i]!);
          w.byte(0x7c); // overwrites the padding quads() may leave past the text
        }));
        expect(all).toBe(texts.map((t) => `${t}|`).join(''));
      }),
    );
    expect(() => new QuadText(['caf\u00e9'])).toThrow(RangeError);
  });

  it('writes the integers at every digit-count boundary as JSON.stringify does', () => {
    const edges = [0, 2 ** 31 - 1, 2 ** 31, 2 ** 32];
    for (let p = 10; p <= 1e12; p *= 10) edges.push(p - 1, p, p + 1);
    for (const n of edges) expect(written((w) => w.number(n))).toBe(JSON.stringify(n));
  });

  it('writes numbers as JSON.stringify does', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (n) => {
          expect(written((w) => w.number(n))).toBe(JSON.stringify(n));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
