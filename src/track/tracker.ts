/**
 * HandshakeTracker: follows every TCP connection through SYN, SYN+ACK, ACK, data, FIN and RST.
 *
 * Hot path: one hash of the 4-tuple read from the packet bytes (no string per packet), one bucket
 * lookup, a handful of updates to the connection's record in typed arrays (no object per
 * connection). Strings are built only when a connection is finished; with `json: true` the
 * report is written as JSON text straight from the record, without report objects.
 * Memory: closed connections are released after a linger period of capture time; the live
 * table is an LRU capped at `maxConnections`, and connections evicted before they finished are
 * counted (summary.evicted) rather than listed, so a SYN flood stays bounded.
 */
// The codec's own modules, not its index: the encoders stay unloaded (see also run.ts).
import { Layer } from '../codec/layer.js';
import { TcpFlag } from '../codec/tcp.js';
import { walkOptions } from '../codec/ipv4.js';
import { ipv4FromNumber, ipv6String } from '../codec/addr.js';
import type { Packet } from '../codec/packet.js';
import { Endpoint, Hist, connStateOf, isRstos0History } from './zeek.js';
import { JsonBytes, QuadText, ascii, constantBytes, type Constant } from './jsonbytes.js';
import {
  CloseKinds,
  ConnStates,
  HandshakeOutcomes,
  ViolationKinds,
  type CloseKind,
  type ConnState,
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
  /** Live-table cap; the least recently active connection is evicted beyond it. Default 20,000, at most MAX_CONNECTIONS (16,777,215). */
  maxConnections?: number;
  /** Capture seconds a closed connection stays in the table for late packets. Default 60. */
  lingerSeconds?: number;
  /** Name put in each report's `file`. */
  file?: string;
  /** Called for each finished connection (in finishing order). */
  onConnection?: (c: ConnectionReport) => void;
  /** Keep finished connections for `connections()` (default true). */
  keep?: boolean;
  /**
   * Keep finished connections as JSON text rather than report objects, for `finishJson()`:
   * what `wirescope handshakes --json` prints, without building the objects.
   */
  json?: boolean;
}

const MAX_VIOLATIONS_PER_CONNECTION = 32;
/** About 600 bytes each: 20,000 live connections keep a million-SYN flood well under 200 MB of RSS. */
export const DEFAULT_MAX_CONNECTIONS = 20_000;
/** The most connections held at once (a larger --max-connections is taken as this). */
export const MAX_CONNECTIONS = (1 << 24) - 1;
/**
 * Slot numbers are masked with this before they index a record: V8 then knows a record's offset
 * is below 2^31 and drops the overflow check on every `o + FIELD` (two instructions each, on
 * about fifty reads and writes per packet). Slots never reach it: see MAX_CONNECTIONS.
 */
const SLOT_MASK = (1 << 24) - 1;
// Imported enums as this module's own constants: V8 folds those into optimised code, where an
// imported object's field is a load behind a hole check and a map check at every use.
const FLAG_SYN = TcpFlag.Syn;
const FLAG_ACK = TcpFlag.Ack;
const FLAG_RST = TcpFlag.Rst;
const FLAG_FIN = TcpFlag.Fin;
const FLAG_URG = TcpFlag.Urg;
const FLAG_PSH = TcpFlag.Psh;
const FLAG_ECE = TcpFlag.Ece;
const FLAG_CWR = TcpFlag.Cwr;
const EP_CLOSED = Endpoint.Closed;
const EP_RESET = Endpoint.Reset;
const EP_ESTABLISHED = Endpoint.Established;
const EP_SYN_SENT = Endpoint.SynSent;
const EP_PARTIAL = Endpoint.Partial;
const EP_INACTIVE = Endpoint.Inactive;
const EP_SYN_ACK_SENT = Endpoint.SynAckSent;
const H_DATA = Hist.Data;
const H_ACK = Hist.Ack;
const H_SYN = Hist.Syn;
const H_RST = Hist.Rst;
const H_FIN = Hist.Fin;
const H_MULTI = Hist.Multi;
const H_FIN_RST = Hist.FinRst;
const L_IPV4 = Layer.Ipv4;
const L_IPV6 = Layer.Ipv6;
const L_TCP = Layer.Tcp;

const NO_VALUE = -1;
const NO_SLOT = -1;
const INITIAL_BUCKETS = 1024;
const MAX_INITIAL_BUCKETS = 1 << 16;
/**
 * Slots allocated up front (the cap plus one, up to this many): the arrays are calloc'd, so pages
 * never touched cost no memory, and growing mid-capture would throw away the optimised code of
 * the per-packet path (its first call of the growing code).
 */
const INITIAL_SLOTS = 1 << 16;

/*
 * Connection state lives in two typed arrays, one fixed-size record per connection slot, instead
 * of an object per connection: a packet touches two or three adjacent cache lines of its record
 * rather than an object, its out-of-object properties and a boxed number per 32-bit field, and
 * nothing is allocated per connection. Slots of released connections are reused.
 *
 * Int32 record (INTS): 32-bit words (addresses, sequence numbers, compared and subtracted as
 * int32, which is exact modulo 2^32), ports, small counts and booleans (0/1). A field that exists
 * for each side is a pair: the client's at the named offset, the server's at offset + 1 (the
 * client is Zeek's originator), so `base + side` with side 0 for the client and 1 for the server.
 * The fields every packet reads come first.
 */
const HASH = 0;
const V6 = 1;
const PORT = 2; // pair
const ADDR0 = 4; // pair: first address word
const STATE = 6; // pair: Zeek endpoint state
const HIST = 8; // pair: Zeek history letter bits
const NEXT = 10; // pair: highest sequence end sent
const HAVE_NEXT = 12; // pair
const ACK = 14; // pair: last acknowledgement number sent
const WIN = 16; // pair: last window sent
const HAVE_ACK = 18; // pair
const FIN = 20; // pair
const RST_BY = 22; // 1 client, 2 server
const CLIENT_SYN = 23;
const HAVE_SERVER_ISN = 24;
const SIMULTANEOUS = 25;
const SYN_ACK_SEEN = 26;
const FINAL_ACK = 27;
const MOVED_AT = 28;
const CLOSED = 29;
const GEN = 30; // bumped each time the slot is taken, so stale closing-queue entries are told apart
const SYN_ACK_VALID = 31;
const ADDR_HI = 32; // client words 1-3 at 32..34, server's at 35..37 (IPv6)
const PREV = 38; // pair: Zeek's previous endpoint state
const LAST_SYN = 40; // pair
const LAST_FIN = 42; // pair
const LAST_RST = 44; // pair
const CLIENT_ISN = 46;
const SYN_DATA_LEN = 47;
const SERVER_ISN = 48;
const SYN_ACK_DATA_LEN = 49;
const SYN_RETRIES = 50;
const SYN_ACK_COUNT = 51;
const SYN_ACK_RETRIES = 52;
const BAD_SYN_ACK_ACK = 53;
const HAVE_BAD_SYN_ACK_ACK = 54;
const FINAL_ACK_CHECKED = 55;
const SIM_CLIENT_ACKED = 56;
const SIM_SERVER_ACKED = 57;
const REFUSED = 58;
const TFO_DATA_ACCEPTED = 59;
const RST_AFTER_FINS = 60;
const FLIPPED = 61;
const VIOLATION_COUNT = 62;
const LIVE = 63;
const OPT_MSS = 64; // pair, NO_VALUE when absent
const OPT_WSCALE = 66; // pair, NO_VALUE when absent
const OPT_SACK = 68; // pair
const OPT_TS = 70; // pair
const OPT_TFO = 72; // pair
const OPT_ECN = 74; // pair
const OPT_SEEN = 76; // pair
const HIST_LEN = 78; // letters in historyBytes, -1 once the history is a string in histories
const INTS = 80;

/** History letters kept as bytes per slot; longer histories become strings. */
const HISTORY_BYTES = 16;
// The originator's history letters (the responder's are their lower case).
const H_LETTER_A = 0x41;
const H_LETTER_D = 0x44;
const H_LETTER_F = 0x46;
const H_LETTER_H = 0x48;
const H_LETTER_I = 0x49;
const H_LETTER_Q = 0x51;
const H_LETTER_R = 0x52;
const H_LETTER_S = 0x53;
const H_LETTER_T = 0x54;
const H_LETTER_W = 0x57;

/** A fresh connection's records (takeSlot copies them in; GEN is kept). */
const FRESH_INTS = new Int32Array(INTS);
FRESH_INTS[LIVE] = 1;
FRESH_INTS[OPT_MSS] = NO_VALUE;
FRESH_INTS[OPT_MSS + 1] = NO_VALUE;
FRESH_INTS[OPT_WSCALE] = NO_VALUE;
FRESH_INTS[OPT_WSCALE + 1] = NO_VALUE;

/** Which of the handshake times `rtt()` gives. */
const RTT_SYN_TO_SYN_ACK = 0;
const RTT_SYN_ACK_TO_ACK = 1;
const RTT_CONNECT = 2;

/*
 * Float64 record (DOUBLES): what may pass 2^31: packet numbers, counts, byte totals, and capture
 * seconds (relative to the first packet, but a bogus timestamp can be 2^32 s away).
 */
const LAST_SEC = 0;
const LAST_NSEC = 1;
const LAST_INDEX = 2;
const PKTS = 3; // pair
const BYTES = 5; // pair
const REXMIT = 8; // pair
const REXMIT_NEXT = 10; // pair
const ZERO_WIN = 12; // pair
const ZERO_WIN_NEXT = 14; // pair
const FIRST_INDEX = 16;
const FIRST_SEC = 17;
const FIRST_NSEC = 18;
const FIRST_SYN_SEC = 19;
const FIRST_SYN_NSEC = 20;
const LAST_SYN_SEC = 21;
const LAST_SYN_NSEC = 22;
const SYN_ACK_SEC = 23;
const SYN_ACK_NSEC = 24;
const ACK_SEC = 25;
const ACK_NSEC = 26;
const DOUBLES = 32;
const FRESH_DOUBLES = new Float64Array(DOUBLES);
FRESH_DOUBLES[REXMIT_NEXT] = 1;
FRESH_DOUBLES[REXMIT_NEXT + 1] = 1;
FRESH_DOUBLES[ZERO_WIN_NEXT] = 1;
FRESH_DOUBLES[ZERO_WIN_NEXT + 1] = 1;

/*
 * The segment being tracked, in an Int32Array: the inner functions read it from there, since a
 * sequence number above 2^30 passed as an argument or kept in an object field is a heap number.
 */
