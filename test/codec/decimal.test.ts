import { describe, expect, it } from 'vitest';
import { DIGIT_PAIR_WORDS, OCTET_DOT_LENGTHS, OCTET_DOT_WORDS } from '../../src/codec/decimal.js';

/** The text a little-endian word stores, `length` bytes of it. */
function stored(word: number, length: number): string {
  const b = Buffer.alloc(4);
  b.writeInt32LE(word | 0);
  return b.toString('latin1', 0, length);
}

describe('decimal tables', () => {
  it('store each pair of digits and each octet with its dot as String() writes them', () => {
    for (let n = 0; n < 100; n++) expect(stored(DIGIT_PAIR_WORDS[n]!, 2)).toBe(String(n).padStart(2, '0'));
    for (let n = 0; n < 256; n++) expect(stored(OCTET_DOT_WORDS[n]!, OCTET_DOT_LENGTHS[n]!)).toBe(`${n}.`);
  });
});
