/**
 * The fast path for the lines that make up nearly all real traffic: Ethernet + IPv4/IPv6 +
 * TCP/UDP, printed without -v/-e/-q/-x/-X/-A. The line is written as bytes straight into the
 * output buffer (no strings, no allocation). Anything unusual — options other than the common
 * TCP ones, fragments, truncation, ports with an application summary — returns -1 and the
 * general printer (one printer per protocol, tcpdump's logic) prints the packet instead.
 * Both paths share the TCP sequence-number table, so relative numbers stay consistent.
 */
import type { TcpSeqTable } from './tcp.js';
import { ipv6At } from './format.js';

function portTable(ports: number[]): Uint8Array {
  const t = new Uint8Array(65536);
  for (const p of ports) t[p] = 1;
  return t;
}

const enc = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const IP_ = enc('IP ');
const IP6_ = enc('IP6 ');
const GT = enc(' > ');
const COLON_SP = enc(': ');
const FLAGS = enc('Flags [');
const SEQ = enc(', seq ');
const ACK = enc(', ack ');
const WIN = enc(', win ');
const URG = enc(', urg ');
const OPTS = enc(', options [');
const LENGTH = enc(', length ');
const UDP_LENGTH = enc('UDP, length ');
const MSS = enc('mss ');
const NOP = enc('nop');
const SACKOK = enc('sackOK');
const WSCALE = enc('wscale ');
const TS_VAL = enc('TS val ');
const ECR = enc(' ecr ');
const EOL = enc('eol');

const FLAG_TEXT: Uint8Array[] = [];
{
  const chars = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'W'];
  for (let f = 0; f < 256; f++) {
    let s = '';
    for (let i = 0; i < 8; i++) if (f & (1 << i)) s += chars[i];
    FLAG_TEXT.push(enc((s || 'none') + ']'));
  }
}

/** Ports whose payload the general printer summarises (tcpdump decodes them); HTTP is done here. */
const TCP_APP_PORTS = portTable([22, 43]);
const HTTP_METHODS = new Set([
  'OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'ORDERPATCH',
]);
const HTTP = enc(': HTTP');

function isPrintByte(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** fetch_token over fully captured bytes: the end index (0 = no token) and the token span. */
let tokenStart = 0;
let tokenEnd = 0;
function fetchToken(b: Buffer, bp: number, idx: number, len: number): number {
  const start = idx;
  for (; idx < len; idx++) {
    const c = b[bp + idx]!;
    if (c & 0x80) return 0;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrintByte(c)) return 0;
    if (idx - start + 2 > 129) return 0;
  }
  if (idx === start) return 0;
  tokenStart = start;
  tokenEnd = idx;
  for (; idx < len; idx++) {
    const c = b[bp + idx]!;
    if (c === 0x0d || c === 0x0a || !isPrintByte(c) || (c !== 0x20 && c !== 0x09)) break;
  }
  return idx;
}

/**
 * tcpdump's HTTP summary without -v reads the first line only for requests and responses:
 * returns that line's length, or -1 when only `: HTTP` is printed.
 */
function httpLine(b: Buffer, bp: number, len: number): number {
  let printThis = false;
  let idx = fetchToken(b, bp, 0, len);
  if (idx !== 0) {
    if (tokenEnd - tokenStart <= 10 && HTTP_METHODS.has(b.toString('latin1', bp + tokenStart, bp + tokenEnd).toUpperCase())) printThis = true;
    idx = fetchToken(b, bp, idx, len);
    if (idx !== 0 && tokenEnd - tokenStart === 3) {
      const d0 = b[bp + tokenStart]!;
      const d1 = b[bp + tokenStart + 1]!;
      const d2 = b[bp + tokenStart + 2]!;
      if (d0 >= 48 && d0 <= 57 && d1 >= 48 && d1 <= 57 && d2 >= 48 && d2 <= 57) printThis = true;
    }
  }
  if (!printThis) return -1;
  // print_txt_line from offset 0: nothing at all for binary data or a CR without LF
  for (let i = 0; i < len; i++) {
    const c = b[bp + i]!;
    if (c === 0x0a) return i;
    if (c === 0x0d) return i + 1 < len && b[bp + i + 1] === 0x0a ? i : -1;
    if (!isPrintByte(c) && c !== 0x09) return -1;
  }
  return len;
}

const UDP_APP_PORTS = portTable([53, 5353, 67, 68, 69, 123]);