const P_SEQ = 0;
const P_ACK = 1;
const P_FLAGS = 2;
const P_WINDOW = 3;
const P_OPT_OFFSET = 4;
const P_OPT_LENGTH = 5;
const P_LEN = 6;
const P_SRC_PORT = 7;
const P_DST_PORT = 8;

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
  /** Connection records, INTS and DOUBLES per slot (see above); grown up to the cap. */
  private ints: Int32Array;
  private doubles: Float64Array;
  /**
   * Per slot: the Zeek history's first HISTORY_BYTES letters as bytes (HIST_LEN in the record
   * counts them), so a letter costs no string; a longer history moves to `histories` for good.
   */
  private historyBytes: Buffer;
  /** Per slot: the history once it outgrew historyBytes (HIST_LEN is then -1), else ''. */
  private histories: string[] = [];
  /** Per slot: the violations (null while there are none). */
  private violations: (Violation[] | null)[] = [];
  /** Per slot: the next slot in its hash bucket, and the LRU neighbours (NO_SLOT at the ends). */
  private chain: Int32Array;
  private newer: Int32Array;
  private older: Int32Array;
  /** Released slots, ready for reuse. */
  private free: Int32Array;
  private freeCount = 0;
  /** Slots handed out so far (the rest of the arrays is untouched). */
  private slotsUsed = 0;
  /**
   * Hash buckets indexed by the low bits of the 4-tuple hash: the first slot of a chain through
   * `chain`. Grows with the live count.
   */
  private buckets: Int32Array;
  private bucketMask: number;
  private liveCount = 0;
  private newest = NO_SLOT;
  private oldest = NO_SLOT;
  /** Closed connections in closing order, as slot and generation pairs. */
  private readonly closing: number[] = [];
  private closingHead = 0;
  private readonly finished: ConnectionReport[] = [];
  private readonly maxConnections: number;
  private readonly lingerSec: number;
  private readonly file: string;
  private readonly keep: boolean;
  private readonly json: boolean;
  /** `,"file":NAME,"violations":` with the file name as JSON text, UTF-8. */
  private readonly fileJson: Constant;
  /** The row writeJson gathers a connection's values into (see REPORT_LAYOUT). */
  private readonly rowNumbers = new Float64Array(FIELD_COUNT);
  private readonly rowTexts: Constant[] = new Array<Constant>(FIELD_COUNT).fill(J_END);
  /**
   * finishJson: connections held to the end, by kind key, counted into the summary once all
   * are written (their outcome and close are worked out for the JSON anyway).
   */
  private readonly heldKinds = new Int32Array(KIND_KEYS);
  /**
   * json mode: connections finished before the end, as UTF-8 JSON text (bytes, not strings: a
   * string built from pieces stays a tree of them, which the young-generation GC copies at
   * every collection), and their first packet numbers.
   */
  private readonly doneText: Buffer[] = [];
  /** json mode: where a connection finished early is written before it is kept as bytes. */
  private early: JsonBytes | null = null;
  private readonly doneFirst: number[] = [];
  /** json mode: connections still held at the end, written by finishJson from their records. */
  private readonly pending: number[] = [];
  private readonly onConnection: ((c: ConnectionReport) => void) | undefined;
  private sinceSweep = 0;
  private moves = 0;
  /** Seconds since baseSec of the latest packet (a double from the start: see baseSec). */
  private nowSec = Number.NaN;
  /**
   * Capture seconds of the first TCP packet. NaN until then, not -1: a double from the start,
   * since changing the field from a small integer to a double gives the tracker a new hidden
   * class after the first packet, which voids the type feedback gathered before (the first
   * new capture buffer then deoptimised feedClocked at viewOf).
   */
  private baseSec = Number.NaN;
  private haveBase = false;
  private readonly seg = new Int32Array(9);
  private viewBytes: Uint8Array = new Uint8Array(0);
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /**
   * @internal The capture seconds of the packet fed next by feedClocked: a Float64Array, since
   * seconds past 2^30 passed as an argument are a heap number allocated per packet.
   */
  readonly clock = new Float64Array(1);

  constructor(opts: TrackerOptions = {}) {
    this.maxConnections = Math.min(MAX_CONNECTIONS, Math.max(1, opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS));
    this.lingerSec = opts.lingerSeconds ?? 60;
    this.file = opts.file ?? '';
    this.keep = opts.keep ?? true;
    this.json = opts.json ?? false;
    this.fileJson = constantBytes(Buffer.from(`,"file":${JSON.stringify(this.file)},"violations":`));
    this.onConnection = opts.onConnection;
    // Sized for the cap up front (within reason), so growing is rare.
    let n = INITIAL_BUCKETS;
    while (n < this.maxConnections && n < MAX_INITIAL_BUCKETS) n *= 2;
    this.buckets = new Int32Array(n).fill(NO_SLOT);
    this.bucketMask = n - 1;
    // The cap plus the one connection that is added before the oldest is evicted.
    const slots = Math.min(INITIAL_SLOTS, this.maxConnections + 1);
    this.ints = new Int32Array(slots * INTS);
    this.doubles = new Float64Array(slots * DOUBLES);
    this.historyBytes = Buffer.alloc(slots * HISTORY_BYTES);
    this.chain = new Int32Array(slots);
    this.newer = new Int32Array(slots);
    this.older = new Int32Array(slots);
    this.free = new Int32Array(slots);
    // viewOf makes views of a few buffers of both kinds the sources hand out, so its new-buffer
    // path has type feedback before the hot path is optimised: the capture's second buffer comes
    // thousands of packets in, and code without feedback there would throw the optimised
    // feedClocked away. V8 allocates a function's feedback only after it has run for a while,
    // hence the number of calls.
    const warm = [Buffer.alloc(4), new Uint8Array(4)];
    for (let i = 0; i < 64; i++) this.viewOf(warm[i & 1]!);
  }

  /** Connections currently held in the table. */
  get liveConnections(): number {
    return this.liveCount;
  }

  /**
   * Track one decoded packet (the PacketDecoder's reused Packet). Packets without a complete
   * TCP header are counted and otherwise ignored.
   */
  feed(pkt: Packet, tsSec: number, tsNsec: number, index: number): void {
    this.clock[0] = tsSec;
    this.feedClocked(pkt, tsNsec, index);
  }

  /** @internal feed() with the seconds already in `clock[0]`. */
  feedClocked(pkt: Packet, tsNsec: number, index: number): void {
    const tcp = pkt.tcp;
    const t = tcp.offset;
    const b = pkt.buf;
    const view = this.viewOf(b);
    let payloadLength: number;
    let optionsLength: number;
    if (isFragment(pkt)) {
      // A TCP header in an unreassembled first fragment: its lengths describe the datagram, not
      // this packet, and tshark leaves it alone too.
      this.summary.packets++;
      return;
    }
    if (pkt.has(L_TCP)) {
      payloadLength = pkt.payloadLength;
      optionsLength = tcp.headerLength - 20;
    } else if (pkt.issue !== null && pkt.issue.layer === L_TCP && tcp.length >= 14) {
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
    const hasV4 = pkt.has(L_IPV4);
    const hasV6 = pkt.has(L_IPV6);
    // The destination is the final one (IPv4 source route, IPv6 routing header): the address
    // TCP's pseudo-header and the peer's replies use.
    let v6: boolean;
    let srcAddrOffset: number;
    let dstAddrOffset: number;
    if (hasV6 && (!hasV4 || pkt.ip6.offset > pkt.ip4.offset)) {
      v6 = true;
      srcAddrOffset = pkt.ip6.offset + 8;
      dstAddrOffset = pkt.ip6.finalDstOffset;
    } else if (hasV4) {
      v6 = false;
      srcAddrOffset = pkt.ip4.offset + 12;
      dstAddrOffset = pkt.ip4.finalDstOffset;
    } else {
      this.summary.packets++;
      return;
    }
    // Every read is within the captured TCP header (at least 14 bytes, 16 for the window).
    const s = this.seg;
    s[P_SRC_PORT] = view.getUint16(t);
    s[P_DST_PORT] = view.getUint16(t + 2);
    s[P_SEQ] = view.getInt32(t + 4);
    s[P_ACK] = view.getInt32(t + 8);
    s[P_FLAGS] = view.getUint8(t + 13);
    s[P_WINDOW] = tcp.length >= 16 ? view.getUint16(t + 14) : -1;
    s[P_OPT_OFFSET] = t + 20;
    s[P_OPT_LENGTH] = optionsLength;
    s[P_LEN] = payloadLength;
    this.track(b, v6, srcAddrOffset, dstAddrOffset, tsNsec, index);
  }

  /**
   * @internal feedClocked for a plain Ethernet II frame, read straight from its bytes: IPv4
   * without options and not a fragment, or IPv6 with TCP right after the fixed header, then a
   * whole TCP header within the IP length and the captured bytes. False, having done nothing,
   * for any other frame: the caller decodes it and calls feedClocked.
   */
  feedEthernet(buf: Uint8Array, start: number, capLen: number, tsNsec: number, index: number): boolean {
    const off = start & 0x3fffffff;
    const capEnd = off + capLen;
    if (off !== start || capLen < 54 || capEnd > buf.length) return false;
    const et = (buf[off + 12]! << 8) | buf[off + 13]!;
    let ipEnd: number;
    let t: number;
    let proto: number;
    if (et === 0x0800) {
      if (buf[off + 14] !== 0x45 || ((buf[off + 20]! & 0x3f) | buf[off + 21]!) !== 0) return false;
      proto = buf[off + 23]!;
      ipEnd = off + 14 + ((buf[off + 16]! << 8) | buf[off + 17]!);
      t = off + 34;
    } else if (et === 0x86dd) {
      if (buf[off + 14]! >> 4 !== 6) return false;
      proto = buf[off + 20]!;
      ipEnd = off + 54 + ((buf[off + 18]! << 8) | buf[off + 19]!);
      t = off + 54;
    } else return false;
    if (proto !== 6) {
      // UDP carries no TCP inside it (the decoder stops at its payload).
      if (proto !== 17) return false;
      this.summary.packets++;
      return true;
    }
    const thl = (buf[t + 12]! >> 4) * 4;
    if (thl < 20 || ipEnd < t + thl || ipEnd > capEnd) return false;
    const view = this.viewOf(buf);
    const s = this.seg;
    s[P_SRC_PORT] = view.getUint16(t);
    s[P_DST_PORT] = view.getUint16(t + 2);
    s[P_SEQ] = view.getInt32(t + 4);
    s[P_ACK] = view.getInt32(t + 8);
    s[P_FLAGS] = buf[t + 13]!;
    s[P_WINDOW] = view.getUint16(t + 14);
    s[P_OPT_OFFSET] = t + 20;
    s[P_OPT_LENGTH] = thl - 20;
    s[P_LEN] = ipEnd - t - thl;
    if (et === 0x0800) this.track(buf, false, off + 26, off + 30, tsNsec, index);
    else this.track(buf, true, off + 22, off + 38, tsNsec, index);
    return true;
  }

  /** Count a packet that carried no trackable TCP segment. */
  skip(): void {
    this.summary.packets++;
  }

  /** Track one TCP segment seen at (tsSec, tsNsec), packet number `index`. */
  feedSegment(seg: TcpSegment, tsSec: number, tsNsec: number, index: number): void {
    const s = this.seg;
    s[P_SRC_PORT] = seg.srcPort;
    s[P_DST_PORT] = seg.dstPort;
    s[P_SEQ] = seg.seq;
    s[P_ACK] = seg.ack;
    s[P_FLAGS] = seg.flags;
    s[P_WINDOW] = seg.window;
    s[P_OPT_OFFSET] = seg.optionsOffset;
    s[P_OPT_LENGTH] = seg.optionsLength;
    s[P_LEN] = seg.payloadLength;
    this.clock[0] = tsSec;
    this.viewOf(seg.buf);
    this.track(seg.buf, seg.ipVersion === 6, seg.srcAddrOffset, seg.dstAddrOffset, tsNsec, index);
  }

  /**
   * A DataView of the packet bytes (the one of the last call while the buffer stays the same):
   * one bounds check per field where byte reads take one per byte.
   */
  private viewOf(b: Uint8Array): DataView<ArrayBufferLike> {
    if (b !== this.viewBytes) {
      this.viewBytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.view;
  }

  /** The segment in `this.seg` at `clock[0]` seconds, addresses at the offsets in buf (and this.view). */
  private track(buf: Uint8Array, v6: boolean, so: number, dO: number, tsNsec: number, index: number): void {
    this.summary.packets++;
    this.summary.tcpPackets++;
    // Seconds are kept relative to the first packet: small integers (no heap number when
    // passed on), and capture seconds print back exactly.
    const tsSec = this.clock[0]!;
    if (this.haveBase === false) { // not `!`, a full truthiness test in V8's code for this field
      this.haveBase = true;
      this.baseSec = tsSec;
    }
    const sec = tsSec - this.baseSec;
    this.nowSec = sec;
    const seg = this.seg;
    const view = this.view;
    const a0 = view.getInt32(so);
    const b0 = view.getInt32(dO);
    let a1 = 0, a2 = 0, a3 = 0, b1 = 0, b2 = 0, b3 = 0;
    let ha = a0;
    let hb = b0;
    if (v6) {
      a1 = view.getInt32(so + 4);
      a2 = view.getInt32(so + 8);
      a3 = view.getInt32(so + 12);
      b1 = view.getInt32(dO + 4);
      b2 = view.getInt32(dO + 8);
      b3 = view.getInt32(dO + 12);
      ha = ha ^ Math.imul(a1, 0x85ebca6b) ^ Math.imul(a2, 0xc2b2ae35) ^ Math.imul(a3, 0x27d4eb2f);
      hb = hb ^ Math.imul(b1, 0x85ebca6b) ^ Math.imul(b2, 0xc2b2ae35) ^ Math.imul(b3, 0x27d4eb2f);
    }
    const sp = seg[P_SRC_PORT]!;
    const dp = seg[P_DST_PORT]!;
    // Symmetric in the two endpoints so both directions land in one bucket.
    const hash = (mix(ha ^ Math.imul(sp + 1, 0x9e3779b1)) + mix(hb ^ Math.imul(dp + 1, 0x9e3779b1))) & 0x3fffffff;
    const isV6 = v6 ? 1 : 0;

    const I = this.ints;
    let slot = this.buckets[hash & this.bucketMask]!;
    let fromClient = true;
    const chain = this.chain;
    while (slot !== NO_SLOT) {
      // The link is read before the match so every lookup gives it type feedback: read only on
      // a collision, its first use would throw the optimised lookup away mid-capture.
      const next = chain[slot]!;
      const o = (slot & SLOT_MASK) * INTS;
      if (I[o + HASH] === hash && I[o + V6] === isV6) {
        if (I[o + PORT] === sp && I[o + PORT + 1] === dp && I[o + ADDR0] === a0 && I[o + ADDR0 + 1] === b0 &&
            (!v6 || (I[o + ADDR_HI] === a1 && I[o + ADDR_HI + 1] === a2 && I[o + ADDR_HI + 2] === a3 &&
              I[o + ADDR_HI + 3] === b1 && I[o + ADDR_HI + 4] === b2 && I[o + ADDR_HI + 5] === b3))) {
          fromClient = true;
          break;
        }
        if (I[o + PORT] === dp && I[o + PORT + 1] === sp && I[o + ADDR0] === b0 && I[o + ADDR0 + 1] === a0 &&
            (!v6 || (I[o + ADDR_HI] === b1 && I[o + ADDR_HI + 1] === b2 && I[o + ADDR_HI + 2] === b3 &&
              I[o + ADDR_HI + 3] === a1 && I[o + ADDR_HI + 4] === a2 && I[o + ADDR_HI + 5] === a3))) {
          fromClient = false;
          break;
        }
      }
      slot = next;
    }

    const flags = seg[P_FLAGS]!;
    if (slot !== NO_SLOT && (flags & (FLAG_SYN | FLAG_ACK)) === FLAG_SYN && this.startsNew(slot, fromClient)) {
      this.release(slot, false);
      slot = NO_SLOT;
    }
    if (slot === NO_SLOT) {
      slot = this.takeSlot();
      const R = this.ints;
      const D = this.doubles;
      const o = (slot & SLOT_MASK) * INTS;
      const d = (slot & SLOT_MASK) * DOUBLES;
      R[o + HASH] = hash;
      R[o + V6] = isV6;
      // The client sent the first SYN without ACK; a first SYN+ACK comes from the server.
      const reversed = (flags & (FLAG_SYN | FLAG_ACK)) === (FLAG_SYN | FLAG_ACK);
      R[o + FLIPPED] = reversed ? 1 : 0;
      if (reversed) {
        this.historyBytes[(slot & SLOT_MASK) * HISTORY_BYTES] = 0x5e; // ^
        R[o + HIST_LEN] = 1;
      }
      fromClient = !reversed;
      if (fromClient) {
        R[o + ADDR0] = a0; R[o + ADDR_HI] = a1; R[o + ADDR_HI + 1] = a2; R[o + ADDR_HI + 2] = a3; R[o + PORT] = sp;
        R[o + ADDR0 + 1] = b0; R[o + ADDR_HI + 3] = b1; R[o + ADDR_HI + 4] = b2; R[o + ADDR_HI + 5] = b3; R[o + PORT + 1] = dp;
      } else {
        R[o + ADDR0] = b0; R[o + ADDR_HI] = b1; R[o + ADDR_HI + 1] = b2; R[o + ADDR_HI + 2] = b3; R[o + PORT] = dp;
        R[o + ADDR0 + 1] = a0; R[o + ADDR_HI + 3] = a1; R[o + ADDR_HI + 4] = a2; R[o + ADDR_HI + 5] = a3; R[o + PORT + 1] = sp;
      }
      D[d + FIRST_INDEX] = index;
      D[d + FIRST_SEC] = sec;
      D[d + FIRST_NSEC] = tsNsec;
      if (this.liveCount >= this.buckets.length) this.growBuckets();
      const b = hash & this.bucketMask;
      this.chain[slot] = this.buckets[b]!;
      this.buckets[b] = slot;
      this.liveCount++;
      this.pushNewest(slot);
      if (this.liveCount > this.maxConnections && this.oldest !== NO_SLOT && this.oldest !== slot) {
        this.release(this.oldest, true);
      }
    } else if (((this.moves - this.ints[(slot & SLOT_MASK) * INTS + MOVED_AT]!) | 0) > (this.liveCount >>> 4)) {
      // Approximate LRU: a connection moves to the front only when others have moved past it
      // since its last move, which spares most packets the writes into two neighbours.
      this.unlink(slot);
      this.pushNewest(slot);
    }

    // Most segments: ACK or data from an established side whose letters are recorded, on a
    // connection that is not reset and whose handshake checks are done (or never started). What
    // processOther and zeek() would do for it reduces to the retransmission count, the sequence
    // space, and the last ACK and window. Handled here, not in a function of its own: the
    // segment's fields are read once, before the record writes (after a typed-array store V8
    // reads them again), and the call goes (callgrind: 2.7% fewer instructions while feeding).
    const len = seg[P_LEN]!;
    const window = seg[P_WINDOW]!;
    const seq = seg[P_SEQ]!;
    const ack = seg[P_ACK]!;
    const R = this.ints; // takeSlot may have grown the records
    const D = this.doubles;
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    const side = fromClient ? 0 : 1;
    const os = o + side; // this side's half of each field pair
    D[d + LAST_INDEX] = index;
    D[d + LAST_SEC] = sec;
    D[d + LAST_NSEC] = tsNsec;
    D[d + PKTS + side]++;
    D[d + BYTES + side] += len;
    if ((flags & (FLAG_SYN | FLAG_FIN | FLAG_RST | FLAG_ACK)) === FLAG_ACK && window !== 0 &&
        R[os + STATE] === EP_ESTABLISHED && (R[os + HIST]! & (len > 0 ? H_DATA : H_ACK)) !== 0 &&
        R[o + RST_BY] === 0 && R[o + SIMULTANEOUS] === 0 && (R[o + FINAL_ACK] !== 0 || R[o + CLIENT_SYN] === 0)) {
      if (len > 0) this.rexmit(slot, side, seq, len, false, false);
      const end = (seq + len) | 0;
      if (R[os + HAVE_NEXT] === 0 || seqDelta(end, R[os + NEXT]!) > 0) R[os + NEXT] = end;
      R[os + HAVE_NEXT] = 1;
      if (window >= 0) {
        R[os + ACK] = ack;
        R[os + WIN] = window;
        R[os + HAVE_ACK] = 1;
      }
    } else this.processOther(slot, fromClient, buf, sec, tsNsec, index);

    if (++this.sinceSweep >= 1024) {
      this.sinceSweep = 0;
      this.sweep();
    }
  }

  /** A free slot, its record set to a fresh connection's values (the generation moves on). */
  private takeSlot(): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      if (this.slotsUsed === this.chain.length) this.growSlots();
      slot = this.slotsUsed++;
    }
    const I = this.ints;
    const D = this.doubles;
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    const gen = I[o + GEN]!;
    // set() from a typed array is a copy in a builtin (fill() with a range is a runtime call
    // that costs microseconds, and loops made this function several times bigger to compile).
    I.set(FRESH_INTS, o);
    I[o + GEN] = (gen + 1) | 0;
    D.set(FRESH_DOUBLES, d);
    this.violations[slot] = null;
    return slot;
  }

  /** Twice the slots (at most the cap plus one), records copied. */
  private growSlots(): void {
    const n = Math.min(this.chain.length * 2, this.maxConnections + 1);
    const ints = new Int32Array(n * INTS);
    ints.set(this.ints);
    this.ints = ints;
    const doubles = new Float64Array(n * DOUBLES);
    doubles.set(this.doubles);
    this.doubles = doubles;
    const historyBytes = Buffer.alloc(n * HISTORY_BYTES);
    historyBytes.set(this.historyBytes);
    this.historyBytes = historyBytes;
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.chain = grow(this.chain);
    this.newer = grow(this.newer);
    this.older = grow(this.older);
    this.free = grow(this.free);
  }

  /** Twice the buckets, every live connection rehashed (the LRU list holds them all). */
  private growBuckets(): void {
    const n = this.buckets.length * 2;
    const buckets = new Int32Array(n).fill(NO_SLOT);
    const mask = n - 1;
    const I = this.ints;
    for (let s = this.oldest; s !== NO_SLOT; s = this.newer[s]!) {
      const b = I[(s & SLOT_MASK) * INTS + HASH]! & mask;
      this.chain[s] = buckets[b]!;
      buckets[b] = s;
    }
    this.buckets = buckets;
    this.bucketMask = mask;
  }

  /** A SYN without ACK on a known 4-tuple: port reuse (new ISN) or a retransmission? */
  private startsNew(slot: number, fromClient: boolean): boolean {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    const seq = this.seg[P_SEQ]!;
    if (fromClient) return I[o + CLIENT_SYN] === 0 || seq !== I[o + CLIENT_ISN];
    // From the server side: the peer's half of a simultaneous open, or a new connection the
    // other way round.
    if (I[o + CLIENT_SYN] !== 0 && I[o + SYN_ACK_SEEN] === 0 && I[o + SIMULTANEOUS] === 0 && I[o + RST_BY] === 0 && I[o + FIN] === 0) return false;
    if (I[o + SIMULTANEOUS] !== 0 && seq === I[o + SERVER_ISN]) return false;
    return true;
  }

  /**
   * What track() does for every other segment: handshake, close and reset steps, violations,
   * history. Its own function, so track's common path compiles small and V8 optimises it early.
   */
  private processOther(slot: number, fromClient: boolean, buf: Uint8Array, sec: number, nsec: number, index: number): void {
    const I = this.ints;
    const D = this.doubles;
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    const seg = this.seg;
    const flags = seg[P_FLAGS]!;
    const seq = seg[P_SEQ]!;
    const ack = seg[P_ACK]!;
    const len = seg[P_LEN]!;
    const window = seg[P_WINDOW]!;
    const syn = (flags & FLAG_SYN) !== 0;
    const hasAck = (flags & FLAG_ACK) !== 0;
    const fin = (flags & FLAG_FIN) !== 0;
    const rst = (flags & FLAG_RST) !== 0;
    const side = fromClient ? 0 : 1;

    if (I[o + RST_BY] !== 0) {
      this.violate(slot, index, ViolationKinds.PacketAfterRst,
        `${fromClient ? 'client' : 'server'} sent ${flagNames(flags)} after the connection was reset`);
    }
    if (syn && fin && len > 0) {
      this.violate(slot, index, ViolationKinds.SynDataFin, `SYN carries ${len} bytes of data and FIN`);
    }
    if ((syn && ((fin && len === 0) || rst)) || (flags & 0x3f) === 0) {
      const what = (flags & 0x3f) === 0 ? 'no flags set' : `${flagNames(flags & (FLAG_SYN | FLAG_FIN | FLAG_RST))} set together`;
      this.violate(slot, index, ViolationKinds.InvalidFlags, what);
    }

    if (syn) {
      const tfoOnThis = readSynOptions(buf, seg[P_OPT_OFFSET]!, seg[P_OPT_LENGTH]!, I, o + side, flags, fromClient);
      if (len > 0 && !tfoOnThis && !fin) {
        this.violate(slot, index, ViolationKinds.SynDataWithoutTfo, `SYN carries ${len} bytes of data without a TCP Fast Open option`);
      }
    }

    // Zeek history and endpoint states see the packet before our own bookkeeping changes.
    this.zeek(slot, fromClient);

    // A SYN+RST still opens the client's attempt (and aborts it below).
    if (syn && (!rst || (!hasAck && fromClient))) {
      if (!hasAck) {
        if (fromClient) {
          if (I[o + CLIENT_SYN] === 0) {
            I[o + CLIENT_SYN] = 1;
            I[o + CLIENT_ISN] = seq;
            I[o + SYN_DATA_LEN] = len;
            D[d + FIRST_SYN_SEC] = sec;
            D[d + FIRST_SYN_NSEC] = nsec;
          } else if (I[o + SYN_ACK_VALID] === 0) {
            I[o + SYN_RETRIES]++;
          }
          D[d + LAST_SYN_SEC] = sec;
          D[d + LAST_SYN_NSEC] = nsec;
        } else if (I[o + HAVE_SERVER_ISN] === 0 && !rst) {
          I[o + SIMULTANEOUS] = 1;
          I[o + HAVE_SERVER_ISN] = 1;
          I[o + SERVER_ISN] = seq;
          I[o + SYN_ACK_DATA_LEN] = len;
        }
      } else if (!fromClient) {
        I[o + SYN_ACK_SEEN] = 1;
        if (I[o + HAVE_SERVER_ISN] === 0) {
          I[o + HAVE_SERVER_ISN] = 1;
          I[o + SERVER_ISN] = seq;
          I[o + SYN_ACK_DATA_LEN] = len;
        } else if (I[o + SYN_ACK_COUNT]! > 0 && seq === I[o + SERVER_ISN]) {
          I[o + SYN_ACK_RETRIES]++;
        }
        I[o + SYN_ACK_COUNT]++;
        if (I[o + CLIENT_SYN] !== 0) {
          const isn = I[o + CLIENT_ISN]!;
          const dataLen = I[o + SYN_DATA_LEN]!;
          if (acksSyn(ack, isn, dataLen)) {
            if (I[o + SYN_ACK_VALID] === 0) {
              I[o + SYN_ACK_VALID] = 1;
              D[d + SYN_ACK_SEC] = sec;
              D[d + SYN_ACK_NSEC] = nsec;
              I[o + TFO_DATA_ACCEPTED] = dataLen > 0 && ack === ((isn + 1 + dataLen) | 0) ? 1 : 0;
            }
            if (I[o + SIMULTANEOUS] !== 0) I[o + SIM_SERVER_ACKED] = 1;
          } else {
            I[o + BAD_SYN_ACK_ACK] = ack;
            I[o + HAVE_BAD_SYN_ACK_ACK] = 1;
            this.violate(slot, index, ViolationKinds.SynAckWrongAck,
              `SYN+ACK acknowledges ${ack >>> 0}, expected ${(isn + 1) >>> 0} (client ISN ${isn >>> 0} + 1)`);
          }
        }
      } else if (I[o + SIMULTANEOUS] !== 0 && I[o + HAVE_SERVER_ISN] !== 0) {
        // Our side's SYN+ACK in a simultaneous open.
        if (acksSyn(ack, I[o + SERVER_ISN]!, I[o + SYN_ACK_DATA_LEN]!)) I[o + SIM_CLIENT_ACKED] = 1;
      }
    } else if (hasAck && !rst && I[o + CLIENT_SYN] !== 0 && I[o + HAVE_SERVER_ISN] !== 0) {
      if (fromClient) {
        if (I[o + SIMULTANEOUS] !== 0) {
          if (acksSyn(ack, I[o + SERVER_ISN]!, I[o + SYN_ACK_DATA_LEN]!)) I[o + SIM_CLIENT_ACKED] = 1;
        } else if (I[o + SYN_ACK_SEEN] !== 0 && I[o + FINAL_ACK] === 0) {
          const isn = I[o + SERVER_ISN]!;
          if (acksSyn(ack, isn, I[o + SYN_ACK_DATA_LEN]!)) {
            if (I[o + SYN_ACK_VALID] !== 0) {
              I[o + FINAL_ACK] = 1;
              D[d + ACK_SEC] = sec;
              D[d + ACK_NSEC] = nsec;
            }
          } else if (I[o + FINAL_ACK_CHECKED] === 0) {
            this.violate(slot, index, ViolationKinds.FinalAckWrong,
              `final ACK acknowledges ${ack >>> 0}, expected ${(isn + 1) >>> 0} (server ISN ${isn >>> 0} + 1)`);
          }
          I[o + FINAL_ACK_CHECKED] = 1;
        }
      } else if (I[o + SIMULTANEOUS] !== 0 && acksSyn(ack, I[o + CLIENT_ISN]!, I[o + SYN_DATA_LEN]!)) {
        I[o + SIM_SERVER_ACKED] = 1;
      }
    }

    if (rst) {
      if (this.rstAcceptable(o, fromClient, hasAck)) {
        if (I[o + RST_BY] === 0) {
          I[o + RST_BY] = fromClient ? 1 : 2;
          I[o + RST_AFTER_FINS] = I[o + FIN] !== 0 && I[o + FIN + 1] !== 0 ? 1 : 0;
          if (!fromClient && I[o + CLIENT_SYN] !== 0 && I[o + SYN_ACK_SEEN] === 0 && I[o + SIMULTANEOUS] === 0) I[o + REFUSED] = 1;
          this.markClosed(slot);
        }
      } else {
        this.violate(slot, index, ViolationKinds.RstOutOfWindow, this.rstMessage(o, fromClient, seq));
      }
    } else {
      if (fin) {
        I[o + FIN + side] = 1;
        if (I[o + FIN] !== 0 && I[o + FIN + 1] !== 0) this.markClosed(slot);
      }
      const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) | 0;
      if (I[o + HAVE_NEXT + side] === 0 || seqDelta(end, I[o + NEXT + side]!) > 0) I[o + NEXT + side] = end;
      I[o + HAVE_NEXT + side] = 1;
      if (hasAck && window >= 0) {
        I[o + ACK + side] = ack;
        I[o + WIN + side] = window;
        I[o + HAVE_ACK + side] = 1;
      }
    }
  }

  /** RFC 9293 3.10.7 / RFC 5961: is this RST one the receiver would act on? */
  private rstAcceptable(o: number, fromClient: boolean, hasAck: boolean): boolean {
    const I = this.ints;
    const seq = this.seg[P_SEQ]!;
    const ack = this.seg[P_ACK]!;
    if (!fromClient && I[o + CLIENT_SYN] !== 0 && I[o + SYN_ACK_SEEN] === 0 && I[o + SIMULTANEOUS] === 0) {
      // The client is in SYN-SENT: the RST counts only if its ACK acknowledges the SYN.
      return hasAck && acksSyn(ack, I[o + CLIENT_ISN]!, I[o + SYN_DATA_LEN]!);
    }
    if (fromClient && I[o + HAVE_BAD_SYN_ACK_ACK] !== 0 && seq === I[o + BAD_SYN_ACK_ACK]) return true;
    const side = fromClient ? 0 : 1;
    const peer = side ^ 1;
    const senderNext = I[o + NEXT + side]!;
    const senderHasNext = I[o + HAVE_NEXT + side] !== 0;
    if (senderHasNext && seq === senderNext) return true;
    if (I[o + HAVE_ACK + peer] === 0) return !senderHasNext || seqDelta(seq, senderNext) >= 0;
    const base = I[o + ACK + peer]!;
    let win = I[o + WIN + peer]!;
    const scale = I[o + OPT_WSCALE + peer]!;
    if (I[o + OPT_WSCALE] !== NO_VALUE && I[o + OPT_WSCALE + 1] !== NO_VALUE) win *= 2 ** Math.min(scale, 14);
    const d = seqDelta(seq, base);
    return d >= 0 && d < Math.max(win, 1);
  }

  private rstMessage(o: number, fromClient: boolean, seq: number): string {
    const I = this.ints;
    const who = fromClient ? 'client' : 'server';
    if (!fromClient && I[o + CLIENT_SYN] !== 0 && I[o + SYN_ACK_SEEN] === 0) {
      return `${who} RST does not acknowledge the SYN (expected ACK ${(I[o + CLIENT_ISN]! + 1) >>> 0})`;
    }
    const base = I[o + ACK + (fromClient ? 1 : 0)]!;
    return `${who} RST sequence ${seq >>> 0} is outside the receiver's window starting at ${base >>> 0}`;
  }

  private markClosed(slot: number): void {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    if (I[o + CLOSED] === 0) {
      I[o + CLOSED] = 1;
      this.closing.push(slot, I[o + GEN]!);
    }
  }

  private violate(slot: number, packet: number, kind: ViolationKind, message: string): void {
    const o = (slot & SLOT_MASK) * INTS + VIOLATION_COUNT;
    this.ints[o]++;
    if (this.ints[o]! > MAX_VIOLATIONS_PER_CONNECTION) return;
    (this.violations[slot] ??= []).push({ packet, kind, message });
  }

  private zeek(slot: number, isOrig: boolean): void {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    const seg = this.seg;
    const flags = seg[P_FLAGS]!;
    const seq = seg[P_SEQ]!;
    const len = seg[P_LEN]!;
    const window = seg[P_WINDOW]!;
    const side = isOrig ? 0 : 1;
    // Most segments: an established side sending ACK or data it has sent before in kind. Only
    // the retransmission letter can still change.
    if ((flags & (FLAG_SYN | FLAG_FIN | FLAG_RST | FLAG_ACK)) === FLAG_ACK && window !== 0 &&
        I[o + STATE + side] === EP_ESTABLISHED &&
        (I[o + HIST + side]! & (len > 0 ? H_DATA : H_ACK)) !== 0) {
      if (len > 0) this.rexmit(slot, side, seq, len, false, false);
      return;
    }
    const syn = (flags & FLAG_SYN) !== 0;
    const fin = (flags & FLAG_FIN) !== 0;
    const rst = (flags & FLAG_RST) !== 0;
    const ack = (flags & FLAG_ACK) !== 0;
    const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    let h = I[o + HIST + side]!;
    if (bits > 1) {
      const mask = fin && rst ? H_FIN_RST : H_MULTI;
      if ((h & mask) === 0) {
        h |= mask;
        this.letter(slot, isOrig, fin && rst ? H_LETTER_I : H_LETTER_Q);
      }
    } else if (bits === 1) {
      if (syn) {
        const first = (h & H_SYN) === 0;
        if (first || seq !== I[o + LAST_SYN + side]) this.letter(slot, isOrig, ack ? H_LETTER_H : H_LETTER_S);
        h |= H_SYN;
        I[o + LAST_SYN + side] = seq;
      } else if (fin) {
        const at = (seq + len) | 0;
        if ((h & H_FIN) === 0 || at !== I[o + LAST_FIN + side]) this.letter(slot, isOrig, H_LETTER_F);
        h |= H_FIN;
        I[o + LAST_FIN + side] = at;
      } else {
        if ((h & H_RST) === 0 || seq !== I[o + LAST_RST + side]) this.letter(slot, isOrig, H_LETTER_R);
        h |= H_RST;
        I[o + LAST_RST + side] = seq;
      }
    } else if (len > 0) {
      if ((h & H_DATA) === 0) {
        h |= H_DATA;
        this.letter(slot, isOrig, H_LETTER_D);
      }
    } else if (ack && (h & H_ACK) === 0) {
      h |= H_ACK;
      this.letter(slot, isOrig, H_LETTER_A);
    }
    I[o + HIST + side] = h;

    const eState = I[o + STATE + side]!;
    const pState = I[o + STATE + (side ^ 1)]!;
    // Zero windows are news only while both sides still talk (Zeek's update_window).
    if (window === 0 && !rst && pState !== EP_CLOSED && eState !== EP_RESET) {
      const D = this.doubles;
      const d = (slot & SLOT_MASK) * DOUBLES;
      if (++D[d + ZERO_WIN + side]! >= D[d + ZERO_WIN_NEXT + side]!) {
        D[d + ZERO_WIN_NEXT + side]! *= 10;
        this.letter(slot, isOrig, H_LETTER_W);
      }
    }
    if (len > 0 && !rst && eState !== EP_RESET) this.rexmit(slot, side, seq, len, syn, fin);

    this.zeekState(o, isOrig, syn, ack, fin, rst, len);
  }

  /** Retransmitted payload: the segment ends at or before what this side already sent (T/t). */
  private rexmit(slot: number, side: number, seq: number, len: number, syn: boolean, fin: boolean): void {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) | 0;
    if (I[o + HAVE_NEXT + side] === 0 || seqDelta(end, I[o + NEXT + side]!) > 0) return;
    const D = this.doubles;
    const d = (slot & SLOT_MASK) * DOUBLES;
    if (++D[d + REXMIT + side]! >= D[d + REXMIT_NEXT + side]!) {
      D[d + REXMIT_NEXT + side]! *= 10;
      this.letter(slot, side === 0, H_LETTER_T);
    }
  }

  /** Appends a history letter: `upper` (A-Z) for the originator, its lower case for the responder. */
  private letter(slot: number, isOrig: boolean, upper: number): void {
    const at = (slot & SLOT_MASK) * INTS + HIST_LEN;
    const n = this.ints[at]!;
    const c = isOrig ? upper : upper | 0x20;
    if (n >= 0 && n < HISTORY_BYTES) {
      this.historyBytes[(slot & SLOT_MASK) * HISTORY_BYTES + n] = c;
      this.ints[at] = n + 1;
    } else this.longLetter(slot, c);
  }

  /** letter() past HISTORY_BYTES letters: the history is a string from then on. */
  private longLetter(slot: number, c: number): void {
    const at = (slot & SLOT_MASK) * INTS + HIST_LEN;
    if (this.ints[at]! >= 0) {
      this.histories[slot] = this.history(slot);
      this.ints[at] = -1;
    }
    this.histories[slot] += String.fromCharCode(c);
  }

  /** The connection's Zeek history. */
  private history(slot: number): string {
    const n = this.ints[(slot & SLOT_MASK) * INTS + HIST_LEN]!;
    if (n < 0) return this.histories[slot]!;
    const start = (slot & SLOT_MASK) * HISTORY_BYTES;
    return this.historyBytes.toString('latin1', start, start + n);
  }

  private setState(o: number, isOrig: boolean, s: number): void {
    const I = this.ints;
    const at = o + STATE + (isOrig ? 0 : 1);
    if (I[at] !== s) {
      I[o + PREV + (isOrig ? 0 : 1)] = I[at]!;
      I[at] = s;
    }
  }

  /** Zeek's per-endpoint state machine, driven by the sender's packet. */
  private zeekState(o: number, isOrig: boolean, syn: boolean, ack: boolean, fin: boolean, rst: boolean, len: number): void {
    const I = this.ints;
    const side = isOrig ? 0 : 1;
    const e = I[o + STATE + side]!;
    const p = I[o + STATE + (side ^ 1)]!;
    switch (e) {
      case EP_INACTIVE: {
        if (syn) {
          if (isOrig) {
            this.setState(o, true, ack ? EP_SYN_ACK_SENT : EP_SYN_SENT);
          } else {
            if (p === EP_SYN_SENT) this.setState(o, true, EP_ESTABLISHED);
            this.setState(o, false, EP_ESTABLISHED);
          }
        }
        if (fin) this.setState(o, isOrig, EP_CLOSED);
        if (rst) this.setState(o, isOrig, EP_RESET);
        if (I[o + STATE + side] === EP_INACTIVE) {
          if (!isOrig && len === 0 && I[o + STATE] === EP_SYN_SENT) {
            // An ACK of the SYN ahead of the SYN+ACK does not make a partial connection.
          } else if (ack && p === EP_ESTABLISHED) {
            this.setState(o, isOrig, EP_ESTABLISHED);
          } else {
            this.setState(o, isOrig, EP_PARTIAL);
          }
        }
        break;
      }
      case EP_SYN_SENT:
      case EP_SYN_ACK_SENT:
        if (fin) this.setState(o, isOrig, EP_CLOSED);
        if (rst) this.setState(o, isOrig, EP_RESET);
        break;
      case EP_ESTABLISHED:
      case EP_PARTIAL:
        if (syn && e === EP_PARTIAL && p === EP_INACTIVE && !ack) this.setState(o, isOrig, EP_SYN_SENT);
        if (fin && !rst) {
          this.setState(o, isOrig, EP_CLOSED);
          const pPrev = I[o + PREV + (side ^ 1)]!;
          // The peer's FIN then RST was a normal close after all.
          if (p === EP_RESET && pPrev === EP_CLOSED) this.setState(o, !isOrig, EP_CLOSED);
        }
        if (rst) this.setState(o, isOrig, EP_RESET);
        break;
      case EP_CLOSED:
        if (rst && p !== EP_CLOSED) this.setState(o, isOrig, EP_RESET);
        break;
      default:
        break;
    }
  }

  private pushNewest(slot: number): void {
    this.moves = (this.moves + 1) | 0;
    this.ints[(slot & SLOT_MASK) * INTS + MOVED_AT] = this.moves;
    this.older[slot] = this.newest;
    this.newer[slot] = NO_SLOT;
    if (this.newest !== NO_SLOT) this.newer[this.newest] = slot;
    this.newest = slot;
    if (this.oldest === NO_SLOT) this.oldest = slot;
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot]!;
    const older = this.older[slot]!;
    if (newer !== NO_SLOT) this.older[newer] = older;
    else this.newest = older;
    if (older !== NO_SLOT) this.newer[older] = newer;
    else this.oldest = newer;
    this.newer[slot] = NO_SLOT;
    this.older[slot] = NO_SLOT;
  }

  /** Take a connection out of the table; list it unless it was evicted unfinished. */
  private release(slot: number, evicted: boolean, atEnd = false): void {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    if (I[o + LIVE] === 0) return;
    I[o + LIVE] = 0;
    const b = I[o + HASH]! & this.bucketMask;
    let head = this.buckets[b]!;
    if (head === slot) {
      this.buckets[b] = this.chain[slot]!;
    } else {
      while (head !== NO_SLOT && this.chain[head] !== slot) head = this.chain[head]!;
      if (head !== NO_SLOT) this.chain[head] = this.chain[slot]!;
    }
    this.chain[slot] = NO_SLOT;
    this.unlink(slot);
    this.liveCount--;
    const unfinished = I[o + CLOSED] === 0;
    this.count(o);
    if (evicted && unfinished) {
      this.summary.evicted++;
    } else {
      if (this.json && !atEnd) {
        this.doneFirst.push(this.doubles[(slot & SLOT_MASK) * DOUBLES + FIRST_INDEX]!);
        const early = (this.early ??= new JsonBytes(null, 4096));
        this.writeJson(slot, early);
        this.doneText.push(early.take());
      }
      if (!this.json || this.onConnection !== undefined) {
        const report = this.report(slot);
        if (this.keep && !this.json) this.finished.push(report);
        this.onConnection?.(report);
      }
      if (this.json && atEnd) {
        // The record stays until finishJson has written it.
        this.pending.push(slot);
        return;
      }
    }
    this.freeSlot(slot);
  }

  private freeSlot(slot: number): void {
    // Only a history that outgrew its bytes is in `histories` (written as slots come, in any order).
    if (this.ints[(slot & SLOT_MASK) * INTS + HIST_LEN]! < 0) this.histories[slot] = '';
    this.violations[slot] = null;
    this.free[this.freeCount++] = slot;
  }

  /** Release closed connections whose linger time has passed. */
  private sweep(): void {
    const q = this.closing;
    const I = this.ints;
    const D = this.doubles;
    while (this.closingHead < q.length) {
      const slot = q[this.closingHead]!;
      const o = (slot & SLOT_MASK) * INTS;
      if (I[o + LIVE] === 0 || I[o + GEN] !== q[this.closingHead + 1]) {
        this.closingHead += 2;
        continue;
      }
      if (this.nowSec - D[(slot & SLOT_MASK) * DOUBLES + LAST_SEC]! <= this.lingerSec) break;
      this.closingHead += 2;
      this.release(slot, false);
    }
    if (this.closingHead > 8192 && this.closingHead * 2 > q.length) {
      q.splice(0, this.closingHead);
      this.closingHead = 0;
    }
  }

  /** End of input: every connection still in the table is finished as it stands. */
  finish(): ConnectionReport[] {
    this.releaseAll();
    this.finished.sort((a, b) => a.firstPacket - b.firstPacket);
    return this.finished;
  }

  /**
   * End of input for a tracker made with `json: true`: every connection's report as UTF-8 JSON
   * text (what JSON.stringify gives for the object `finish()` would return), comma-separated, in
   * first-packet order, handed to `write` in pieces of about 64 KB. Returns how many there were.
   */
  finishJson(write: (piece: Buffer) => void): number {
    this.releaseAll(true);
    const D = this.doubles;
    const pending = this.pending.sort((a, b) => D[a * DOUBLES + FIRST_INDEX]! - D[b * DOUBLES + FIRST_INDEX]!);
    const first = this.doneFirst;
    const text = this.doneText;
    const early = Array.from({ length: text.length }, (_, i) => i).sort((a, b) => first[a]! - first[b]!);
    const out = new JsonBytes(write);
    let n = 0;
    let i = 0;
    let j = 0;
    // Merged by first packet: those finished early, already text, and those held to the end.
    while (i < early.length || j < pending.length) {
      if (n++ > 0) {
        out.reserve(1);
        out.byte(0x2c);
      }
      if (j === pending.length || (i < early.length && first[early[i]!]! < D[pending[j]! * DOUBLES + FIRST_INDEX]!)) {
        const piece = text[early[i++]!]!;
        out.reserve(piece.length);
        out.bytes(piece);
      } else {
        const slot = pending[j++]!;
        this.countHeld(slot, this.writeJson(slot, out));
        // Freed here rather than in a loop of its own after this one, which V8 compiled again.
        this.freeSlot(slot);
      }
    }
    this.addHeldKinds();
    out.end();
    pending.length = 0;
    first.length = 0;
    text.length = 0;
    return n;
  }

  private releaseAll(atEnd = false): void {
    if (atEnd && this.json && this.onConnection === undefined) this.holdAll();
    else {
      const all: number[] = [];
      for (let s = this.oldest; s !== NO_SLOT; s = this.newer[s]!) all.push(s);
      for (const s of all) this.release(s, false, atEnd);
    }
    this.closing.length = 0;
    this.closingHead = 0;
  }

  /**
   * releaseAll for finishJson: what release() does for each connection at the end (keep its
   * record for writing; finishJson counts it), with the table emptied at once rather than slot by slot.
   * It runs once, for thousands of connections: release() would be optimised for it, and would
   * meet unlink's never-taken branches (the newest end) and throw that code away.
   */
  private holdAll(): void {
    const I = this.ints;
    const pending = this.pending;
    // In slot order, not the LRU list's: slots are handed out as connections appear, so this is
    // nearly first-packet order already, and finishJson's sort makes about one comparison a
    // connection (the LRU order took 1.7 a connection on the bench capture).
    for (let s = 0; s < this.slotsUsed; s++) {
      const o = (s & SLOT_MASK) * INTS;
      if (I[o + LIVE] === 0) continue;
      I[o + LIVE] = 0;
      pending.push(s);
    }
    for (const s of pending) this.chain[s] = NO_SLOT;
    this.buckets.fill(NO_SLOT);
    this.newest = NO_SLOT;
    this.oldest = NO_SLOT;
    this.liveCount = 0;
  }

  private count(o: number): void {
    addKind(this.summary, outcome(this.ints, o), closeKind(this.ints, o), 1);
    this.summary.synRetries += this.ints[o + SYN_RETRIES]!;
    this.summary.violations += this.ints[o + VIOLATION_COUNT]!;
  }

  /** count() for a connection finishJson has just written, of the kind writeJson returned (added up by addHeldKinds). */
  private countHeld(slot: number, kind: number): void {
    const o = (slot & SLOT_MASK) * INTS;
    this.heldKinds[kind]++;
    this.summary.synRetries += this.ints[o + SYN_RETRIES]!;
    this.summary.violations += this.ints[o + VIOLATION_COUNT]!;
  }

  private addHeldKinds(): void {
    const kinds = this.heldKinds;
    for (let key = 0; key < KIND_KEYS; key++) {
      if (kinds[key] === 0) continue;
      addKind(this.summary, HandshakeOutcomes[(key >> 7) & 7]!, CloseKinds[(key >> 4) & 7]!, kinds[key]!);
      kinds[key] = 0;
    }
  }

  /** SYN to SYN+ACK, SYN+ACK to final ACK, first SYN to final ACK (ns), null when not seen. */
  private rtt(slot: number, which: number): number | null {
    const I = this.ints;
    const D = this.doubles;
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    const finalAck = I[o + FINAL_ACK] !== 0;
    if (which === RTT_SYN_TO_SYN_ACK) {
      return I[o + SYN_ACK_VALID] !== 0 && I[o + CLIENT_SYN] !== 0
        ? nsBetween(D[d + LAST_SYN_SEC]!, D[d + LAST_SYN_NSEC]!, D[d + SYN_ACK_SEC]!, D[d + SYN_ACK_NSEC]!) : null;
    }
    if (which === RTT_SYN_ACK_TO_ACK) {
      return finalAck ? nsBetween(D[d + SYN_ACK_SEC]!, D[d + SYN_ACK_NSEC]!, D[d + ACK_SEC]!, D[d + ACK_NSEC]!) : null;
    }
    return finalAck ? nsBetween(D[d + FIRST_SYN_SEC]!, D[d + FIRST_SYN_NSEC]!, D[d + ACK_SEC]!, D[d + ACK_NSEC]!) : null;
  }

  private endpoint(slot: number, side: number): string {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    const hi = o + ADDR_HI + 3 * side;
    return endpointString(I[o + V6] !== 0, I[o + ADDR0 + side]! >>> 0, I[hi]! >>> 0, I[hi + 1]! >>> 0, I[hi + 2]! >>> 0, I[o + PORT + side]!);
  }

  private state(slot: number): ConnState {
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    return connStateOf(this.ints[o + STATE]!, this.ints[o + STATE + 1]!, this.doubles[d + BYTES]!, this.doubles[d + BYTES + 1]!, this.history(slot));
  }

  private start(slot: number): string {
    const d = (slot & SLOT_MASK) * DOUBLES;
    return `${this.doubles[d + FIRST_SEC]! + this.baseSec}.${String(this.doubles[d + FIRST_NSEC]!).padStart(9, '0')}`;
  }

  private report(slot: number): ConnectionReport {
    const I = this.ints;
    const D = this.doubles;
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    const synToSynAck = this.rtt(slot, RTT_SYN_TO_SYN_ACK);
    const synAckToAck = this.rtt(slot, RTT_SYN_ACK_TO_ACK);
    return {
      client: this.endpoint(slot, 0),
      server: this.endpoint(slot, 1),
      ipVersion: I[o + V6] !== 0 ? 6 : 4,
      handshake: outcome(I, o),
      close: closeKind(I, o),
      state: this.state(slot),
      history: this.history(slot),
      synRetries: I[o + SYN_RETRIES]!,
      synAckRetries: I[o + SYN_ACK_RETRIES]!,
      handshakeRtt: {
        synToSynAckNs: synToSynAck,
        synAckToAckNs: synAckToAck,
        totalNs: synToSynAck !== null && synAckToAck !== null ? synToSynAck + synAckToAck : null,
        connectNs: this.rtt(slot, RTT_CONNECT),
      },
      durationNs: nsBetween(D[d + FIRST_SEC]!, D[d + FIRST_NSEC]!, D[d + LAST_SEC]!, D[d + LAST_NSEC]!),
      start: this.start(slot),
      options: {
        client: endpointOptions(I, o),
        server: endpointOptions(I, o + 1),
        negotiated: {
          windowScale: I[o + OPT_WSCALE] !== NO_VALUE && I[o + OPT_WSCALE + 1] !== NO_VALUE,
          sackPermitted: I[o + OPT_SACK] !== 0 && I[o + OPT_SACK + 1] !== 0,
          timestamps: I[o + OPT_TS] !== 0 && I[o + OPT_TS + 1] !== 0,
          ecn: I[o + OPT_ECN] !== 0 && I[o + OPT_ECN + 1] !== 0,
          tfoDataAccepted: I[o + TFO_DATA_ACCEPTED] !== 0,
        },
      },
      packets: { client: D[d + PKTS]!, server: D[d + PKTS + 1]! },
      bytes: { client: D[d + BYTES]!, server: D[d + BYTES + 1]! },
      firstPacket: D[d + FIRST_INDEX]!,
      lastPacket: D[d + LAST_INDEX]!,
      file: this.file,
      violations: this.violations[slot] ?? [],
    };
  }

  /**
   * JSON.stringify(this.report(slot)), written as bytes: the values gathered into a row, then
   * one loop over REPORT_LAYOUT writes each field's constant text and its value. The report
   * runs once, at the end, mostly before V8 has optimised it, and what it costs is compiling:
   * one loop that writes each kind of value in one place compiles in a fraction of the time
   * of straight-line code with a write per field. Returns the connection's kind key (kindKey).
   */
  private writeJson(slot: number, w: JsonBytes): number {
    const num = this.rowNumbers;
    const text = this.rowTexts;
    const kind = this.gatherRow(slot, num, text);
    const letters = this.ints[(slot & SLOT_MASK) * INTS + HIST_LEN]!;
    const long = letters < 0 ? this.histories[slot]! : '';
    // Everything but the violations: about 600 constant bytes and 30 values of at most 25
    // characters each, plus the history and the file name.
    w.reserve(2048 + HISTORY_BYTES + long.length + this.fileJson.length);
    for (let k = 0; k < FIELD_COUNT; k++) {
      const field = FIELD_KIND[k]!;
      if (field !== V_TEXT) w.quads(PREFIX.quads, PREFIX.at[k]!, PREFIX.length[k]!);
      if (field === V_NUMBER) {
        const n = num[k]!;
        if (n === n) w.number(n);
        else w.constant(J_NULL);
      } else if (field === V_TEXT) w.constant(text[k]!);
      else if (field === V_ENDPOINT) this.writeEndpoint(slot, num[k]!, w);
      else if (field === V_HISTORY) {
        if (letters >= 0) w.span(this.historyBytes, (slot & SLOT_MASK) * HISTORY_BYTES, letters);
        else w.ascii(long);
      } else if (field === V_NSEC) {
        const nsec = num[k]!;
        if (nsec >= 0 && nsec < 1e9 && (nsec | 0) === nsec) w.padded9(nsec);
        else w.ascii(String(nsec).padStart(9, '0'));
      } else {
        const violations = this.violations[slot];
        if (violations === null || violations === undefined) w.constant(J_NO_VIOLATIONS);
        else w.text(JSON.stringify(violations));
      }
    }
    w.reserve(1);
    w.byte(0x7d);
    return kind;
  }

  /** The values of a connection's JSON, by field (see REPORT_LAYOUT): numbers (NaN for null) and constant texts; returns its kind key. */
  private gatherRow(slot: number, num: Float64Array, text: Constant[]): number {
    const I = this.ints;
    const D = this.doubles;
    const o = (slot & SLOT_MASK) * INTS;
    const d = (slot & SLOT_MASK) * DOUBLES;
    // rtt()'s three cases, written out: as calls, V8 compiled rtt on its own and then again here.
    const finalAck = I[o + FINAL_ACK] !== 0;
    const synToSynAck = I[o + SYN_ACK_VALID] !== 0 && I[o + CLIENT_SYN] !== 0
      ? nsBetween(D[d + LAST_SYN_SEC]!, D[d + LAST_SYN_NSEC]!, D[d + SYN_ACK_SEC]!, D[d + SYN_ACK_NSEC]!) : Number.NaN;
    const synAckToAck = finalAck ? nsBetween(D[d + SYN_ACK_SEC]!, D[d + SYN_ACK_NSEC]!, D[d + ACK_SEC]!, D[d + ACK_NSEC]!) : Number.NaN;
    num[F_CLIENT] = 0;
    num[F_SERVER] = 1;
    const rstos0 = I[o + STATE] === EP_RESET && isRstos0History(this.history(slot));
    const bits = kindBits(I, o, D, d, rstos0);
    const kind = kindsByBits.get(bits) ?? this.newKind(slot, bits);
    text[F_KIND] = kindTexts[kind] ?? newKindText(kind);
    num[F_SYN_RETRIES] = I[o + SYN_RETRIES]!;
    num[F_SYN_ACK_RETRIES] = I[o + SYN_ACK_RETRIES]!;
    num[F_SYN_TO_SYN_ACK] = synToSynAck;
    num[F_SYN_ACK_TO_ACK] = synAckToAck;
    num[F_TOTAL] = synToSynAck + synAckToAck; // NaN (null) unless both are known
    num[F_CONNECT] = finalAck ? nsBetween(D[d + FIRST_SYN_SEC]!, D[d + FIRST_SYN_NSEC]!, D[d + ACK_SEC]!, D[d + ACK_NSEC]!) : Number.NaN;
    num[F_DURATION] = nsBetween(D[d + FIRST_SEC]!, D[d + FIRST_NSEC]!, D[d + LAST_SEC]!, D[d + LAST_NSEC]!);
    num[F_START_SEC] = D[d + FIRST_SEC]! + this.baseSec;
    num[F_START_NSEC] = D[d + FIRST_NSEC]!;
    text[F_OPTIONS] = optionsText(I, o);
    num[F_CLIENT_PACKETS] = D[d + PKTS]!;
    num[F_SERVER_PACKETS] = D[d + PKTS + 1]!;
    num[F_CLIENT_BYTES] = D[d + BYTES]!;
    num[F_SERVER_BYTES] = D[d + BYTES + 1]!;
    num[F_FIRST_PACKET] = D[d + FIRST_INDEX]!;
    num[F_LAST_PACKET] = D[d + LAST_INDEX]!;
    text[F_FILE] = this.fileJson;
    return kind;
  }

  /** The kind key of a connection whose kindBits were not seen before (kindsByBits learns it). */
  private newKind(slot: number, bits: number): number {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    const kind = kindKey(I[o + V6] !== 0, outcome(I, o), closeKind(I, o), this.state(slot));
    kindsByBits.set(bits, kind);
    return kind;
  }

  /** `a.b.c.d:port` or `[v6]:port`, as endpointString. */
  private writeEndpoint(slot: number, side: number, w: JsonBytes): void {
    const I = this.ints;
    const o = (slot & SLOT_MASK) * INTS;
    if (I[o + V6] === 0) w.ipv4(I[o + ADDR0 + side]!);
    else {
      const hi = o + ADDR_HI + 3 * side;
      w.byte(0x5b);
      w.ipv6(I[o + ADDR0 + side]!, I[hi]!, I[hi + 1]!, I[hi + 2]!);
      w.byte(0x5d);
    }
    w.byte(0x3a);
    w.small(I[o + PORT + side]!);
  }
}

