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
import { HTTP_METHODS, TCP_TEXT_PORTS, TCP_UNDECODED, UDP_UNDECODED } from './app.js';
import { u32, i32 } from '../codec/wire.js';
import { DIGIT_PAIR_WORDS, OCTET_DOT_LENGTHS, OCTET_DOT_WORDS } from '../codec/decimal.js';

function portTable(ports: number[]): Uint8Array {
  const t = new Uint8Array(65536);
  for (const p of ports) t[p] = 1;
  return t;
}

/**
 * Constant text as little-endian 32-bit words: `put` stores four bytes at a time through a
 * DataView (a byte loop cost a third of a -v line). The last word may carry up to three bytes
 * past the text; they land beyond the returned position and are overwritten by what follows
 * (the caller keeps 2 KiB free, far more than a line).
 */
interface Chunk {
  readonly length: number;
  readonly words: Int32Array;
}

function enc(s: string): Chunk {
  const bytes = Buffer.alloc((s.length + 3) & ~3);
  bytes.write(s, 'latin1');
  const words = new Int32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = bytes.readInt32LE(i * 4);
  return { length: s.length, words };
}

/** The DataView over the output buffer `write` was last given (re-made when the CLI swaps buffers). */
let outView: DataView = new DataView(new ArrayBuffer(0));
let outViewOf: Uint8Array | null = null;
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
const TCP_Q = enc('tcp ');
const ETH_V4 = enc(', ethertype IPv4 (0x0800), length ');
const ETH_V6 = enc(', ethertype IPv6 (0x86dd), length ');
const ETH_Q_V4 = enc(', IPv4, length ');
const ETH_Q_V6 = enc(', IPv6, length ');
const HEX_LOWER = Uint8Array.from(Buffer.from('0123456789abcdef', 'latin1'));

function putMac(out: Buffer, pos: number, b: Buffer, off: number): number {
  for (let i = 0; i < 6; i++) {
    if (i) out[pos++] = 58;
    const c = b[off + i]!;
    out[pos++] = HEX_LOWER[c >> 4]!;
    out[pos++] = HEX_LOWER[c & 15]!;
  }
  return pos;
}
const CKSUM = enc(', cksum 0x');
const CORRECT = enc(' (correct)');
const INCORRECT = enc(' (incorrect -> 0x');
const UDP_OK = enc('[udp sum ok] ');
const UDP_BAD = enc('[bad udp cksum 0x');
const ARROW = enc(' -> 0x');
const BANG = enc('!] ');
const CLASS = enc('class 0x');
const FLOWLABEL = enc('flowlabel 0x');
const HLIM = enc('hlim ');
const NH_TCP = enc(', next-header TCP (6) payload length: ');
const NH_UDP = enc(', next-header UDP (17) payload length: ');
const TOS = enc('(tos 0x');
const ECN_TEXT = [enc(''), enc(',ECT(1)'), enc(',ECT(0)'), enc(',CE')];
const TTL = enc(', ttl ');
const ID = enc(', id ');
const OFF_DF = enc(', offset 0, flags [DF]');
const OFF_NONE = enc(', offset 0, flags [none]');
const PROTO_TCP = enc(', proto TCP (6), length ');
const PROTO_UDP = enc(', proto UDP (17), length ');
const BAD_CKSUM = enc(', bad cksum ');
const PAREN_ARROW = enc(' (->');
const PAREN_BANG = enc(')!');
const V4_TAIL = enc(')\n    ');
const HEXCHARS = HEX_LOWER;

/** One's-complement sum of big-endian 16-bit words, byte by byte (short spans). */
function sum16Bytes(b: Buffer, off: number, len: number, sum: number): number {
  const end = off + (len & ~1);
  let i = off;
  for (; i < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) sum += b[end]! << 8;
  return sum;
}

let wordsOf: ArrayBufferLike | null = null;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * The same sum over long spans, read as native 32-bit words (little-endian hosts). Modulo
 * 0xffff a word counts as its two 16-bit halves, so in the sum of little-endian words the byte
 * at address x weighs 2^(8*(x&1)). The one's-complement sum does not depend on byte order
 * (RFC 1071): from an even address that is the byte-swapped network-order sum, from an odd
 * address the pairing shifts by one byte and it is the network-order sum itself.
 */
