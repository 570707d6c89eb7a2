/**
 * Application-layer one-line summaries tcpdump prints after the transport: HTTP, SSH, WHOIS
 * (txtproto lines), DNS queries, TFTP requests. Anything else is left at the transport line
 * (`length N`), which is wirescope's consistent "not decoded" marker.
 */
import type { PrintContext } from './context.js';
import { TRUNCATED } from './context.js';
import { ipv4At, ipv6At, isPrint, visChar } from './format.js';
import { printBootp, printNtp } from './other.js';

/** TCP ports whose text lines the printer summarises itself (the fast path leaves them here). */
export const TCP_TEXT_PORTS: readonly number[] = [21, 25, 43, 80, 8080, 554, 8554, 5060, 22, 53];

const RTSP_METHODS = ['DESCRIBE', 'ANNOUNCE', 'GET_PARAMETER', 'OPTIONS', 'PAUSE', 'PLAY', 'RECORD', 'REDIRECT', 'SETUP', 'SET_PARAMETER', 'TEARDOWN'];
const SIP_METHODS = ['ACK', 'BYE', 'CANCEL', 'DO', 'INFO', 'INVITE', 'MESSAGE', 'NOTIFY', 'OPTIONS', 'PRACK', 'QAUTH', 'REFER', 'REGISTER', 'SPRACK', 'SUBSCRIBE', 'UPDATE', 'PUBLISH'];

/** tcpdump's httpcmds (print-http.c); the fast path matches the same list. */
export const HTTP_METHODS: readonly string[] = [
  'OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'ORDERPATCH',
];

/**
 * Ports whose payload tcpdump 4.99 decodes and wirescope does not: the line keeps the transport
 * fields tcpdump prints and ends with ` [NAME not decoded]`, so it never passes for tcpdump's.
 */
export const TCP_UNDECODED: ReadonlyMap<number, string> = new Map([
  [23, 'TELNET'], [179, 'BGP'], [323, 'RPKI-RTR'], [639, 'MSDP'], [646, 'LDP'], [1723, 'PPTP'], [2049, 'NFS'],
  [6379, 'RESP'], [6633, 'OpenFlow'], [6653, 'OpenFlow'], [10288, 'BEEP'],
]);
export const UDP_UNDECODED: ReadonlyMap<number, string> = new Map([
  [49, 'TACACS'], [88, 'Kerberos'], [161, 'SNMP'], [162, 'SNMP'], [443, 'QUIC'],
  [500, 'ISAKMP'], [514, 'SYSLOG'], [520, 'RIP'], [521, 'RIPng'], [546, 'DHCPv6'], [547, 'DHCPv6'],
  [1645, 'RADIUS'], [1646, 'RADIUS'], [1701, 'L2TP'], [1812, 'RADIUS'], [1813, 'RADIUS'], [2123, 'GTP'],
  [2152, 'GTP'], [3784, 'BFD'], [3785, 'BFD'], [4500, 'ISAKMP'], [4784, 'BFD'], [4789, 'VXLAN'],
  [5355, 'LLMNR'], [6081, 'Geneve'],
]);

function undecoded(table: ReadonlyMap<number, string>, sport: number, dport: number): string | undefined {
  return table.get(sport) ?? table.get(dport);
}