// A connection's JSON: each field's value follows a constant text (its key and what closes the
// field before), in JSON.stringify's order for a ConnectionReport; a closing brace ends it. Runs
// of keys and values that few connections tell apart (the outcome names, the option blocks, the
// file name) are one cached text each, which carries its own keys.
/** How a field's value is written: a number (NaN writes null), a text from the row (with no prefix), or from the record. */
const V_NUMBER = 0;
const V_TEXT = 1;
const V_ENDPOINT = 2; // the row holds the side
const V_HISTORY = 3;
const V_NSEC = 4; // nine digits
const V_VIOLATIONS = 5;

const REPORT_LAYOUT: ReadonlyArray<readonly [string, number]> = [
  ['{"client":"', V_ENDPOINT],
  ['","server":"', V_ENDPOINT],
  ['', V_TEXT], // '","ipVersion":4,"handshake":"complete","close":"fin","state":"SF","history":"'
  ['', V_HISTORY],
  ['","synRetries":', V_NUMBER],
  [',"synAckRetries":', V_NUMBER],
  [',"handshakeRtt":{"synToSynAckNs":', V_NUMBER],
  [',"synAckToAckNs":', V_NUMBER],
  [',"totalNs":', V_NUMBER],
  [',"connectNs":', V_NUMBER],
  ['},"durationNs":', V_NUMBER],
  [',"start":"', V_NUMBER],
  ['.', V_NSEC],
  ['', V_TEXT], // '","options":{"client":{…},"server":{…},"negotiated":{…}},"packets":{"client":'
  ['', V_NUMBER],
  [',"server":', V_NUMBER],
  ['},"bytes":{"client":', V_NUMBER],
  [',"server":', V_NUMBER],
  ['},"firstPacket":', V_NUMBER],
  [',"lastPacket":', V_NUMBER],
  ['', V_TEXT], // ',"file":"…","violations":'
  ['', V_VIOLATIONS],
];
// Row positions of the fields, in REPORT_LAYOUT's order.
const F_CLIENT = 0;
const F_SERVER = 1;
const F_KIND = 2;
const F_SYN_RETRIES = 4;
const F_SYN_ACK_RETRIES = 5;
const F_SYN_TO_SYN_ACK = 6;
const F_SYN_ACK_TO_ACK = 7;
const F_TOTAL = 8;
const F_CONNECT = 9;
const F_DURATION = 10;
const F_START_SEC = 11;
const F_START_NSEC = 12;
const F_OPTIONS = 13;
const F_CLIENT_PACKETS = 14;
const F_SERVER_PACKETS = 15;
const F_CLIENT_BYTES = 16;
const F_SERVER_BYTES = 17;
const F_FIRST_PACKET = 18;
const F_LAST_PACKET = 19;
const F_FILE = 20;
const FIELD_COUNT = REPORT_LAYOUT.length;
/** Each field's prefix (its key and what closes the field before), for JsonBytes.quads. */
const PREFIX = new QuadText(REPORT_LAYOUT.map(([prefix]) => prefix));
const FIELD_KIND = Uint8Array.from(REPORT_LAYOUT, ([, kind]) => kind);

