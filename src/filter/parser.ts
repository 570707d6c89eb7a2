/**
 * pcap-filter(7) parser. It follows libpcap's yacc grammar rule for rule, including its two
 * surprises: `and` and `or` have equal precedence (left to right), and an address without
 * qualifiers inherits the qualifiers of the primitive before it (`host a or b`,
 * `port 80 or 443`), exactly where libpcap's `$<blk>0` hands them on. Code is generated while
 * parsing, left to right, because `vlan` changes the offsets of what follows it.
 */
import { isIPv6 } from 'node:net';
import { FilterError } from '../errors.js';
import {
  Gen, GenError, QERR,
  type AddrQ, type DirQ, type ProtoQ, type Qual,
} from './gen.js';
import { FALSE, TRUE, alu, and, cmp, k, neg, not, or, type AluOp, type Bool, type Val } from './ir.js';
import type { Token } from './lexer.js';

interface Blk {
  b: Bool;
  q: Qual;
}

interface Arth {
  v: Val;
  /** Tests that must hold before the value may be loaded (e.g. "is TCP" for tcp[13]). */
  g: Bool;
}

/** A syntax failure; the parser may try another reading before reporting the farthest one. */
class SyntaxFail extends Error {
  constructor(
    readonly pos: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const PNAMES = new Set<string>([
  'link', 'ip', 'arp', 'rarp', 'sctp', 'tcp', 'udp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp',
  'atalk', 'aarp', 'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'ip6', 'icmp6', 'ah', 'esp', 'iso',
  'esis', 'isis', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'clnp', 'stp', 'ipx', 'netbeui', 'radio',
]);
const DQUALS = new Set<string>(['src', 'dst', 'addr1', 'addr2', 'addr3', 'addr4', 'ra', 'ta']);
const AQUALS = new Set<string>(['host', 'net', 'port', 'portrange']);
const HEAD_AFTER_PNAME = new Set<string>([...DQUALS, ...AQUALS, 'proto', 'protochain', 'gateway']);
/** Keywords of primitives wirescope does not implement (all need link types or data it lacks). */
const UNSUPPORTED = new Set<string>([
  'mpls', 'pppoed', 'pppoes', 'geneve', 'ifindex', 'byte', 'lane', 'llc', 'metac', 'bcc', 'oam',
  'oamf4', 'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'vpi', 'vci', 'connectmsg', 'metaconnect', 'ifname',
  'rset', 'rnr', 'srnr', 'reason', 'action', 'fisu', 'lssu', 'msu', 'hfisu', 'hlssu', 'hmsu', 'sio',
  'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls', 'type', 'subtype', 'dir',
]);
const ARITH_OPS: Record<string, number | undefined> = {
  '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5,
  // '%' and '^' have no precedence in libpcap's grammar: yacc then always shifts.
  '%': undefined, '^': undefined,
};
const RELOPS = new Set(['>', '>=', '=', '<=', '<', '!=']);

/** IP protocol names (netbase /etc/protocols, which libpcap consults through getprotobyname). */
const IP_PROTOCOLS: Record<string, number> = {
  ip: 0, hopopt: 0, icmp: 1, igmp: 2, ggp: 3, ipencap: 4, st: 5, tcp: 6, egp: 8, igp: 9, pup: 12,
  udp: 17, hmp: 20, 'xns-idp': 22, rdp: 27, 'iso-tp4': 29, dccp: 33, xtp: 36, ddp: 37,
  'idpr-cmtp': 38, ipv6: 41, 'ipv6-route': 43, 'ipv6-frag': 44, idrp: 45, rsvp: 46, gre: 47,
  esp: 50, ah: 51, skip: 57, 'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, rspf: 73,
  vmtp: 81, eigrp: 88, ospf: 89, 'ax.25': 93, ipip: 94, etherip: 97, encap: 98, pim: 103,
  ipcomp: 108, vrrp: 112, l2tp: 115, isis: 124, sctp: 132, fc: 133, 'mobility-header': 135,
  udplite: 136, 'mpls-in-ip': 137, manet: 138, hip: 139, shim6: 140, wesp: 141, rohc: 142, ethernet: 143,
  IP: 0, HOPOPT: 0, ICMP: 1, IGMP: 2, GGP: 3, 'IP-ENCAP': 4, ST: 5, TCP: 6, EGP: 8, IGP: 9,
  PUP: 12, UDP: 17, HMP: 20, 'XNS-IDP': 22, RDP: 27, 'ISO-TP4': 29, DCCP: 33, XTP: 36, DDP: 37,
  'IDPR-CMTP': 38, IPv6: 41, 'IPv6-Route': 43, 'IPv6-Frag': 44, IDRP: 45, RSVP: 46, GRE: 47,
  'IPSEC-ESP': 50, 'IPSEC-AH': 51, SKIP: 57, 'IPv6-ICMP': 58, 'IPv6-NoNxt': 59, 'IPv6-Opts': 60,
  RSPF: 73, CPHB: 73, VMTP: 81, EIGRP: 88, OSPFIGP: 89, 'AX.25': 93, IPIP: 94, ETHERIP: 97,
  ENCAP: 98, PIM: 103, IPCOMP: 108, VRRP: 112, L2TP: 115, ISIS: 124, SCTP: 132, FC: 133,
  'Mobility-Header': 135, UDPLite: 136, 'MPLS-in-IP': 137, HIP: 139, Shim6: 140, WESP: 141,
  ROHC: 142, Ethernet: 143,
};

/** EtherType names libpcap knows for `ether proto \name` (its built-in table, then LLC SAPs). */
const ETHER_PROTOCOLS: Record<string, number> = {
  pup: 0x0200, xns: 0x0600, ip: 0x0800, ip6: 0x86dd, arp: 0x0806, rarp: 0x8035, sprite: 0x0500,
  mopdl: 0x6001, moprc: 0x6002, decnet: 0x6003, lat: 0x6004, sca: 0x6007, lanbridge: 0x8038,
  decdns: 0x803c, decdts: 0x803e, vexp: 0x805b, vprod: 0x805c, atalk: 0x809b, atalkarp: 0x80f3,
  loopback: 0x9000,
  iso: 0xfe, stp: 0x42, ipx: 0xe0, netbeui: 0xf0,
};

export class Parser {
  private i = 0;
  private farthest: SyntaxFail | null = null;

  constructor(
    private readonly expr: string,
    private readonly toks: Token[],
    private readonly gen: Gen,
  ) {}

  parse(): Bool {
    if (this.tok.kind === 'eof') return TRUE;
    try {
      const r = this.parseExpr(QERR);
      const end = this.peek(0);
      if (end.kind !== 'eof') this.fail(end, 'expected "and", "or" or the end of the expression');
      return r.b;
    } catch (e) {
      if (e instanceof SyntaxFail) {
        const f = this.farthest && this.farthest.pos > e.pos ? this.farthest : e;
        throw new FilterError(this.expr, f.pos, `syntax error: ${f.detail}`);
      }
      throw e;
    }
  }

  // ---- token helpers ----------------------------------------------------------------------

  private get tok(): Token {
    return this.toks[this.i]!;
  }

  private peek(n: number): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }

  private isOp(t: Token, text: string): boolean {
    return t.kind === 'op' && t.text === text;
  }

  private isKw(t: Token, text: string): boolean {
    return t.kind === 'kw' && t.text === text;
  }

  private describe(t: Token): string {
    return t.kind === 'eof' ? 'end of expression' : `'${this.expr.slice(t.pos, t.end)}'`;
  }

  private fail(t: Token, expected: string): never {
    const f = new SyntaxFail(t.pos, `unexpected ${this.describe(t)}, ${expected}`);
    if (!this.farthest || f.pos >= this.farthest.pos) this.farthest = f;
    throw f;
  }

  private expectOp(text: string): Token {
    const t = this.tok;
    if (!this.isOp(t, text)) this.fail(t, `expected '${text}'`);
    this.i++;
    return t;
  }

  /** Runs a semantic step, turning its GenError into a FilterError at `at`. */
  private sem<T>(at: Token, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof GenError) throw new FilterError(this.expr, at.pos, e.message);
      throw e;
    }
  }

  /** Tries alternatives in order (yacc would have chosen by lookahead); restores state on failure. */
  private attempt<T>(alts: Array<() => T>): T {
    const start = this.i;
    const state = this.gen.saveState();
    let last: SyntaxFail | null = null;
    for (const alt of alts) {
      try {
        return alt();
      } catch (e) {
        if (!(e instanceof SyntaxFail)) throw e;
        last = !last || e.pos >= last.pos ? e : last;
        this.i = start;
        this.gen.restoreState(state);
      }
    }
    throw last as SyntaxFail;
  }

  // ---- boolean structure --------------------------------------------------------------------

  private parseExpr(q0: Qual): Blk {
    let r = this.parseTerm(q0);
    while (this.tok.kind === 'and' || this.tok.kind === 'or') {
      const isAnd = this.tok.kind === 'and';
      this.i++;
      const n = this.parseAfterConj(r.q);
      r = { b: isAnd ? and(r.b, n.b) : or(r.b, n.b), q: n.q };
    }
    return r;
  }

  private parseTerm(q0: Qual): Blk {
    if (this.tok.kind === 'not') {
      this.i++;
      const t = this.parseTerm(q0);
      return { b: not(t.b), q: t.q };
    }
    return this.parseRterm(q0);
  }

  /** After `and`/`or`: a full term, or a bare id that inherits the qualifiers. */
  private parseAfterConj(q0: Qual): Blk {
    const t = this.tok;
    switch (t.kind) {
      case 'not': {
        this.i++;
        const r = this.parseAfterConj(q0);
        return { b: not(r.b), q: r.q };
      }
      case 'hid': case 'hid6': case 'eid': case 'aid': case 'id':
        return this.parseNid(q0);
      case 'num':
        if (this.startsArith(this.peek(1))) return this.parseTerm(q0);
        this.i++;
        return { b: this.ncode(t, null, t.value, q0), q: q0 };
      default:
        if (this.isOp(t, '(')) {
          return this.attempt<Blk>([
            () => this.parseRelation(),
            () => this.parseId(q0),
            () => this.parseParenExpr(q0),
          ]);
        }
        return this.parseTerm(q0);
    }
  }

  /** Whether `t` continues an arithmetic expression or starts a comparison. */
  private startsArith(t: Token): boolean {
    return t.kind === 'op' && (t.text in ARITH_OPS || RELOPS.has(t.text));
  }

  private parseParenExpr(q0: Qual): Blk {
    this.expectOp('(');
    const r = this.parseExpr(q0);
    this.expectOp(')');
    return { b: r.b, q: q0 };
  }

  /** id := nid | pnum | '(' pid ')' */
  private parseId(q0: Qual): Blk {
    const t = this.tok;
    if (t.kind === 'num') {
      this.i++;
      return { b: this.ncode(t, null, t.value, q0), q: q0 };
    }
    if (this.isOp(t, '(')) {
      return this.attempt<Blk>([
        () => {
          const n = this.parsePnum();
          return { b: this.ncode(t, null, n, q0), q: q0 };
        },
        () => {
          this.i++;
          const r = this.parsePid(q0);
          this.expectOp(')');
          return r;
        },
      ]);
    }
    return this.parseNid(q0);
  }

  /** pid := nid | qid and id | qid or id;  qid := pnum | pid */
  private parsePid(q0: Qual): Blk {
    const t = this.tok;
    let r: Blk;
    let bare = false;
    if (t.kind === 'num' || this.isOp(t, '(')) {
      const n = this.parsePnum();
      r = { b: this.ncode(t, null, n, q0), q: q0 };
      bare = true;
    } else {
      r = this.parseNid(q0);
    }
    while (this.tok.kind === 'and' || this.tok.kind === 'or') {
      const isAnd = this.tok.kind === 'and';
      this.i++;
      const n = this.parseId(r.q);
      r = { b: isAnd ? and(r.b, n.b) : or(r.b, n.b), q: n.q };
      bare = false;
    }
    if (bare) this.fail(this.tok, 'expected "and" or "or"');
    return r;
  }

  private parsePnum(): number {
    const t = this.tok;
    if (t.kind === 'num') {
      this.i++;
      return t.value;
    }
    if (this.isOp(t, '(')) {
      this.i++;
      const v = this.parsePnum();
      this.expectOp(')');
      return v;
    }
    return this.fail(t, 'expected a number');
  }

  /** nid: a name, address, address/len, address mask m, MAC, or `not id`. */
  private parseNid(q0: Qual): Blk {
    const t = this.tok;
    switch (t.kind) {
      case 'id':
        this.i++;
        return { b: this.scode(t, q0), q: q0 };
      case 'hid': {
        this.i++;
        if (this.isOp(this.tok, '/') && this.peek(1).kind === 'num') {
          this.i++;
          const n = this.tok;
          this.i++;
          this.checkAddrQual(t, q0, 'IP address and prefix length');
          return { b: this.mcode(t, null, n.value, q0), q: q0 };
        }
        if (this.isKw(this.tok, 'mask')) {
          this.i++;
          const m = this.tok;
          if (m.kind !== 'hid') this.fail(m, 'expected a dotted netmask after "mask"');
          this.i++;
          this.checkAddrQual(t, q0, 'IP address and netmask');
          return { b: this.mcode(t, m, 0, q0), q: q0 };
        }
        this.checkAddrQual(t, q0, 'IP address');
        return { b: this.ncode(t, t.text, 0, q0), q: q0 };
      }
      case 'hid6': {
        this.i++;
        let len = 128;
        if (this.isOp(this.tok, '/') && this.peek(1).kind === 'num') {
          this.i++;
          len = this.tok.value;
          this.i++;
          this.checkAddrQual(t, q0, 'IP address and prefix length');
        } else {
          this.checkAddrQual(t, q0, 'IP address');
        }
        return { b: this.mcode6(t, len, q0), q: q0 };
      }
      case 'eid':
        this.i++;
        return { b: this.ecode(t, q0), q: q0 };
      case 'aid':
        throw new FilterError(this.expr, t.pos, 'ARCnet addresses are not supported by wirescope');
      case 'not': {
        this.i++;
        const r = this.parseId(q0);
        return { b: not(r.b), q: r.q };
      }
      default:
        return this.fail(t, 'expected a host, network, port or protocol number');
    }
  }

  private checkAddrQual(t: Token, q: Qual, what: string): void {
    if (q.addr === 'port' || q.addr === 'portrange' || q.addr === 'proto' || q.addr === 'protochain') {
      throw new FilterError(this.expr, t.pos, `'${q.addr}' modifier applied to ${what}`);
    }
  }

  // ---- primitives -------------------------------------------------------------------------

  private parseRterm(q0: Qual): Blk {
    const t = this.tok;
    if (t.kind === 'kw') {
      const w = t.text;
      if (PNAMES.has(w)) {
        const nx = this.peek(1);
        if (this.isOp(nx, '[')) return this.parseRelation();
        if (nx.kind === 'kw' && HEAD_AFTER_PNAME.has(nx.text)) return this.parseHead();
        if (nx.kind === 'kw' && (nx.text === 'broadcast' || nx.text === 'multicast')) {
          this.i += 2;
          const p = this.protoQ(w);
          return { b: this.sem(t, () => (nx.text === 'broadcast' ? this.gen.broadcast(p) : this.gen.multicast(p))), q: QERR };
        }
        this.i++;
        return { b: this.sem(t, () => this.gen.abbrev(this.protoQ(w))), q: QERR };
      }
      if (HEAD_AFTER_PNAME.has(w)) return this.parseHead();
      switch (w) {
        case 'broadcast':
          this.i++;
          return { b: this.sem(t, () => this.gen.broadcast('default')), q: QERR };
        case 'multicast':
          this.i++;
          return { b: this.sem(t, () => this.gen.multicast('default')), q: QERR };
        case 'less':
        case 'greater': {
          this.i++;
          const n = this.tok;
          if (n.kind !== 'num') this.fail(n, `expected a number after "${w}"`);
          this.i++;
          return { b: this.gen.lenCmp(w, n.value), q: QERR };
        }
        case 'vlan': {
          this.i++;
          let id: number | null = null;
          if (this.tok.kind === 'num' || this.isOp(this.tok, '(')) id = this.parsePnum();
          return { b: this.sem(t, () => this.gen.vlan(id)), q: QERR };
        }
        case 'inbound':
        case 'outbound':
          this.i++;
          return { b: this.sem(t, () => this.gen.inbound(w === 'outbound')), q: QERR };
        case 'len':
          return this.parseRelation();
        default:
          if (UNSUPPORTED.has(w)) {
            throw new FilterError(this.expr, t.pos, `'${this.expr.slice(t.pos, t.end)}' is not supported by wirescope`);
          }
          return this.fail(t, 'expected a primitive');
      }
    }
    if (t.kind === 'num' || this.isOp(t, '-')) return this.parseRelation();
    if (this.isOp(t, '(')) {
      return this.attempt<Blk>([() => this.parseRelation(), () => this.parseParenExpr(q0)]);
    }
    return this.fail(t, 'expected a primitive (host, net, port, a protocol, a comparison, ...)');
  }

  private protoQ(w: string): ProtoQ {
    return w as ProtoQ;
  }

  /** head id: [proto] [src|dst|src or dst|src and dst] [host|net|port|portrange] | [proto] proto|protochain. */
  private parseHead(): Blk {
    let proto: ProtoQ = 'default';
    let dir: DirQ = 'default';
    let addr: AddrQ = 'default';
    let t = this.tok;
    if (t.kind === 'kw' && PNAMES.has(t.text)) {
      proto = this.protoQ(t.text);
      this.i++;
      t = this.tok;
    }
    if (t.kind === 'kw' && DQUALS.has(t.text)) {
      this.i++;
      if (t.text === 'src' || t.text === 'dst') {
        dir = t.text;
        const c = this.tok;
        if (c.kind === 'and' || c.kind === 'or') {
          const other = t.text === 'src' ? 'dst' : 'src';
          this.i++;
          if (!this.isKw(this.tok, other)) this.fail(this.tok, `expected "${other}" after "${t.text} ${c.text}"`);
          this.i++;
          dir = c.kind === 'and' ? 'and' : 'or';
        }
      } else {
        dir = t.text as DirQ;
      }
      t = this.tok;
      if (t.kind === 'kw' && AQUALS.has(t.text)) {
        addr = t.text as AddrQ;
        this.i++;
      }
    } else if (t.kind === 'kw' && (AQUALS.has(t.text) || t.text === 'proto' || t.text === 'protochain' || t.text === 'gateway')) {
      addr = t.text as AddrQ;
      this.i++;
    } else {
      this.fail(t, 'expected "src", "dst", "host", "net", "port", "portrange", "proto" or "protochain"');
    }
    const q: Qual = { proto, dir, addr };
    const r = this.parseId(q);
    return r;
  }

  // ---- code for ids (libpcap's gen_ncode / gen_scode / gen_mcode / gen_ecode) ----------------

  private ncode(at: Token, s: string | null, v: number, q: Qual): Bool {
    const { proto, dir } = q;
    if (q.addr === 'undef') throw new FilterError(this.expr, at.pos, 'syntax error in filter expression (an address needs a qualifier such as "host" or "port")');
    let vlen = 32;
    if (s !== null) {
      if (proto === 'link') throw new FilterError(this.expr, at.pos, 'illegal link layer address');
      const a = this.atoin(at, s);
      v = a.v;
      vlen = a.len;
    }
    return this.sem(at, () => {
      switch (q.addr) {
        case 'default':
        case 'host':
        case 'net': {
          if (proto === 'link') throw new GenError('illegal link layer address');
          let mask = 0xffffffff;
          if (s === null && q.addr === 'net') {
            while (v !== 0 && (v & 0xff000000) === 0) {
              v = (v << 8) >>> 0;
              mask = (mask << 8) >>> 0;
            }
          } else if (vlen < 32) {
            v = (v << (32 - vlen)) >>> 0;
            mask = (mask << (32 - vlen)) >>> 0;
          }
          return this.gen.host(v, mask, proto, dir, q.addr === 'net' ? 'net' : 'host');
        }
        case 'port':
        case 'portrange':
          if (proto !== 'default' && proto !== 'udp' && proto !== 'tcp' && proto !== 'sctp') {
            throw new GenError(`illegal qualifier of '${q.addr}'`);
          }
          if (v > 65535) throw new GenError(`illegal port number ${v} > 65535`);
          return this.gen.port(v, v, proto, dir, q.addr === 'portrange');
        case 'gateway':
          throw new GenError("'gateway' requires a name");
        case 'proto':
          return this.gen.proto(v, proto, dir);
        case 'protochain':
          return this.gen.protochain(v, proto);
        default:
          throw new GenError('syntax error in filter expression');
      }
    });
  }

  /** A name (ID token): wirescope resolves no host or network names, only protocol numbers. */
  private scode(at: Token, q: Qual): Bool {
    const name = at.text;
    if (q.addr === 'undef') throw new FilterError(this.expr, at.pos, 'syntax error in filter expression (a name needs a qualifier such as "host" or "proto")');
    return this.sem(at, () => {
      switch (q.addr) {
        case 'default':
        case 'host':
          if (q.proto === 'link') throw new GenError(`unknown ether host '${name}' (wirescope resolves no names; use a MAC address)`);
          throw new GenError(`unknown host '${name}' (wirescope resolves no names; use a numeric address)`);
        case 'net':
          throw new GenError(`unknown network '${name}' (wirescope resolves no names; use a numeric network)`);
        case 'port':
          throw new GenError(`unknown port '${name}' (wirescope resolves no service names; use the port number)`);
        case 'portrange': {
          const m = /^([0-9]+)-([0-9]+)$/.exec(name);
          if (!m) throw new GenError(`unknown port in range '${name}' (wirescope resolves no service names; use numbers)`);
          const lo = Number(m[1]);
          const hi = Number(m[2]);
          if (q.proto !== 'default' && q.proto !== 'udp' && q.proto !== 'tcp' && q.proto !== 'sctp') {
            throw new GenError("illegal qualifier of 'portrange'");
          }
          if (lo > 65535) throw new GenError(`illegal port number ${lo} > 65535`);
          if (hi > 65535) throw new GenError(`illegal port number ${hi} > 65535`);
          return this.gen.port(lo, hi, q.proto, q.dir, true);
        }
        case 'proto':
        case 'protochain': {
          const v = this.lookupProto(name, q.proto);
          return q.addr === 'proto' ? this.gen.proto(v, q.proto, q.dir) : this.gen.protochain(v, q.proto);
        }
        case 'gateway':
          throw new GenError(`'gateway' is not supported by wirescope (it needs host name resolution)`);
        default:
          throw new GenError('syntax error in filter expression');
      }
    });
  }

  private lookupProto(name: string, proto: ProtoQ): number {
    if (proto === 'link') {
      const v = ETHER_PROTOCOLS[name];
      if (v === undefined) throw new GenError(`unknown ether proto '${name}'`);
      return v;
    }
    if (proto === 'default' || proto === 'ip' || proto === 'ip6') {
      const v = IP_PROTOCOLS[name];
      if (v === undefined) throw new GenError(`unknown ip proto '${name}'`);
      return v;
    }
    throw new GenError(`unknown protocol: ${name}`);
  }

  private atoin(at: Token, s: string): { v: number; len: number } {
    const parts = s.split('.');
    let v = 0;
    for (const p of parts) {
      if (!/^[0-9]+$/.test(p) || Number(p) > 255) throw new FilterError(this.expr, at.pos, `invalid IPv4 address '${s}'`);
      v = v * 256 + Number(p);
    }
    return { v: v >>> 0, len: parts.length * 8 };
  }

  private mcode(at: Token, maskTok: Token | null, masklen: number, q: Qual): Bool {
    const a = this.atoin(at, at.text);
    let n = a.len < 32 ? (a.v * 2 ** (32 - a.len)) >>> 0 : a.v;
    let m: number;
    if (maskTok) {
      const mm = this.atoin(maskTok, maskTok.text);
      m = mm.len < 32 ? (mm.v * 2 ** (32 - mm.len)) >>> 0 : mm.v;
      if ((n & ~m) >>> 0 !== 0) {
        throw new FilterError(this.expr, at.pos, `non-network bits set in "${at.text} mask ${maskTok.text}"`);
      }
    } else {
      if (masklen > 32) throw new FilterError(this.expr, at.pos, 'mask length must be <= 32');
      m = masklen === 0 ? 0 : (0xffffffff << (32 - masklen)) >>> 0;
      if ((n & ~m) >>> 0 !== 0) {
        throw new FilterError(this.expr, at.pos, `non-network bits set in "${at.text}/${masklen}"`);
      }
    }
    n = (n & m) >>> 0;
    if (q.addr !== 'net') throw new FilterError(this.expr, at.pos, 'Mask syntax for networks only');
    return this.sem(at, () => this.gen.host(n, m, q.proto, q.dir, 'net'));
  }

  private mcode6(at: Token, masklen: number, q: Qual): Bool {
    if (!isIPv6(at.text)) throw new FilterError(this.expr, at.pos, `bogus IPv6 address ${at.text}`);
    const addr = ipv6Words(at.text);
    if (masklen > 128) throw new FilterError(this.expr, at.pos, 'mask length must be <= 128');
    const mask = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      const bits = Math.max(0, Math.min(32, masklen - 32 * i));
      mask[i] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if ((addr[i]! & ~mask[i]!) >>> 0 !== 0) {
        throw new FilterError(this.expr, at.pos, `non-network bits set in "${at.text}/${masklen}"`);
      }
    }
    if (q.addr === 'undef') throw new FilterError(this.expr, at.pos, 'syntax error in filter expression (an address needs a qualifier such as "host")');
    if (q.addr === 'default' || q.addr === 'host') {
      if (masklen !== 128) throw new FilterError(this.expr, at.pos, 'Mask syntax for networks only');
    } else if (q.addr !== 'net') {
      throw new FilterError(this.expr, at.pos, 'invalid qualifier against IPv6 address');
    }
    return this.sem(at, () => this.gen.host6(addr, mask, q.proto, q.dir, q.addr === 'net' ? 'net' : 'host'));
  }

  private ecode(at: Token, q: Qual): Bool {
    if ((q.addr === 'host' || q.addr === 'default') && q.proto === 'link') {
      const mac = parseMac(at.text);
      return this.sem(at, () => this.gen.ehost(mac, q.dir));
    }
    if (q.addr === 'undef') throw new FilterError(this.expr, at.pos, 'syntax error in filter expression (an address needs a qualifier such as "ether host")');
    throw new FilterError(this.expr, at.pos, 'ethernet address used in non-ether expression');
  }

  // ---- arithmetic and comparisons -------------------------------------------------------------

  private parseRelation(): Blk {
    const start = this.tok;
    const a = this.parseArth();
    const op = this.tok;
    if (op.kind !== 'op' || !RELOPS.has(op.text)) {
      return this.fail(op, 'expected a comparison (>, <, >=, <=, =, !=)');
    }
    this.i++;
    const b = this.parseArth();
    let c: Bool;
    switch (op.text) {
      case '>': c = cmp('>', a.v, b.v); break;
      case '>=': c = cmp('>=', a.v, b.v); break;
      case '=': c = cmp('==', a.v, b.v); break;
      case '<=': c = not(cmp('>', a.v, b.v)); break;
      case '<': c = not(cmp('>=', a.v, b.v)); break;
      default: c = not(cmp('==', a.v, b.v)); break;
    }
    void start;
    return { b: and(and(a.g, b.g), c), q: QERR };
  }

  private parseArth(): Arth {
    return this.parseArthFrom(this.parseOperand());
  }

  /** Operator-precedence loop that resolves exactly as yacc does with libpcap's %left table. */
  private parseArthFrom(first: Arth): Arth {
    const vals: Arth[] = [first];
    const ops: Token[] = [];
    const reduce = (): void => {
      const op = ops.pop()!;
      const b = vals.pop()!;
      const a = vals.pop()!;
      vals.push(this.arith(op, a, b));
    };
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'op' || !(t.text in ARITH_OPS)) break;
      const pl = ARITH_OPS[t.text];
      while (ops.length > 0) {
        const pt = ARITH_OPS[ops[ops.length - 1]!.text];
        if (pt === undefined || pl === undefined || pt < pl) break;
        reduce();
      }
      ops.push(t);
      this.i++;
      vals.push(this.parseOperand());
    }
    while (ops.length > 0) reduce();
    return vals[0]!;
  }

  private arith(opTok: Token, a: Arth, b: Arth): Arth {
    const op = opTok.text as AluOp;
    if (b.v.t === 'k') {
      if (op === '/' && b.v.v === 0) throw new FilterError(this.expr, opTok.pos, 'division by zero');
      if (op === '%' && b.v.v === 0) throw new FilterError(this.expr, opTok.pos, 'modulus by zero');
      if ((op === '<<' || op === '>>') && b.v.v > 31) throw new FilterError(this.expr, opTok.pos, 'shift by more than 31 bits');
    }
    // libpcap's gen_arth keeps only the left operand's protocol checks (the right one's are
    // dropped), so `ip[0] - tcp[12] > 0` does not check for TCP. Reproduced on purpose.
    return { v: alu(op, a.v, b.v), g: a.g };
  }

  private parseOperand(): Arth {
    const t = this.tok;
    if (t.kind === 'num') {
      this.i++;
      return { v: k(t.value), g: TRUE };
    }
    if (this.isKw(t, 'len')) {
      this.i++;
      return { v: { t: 'len' }, g: TRUE };
    }
    if (this.isOp(t, '-')) {
      this.i++;
      let x = this.parseOperand();
      // Unary minus outranks every operator except % and ^, which yacc shifts.
      if (this.tok.kind === 'op' && (this.tok.text === '%' || this.tok.text === '^')) x = this.parseArthFrom(x);
      return { v: neg(x.v), g: x.g };
    }
    if (this.isOp(t, '(')) {
      this.i++;
      const x = this.parseArth();
      this.expectOp(')');
      return x;
    }
    if (t.kind === 'kw' && PNAMES.has(t.text) && this.isOp(this.peek(1), '[')) {
      this.i += 2;
      const idx = this.parseArth();
      let size = 1;
      if (this.isOp(this.tok, ':')) {
        this.i++;
        const n = this.tok;
        if (n.kind !== 'num') this.fail(n, 'expected a size (1, 2 or 4)');
        size = n.value;
        this.i++;
      }
      this.expectOp(']');
      const r = this.sem(t, () => this.gen.load(this.protoQ(t.text), idx.v, size, idx.g));
      return { v: r.v, g: r.guard };
    }
    return this.fail(t, 'expected a number, "len" or a byte offset like ip[0]');
  }
}

function ipv6Words(text: string): Uint32Array {
  let s = text;
  // An embedded dotted quad becomes two hex groups.
  const dq = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dq) {
    const b = dq.slice(1, 5).map(Number);
    s = s.slice(0, dq.index) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === null ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((parseInt(groups[2 * i]!, 16) << 16) | parseInt(groups[2 * i + 1]!, 16)) >>> 0;
  return w;
}

function parseMac(text: string): Uint8Array {
  const hex = /^[0-9A-Fa-f]{12}$/.test(text)
    ? text.match(/../g)!
    : /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/.test(text)
      ? text.replace(/\./g, '').match(/../g)!
      : text.split(/[:.-]/);
  return Uint8Array.from(hex.map((h) => parseInt(h, 16)));
}

export { FALSE };