const V6_TEXT_SLOTS = 4096;
const v6Cache: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(V6_TEXT_SLOTS);
const v6CacheText: string[] = new Array<string>(V6_TEXT_SLOTS).fill('');

function put(out: Buffer, pos: number, s: Uint8Array): number {
  for (let i = 0; i < s.length; i++) out[pos + i] = s[i]!;
  return pos + s.length;
}

/** printf("%u") for 0..2^32-1. */
function putUint(out: Buffer, pos: number, n: number): number {
  if (n < 10) {
    out[pos] = 48 + n;
    return pos + 1;
  }
  if (n > 0x7fffffff) {
    // peel one digit so the rest fits int32 arithmetic
    const q = Math.floor(n / 10);
    pos = putUint(out, pos, q);
    out[pos] = 48 + (n - q * 10);
    return pos + 1;
  }
  const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  let p = pos + digits;
  while (n >= 10) {
    const q = (n / 10) | 0;
    out[--p] = 48 + (n - q * 10);
    n = q;
  }
  out[--p] = 48 + n;
  return pos + digits;
}

function putPadded(out: Buffer, pos: number, n: number, width: number): number {
  for (let i = width - 1; i >= 0; i--) {
    const q = (n / 10) | 0;
    out[pos + i] = 48 + (n - q * 10);
    n = q;
  }
  return pos + width;
}

function putIpv4(out: Buffer, pos: number, b: Buffer, off: number): number {
  pos = putUint(out, pos, b[off]!);
  out[pos++] = 46;
  pos = putUint(out, pos, b[off + 1]!);
  out[pos++] = 46;
  pos = putUint(out, pos, b[off + 2]!);
  out[pos++] = 46;
  return putUint(out, pos, b[off + 3]!);
}

function putIpv6(out: Buffer, pos: number, b: Buffer, off: number): number {
  const text = ipv6At(b, off);
  const slot = (b[off + 15]! ^ (b[off + 14]! << 4) ^ (b[off + 13]! << 8) ^ (b[off + 11]! << 2) ^ (b[off + 9]! << 6)) & (V6_TEXT_SLOTS - 1);
  let bytes = v6Cache[slot];
  if (bytes === undefined || v6CacheText[slot] !== text) {
    bytes = enc(text);
    v6Cache[slot] = bytes;
    v6CacheText[slot] = text;
  }
  return put(out, pos, bytes);
}

export class FastPath {
  private minute = NaN;
  private prefix: Uint8Array = new Uint8Array(0);
  private number = 0;
  private readonly withDate: boolean;

  /** `timeFormat` is 0 (time of day), 1 (none) or 4 (date and time): the caller checks. */
  constructor(
    private readonly seq: TcpSeqTable,
    private readonly timeFormat: number,
    private readonly nano: boolean,
    private readonly numbered: boolean,
    private readonly absoluteSeq: boolean,
  ) {
    this.withDate = timeFormat === 4;
  }

  /** `HH:MM:SS.uuuuuu ` (or with the date, -tttt) in local time; false when not applicable. */
  private putTime(out: Buffer, pos: number, sec: number, nsec: number): number {
    const minute = Math.floor(sec / 60);
    if (minute !== this.minute) {
      const d = new Date(minute * 60000);
      if (Number.isNaN(d.getTime())) return -1;
      const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
      const date = `${String(d.getFullYear()).padStart(4, '0')}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} `;
      this.prefix = enc((this.withDate ? date : '') + `${p2(d.getHours())}:${p2(d.getMinutes())}:`);
      this.minute = minute;
    }
    pos = put(out, pos, this.prefix);
    pos = putPadded(out, pos, sec - minute * 60, 2);
    out[pos++] = 46;
    pos = this.nano ? putPadded(out, pos, nsec, 9) : putPadded(out, pos, Math.floor(nsec / 1000), 6);
    out[pos++] = 32;
    return pos;
  }

