/**
 * Decimal text as tables for writers that store a few bytes at once (the printer's fast path and
 * the tracker's JSON writer). Users bind them to constants of their own module: V8 folds a
 * module's own constant into optimised code, where an imported binding is a load and a hole
 * check at every use.
 */

/** The two ASCII digits of each 0 <= n < 100, as the little-endian 16-bit word that stores them in order. */
export const DIGIT_PAIR_WORDS = Uint16Array.from({ length: 100 }, (_, n) => (0x30 + ((n / 10) | 0)) | ((0x30 + (n % 10)) << 8));

/** Each byte value's decimal text and a dot, as the little-endian 32-bit word that stores them in order. */
export const OCTET_DOT_WORDS = Int32Array.from({ length: 256 }, (_, n) => {
  const text = `${n}.`;
  let word = 0;
  for (let i = 0; i < text.length; i++) word |= text.charCodeAt(i) << (8 * i);
  return word;
});

/** The length of each OCTET_DOT_WORDS entry (the digits and the dot). */
export const OCTET_DOT_LENGTHS = Uint8Array.from({ length: 256 }, (_, n) => `${n}.`.length);
