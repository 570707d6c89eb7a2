import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv6String, macString, parseIpv6, parseMac } from '../../src/codec/index.js';

describe('address text', () => {
  it('IPv6 is RFC 5952 text: the same as the WHATWG URL serializer (an independent implementation)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabcd, 0x20), { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(16);
        groups.forEach((g, i) => {
          bytes[2 * i] = g >> 8;
          bytes[2 * i + 1] = g & 255;
        });
        const ours = ipv6String(bytes, 0);
        // Exactly six leading zero groups (::a.b.c.d) or five then ffff (::ffff:a.b.c.d).
        const zeros = groups.slice(0, 6).every((g) => g === 0) && groups[6] !== 0;
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        if (zeros || mapped) {
          // inet_ntop (and tcpdump) print a dotted tail here; URL does not.
          expect(ours).toMatch(/^::(ffff:)?\d+\.\d+\.\d+\.\d+$/);
        } else {
          expect(ours).toBe(new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1));
        }
        expect([...parseIpv6(ours)]).toEqual([...bytes]);
      }),
      { numRuns: 2000 },
    );
  });

  it('every pattern of zero groups compresses as the WHATWG URL serializer does', () => {
    for (let zeros = 0; zeros < 256; zeros++) {
      // 0x20 in the last group keeps the six-zero patterns from meaning a dotted IPv4 tail.
      const groups = Array.from({ length: 8 }, (_, i) => ((zeros >> i) & 1 ? 0 : i === 7 ? 0x20 : 0xabcd));
      if (groups.slice(0, 6).every((g) => g === 0) && groups[6] !== 0) continue;
      const bytes = Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 255]));
      expect(ipv6String(bytes, 0)).toBe(new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1));
    }
  });

  it('IPv4-mapped and compatible addresses have dotted tails as inet_ntop prints them', () => {
    const text = (s: string) => ipv6String(parseIpv6(s), 0);
    expect(text('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(text('::192.0.2.1')).toBe('::192.0.2.1');
    expect(text('::1')).toBe('::1');
    expect(text('::')).toBe('::');
    expect(text('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
  });

  it('MAC text round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
        expect([...parseMac(macString(b, 0))]).toEqual([...b]);
      }),
    );
  });
});
