/** Address text: built only when something asks (printing), never on the decode path. */

const HEX = '0123456789abcdef';

function hex2(b: number): string {
  return HEX[b >> 4]! + HEX[b & 15]!;
}

/** Colon-separated lower-case hex of `len` bytes (MAC addresses and other link addresses). */
export function macString(buf: Uint8Array, off: number, len = 6): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    if (i) s += ':';
    s += hex2(buf[off + i]!);
  }
  return s;
}

export function ipv4String(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function ipv4FromNumber(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as '::'
 * (the first on ties), and IPv4-mapped addresses in dotted form as tcpdump/inet_ntop print them.
 */
export function ipv6String(buf: Uint8Array, off: number): string {
  const g = new Array<number>(8);
  for (let i = 0; i < 8; i++) g[i] = (buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!;
  const run = ipv6ZeroRun(g);
  const bestStart = run < 0 ? -1 : run >> 4;
  const bestLen = run < 0 ? 0 : run & 15;
  if (ipv6DottedTail(g, run)) {
    const tail = ipv4String(buf, off + 12);
    return bestLen === 5 ? `::ffff:${tail}` : `::${tail}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length && !s.endsWith(':')) s += ':';
    s += g[i]!.toString(16);
  }
  return s;
}

/**
 * The run of zero groups RFC 5952 writes as `::` in the eight 16-bit groups of an IPv6 address:
 * the longest of two or more, the first on ties. `start << 4 | length`, or -1 when there is none.
 */
export function ipv6ZeroRun(g: ArrayLike<number>): number {
  let mask = 0;
  for (let i = 0; i < 8; i++) if (g[i] === 0) mask |= 1 << i;
  return IPV6_ZERO_RUN[mask]!;
}

/**
 * ipv6ZeroRun by the mask of zero groups (bit i set when group i is zero): a table, so the JSON
 * writer's address code, which inlines ipv6ZeroRun, has no nested loop to compile.
 */
const IPV6_ZERO_RUN = Int8Array.from({ length: 256 }, (_, mask) => zeroRunOfMask(mask));

function zeroRunOfMask(mask: number): number {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if ((mask & (1 << i)) === 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && (mask & (1 << j)) !== 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  return bestLen < 2 ? -1 : (bestStart << 4) | bestLen;
}

/**
 * ::ffff:a.b.c.d and the deprecated ::a.b.c.d, given the zero run from ipv6ZeroRun: inet_ntop
 * and tcpdump print these with a dotted IPv4 tail.
 */
export function ipv6DottedTail(g: ArrayLike<number>, run: number): boolean {
  return run === 6 || (run === 5 && g[5] === 0xffff);
}

// ---- parsing (encoder side; allocation is fine here) ----

export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) throw new TypeError(`bad MAC address: ${text}`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const v = parseInt(parts[i]!, 16);
    if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i]!) || Number.isNaN(v)) throw new TypeError(`bad MAC address: ${text}`);
    out[i] = v;
  }
  return out;
}

export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new TypeError(`bad IPv4 address: ${text}`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new TypeError(`bad IPv4 address: ${text}`);
    out[i] = Number(p);
  }
  return out;
}

export function parseIpv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let body = text;
  let tail: Uint8Array | null = null;
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.', lastColon) >= 0) {
    tail = parseIpv4(body.slice(lastColon + 1));
    body = body.slice(0, lastColon + 1) + '0:0';
  }
  const halves = body.split('::');
  if (halves.length > 2) throw new TypeError(`bad IPv6 address: ${text}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? head.length + rest.length : head.length;
  if ((halves.length === 1 && groups !== 8) || groups > (halves.length === 2 ? 7 : 8)) {
    throw new TypeError(`bad IPv6 address: ${text}`);
  }
  const write = (list: string[], at: number): void => {
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) throw new TypeError(`bad IPv6 address: ${text}`);
      const v = parseInt(p, 16);
      out[(at + i) * 2] = v >> 8;
      out[(at + i) * 2 + 1] = v & 255;
    }
  };
  write(head, 0);
  write(rest, 8 - rest.length);
  if (tail) out.set(tail, 12);
  return out;
}

/** Address text or raw bytes → bytes (IPv4 when it has dots and no colon). */
export function parseIp(text: string): Uint8Array {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}