const J_NULL = ascii('null');
const J_NO_VIOLATIONS = ascii('[]');
const J_END = ascii('}');

/** Kind keys (see kindKey) are below this. */
const KIND_KEYS = 16 * 8 * 16;
/** The IPv6 part of a kind key. */
const KIND_V6 = 8 * 8 * 16;
/**
 * `","ipVersion":…,"history":"` for each IP version, outcome, close and state, made when first
 * needed. Filled with null up front: indexes written as they came made a sparse (dictionary)
 * array, read through the generic keyed load for every connection.
 */
const kindTexts: (Constant | null)[] = new Array<Constant | null>(KIND_KEYS).fill(null);
const OUTCOME_INDEX = indexesOf(HandshakeOutcomes);
const CLOSE_INDEX = indexesOf(CloseKinds);
const STATE_INDEX = indexesOf(ConnStates);

/** `n` connections of one outcome and close, into a summary. */
function addKind(s: HandshakeSummary, hs: HandshakeOutcome, ck: CloseKind, n: number): void {
  s.connections += n;
  if (hs !== 'midstream') s.attempts += n;
  // Every counter is written on every call (adding 0 or n): a case first reached late in a
  // capture would deoptimise the release path.
  s.complete += hs === 'complete' ? n : 0;
  s.simultaneous += hs === 'simultaneous' ? n : 0;
  s.refused += hs === 'refused' ? n : 0;
  s.timedOut += hs === 'timeout' ? n : 0;
  s.incomplete += hs === 'incomplete' ? n : 0;
  s.midstream += hs === 'midstream' ? n : 0;
  s.fin += ck === 'fin' ? n : 0;
  s.halfClosed += ck === 'half-closed' ? n : 0;
  s.open += ck === 'open' ? n : 0;
  s.reset += ck === 'reset-by-client' || ck === 'reset-by-server' ? n : 0;
}

