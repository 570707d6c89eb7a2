/**
 * JSON text written as bytes into large Buffers, for the `--json` report of many thousands of
 * connections: no string per value and no cons-string tree to flatten and re-encode. Each write
 * is a small function, so V8 optimises them after a few hundred connections even though the
 * report runs once, at the end, with cold code.
 */

import { ipv6DottedTail, ipv6ZeroRun } from '../codec/addr.js';
import { DIGIT_PAIR_WORDS, OCTET_DOT_LENGTHS, OCTET_DOT_WORDS } from '../codec/decimal.js';

/** Size of each piece handed on (the last one may be shorter). */
const PIECE = 1 << 20;
const FIRST_PIECE = 4096;

// The decimal tables as this module's own constants (see codec/decimal.ts).
const DIGIT_PAIRS = DIGIT_PAIR_WORDS;
const OCTET_DOT = OCTET_DOT_WORDS;
const OCTET_DOT_LENGTH = OCTET_DOT_LENGTHS;

/**
 * Constant text for `JsonBytes.constant`: its bytes, and the same bytes as little-endian 32-bit
 * words (the last padded with zeros) for writing short ones a word at a time.
 */
export class Constant {
  readonly length: number;
  readonly words: Int32Array;

  constructor(readonly bytes: Uint8Array) {
    this.length = bytes.length;
    const padded = new Uint8Array((bytes.length + 3) & ~3);
    padded.set(bytes);
    const view = new DataView(padded.buffer);
    this.words = Int32Array.from({ length: padded.length >>> 2 }, (_, i) => view.getInt32(4 * i, true));
  }
}

/** A constant from UTF-8 bytes. */
export function constantBytes(bytes: Uint8Array): Constant {
  return new Constant(Uint8Array.from(bytes));
}

/** A constant from ASCII text. */
export function ascii(text: string): Constant {
  return constantBytes(Buffer.from(text, 'latin1'));
}

/**
 * Constants longer than this are copied with set(): its fixed cost (a builtin call, about 180
 * instructions) is less than the word loop's (about 35 a word: optimised code re-checks the
 * arrays on every iteration) from here on.
 */
const LONG_CONSTANT = 24;

/** Bytes a constant may write past its end (overwritten by what follows): up to 7 for quads(). */
const CONSTANT_SLACK = 7;

export class JsonBytes {
  private buf: Buffer;
  private pos = 0;

  /**
   * `flush` receives each full piece; the writer never touches a piece again once handed on.
   * Without it the writer grows instead, and `take()` gives what was written.
   */
  constructor(private readonly flush: ((piece: Buffer) => void) | null, private readonly size = PIECE) {
    // The first piece is small, so handing on runs within the first few records, while the
    // code still gathers type feedback (see reserve).
    this.buf = Buffer.allocUnsafe(Math.min(size, FIRST_PIECE));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** this.buf as a DataView, for writing constants a word at a time. */
  private view: DataView;

  private setBuffer(buf: Buffer): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** Bytes written but not yet handed on. */
  get pending(): number {
    return this.pos;
  }

  /** Hands on what was written so far (nothing if empty). */
  end(): void {
    if (this.pos === 0 || this.flush === null) return;
    this.flush(this.buf.subarray(0, this.pos));
    this.setBuffer(Buffer.allocUnsafe(this.size));
    this.pos = 0;
  }

  /** A writer without `flush`: a copy of what was written since the last take (small copies share Node's pool). */
  take(): Buffer {
    const copy = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return copy;
  }

  /**
   * Room for `n` more bytes: the current piece is handed on (or grown) when it cannot take them.
   * The writes below do not check for room themselves: a check that hands on a full piece is
   * first reached after a megabyte, and its first run would throw away their optimised code.
   * The caller reserves enough for a whole record first.
   */
  reserve(n: number): void {
    n += CONSTANT_SLACK;
    if (this.pos + n <= this.buf.length) return;
    if (this.flush === null) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(grown, 0, 0, this.pos);
      this.setBuffer(grown);
      return;
    }
    this.end();
    if (n > this.buf.length) this.setBuffer(Buffer.allocUnsafe(n));
  }

