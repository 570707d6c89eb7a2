/**
 * The primitives of pcap-filter(7) as libpcap's gencode builds them, for the link types
 * wirescope reads. Offsets are absolute from the frame start; `vlan` moves the link-type and
 * network offsets for every primitive generated after it (libpcap's documented quirk).
 */
import { FilterError } from '../errors.js';
import {
  FALSE, TRUE, and, cmp, k, ld, mcmp, not, or,
  type Bool, type Val,
} from './ir.js';

export const LinkKind = {
  Ethernet: 'ethernet',
  Sll: 'sll',
  Sll2: 'sll2',
  Null: 'null',
  Loop: 'loop',
  Raw: 'raw',
  Ipv4: 'ipv4',
  Ipv6: 'ipv6',
} as const;
export type LinkKind = (typeof LinkKind)[keyof typeof LinkKind];

const LINK_NAMES: Record<LinkKind, string> = {
  ethernet: 'Ethernet',
  sll: 'Linux cooked v1',
  sll2: 'Linux cooked v2',
  null: 'BSD loopback',
  loop: 'OpenBSD loopback',
  raw: 'Raw IP',
  ipv4: 'Raw IPv4',
  ipv6: 'Raw IPv6',
};

export function linkKindOf(linkType: number): LinkKind | null {
  switch (linkType) {
    case 1: return LinkKind.Ethernet;
    case 113: return LinkKind.Sll;
    case 276: return LinkKind.Sll2;
    case 0: return LinkKind.Null;
    case 108: return LinkKind.Loop;
    case 12: case 14: case 101: return LinkKind.Raw;
    case 228: return LinkKind.Ipv4;
    case 229: return LinkKind.Ipv6;
    default: return null;
  }
}

export const ETHERTYPE_IP = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_REVARP = 0x8035;
const ETHERMTU = 1500;

const IPPROTO = { icmp: 1, igmp: 2, tcp: 6, igrp: 9, udp: 17, esp: 50, ah: 51, icmp6: 58, pim: 103, vrrp: 112, sctp: 132 } as const;

/** Protocol qualifiers (pcap-filter "proto" position). */
export type ProtoQ =
  | 'default' | 'link' | 'ip' | 'arp' | 'rarp' | 'sctp' | 'tcp' | 'udp' | 'icmp' | 'igmp'
  | 'igrp' | 'pim' | 'vrrp' | 'carp' | 'ip6' | 'icmp6' | 'ah' | 'esp' | 'undef'
  | 'atalk' | 'aarp' | 'decnet' | 'lat' | 'sca' | 'moprc' | 'mopdl' | 'iso' | 'esis' | 'isis'
  | 'l1' | 'l2' | 'iih' | 'lsp' | 'snp' | 'csnp' | 'psnp' | 'clnp' | 'stp' | 'ipx' | 'netbeui' | 'radio';
export type DirQ = 'default' | 'src' | 'dst' | 'or' | 'and' | 'undef' | 'addr1' | 'addr2' | 'addr3' | 'addr4' | 'ra' | 'ta';
export type AddrQ = 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'protochain' | 'gateway' | 'undef';

export interface Qual {
  proto: ProtoQ;
  dir: DirQ;
  addr: AddrQ;
}

export const QERR: Qual = { proto: 'undef', dir: 'undef', addr: 'undef' };

/** Thrown for semantic errors; the parser adds the position of the primitive. */
export class GenError extends Error {}

export interface GenOptions {
  /** Byte order of the capture file (NULL link type stores the family in it). */
  bigEndian: boolean;
}

export class Gen {
  readonly kind: LinkKind;
  /** Offset of the link-layer type field (-1 when the link has none). */
  offLinkType: number;
  /** Offset of the network-layer header. */
  offNl: number;
  vlanDepth = 0;
  /** libpcap turns its optimizer off for protochain (the loop jumps backwards). */
  usesProtochain = false;

  constructor(
    kind: LinkKind,
    private readonly opts: GenOptions,
  ) {
    this.kind = kind;
    switch (kind) {
      case 'ethernet': this.offLinkType = 12; this.offNl = 14; break;
      case 'sll': this.offLinkType = 14; this.offNl = 16; break;
      case 'sll2': this.offLinkType = 0; this.offNl = 20; break;
      case 'null': case 'loop': this.offLinkType = 0; this.offNl = 4; break;
      default: this.offLinkType = -1; this.offNl = 0; break;
    }
  }

