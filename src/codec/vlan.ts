import { EMPTY_BUFFER } from './layer.js';
import { put16 } from './wire.js';

/**
 * One 802.1Q / 802.1ad tag. `offset` points at the TCI; the TPID that announced the tag is the
 * EtherType field before it, kept in `tpid`.
 */
export class VlanView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 4;
  tpid = 0;

  get tci(): number {
    return (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
  }
  get pcp(): number {
    return this.buf[this.offset]! >> 5;
  }
  get dei(): boolean {
    return (this.buf[this.offset]! & 0x10) !== 0;
  }
  get vid(): number {
    return ((this.buf[this.offset]! & 0x0f) << 8) | this.buf[this.offset + 1]!;
  }
  /** The EtherType after this tag. */
  get etherType(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
}

/** TPIDs that announce a VLAN tag (802.1Q, 802.1ad, and the pre-standard QinQ values). */
export function isVlanTpid(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

export interface VlanSpec {
  /** TPID announcing this tag (written in the field before it). Default 0x8100. */
  tpid?: number;
  pcp?: number;
  dei?: boolean;
  vid: number;
  /** Override of the EtherType written after this tag (default: next tag's TPID or the network's). */
  etherType?: number;
}

/** Writes TCI + the inner EtherType (4 bytes); the TPID belongs to the previous header. */
export function encodeVlan(spec: VlanSpec, innerEtherType: number, buf: Uint8Array, off: number): number {
  put16(buf, off, ((spec.pcp ?? 0) << 13) | (spec.dei ? 0x1000 : 0) | (spec.vid & 0xfff));
  put16(buf, off + 2, spec.etherType ?? innerEtherType);
  return 4;
}
