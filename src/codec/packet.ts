import { EMPTY_BUFFER, IssueReason, Layer, type DecodeIssue, type LayerId } from './layer.js';
import { NullView, isIpv6Family } from './null.js';
import { EthernetView } from './ethernet.js';
import { VlanView, isVlanTpid } from './vlan.js';
import { SllView } from './sll.js';
import { Sll2View } from './sll2.js';
import { ArpView } from './arp.js';
import { Ipv4View, walkOptions } from './ipv4.js';
import { Ipv6View, walkIpv6Options } from './ipv6.js';
import { TcpView } from './tcp.js';
import { UdpView } from './udp.js';
import { IcmpView, isIcmpError } from './icmp.js';
import { Icmpv6View, icmpv6FixedLength, isNeighborDiscovery, walkNdOptions } from './icmpv6.js';
import type { ChecksumSource } from './checksum.js';

/** Most VLAN tags decoded before the frame is called malformed. */
export const MAX_VLAN_TAGS = 8;

/** Wire order of the layers; a packet's layers are always a subsequence (VLAN repeated). */
const WIRE_ORDER: readonly LayerId[] = [
  Layer.Null, Layer.Loop, Layer.Ethernet, Layer.Sll, Layer.Sll2, Layer.Raw, Layer.Vlan,
  Layer.Arp, Layer.Ipv4, Layer.Ipv6, Layer.Tcp, Layer.Udp, Layer.Icmp, Layer.Icmpv6, Layer.Payload,
];
const VLAN_BIT = 1 << Layer.Vlan;
// The fast path's layer bits, computed once: Layer.X in a hot function is a property load.
const ETHERNET_BIT = 1 << Layer.Ethernet;
const IPV4_BIT = 1 << Layer.Ipv4;
const IPV6_BIT = 1 << Layer.Ipv6;
const TCP_BIT = 1 << Layer.Tcp;
const UDP_BIT = 1 << Layer.Udp;
const PAYLOAD_BIT = 1 << Layer.Payload;

/**
 * The decoded packet. One instance per PacketDecoder, re-set by every decode(); views are
 * always allocated and meaningful only when has() says so.
 */
export class Packet implements ChecksumSource {
  buf: Buffer = EMPTY_BUFFER;
  /** Frame start in buf. */
  start = 0;
  capLen = 0;
  origLen = 0;
  linkType = 0;
  /** Bit i set when layer id i is present (the layer list below is derived from it). */
  layerMask = 0;

  readonly loop = new NullView();
  readonly eth = new EthernetView();
  vlanCount = 0;
  private readonly vlans: VlanView[] = [];
  readonly sll = new SllView();
  readonly sll2 = new Sll2View();
  readonly arp = new ArpView();
  readonly ip4 = new Ipv4View();
  readonly ip6 = new Ipv6View();
  readonly tcp = new TcpView(this);
  readonly udp = new UdpView(this);
  readonly icmp = new IcmpView(this);
  readonly icmp6 = new Icmpv6View(this);

  /** EtherType that selected the network layer (raw IP and NULL/LOOP normalised to 0x0800/0x86dd), -1. */
  etherType = -1;
  /** Upper-layer protocol after IPv4, or after the IPv6 extension headers, -1. */
  ipProto = -1;
  networkOffset = -1;
  transportOffset = -1;
  payloadOffset = 0;
  payloadLength = 0;
  /** The first problem found, or null. Points at a reused object. */
  issue: DecodeIssue | null = null;
  private readonly issueSlot: DecodeIssue = { layer: Layer.Payload, reason: '', offset: 0 };
  /** capLen is shorter than the headers/lengths claim. */
  truncated = false;

  constructor() {
    for (let i = 0; i < MAX_VLAN_TAGS; i++) this.vlans.push(new VlanView());
  }