  saveState(): [number, number, number] {
    return [this.offLinkType, this.offNl, this.vlanDepth];
  }

  restoreState(s: [number, number, number]): void {
    [this.offLinkType, this.offNl, this.vlanDepth] = s;
  }

  get linkName(): string {
    return LINK_NAMES[this.kind];
  }

  // ---- link-layer type tests ------------------------------------------------------------

  /** libpcap's gen_linktype: "the packet's network protocol is `proto`" (an EtherType). */
  linktype(proto: number): Bool {
    switch (this.kind) {
      case 'ethernet':
        if (proto === 0xe0 || proto === 0x809b || proto === 0x80f3) {
          throw new GenError(`EtherType/SAP 0x${proto.toString(16)} (IPX/AppleTalk encapsulations) is not supported by wirescope`);
        }
        if (proto <= ETHERMTU) {
          // 802.3 frame with an LLC header: length field, then the DSAP (and SSAP for some).
          const isLen = not(cmp('>', ld(2, this.offLinkType), k(ETHERMTU)));
          if (proto === 0x06 || proto === 0xfe || proto === 0xf0) {
            return and(isLen, mcmp(2, this.offLinkType + 2, (proto << 8) | proto));
          }
          return and(isLen, mcmp(1, this.offLinkType + 2, proto));
        }
        return mcmp(2, this.offLinkType, proto);
      case 'sll':
        if (proto === 0xe0 || proto === 0x809b || proto === 0x80f3) {
          throw new GenError(`EtherType/SAP 0x${proto.toString(16)} (IPX/AppleTalk encapsulations) is not supported by wirescope`);
        }
        if (proto <= ETHERMTU) {
          // Protocol LINUX_SLL_P_802_2 (4), then the LLC DSAP (and SSAP for some SAPs).
          const llc = mcmp(2, this.offLinkType, 4);
          if (proto === 0x06 || proto === 0xfe || proto === 0xf0) {
            return and(llc, mcmp(2, this.offNl, (proto << 8) | proto));
          }
          return and(llc, mcmp(1, this.offNl, proto));
        }
        return mcmp(2, this.offLinkType, proto);
      case 'sll2':
        // libpcap 1.10 compares the SLL2 protocol field as is, LLC SAPs included.
        return mcmp(2, this.offLinkType, proto);
      case 'null':
      case 'loop': {
        let families: number[];
        if (proto === ETHERTYPE_IP) families = [2];
        else if (proto === ETHERTYPE_IPV6) families = [30, 24, 28];
        else return FALSE;
        // NULL stores the family in the capturing host's order (the file's); LOOP in network order.
        const swap = this.kind === 'null' && !this.opts.bigEndian;
        let b: Bool = FALSE;
        for (const f of families) b = or(b, mcmp(4, 0, swap ? bswap32(f) : f));
        return b;
      }
      case 'raw':
        if (proto === ETHERTYPE_IP) return mcmp(1, 0, 0x40, 0xf0);
        if (proto === ETHERTYPE_IPV6) return mcmp(1, 0, 0x60, 0xf0);
        return FALSE;
      case 'ipv4':
        return proto === ETHERTYPE_IP ? TRUE : FALSE;
      case 'ipv6':
        return proto === ETHERTYPE_IPV6 ? TRUE : FALSE;
    }
  }

  /** A byte of the network layer (OR_LINKPL in libpcap). */
  nl(size: 1 | 2 | 4, off: number, value: number, mask = 0xffffffff): Bool {
    return mcmp(size, this.offNl + off, value, mask);
  }

  /** IPv4 not a non-first fragment (libpcap's gen_ipfrag: `ip[6:2] & 0x1fff == 0`). */
  ipNotFrag(): Bool {
    return not(cmp('&', ld(2, this.offNl + 6), k(0x1fff)));
  }

  // ---- protocols --------------------------------------------------------------------------

  /** `proto N` family (gen_proto): ip[9] / ip6 next header (or after a fragment header). */
  proto(v: number, proto: ProtoQ, dir: DirQ): Bool {
    if (dir !== 'default') throw new GenError("direction applied to 'proto'");
    switch (proto) {
      case 'default':
        return or(this.proto(v, 'ip', dir), this.proto(v, 'ip6', dir));
      case 'ip':
        return and(this.linktype(ETHERTYPE_IP), this.nl(1, 9, v));
      case 'ip6': {
        const direct = this.nl(1, 6, v);
        const viaFrag = and(this.nl(1, 6, 44), this.nl(1, 40, v));
        return and(this.linktype(ETHERTYPE_IPV6), or(direct, viaFrag));
      }
      case 'link':
        return this.linktype(v);
      case 'arp': case 'rarp': throw new GenError(`${proto} does not encapsulate another protocol`);
      default:
        if (isTransport(proto)) throw new GenError(`'${proto} proto' is bogus`);
        throw new GenError(`'${proto}' qualifier is not supported by wirescope`);
    }
  }

