/** tcpdump's print-ascii.c layouts: -x (hex), -X (hex and ASCII), -A (ASCII). */
import { HEX2 } from './format.js';

const SPACES = ' '.repeat(48);

/** `\n\t0x0000:  4500 003c ...  E..<....` lines: 16 bytes per line, hex padded to 40 columns. */
export function hexAndAscii(b: Buffer, off: number, len: number, indent: string, offset = 0): string {
  let out = '';
  let hexs = '';
  let asc = '';
  let n = 0;
  let oset = offset;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) {
    const c1 = b[i]!;
    const c2 = b[i + 1]!;
    hexs += ' ' + HEX2[c1]! + HEX2[c2]!;
    asc += (c1 > 0x20 && c1 < 0x7f ? String.fromCharCode(c1) : '.') + (c2 > 0x20 && c2 < 0x7f ? String.fromCharCode(c2) : '.');
    if (++n === 8) {
      out += indent + offsetText(oset) + ': ' + hexs + '  ' + asc;
      n = 0;
      hexs = '';
      asc = '';
      oset += 16;
    }
  }
  if (i < end) {
    const c1 = b[i]!;
    hexs += ' ' + HEX2[c1]!;
    asc += c1 > 0x20 && c1 < 0x7f ? String.fromCharCode(c1) : '.';
    n++;
  }
  if (n > 0) {
    out += indent + offsetText(oset) + ': ' + hexs + SPACES.slice(0, 40 - hexs.length) + '  ' + asc;
  }
  return out;
}

/** `\n\t0x0000:  4500 003c ...` lines, 8 groups per line, nothing trailing. */
export function hexOnly(b: Buffer, off: number, len: number, indent: string, offset = 0): string {
  let out = '';
  let oset = offset;
  let n = 0;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) {
    if (n++ % 8 === 0) {
      out += indent + offsetText(oset) + ': ';
      oset += 16;
    }
    out += ' ' + HEX2[b[i]!]! + HEX2[b[i + 1]!]!;
  }
  if (i < end) {
    if (n % 8 === 0) out += indent + offsetText(oset) + ': ';
    out += ' ' + HEX2[b[i]!]!;
  }
  return out;
}

/** -A: a newline, then printable bytes, tabs, spaces and newlines as they are, others as '.'. */
export function asciiDump(b: Buffer, off: number, len: number): string {
  let out = '\n';
  let left = len;
  let i = off;
  while (left > 0) {
    const c = b[i++]!;
    left--;
    if (c === 0x0d) {
      if (left > 1 && b[i] !== 0x0a) out += '.';
    } else if ((c > 0x20 && c < 0x7f) || c === 0x09 || c === 0x20 || c === 0x0a) {
      out += String.fromCharCode(c);
    } else out += '.';
  }
  return out;
}

/** printf("0x%04x"): at least four digits. */
function offsetText(o: number): string {
  return o < 0x10000 ? '0x' + HEX2[(o >>> 8) & 0xff] + HEX2[o & 0xff] : '0x' + o.toString(16);
}