  has(layer: LayerId): boolean {
    return (this.layerMask & (1 << layer)) !== 0;
  }
  /** Number of layers, each VLAN tag counted. */
  get layerCount(): number {
    let m = this.layerMask & ~VLAN_BIT;
    let n = 0;
    while (m !== 0) {
      m &= m - 1;
      n++;
    }
    return n + this.vlanCount;
  }
  /** The i-th layer in wire order (Layer.Payload past the end). */
  layerAt(i: number): LayerId {
    const m = this.layerMask;
    for (const id of WIRE_ORDER) {
      if ((m & (1 << id)) === 0) continue;
      const n = id === Layer.Vlan ? this.vlanCount : 1;
      if (i < n) return id;
      i -= n;
    }
    return Layer.Payload;
  }
  vlan(i: number): VlanView {
    return this.vlans[i]!;
  }
  /** The payload bytes as a Buffer view (allocates a view object: for printing, not the hot path). */
  payload(): Buffer {
    return this.buf.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }
  /** The whole captured frame as a Buffer view (allocates). */
  frame(): Buffer {
    return this.buf.subarray(this.start, this.start + this.capLen);
  }

  // ---- what transport checksums need, read from the IP view on demand ----

  /** 4 or 6 for the IP layer carrying the transport, 0 without one. */
  get ipVersion(): number {
    return this.has(Layer.Ipv4) ? 4 : this.has(Layer.Ipv6) ? 6 : 0;
  }
  get pseudoSrcOffset(): number {
    return this.has(Layer.Ipv4) ? this.ip4.offset + 12 : this.ip6.offset + 8;
  }
  get pseudoDstOffset(): number {
    return this.has(Layer.Ipv4) ? this.ip4.finalDstOffset : this.ip6.finalDstOffset;
  }
  /** Where the IP datagram ends by its length fields (IPv4 total length 0 = TSO: the capture end). */
  get ipEnd(): number {
    if (this.has(Layer.Ipv4)) {
      const tl = this.ip4.totalLength;
      return tl === 0 ? this.capEnd : this.ip4.offset + tl;
    }
    if (this.has(Layer.Ipv6)) {
      const v = this.ip6;
      const pl = v.payloadLength;
      return v.offset + 40 + (pl !== 0 ? pl : v.jumboLength);
    }
    return this.capEnd;
  }
  /** The transport header belongs to the first fragment of a larger datagram. */
  get fragmented(): boolean {
    return this.has(Layer.Ipv4) ? this.ip4.mf : this.has(Layer.Ipv6) && this.ip6.fragmented;
  }
  /** End of the captured bytes in buf. */
  get capEnd(): number {
    const e = this.start + this.capLen;
    return e > this.buf.length ? this.buf.length : e;
  }

  /** @internal */
  push(layer: LayerId): void {
    this.layerMask |= 1 << layer;
  }
  /** @internal Records the first issue only. */
  fail(layer: LayerId, reason: string, absOffset: number): void {
    if (this.issue !== null) return;
    const s = this.issueSlot;
    s.layer = layer;
    s.reason = reason;
    s.offset = absOffset - this.start;
    this.issue = s;
  }
  /** @internal */
  setPayload(off: number, end: number): void {
    if (end > off) {
      this.payloadOffset = off;
      this.payloadLength = end - off;
      this.push(Layer.Payload);
    } else {
      this.payloadOffset = off;
      this.payloadLength = 0;
    }
  }
}

/**
 * Decodes frames into one reused Packet. Nothing is allocated per packet: views are re-pointed
 * and lengths, offsets and issues are plain fields. Never throws on packet bytes.
 */
export class PacketDecoder {
  readonly packet = new Packet();
  private readonly fastPath: boolean;

  /**
   * @param opts.fastPath decode untagged Ethernet + IPv4 (no options) / IPv6 (no extension
   *   headers) + TCP / UDP in one straight run (default true). It produces exactly the state
   *   of the general path, which the tests check by decoding with both.
   */
  constructor(opts: { fastPath?: boolean } = {}) {
    this.fastPath = opts.fastPath !== false;
  }

  decode(buf: Buffer, offset: number, capLen: number, linkType: number, origLen?: number): Packet {
    const p = this.packet;
    // Not a default parameter: one makes V8 copy every argument to a register first.
    const orig = origLen === undefined ? capLen : origLen;
    p.buf = buf;
    p.start = offset;
    p.capLen = capLen;
    p.origLen = orig;
    p.linkType = linkType;
    p.vlanCount = 0;
    p.issue = null;
    p.truncated = orig > capLen;
    // The fast path sets every field below itself. `=== true`: V8 does not know that a field
    // or a (not inlined) call's result is a boolean, and the comparison is one instruction
    // where a truth test is a dozen.
    if (linkType === 1 && this.fastPath === true && this.commonEthernet(p, buf, offset, offset + capLen) === true) {
      return p;
    }
    this.general(p, buf, offset, capLen, linkType);
    return p;
  }

