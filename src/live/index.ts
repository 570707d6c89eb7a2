/**
 * Live capture through libpcap (the optional `cap` module, loaded only when used).
 *
 * For the CLI (`wirescope -i IFACE`, `-D`, `handshakes -i`): `openLiveCapture()` gives a
 * LiveRecordSource that plugs into the same pipeline as `openCapture()`;
 * `stopCaptureOn()` ends it on SIGINT/SIGTERM/--duration; `formatCaptureStats()` is tcpdump's
 * summary for stderr; `listInterfaces()` + `formatInterfaceListing()` print `-D`.
 * Every failure is a WirescopeError (one line, exit 2).
 *
 * Timestamps are taken on arrival in JavaScript (cap passes no kernel timestamps).
 */
import type { CaptureRecord, CaptureStats } from '../capture/record.js';
import { UsageError } from '../errors.js';
import { parseDurationNs } from '../duration.js';
import { feedSource, HandshakeTracker, type ConnectionReport, type HandshakeReport, type TrackerOptions } from '../track/index.js';
import { loadCap } from './binding.js';
import { formatInterfaceListing, listInterfacesWith, type InterfaceListing } from './interfaces.js';
import { LiveCapture, openWithCap, type LiveCaptureOptions } from './source.js';

export { LiveCapture, CAP_SNAPLEN, DEFAULT_SNAPLEN, type LiveCaptureOptions } from './source.js';
export { formatInterfaceListing, formatInterfaceLine, type InterfaceListing, type ConnectionStatus } from './interfaces.js';
export {
  CapturePermissionError,
  InterfaceOpenError,
  LibpcapUnavailableError,
  LiveFilterError,
  UnknownInterfaceError,
} from './errors.js';
export { loadCap } from './binding.js';

/** Opens an interface for capture. Packets are captured from the moment this resolves. */
export async function openLiveCapture(opts: LiveCaptureOptions): Promise<LiveCapture> {
  if (!opts.interface) throw new UsageError('live capture: no interface given');
  const cap = await loadCap();
  let name = opts.interface;
  if (/^\d+$/.test(name)) {
    // tcpdump accepts the -D number in place of the name.
    const list = listInterfacesWith(cap);
    const hit = list.find((l) => l.index === Number(name));
    if (!hit) throw new UsageError(`interface number ${name} out of range (1..${list.length}); see wirescope -D`);
    name = hit.name;
  }
  return openWithCap(cap, name, opts);
}

/** The interfaces libpcap can capture on, in `tcpdump -D` order. */
export async function listInterfaces(): Promise<InterfaceListing[]> {
  return listInterfacesWith(await loadCap());
}

/** `wirescope -D`: prints the listing; returns the exit code. */
export async function printInterfaces(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  out.write(formatInterfaceListing(await listInterfaces()));
  return 0;
}

/** tcpdump's end-of-capture summary (for stderr). */
export function formatCaptureStats(s: CaptureStats): string {
  const line = (n: number, what: string) => `${n} packet${n === 1 ? '' : 's'} ${what}\n`;
  return line(s.captured, 'captured') + line(s.received, 'received by filter') + line(s.dropped, 'dropped by kernel');
}

/**
 * Closes `source` on SIGINT or SIGTERM, or after `durationMs`, once the packets already in the
 * kernel ring have been read (at most 250 ms); the consumer's loop then drains every packet
 * received and ends. Returns a function that removes the handlers.
 */
export function stopCaptureOn(source: LiveCapture, durationMs?: number): () => void {
  const stopWith = (why: 'signal' | 'duration') => {
    if (source.stoppedBy !== null) return;
    source.stoppedBy = why;
    // Read what the kernel already holds (bounded), so every packet received is still printed.
    void settle(source, 10, 250).then(() => source.close());
  };
  const stop = () => stopWith('signal');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const timer = durationMs !== undefined && durationMs > 0 ? setTimeout(() => stopWith('duration'), durationMs) : undefined;
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (timer) clearTimeout(timer);
  };
}

/** Parses `--duration` values: `10s`, `500ms`, `2m`, or plain seconds. */
export function parseDuration(text: string): number {
  return parseDurationNs(text, 's') / 1e6;
}

export interface CaptureOptions {
  interface: string;
  filter?: string;
  snaplen?: number;
  bufferSize?: number;
}

/**
 * Library API: a running capture. Iterate it (during or after the capture) for records; each
 * record is valid until the next one is requested (`copy()` keeps one). `stop()` waits until
 * the packets already sent have been read from the kernel, then closes the interface.
 */
export interface Capture extends AsyncIterable<CaptureRecord> {
  readonly source: LiveCapture;
  readonly linkType: number;
  stop(): Promise<void>;
  stats(): CaptureStats;
}

export async function capture(opts: CaptureOptions): Promise<Capture> {
  const source = await openLiveCapture(opts);
  return {
    source,
    linkType: source.linkType,
    stop: async () => {
      await settle(source);
      await source.close();
    },
    stats: () => source.stats(),
    async *[Symbol.asyncIterator]() {
      for await (const batch of source) yield* batch;
    },
  };
}

/**
 * Waits until libpcap has handed over what the kernel already holds: until no packet arrived
 * for `quietMs`, at most `maxMs`. Loopback traffic is in the kernel ring as soon as send()
 * returns, but is read only when the event loop polls the capture socket.
 */
export async function settle(source: LiveCapture, quietMs = 25, maxMs = 1000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = source.stats().received;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = source.stats().received;
    if (now === last) return;
    last = now;
  }
}

export interface CaptureHandshakesOptions extends CaptureOptions {
  /** Called as each connection finishes (closed, refused, or at stop()). */
  onConnection?: (c: ConnectionReport) => void;
}

/**
 * Library API: tracks TCP handshakes live. Start it, run the code under test, then
 * `await stop()` for the report (the same shape as `trackHandshakes()` and
 * `wirescope handshakes --json`), ready for the `wirescope/vitest` matchers.
 */
export interface HandshakeCapture {
  readonly source: LiveCapture;
  stop(): Promise<HandshakeReport>;
  stats(): CaptureStats;
}

export async function captureHandshakes(opts: CaptureHandshakesOptions): Promise<HandshakeCapture> {
  const source = await openLiveCapture(opts);
  const trackerOpts: TrackerOptions = { file: source.info.name };
  if (opts.onConnection) trackerOpts.onConnection = opts.onConnection;
  const tracker = new HandshakeTracker(trackerOpts);
  // The filter already ran in the kernel, so the tracker reads the source unfiltered.
  const fed = feedSource(tracker, source).then(
    () => null,
    (err: unknown) => err,
  );
  return {
    source,
    stats: () => source.stats(),
    stop: async () => {
      await settle(source);
      await source.close();
      const err = await fed;
      if (err) throw err;
      const connections = tracker.finish();
      return { connections, summary: tracker.summary };
    },
  };
}