  protochain(v: number, proto: ProtoQ): Bool {
    this.usesProtochain = true;
    switch (proto) {
      case 'default':
        return or(this.protochain(v, 'ip'), this.protochain(v, 'ip6'));
      case 'ip':
        return and(this.linktype(ETHERTYPE_IP), { t: 'chain', nl: this.offNl, ipv4: true, proto: v });
      case 'ip6':
        return and(this.linktype(ETHERTYPE_IPV6), { t: 'chain', nl: this.offNl, ipv4: false, proto: v });
      default:
        throw new GenError(`bad protocol applies for 'protochain'`);
    }
  }

  /** A bare protocol name (gen_proto_abbrev). */
  abbrev(p: ProtoQ): Bool {
    switch (p) {
      case 'sctp': return this.proto(IPPROTO.sctp, 'default', 'default');
      case 'tcp': return this.proto(IPPROTO.tcp, 'default', 'default');
      case 'udp': return this.proto(IPPROTO.udp, 'default', 'default');
      case 'icmp': return this.proto(IPPROTO.icmp, 'ip', 'default');
      case 'igmp': return this.proto(IPPROTO.igmp, 'ip', 'default');
      case 'igrp': return this.proto(IPPROTO.igrp, 'ip', 'default');
      case 'pim': return this.proto(IPPROTO.pim, 'default', 'default');
      case 'vrrp': case 'carp': return this.proto(IPPROTO.vrrp, 'ip', 'default');
      case 'ip': return this.linktype(ETHERTYPE_IP);
      case 'arp': return this.linktype(ETHERTYPE_ARP);
      case 'rarp': return this.linktype(ETHERTYPE_REVARP);
      case 'ip6': return this.linktype(ETHERTYPE_IPV6);
      case 'icmp6': return this.proto(IPPROTO.icmp6, 'ip6', 'default');
      case 'ah': return this.proto(IPPROTO.ah, 'default', 'default');
      case 'esp': return this.proto(IPPROTO.esp, 'default', 'default');
      case 'link': throw new GenError('link layer applied in wrong context');
      default: throw new GenError(`'${p}' is not supported by wirescope`);
    }
  }

  // ---- hosts and nets -----------------------------------------------------------------------

  private hostop(addr: number, mask: number, dir: DirQ, ethertype: number, srcOff: number, dstOff: number): Bool {
    switch (dir) {
      case 'src':
        return and(this.linktype(ethertype), this.nl(4, srcOff, addr & mask, mask));
      case 'dst':
        return and(this.linktype(ethertype), this.nl(4, dstOff, addr & mask, mask));
      case 'and':
        return and(this.hostop(addr, mask, 'src', ethertype, srcOff, dstOff), this.hostop(addr, mask, 'dst', ethertype, srcOff, dstOff));
      case 'default':
      case 'or':
        return or(this.hostop(addr, mask, 'src', ethertype, srcOff, dstOff), this.hostop(addr, mask, 'dst', ethertype, srcOff, dstOff));
      default:
        throw new GenError(`'${dir}' is only supported on 802.11 syntax`);
    }
  }

  host(addr: number, mask: number, proto: ProtoQ, dir: DirQ, type: 'host' | 'net'): Bool {
    switch (proto) {
      case 'default':
        return or(or(this.host(addr, mask, 'ip', dir, type), this.host(addr, mask, 'arp', dir, type)), this.host(addr, mask, 'rarp', dir, type));
      case 'link':
        throw new GenError(`link-layer modifier applied to ${type}`);
      case 'ip':
        return this.hostop(addr, mask, dir, ETHERTYPE_IP, 12, 16);
      case 'arp':
        return this.hostop(addr, mask, dir, ETHERTYPE_ARP, 14, 24);
      case 'rarp':
        return this.hostop(addr, mask, dir, ETHERTYPE_REVARP, 14, 24);
      case 'ip6':
        throw new GenError(`'ip6' modifier applied to ip ${type}`);
      default:
        throw new GenError(`'${proto}' modifier applied to ${type}`);
    }
  }