  /** Every link type and shape, layer by layer. Kept out of decode() so that stays small enough to inline. */
  private general(p: Packet, buf: Buffer, offset: number, capLen: number, linkType: number): void {
    const bufEnd = buf.length;
    const end = offset + capLen > bufEnd ? bufEnd : offset + capLen;
    p.layerMask = 0;
    p.etherType = -1;
    p.ipProto = -1;
    p.networkOffset = -1;
    p.transportOffset = -1;
    p.payloadOffset = offset;
    p.payloadLength = 0;
    switch (linkType) {
      case 1:
        this.ethernet(p, buf, offset, end);
        break;
      case 0:
      case 108:
        this.loopback(p, buf, offset, end, linkType === 108);
        break;
      case 113:
        this.sll(p, buf, offset, end);
        break;
      case 276:
        this.sll2(p, buf, offset, end);
        break;
      case 101:
      case 12:
      case 14:
        this.raw(p, buf, offset, end, 0);
        break;
      // LINKTYPE_IPV4/IPV6 still carry the version nibble; tcpdump and tshark trust it.
      case 228:
        this.raw(p, buf, offset, end, 4);
        break;
      case 229:
        this.raw(p, buf, offset, end, 6);
        break;
      default:
        p.fail(Layer.Payload, IssueReason.UnsupportedLinkType, offset);
        p.setPayload(offset, end);
    }
  }

  /**
   * Most traffic: Ethernet, IPv4 without options or IPv6 without extension headers, not a
   * fragment, wholly captured, TCP or UDP whose header fits. Checks everything before writing
   * anything; returns false (nothing written) for the general path to take over.
   *
   * Its bytecode (about 690 bytes) is over V8's 460-byte limit for inlining, so decode() calls
   * it. With the limits raised by flags the whole run inlines and saves about 25 instructions a
   * packet (of ~420): getting there means cutting this to 460 bytes and the tree under it (with
   * decode() and the view resets) to V8's 920-byte cumulative budget. `node
   * --trace-turbo-inlining` on the decode bench shows what inlines.
   * Every byte is read before the first store: a store to a field at the offset where a typed
   * array keeps its length makes V8 load the length and data pointer again.
   */
  private commonEthernet(p: Packet, buf: Buffer, start: number, capEnd: number): boolean {
    // Below 2^30 (a larger offset is not common): V8 then knows that off plus a header length
    // cannot overflow, and drops the overflow check it makes on every such sum below.
    const off = start & 0x3fffffff;
    // A record running past the buffer's end is not common (its end would be the buffer's).
    if (off !== start || capEnd - off < 54 || capEnd > buf.length) return false;
    const et = (buf[off + 12]! << 8) | buf[off + 13]!;
    let ipEnd: number;
    let proto: number;
    let t: number;
    if (et === 0x0800) {
      if (buf[off + 14] !== 0x45 || ((buf[off + 20]! & 0x3f) | buf[off + 21]!) !== 0) return false;
      ipEnd = off + 14 + ((buf[off + 16]! << 8) | buf[off + 17]!);
      proto = buf[off + 23]!;
      t = off + 34;
    } else if (et === 0x86dd) {
      if (buf[off + 14]! >> 4 !== 6) return false;
      ipEnd = off + 54 + ((buf[off + 18]! << 8) | buf[off + 19]!);
      proto = buf[off + 20]!;
      t = off + 54;
    } else return false;
    let payloadStart: number;
    let payloadEnd: number;
    if (proto === 6) {
      const thl = (buf[t + 12]! >> 4) * 4;
      if (thl < 20) return false;
      payloadStart = t + thl;
      payloadEnd = ipEnd;
    } else if (proto === 17) {
      payloadStart = t + 8;
      payloadEnd = t + ((buf[t + 4]! << 8) | buf[t + 5]!);
    } else return false;
    if (payloadEnd < payloadStart || payloadEnd > ipEnd || ipEnd > capEnd) return false;

    const eth = p.eth;
    eth.buf = buf;
    eth.offset = off;
    eth.length = 14;
    p.etherType = et;
    p.networkOffset = off + 14;
    p.ipProto = proto;
    p.transportOffset = t;
    p.payloadOffset = payloadStart;
    p.payloadLength = payloadEnd - payloadStart;
    let mask: number;
    if (et === 0x0800) {
      const v = p.ip4;
      v.buf = buf;
      v.offset = off + 14;
      v.headerLength = 20;
      v.length = 20;
      v.finalDstOffset = off + 30;
      mask = ETHERNET_BIT | IPV4_BIT;
    } else {
      p.ip6.reset(buf, off + 14, 40);
      mask = ETHERNET_BIT | IPV6_BIT;
    }
    if (payloadEnd > payloadStart) mask |= PAYLOAD_BIT;
    // One store for the whole layer list, made before the TCP reset: after the calls it may
    // make (rarely), V8 would check p's map again.
    if (proto === 6) {
      p.layerMask = mask | TCP_BIT;
      const bad = p.tcp.reset(buf, t, payloadStart - t);
      if (bad >= 0) p.fail(Layer.Tcp, IssueReason.BadOption, bad);
    } else {
      p.layerMask = mask | UDP_BIT;
      const u = p.udp;
      u.buf = buf;
      u.offset = t;
      u.length = 8;
    }
    return true;
  }

