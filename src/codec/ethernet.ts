import { EMPTY_BUFFER } from './layer.js';
import { macString } from './addr.js';

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