  private hostop6(addr: Uint32Array, mask: Uint32Array, dir: DirQ, srcOff: number, dstOff: number): Bool {
    const one = (off: number): Bool => {
      let b: Bool = TRUE;
      for (let i = 0; i < 4; i++) b = and(b, this.nl(4, off + 4 * i, (addr[i]! & mask[i]!) >>> 0, mask[i]!));
      return and(this.linktype(ETHERTYPE_IPV6), b);
    };
    switch (dir) {
      case 'src': return one(srcOff);
      case 'dst': return one(dstOff);
      case 'and': return and(one(srcOff), one(dstOff));
      case 'default': case 'or': return or(one(srcOff), one(dstOff));
      default: throw new GenError(`'${dir}' is only supported on 802.11 syntax`);
    }
  }

  host6(addr: Uint32Array, mask: Uint32Array, proto: ProtoQ, dir: DirQ, type: 'host' | 'net'): Bool {
    switch (proto) {
      case 'default':
      case 'ip6':
        return this.hostop6(addr, mask, dir, 8, 24);
      case 'link':
        throw new GenError(`link-layer modifier applied to ip6 ${type}`);
      case 'ip':
        throw new GenError(`'ip' modifier applied to ip6 ${type}`);
      default:
        throw new GenError(`'${proto}' modifier applied to ip6 ${type}`);
    }
  }

  /** `ether host/src/dst MAC` (gen_ehostop); Ethernet only, like libpcap. */
  ehost(mac: Uint8Array, dir: DirQ): Bool {
    if (this.kind !== 'ethernet') {
      throw new GenError('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel');
    }
    const at = (off: number): Bool => {
      const hi = (mac[0]! << 8) | mac[1]!;
      const lo = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
      return and(mcmp(4, off + 2, lo), mcmp(2, off, hi));
    };
    switch (dir) {
      case 'src': return at(6);
      case 'dst': return at(0);
      case 'and': return and(at(6), at(0));
      case 'default': case 'or': return or(at(6), at(0));
      default: throw new GenError(`'${dir}' is only supported on 802.11 syntax`);
    }
  }

  // ---- ports ------------------------------------------------------------------------------

  /** gen_portatom / gen_portrangeatom: one port field against a port or a range. */
  private portAtom(v: Val, lo: number, hi: number, range: boolean): Bool {
    if (!range) return cmp('==', v, k(lo));
    return and(cmp('>=', v, k(lo)), not(cmp('>', v, k(hi))));
  }

  private portDir(atom: (off: number) => Bool, dir: DirQ): Bool {
    switch (dir) {
      case 'src': return atom(0);
      case 'dst': return atom(2);
      case 'and': return and(atom(0), atom(2));
      case 'default': case 'or': return or(atom(0), atom(2));
      default: throw new GenError(`'${dir}' is not a valid qualifier for ports`);
    }
  }

  /**
   * `[tcp|udp|sctp] [src|dst] port N` / `portrange`, built as gencode builds it (the block
   * structure matters to the optimizer model): IPv6 first, then IPv4; per transport protocol
   * its own copy of the port tests, SCTP first, then TCP, then UDP.
   */
  port(lo: number, hi: number, proto: ProtoQ, dir: DirQ, range: boolean): Bool {
    if (lo > hi) [lo, hi] = [hi, lo];
    const per = (one: (p: number) => Bool): Bool =>
      proto === 'default'
        ? or(one(IPPROTO.sctp), or(one(IPPROTO.tcp), one(IPPROTO.udp)))
        : one(IPPROTO[proto as 'tcp' | 'udp' | 'sctp']);
    const op6 = (p: number): Bool =>
      and(this.nl(1, 6, p), this.portDir((off) => this.portAtom(ld(2, this.offNl + 40 + off), lo, hi, range), dir));
    const op4 = (p: number): Bool =>
      and(and(this.nl(1, 9, p), this.ipNotFrag()), this.portDir((off) => this.portAtom(ld(2, this.offNl + off, this.offNl), lo, hi, range), dir));
    const v6 = and(this.linktype(ETHERTYPE_IPV6), per(op6));
    const v4 = and(this.linktype(ETHERTYPE_IP), per(op4));
    return or(v6, v4);
  }

  // ---- vlan, length, broadcast ------------------------------------------------------------