  private ethernet(p: Packet, buf: Buffer, off: number, end: number): void {
    const v = p.eth;
    v.buf = buf;
    v.offset = off;
    if (end - off < 14) {
      v.length = end - off;
      p.truncated = true;
      p.fail(Layer.Ethernet, IssueReason.Truncated, off);
      return;
    }
    v.length = 14;
    p.push(Layer.Ethernet);
    const et = (buf[off + 12]! << 8) | buf[off + 13]!;
    // The common cases go straight to the network layer: every call saved shows in the bench.
    if (et === 0x0800) {
      p.etherType = et;
      this.ipv4(p, buf, off + 14, end);
    } else if (et === 0x86dd) {
      p.etherType = et;
      this.ipv6(p, buf, off + 14, end);
    } else this.etherTypeNext(p, buf, et, off + 14, end);
  }

  /** After a link header: VLAN tags, then the network layer the EtherType names. */
  private etherTypeNext(p: Packet, buf: Buffer, et: number, off: number, end: number): void {
    while (isVlanTpid(et)) {
      if (p.vlanCount === MAX_VLAN_TAGS) {
        p.fail(Layer.Vlan, IssueReason.TooManyVlans, off);
        p.setPayload(off, end);
        return;
      }
      const v = p.vlan(p.vlanCount);
      v.buf = buf;
      v.offset = off;
      v.tpid = et;
      if (end - off < 4) {
        v.length = end - off;
        p.truncated = true;
        p.fail(Layer.Vlan, IssueReason.Truncated, off);
        return;
      }
      v.length = 4;
      p.vlanCount++;
      p.push(Layer.Vlan);
      et = (buf[off + 2]! << 8) | buf[off + 3]!;
      off += 4;
    }
    if (et <= 1500) {
      // An 802.3 length, not an EtherType: the LLC frame is the payload, the rest is padding.
      p.setPayload(off, off + et < end ? off + et : end);
      return;
    }
    this.network(p, buf, et, off, end);
  }

  private network(p: Packet, buf: Buffer, et: number, off: number, end: number): void {
    p.etherType = et;
    switch (et) {
      case 0x0800:
        this.ipv4(p, buf, off, end);
        return;
      case 0x86dd:
        this.ipv6(p, buf, off, end);
        return;
      case 0x0806:
      case 0x8035:
        this.arpLayer(p, buf, off, end);
        return;
      default:
        p.setPayload(off, end);
    }
  }

  private loopback(p: Packet, buf: Buffer, off: number, end: number, networkOrder: boolean): void {
    const v = p.loop;
    v.buf = buf;
    v.offset = off;
    v.networkOrder = networkOrder;
    const layer = networkOrder ? Layer.Loop : Layer.Null;
    if (end - off < 4) {
      v.length = end - off;
      p.truncated = true;
      p.fail(layer, IssueReason.Truncated, off);
      return;
    }
    v.length = 4;
    p.push(layer);
    const family = v.family;
    if (family === 2) this.network(p, buf, 0x0800, off + 4, end);
    else if (isIpv6Family(family)) this.network(p, buf, 0x86dd, off + 4, end);
    else p.setPayload(off + 4, end);
  }