  /**
   * Writes the whole line (newline included) at `pos` and returns the new position, or -1 to
   * leave the packet to the general printer. `out` has at least 1024 bytes free at `pos`.
   */
  write(out: Buffer, pos: number, b: Buffer, p: number, capLen: number, origLen: number, sec: number, nsec: number, number: number): number {
    this.number = number;
    if (capLen < 34 || origLen < capLen || nsec >= 1e9 || sec < 0) return -1;
    const end = p + capLen;
    const type = (b[p + 12]! << 8) | b[p + 13]!;
    const ip = p + 14;
    let length = origLen - 14;
    let v6: boolean;
    let tp: number;
    let tlen: number;
    if (type === 0x0800) {
      if (b[ip] !== 0x45) return -1;
      const total = (b[ip + 2]! << 8) | b[ip + 3]!;
      if (total < 20 || total > length) return -1;
      if ((b[ip + 6]! & 0xbf) !== 0 || b[ip + 7] !== 0) return -1; // fragments, reserved bit
      v6 = false;
      tp = ip + 20;
      tlen = total - 20;
      length = total;
    } else if (type === 0x86dd) {
      if (capLen < 54 || b[ip]! >> 4 !== 6) return -1;
      const plen = (b[ip + 4]! << 8) | b[ip + 5]!;
      if (plen === 0 || plen + 40 > length) return -1;
      v6 = true;
      tp = ip + 40;
      tlen = plen;
      length = plen + 40;
    } else return -1;
    const snapend = Math.min(end, ip + length);
    const proto = v6 ? b[ip + 6]! : b[ip + 9]!;
    if (proto === 6) {
      if (tp + 20 > snapend) return -1;
      const hlen = (b[tp + 12]! >> 4) * 4;
      if (hlen < 20 || hlen > tlen || tp + hlen > snapend) return -1;
      const sport = (b[tp]! << 8) | b[tp + 1]!;
      const dport = (b[tp + 2]! << 8) | b[tp + 3]!;
      const flags = b[tp + 13]!;
      const dlen = tlen - hlen;
      if (dlen > 0 && (TCP_APP_PORTS[sport] === 1 || TCP_APP_PORTS[dport] === 1)) return -1;
      const http = dlen > 0 && (sport === 80 || dport === 80 || sport === 8080 || dport === 8080);
      // the summary reads the payload: only when all of it was captured
      if (http && tp + hlen + dlen > snapend) return -1;
      const line = http ? httpLine(b, tp + hlen, dlen) : -1;
      if (line > 1024) return -1;
      // the options must be ones this path prints; checked before anything is written
      let q = tp + 20;
      const oend = tp + hlen;
      while (q < oend) {
        const k = b[q]!;
        if (k === 1) q++;
        else if (k === 0) return -1;
        else {
          if (q + 1 >= oend) return -1;
          const l = b[q + 1]!;
          if ((k === 2 && l === 4) || (k === 3 && l === 3) || (k === 4 && l === 2) || (k === 8 && l === 10)) {
            if (q + l > oend) return -1;
            q += l;
          } else return -1;
        }
      }
      const start = pos;
      pos = this.head(out, pos, sec, nsec);
      if (pos < 0) return -1;
      let seq = b.readUInt32BE(tp + 4);
      let ack = b.readUInt32BE(tp + 8);
      if (!this.absoluteSeq && flags & 0x10) {
        const alen = v6 ? 16 : 4;
        const sa = v6 ? ip + 8 : ip + 12;
        const da = sa + alen;
        let rev = false;
        if (sport > dport) rev = true;
        else if (sport === dport && b.compare(b, sa, sa + alen, da, da + alen) > 0) rev = true;
        const t = this.seq;
        let th = v6
          ? rev ? t.lookup6(b, da, dport, sa, sport, false) : t.lookup6(b, sa, sport, da, dport, false)
          : rev ? t.lookup4(b, da, dport, sa, sport, false) : t.lookup4(b, sa, sport, da, dport, false);
        if (th === undefined || flags & 0x02) {
          if (th === undefined) {
            th = v6
              ? rev ? t.lookup6(b, da, dport, sa, sport, true)! : t.lookup6(b, sa, sport, da, dport, true)!
              : rev ? t.lookup4(b, da, dport, sa, sport, true)! : t.lookup4(b, sa, sport, da, dport, true)!;
          }
          if (rev) {
            th.ack = seq;
            th.seq = (ack - 1) >>> 0;
          } else {
            th.seq = seq;
            th.ack = (ack - 1) >>> 0;
          }
        } else if (rev) {
          seq = (seq - th.ack) >>> 0;
          ack = (ack - th.seq) >>> 0;
        } else {
          seq = (seq - th.seq) >>> 0;
          ack = (ack - th.ack) >>> 0;
        }
      }
      void start;
      pos = this.addresses(out, pos, b, ip, v6, sport, dport);
      pos = put(out, pos, FLAGS);
      pos = put(out, pos, FLAG_TEXT[flags]!);
      if (dlen > 0 || flags & 0x07) {
        pos = put(out, pos, SEQ);
        pos = putUint(out, pos, seq);
        if (dlen > 0) {
          out[pos++] = 58;
          pos = putUint(out, pos, (seq + dlen) >>> 0);
        }
      }
      if (flags & 0x10) {
        pos = put(out, pos, ACK);
        pos = putUint(out, pos, ack);
      }
      pos = put(out, pos, WIN);
      pos = putUint(out, pos, (b[tp + 14]! << 8) | b[tp + 15]!);
      if (flags & 0x20) {
        pos = put(out, pos, URG);
        pos = putUint(out, pos, (b[tp + 18]! << 8) | b[tp + 19]!);
      }
      if (hlen > 20) {
        pos = put(out, pos, OPTS);
        let first = true;
        for (q = tp + 20; q < oend; ) {
          if (!first) out[pos++] = 44;
          first = false;
          const k = b[q]!;
          switch (k) {
            case 1:
              pos = put(out, pos, NOP);
              q++;
              continue;
            case 2:
              pos = put(out, pos, MSS);
              pos = putUint(out, pos, (b[q + 2]! << 8) | b[q + 3]!);
              break;
            case 3:
              pos = put(out, pos, WSCALE);
              pos = putUint(out, pos, b[q + 2]!);
              break;
            case 4:
              pos = put(out, pos, SACKOK);
              break;
            case 8:
              pos = put(out, pos, TS_VAL);
              pos = putUint(out, pos, b.readUInt32BE(q + 2));
              pos = put(out, pos, ECR);
              pos = putUint(out, pos, b.readUInt32BE(q + 6));
              break;
            default:
              pos = put(out, pos, EOL);
          }
          q += b[q + 1]!;
        }
        out[pos++] = 93;
      }
      pos = put(out, pos, LENGTH);
      pos = putUint(out, pos, dlen);
      if (http) {
        pos = put(out, pos, HTTP);
        if (line >= 0) {
          out[pos++] = 58;
          out[pos++] = 32;
          const from = tp + hlen;
          for (let k = 0; k < line; k++) out[pos++] = b[from + k]!;
        }
      }
      out[pos++] = 10;
      return pos;
    }
    if (proto === 17) {
      if (tlen < 8 || tp + 8 > snapend) return -1;
      const sport = (b[tp]! << 8) | b[tp + 1]!;
      const dport = (b[tp + 2]! << 8) | b[tp + 3]!;
      if (UDP_APP_PORTS[sport] === 1 || UDP_APP_PORTS[dport] === 1) return -1;
      let ulen = (b[tp + 4]! << 8) | b[tp + 5]!;
      if (ulen < 8) return -1;
      ulen -= 8;
      if (ulen > tlen - 8) return -1; // "bad length"
      pos = this.head(out, pos, sec, nsec);
      if (pos < 0) return -1;
      pos = this.addresses(out, pos, b, ip, v6, sport, dport);
      pos = put(out, pos, UDP_LENGTH);
      pos = putUint(out, pos, ulen);
      out[pos++] = 10;
      return pos;
    }
    return -1;
  }

