import { EMPTY_BUFFER } from './layer.js';
import { macString } from './addr.js';
import { put16 } from './wire.js';
import type { VlanSpec } from './vlan.js';

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113), 16 bytes. */
export class SllView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 16;

  get packetType(): number {
    return (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
  }
  get arphrdType(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  get addressLength(): number {
    return (this.buf[this.offset + 4]! << 8) | this.buf[this.offset + 5]!;
  }
  get addressOffset(): number {
    return this.offset + 6;
  }
  /** The link-layer address (at most the 8 bytes the header has room for). */
  addressString(): string {
    return macString(this.buf, this.offset + 6, Math.min(this.addressLength, 8));
  }
  get protocol(): number {
    return (this.buf[this.offset + 14]! << 8) | this.buf[this.offset + 15]!;
  }
}

export interface SllSpec {
  type: 'sll';
  /** 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. Default 0. */
  packetType?: number;
  /** ARPHRD_* (1 Ethernet, 772 loopback). Default 1. */
  arphrdType?: number;
  /** Link address as colon hex, up to 8 bytes. Default 00:00:00:00:00:00. */
  address?: string;
  /** Default: the number of address bytes. */
  addressLength?: number;
  /** Default: the network layer's EtherType (or the first VLAN TPID). */
  protocol?: number;
  vlans?: VlanSpec[];
}

export function encodeSll(spec: SllSpec, protocol: number, buf: Uint8Array, off: number): number {
  const addr = parseHexAddress(spec.address ?? '00:00:00:00:00:00');
  put16(buf, off, spec.packetType ?? 0);
  put16(buf, off + 2, spec.arphrdType ?? 1);
  put16(buf, off + 4, spec.addressLength ?? addr.length);
  buf.fill(0, off + 6, off + 14);
  buf.set(addr.subarray(0, 8), off + 6);
  put16(buf, off + 14, spec.protocol ?? protocol);
  return 16;
}

/** Colon-separated hex bytes of any length (link addresses in cooked headers). */
export function parseHexAddress(text: string): Uint8Array {
  if (text === '') return new Uint8Array(0);
  const parts = text.split(':');
  const out = new Uint8Array(parts.length);
  parts.forEach((p, i) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new TypeError(`bad link address: ${text}`);
    out[i] = parseInt(p, 16);
  });
  return out;
}