  private sll(p: Packet, buf: Buffer, off: number, end: number): void {
    const v = p.sll;
    v.buf = buf;
    v.offset = off;
    if (end - off < 16) {
      v.length = end - off;
      p.truncated = true;
      p.fail(Layer.Sll, IssueReason.Truncated, off);
      return;
    }
    v.length = 16;
    p.push(Layer.Sll);
    const proto = (buf[off + 14]! << 8) | buf[off + 15]!;
    // Protocol values below 1536 are Linux packet types (802.2, 802.3, CAN...), not EtherTypes.
    if (proto < 1536) p.setPayload(off + 16, end);
    else this.etherTypeNext(p, buf, proto, off + 16, end);
  }

  private sll2(p: Packet, buf: Buffer, off: number, end: number): void {
    const v = p.sll2;
    v.buf = buf;
    v.offset = off;
    if (end - off < 20) {
      v.length = end - off;
      p.truncated = true;
      p.fail(Layer.Sll2, IssueReason.Truncated, off);
      return;
    }
    v.length = 20;
    p.push(Layer.Sll2);
    const proto = (buf[off]! << 8) | buf[off + 1]!;
    if (proto < 1536) p.setPayload(off + 20, end);
    else this.etherTypeNext(p, buf, proto, off + 20, end);
  }

  /** Raw IP: the version nibble decides; `claimed` (4, 6 or 0) is the link type's word otherwise. */
  private raw(p: Packet, buf: Buffer, off: number, end: number, claimed: number): void {
    if (end <= off) {
      p.truncated = true;
      p.fail(Layer.Raw, IssueReason.Truncated, off);
      return;
    }
    p.push(Layer.Raw);
    const nibble = buf[off]! >> 4;
    const v = nibble === 4 || nibble === 6 ? nibble : claimed;
    if (v === 4) this.network(p, buf, 0x0800, off, end);
    else if (v === 6) this.network(p, buf, 0x86dd, off, end);
    else {
      p.fail(Layer.Raw, IssueReason.BadVersion, off);
      p.setPayload(off, end);
    }
  }

  private arpLayer(p: Packet, buf: Buffer, off: number, end: number): void {
    const v = p.arp;
    v.buf = buf;
    v.offset = off;
    v.headerLength = 8;
    const avail = end - off;
    if (avail < 8) {
      v.length = avail;
      p.truncated = true;
      p.fail(Layer.Arp, IssueReason.Truncated, off);
      return;
    }
    const hl = 8 + 2 * (buf[off + 4]! + buf[off + 5]!);
    v.headerLength = hl;
    if (avail < hl) {
      v.length = avail;
      p.truncated = true;
      p.fail(Layer.Arp, IssueReason.Truncated, off);
      return;
    }
    v.length = hl;
    p.networkOffset = off;
    p.push(Layer.Arp);
    // What follows an ARP message in a frame is padding, not payload.
    p.payloadOffset = off + hl;
  }

