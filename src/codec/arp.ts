import { EMPTY_BUFFER } from './layer.js';
import { ipv4String, macString, parseIp } from './addr.js';
import { parseHexAddress } from './sll.js';
import { put16 } from './wire.js';

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

export interface ArpSpec {
  type: 'arp';
  /** Default 1 (Ethernet). */
  hardwareType?: number;
  /** Default 0x0800. */
  protocolType?: number;
  hlen?: number;
  plen?: number;
  /** 1 request, 2 reply (3/4 RARP). Default 1. */
  operation?: number;
  senderHardware: string;
  senderProtocol: string;
  /** Default 00:00:00:00:00:00. */
  targetHardware?: string;
  targetProtocol: string;
}

function arpAddresses(spec: ArpSpec): [Uint8Array, Uint8Array, Uint8Array, Uint8Array] {
  return [
    parseHexAddress(spec.senderHardware),
    parseIp(spec.senderProtocol),
    parseHexAddress(spec.targetHardware ?? '00:00:00:00:00:00'),
    parseIp(spec.targetProtocol),
  ];
}

export function arpLength(spec: ArpSpec): number {
  const [sha, spa, tha, tpa] = arpAddresses(spec);
  return 8 + sha.length + spa.length + tha.length + tpa.length;
}

export function encodeArp(spec: ArpSpec, buf: Uint8Array, off: number): number {
  const [sha, spa, tha, tpa] = arpAddresses(spec);
  put16(buf, off, spec.hardwareType ?? 1);
  put16(buf, off + 2, spec.protocolType ?? 0x0800);
  buf[off + 4] = spec.hlen ?? sha.length;
  buf[off + 5] = spec.plen ?? spa.length;
  put16(buf, off + 6, spec.operation ?? 1);
  let o = off + 8;
  for (const a of [sha, spa, tha, tpa]) {
    buf.set(a, o);
    o += a.length;
  }
  return o - off;
}