  /** Bytes written earlier (a whole record). */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A constant: short ones a word at a time (a byte loop costs about 30 instructions a byte), long ones with set(). */
  constant(c: Constant): void {
    const n = c.length;
    if (n > LONG_CONSTANT) {
      this.buf.set(c.bytes, this.pos);
      this.pos += n;
      return;
    }
    const view = this.view;
    const words = c.words;
    let p = this.pos;
    for (let i = 0; i < words.length; i++) {
      view.setInt32(p, words[i]!, true);
      p += 4;
    }
    this.pos += n;
  }

  /**
   * `length` bytes of ASCII text packed eight to a float64 from `q[at]` (see QuadText): one
   * store per eight bytes, and no object to load per text.
   */
  quads(q: Float64Array, at: number, length: number): void {
    const view = this.view;
    let p = this.pos;
    for (let i = at; i < at + ((length + 7) >> 3); i++) {
      view.setFloat64(p, q[i]!, true);
      p += 8;
    }
    this.pos += length;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** Text the caller knows is ASCII (addresses, outcome names, histories, Number text). */
  ascii(s: string): void {
    const n = s.length;
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** `n` bytes of `src` from `start` (a few: a loop beats set() and needs no subarray). */
  span(src: Uint8Array, start: number, n: number): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < start + n; i++) buf[p++] = src[i]!;
    this.pos = p;
  }

  /** Any text, as UTF-8 (JSON already escaped by the caller); reserves its own room. */
  text(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.reserve(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /**
   * An integer 0 <= n < 2^31 in decimal: two digits per 16-bit write, from the right. The same
   * loop as the printer's putUint; one shared function in codec/decimal.ts cost the printer 2.6%
   * more instructions on `-nn` (callgrind), so each keeps its own.
   */
  small(n: number): void {
    // Comparisons rather than a loop to count the digits: no division per digit.
    const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 :
      n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
    const view = this.view;
    let p = this.pos + digits;
    this.pos = p;
    while (n >= 100) {
      const q = (n / 100) | 0;
      p -= 2;
      view.setUint16(p, DIGIT_PAIRS[n - q * 100]!, true);
      n = q;
    }
    if (n >= 10) view.setUint16(p - 2, DIGIT_PAIRS[n]!, true);
    else this.buf[p - 1] = 0x30 + n;
  }

  /** `n` exactly as JSON.stringify and template literals print a finite number. */
  number(n: number): void {
    // `n | 0`: an int32 from here, so small()'s digit loop is integer arithmetic, not float64.
    if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) this.small(n | 0);
    else if (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) {
      // Whole doubles (byte counts, nanoseconds): high part, then the low 9 digits zero-padded.
      const hi = Math.floor(n / 1e9);
      this.number(hi);
      this.padded9(n - hi * 1e9);
    } else this.ascii(String(n)); // at most 25 characters
  }

  /** 0 <= n < 1e9, integer, as exactly nine digits (leading zeros kept). */
  padded9(n: number): void {
    const buf = this.buf;
    const end = this.pos + 9;
    for (let p = end - 1; p >= this.pos; p--) {
      const q = (n / 10) | 0;
      buf[p] = 0x30 + (n - q * 10);
      n = q;
    }
    this.pos = end;
  }

  /** `null` or the number. */
  numberOrNull(n: number | null): void {
    if (n === null) this.constant(NULL);
    else this.number(n);
  }

  boolean(b: boolean): void {
    this.constant(b ? TRUE : FALSE);
  }

  /**
   * Dotted quad of a 32-bit address (unsigned or int32), as the codec's ipv4FromNumber: each
   * byte's digits and a dot in one 32-bit write from a table (the last dot, and up to three bytes
   * past the end, are overwritten by what follows; reserve leaves room). Small code: it is
   * optimised mid-report, where its compile time is most of its cost.
   */
  ipv4(w: number): void {
    const view = this.view;
    let p = this.pos;
    let x = w >>> 24;
    view.setInt32(p, OCTET_DOT[x]!, true);
    p += OCTET_DOT_LENGTH[x]!;
    x = (w >>> 16) & 255;
    view.setInt32(p, OCTET_DOT[x]!, true);
    p += OCTET_DOT_LENGTH[x]!;
    x = (w >>> 8) & 255;
    view.setInt32(p, OCTET_DOT[x]!, true);
    p += OCTET_DOT_LENGTH[x]!;
    x = w & 255;
    view.setInt32(p, OCTET_DOT[x]!, true);
    this.pos = p + OCTET_DOT_LENGTH[x]! - 1;
  }
  /**
   * RFC 5952 text of the IPv6 address in four 32-bit words, as the codec's ipv6String (longest
   * run of two or more zero groups as `::`, the first on ties; IPv4-mapped and the deprecated
   * IPv4-compatible forms with a dotted tail). Written as bytes: a capture's connections have
   * thousands of distinct addresses, and a string each was most of the report's garbage.
   */
  ipv6(w0: number, w1: number, w2: number, w3: number): void {
    const g = GROUPS;
    g[0] = w0 >>> 16; g[1] = w0 & 0xffff; g[2] = w1 >>> 16; g[3] = w1 & 0xffff;
    g[4] = w2 >>> 16; g[5] = w2 & 0xffff; g[6] = w3 >>> 16; g[7] = w3 & 0xffff;
    const run = ipv6ZeroRun(g);
    if (ipv6DottedTail(g, run)) {
      this.dottedTail(run, w3);
      return;
    }
    const runStart = run < 0 ? -1 : run >> 4;
    const runLength = run < 0 ? 0 : run & 15;
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < 8; i++) {
      if (i === runStart) {
        if (i === 0) buf[p++] = 0x3a;
        buf[p++] = 0x3a;
        i += runLength - 1;
        continue;
      }
      const v = g[i]!;
      if (v >= 0x1000) buf[p++] = HEX_DIGITS[v >>> 12]!;
      if (v >= 0x100) buf[p++] = HEX_DIGITS[(v >>> 8) & 15]!;
      if (v >= 0x10) buf[p++] = HEX_DIGITS[(v >>> 4) & 15]!;
      buf[p++] = HEX_DIGITS[v & 15]!;
      if (i < 7) buf[p++] = 0x3a;
    }
    this.pos = p;
  }