  private ipv4(p: Packet, buf: Buffer, off: number, end: number): void {
    const v = p.ip4;
    v.buf = buf;
    v.offset = off;
    v.headerLength = 20;
    v.finalDstOffset = off + 16;
    const avail = end - off;
    if (avail < 20) {
      v.length = avail < 0 ? 0 : avail;
      p.truncated = true;
      if (avail > 0 && buf[off]! >> 4 !== 4) p.fail(Layer.Ipv4, IssueReason.BadVersion, off);
      else p.fail(Layer.Ipv4, IssueReason.Truncated, off);
      return;
    }
    const b0 = buf[off]!;
    if (b0 >> 4 !== 4) {
      v.length = 20;
      p.fail(Layer.Ipv4, IssueReason.BadVersion, off);
      p.setPayload(off, end);
      return;
    }
    const hl = (b0 & 15) * 4;
    v.headerLength = hl < 20 ? 20 : hl;
    if (hl < 20) {
      v.length = 20;
      p.fail(Layer.Ipv4, IssueReason.BadHeaderLength, off);
      p.setPayload(off, end);
      return;
    }
    if (avail < hl) {
      v.length = avail;
      p.truncated = true;
      p.fail(Layer.Ipv4, IssueReason.Truncated, off);
      return;
    }
    v.length = hl;
    let tl = (buf[off + 2]! << 8) | buf[off + 3]!;
    // A zero total length is what TSO hands the capture point: use what was captured (as
    // tcpdump's GUESS_TSO and tshark's ip.tso_support do).
    if (tl === 0) tl = avail;
    if (tl < hl) {
      p.fail(Layer.Ipv4, IssueReason.BadTotalLength, off + 2);
      p.setPayload(off, end);
      return;
    }
    p.networkOffset = off;
    p.push(Layer.Ipv4);
    let dataEnd = off + tl;
    if (dataEnd > end) {
      p.truncated = true;
      dataEnd = end;
    }
    if (hl > 20) {
      const bad = walkOptions(buf, off + 20, off + hl, null);
      if (bad >= 0) p.fail(Layer.Ipv4, IssueReason.BadOption, bad);
      else this.ipv4FinalDst(v, buf, off + 20, off + hl);
    }
    const proto = buf[off + 9]!;
    p.ipProto = proto;
    const frag = ((buf[off + 6]! & 0x1f) << 8) | buf[off + 7]!;
    if (frag !== 0) {
      // A later fragment: its bytes continue a transport header decoded elsewhere.
      p.setPayload(off + hl, dataEnd);
      return;
    }
    if (proto === 6) this.tcp(p, buf, off + hl, dataEnd, end);
    else this.transport(p, buf, proto, off + hl, dataEnd, end, tl - hl, (buf[off + 6]! & 0x20) !== 0);
  }

  /** LSRR/SSRR: the pseudo-header destination is the route's last address (as tcpdump's ip_finddst). */
  private ipv4FinalDst(v: Ipv4View, buf: Buffer, start: number, end: number): void {
    let o = start;
    while (o < end) {
      const kind = buf[o]!;
      if (kind === 0) return;
      if (kind === 1) {
        o++;
        continue;
      }
      const len = buf[o + 1]!;
      if ((kind === 131 || kind === 137) && len >= 7) v.finalDstOffset = o + len - 4;
      o += len;
    }
  }

  private ipv6(p: Packet, buf: Buffer, off: number, end: number): void {
    const v = p.ip6;
    const avail = end - off;
    v.reset(buf, off, avail < 40 ? (avail < 0 ? 0 : avail) : 40);
    if (avail < 40) {
      p.truncated = true;
      if (avail > 0 && buf[off]! >> 4 !== 6) p.fail(Layer.Ipv6, IssueReason.BadVersion, off);
      else p.fail(Layer.Ipv6, IssueReason.Truncated, off);
      return;
    }
    if (buf[off]! >> 4 !== 6) {
      p.fail(Layer.Ipv6, IssueReason.BadVersion, off);
      p.setPayload(off, end);
      return;
    }
    p.networkOffset = off;
    p.push(Layer.Ipv6);
    const pl = (buf[off + 4]! << 8) | buf[off + 5]!;
    // ipEnd: where the datagram ends by its own account. A zero payload length means a jumbo
    // option follows; without one, nothing (tcpdump and tshark make no TSO guess for IPv6).
    let ipEnd = off + 40 + pl;
    let nh = buf[off + 6]!;
    // Payload length 0 before a hop-by-hop header: a jumbogram, whose length is in that header.
    const jumboPending = pl === 0 && nh === 0;
    let dataEnd = jumboPending || ipEnd > end ? end : ipEnd;
    if (!jumboPending && ipEnd > end) p.truncated = true;
    let o = off + 40;
    let fragment = false;
    for (;;) {
      if (nh !== 0 && nh !== 43 && nh !== 44 && nh !== 60 && nh !== 51) break;
      if (dataEnd - o < (nh === 44 ? 8 : 2)) {
        if (dataEnd === end && p.truncated) p.fail(Layer.Ipv6, IssueReason.Truncated, o);
        else p.fail(Layer.Ipv6, IssueReason.BadExtension, o);
        return;
      }
      const len = nh === 44 ? 8 : nh === 51 ? (buf[o + 1]! + 2) * 4 : (buf[o + 1]! + 1) * 8;
      if (o + len > dataEnd) {
        if (dataEnd === end && p.truncated) p.fail(Layer.Ipv6, IssueReason.Truncated, o);
        else p.fail(Layer.Ipv6, IssueReason.BadExtension, o);
        return;
      }
      if (!v.addExtension(nh, o, len)) {
        p.fail(Layer.Ipv6, IssueReason.TooManyExtensions, o);
        p.setPayload(o, dataEnd);
        return;
      }
      if (nh === 0 || nh === 60) {
        const bad = walkIpv6Options(buf, o + 2, o + len, null);
        if (bad >= 0) {
          p.fail(Layer.Ipv6, IssueReason.BadOption, bad);
          if (jumboPending) return;
        } else if (nh === 0 && jumboPending && o === off + 40) {
          const jumbo = findJumbo(buf, o + 2, o + len);
          if (jumbo === 0) {
            p.fail(Layer.Ipv6, IssueReason.BadExtension, o);
            return;
          }
          v.jumboLength = jumbo;
          ipEnd = off + 40 + jumbo;
          if (ipEnd > end) p.truncated = true;
          dataEnd = ipEnd > end ? end : ipEnd;
        } else if (nh === 0) {
          const jumbo = findJumbo(buf, o + 2, o + len);
          if (jumbo > 0) v.jumboLength = jumbo;
        }
      } else if (nh === 43) {
        if (buf[o + 3]! > 0) this.ipv6FinalDst(v, buf, o, len);
      } else if (nh === 44) {
        if (v.fragmentHeaderOffset < 0) v.fragmentHeaderOffset = o;
        // An atomic fragment (offset 0, M clear; RFC 6946) holds the whole datagram.
        if ((buf[o + 3]! & 1) !== 0) {
          fragment = true;
          v.fragmented = true;
        }
        if ((((buf[o + 2]! << 8) | buf[o + 3]!) & 0xfff8) !== 0) {
          // Not the first fragment: the rest continues a header decoded elsewhere.
          p.ipProto = buf[o]!;
          p.setPayload(o + 8, dataEnd);
          return;
        }
      }
      nh = buf[o]!;
      o += len;
    }
    p.ipProto = nh;
    if (nh === 59) {
      p.setPayload(o, dataEnd);
      return;
    }
    if (nh === 6) this.tcp(p, buf, o, dataEnd, end);
    else this.transport(p, buf, nh, o, dataEnd, end, ipEnd - o, fragment);
  }

