/**
 * Tokenizer for pcap-filter(7) expressions with libpcap's scanner rules: the longest match wins
 * and, between matches of equal length, keywords and named constants beat numbers, addresses
 * and plain identifiers (so `tcp` is a keyword, `tcpx` a name, `tcp-syn` the constant 2).
 */
import { isIPv6 } from 'node:net';
import { FilterError } from '../errors.js';

export type TokenKind =
  | 'kw' // keyword; `text` is its canonical spelling
  | 'num' // number (decimal, 0x hex, 0 octal) or named constant; `value`
  | 'hid' // dotted IPv4 with 2..4 parts
  | 'hid6' // IPv6 address
  | 'eid' // MAC address
  | 'aid' // ARCnet address ($xx)
  | 'id' // any other name (a host name, a service, a `\`-escaped word)
  | 'and'
  | 'or'
  | 'not'
  | 'op' // punctuation and operators; `text`
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  value: number;
  pos: number;
  end: number;
}

/** Keywords the scanner knows. Synonyms map to one canonical spelling. */
const KEYWORDS: Record<string, string> = {
  dst: 'dst', src: 'src',
  link: 'link', ether: 'link', ppp: 'link', slip: 'link', fddi: 'link', tr: 'link', wlan: 'link',
  arp: 'arp', rarp: 'rarp', ip: 'ip', sctp: 'sctp', tcp: 'tcp', udp: 'udp', icmp: 'icmp',
  igmp: 'igmp', igrp: 'igrp', pim: 'pim', vrrp: 'vrrp', carp: 'carp', radio: 'radio',
  ip6: 'ip6', icmp6: 'icmp6', ah: 'ah', esp: 'esp',
  atalk: 'atalk', aarp: 'aarp', decnet: 'decnet', lat: 'lat', sca: 'sca', moprc: 'moprc', mopdl: 'mopdl',
  iso: 'iso', esis: 'esis', 'es-is': 'esis', isis: 'isis', 'is-is': 'isis', l1: 'l1', l2: 'l2',
  iih: 'iih', lsp: 'lsp', snp: 'snp', csnp: 'csnp', psnp: 'psnp', clnp: 'clnp', stp: 'stp',
  ipx: 'ipx', netbeui: 'netbeui',
  host: 'host', net: 'net', mask: 'mask', port: 'port', portrange: 'portrange', proto: 'proto',
  protochain: 'protochain', gateway: 'gateway',
  type: 'type', subtype: 'subtype', direction: 'dir', dir: 'dir',
  address1: 'addr1', addr1: 'addr1', address2: 'addr2', addr2: 'addr2', address3: 'addr3',
  addr3: 'addr3', address4: 'addr4', addr4: 'addr4', ra: 'ra', ta: 'ta',
  less: 'less', greater: 'greater', byte: 'byte', broadcast: 'broadcast', multicast: 'multicast',
  len: 'len', length: 'len', inbound: 'inbound', outbound: 'outbound', ifindex: 'ifindex',
  vlan: 'vlan', mpls: 'mpls', pppoed: 'pppoed', pppoes: 'pppoes', geneve: 'geneve',
  lane: 'lane', llc: 'llc', metac: 'metac', bcc: 'bcc', oam: 'oam', oamf4: 'oamf4',
  oamf4ec: 'oamf4ec', oamf4sc: 'oamf4sc', sc: 'sc', ilmic: 'ilmic', vpi: 'vpi', vci: 'vci',
  connectmsg: 'connectmsg', metaconnect: 'metaconnect',
  on: 'ifname', ifname: 'ifname', rset: 'rset', ruleset: 'rset', rnr: 'rnr', rulenum: 'rnr',
  srnr: 'srnr', subrulenum: 'srnr', reason: 'reason', action: 'action',
  fisu: 'fisu', lssu: 'lssu', lsu: 'lssu', msu: 'msu', hfisu: 'hfisu', hlssu: 'hlssu', hmsu: 'hmsu',
  sio: 'sio', opc: 'opc', dpc: 'dpc', sls: 'sls', hsio: 'hsio', hopc: 'hopc', hdpc: 'hdpc', hsls: 'hsls',
};