  vlan(id: number | null): Bool {
    if (this.kind !== 'ethernet') throw new GenError(`no VLAN support for ${this.linkName}`);
    if (id !== null && id > 4095) throw new GenError(`VLAN tag ${id} greater than maximum 4095`);
    const t = this.offLinkType;
    let b = or(or(mcmp(2, t, 0x8100), mcmp(2, t, 0x88a8)), mcmp(2, t, 0x9100));
    if (id !== null) b = and(b, mcmp(2, this.offNl, id, 0x0fff));
    this.offLinkType += 4;
    this.offNl += 4;
    this.vlanDepth++;
    return b;
  }

  lenCmp(op: 'less' | 'greater', n: number): Bool {
    return op === 'less' ? not(cmp('>', { t: 'len' }, k(n))) : cmp('>=', { t: 'len' }, k(n));
  }

  broadcast(proto: ProtoQ): Bool {
    if (proto === 'default' || proto === 'link') {
      if (this.kind !== 'ethernet') throw new GenError('not a broadcast link');
      return and(mcmp(4, 2, 0xffffffff), mcmp(2, 0, 0xffff));
    }
    if (proto === 'ip') {
      // tcpdump -r compiles with netmask 0: broadcast is an all-zeros or all-ones destination.
      return and(this.linktype(ETHERTYPE_IP), or(this.nl(4, 16, 0), this.nl(4, 16, 0xffffffff)));
    }
    throw new GenError('only link-layer/IP broadcast filters supported');
  }

  multicast(proto: ProtoQ): Bool {
    if (proto === 'default' || proto === 'link') {
      if (this.kind !== 'ethernet') throw new GenError('link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel');
      return cmp('&', ld(1, 0), k(1));
    }
    if (proto === 'ip') return and(this.linktype(ETHERTYPE_IP), cmp('>=', ld(1, this.offNl + 16), k(224)));
    if (proto === 'ip6') return and(this.linktype(ETHERTYPE_IPV6), this.nl(1, 24, 255));
    throw new GenError('only link-layer/IP multicast filters supported');
  }

  inbound(outbound: boolean): Bool {
    let b: Bool;
    if (this.kind === 'sll') b = mcmp(2, 0, 4);
    else if (this.kind === 'sll2') b = mcmp(1, 10, 4);
    else throw new GenError(`inbound/outbound not supported on ${this.linkName} in a capture file`);
    return outbound ? b : not(b);
  }

  // ---- byte loads: proto[expr : size] -------------------------------------------------------

  /** `proto[idx:size]` with libpcap's guards; returns the value and the guard to test first. */
  load(proto: ProtoQ, idx: Val, size: number, inner: Bool): { v: Val; guard: Bool } {
    if (size !== 1 && size !== 2 && size !== 4) throw new GenError('data size must be 1, 2, or 4');
    // libpcap's value number for an indexed load: base offset and index, not the sum.
    const ix = JSON.stringify(idx);
    const at = (base: number): Val =>
      idx.t === 'k' ? ld(size, base + idx.v, -1, null, `@${base}[${ix}]`) : ld(size, base, -1, idx, `@${base}[${ix}]`);
    const tag = `x@${this.offNl}[${ix}]`;
    switch (proto) {
      case 'link':
        return { v: at(0), guard: inner };
      case 'ip': case 'arp': case 'rarp': case 'ip6':
        return { v: at(this.offNl), guard: and(inner, this.abbrev(proto)) };
      case 'tcp': case 'udp': case 'icmp': case 'igmp': case 'igrp': case 'pim': case 'vrrp': case 'carp': case 'sctp': {
        const v = idx.t === 'k' ? ld(size, this.offNl + idx.v, this.offNl, null, tag) : ld(size, this.offNl, this.offNl, idx, tag);
        const guard = and(this.linktype(ETHERTYPE_IP), and(inner, and(this.abbrev(proto), this.ipNotFrag())));
        return { v, guard };
      }
      case 'icmp6':
        return {
          v: at(this.offNl + 40),
          guard: and(inner, and(this.linktype(ETHERTYPE_IPV6), this.nl(1, 6, IPPROTO.icmp6))),
        };
      default:
        throw new GenError(`'${proto}' is not supported in byte-offset expressions`);
    }
  }
}

function isTransport(p: ProtoQ): boolean {
  return p === 'tcp' || p === 'udp' || p === 'sctp' || p === 'icmp' || p === 'igmp' || p === 'igrp' || p === 'pim' || p === 'vrrp' || p === 'carp' || p === 'icmp6' || p === 'ah' || p === 'esp';
}

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