  /** With segments left, the pseudo-header uses the final destination in the routing header. */
  private ipv6FinalDst(v: Ipv6View, buf: Buffer, o: number, len: number): void {
    const type = buf[o + 2]!;
    if ((type === 0 || type === 2) && len >= 24) v.finalDstOffset = o + len - 16;
    else if (type === 4 && len >= 24) v.finalDstOffset = o + 8; // SRH: segment list[0] is the last hop
  }

  private transport(
    p: Packet,
    buf: Buffer,
    proto: number,
    off: number,
    dataEnd: number,
    end: number,
    ulLen: number,
    fragment: boolean,
  ): void {
    switch (proto) {
      case 6:
        this.tcp(p, buf, off, dataEnd, end);
        return;
      case 17:
        this.udp(p, buf, off, dataEnd, end, ulLen, fragment);
        return;
      case 1:
        this.icmp(p, buf, off, dataEnd, end);
        return;
      case 58:
        this.icmp6(p, buf, off, dataEnd, end);
        return;
      default:
        p.setPayload(off, dataEnd);
    }
  }

  /**
   * A header that does not fit: cut by the capture (truncated: the bytes ran out where the
   * capture did, and the packet was longer) or by the IP length (malformed).
   */
  private short(p: Packet, layer: LayerId, off: number, dataEnd: number, end: number): void {
    if (dataEnd === end && p.truncated) p.fail(layer, IssueReason.Truncated, off);
    else p.fail(layer, IssueReason.BadLength, off);
  }

  private tcp(p: Packet, buf: Buffer, off: number, dataEnd: number, end: number): void {
    const v = p.tcp;
    const avail = dataEnd - off;
    if (avail < 20) {
      v.buf = buf;
      v.offset = off;
      v.length = avail < 0 ? 0 : avail;
      this.short(p, Layer.Tcp, off, dataEnd, end);
      return;
    }
    const hl = (buf[off + 12]! >> 4) * 4;
    if (hl < 20) {
      v.buf = buf;
      v.offset = off;
      v.length = 20;
      p.fail(Layer.Tcp, IssueReason.BadDataOffset, off + 12);
      return;
    }
    if (avail < hl) {
      v.buf = buf;
      v.offset = off;
      v.length = avail;
      v.headerLength = hl;
      this.short(p, Layer.Tcp, off, dataEnd, end);
      return;
    }
    const bad = v.reset(buf, off, hl);
    p.transportOffset = off;
    p.push(Layer.Tcp);
    if (bad >= 0) p.fail(Layer.Tcp, IssueReason.BadOption, bad);
    p.setPayload(off + hl, dataEnd);
  }

