/**
 * HandshakeTracker: follows every TCP connection through SYN, SYN+ACK, ACK, data, FIN and RST.
 *
 * Hot path: one hash of the 4-tuple read from the packet bytes (no string per packet), one Map
 * lookup, a handful of field updates. Strings are built only when a connection is finished.
 * Memory: closed connections are released after a linger period of capture time; the live
 * table is an LRU capped at `maxConnections`, and connections evicted before they finished are
 * counted (summary.evicted) rather than listed, so a SYN flood stays bounded.
 */
import { Layer, TcpFlag, ipv4FromNumber, ipv6String, type Packet } from '../codec/index.js';
import { Endpoint, Hist, connState } from './zeek.js';
import {
  ViolationKinds,
  type CloseKind,
  type ConnectionReport,
  type EndpointOptions,
  type HandshakeOutcome,
  type HandshakeSummary,
  type Violation,
  type ViolationKind,
} from './types.js';

export { TcpFlag };

/**
 * What the tracker needs from one TCP segment. Addresses stay in the packet buffer: 4 bytes at
 * the offsets for IPv4, 16 for IPv6. The tracker fills one of these per packet from the decoder's
 * views (see `HandshakeTracker.feed` in index.ts) and never keeps it.
 */
export interface TcpSegment {
  ipVersion: 4 | 6;
  buf: Uint8Array;
  srcAddrOffset: number;
  dstAddrOffset: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The 8 classic flag bits (FIN..CWR). */
  flags: number;
  /** Advertised window (unscaled), -1 when the capture cut it off. */
  window: number;
  /** Absolute offset and length of the TCP options in buf. */
  optionsOffset: number;
  optionsLength: number;
  payloadLength: number;
}

export interface TrackerOptions {
  /** Live-table cap; the least recently active connection is evicted beyond it. Default 20,000. */
  maxConnections?: number;
  /** Capture seconds a closed connection stays in the table for late packets. Default 60. */
  lingerSeconds?: number;
  /** Name put in each report's `file`. */
  file?: string;
  /** Called for each finished connection (in finishing order). */
  onConnection?: (c: ConnectionReport) => void;
  /** Keep finished connections for `connections()` (default true). */
  keep?: boolean;
}

const MAX_VIOLATIONS_PER_CONNECTION = 32;
const POOL_SIZE = 1024;
/** About 1 KB each: 20,000 live connections keep a million-SYN flood under 200 MB of RSS. */
export const DEFAULT_MAX_CONNECTIONS = 20_000;
const NO_VALUE = -1;
const INITIAL_BUCKETS = 1024;
const MAX_INITIAL_BUCKETS = 1 << 16;
/**
 * Zero as a heap number, for fields holding 32-bit words (addresses, sequence numbers), which
 * are mostly above V8's small-integer range: starting them as doubles spares the object a
 * shape change, and the optimised code built on the old shape, at the first large value.
 */
const WORD_ZERO = -0;