/** Named numeric constants (pcap-filter(7) "icmptype", "tcp-syn", ...). */
const CONSTANTS: Record<string, number> = {
  icmptype: 0, icmpcode: 1,
  'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5,
  'icmp-echo': 8, 'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11,
  'icmp-paramprob': 12, 'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15,
  'icmp-ireqreply': 16, 'icmp-maskreq': 17, 'icmp-maskreply': 18,
  icmp6type: 0, icmp6code: 1,
  'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3,
  'icmp6-parameterproblem': 4, 'icmp6-echo': 128, 'icmp6-echoreply': 129,
  'icmp6-multicastlistenerquery': 130, 'icmp6-multicastlistenerreportv1': 131,
  'icmp6-multicastlistenerdone': 132, 'icmp6-routersolicit': 133, 'icmp6-routeradvert': 134,
  'icmp6-neighborsolicit': 135, 'icmp6-neighboradvert': 136, 'icmp6-redirect': 137,
  'icmp6-routerrenum': 138, 'icmp6-nodeinformationquery': 139,
  'icmp6-nodeinformationresponse': 140, 'icmp6-ineighbordiscoverysolicit': 141,
  'icmp6-ineighbordiscoveryadvert': 142, 'icmp6-multicastlistenerreportv2': 143,
  'icmp6-homeagentdiscoveryrequest': 144, 'icmp6-homeagentdiscoveryreply': 145,
  'icmp6-mobileprefixsolicit': 146, 'icmp6-mobileprefixadvert': 147,
  'icmp6-certpathsolicit': 148, 'icmp6-certpathadvert': 149,
  'icmp6-multicastrouteradvert': 151, 'icmp6-multicastroutersolicit': 152,
  'icmp6-multicastrouterterm': 153,
  tcpflags: 13, 'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08,
  'tcp-ack': 0x10, 'tcp-urg': 0x20, 'tcp-ece': 0x40, 'tcp-cwr': 0x80,
};

const TWO_CHAR_OPS = ['>=', '<=', '!=', '==', '<<', '>>', '&&', '||'];
const ONE_CHAR_OPS = '+-*/%:[]!<>()&|^=';

const RE_ID = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
const RE_NUM = /0[xX][0-9A-Fa-f]+|[0-9]+/y;
const RE_HID = /(?:0[xX][0-9A-Fa-f]+|[0-9]+)(?:\.(?:0[xX][0-9A-Fa-f]+|[0-9]+)){1,3}/y;
const B = '[0-9A-Fa-f][0-9A-Fa-f]?';
const B2 = '[0-9A-Fa-f]{4}';
const RE_MAC = new RegExp(
  `${B}:${B}:${B}:${B}:${B}:${B}|${B}-${B}-${B}-${B}-${B}-${B}|${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}|${B2}\\.${B2}\\.${B2}|${B2}${B2}${B2}`,
  'y',
);
const RE_V6RUN = /[0-9A-Fa-f:.]+/y;
const RE_AID = /\$[0-9A-Fa-f][0-9A-Fa-f]?/y;
const RE_ESCAPED = /\\[^ !()\n\t]+/y;
const RE_SPACE = /[ \r\n\t]+/y;

function matchAt(re: RegExp, s: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? m[0] : null;
}

/** The longest prefix of `run` that is a valid IPv6 address containing a colon (flex backs off). */
function longestV6(run: string): string | null {
  for (let n = run.length; n >= 2; n--) {
    const c = run.slice(0, n);
    if (c.includes(':') && isIPv6(c)) return c;
  }
  return null;
}