  private udp(p: Packet, buf: Buffer, off: number, dataEnd: number, end: number, ulLen: number, fragment: boolean): void {
    const v = p.udp;
    v.buf = buf;
    v.offset = off;
    const avail = dataEnd - off;
    if (avail < 8) {
      v.length = avail < 0 ? 0 : avail;
      this.short(p, Layer.Udp, off, dataEnd, end);
      return;
    }
    v.length = 8;
    p.transportOffset = off;
    p.push(Layer.Udp);
    let len = (buf[off + 4]! << 8) | buf[off + 5]!;
    // RFC 2675: a jumbogram's UDP length is 0 and the IP length rules.
    if (len === 0 && ulLen > 0xffff && p.has(Layer.Ipv6)) len = ulLen;
    // A first fragment holds only part of the datagram the length describes.
    if (len < 8 || (len > ulLen && !fragment)) {
      p.fail(Layer.Udp, IssueReason.BadLength, off + 4);
      p.setPayload(off + 8, dataEnd);
      return;
    }
    const udpEnd = off + len;
    p.setPayload(off + 8, udpEnd < dataEnd ? udpEnd : dataEnd);
  }

  private icmp(p: Packet, buf: Buffer, off: number, dataEnd: number, end: number): void {
    const v = p.icmp;
    v.buf = buf;
    v.offset = off;
    v.innerOffset = -1;
    const avail = dataEnd - off;
    if (avail < 8) {
      v.length = avail < 0 ? 0 : avail;
      this.short(p, Layer.Icmp, off, dataEnd, end);
      return;
    }
    v.length = 8;
    p.transportOffset = off;
    p.push(Layer.Icmp);
    if (isIcmpError(buf[off]!) && avail > 8) v.innerOffset = off + 8;
    p.setPayload(off + 8, dataEnd);
  }

  private icmp6(p: Packet, buf: Buffer, off: number, dataEnd: number, end: number): void {
    const v = p.icmp6;
    v.buf = buf;
    v.offset = off;
    v.innerOffset = -1;
    v.optionsOffset = off;
    v.optionsEnd = off;
    const avail = dataEnd - off;
    const type = avail > 0 ? buf[off]! : 0;
    const fixed = icmpv6FixedLength(type);
    v.headerLength = fixed;
    if (avail < fixed) {
      v.length = avail < 0 ? 0 : avail;
      this.short(p, Layer.Icmpv6, off, dataEnd, end);
      return;
    }
    v.length = fixed;
    p.transportOffset = off;
    p.push(Layer.Icmpv6);
    if (isNeighborDiscovery(type)) {
      v.optionsOffset = off + fixed;
      v.optionsEnd = dataEnd;
      const bad = walkNdOptions(buf, off + fixed, dataEnd, null);
      // An option cut by the capture is truncation, not a malformed option.
      if (bad >= 0 && !(p.truncated && dataEnd === end)) p.fail(Layer.Icmpv6, IssueReason.BadOption, bad);
      p.payloadOffset = dataEnd;
      return;
    }
    if (type < 128 && avail > 8) v.innerOffset = off + 8;
    p.setPayload(off + 8, dataEnd);
  }
}

/** The Jumbo Payload option (type 0xC2, 4 bytes) in a hop-by-hop header, 0 if absent. */
function findJumbo(buf: Buffer, start: number, end: number): number {
  let o = start;
  while (o < end) {
    const t = buf[o]!;
    if (t === 0) {
      o++;
      continue;
    }
    const len = buf[o + 1]! + 2;
    if (t === 0xc2 && len === 6) {
      return ((buf[o + 2]! << 24) | (buf[o + 3]! << 16) | (buf[o + 4]! << 8) | buf[o + 5]!) >>> 0;
    }
    o += len;
  }
  return 0;
}
