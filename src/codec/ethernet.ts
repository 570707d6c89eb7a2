import { EMPTY_BUFFER } from './layer.js';
import { macString, parseMac } from './addr.js';
import { put16 } from './wire.js';
import type { VlanSpec } from './vlan.js';

/** Ethernet II header: destination, source, EtherType (or an 802.3 length <= 1500). */
export class EthernetView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 14;

  get dstOffset(): number {
    return this.offset;
  }
  get srcOffset(): number {
    return this.offset + 6;
  }
  get etherType(): number {
    return (this.buf[this.offset + 12]! << 8) | this.buf[this.offset + 13]!;
  }
  dstString(): string {
    return macString(this.buf, this.offset);
  }
  srcString(): string {
    return macString(this.buf, this.offset + 6);
  }
}

export interface EthernetSpec {
  type: 'ethernet';
  /** Default 02:00:00:00:00:02. */
  dst?: string;
  /** Default 02:00:00:00:00:01. */
  src?: string;
  /** Default: the first VLAN tag's TPID, else the network layer's EtherType. */
  etherType?: number;
  /** 802.1Q / 802.1ad tags, outermost first. */
  vlans?: VlanSpec[];
  /** Bytes after the packet: padding and/or an FCS (not payload). */
  trailer?: ArrayLike<number>;
}

/** Writes the 14-byte header; returns 14. */
export function encodeEthernet(spec: EthernetSpec, etherType: number, buf: Uint8Array, off: number): number {
  buf.set(parseMac(spec.dst ?? '02:00:00:00:00:02'), off);
  buf.set(parseMac(spec.src ?? '02:00:00:00:00:01'), off + 6);
  put16(buf, off + 12, spec.etherType ?? etherType);
  return 14;
}
