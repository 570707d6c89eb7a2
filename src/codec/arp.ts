import { EMPTY_BUFFER } from './layer.js';
import { ipv4String, macString } from './addr.js';

/** ARP (and RARP) over any hardware: fixed 8 bytes, then sender/target hardware+protocol addresses. */
export class ArpView {
  buf: Buffer = EMPTY_BUFFER;
  offset = 0;
  length = 0;
  headerLength = 8;

  get hardwareType(): number {
    return (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
  }
  get protocolType(): number {
    return (this.buf[this.offset + 2]! << 8) | this.buf[this.offset + 3]!;
  }
  get hlen(): number {
    return this.buf[this.offset + 4]!;
  }
  get plen(): number {
    return this.buf[this.offset + 5]!;
  }
  get operation(): number {
    return (this.buf[this.offset + 6]! << 8) | this.buf[this.offset + 7]!;
  }
  get senderHardwareOffset(): number {
    return this.offset + 8;
  }
  get senderProtocolOffset(): number {
    return this.offset + 8 + this.hlen;
  }
  get targetHardwareOffset(): number {
    return this.offset + 8 + this.hlen + this.plen;
  }
  get targetProtocolOffset(): number {
    return this.offset + 8 + 2 * this.hlen + this.plen;
  }
  senderHardwareString(): string {
    return macString(this.buf, this.senderHardwareOffset, this.hlen);
  }
  senderProtocolString(): string {
    return this.protocolString(this.senderProtocolOffset);
  }
  targetHardwareString(): string {
    return macString(this.buf, this.targetHardwareOffset, this.hlen);
  }
  targetProtocolString(): string {
    return this.protocolString(this.targetProtocolOffset);
  }
  private protocolString(off: number): string {
    return this.plen === 4 ? ipv4String(this.buf, off) : macString(this.buf, off, this.plen);
  }
}
