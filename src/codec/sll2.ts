import { EMPTY_BUFFER } from './layer.js';
import { macString } from './addr.js';

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
