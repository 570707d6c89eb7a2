/**
 * Internet checksum (RFC 1071) helpers. Sums are kept unfolded in a double (exact below 2^53,
 * far beyond any packet) and folded once at the end.
 */

/** Adds the 16-bit big-endian words of buf[start, end) to `acc`; an odd last byte is padded. */
export function sumWords(buf: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  const even = end - ((end - start) & 1);
  for (; i < even; i += 2) acc += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) acc += buf[i]! << 8;
  return acc;
}

/** Folds carries into 16 bits. */
export function foldSum(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/** The checksum field value that makes the sum `acc` (computed with the field as 0) verify. */
export function checksumOf(acc: number): number {
  return ~foldSum(acc) & 0xffff;
}

/** Sum of the IPv4 (addrLen 4) or IPv6 (16) pseudo-header; `length` is the upper-layer length. */
export function pseudoHeaderSum(
  buf: Uint8Array,
  addrLen: number,
  srcOffset: number,
  dstOffset: number,
  proto: number,
  length: number,
): number {
  let acc = sumWords(buf, srcOffset, srcOffset + addrLen, 0);
  acc = sumWords(buf, dstOffset, dstOffset + addrLen, acc);
  return acc + proto + Math.floor(length / 0x10000) + (length & 0xffff);
}

/**
 * What a transport checksum needs from the packet around it. The Packet answers from its IP
 * view when asked, so decoding stores nothing for checksums.
 */
export interface ChecksumSource {
  readonly buf: Buffer;
  /** 4 or 6; 0 when no IP layer carries the header (nothing to verify against). */
  readonly ipVersion: number;
  readonly pseudoSrcOffset: number;
  /** The final destination (after an IPv4 source route or IPv6 routing header). */
  readonly pseudoDstOffset: number;
  /** Where the IP datagram ends by its own length fields (absolute). */
  readonly ipEnd: number;
  /** Part of a fragmented datagram: the checksum covers bytes this packet does not hold. */
  readonly fragmented: boolean;
  /** End of the captured bytes in buf. */
  readonly capEnd: number;
}

/** Checksum arithmetic over `cover` bytes at `offset`, with the pseudo-header when proto >= 0. */
export const transportChecksum = {
  verifiable(src: ChecksumSource, offset: number, cover: number): boolean {
    return src.ipVersion !== 0 && !src.fragmented && cover >= 0 && offset + cover <= src.capEnd;
  },
  sum(src: ChecksumSource, offset: number, cover: number, proto: number): number {
    const buf = src.buf;
    let acc = sumWords(buf, offset, offset + cover, 0);
    if (proto >= 0) {
      acc += pseudoHeaderSum(buf, src.ipVersion === 4 ? 4 : 16, src.pseudoSrcOffset, src.pseudoDstOffset, proto, cover);
    }
    return acc;
  },
};