/** ((IP version, outcome) * 8 + close) * 16 + state: below KIND_KEYS; addHeldKinds and newKindText take it apart. */
function kindKey(v6: boolean, handshake: HandshakeOutcome, close: CloseKind, state: ConnState): number {
  return (((v6 ? 8 : 0) + OUTCOME_INDEX[handshake]) * 8 + CLOSE_INDEX[close]) * 16 + STATE_INDEX[state];
}

/** The kind text of a key met for the first time: its own function, so V8 does not compile it into gatherRow. */
function newKindText(key: number): Constant {
  const v6 = key >= KIND_V6;
  const handshake = HandshakeOutcomes[(key >> 7) & 7]!;
  const close = CloseKinds[(key >> 4) & 7]!;
  const state = ConnStates[key & 15]!;
  return kindTexts[key] = ascii(
    `","ipVersion":${v6 ? 6 : 4},"handshake":"${handshake}","close":"${close}","state":"${state}","history":"`);
}

/**
 * Everything outcome(), closeKind() and connStateOf() read, as one integer: the report writer
 * looks the kind key up by it (kindsByBits), so their branches run once per distinct value
 * rather than being compiled into the writer.
 */
function kindBits(I: Int32Array, o: number, D: Float64Array, d: number, rstos0: boolean): number {
  const os = I[o + STATE]!;
  const rstBy = I[o + RST_BY]!;
  return (I[o + V6] !== 0 ? 1 : 0) | (I[o + CLIENT_SYN] !== 0 ? 2 : 0) | (I[o + SIMULTANEOUS] !== 0 ? 4 : 0) |
    (I[o + SIM_CLIENT_ACKED] !== 0 ? 8 : 0) | (I[o + SIM_SERVER_ACKED] !== 0 ? 16 : 0) |
    (I[o + FINAL_ACK] !== 0 ? 32 : 0) | (I[o + SYN_ACK_SEEN] !== 0 ? 64 : 0) | (I[o + REFUSED] !== 0 ? 128 : 0) |
    (rstBy !== 0 ? 256 : 0) | (rstBy === 1 ? 512 : 0) | (I[o + RST_AFTER_FINS] !== 0 ? 1024 : 0) |
    (I[o + FIN] !== 0 ? 2048 : 0) | (I[o + FIN + 1] !== 0 ? 4096 : 0) | ((os & 7) << 13) | ((I[o + STATE + 1]! & 7) << 16) |
    (D[d + BYTES] === 0 ? 1 << 19 : 0) | (D[d + BYTES + 1] === 0 ? 1 << 20 : 0) |
    (rstos0 ? 1 << 21 : 0);
}

