/**
 * wirescope's library API. Everything the CLI does is available here:
 *
 *   read     openCapture(path | stream | Buffer) -> batches of CaptureRecord
 *   decode   new PacketDecoder().decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen)
 *   filter   compileFilter('tcp port 80', linkType)(rec.buf, rec.offset, rec.capLen, rec.origLen)
 *   print    TcpdumpPrinter (tcpdump-compatible lines)
 *   track    trackHandshakes(source) -> HandshakeReport (what `wirescope handshakes --json` prints)
 *   write    openWriter(path, { format: 'pcap' | 'pcapng', linkType })
 *   build    encodePacket(spec) -> Buffer with lengths and checksums filled in
 *   live     capture({ interface, filter }), captureHandshakes(...) (needs libpcap; loaded lazily)
 *
 * Vitest matchers live at `wirescope/vitest`.
 */
export * from './codec/index.js';
export * from './capture/index.js';
export * from './errors.js';
export { compileFilter, parseFilter, type PacketFilter, type FilterOptions } from './filter/index.js';
export { TcpdumpPrinter, defaultPrintOptions, type PrintOptions } from './printer/index.js';
export {
  HandshakeTracker,
  trackHandshakes,
  checkReport,
  formatTable,
  formatSummary,
  junitXml,
  endpointString,
  connState,
  type HandshakeSource,
  type TrackHandshakesOptions,
  type TrackerOptions,
  type AssertionOptions,
  type AssertionResult,
  type AssertionFailure,
} from './track/index.js';
export type * from './track/types.js';
export {
  capture,
  captureHandshakes,
  listInterfaces,
  openLiveCapture,
  type Capture,
  type CaptureOptions,
  type CaptureHandshakesOptions,
  type HandshakeCapture,
  type InterfaceListing,
  type LiveCaptureOptions,
} from './live/index.js';
