/**
 * Zeek's per-endpoint TCP states and conn_state derivation, written from Zeek's documented
 * conn.log semantics (base/protocols/conn/main.zeek, the TCP session adapter's endpoint state
 * machine). Kept apart from the tracker so the rules can be read against Zeek's docs.
 */
import type { ConnState } from './types.js';

export const Endpoint = {
  Inactive: 0,
  SynSent: 1,
  SynAckSent: 2,
  Partial: 3,
  Established: 4,
  Closed: 5,
  Reset: 6,
} as const;
export type EndpointState = (typeof Endpoint)[keyof typeof Endpoint];

/** History letter bits, one per letter kind and endpoint (Zeek records a, d, i, q once). */
export const Hist = {
  Syn: 1,
  Fin: 2,
  Rst: 4,
  Data: 8,
  Ack: 16,
  FinRst: 32,
  Multi: 64,
} as const;

/** Zeek's RSTOS0 test: the originator's SYN then RST with nothing from the responder between. */
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;

export interface ZeekEndpoints {
  oState: number;
  rState: number;
  /** Payload bytes each side sent (Zeek uses sequence-space sizes; equal without retransmissions). */
  oSize: number;
  rSize: number;
  history: string;
}

/** conn_state from the two endpoint states, as Zeek's conn script derives it. */
export function connState(z: ZeekEndpoints): ConnState {
  const os = z.oState;
  const rs = z.rState;
  const oInactive = os === Endpoint.Inactive || os === Endpoint.Partial;
  const rInactive = rs === Endpoint.Inactive || rs === Endpoint.Partial;
  if (rs === Endpoint.Reset) {
    if (os === Endpoint.SynSent || os === Endpoint.SynAckSent) return 'REJ';
    if (os === Endpoint.Reset && z.oSize === 0 && z.rSize === 0) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === Endpoint.Reset) {
    if (!rInactive) return 'RSTO';
    return RSTOS0_HISTORY.test(z.history) ? 'RSTOS0' : 'OTH';
  }
  if (rs === Endpoint.Closed && os === Endpoint.Closed) return 'SF';
  if (os === Endpoint.Closed) return rInactive ? 'SH' : 'S2';
  if (rs === Endpoint.Closed) return oInactive ? 'SHR' : 'S3';
  if (os === Endpoint.SynSent && rs === Endpoint.Inactive) return 'S0';
  if (os === Endpoint.Established && rs === Endpoint.Established) return 'S1';
  return 'OTH';
}
