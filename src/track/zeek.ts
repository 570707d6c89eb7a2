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

/** Whether a history reads as Zeek's RSTOS0 (when the originator reset and the responder stayed quiet). */
export function isRstos0History(history: string): boolean {
  return RSTOS0_HISTORY.test(history);
}

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
  return connStateOf(z.oState, z.rState, z.oSize, z.rSize, z.history);
}

/** connState from the values themselves, with no object to build: the tracker reads them from its typed-array records. */
export function connStateOf(os: number, rs: number, oSize: number, rSize: number, history: string): ConnState {
  // Every comparison is made on every call, then only booleans pick the answer: a comparison
  // first reached by the thousandth connection would throw away the optimised report builder.
  const oInactive = os === Endpoint.Inactive;
  const oPartial = os === Endpoint.Partial;
  const oSynSent = os === Endpoint.SynSent;
  const oSynAckSent = os === Endpoint.SynAckSent;
  const oEstablished = os === Endpoint.Established;
  const oClosed = os === Endpoint.Closed;
  const oReset = os === Endpoint.Reset;
  const rInactive = rs === Endpoint.Inactive;
  const rPartial = rs === Endpoint.Partial;
  const rEstablished = rs === Endpoint.Established;
  const rClosed = rs === Endpoint.Closed;
  const rReset = rs === Endpoint.Reset;
  const oNoData = oSize === 0;
  const rNoData = rSize === 0;
  const oQuiet = oInactive || oPartial;
  const rQuiet = rInactive || rPartial;
  if (rReset) {
    if (oSynSent || oSynAckSent) return 'REJ';
    if (oReset && oNoData && rNoData) return 'REJ';
    return oQuiet ? 'RSTRH' : 'RSTR';
  }
  if (oReset) {
    if (!rQuiet) return 'RSTO';
    return isRstos0History(history) ? 'RSTOS0' : 'OTH';
  }
  if (rClosed && oClosed) return 'SF';
  if (oClosed) return rQuiet ? 'SH' : 'S2';
  if (rClosed) return oQuiet ? 'SHR' : 'S3';
  if (oSynSent && rInactive) return 'S0';
  if (oEstablished && rEstablished) return 'S1';
  return 'OTH';
}