function sum16(b: Buffer, off: number, len: number, sum: number): number {
  if (len < 64 || endianBig) return sum16Bytes(b, off, len, sum);
  if (wordsOf !== b.buffer) {
    wordsOf = b.buffer;
    words = new Uint32Array(b.buffer, 0, b.buffer.byteLength >> 2);
  }
  const base = b.byteOffset;
  const first = base + off;
  const last = first + len;
  let x = first;
  let s = 0;
  for (; (x & 3) !== 0; x++) s += x & 1 ? b[x - base]! << 8 : b[x - base]!;
  const wordEnd = last & ~3;
  const w = words;
  let i = x >> 2;
  const iEnd = wordEnd >> 2;
  // Whole words added as doubles (exact below 2^53, far beyond any packet), two chains, four
  // words a step. The chains start at 0.5 so V8 keeps them as doubles from the first add: no
  // overflow checks, no deopt when a sum passes 2^31.
  let a = 0.5;
  let c = 0.5;
  for (; i + 3 < iEnd; i += 4) {
    a += w[i]! + w[i + 1]!;
    c += w[i + 2]! + w[i + 3]!;
  }
  for (; i < iEnd; i++) a += w[i]!;
  s += a + c - 1;
  for (x = wordEnd; x < last; x++) s += x & 1 ? b[x - base]! << 8 : b[x - base]!;
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  if ((first & 1) === 0) s = ((s & 0xff) << 8) | (s >> 8);
  return sum + s;
}
const endianBig = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

function finish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The pseudo-header sum (no IPv4 options and no IPv6 extension headers on this path). */
function pseudo(b: Buffer, ip: number, v6: boolean, proto: number, len: number): number {
  if (v6) return sum16Bytes(b, ip + 8, 32, 0) + proto + Math.floor(len / 65536) + (len & 0xffff);
  return sum16Bytes(b, ip + 12, 8, 0) + proto + len;
}

function shouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

function putHex4(out: Buffer, pos: number, v: number): number {
  out[pos] = HEXCHARS[(v >> 12) & 15]!;
  out[pos + 1] = HEXCHARS[(v >> 8) & 15]!;
  out[pos + 2] = HEXCHARS[(v >> 4) & 15]!;
  out[pos + 3] = HEXCHARS[v & 15]!;
  return pos + 4;
}

/** printf("%x"). */
function putHexMin(out: Buffer, pos: number, v: number): number {
  let started = false;
  for (let s = 12; s >= 0; s -= 4) {
    const d = (v >> s) & 15;
    if (d !== 0 || started || s === 0) {
      out[pos++] = HEXCHARS[d]!;
      started = true;
    }
  }
  return pos;
}

const FLAG_TEXT: Chunk[] = [];
{
  const chars = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'W'];
  for (let f = 0; f < 256; f++) {
    let s = '';
    for (let i = 0; i < 8; i++) if (f & (1 << i)) s += chars[i];
    FLAG_TEXT.push(enc((s || 'none') + ']'));
  }
}

/** Ports whose payload the general printer summarises (tcpdump decodes them); HTTP is done here. */
const TCP_APP_PORTS = portTable([...TCP_TEXT_PORTS.filter((p) => p !== 80 && p !== 8080), ...TCP_UNDECODED.keys()]);
const HTTP_METHOD_BYTES: readonly Uint8Array[] = HTTP_METHODS.map((m) => Uint8Array.from(Buffer.from(m, 'latin1')));

/** Whether b[from, to) is an HTTP method, ASCII case ignored (tokens here are printable ASCII). */
function isHttpMethod(b: Buffer, from: number, to: number): boolean {
  const n = to - from;
  for (const m of HTTP_METHOD_BYTES) {
    if (m.length !== n) continue;
    let i = 0;
    for (; i < n; i++) {
      const c = b[from + i]!;
      if ((c >= 97 && c <= 122 ? c - 32 : c) !== m[i]) break;
    }
    if (i === n) return true;
  }
  return false;
}
const HTTP = enc(': HTTP');
const HTTP_TRUNC = enc(' [|http]');