/** Kind keys by kindBits. */
const kindsByBits = new Map<number, number>();

function indexesOf<T extends string>(names: readonly T[]): Record<T, number> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<T, number>;
}


/**
 * The options block of recently written connections, direct-mapped by the packed keys of the
 * two sides and the negotiated flags: a capture's connections share a handful of option sets,
 * and one constant write of a cached text replaces thirty.
 */
const OPTIONS_CACHE_SIZE = 64;
/** Client key, server key and negotiated flags of each entry (-1: empty). */
const optionsCacheKeys = new Int32Array(3 * OPTIONS_CACHE_SIZE).fill(-1);
const optionsCacheText: Constant[] = new Array<Constant>(OPTIONS_CACHE_SIZE).fill(J_END);

/** `","options":{…},"packets":{"client":`, keys in the order of report()'s options. */
function optionsText(I: Int32Array, o: number): Constant {
  const client = optionsKey(I, o);
  const server = optionsKey(I, o + 1);
  const negotiated =
    (I[o + OPT_WSCALE] !== NO_VALUE && I[o + OPT_WSCALE + 1] !== NO_VALUE ? 16 : 0) |
    (I[o + OPT_SACK] !== 0 && I[o + OPT_SACK + 1] !== 0 ? 8 : 0) |
    (I[o + OPT_TS] !== 0 && I[o + OPT_TS + 1] !== 0 ? 4 : 0) |
    (I[o + OPT_ECN] !== 0 && I[o + OPT_ECN + 1] !== 0 ? 2 : 0) |
    (I[o + TFO_DATA_ACCEPTED] !== 0 ? 1 : 0);
  const i = (mix(client ^ Math.imul(server, 0x9e3779b1) ^ negotiated) >>> 0) & (OPTIONS_CACHE_SIZE - 1);
  const K = optionsCacheKeys;
  if (K[3 * i] !== client || K[3 * i + 1] !== server || K[3 * i + 2] !== negotiated) {
    return cacheOptionsText(i, client, server, negotiated, I, o);
  }
  return optionsCacheText[i]!;
}