/** Value of a libpcap number: 0x hex, leading-0 octal, else decimal; must fit 32 bits. */
export function parseNumber(text: string, expr: string, pos: number): number {
  let v: number;
  if (/^0[xX]/.test(text)) v = parseInt(text.slice(2), 16);
  else if (text.length > 1 && text[0] === '0') {
    if (/[89]/.test(text)) throw new FilterError(expr, pos, `number ${text} contains non-octal digit`);
    v = parseInt(text.slice(1), 8);
  } else v = parseInt(text, 10);
  if (!(v <= 0xffffffff)) throw new FilterError(expr, pos, `number ${text} overflows 32 bits`);
  return v;
}

export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  const push = (kind: TokenKind, text: string, start: number, len: number, value = 0): void => {
    out.push({ kind, text, value, pos: start, end: start + len });
  };
  while (pos < expr.length) {
    const sp = matchAt(RE_SPACE, expr, pos);
    if (sp) {
      pos += sp.length;
      continue;
    }
    const c = expr[pos]!;
    if (c === '\\') {
      const esc = matchAt(RE_ESCAPED, expr, pos);
      if (esc) {
        push('id', esc.slice(1), pos, esc.length);
        pos += esc.length;
        continue;
      }
    }
    if (c === '$') {
      const aid = matchAt(RE_AID, expr, pos);
      if (aid) {
        push('aid', aid, pos, aid.length);
        pos += aid.length;
        continue;
      }
    }
    // Candidates in the scanner's rule order; a later rule wins only with a longer match.
    const id = matchAt(RE_ID, expr, pos);
    const mac = matchAt(RE_MAC, expr, pos);
    const num = matchAt(RE_NUM, expr, pos);
    const hid = matchAt(RE_HID, expr, pos);
    const run = matchAt(RE_V6RUN, expr, pos);
    const v6 = run ? longestV6(run) : null;
    const two = expr.slice(pos, pos + 2);
    const opLen = TWO_CHAR_OPS.includes(two) ? 2 : ONE_CHAR_OPS.includes(c) ? 1 : 0;
    let bestLen = 0;
    let best: (() => void) | null = null;
    const offer = (len: number, emit: () => void): void => {
      if (len > bestLen) {
        bestLen = len;
        best = emit;
      }
    };
    if (id) {
      const kw = KEYWORDS[id];
      if (kw !== undefined) offer(id.length, () => push('kw', kw, pos, id.length));
      if (id === 'and') offer(id.length, () => push('and', id, pos, id.length));
      if (id === 'or') offer(id.length, () => push('or', id, pos, id.length));
      if (id === 'not') offer(id.length, () => push('not', id, pos, id.length));
    }
    if (opLen) {
      const opText = expr.slice(pos, pos + opLen);
      offer(opLen, () => {
        if (opText === '&&') push('and', opText, pos, 2);
        else if (opText === '||') push('or', opText, pos, 2);
        else if (opText === '!') push('not', opText, pos, 1);
        else push('op', opText === '==' ? '=' : opText, pos, opLen);
      });
    }
    if (mac) offer(mac.length, () => push('eid', mac, pos, mac.length));
    if (num) offer(num.length, () => push('num', num, pos, num.length, parseNumber(num, expr, pos)));
    if (hid) offer(hid.length, () => push('hid', hid, pos, hid.length));
    if (v6) offer(v6.length, () => push('hid6', v6, pos, v6.length));
    if (id && CONSTANTS[id] !== undefined) {
      const v = CONSTANTS[id]!;
      offer(id.length, () => push('num', id, pos, id.length, v));
    }
    if (id) offer(id.length, () => push('id', id, pos, id.length));
    if (!best) throw new FilterError(expr, pos, `syntax error: unexpected character '${c}'`);
    (best as () => void)();
    pos += bestLen;
  }
  out.push({ kind: 'eof', text: '', value: 0, pos: expr.length, end: expr.length });
  return out;
}