export function printTcpPayload(ctx: PrintContext, bp: number, length: number, sport: number, dport: number, flags: number): void {
  const o = ctx.opts;
  if (flags & 0x04 && o.verbose) {
    printRstData(ctx, bp, length);
    return;
  }
  const port = (p: number) => sport === p || dport === p;
  if (port(43)) {
    ctx.s += ': ';
    ctx.protocol = 'whois';
    txtproto(ctx, bp, length, null, 'WHOIS');
  } else if (port(25)) {
    ctx.s += ': ';
    ctx.protocol = 'smtp';
    txtproto(ctx, bp, length, null, 'SMTP');
  } else if (port(21)) {
    ctx.s += ': ';
    ctx.protocol = 'ftp';
    txtproto(ctx, bp, length, null, 'FTP');
  } else if (port(554) || port(8554)) {
    ctx.s += ': ';
    ctx.protocol = 'rtsp';
    txtproto(ctx, bp, length, RTSP_METHODS, 'RTSP');
  } else if (port(5060)) {
    ctx.s += ': ';
    ctx.protocol = 'sip';
    txtproto(ctx, bp, length, SIP_METHODS, 'SIP');
  } else if (port(80) || port(8080)) {
    ctx.s += ': ';
    ctx.protocol = 'http';
    txtproto(ctx, bp, length, HTTP_METHODS, 'HTTP');
  } else if (port(53)) {
    // DNS over TCP: a 2-byte length, then the message
    if (length < 2) ctx.s += ` [DNS over TCP: length ${length} < 2] (invalid)`;
    else {
      ctx.s += ' ';
      printDns(ctx, bp + 2, length - 2);
    }
  } else if (port(22)) {
    ctx.protocol = 'ssh';
    printSshVersion(ctx, bp, length);
  } else {
    const name = undecoded(TCP_UNDECODED, sport, dport);
    if (name !== undefined) ctx.s += ` [${name} not decoded]`;
  }
}

/** -v on a RST with data: tcpdump's print_tcp_rst_data. */
function printRstData(ctx: PrintContext, bp: number, length: number): void {
  ctx.s += ctx.has(bp, length) ? ' [RST' : ' [!RST';
  if (length > 30) {
    length = 30;
    ctx.s += '+';
  }
  ctx.s += ' ';
  const n = Math.min(length, ctx.avail(bp));
  for (let i = 0; i < n; i++) ctx.s += visChar(ctx.buf[bp + i]!);
  ctx.s += ']';
}

function printSshVersion(ctx: PrintContext, bp: number, len: number): void {
  if (ctx.u8(bp) !== 0x53 || ctx.u8(bp + 1) !== 0x53 || ctx.u8(bp + 2) !== 0x48 || ctx.u8(bp + 3) !== 0x2d) return;
  let idx = 4;
  while (idx < len) {
    const c = ctx.u8(bp + idx);
    if (c === 0x0a) break;
    if (c === 0x0d) {
      if (idx + 1 >= len) return;
      if (ctx.u8(bp + idx + 1) === 0x0a) break;
      return;
    }
    idx++;
  }
  if (idx >= len) return;
  ctx.s += ': SSH: ' + ctx.buf.toString('latin1', bp, bp + idx);
}