/** optionsText on a cache miss: its own function, so V8 does not compile it into optionsText. */
function cacheOptionsText(i: number, client: number, server: number, negotiated: number, I: Int32Array, o: number): Constant {
  const K = optionsCacheKeys;
  K[3 * i] = client;
  K[3 * i + 1] = server;
  K[3 * i + 2] = negotiated;
  return optionsCacheText[i] = ascii(`","options":${JSON.stringify({
    client: endpointOptions(I, o),
    server: endpointOptions(I, o + 1),
    negotiated: {
      windowScale: (negotiated & 16) !== 0, sackPermitted: (negotiated & 8) !== 0, timestamps: (negotiated & 4) !== 0,
      ecn: (negotiated & 2) !== 0, tfoDataAccepted: (negotiated & 1) !== 0,
    },
  })},"packets":{"client":`);
}

/** One side's options packed in 30 bits: MSS and window scale are -1 (absent) or at most 65535 and 255. */
function optionsKey(I: Int32Array, o: number): number {
  return ((I[o + OPT_MSS]! + 1) << 13) | ((I[o + OPT_WSCALE]! + 1) << 4) |
    (I[o + OPT_SACK] !== 0 ? 8 : 0) | (I[o + OPT_TS] !== 0 ? 4 : 0) | (I[o + OPT_TFO] !== 0 ? 2 : 0) | (I[o + OPT_ECN] !== 0 ? 1 : 0);
}

