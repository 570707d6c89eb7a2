import { EMPTY_BUFFER, type ChecksumStatus } from './layer.js';
import { checksumOf, foldSum, transportChecksum, type ChecksumSource } from './checksum.js';
import { put16 } from './wire.js';

/** UDP header (RFC 768). */
export class UdpView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 8;

  constructor(private readonly packet: ChecksumSource) {}

  get srcPort(): number {
    return (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
  }
  get dstPort(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  /** The length field as sent (header + data; 0 with an IPv6 jumbogram). */
  get lengthField(): number {
    return (this.buf[this.offset + 4]! << 8) | this.buf[this.offset + 5]!;
  }
  get checksum(): number {
    return (this.buf[this.offset + 6]! << 8) | this.buf[this.offset + 7]!;
  }
  /** Over IPv4 a zero checksum field means the sender computed none. */
  get hasChecksum(): boolean {
    return this.checksum !== 0 || this.packet.ipVersion !== 4;
  }
  /**
   * Bytes the checksum covers: the length field (a jumbogram's 0 means the IPv6 length), or -1
   * when the field is impossible.
   */
  get coverLength(): number {
    const room = this.packet.ipEnd - this.offset;
    const len = this.lengthField;
    if (len === 0 && this.packet.ipVersion === 6 && room > 0xffff) return room;
    return len < 8 || len > room ? -1 : len;
  }
  /** 'unverifiable' also when there is no checksum (zero field over IPv4). */
  checksumStatus(): ChecksumStatus {
    const cover = this.coverLength;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover) || !this.hasChecksum) return 'unverifiable';
    return foldSum(transportChecksum.sum(this.packet, this.offset, cover, 17)) === 0xffff ? 'correct' : 'incorrect';
  }
  /** The checksum the datagram should carry (a computed 0 is sent as 0xffff); -1 if not verifiable. */
  expectedChecksum(): number {
    const cover = this.coverLength;
    if (!transportChecksum.verifiable(this.packet, this.offset, cover)) return -1;
    const v = checksumOf(transportChecksum.sum(this.packet, this.offset, cover, 17) - this.checksum);
    return v === 0 ? 0xffff : v;
  }
}

export interface UdpSpec {
  type: 'udp';
  srcPort: number;
  dstPort: number;
  /** Override (default header + payload; 0 for an IPv6 jumbogram). */
  length?: number;
  /** Override; 0 over IPv4 means "no checksum". */
  checksum?: number;
}

export function encodeUdp(spec: UdpSpec, payloadLength: number, buf: Uint8Array, off: number): number {
  put16(buf, off, spec.srcPort);
  put16(buf, off + 2, spec.dstPort);
  const len = 8 + payloadLength;
  put16(buf, off + 4, spec.length ?? (len > 0xffff ? 0 : len));
  put16(buf, off + 6, 0);
  return 8;
}