/** txtproto_print: the protocol name, then the first line (or with -v every line). */
function txtproto(ctx: PrintContext, bp: number, len: number, cmds: readonly string[] | null, name: string): void {
  let printThis = false;
  if (cmds !== null) {
    let t = fetchToken(ctx, bp, 0, len);
    if (t.idx !== 0) {
      if (cmds.includes(t.token.toUpperCase())) printThis = true;
      t = fetchToken(ctx, bp, t.idx, len);
      if (t.idx !== 0 && /^[0-9]{3}$/.test(t.token)) printThis = true;
    }
  } else printThis = true;
  ctx.s += name;
  if (!printThis) return;
  if (ctx.opts.verbose) {
    ctx.s += `, length: ${len}`;
    for (let idx = 0; idx < len; ) {
      const eol = printTxtLine(ctx, '\n\t', bp, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else printTxtLine(ctx, ': ', bp, 0, len);
}

const tokenResult = { idx: 0, token: '' };

function fetchToken(ctx: PrintContext, bp: number, idx: number, len: number): { idx: number; token: string } {
  const start = idx;
  for (; idx < len; idx++) {
    if (!ctx.has(bp + idx, 1)) return none();
    const c = ctx.buf[bp + idx]!;
    if (c & 0x80) return none();
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return none();
    if (idx - start + 2 > 129) return none();
  }
  if (idx === start) return none();
  const tok = ctx.buf.toString('latin1', bp + start, bp + idx);
  for (; idx < len; idx++) {
    if (!ctx.has(bp + idx, 1)) break;
    const c = ctx.buf[bp + idx]!;
    if (c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  tokenResult.idx = idx;
  tokenResult.token = tok;
  return tokenResult;
}

function none(): { idx: number; token: string } {
  tokenResult.idx = 0;
  tokenResult.token = '';
  return tokenResult;
}

function printTxtLine(ctx: PrintContext, prefix: string, bp: number, idx: number, len: number): number {
  const start = idx;
  let lineLen: number;
  while (idx < len) {
    const c = ctx.u8(bp + idx);
    if (c === 0x0a) {
      lineLen = idx - start;
      idx++;
      ctx.s += prefix + ctx.buf.toString('latin1', bp + start, bp + start + lineLen);
      return idx;
    } else if (c === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (ctx.u8(bp + idx + 1) === 0x0a) {
        lineLen = idx - start;
        idx += 2;
        ctx.s += prefix + ctx.buf.toString('latin1', bp + start, bp + start + lineLen);
        return idx;
      }
      return 0;
    } else if (!isPrint(c) && c !== 0x09) return 0;
    idx++;
  }
  // printable to the end without a line ending: tcpdump treats it as cut short
  ctx.s += prefix + ctx.buf.toString('latin1', bp + start, bp + idx);
  ctx.printTrunc();
  return 0;
}

/** The ` [NAME not decoded]` marker for UDP ports tcpdump would decode ('' for none). */
export function udpUndecodedMark(sport: number, dport: number): string {
  const name = undecoded(UDP_UNDECODED, sport, dport);
  return name === undefined ? '' : ` [${name} not decoded]`;
}

/** UDP payload summaries; false when wirescope does not decode the port (caller prints `UDP, length`). */
export function printUdpPayload(ctx: PrintContext, cp: number, length: number, sport: number, dport: number): boolean {
  if (sport === 53 || dport === 53 || sport === 5353 || dport === 5353) {
    printDns(ctx, cp, length);
    return true;
  }
  if (sport === 123 || dport === 123) {
    printNtp(ctx, cp, length);
    return true;
  }
  if (sport === 67 || dport === 67 || sport === 68 || dport === 68) {
    printBootp(ctx, cp, length);
    return true;
  }
  if (sport === 69 || dport === 69) {
    printTftp(ctx, cp, length);
    return true;
  }
  if (sport === 5060 || dport === 5060) {
    ctx.protocol = 'sip';
    txtproto(ctx, cp, length, SIP_METHODS, 'SIP');
    return true;
  }
  return false;
}

const DNS_TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA',
  33: 'SRV', 35: 'NAPTR', 39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY',
  52: 'TLSA', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 250: 'TSIG', 251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const DNS_OPCODES = ['', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef'];
const DNS_RCODES = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange'];

/** A DNS message summary (tcpdump's ns_print): queries, and responses with their answers. */
function printDns(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'domain';
  if (length < 12) {
    ctx.s += `domain [length ${length} < 12] (invalid)`;
    return;
  }
  try {
    dnsBody(ctx, bp, length);
  } catch (e) {
    if (e !== TRUNCATED) throw e;
    ctx.printTrunc();
  }
}

function dnsBody(ctx: PrintContext, bp: number, length: number): void {
  const v = ctx.opts.verbose;
  const id = ctx.u16(bp);
  const flags = ctx.u16(bp + 2);
  const qd = ctx.u16(bp + 4);
  let an = ctx.u16(bp + 6);
  const ns = ctx.u16(bp + 8);
  const ar = ctx.u16(bp + 10);
  const opcode = (flags >> 11) & 0xf;
  let cp = bp + 12;
  if (flags & 0x8000) {
    ctx.s += `${id}${DNS_OPCODES[opcode]}${DNS_RCODES[flags & 0xf]}`;
    if (flags & 0x0400) ctx.s += '*';
    if (!(flags & 0x0080)) ctx.s += '-';
    if (flags & 0x0200) ctx.s += '|';
    if (flags & 0x0020) ctx.s += '$';
    if (qd !== 1) ctx.s += ` [${qd}q]`;
    for (let i = 0; i < qd; i++) {
      if (i !== 0 || v > 1) {
        ctx.s += ' q:';
        const q = questionText(ctx, cp, bp);
        if (q === null) return ctx.printTrunc();
        ctx.s += q.text;
        cp = q.next;
      } else cp = skipName(ctx, cp) + 4;
    }
    ctx.s += ` ${an}/${ns}/${ar}`;
    if (an) {
      cp = resourceRecord(ctx, cp, bp);
      while (--an > 0 && cp < ctx.snapend) {
        ctx.s += ',';
        cp = resourceRecord(ctx, cp, bp);
      }
    }
    if (v > 1) cp = section(ctx, ' ns:', ns, cp, bp);
    if (v > 1) section(ctx, ' ar:', ar, cp, bp);
  } else {
    ctx.s += `${id}${DNS_OPCODES[opcode]}${flags & 0x0100 ? '+' : ''}${flags & 0x0010 ? '%' : ''}`;
    if (flags & 0x06cf) ctx.s += ` [b2&3=0x${flags.toString(16)}]`;
    if (qd !== 1) ctx.s += ` [${qd}q]`;
    if (an) ctx.s += ` [${an}a]`;
    if (ns) ctx.s += ` [${ns}n]`;
    if (ar) ctx.s += ` [${ar}au]`;
    for (let i = 0; i < qd && cp < ctx.snapend; i++) {
      const q = questionText(ctx, cp, bp);
      if (q === null) return ctx.printTrunc();
      ctx.s += q.text;
      cp = q.next;
    }
    if (v > 1) {
      cp = section(ctx, ' an:', an, cp, bp);
      cp = section(ctx, ' ns:', ns, cp, bp);
      section(ctx, ' ar:', ar, cp, bp);
    }
  }
  ctx.s += ` (${length})`;
}

function section(ctx: PrintContext, label: string, n: number, cp: number, msg: number): number {
  if (n === 0) return cp;
  ctx.s += label;
  cp = resourceRecord(ctx, cp, msg);
  while (--n > 0 && cp < ctx.snapend) {
    ctx.s += ',';
    cp = resourceRecord(ctx, cp, msg);
  }
  return cp;
}

function skipName(ctx: PrintContext, cp: number): number {
  for (let guard = 0; guard < 256; guard++) {
    const l = ctx.u8(cp);
    if (l === 0) return cp + 1;
    if ((l & 0xc0) === 0xc0) return cp + 2;
    cp += 1 + l;
  }
  return cp;
}

/** ns_rprint: ` name` (with -v), the type, its data; returns the next record's offset. */
function resourceRecord(ctx: PrintContext, cp: number, msg: number): number {
  const v = ctx.opts.verbose;
  let p: number;
  if (v) {
    const n = readName(ctx, cp, msg);
    ctx.s += ' ' + n.text;
    p = n.next;
  } else p = skipName(ctx, cp);
  const type = ctx.u16(p);
  const cls = ctx.u16(p + 2);
  const rdlen = ctx.u16(p + 8);
  const rd = p + 10;
  if (cls !== 1 && type !== 41) ctx.s += cls === 3 ? ' CHAOS' : cls === 255 ? ' ANY' : ` (Class ${cls})`;
  ctx.s += ' ' + (DNS_TYPES[type] ?? `Type${type}`);
  ctx.check(rd, rdlen);
  const b = ctx.buf;
  switch (type) {
    case 1:
      if (rdlen >= 4) ctx.s += ' ' + ipv4At(b, rd);
      break;
    case 28:
      if (rdlen >= 16) ctx.s += ' ' + ipv6At(b, rd);
      break;
    case 2:
    case 5:
    case 12:
    case 39:
      ctx.s += ' ' + readName(ctx, rd, msg).text;
      break;
    case 15:
      ctx.s += ' ' + readName(ctx, rd + 2, msg).text + ' ' + ctx.u16(rd);
      break;
    case 16: {
      let q = rd;
      while (q < rd + rdlen) {
        const l = b[q]!;
        ctx.s += ' "' + b.toString('latin1', q + 1, q + 1 + l) + '"';
        q += 1 + l;
      }
      break;
    }
    case 33:
      ctx.s += ` ${readName(ctx, rd + 6, msg).text}:${ctx.u16(rd + 4)} ${ctx.u16(rd)} ${ctx.u16(rd + 2)}`;
      break;
    case 6:
      if (v) {
        const m = readName(ctx, rd, msg);
        const r = readName(ctx, m.next, msg);
        const q = r.next;
        ctx.s += ` ${m.text} ${r.text} ${ctx.u32(q)} ${ctx.u32(q + 4)} ${ctx.u32(q + 8)} ${ctx.u32(q + 12)} ${ctx.u32(q + 16)}`;
      }
      break;
    case 41:
      ctx.s += ` UDPsize=${cls}`;
      if (ctx.u8(p + 5) !== 0) ctx.s += ` [EDNS version ${ctx.u8(p + 5)}]`;
      if (ctx.u8(p + 6) & 0x80) ctx.s += ' DO';
      break;
  }
  return rd + rdlen;
}

function questionText(ctx: PrintContext, cp: number, msg: number): { text: string; next: number } | null {
  try {
    const name = readName(ctx, cp, msg);
    const type = ctx.u16(name.next);
    const cls = ctx.u16(name.next + 2);
    let text = ' ' + (DNS_TYPES[type] ?? `Type${type}`);
    if (cls !== 1) text += cls === 3 ? ' CHAOS' : cls === 255 ? ' ANY' : ` (Class ${cls})`;
    text += '? ' + name.text;
    return { text, next: name.next + 4 };
  } catch (e) {
    if (e === TRUNCATED) return null;
    throw e;
  }
}

function readName(ctx: PrintContext, cp: number, msg: number): { text: string; next: number } {
  let text = '';
  let next = -1;
  for (let hops = 0; hops < 128; hops++) {
    const l = ctx.u8(cp);
    if (l === 0) {
      if (next < 0) next = cp + 1;
      return { text: text || '.', next };
    }
    if ((l & 0xc0) === 0xc0) {
      const ptr = ((l & 0x3f) << 8) | ctx.u8(cp + 1);
      if (next < 0) next = cp + 2;
      cp = msg + ptr;
      continue;
    }
    ctx.check(cp + 1, l);
    for (let i = 0; i < l; i++) {
      const c = ctx.buf[cp + 1 + i]!;
      text += c === 0x2e || c === 0x5c ? '\\' + String.fromCharCode(c) : isPrint(c) ? String.fromCharCode(c) : '\\' + String(c).padStart(3, '0');
    }
    text += '.';
    cp += 1 + l;
  }
  return { text, next: next < 0 ? cp : next };
}

const TFTP_OPS: Record<number, string> = { 1: 'RRQ', 2: 'WRQ', 3: 'DATA', 4: 'ACK', 5: 'ERROR', 6: 'OACK' };

function printTftp(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'tftp';
  ctx.s += `TFTP, length ${length}`;
  if (length < 2) {
    ctx.printTrunc();
    return;
  }
  const op = ctx.u16(bp);
  const name = TFTP_OPS[op];
  if (name === undefined) {
    ctx.s += `, tftp-#${op}`;
    return;
  }
  ctx.s += `, ${name}`;
  bp += 2;
  length -= 2;
  switch (op) {
    case 1:
    case 2: {
      if (length === 0) return ctx.printTrunc();
      ctx.s += ' "';
      let n = printZString(ctx, bp, length);
      ctx.s += '"';
      if (n === 0) return ctx.printTrunc();
      bp += n;
      length -= n;
      if (length === 0) return ctx.printTrunc();
      ctx.s += ' ';
      n = printZString(ctx, bp, length);
      if (n === 0) return ctx.printTrunc();
      bp += n;
      length -= n;
      while (length !== 0) {
        if (ctx.u8(bp) !== 0) ctx.s += ' ';
        n = printZString(ctx, bp, length);
        if (n === 0) return ctx.printTrunc();
        bp += n;
        length -= n;
      }
      return;
    }
    case 3:
    case 4:
      ctx.s += ` block ${ctx.u16(bp)}`;
      return;
    case 5:
      ctx.s += ` ${ctx.u16(bp)}`;
      return;
  }
}

/** nd_printztn: a NUL-terminated string within n bytes; returns bytes used (0 = truncated). */
function printZString(ctx: PrintContext, bp: number, n: number): number {
  let used = 0;
  for (;;) {
    if (n === 0 || !ctx.has(bp, 1)) return 0;
    const c = ctx.buf[bp]!;
    bp++;
    n--;
    used++;
    if (c === 0) return used;
    ctx.s += visChar(c);
  }
}
