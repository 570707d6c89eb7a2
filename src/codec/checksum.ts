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
 * Where a transport checksum's coverage and pseudo-header come from. The decoder fills one per
 * transport view from the IP layer below it.
 */
export class ChecksumContext {
  /** 4 or 6; 0 when no IP layer carries this header (nothing to verify against). */
  ipVersion = 0;
  pseudoSrcOffset = 0;
  /** The final destination (after an IPv4 source route or IPv6 routing header). */
  pseudoDstOffset = 0;
  /** Bytes the checksum covers, from the transport header start (the IP upper-layer length). */
  coverLength = 0;
  /** End of the captured bytes in buf. */
  capEnd = 0;
  /** Part of a fragmented datagram: the checksum covers bytes this packet does not hold. */
  fragment = false;

  set(ipVersion: number, src: number, dst: number, cover: number, capEnd: number, fragment: boolean): void {
    this.ipVersion = ipVersion;
    this.pseudoSrcOffset = src;
    this.pseudoDstOffset = dst;
    this.coverLength = cover;
    this.capEnd = capEnd;
    this.fragment = fragment;
  }

  /** True when every covered byte was captured and the datagram is whole. */
  verifiable(offset: number): boolean {
    return this.ipVersion !== 0 && !this.fragment && this.coverLength >= 0 && offset + this.coverLength <= this.capEnd;
  }

  /** Unfolded sum over the covered bytes, plus the pseudo-header when `proto` >= 0. */
  sum(buf: Uint8Array, offset: number, proto: number): number {
    let acc = sumWords(buf, offset, offset + this.coverLength, 0);
    if (proto >= 0) {
      acc += pseudoHeaderSum(
        buf, this.ipVersion === 4 ? 4 : 16, this.pseudoSrcOffset, this.pseudoDstOffset, proto, this.coverLength,
      );
    }
    return acc;
  }
}