/** One side's options; `o` is the record offset plus the side (0 client, 1 server). */
function endpointOptions(I: Int32Array, o: number): EndpointOptions {
  const mss = I[o + OPT_MSS]!;
  const windowScale = I[o + OPT_WSCALE]!;
  return {
    mss: mss === NO_VALUE ? null : mss,
    windowScale: windowScale === NO_VALUE ? null : windowScale,
    sackPermitted: I[o + OPT_SACK] !== 0,
    timestamps: I[o + OPT_TS] !== 0,
    tfo: I[o + OPT_TFO] !== 0,
    ecn: I[o + OPT_ECN] !== 0,
  };
}

function isFragment(pkt: Packet): boolean {
  // An atomic IPv6 fragment (offset 0, M clear) is a whole datagram (RFC 6946).
  if (pkt.has(L_IPV6) && (pkt.ip6.fragmented || pkt.ip6.fragmentOffset !== 0)) return true;
  return pkt.has(L_IPV4) && pkt.ip4.isFragment;
}

/** Payload of a segment whose TCP header the capture cut short, from the IP length fields. */
function truncatedPayload(pkt: Packet, tcpOffset: number, tcpHeaderLength: number): number {
  let n: number;
  const hasV4 = pkt.has(L_IPV4);
  if (pkt.has(L_IPV6) && (!hasV4 || pkt.ip6.offset > pkt.ip4.offset)) {
    n = pkt.ip6.payloadLength - (tcpOffset - (pkt.ip6.offset + 40)) - tcpHeaderLength;
  } else if (hasV4) {
    n = pkt.ip4.totalLength - (tcpOffset - pkt.ip4.offset) - tcpHeaderLength;
  } else n = 0;
  return n > 0 ? n : 0;
}

/** Does `ack` (int32) acknowledge a SYN with sequence `isn` carrying `dataLen` bytes? */
function acksSyn(ack: number, isn: number, dataLen: number): boolean {
  if (ack === ((isn + 1) | 0)) return true;
  return dataLen > 0 && ack === ((isn + 1 + dataLen) | 0);
}

// outcome() and closeKind() read every field on every call, as connState() compares: a field
// first read by a rare connection late in the capture would deoptimise the report builder.

function outcome(I: Int32Array, o: number): HandshakeOutcome {
  const clientSyn = I[o + CLIENT_SYN] !== 0;
  const simultaneous = I[o + SIMULTANEOUS] !== 0;
  const simDone = I[o + SIM_CLIENT_ACKED] !== 0 && I[o + SIM_SERVER_ACKED] !== 0;
  const finalAck = I[o + FINAL_ACK] !== 0;
  const synAckSeen = I[o + SYN_ACK_SEEN] !== 0;
  const refused = I[o + REFUSED] !== 0;
  if (!clientSyn) return 'midstream';
  if (simultaneous) return simDone ? 'simultaneous' : 'incomplete';
  if (finalAck) return 'complete';
  if (synAckSeen) return 'incomplete';
  if (refused) return 'refused';
  return 'timeout';
}

function closeKind(I: Int32Array, o: number): CloseKind {
  const rstBy = I[o + RST_BY]!;
  const rstAfterFins = I[o + RST_AFTER_FINS] !== 0;
  const cFin = I[o + FIN] !== 0;
  const sFin = I[o + FIN + 1] !== 0;
  if (rstBy !== 0 && !rstAfterFins) return rstBy === 1 ? 'reset-by-client' : 'reset-by-server';
  if (cFin && sFin) return 'fin';
  if (cFin || sFin) return 'half-closed';
  return 'open';
}

/** What the SYN option callback writes into: set by readSynOptions before each walk. */
const synOpt: { b: Uint8Array; I: Int32Array; o: number; first: boolean; tfo: boolean } = {
  b: new Uint8Array(0), I: new Int32Array(0), o: 0, first: false, tfo: false,
};

/** One option of a SYN or SYN+ACK, handed over by the codec's walkOptions. */
function onSynOption(kind: number, p: number, len: number): void {
  const { b, I, o } = synOpt;
  if (synOpt.first) {
    if (kind === 2 && len === 4) I[o + OPT_MSS] = (b[p + 2]! << 8) | b[p + 3]!;
    else if (kind === 3 && len === 3) I[o + OPT_WSCALE] = b[p + 2]!;
    else if (kind === 4 && len === 2) I[o + OPT_SACK] = 1;
    else if (kind === 8 && len === 10) I[o + OPT_TS] = 1;
  }
  if (kind === 34 || (kind === 254 && len >= 4 && b[p + 2] === 0xf9 && b[p + 3] === 0x89)) synOpt.tfo = true;
}

/**
 * Parse the options of a SYN or SYN+ACK (`length` bytes at `at` in b) into the sender's option
 * fields of a connection record (`o`: the record offset plus the side); returns whether it
 * carried TFO. The walk stops at EOL or at the first malformed option.
 */
function readSynOptions(b: Uint8Array, at: number, length: number, I: Int32Array, o: number, flags: number, fromClient: boolean): boolean {
  const first = I[o + OPT_SEEN] === 0;
  synOpt.b = b;
  synOpt.I = I;
  synOpt.o = o;
  synOpt.first = first;
  synOpt.tfo = false;
  walkOptions(b, at, at + length, onSynOption);
  const tfo = synOpt.tfo;
  if (first) {
    I[o + OPT_SEEN] = 1;
    I[o + OPT_TFO] = tfo ? 1 : 0;
    const ece = (flags & FLAG_ECE) !== 0;
    const cwr = (flags & FLAG_CWR) !== 0;
    I[o + OPT_ECN] = (fromClient ? ece && cwr : ece && !cwr) ? 1 : 0;
  } else if (tfo) {
    I[o + OPT_TFO] = 1;
  }
  return tfo;
}

const FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [FLAG_SYN, 'SYN'], [FLAG_FIN, 'FIN'], [FLAG_RST, 'RST'], [FLAG_PSH, 'PSH'], [FLAG_ACK, 'ACK'], [FLAG_URG, 'URG'],
];

export function flagNames(flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of FLAG_LETTERS) if (flags & bit) parts.push(name);
  return parts.length ? parts.join('+') : 'a segment with no flags';
}

/** `a.b.c.d:port` or `[v6]:port`, the address text being the codec's (RFC 5952, as tcpdump). */
export function endpointString(v6: boolean, w0: number, w1: number, w2: number, w3: number, port: number): string {
  if (!v6) return `${ipv4FromNumber(w0)}:${port}`;
  return `[${ipv6Text(w0, w1, w2, w3)}]:${port}`;
}

/** One scratch address for ipv6Text. */
const V6_SCRATCH = new Uint8Array(16);
/**
 * Text of recent IPv6 addresses, direct-mapped by a hash of their words: a capture's
 * connections share few addresses, and the codec's formatter builds several strings each time.
 */
const V6_CACHE_SIZE = 256;
const v6CacheWords = new Int32Array(4 * V6_CACHE_SIZE);
const v6CacheText: string[] = new Array<string>(V6_CACHE_SIZE).fill('');

/** The RFC 5952 text of the IPv6 address in four 32-bit words (signed or unsigned), as the codec's ipv6String. */
function ipv6Text(w0: number, w1: number, w2: number, w3: number): string {
  w0 |= 0;
  w1 |= 0;
  w2 |= 0;
  w3 |= 0;
  const i = mix(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f)) & (V6_CACHE_SIZE - 1);
  const k = 4 * i;
  const W = v6CacheWords;
  let text = v6CacheText[i]!;
  if (text === '' || W[k] !== w0 || W[k + 1] !== w1 || W[k + 2] !== w2 || W[k + 3] !== w3) {
    putWord(V6_SCRATCH, 0, w0);
    putWord(V6_SCRATCH, 4, w1);
    putWord(V6_SCRATCH, 8, w2);
    putWord(V6_SCRATCH, 12, w3);
    text = ipv6String(V6_SCRATCH, 0);
    W[k] = w0;
    W[k + 1] = w1;
    W[k + 2] = w2;
    W[k + 3] = w3;
    v6CacheText[i] = text;
  }
  return text;
}

function putWord(b: Uint8Array, o: number, w: number): void {
  b[o] = w >>> 24;
  b[o + 1] = w >>> 16;
  b[o + 2] = w >>> 8;
  b[o + 3] = w;
}