function readWord(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Signed distance a - b in 32-bit sequence space. */
function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

function nsBetween(s1: number, n1: number, s2: number, n2: number): number {
  return (s2 - s1) * 1e9 + (n2 - n1);
}

class SideOptions {
  mss = NO_VALUE;
  windowScale = NO_VALUE;
  sackPermitted = false;
  timestamps = false;
  tfo = false;
  ecn = false;
  seen = false;

  reset(): void {
    this.mss = NO_VALUE;
    this.windowScale = NO_VALUE;
    this.sackPermitted = false;
    this.timestamps = false;
    this.tfo = false;
    this.ecn = false;
    this.seen = false;
  }

  toJSON(): EndpointOptions {
    return {
      mss: this.mss === NO_VALUE ? null : this.mss,
      windowScale: this.windowScale === NO_VALUE ? null : this.windowScale,
      sackPermitted: this.sackPermitted,
      timestamps: this.timestamps,
      tfo: this.tfo,
      ecn: this.ecn,
    };
  }
}

/**
 * Per-connection state. Field initialisers give V8 the whole shape up front (all fields
 * in-object); `reset()` must set the same fields to the same values, for reused connections.
 */
class Conn {
  hash: number = 0;
  chain: Conn | null = null;
  newer: Conn | null = null;
  older: Conn | null = null;
  live: boolean = true;
  movedAt: number = 0;

  v6: boolean = false;
  c0: number = WORD_ZERO; c1: number = WORD_ZERO; c2: number = WORD_ZERO; c3: number = WORD_ZERO;
  s0: number = WORD_ZERO; s1: number = WORD_ZERO; s2: number = WORD_ZERO; s3: number = WORD_ZERO;
  cPort: number = 0;
  sPort: number = 0;

  firstIndex: number = 0;
  lastIndex: number = 0;
  firstSec: number = 0;
  firstNsec: number = 0;
  lastSec: number = 0;
  lastNsec: number = 0;
  closed: boolean = false;

  // handshake
  clientSyn: boolean = false;
  clientIsn: number = WORD_ZERO;
  synDataLen: number = 0;
  haveServerIsn: boolean = false;
  serverIsn: number = WORD_ZERO;
  synAckDataLen: number = 0;
  lastSynSec: number = 0;
  lastSynNsec: number = 0;
  firstSynSec: number = 0;
  firstSynNsec: number = 0;
  synAckSec: number = 0;
  synAckNsec: number = 0;
  ackSec: number = 0;
  ackNsec: number = 0;
  synRetries: number = 0;
  synAckCount: number = 0;
  synAckRetries: number = 0;
  synAckSeen: boolean = false;
  synAckValid: boolean = false;
  badSynAckAck: number = NO_VALUE;
  finalAckChecked: boolean = false;
  finalAck: boolean = false;
  simultaneous: boolean = false;
  simClientAcked: boolean = false;
  simServerAcked: boolean = false;
  refused: boolean = false;
  tfoDataAccepted: boolean = false;

  // close
  cFin: boolean = false;
  sFin: boolean = false;
  rstBy: number = 0; // 1 client, 2 server
  rstAfterFins: boolean = false;

  // counts
  cPkts: number = 0;
  sPkts: number = 0;
  cBytes: number = 0;
  sBytes: number = 0;

  readonly cOpt = new SideOptions();
  readonly sOpt = new SideOptions();

  // sequence state per side: highest sequence end sent, last ack and window sent
  cNext: number = WORD_ZERO;
  cHaveNext: boolean = false;
  sNext: number = WORD_ZERO;
  sHaveNext: boolean = false;
  cAck: number = WORD_ZERO;
  cWin: number = 0;
  cHaveAck: boolean = false;
  sAck: number = WORD_ZERO;
  sWin: number = 0;
  sHaveAck: boolean = false;

  // Zeek endpoint states and history
  flipped: boolean = false;
  oState: number = Endpoint.Inactive;
  oPrev: number = Endpoint.Inactive;
  rState: number = Endpoint.Inactive;
  rPrev: number = Endpoint.Inactive;
  oHist: number = 0;
  rHist: number = 0;
  oLastSyn: number = WORD_ZERO;
  oLastFin: number = WORD_ZERO;
  oLastRst: number = WORD_ZERO;
  rLastSyn: number = WORD_ZERO;
  rLastFin: number = WORD_ZERO;
  rLastRst: number = WORD_ZERO;
  oRexmit: number = 0;
  oRexmitNext: number = 1;
  rRexmit: number = 0;
  rRexmitNext: number = 1;
  oZeroWin: number = 0;
  oZeroWinNext: number = 1;
  rZeroWin: number = 0;
  rZeroWinNext: number = 1;
  history: string = '';

  violations: Violation[] | null = null;
  violationCount: number = 0;

  /** Every field back to a fresh connection's value (released connections are reused). */
  reset(): void {
    this.hash = 0;
    this.chain = null;
    this.newer = null;
    this.older = null;
    this.live = true;
    this.movedAt = 0;
    this.v6 = false;
    this.c0 = WORD_ZERO;
    this.c1 = WORD_ZERO;
    this.c2 = WORD_ZERO;
    this.c3 = WORD_ZERO;
    this.s0 = WORD_ZERO;
    this.s1 = WORD_ZERO;
    this.s2 = WORD_ZERO;
    this.s3 = WORD_ZERO;
    this.cPort = 0;
    this.sPort = 0;
    this.firstIndex = 0;
    this.lastIndex = 0;
    this.firstSec = 0;
    this.firstNsec = 0;
    this.lastSec = 0;
    this.lastNsec = 0;
    this.closed = false;
    this.clientSyn = false;
    this.clientIsn = WORD_ZERO;
    this.synDataLen = 0;
    this.haveServerIsn = false;
    this.serverIsn = WORD_ZERO;
    this.synAckDataLen = 0;
    this.lastSynSec = 0;
    this.lastSynNsec = 0;
    this.firstSynSec = 0;
    this.firstSynNsec = 0;
    this.synAckSec = 0;
    this.synAckNsec = 0;
    this.ackSec = 0;
    this.ackNsec = 0;
    this.synRetries = 0;
    this.synAckCount = 0;
    this.synAckRetries = 0;
    this.synAckSeen = false;
    this.synAckValid = false;
    this.badSynAckAck = NO_VALUE;
    this.finalAckChecked = false;
    this.finalAck = false;
    this.simultaneous = false;
    this.simClientAcked = false;
    this.simServerAcked = false;
    this.refused = false;
    this.tfoDataAccepted = false;
    this.cFin = false;
    this.sFin = false;
    this.rstBy = 0;
    this.rstAfterFins = false;
    this.cPkts = 0;
    this.sPkts = 0;
    this.cBytes = 0;
    this.sBytes = 0;
    this.cOpt.reset();
    this.sOpt.reset();
    this.cNext = WORD_ZERO;
    this.cHaveNext = false;
    this.sNext = WORD_ZERO;
    this.sHaveNext = false;
    this.cAck = WORD_ZERO;
    this.cWin = 0;
    this.cHaveAck = false;
    this.sAck = WORD_ZERO;
    this.sWin = 0;
    this.sHaveAck = false;
    this.flipped = false;
    this.oState = Endpoint.Inactive;
    this.oPrev = Endpoint.Inactive;
    this.rState = Endpoint.Inactive;
    this.rPrev = Endpoint.Inactive;
    this.oHist = 0;
    this.rHist = 0;
    this.oLastSyn = WORD_ZERO;
    this.oLastFin = WORD_ZERO;
    this.oLastRst = WORD_ZERO;
    this.rLastSyn = WORD_ZERO;
    this.rLastFin = WORD_ZERO;
    this.rLastRst = WORD_ZERO;
    this.oRexmit = 0;
    this.oRexmitNext = 1;
    this.rRexmit = 0;
    this.rRexmitNext = 1;
    this.oZeroWin = 0;
    this.oZeroWinNext = 1;
    this.rZeroWin = 0;
    this.rZeroWinNext = 1;
    this.history = '';
    this.violations = null;
    this.violationCount = 0;
  }
}

const ZERO_SUMMARY: HandshakeSummary = {
  connections: 0,
  attempts: 0,
  complete: 0,
  simultaneous: 0,
  refused: 0,
  timedOut: 0,
  incomplete: 0,
  midstream: 0,
  reset: 0,
  fin: 0,
  halfClosed: 0,
  open: 0,
  synRetries: 0,
  violations: 0,
  evicted: 0,
  packets: 0,
  tcpPackets: 0,
};

export function emptySummary(): HandshakeSummary {
  return { ...ZERO_SUMMARY };
}

export class HandshakeTracker {
  readonly summary: HandshakeSummary = emptySummary();
  /**
   * Hash buckets indexed by the low bits of the 4-tuple hash, chained through Conn.chain: one
   * array load per packet where a Map would hash the key again. Grows with the live count.
   */
  private buckets: (Conn | null)[];
  private bucketMask: number;
  private liveCount = 0;
  private newest: Conn | null = null;
  private oldest: Conn | null = null;
  private readonly closing: Conn[] = [];
  private readonly pool: Conn[] = [];
  private closingHead = 0;
  private readonly finished: ConnectionReport[] = [];
  private readonly maxConnections: number;
  private readonly lingerSec: number;
  private readonly file: string;
  private readonly keep: boolean;
  private readonly onConnection: ((c: ConnectionReport) => void) | undefined;
  private sinceSweep = 0;
  private moves = 0;
  private nowSec = 0;
  private baseSec = NO_VALUE;

  constructor(opts: TrackerOptions = {}) {
    this.maxConnections = Math.max(1, opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    this.lingerSec = opts.lingerSeconds ?? 60;
    this.file = opts.file ?? '';
    this.keep = opts.keep ?? true;
    this.onConnection = opts.onConnection;
    // Sized for the cap up front (within reason), so growing is rare: it would also throw away
    // the per-packet code optimised so far.
    let n = INITIAL_BUCKETS;
    while (n < this.maxConnections && n < MAX_INITIAL_BUCKETS) n *= 2;
    this.buckets = new Array<Conn | null>(n).fill(null);
    this.bucketMask = n - 1;
  }

  /** Connections currently held in the table. */
  get liveConnections(): number {
    return this.liveCount;
  }

  private readonly seg: TcpSegment = {
    ipVersion: 4, buf: new Uint8Array(0), srcAddrOffset: 0, dstAddrOffset: 0, srcPort: 0, dstPort: 0,
    seq: 0, ack: 0, flags: 0, window: 0, optionsOffset: 0, optionsLength: 0, payloadLength: 0,
  };

  /**
   * Track one decoded packet (the PacketDecoder's reused Packet). Packets without a complete
   * TCP header are counted and otherwise ignored.
   */
  feed(pkt: Packet, tsSec: number, tsNsec: number, index: number): void {
    const s = this.seg;
    const tcp = pkt.tcp;
    const t = tcp.offset;
    const b = pkt.buf;
    let payloadLength: number;
    let optionsLength: number;
    if (isFragment(pkt)) {
      // A TCP header in an unreassembled first fragment: its lengths describe the datagram, not
      // this packet, and tshark leaves it alone too.
      this.summary.packets++;
      return;
    }
    if (pkt.has(Layer.Tcp)) {
      payloadLength = pkt.payloadLength;
      optionsLength = tcp.headerLength - 20;
    } else if (pkt.issue !== null && pkt.issue.layer === Layer.Tcp && tcp.length >= 14) {
      // A snaplen cut inside the TCP header, or a data offset that does not fit: ports, numbers
      // and flags are all the tracker needs, and the IP length still says how much payload
      // there was (tshark tracks these segments too). A data offset under 5 counts as 5.
      const hl = Math.max(20, (b[t + 12]! >> 4) * 4);
      optionsLength = Math.max(0, Math.min(hl, tcp.length) - 20);
      payloadLength = truncatedPayload(pkt, t, hl);
    } else {
      this.summary.packets++;
      return;
    }
    // The IP header nearest the TCP header carries it (tunnels put another IP layer outside).
    const hasV4 = pkt.has(Layer.Ipv4);
    const hasV6 = pkt.has(Layer.Ipv6);
    // The destination is the final one (IPv4 source route, IPv6 routing header): the address
    // TCP's pseudo-header and the peer's replies use.
    if (hasV6 && (!hasV4 || pkt.ip6.offset > pkt.ip4.offset)) {
      s.ipVersion = 6;
      s.srcAddrOffset = pkt.ip6.offset + 8;
      s.dstAddrOffset = pkt.ip6.finalDstOffset;
    } else if (hasV4) {
      s.ipVersion = 4;
      s.srcAddrOffset = pkt.ip4.offset + 12;
      s.dstAddrOffset = pkt.ip4.finalDstOffset;
    } else {
      this.summary.packets++;
      return;
    }
    s.buf = b;
    s.srcPort = (b[t]! << 8) | b[t + 1]!;
    s.dstPort = (b[t + 2]! << 8) | b[t + 3]!;
    s.seq = readWord(b, t + 4);
    s.ack = readWord(b, t + 8);
    s.flags = b[t + 13]!;
    s.window = tcp.length >= 16 ? (b[t + 14]! << 8) | b[t + 15]! : -1;
    s.optionsOffset = t + 20;
    s.optionsLength = optionsLength;
    s.payloadLength = payloadLength;
    this.feedSegment(s, tsSec, tsNsec, index);
  }

  /** Count a packet that carried no trackable TCP segment. */
  skip(): void {
    this.summary.packets++;
  }

  /** Track one TCP segment seen at (tsSec, tsNsec), packet number `index`. */
  feedSegment(seg: TcpSegment, tsSec: number, tsNsec: number, index: number): void {
    this.summary.packets++;
    this.summary.tcpPackets++;
    // Seconds are kept relative to the first packet: small integers stay unboxed in V8, where
    // epoch seconds (> 2^30) would each cost a heap number per connection field.
    if (this.baseSec === NO_VALUE) this.baseSec = tsSec;
    const sec = tsSec - this.baseSec;
    this.nowSec = sec;
    const buf = seg.buf;
    const v6 = seg.ipVersion === 6;
    const so = seg.srcAddrOffset;
    const dO = seg.dstAddrOffset;
    const a0 = readWord(buf, so);
    const b0 = readWord(buf, dO);
    let a1 = 0, a2 = 0, a3 = 0, b1 = 0, b2 = 0, b3 = 0;
    let ha = a0;
    let hb = b0;
    if (v6) {
      a1 = readWord(buf, so + 4);
      a2 = readWord(buf, so + 8);
      a3 = readWord(buf, so + 12);
      b1 = readWord(buf, dO + 4);
      b2 = readWord(buf, dO + 8);
      b3 = readWord(buf, dO + 12);
      ha = ha ^ Math.imul(a1, 0x85ebca6b) ^ Math.imul(a2, 0xc2b2ae35) ^ Math.imul(a3, 0x27d4eb2f);
      hb = hb ^ Math.imul(b1, 0x85ebca6b) ^ Math.imul(b2, 0xc2b2ae35) ^ Math.imul(b3, 0x27d4eb2f);
    }
    const sp = seg.srcPort;
    const dp = seg.dstPort;
    // Symmetric in the two endpoints so both directions land in one bucket; 30 bits keep the
    // key a small integer, which a Map hashes without allocating.
    const hash = (mix(ha ^ Math.imul(sp + 1, 0x9e3779b1)) + mix(hb ^ Math.imul(dp + 1, 0x9e3779b1))) & 0x3fffffff;

    let conn: Conn | null = this.buckets[hash & this.bucketMask]!;
    let fromClient = true;
    while (conn !== null) {
      // The link is read before the match so every lookup gives it type feedback: read only on
      // a collision, its first use would throw the optimised lookup away mid-capture.
      const next: Conn | null = conn.chain;
      if (conn.hash === hash && conn.v6 === v6) {
        if (conn.cPort === sp && conn.sPort === dp && conn.c0 === a0 && conn.s0 === b0 &&
            (!v6 || (conn.c1 === a1 && conn.c2 === a2 && conn.c3 === a3 && conn.s1 === b1 && conn.s2 === b2 && conn.s3 === b3))) {
          fromClient = true;
          break;
        }
        if (conn.cPort === dp && conn.sPort === sp && conn.c0 === b0 && conn.s0 === a0 &&
            (!v6 || (conn.c1 === b1 && conn.c2 === b2 && conn.c3 === b3 && conn.s1 === a1 && conn.s2 === a2 && conn.s3 === a3))) {
          fromClient = false;
          break;
        }
      }
      conn = next;
    }

    const flags = seg.flags;
    if (conn !== null && (flags & (TcpFlag.Syn | TcpFlag.Ack)) === TcpFlag.Syn && this.startsNew(conn, fromClient, seg.seq)) {
      this.release(conn, false);
      conn = null;
    }
    if (conn === null) {
      const reused = this.pool.pop();
      if (reused !== undefined) reused.reset();
      conn = reused ?? new Conn();
      conn.hash = hash;
      conn.v6 = v6;
      // The client sent the first SYN without ACK; a first SYN+ACK comes from the server.
      const reversed = (flags & (TcpFlag.Syn | TcpFlag.Ack)) === (TcpFlag.Syn | TcpFlag.Ack);
      conn.flipped = reversed;
      if (reversed) conn.history = '^';
      fromClient = !reversed;
      if (fromClient) {
        conn.c0 = a0; conn.c1 = a1; conn.c2 = a2; conn.c3 = a3; conn.cPort = sp;
        conn.s0 = b0; conn.s1 = b1; conn.s2 = b2; conn.s3 = b3; conn.sPort = dp;
      } else {
        conn.c0 = b0; conn.c1 = b1; conn.c2 = b2; conn.c3 = b3; conn.cPort = dp;
        conn.s0 = a0; conn.s1 = a1; conn.s2 = a2; conn.s3 = a3; conn.sPort = sp;
      }
      conn.firstIndex = index;
      conn.firstSec = sec;
      conn.firstNsec = tsNsec;
      if (this.liveCount >= this.buckets.length) this.growBuckets();
      const slot = hash & this.bucketMask;
      conn.chain = this.buckets[slot]!;
      this.buckets[slot] = conn;
      this.liveCount++;
      this.pushNewest(conn);
      if (this.liveCount > this.maxConnections && this.oldest !== null && this.oldest !== conn) {
        this.release(this.oldest, true);
      }
    } else if (this.moves - conn.movedAt > (this.liveCount >>> 4)) {
      // Approximate LRU: a connection moves to the front only when others have moved past it
      // since its last move, which spares most packets the writes into two neighbours.
      this.unlink(conn);
      this.pushNewest(conn);
    }

    this.process(conn, fromClient, seg, sec, tsNsec, index);

    if (++this.sinceSweep >= 1024) {
      this.sinceSweep = 0;
      this.sweep();
    }
  }

  /** Twice the buckets, every live connection rehashed (the LRU list holds them all). */
  private growBuckets(): void {
    const n = this.buckets.length * 2;
    const buckets = new Array<Conn | null>(n).fill(null);
    const mask = n - 1;
    for (let c = this.oldest; c !== null; c = c.newer) {
      const slot = c.hash & mask;
      c.chain = buckets[slot]!;
      buckets[slot] = c;
    }
    this.buckets = buckets;
    this.bucketMask = mask;
  }

  /** A SYN without ACK on a known 4-tuple: port reuse (new ISN) or a retransmission? */
  private startsNew(c: Conn, fromClient: boolean, seq: number): boolean {
    if (fromClient) return !c.clientSyn || seq !== c.clientIsn;
    // From the server side: the peer's half of a simultaneous open, or a new connection the
    // other way round.
    if (c.clientSyn && !c.synAckSeen && !c.simultaneous && c.rstBy === 0 && !c.cFin) return false;
    if (c.simultaneous && seq === c.serverIsn) return false;
    return true;
  }

  private process(c: Conn, fromClient: boolean, seg: TcpSegment, sec: number, nsec: number, index: number): void {
    const flags = seg.flags;
    const seq = seg.seq;
    const ack = seg.ack;
    const len = seg.payloadLength;
    const syn = (flags & TcpFlag.Syn) !== 0;
    const hasAck = (flags & TcpFlag.Ack) !== 0;
    const fin = (flags & TcpFlag.Fin) !== 0;
    const rst = (flags & TcpFlag.Rst) !== 0;

    c.lastIndex = index;
    c.lastSec = sec;
    c.lastNsec = nsec;
    if (fromClient) {
      c.cPkts++;
      c.cBytes += len;
    } else {
      c.sPkts++;
      c.sBytes += len;
    }

    if (c.rstBy !== 0) {
      this.violate(c, index, ViolationKinds.PacketAfterRst,
        `${fromClient ? 'client' : 'server'} sent ${flagNames(flags)} after the connection was reset`);
    }
    if (syn && fin && len > 0) {
      this.violate(c, index, ViolationKinds.SynDataFin, `SYN carries ${len} bytes of data and FIN`);
    }
    if ((syn && ((fin && len === 0) || rst)) || (flags & 0x3f) === 0) {
      const what = (flags & 0x3f) === 0 ? 'no flags set' : `${flagNames(flags & (TcpFlag.Syn | TcpFlag.Fin | TcpFlag.Rst))} set together`;
      this.violate(c, index, ViolationKinds.InvalidFlags, what);
    }

    let tfoOnThis = false;
    if (syn) {
      const side = fromClient ? c.cOpt : c.sOpt;
      tfoOnThis = readSynOptions(seg, side, flags, fromClient);
      if (len > 0 && !tfoOnThis && !fin) {
        this.violate(c, index, ViolationKinds.SynDataWithoutTfo, `SYN carries ${len} bytes of data without a TCP Fast Open option`);
      }
    }

    // Zeek history and endpoint states see the packet before our own bookkeeping changes.
    this.zeek(c, fromClient, seg);

    // A SYN+RST still opens the client's attempt (and aborts it below).
    if (syn && (!rst || (!hasAck && fromClient))) {
      if (!hasAck) {
        if (fromClient) {
          if (!c.clientSyn) {
            c.clientSyn = true;
            c.clientIsn = seq;
            c.synDataLen = len;
            c.firstSynSec = sec;
            c.firstSynNsec = nsec;
          } else if (!c.synAckValid) {
            c.synRetries++;
          }
          c.lastSynSec = sec;
          c.lastSynNsec = nsec;
        } else if (!c.haveServerIsn && !rst) {
          c.simultaneous = true;
          c.haveServerIsn = true;
          c.serverIsn = seq;
          c.synAckDataLen = len;
        }
      } else if (!fromClient) {
        c.synAckSeen = true;
        if (!c.haveServerIsn) {
          c.haveServerIsn = true;
          c.serverIsn = seq;
          c.synAckDataLen = len;
        } else if (c.synAckCount > 0 && seq === c.serverIsn) {
          c.synAckRetries++;
        }
        c.synAckCount++;
        if (c.clientSyn) {
          if (acksSyn(ack, c.clientIsn, c.synDataLen)) {
            if (!c.synAckValid) {
              c.synAckValid = true;
              c.synAckSec = sec;
              c.synAckNsec = nsec;
              c.tfoDataAccepted = c.synDataLen > 0 && ack === ((c.clientIsn + 1 + c.synDataLen) >>> 0);
            }
            if (c.simultaneous) c.simServerAcked = true;
          } else {
            c.badSynAckAck = ack;
            this.violate(c, index, ViolationKinds.SynAckWrongAck,
              `SYN+ACK acknowledges ${ack}, expected ${(c.clientIsn + 1) >>> 0} (client ISN ${c.clientIsn} + 1)`);
          }
        }
      } else if (c.simultaneous && c.haveServerIsn) {
        // Our side's SYN+ACK in a simultaneous open.
        if (acksSyn(ack, c.serverIsn, c.synAckDataLen)) c.simClientAcked = true;
      }
    } else if (hasAck && !rst && c.clientSyn && c.haveServerIsn) {
      if (fromClient) {
        if (c.simultaneous) {
          if (acksSyn(ack, c.serverIsn, c.synAckDataLen)) c.simClientAcked = true;
        } else if (c.synAckSeen && !c.finalAck) {
          if (acksSyn(ack, c.serverIsn, c.synAckDataLen)) {
            if (c.synAckValid) {
              c.finalAck = true;
              c.ackSec = sec;
              c.ackNsec = nsec;
            }
          } else if (!c.finalAckChecked) {
            this.violate(c, index, ViolationKinds.FinalAckWrong,
              `final ACK acknowledges ${ack}, expected ${(c.serverIsn + 1) >>> 0} (server ISN ${c.serverIsn} + 1)`);
          }
          c.finalAckChecked = true;
        }
      } else if (c.simultaneous && acksSyn(ack, c.clientIsn, c.synDataLen)) {
        c.simServerAcked = true;
      }
    }

    if (rst) {
      if (this.rstAcceptable(c, fromClient, seq, ack, hasAck)) {
        if (c.rstBy === 0) {
          c.rstBy = fromClient ? 1 : 2;
          c.rstAfterFins = c.cFin && c.sFin;
          if (!fromClient && c.clientSyn && !c.synAckSeen && !c.simultaneous) c.refused = true;
          this.markClosed(c);
        }
      } else {
        this.violate(c, index, ViolationKinds.RstOutOfWindow, rstMessage(c, fromClient, seq));
      }
    } else {
      if (fin) {
        if (fromClient) c.cFin = true;
        else c.sFin = true;
        if (c.cFin && c.sFin) this.markClosed(c);
      }
      const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
      if (fromClient) {
        if (!c.cHaveNext || seqDelta(end, c.cNext) > 0) c.cNext = end;
        c.cHaveNext = true;
        if (hasAck && seg.window >= 0) {
          c.cAck = ack;
          c.cWin = seg.window;
          c.cHaveAck = true;
        }
      } else {
        if (!c.sHaveNext || seqDelta(end, c.sNext) > 0) c.sNext = end;
        c.sHaveNext = true;
        if (hasAck && seg.window >= 0) {
          c.sAck = ack;
          c.sWin = seg.window;
          c.sHaveAck = true;
        }
      }
    }
  }

  /** RFC 9293 3.10.7 / RFC 5961: is this RST one the receiver would act on? */
  private rstAcceptable(c: Conn, fromClient: boolean, seq: number, ack: number, hasAck: boolean): boolean {
    if (!fromClient && c.clientSyn && !c.synAckSeen && !c.simultaneous) {
      // The client is in SYN-SENT: the RST counts only if its ACK acknowledges the SYN.
      return hasAck && acksSyn(ack, c.clientIsn, c.synDataLen);
    }
    if (fromClient && c.badSynAckAck !== NO_VALUE && seq === c.badSynAckAck) return true;
    const senderNext = fromClient ? c.cNext : c.sNext;
    const senderHasNext = fromClient ? c.cHaveNext : c.sHaveNext;
    if (senderHasNext && seq === senderNext) return true;
    const rHaveAck = fromClient ? c.sHaveAck : c.cHaveAck;
    if (!rHaveAck) return !senderHasNext || seqDelta(seq, senderNext) >= 0;
    const base = fromClient ? c.sAck : c.cAck;
    let win = fromClient ? c.sWin : c.cWin;
    const scale = fromClient ? c.sOpt.windowScale : c.cOpt.windowScale;
    if (c.cOpt.windowScale !== NO_VALUE && c.sOpt.windowScale !== NO_VALUE) win *= 2 ** Math.min(scale, 14);
    const d = seqDelta(seq, base);
    return d >= 0 && d < Math.max(win, 1);
  }

  private markClosed(c: Conn): void {
    if (!c.closed) {
      c.closed = true;
      this.closing.push(c);
    }
  }

  private violate(c: Conn, packet: number, kind: ViolationKind, message: string): void {
    c.violationCount++;
    if (c.violationCount > MAX_VIOLATIONS_PER_CONNECTION) return;
    (c.violations ??= []).push({ packet, kind, message });
  }

  /** Reads the segment itself: a sequence number above 2^30 passed as an argument is boxed per call. */
  private zeek(c: Conn, isOrig: boolean, seg: TcpSegment): void {
    const flags = seg.flags;
    const seq = seg.seq;
    const len = seg.payloadLength;
    const window = seg.window;
    // Most segments: an established side sending ACK or data it has sent before in kind. Only
    // the retransmission letter can still change.
    if ((flags & (TcpFlag.Syn | TcpFlag.Fin | TcpFlag.Rst | TcpFlag.Ack)) === TcpFlag.Ack && window !== 0 &&
        (isOrig ? c.oState : c.rState) === Endpoint.Established &&
        ((isOrig ? c.oHist : c.rHist) & (len > 0 ? Hist.Data : Hist.Ack)) !== 0) {
      if (len > 0) this.rexmit(c, isOrig, seq, len, false, false);
      return;
    }
    const syn = (flags & TcpFlag.Syn) !== 0;
    const fin = (flags & TcpFlag.Fin) !== 0;
    const rst = (flags & TcpFlag.Rst) !== 0;
    const ack = (flags & TcpFlag.Ack) !== 0;
    const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    let h = isOrig ? c.oHist : c.rHist;
    if (bits > 1) {
      const mask = fin && rst ? Hist.FinRst : Hist.Multi;
      if ((h & mask) === 0) {
        h |= mask;
        this.letter(c, isOrig, fin && rst ? 'I' : 'Q');
      }
    } else if (bits === 1) {
      if (syn) {
        const first = (h & Hist.Syn) === 0;
        if (first || seq !== (isOrig ? c.oLastSyn : c.rLastSyn)) this.letter(c, isOrig, ack ? 'H' : 'S');
        h |= Hist.Syn;
        if (isOrig) c.oLastSyn = seq;
        else c.rLastSyn = seq;
      } else if (fin) {
        const at = (seq + len) >>> 0;
        if ((h & Hist.Fin) === 0 || at !== (isOrig ? c.oLastFin : c.rLastFin)) this.letter(c, isOrig, 'F');
        h |= Hist.Fin;
        if (isOrig) c.oLastFin = at;
        else c.rLastFin = at;
      } else {
        if ((h & Hist.Rst) === 0 || seq !== (isOrig ? c.oLastRst : c.rLastRst)) this.letter(c, isOrig, 'R');
        h |= Hist.Rst;
        if (isOrig) c.oLastRst = seq;
        else c.rLastRst = seq;
      }
    } else if (len > 0) {
      if ((h & Hist.Data) === 0) {
        h |= Hist.Data;
        this.letter(c, isOrig, 'D');
      }
    } else if (ack && (h & Hist.Ack) === 0) {
      h |= Hist.Ack;
      this.letter(c, isOrig, 'A');
    }
    if (isOrig) c.oHist = h;
    else c.rHist = h;

    const eState = isOrig ? c.oState : c.rState;
    const pState = isOrig ? c.rState : c.oState;
    // Zero windows are news only while both sides still talk (Zeek's update_window).
    if (window === 0 && !rst && pState !== Endpoint.Closed && eState !== Endpoint.Reset) {
      if (isOrig) {
        if (++c.oZeroWin >= c.oZeroWinNext) {
          c.oZeroWinNext *= 10;
          this.letter(c, true, 'W');
        }
      } else if (++c.rZeroWin >= c.rZeroWinNext) {
        c.rZeroWinNext *= 10;
        this.letter(c, false, 'W');
      }
    }
    if (len > 0 && !rst && eState !== Endpoint.Reset) this.rexmit(c, isOrig, seq, len, syn, fin);

    this.zeekState(c, isOrig, syn, ack, fin, rst, len);
  }

  /** Retransmitted payload: the segment ends at or before what this side already sent (T/t). */
  private rexmit(c: Conn, isOrig: boolean, seq: number, len: number, syn: boolean, fin: boolean): void {
    const haveNext = isOrig ? c.cHaveNext : c.sHaveNext;
    const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
    if (!haveNext || seqDelta(end, isOrig ? c.cNext : c.sNext) > 0) return;
    if (isOrig) {
      if (++c.oRexmit >= c.oRexmitNext) {
        c.oRexmitNext *= 10;
        this.letter(c, true, 'T');
      }
    } else if (++c.rRexmit >= c.rRexmitNext) {
      c.rRexmitNext *= 10;
      this.letter(c, false, 'T');
    }
  }

  private letter(c: Conn, isOrig: boolean, upper: string): void {
    // Letters are A-Z; fromCharCode of one code unit comes from V8's single-character cache.
    c.history += isOrig ? upper : String.fromCharCode(upper.charCodeAt(0) | 0x20);
  }

  private setState(c: Conn, isOrig: boolean, s: number): void {
    if (isOrig) {
      if (c.oState !== s) {
        c.oPrev = c.oState;
        c.oState = s;
      }
    } else if (c.rState !== s) {
      c.rPrev = c.rState;
      c.rState = s;
    }
  }

  /** Zeek's per-endpoint state machine, driven by the sender's packet. */
  private zeekState(c: Conn, isOrig: boolean, syn: boolean, ack: boolean, fin: boolean, rst: boolean, len: number): void {
    const e = isOrig ? c.oState : c.rState;
    const p = isOrig ? c.rState : c.oState;
    switch (e) {
      case Endpoint.Inactive: {
        if (syn) {
          if (isOrig) {
            this.setState(c, true, ack ? Endpoint.SynAckSent : Endpoint.SynSent);
          } else {
            if (p === Endpoint.SynSent) this.setState(c, true, Endpoint.Established);
            this.setState(c, false, Endpoint.Established);
          }
        }
        if (fin) this.setState(c, isOrig, Endpoint.Closed);
        if (rst) this.setState(c, isOrig, Endpoint.Reset);
        if ((isOrig ? c.oState : c.rState) === Endpoint.Inactive) {
          if (!isOrig && len === 0 && c.oState === Endpoint.SynSent) {
            // An ACK of the SYN ahead of the SYN+ACK does not make a partial connection.
          } else if (ack && p === Endpoint.Established) {
            this.setState(c, isOrig, Endpoint.Established);
          } else {
            this.setState(c, isOrig, Endpoint.Partial);
          }
        }
        break;
      }
      case Endpoint.SynSent:
      case Endpoint.SynAckSent:
        if (fin) this.setState(c, isOrig, Endpoint.Closed);
        if (rst) this.setState(c, isOrig, Endpoint.Reset);
        break;
      case Endpoint.Established:
      case Endpoint.Partial:
        if (syn && e === Endpoint.Partial && p === Endpoint.Inactive && !ack) this.setState(c, isOrig, Endpoint.SynSent);
        if (fin && !rst) {
          this.setState(c, isOrig, Endpoint.Closed);
          const pPrev = isOrig ? c.rPrev : c.oPrev;
          // The peer's FIN then RST was a normal close after all.
          if (p === Endpoint.Reset && pPrev === Endpoint.Closed) this.setState(c, !isOrig, Endpoint.Closed);
        }
        if (rst) this.setState(c, isOrig, Endpoint.Reset);
        break;
      case Endpoint.Closed:
        if (rst && p !== Endpoint.Closed) this.setState(c, isOrig, Endpoint.Reset);
        break;
      default:
        break;
    }
  }

  private pushNewest(c: Conn): void {
    c.movedAt = ++this.moves;
    c.older = this.newest;
    c.newer = null;
    if (this.newest !== null) this.newest.newer = c;
    this.newest = c;
    if (this.oldest === null) this.oldest = c;
  }

  private unlink(c: Conn): void {
    if (c.newer !== null) c.newer.older = c.older;
    else this.newest = c.older;
    if (c.older !== null) c.older.newer = c.newer;
    else this.oldest = c.newer;
    c.newer = c.older = null;
  }

  /** Take a connection out of the table; list it unless it was evicted unfinished. */
  private release(c: Conn, evicted: boolean): void {
    if (!c.live) return;
    c.live = false;
    const slot = c.hash & this.bucketMask;
    let head: Conn | null = this.buckets[slot]!;
    if (head === c) {
      this.buckets[slot] = c.chain;
    } else {
      while (head !== null && head.chain !== c) head = head.chain;
      if (head !== null) head.chain = c.chain;
    }
    c.chain = null;
    this.unlink(c);
    this.liveCount--;
    const unfinished = !c.closed;
    this.count(c);
    if (evicted && unfinished) {
      this.summary.evicted++;
    } else {
      const report = this.report(c);
      if (this.keep) this.finished.push(report);
      this.onConnection?.(report);
    }
    // A flood allocates a connection per packet: reuse them rather than churn the heap. Closed
    // ones may still sit in the closing queue, so only unfinished ones are recycled.
    if (unfinished && this.pool.length < POOL_SIZE) this.pool.push(c);
  }

  /** Release closed connections whose linger time has passed. */
  private sweep(): void {
    const q = this.closing;
    while (this.closingHead < q.length) {
      const c = q[this.closingHead]!;
      if (!c.live) {
        this.closingHead++;
        continue;
      }
      if (this.nowSec - c.lastSec <= this.lingerSec) break;
      this.closingHead++;
      this.release(c, false);
    }
    if (this.closingHead > 4096 && this.closingHead * 2 > q.length) {
      q.splice(0, this.closingHead);
      this.closingHead = 0;
    }
  }

  /** End of input: every connection still in the table is finished as it stands. */
  finish(): ConnectionReport[] {
    let c = this.oldest;
    const all: Conn[] = [];
    while (c !== null) {
      all.push(c);
      c = c.newer;
    }
    for (const x of all) this.release(x, false);
    this.closing.length = 0;
    this.closingHead = 0;
    this.finished.sort((a, b) => a.firstPacket - b.firstPacket);
    return this.finished;
  }

  private count(c: Conn): void {
    const s = this.summary;
    s.connections++;
    const hs = outcome(c);
    if (hs !== 'midstream') s.attempts++;
    // Every counter is written on every call (adding 0 or 1): a case first reached late in a
    // capture would deoptimise the release path.
    s.complete += hs === 'complete' ? 1 : 0;
    s.simultaneous += hs === 'simultaneous' ? 1 : 0;
    s.refused += hs === 'refused' ? 1 : 0;
    s.timedOut += hs === 'timeout' ? 1 : 0;
    s.incomplete += hs === 'incomplete' ? 1 : 0;
    s.midstream += hs === 'midstream' ? 1 : 0;
    const ck = closeKind(c);
    s.fin += ck === 'fin' ? 1 : 0;
    s.halfClosed += ck === 'half-closed' ? 1 : 0;
    s.open += ck === 'open' ? 1 : 0;
    s.reset += ck === 'reset-by-client' || ck === 'reset-by-server' ? 1 : 0;
    s.synRetries += c.synRetries;
    s.violations += c.violationCount;
  }

  private report(c: Conn): ConnectionReport {
    const synToSynAck = c.synAckValid && c.clientSyn ? nsBetween(c.lastSynSec, c.lastSynNsec, c.synAckSec, c.synAckNsec) : null;
    const synAckToAck = c.finalAck ? nsBetween(c.synAckSec, c.synAckNsec, c.ackSec, c.ackNsec) : null;
    return {
      client: endpointString(c.v6, c.c0, c.c1, c.c2, c.c3, c.cPort),
      server: endpointString(c.v6, c.s0, c.s1, c.s2, c.s3, c.sPort),
      ipVersion: c.v6 ? 6 : 4,
      handshake: outcome(c),
      close: closeKind(c),
      state: connState({ oState: c.oState, rState: c.rState, oSize: c.cBytes, rSize: c.sBytes, history: c.history }),
      history: c.history,
      synRetries: c.synRetries,
      synAckRetries: c.synAckRetries,
      handshakeRtt: {
        synToSynAckNs: synToSynAck,
        synAckToAckNs: synAckToAck,
        totalNs: synToSynAck !== null && synAckToAck !== null ? synToSynAck + synAckToAck : null,
        connectNs: c.finalAck ? nsBetween(c.firstSynSec, c.firstSynNsec, c.ackSec, c.ackNsec) : null,
      },
      durationNs: nsBetween(c.firstSec, c.firstNsec, c.lastSec, c.lastNsec),
      start: `${c.firstSec + this.baseSec}.${String(c.firstNsec).padStart(9, '0')}`,
      options: {
        client: c.cOpt.toJSON(),
        server: c.sOpt.toJSON(),
        negotiated: {
          windowScale: c.cOpt.windowScale !== NO_VALUE && c.sOpt.windowScale !== NO_VALUE,
          sackPermitted: c.cOpt.sackPermitted && c.sOpt.sackPermitted,
          timestamps: c.cOpt.timestamps && c.sOpt.timestamps,
          ecn: c.cOpt.ecn && c.sOpt.ecn,
          tfoDataAccepted: c.tfoDataAccepted,
        },
      },
      packets: { client: c.cPkts, server: c.sPkts },
      bytes: { client: c.cBytes, server: c.sBytes },
      firstPacket: c.firstIndex,
      lastPacket: c.lastIndex,
      file: this.file,
      violations: c.violations ?? [],
    };
  }
}

function isFragment(pkt: Packet): boolean {
  // An atomic IPv6 fragment (offset 0, M clear) is a whole datagram (RFC 6946).
  if (pkt.has(Layer.Ipv6) && (pkt.ip6.fragmented || pkt.ip6.fragmentOffset !== 0)) return true;
  return pkt.has(Layer.Ipv4) && (pkt.ip4.mf || pkt.ip4.fragmentOffset !== 0);
}

/** Payload of a segment whose TCP header the capture cut short, from the IP length fields. */
function truncatedPayload(pkt: Packet, tcpOffset: number, tcpHeaderLength: number): number {
  let n: number;
  const hasV4 = pkt.has(Layer.Ipv4);
  if (pkt.has(Layer.Ipv6) && (!hasV4 || pkt.ip6.offset > pkt.ip4.offset)) {
    n = pkt.ip6.payloadLength - (tcpOffset - (pkt.ip6.offset + 40)) - tcpHeaderLength;
  } else if (hasV4) {
    n = pkt.ip4.totalLength - (tcpOffset - pkt.ip4.offset) - tcpHeaderLength;
  } else n = 0;
  return n > 0 ? n : 0;
}

function acksSyn(ack: number, isn: number, dataLen: number): boolean {
  if (ack === ((isn + 1) >>> 0)) return true;
  return dataLen > 0 && ack === ((isn + 1 + dataLen) >>> 0);
}

// outcome() and closeKind() read every field on every call, as connState() compares: a field
// first read by a rare connection late in the capture would deoptimise the report builder.

function outcome(c: Conn): HandshakeOutcome {
  const clientSyn = c.clientSyn;
  const simultaneous = c.simultaneous;
  const simDone = c.simClientAcked && c.simServerAcked;
  const finalAck = c.finalAck;
  const synAckSeen = c.synAckSeen;
  const refused = c.refused;
  if (!clientSyn) return 'midstream';
  if (simultaneous) return simDone ? 'simultaneous' : 'incomplete';
  if (finalAck) return 'complete';
  if (synAckSeen) return 'incomplete';
  if (refused) return 'refused';
  return 'timeout';
}

function closeKind(c: Conn): CloseKind {
  const rstBy = c.rstBy;
  const rstAfterFins = c.rstAfterFins;
  const cFin = c.cFin;
  const sFin = c.sFin;
  if (rstBy !== 0 && !rstAfterFins) return rstBy === 1 ? 'reset-by-client' : 'reset-by-server';
  if (cFin && sFin) return 'fin';
  if (cFin || sFin) return 'half-closed';
  return 'open';
}

function rstMessage(c: Conn, fromClient: boolean, seq: number): string {
  const who = fromClient ? 'client' : 'server';
  if (!fromClient && c.clientSyn && !c.synAckSeen) {
    return `${who} RST does not acknowledge the SYN (expected ACK ${(c.clientIsn + 1) >>> 0})`;
  }
  const base = fromClient ? c.sAck : c.cAck;
  return `${who} RST sequence ${seq} is outside the receiver's window starting at ${base}`;
}

/** Parse the options of a SYN or SYN+ACK into `side`; returns whether it carried TFO. */
function readSynOptions(seg: TcpSegment, side: SideOptions, flags: number, fromClient: boolean): boolean {
  const b = seg.buf;
  let o = seg.optionsOffset;
  const end = o + seg.optionsLength;
  let tfo = false;
  const first = !side.seen;
  while (o < end) {
    const kind = b[o]!;
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    if (o + 1 >= end) break;
    const len = b[o + 1]!;
    if (len < 2 || o + len > end) break;
    if (first) {
      if (kind === 2 && len === 4) side.mss = (b[o + 2]! << 8) | b[o + 3]!;
      else if (kind === 3 && len === 3) side.windowScale = b[o + 2]!;
      else if (kind === 4 && len === 2) side.sackPermitted = true;
      else if (kind === 8 && len === 10) side.timestamps = true;
    }
    if (kind === 34 || (kind === 254 && len >= 4 && b[o + 2] === 0xf9 && b[o + 3] === 0x89)) tfo = true;
    o += len;
  }
  if (first) {
    side.seen = true;
    side.tfo = tfo;
    const ece = (flags & TcpFlag.Ece) !== 0;
    const cwr = (flags & TcpFlag.Cwr) !== 0;
    side.ecn = fromClient ? ece && cwr : ece && !cwr;
  } else if (tfo) {
    side.tfo = true;
  }
  return tfo;
}

const FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [TcpFlag.Syn, 'SYN'], [TcpFlag.Fin, 'FIN'], [TcpFlag.Rst, 'RST'], [TcpFlag.Psh, 'PSH'], [TcpFlag.Ack, 'ACK'], [TcpFlag.Urg, 'URG'],
];

export function flagNames(flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of FLAG_LETTERS) if (flags & bit) parts.push(name);
  return parts.length ? parts.join('+') : 'a segment with no flags';
}


/** `a.b.c.d:port` or `[v6]:port`, the address text being the codec's (RFC 5952, as tcpdump). */
export function endpointString(v6: boolean, w0: number, w1: number, w2: number, w3: number, port: number): string {
  if (!v6) return `${ipv4FromNumber(w0)}:${port}`;
  putWord(V6_SCRATCH, 0, w0);
  putWord(V6_SCRATCH, 4, w1);
  putWord(V6_SCRATCH, 8, w2);
  putWord(V6_SCRATCH, 12, w3);
  return `[${ipv6String(V6_SCRATCH, 0)}]:${port}`;
}

/** One scratch address for endpointString (called once per finished connection and side). */
const V6_SCRATCH = new Uint8Array(16);

function putWord(b: Uint8Array, o: number, w: number): void {
  b[o] = w >>> 24;
  b[o + 1] = w >>> 16;
  b[o + 2] = w >>> 8;
  b[o + 3] = w;
}