function isPrintByte(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** fetch_token's view of a byte: part of a token, a delimiter (space, tab, CR, LF), or not text. */
const TOKEN_CHAR = 0;
const TOKEN_DELIMITER = 1;
const TOKEN_CLASS = new Uint8Array(256).fill(2);
for (let c = 0x21; c < 0x7f; c++) TOKEN_CLASS[c] = TOKEN_CHAR;
for (const c of [0x20, 0x09, 0x0d, 0x0a]) TOKEN_CLASS[c] = TOKEN_DELIMITER;

/** fetch_token over fully captured bytes: the end index (0 = no token) and the token span. */
let tokenStart = 0;
let tokenEnd = 0;
function fetchToken(b: Buffer, bp: number, idx: number, len: number): number {
  const start = idx;
  for (; idx < len; idx++) {
    const k = TOKEN_CLASS[b[bp + idx]!]!;
    if (k !== TOKEN_CHAR) {
      if (k === TOKEN_DELIMITER) break;
      return 0;
    }
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
 * returns that line's length, -1 for a request/response whose first line is not text, -2 when
 * the payload is neither (only `: HTTP` is printed, with or without -v).
 */
function httpLine(b: Buffer, bp: number, len: number): number {
  let printThis = false;
  let idx = fetchToken(b, bp, 0, len);
  if (idx !== 0) {
    if (tokenEnd - tokenStart <= 10 && isHttpMethod(b, bp + tokenStart, bp + tokenEnd)) printThis = true;
    idx = fetchToken(b, bp, idx, len);
    if (idx !== 0 && tokenEnd - tokenStart === 3) {
      const d0 = b[bp + tokenStart]!;
      const d1 = b[bp + tokenStart + 1]!;
      const d2 = b[bp + tokenStart + 2]!;
      if (d0 >= 48 && d0 <= 57 && d1 >= 48 && d1 <= 57 && d2 >= 48 && d2 <= 57) printThis = true;
    }
  }
  if (!printThis) return -2;
  // print_txt_line from offset 0: nothing at all for binary data or a CR without LF
  for (let i = 0; i < len; i++) {
    const c = b[bp + i]!;
    if (c === 0x0a) return i;
    if (c === 0x0d) return i + 1 < len && b[bp + i + 1] === 0x0a ? i : -1;
    if (!isPrintByte(c) && c !== 0x09) return -1;
  }
  return len;
}

const UDP_APP_PORTS = portTable([53, 5353, 67, 68, 69, 123, 5060, ...UDP_UNDECODED.keys()]);

const V6_TEXT_SLOTS = 4096;
const v6Cache: (Chunk | undefined)[] = new Array<Chunk | undefined>(V6_TEXT_SLOTS);
const v6CacheAddr = new Int32Array(V6_TEXT_SLOTS * 4);

function put(out: Buffer, pos: number, s: Chunk): number {
  const w = s.words;
  const dv = outView;
  for (let i = 0; i < w.length; i++) dv.setInt32(pos + (i << 2), w[i]!, true);
  return pos + s.length;
}

// The decimal tables as this module's own constants (see codec/decimal.ts).
const DIGIT_PAIRS = DIGIT_PAIR_WORDS;
const OCTET_DOT = OCTET_DOT_WORDS;
const OCTET_LEN = OCTET_DOT_LENGTHS;

/** printf("%u") for 0..2^32-1, two digits per step. */
function putUint(out: Buffer, pos: number, n: number): number {
  if (n < 10) {
    out[pos] = 48 + n;
    return pos + 1;
  }
  if (n >= 100000000) {
    // the top one or two digits in double arithmetic, the other eight as int32
    const high = Math.floor(n / 100000000);
    pos = putUint(out, pos, high);
    return putPadded(out, pos, (n - high * 100000000) | 0, 8);
  }
  // `| 0`: int32 arithmetic below even where callers pass numbers V8 holds as doubles
  let m = n | 0;
  const digits = m < 100 ? 2 : m < 1000 ? 3 : m < 10000 ? 4 : m < 100000 ? 5 : m < 1000000 ? 6 : m < 10000000 ? 7 : 8;
  const dv = outView;
  let p = pos + digits;
  while (m >= 100) {
    const q = (m / 100) | 0;
    p -= 2;
    dv.setUint16(p, DIGIT_PAIRS[m - q * 100]!, true);
    m = q;
  }
  if (m >= 10) dv.setUint16(p - 2, DIGIT_PAIRS[m]!, true);
  else out[p - 1] = 48 + m;
  return pos + digits;
}

/** The low `width` decimal digits of n (0 <= n < 2^31), zero-padded. */
function putPadded(out: Buffer, pos: number, value: number, width: number): number {
  const dv = outView;
  let n = value | 0;
  let p = pos + width;
  while (p - pos >= 2) {
    const q = (n / 100) | 0;
    p -= 2;
    dv.setUint16(p, DIGIT_PAIRS[n - q * 100]!, true);
    n = q;
  }
  if (p > pos) out[pos] = 48 + (n % 10);
  return pos + width;
}

/** Dotted quad: each octet and its dot in one store (the last dot is overwritten by what follows). */
function putIpv4(out: Buffer, pos: number, b: Buffer, off: number): number {
  const dv = outView;
  let v = b[off]!;
  dv.setInt32(pos, OCTET_DOT[v]!, true);
  pos += OCTET_LEN[v]!;
  v = b[off + 1]!;
  dv.setInt32(pos, OCTET_DOT[v]!, true);
  pos += OCTET_LEN[v]!;
  v = b[off + 2]!;
  dv.setInt32(pos, OCTET_DOT[v]!, true);
  pos += OCTET_LEN[v]!;
  v = b[off + 3]!;
  dv.setInt32(pos, OCTET_DOT[v]!, true);
  return pos + OCTET_LEN[v]! - 1;
}

/** IPv6 text by address: a slot keeps the 16 bytes it was made for, compared before reuse. */
function putIpv6(out: Buffer, pos: number, b: Buffer, off: number): number {
  const w0 = i32(b, off), w1 = i32(b, off + 4), w2 = i32(b, off + 8), w3 = i32(b, off + 12);
  const slot = (b[off + 15]! ^ (b[off + 14]! << 4) ^ (b[off + 13]! << 8) ^ (b[off + 11]! << 2) ^ (b[off + 9]! << 6)) & (V6_TEXT_SLOTS - 1);
  const k = slot << 2;
  let text = v6Cache[slot];
  if (text === undefined || v6CacheAddr[k] !== w0 || v6CacheAddr[k + 1] !== w1 || v6CacheAddr[k + 2] !== w2 || v6CacheAddr[k + 3] !== w3) {
    text = enc(ipv6At(b, off));
    v6Cache[slot] = text;
    v6CacheAddr[k] = w0;
    v6CacheAddr[k + 1] = w1;
    v6CacheAddr[k + 2] = w2;
    v6CacheAddr[k + 3] = w3;
  }
  return put(out, pos, text);
}

export class FastPath {
  private minute = NaN;
  private prefix: Chunk = enc('');
  private number = 0;
  private readonly withDate: boolean;

  /** `timeFormat` is 0 (time of day), 1 (none) or 4 (date and time): the caller checks. */
  constructor(
    private readonly seq: TcpSeqTable,
    private readonly timeFormat: number,
    private readonly nano: boolean,
    private readonly numbered: boolean,
    private readonly absoluteSeq: boolean,
    private readonly verbose = 0,
    private readonly linkHeader = false,
    private readonly quiet = false,
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
    if (out !== outViewOf) {
      outViewOf = out;
      outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
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
      if (this.quiet) {
        // tcpdump -q: the length only, before any sequence bookkeeping
        pos = this.head(out, pos, sec, nsec, b, p, type, origLen);
        if (pos < 0) return -1;
        pos = this.addresses(out, pos, b, ip, v6, sport, dport, length);
        pos = put(out, pos, TCP_Q);
        pos = putUint(out, pos, dlen);
        out[pos++] = 10;
        return pos;
      }
      const http = dlen > 0 && (sport === 80 || dport === 80 || sport === 8080 || dport === 8080);
      // the summary reads the payload: only when all of it was captured
      if (http && tp + hlen + dlen > snapend) return -1;
      const line = http ? httpLine(b, tp + hlen, dlen) : -2;
      if (line > 1024) return -1;
      const verbose = this.verbose;
      // -v: text requests/responses print every line, and RST data is shown; both left to the general printer
      if (verbose && (line !== -2 || (flags & 0x04 && dlen > 0))) return -1;
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
      pos = this.head(out, pos, sec, nsec, b, p, type, origLen);
      if (pos < 0) return -1;
      let seq = u32(b, tp + 4);
      let ack = u32(b, tp + 8);
      if (!this.absoluteSeq && flags & 0x10) {
        const t = this.seq;
        t.relate(b, ip, v6, sport, dport, flags, seq, ack);
        seq = t.relSeq;
        ack = t.relAck;
      }
      void start;
      pos = this.addresses(out, pos, b, ip, v6, sport, dport, length);
      pos = put(out, pos, FLAGS);
      pos = put(out, pos, FLAG_TEXT[flags]!);
      if (verbose && tp + tlen <= snapend) {
        const sum = finish(sum16(b, tp, tlen, pseudo(b, ip, v6, 6, tlen)));
        const field = (b[tp + 16]! << 8) | b[tp + 17]!;
        pos = put(out, pos, CKSUM);
        pos = putHex4(out, pos, field);
        if (sum === 0) pos = put(out, pos, CORRECT);
        else {
          pos = put(out, pos, INCORRECT);
          pos = putHex4(out, pos, shouldBe(field, sum));
          out[pos++] = 41;
        }
      }
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
              pos = putUint(out, pos, u32(b, q + 2));
              pos = put(out, pos, ECR);
              pos = putUint(out, pos, u32(b, q + 6));
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
          // no line ending before the end: tcpdump marks the line as cut short
          if (line === dlen) pos = put(out, pos, HTTP_TRUNC);
        }
      }
      out[pos++] = 10;
      return pos;
    }
    if (proto === 17) {
      if (tlen < 8 || tp + 8 > snapend) return -1;
      const sport = (b[tp]! << 8) | b[tp + 1]!;
      const dport = (b[tp + 2]! << 8) | b[tp + 3]!;
      if (!this.quiet && (UDP_APP_PORTS[sport] === 1 || UDP_APP_PORTS[dport] === 1)) return -1;
      let ulen = (b[tp + 4]! << 8) | b[tp + 5]!;
      if (ulen < 8) return -1;
      ulen -= 8;
      if (ulen > tlen - 8) return -1; // "bad length"
      pos = this.head(out, pos, sec, nsec, b, p, type, origLen);
      if (pos < 0) return -1;
      pos = this.addresses(out, pos, b, ip, v6, sport, dport, length);
      const dataLen = Math.min(ulen, tlen - 8);
      if (this.verbose && v6 && tp + 8 + dataLen <= snapend) {
        const sum = finish(sum16(b, tp, dataLen + 8, pseudo(b, ip, true, 17, dataLen + 8)));
        const field = (b[tp + 6]! << 8) | b[tp + 7]!;
        if (sum === 0) pos = put(out, pos, UDP_OK);
        else {
          pos = put(out, pos, UDP_BAD);
          pos = putHex4(out, pos, field);
          pos = put(out, pos, ARROW);
          pos = putHex4(out, pos, shouldBe(field, sum));
          pos = put(out, pos, BANG);
        }
      }
      pos = put(out, pos, UDP_LENGTH);
      pos = putUint(out, pos, ulen);
      out[pos++] = 10;
      return pos;
    }
    return -1;
  }

  private head(out: Buffer, pos: number, sec: number, nsec: number, b: Buffer, frame: number, type: number, origLen: number): number {
    pos = this.stamp(out, pos, sec, nsec);
    if (pos < 0 || !this.linkHeader) return pos;
    // -e: `src > dst, ethertype IPv4 (0x0800), length N: ` (-q: `src > dst, IPv4, length N: `)
    pos = putMac(out, pos, b, frame + 6);
    pos = put(out, pos, GT);
    pos = putMac(out, pos, b, frame);
    if (this.quiet) pos = put(out, pos, type === 0x0800 ? ETH_Q_V4 : ETH_Q_V6);
    else pos = put(out, pos, type === 0x0800 ? ETH_V4 : ETH_V6);
    pos = putUint(out, pos, origLen);
    return put(out, pos, COLON_SP);
  }

  private stamp(out: Buffer, pos: number, sec: number, nsec: number): number {
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

  /** tcpdump's -v IP header: `(tos 0x0, ttl 64, ...)` then a line break, or IPv6's `(hlim ...) `. */
  private ipVerbose(out: Buffer, pos: number, b: Buffer, ip: number, v6: boolean, length: number): number {
    if (v6) {
      out[pos++] = 40;
      const flow = u32(b, ip);
      if (flow & 0x0ff00000) {
        pos = put(out, pos, CLASS);
        const c = (flow >>> 20) & 0xff;
        out[pos++] = HEXCHARS[c >> 4]!;
        out[pos++] = HEXCHARS[c & 15]!;
        out[pos++] = 44;
        out[pos++] = 32;
      }
      if (flow & 0x000fffff) {
        pos = put(out, pos, FLOWLABEL);
        const fl = flow & 0xfffff;
        for (let s = 16; s >= 0; s -= 4) out[pos++] = HEXCHARS[(fl >> s) & 15]!;
        out[pos++] = 44;
        out[pos++] = 32;
      }
      pos = put(out, pos, HLIM);
      pos = putUint(out, pos, b[ip + 7]!);
      pos = put(out, pos, b[ip + 6] === 6 ? NH_TCP : NH_UDP);
      pos = putUint(out, pos, length - 40);
      out[pos++] = 41;
      out[pos++] = 32;
      return pos;
    }
    const tos = b[ip + 1]!;
    pos = put(out, pos, TOS);
    pos = putHexMin(out, pos, tos);
    pos = put(out, pos, ECN_TEXT[tos & 3]!);
    const ttl = b[ip + 8]!;
    if (ttl >= 1) {
      pos = put(out, pos, TTL);
      pos = putUint(out, pos, ttl);
    }
    pos = put(out, pos, ID);
    pos = putUint(out, pos, (b[ip + 4]! << 8) | b[ip + 5]!);
    pos = put(out, pos, b[ip + 6]! & 0x40 ? OFF_DF : OFF_NONE);
    pos = put(out, pos, b[ip + 9] === 6 ? PROTO_TCP : PROTO_UDP);
    pos = putUint(out, pos, length);
    const sum = finish(sum16Bytes(b, ip, 20, 0));
    if (sum !== 0) {
      const field = (b[ip + 10]! << 8) | b[ip + 11]!;
      pos = put(out, pos, BAD_CKSUM);
      pos = putHexMin(out, pos, field);
      pos = put(out, pos, PAREN_ARROW);
      pos = putHexMin(out, pos, shouldBe(field, sum));
      pos = put(out, pos, PAREN_BANG);
    }
    return put(out, pos, V4_TAIL);
  }

  private addresses(out: Buffer, pos: number, b: Buffer, ip: number, v6: boolean, sport: number, dport: number, length: number): number {
    if (v6) {
      if (!this.linkHeader) pos = put(out, pos, IP6_);
      if (this.verbose) pos = this.ipVerbose(out, pos, b, ip, true, length);
      pos = putIpv6(out, pos, b, ip + 8);
      out[pos++] = 46;
      pos = putUint(out, pos, sport);
      pos = put(out, pos, GT);
      pos = putIpv6(out, pos, b, ip + 24);
    } else {
      if (!this.linkHeader) pos = put(out, pos, IP_);
      if (this.verbose) pos = this.ipVerbose(out, pos, b, ip, false, length);
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
