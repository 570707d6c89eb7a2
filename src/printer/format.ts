/** Small formatting helpers shared by the protocol printers (tcpdump's addrtoname/util-print). */
import { i32 } from '../codec/wire.js';

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));
export { HEX2 };

export function hex4(v: number): string {
  return HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
}

/** printf("%x"). */
export function hex(v: number): string {
  return (v >>> 0).toString(16);
}

const DEC: string[] = [];
for (let i = 0; i < 256; i++) DEC.push(String(i));

// direct-mapped caches: busy captures repeat a few thousand addresses
const V4_SLOTS = 4096;
const v4Keys = new Float64Array(V4_SLOTS).fill(-1);
const v4Text: string[] = new Array<string>(V4_SLOTS).fill('');

export function ipv4At(b: Buffer, off: number): string {
  const key = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
  const slot = (key ^ (key >>> 12) ^ (key >>> 20)) & (V4_SLOTS - 1);
  if (v4Keys[slot] === key) return v4Text[slot]!;
  const s = DEC[b[off]!]! + '.' + DEC[b[off + 1]!]! + '.' + DEC[b[off + 2]!]! + '.' + DEC[b[off + 3]!]!;
  v4Keys[slot] = key;
  v4Text[slot] = s;
  return s;
}

const V6_SLOTS = 4096;
const v6Keys = new Int32Array(V6_SLOTS * 4);
const v6Valid = new Uint8Array(V6_SLOTS);
const v6Text: string[] = new Array<string>(V6_SLOTS).fill('');

/** inet_ntop(AF_INET6), cached. */
export function ipv6At(b: Buffer, off: number): string {
  const a = i32(b, off);
  const c = i32(b, off + 4);
  const d = i32(b, off + 8);
  const e = i32(b, off + 12);
  const slot = (a ^ c ^ d ^ e ^ (e >>> 12) ^ (d >>> 7)) & (V6_SLOTS - 1);
  const k = slot * 4;
  if (v6Valid[slot] === 1 && v6Keys[k] === a && v6Keys[k + 1] === c && v6Keys[k + 2] === d && v6Keys[k + 3] === e) return v6Text[slot]!;
  const s = formatIpv6(b, off);
  v6Keys[k] = a;
  v6Keys[k + 1] = c;
  v6Keys[k + 2] = d;
  v6Keys[k + 3] = e;
  v6Valid[slot] = 1;
  v6Text[slot] = s;
  return s;
}

function ipv4Plain(b: Buffer, off: number): string {
  return DEC[b[off]!]! + '.' + DEC[b[off + 1]!]! + '.' + DEC[b[off + 2]!]! + '.' + DEC[b[off + 3]!]!;
}

/** inet_ntop(AF_INET6) as glibc prints it (RFC 5952 zero compression, embedded IPv4 forms). */
function formatIpv6(b: Buffer, off: number): string {
  const w = IPV6_WORDS;
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += ipv4Plain(b, off + 12);
      break;
    }
    s += w[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}
const IPV6_WORDS = new Uint16Array(8);

export function macAt(b: Buffer, off: number): string {
  return (
    HEX2[b[off]!]! + ':' + HEX2[b[off + 1]!]! + ':' + HEX2[b[off + 2]!]! + ':' +
    HEX2[b[off + 3]!]! + ':' + HEX2[b[off + 4]!]! + ':' + HEX2[b[off + 5]!]!
  );
}

/** tcpdump's linkaddr_string: 6 bytes as a MAC, 0 as `<empty>`, else hex bytes joined by ':'. */
export function linkAddrAt(b: Buffer, off: number, len: number): string {
  if (len === 0) return '<empty>';
  if (len === 6) return macAt(b, off);
  let s = HEX2[b[off]!]!;
  for (let i = 1; i < len; i++) s += ':' + HEX2[b[off + i]!]!;
  return s;
}

/** tcpdump's fn_print_char: M- for the high bit, ^X for control characters. */
export function visChar(c: number): string {
  let s = '';
  if (c & 0x80) {
    c &= 0x7f;
    s = 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    s += '^';
  }
  return s + String.fromCharCode(c);
}

export function isGraph(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

export function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** One's-complement sum of bytes [off, off+len) folded into 16 bits, added to `sum`. */
export function csumAdd(b: Buffer, off: number, len: number, sum: number): number {
  const end = off + (len & ~1);
  let i = off;
  for (; i < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) sum += b[end]! << 8;
  // fold often enough to stay inside 2^53
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** ~fold(sum) & 0xffff: 0 when the data (with its checksum field) is correct. */
export function csumFinish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** tcpdump's in_cksum_shouldbe: the checksum field value that would have been correct. */
export function cksumShouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}
