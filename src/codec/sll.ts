import { EMPTY_BUFFER } from './layer.js';
import { macString } from './addr.js';

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