  /** `::ffff:a.b.c.d` or `::a.b.c.d`: rare, so kept out of ipv6's compiled code. */
  private dottedTail(run: number, w3: number): void {
    this.buf[this.pos++] = 0x3a;
    this.buf[this.pos++] = 0x3a;
    if (run === 5) this.constant(FFFF_COLON);
    this.ipv4(w3);
  }
}

/** The eight 16-bit groups of the address ipv6() is writing. */
const GROUPS = new Int32Array(8);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');


/**
 * Several ASCII texts packed into one Float64Array for JsonBytes.quads: each starts on an
 * element, eight bytes to an element (little-endian, the last padded with zeros). ASCII bytes
 * never make a NaN pattern (that needs 0x7f or more in the top byte), so every element's bits
 * survive a float64 load and store exactly (the constructor takes ASCII only, DEL excluded).
 */
export class QuadText {
  readonly quads: Float64Array;
  /** Per text: its first element and its length in bytes. */
  readonly at: Int32Array;
  readonly length: Int32Array;

  constructor(texts: readonly string[]) {
    this.at = new Int32Array(texts.length);
    this.length = new Int32Array(texts.length);
    let total = 0;
    texts.forEach((t, i) => {
      this.at[i] = total;
      this.length[i] = t.length;
      total += (t.length + 7) >> 3;
    });
    const bytes = new Uint8Array(total * 8);
    texts.forEach((t, i) => {
      if (!/^[\x00-\x7e]*$/.test(t)) throw new RangeError(`QuadText: not ASCII: ${t}`);
      bytes.set(Buffer.from(t, 'latin1'), 8 * this.at[i]!);
    });
    const view = new DataView(bytes.buffer);
    this.quads = Float64Array.from({ length: total }, (_, i) => view.getFloat64(8 * i, true));
  }
}

const NULL = ascii('null');
const FFFF_COLON = ascii('ffff:');
const TRUE = ascii('true');
const FALSE = ascii('false');
