import { EMPTY_BUFFER } from './layer.js';
import { macString } from './addr.js';
import { put16, put32 } from './wire.js';
import { parseHexAddress } from './sll.js';
import type { VlanSpec } from './vlan.js';

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276), 20 bytes. */
export class Sll2View {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  readonly headerLength = 20;

  get protocol(): number {
    return (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
  }
  get reserved(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  get interfaceIndex(): number {
    const b = this.buf;
    const o = this.offset + 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  get arphrdType(): number {
    return (this.buf[this.offset + 8]! << 8) | this.buf[this.offset + 9]!;
  }
  get packetType(): number {
    return this.buf[this.offset + 10]!;
  }
  get addressLength(): number {
    return this.buf[this.offset + 11]!;
  }
  get addressOffset(): number {
    return this.offset + 12;
  }
  addressString(): string {
    return macString(this.buf, this.offset + 12, Math.min(this.addressLength, 8));
  }
}

export interface Sll2Spec {
  type: 'sll2';
  /** Default: the network layer's EtherType (or the first VLAN TPID). */
  protocol?: number;
  reserved?: number;
  interfaceIndex?: number;
  arphrdType?: number;
  packetType?: number;
  address?: string;
  addressLength?: number;
  vlans?: VlanSpec[];
}

export function encodeSll2(spec: Sll2Spec, protocol: number, buf: Uint8Array, off: number): number {
  const addr = parseHexAddress(spec.address ?? '00:00:00:00:00:00');
  put16(buf, off, spec.protocol ?? protocol);
  put16(buf, off + 2, spec.reserved ?? 0);
  put32(buf, off + 4, spec.interfaceIndex ?? 1);
  put16(buf, off + 8, spec.arphrdType ?? 1);
  buf[off + 10] = spec.packetType ?? 0;
  buf[off + 11] = spec.addressLength ?? addr.length;
  buf.fill(0, off + 12, off + 20);
  buf.set(addr.subarray(0, 8), off + 12);
  return 20;
}
