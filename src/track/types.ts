/**
 * The handshake report: what `wirescope handshakes --json` prints and `trackHandshakes()`
 * returns. Field names are a contract (issue 5); add fields, never rename them.
 */

export const HandshakeOutcomes = ['complete', 'refused', 'timeout', 'incomplete', 'simultaneous', 'midstream'] as const;
export type HandshakeOutcome = (typeof HandshakeOutcomes)[number];

export const CloseKinds = ['fin', 'half-closed', 'reset-by-client', 'reset-by-server', 'open'] as const;
export type CloseKind = (typeof CloseKinds)[number];

/** Zeek conn.log `conn_state` values. */
export const ConnStates = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'] as const;
export type ConnState = (typeof ConnStates)[number];

export const ViolationKinds = {
  /** SYN+ACK whose acknowledgment number is not the client's ISN + 1 (+ accepted SYN data). */
  SynAckWrongAck: 'synack-wrong-ack',
  /** The client's first ACK after the SYN+ACK does not acknowledge the server's ISN + 1. */
  FinalAckWrong: 'final-ack-wrong',
  /** Payload on a SYN that carries no TCP Fast Open option. */
  SynDataWithoutTfo: 'syn-data-without-tfo',
  /** A SYN carrying payload and FIN at once. */
  SynDataFin: 'syn-data-fin',
  /** RST whose sequence number falls outside the receiver's window (RFC 5961 3.2 / RFC 9293 3.10.7). */
  RstOutOfWindow: 'rst-out-of-window',
  /** Any segment on the connection after an accepted RST. */
  PacketAfterRst: 'packet-after-rst',
  /** SYN+FIN, SYN+RST, or none of SYN/ACK/FIN/RST/PSH/URG set. */
  InvalidFlags: 'invalid-flags',
} as const;
export type ViolationKind = (typeof ViolationKinds)[keyof typeof ViolationKinds];

export interface Violation {
  /** 1-based packet number in its capture file (tcpdump's `-#`). */
  packet: number;
  kind: ViolationKind;
  message: string;
}

export interface EndpointOptions {
  /** MSS option on this side's SYN (or SYN+ACK); null when absent. */
  mss: number | null;
  /** Window scale shift offered on this side's SYN; null when absent. */
  windowScale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  /** A TCP Fast Open option (RFC 7413, kind 34 or the experimental 254/0xF989) on the SYN. */
  tfo: boolean;
  /** Client: ECE+CWR on the SYN (RFC 3168 request); server: ECE on the SYN+ACK (agreement). */
  ecn: boolean;
}

export interface NegotiatedOptions {
  /** Both SYNs carried window scale, so both shifts apply. */
  windowScale: boolean;
  sackPermitted: boolean;
  timestamps: boolean;
  ecn: boolean;
  /** The SYN carried data and the SYN+ACK acknowledged it. */
  tfoDataAccepted: boolean;
}

export interface ConnectionOptions {
  client: EndpointOptions;
  server: EndpointOptions;
  negotiated: NegotiatedOptions;
}

export interface HandshakeRtt {
  /** Last SYN transmission before the first valid SYN+ACK, to that SYN+ACK. */
  synToSynAckNs: number | null;
  /** First valid SYN+ACK to the client's ACK completing the handshake. */
  synAckToAckNs: number | null;
  /** Sum of the two: the handshake round trip seen at the capture point. */
  totalNs: number | null;
  /** First SYN to the completing ACK: what connect() waited, SYN retransmissions included. */
  connectNs: number | null;
}

export interface DirectionCounts {
  client: number;
  server: number;
}

export interface ConnectionReport {
  /** `addr:port`, IPv6 as `[addr]:port`. The client sent the first SYN without ACK. */
  client: string;
  server: string;
  ipVersion: 4 | 6;
  handshake: HandshakeOutcome;
  close: CloseKind;
  /** Zeek conn_state. */
  state: ConnState;
  /** Zeek history string (upper case = client/originator). */
  history: string;
  /** SYNs sent again with the same ISN. */
  synRetries: number;
  /** SYN+ACKs sent again with the same ISN. */
  synAckRetries: number;
  handshakeRtt: HandshakeRtt;
  /** First to last packet of the connection. */
  durationNs: number;
  /** Capture timestamp of the first packet, "seconds.nanoseconds". */
  start: string;
  options: ConnectionOptions;
  packets: DirectionCounts;
  /** TCP payload bytes. */
  bytes: DirectionCounts;
  firstPacket: number;
  lastPacket: number;
  /** The capture the connection came from (several files may be given). */
  file: string;
  violations: Violation[];
}

export interface HandshakeSummary {
  /** Connections reported plus those evicted by the memory cap. */
  connections: number;
  /** Connections that began with a client SYN (all but midstream). */
  attempts: number;
  complete: number;
  simultaneous: number;
  refused: number;
  timedOut: number;
  incomplete: number;
  midstream: number;
  /** Connections closed by RST from either side. */
  reset: number;
  fin: number;
  halfClosed: number;
  open: number;
  synRetries: number;
  /** Total violations over all connections. */
  violations: number;
  /** Connections dropped from the table by the LRU cap before they finished (counted above by their state at eviction, not listed). */
  evicted: number;
  /** Packets read, and TCP segments tracked, over all files. */
  packets: number;
  tcpPackets: number;
}

export interface HandshakeReport {
  connections: ConnectionReport[];
  summary: HandshakeSummary;
}