  private head(out: Buffer, pos: number, sec: number, nsec: number): number {
    if (this.numbered) {
      const n = this.number;
      if (n < 100000) {
        const w = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
        for (let i = w; i < 5; i++) out[pos++] = 32;
      }
      pos = putUint(out, pos, n);
      out[pos++] = 32;
      out[pos++] = 32;
    }
    if (this.timeFormat === 1) return pos;
    return this.putTime(out, pos, sec, nsec);
  }

  private addresses(out: Buffer, pos: number, b: Buffer, ip: number, v6: boolean, sport: number, dport: number): number {
    if (v6) {
      pos = put(out, pos, IP6_);
      pos = putIpv6(out, pos, b, ip + 8);
      out[pos++] = 46;
      pos = putUint(out, pos, sport);
      pos = put(out, pos, GT);
      pos = putIpv6(out, pos, b, ip + 24);
    } else {
      pos = put(out, pos, IP_);
      pos = putIpv4(out, pos, b, ip + 12);
      out[pos++] = 46;
      pos = putUint(out, pos, sport);
      pos = put(out, pos, GT);
      pos = putIpv4(out, pos, b, ip + 16);
    }
    out[pos++] = 46;
    pos = putUint(out, pos, dport);
    return put(out, pos, COLON_SP);
  }
}
