/**
 * Running the tracker over captures: `trackHandshakes(source)` reads a capture (path, stream,
 * Buffer or an open RecordSource), decodes every record and returns the report that
 * `wirescope handshakes --json` prints. Kept apart from the index so the CLI's JSON path loads
 * neither the assertion nor the table modules.
 */
import { openCapture } from '../capture/open.js';
import type { CaptureRecord, RecordSource } from '../capture/record.js';
import type { PacketDecoder } from '../codec/packet.js';
import { HandshakeTracker, emptySummary, type TrackerOptions } from './tracker.js';
import type { ConnectionReport, HandshakeReport, HandshakeSummary } from './types.js';

export type HandshakeSource = string | NodeJS.ReadableStream | Buffer | RecordSource;

export interface TrackHandshakesOptions {
  /** pcap-filter expression applied before tracking (needs the filter module). */
  filter?: string;
  /** Live-table cap (default 20,000); see TrackerOptions. */
  maxConnections?: number;
  lingerSeconds?: number;
  /** Name for errors and each connection's `file` (default the path, `<buffer>` or `<stream>`). */
  name?: string;
  /** Stop after this many packets (those passing the filter). */
  maxPackets?: number;
}

type PacketPredicate = (buf: Buffer, offset: number, capLen: number, origLen: number) => boolean;
type CompileFilter = (expression: string, linkType: number) => PacketPredicate;

/** The filter compiler is loaded only when an expression is given. */
async function loadCompileFilter(): Promise<CompileFilter> {
  const { compileFilter } = await import('../filter/index.js');
  return compileFilter;
}

/**
 * The decoder is loaded when the first frame that needs it comes: the tracker reads plain
 * Ethernet frames itself, and the decoder's modules are most of a short capture's start-up.
 */
async function loadDecoder(): Promise<PacketDecoder> {
  const { PacketDecoder } = await import('../codec/packet.js');
  return new PacketDecoder();
}

function isRecordSource(x: unknown): x is RecordSource {
  return typeof x === 'object' && x !== null && 'info' in x && 'close' in x && Symbol.asyncIterator in x && !('pipe' in x);
}

function sourceName(source: HandshakeSource, opts: TrackHandshakesOptions): string {
  if (opts.name) return opts.name;
  if (typeof source === 'string') return source;
  if (Buffer.isBuffer(source)) return '<buffer>';
  if (isRecordSource(source)) return source.info.name;
  return '<stream>';
}

/**
 * Track one source into `tracker`. The source is closed at the end. Throws CaptureError for a
 * faulty file only after every good record before the fault was tracked.
 */
export async function feedSource(
  tracker: HandshakeTracker,
  source: HandshakeSource,
  opts: TrackHandshakesOptions = {},
): Promise<void> {
  const records = isRecordSource(source) ? source : await openCapture(source, opts.name ? { name: opts.name } : {});
  const feeder = new BatchFeeder(tracker, opts.filter ? opts.filter : null, opts.filter ? await loadCompileFilter() : null, opts.maxPackets);
  try {
    for await (const batch of records) {
      let more = feeder.feed(batch);
      while (!more && feeder.waitsForDecoder) {
        feeder.decoder = await loadDecoder();
        more = feeder.feed(batch);
      }
      if (!more) break;
    }
  } finally {
    await records.close();
  }
}

/** Records tracked per call of BatchFeeder.track (see there). */
const RUN = 64;

/**
 * The per-record loop, in a plain method rather than in the async function: there every local
 * that lives across an await sits in a heap context, and the loop ran in baseline code for a
 * long stretch after a deopt (perf: KeyedLoadIC called from feedSource's baseline code).
 */
class BatchFeeder {
  /** Null until a frame needs decoding: feed() then stops at it (see waitsForDecoder). */
  decoder: PacketDecoder | null = null;
  /** Where feed() stopped in its batch for want of the decoder, or -1. */
  private resumeAt = -1;
  private readonly filters = new Map<number, PacketPredicate>();
  /** Records tracked so far (a small integer: a count down from Infinity is a heap number). */
  private done = 0;
  private readonly max: number;
  private readonly clock: Float64Array;

  constructor(
    private readonly tracker: HandshakeTracker,
    private readonly expression: string | null,
    private readonly compile: CompileFilter | null,
    maxPackets: number | undefined,
  ) {
    this.max = maxPackets ?? Infinity;
    this.clock = tracker.clock;
  }

  /** The last feed() stopped at a frame that needs the decoder; feed the same batch again once it is set. */
  get waitsForDecoder(): boolean {
    return this.resumeAt >= 0;
  }

  /**
   * Tracks a batch (the rest of it, after a stop for the decoder); false once maxPackets records
   * were tracked, or at a frame that needs the decoder while it is not loaded.
   */
  feed(batch: readonly CaptureRecord[]): boolean {
    let i = this.resumeAt < 0 ? 0 : this.resumeAt;
    this.resumeAt = -1;
    for (; i < batch.length; i += RUN) {
      if (!this.track(batch, i, Math.min(i + RUN, batch.length))) return false;
    }
    return this.done < this.max;
  }

  /**
   * Records [from, to) of a batch. Short runs, so V8 optimises this as a function called
   * thousands of times: the loop of a whole batch was compiled on-stack mid-loop, and its first
   * exit then met code without type feedback and threw the optimised loop away (twice a run).
   */
  private track(batch: readonly CaptureRecord[], from: number, to: number): boolean {
    const tracker = this.tracker;
    const decoder = this.decoder;
    const clock = this.clock;
    // A float64 from here: compared as a tagged number, V8 re-checked its map on every record.
    const max = +this.max;
    let done = this.done;
    for (let i = from; i < to; i++) {
      const r = batch[i]!;
      if (done >= max) break;
      if (this.compile !== null && !this.passes(r)) continue;
      // Capture seconds are past 2^30, a heap number when passed as an argument: they go
      // through the tracker's clock instead.
      clock[0] = r.tsSec;
      // `=== false`, not `!`: V8 knows nothing of a call's result, and `!` on it is a full
      // truthiness test (empty string, NaN, BigInt...) on every record.
      if (r.linkType !== 1 || tracker.feedEthernet(r.buf, r.offset, r.capLen, r.tsNsec, r.index) === false) {
        if (decoder === null) {
          this.resumeAt = i;
          break;
        }
        tracker.feedClocked(decoder.decode(r.buf, r.offset, r.capLen, r.linkType, r.origLen), r.tsNsec, r.index);
      }
      done++;
    }
    this.done = done;
    return done < max && this.resumeAt < 0;
  }

  private passes(r: CaptureRecord): boolean {
    let f = this.filters.get(r.linkType);
    if (f === undefined) {
      f = this.compile!(this.expression!, r.linkType);
      this.filters.set(r.linkType, f);
    }
    return f(r.buf, r.offset, r.capLen, r.origLen);
  }
}

/** Sum of per-file summaries. */
export function addSummaries(into: HandshakeSummary, from: HandshakeSummary): HandshakeSummary {
  for (const k of Object.keys(into) as (keyof HandshakeSummary)[]) into[k] += from[k];
  return into;
}

/**
 * Track the TCP handshakes in one or more captures. Each file is tracked on its own (packet
 * numbers restart per file); the report lists every connection, ordered by file then first packet.
 */
export async function trackHandshakes(
  sources: HandshakeSource | readonly HandshakeSource[],
  opts: TrackHandshakesOptions = {},
): Promise<HandshakeReport> {
  const { report, error } = await trackHandshakesPartial(sources, opts);
  if (error !== null) throw error;
  return report;
}

/**
 * Like trackHandshakes, but a faulty input does not lose the work done: the report covers every
 * packet before the fault (files after it are not read) and the error comes back beside it.
 */
export async function trackHandshakesPartial(
  sources: HandshakeSource | readonly HandshakeSource[],
  opts: TrackHandshakesOptions = {},
): Promise<{ report: HandshakeReport; error: unknown }> {
  const connections: ConnectionReport[] = [];
  const { summary, error } = await trackEach(sources, opts, false, (tracker) => {
    for (const c of tracker.finish()) connections.push(c);
  });
  return { report: { connections, summary }, error };
}

/**
 * The report of trackHandshakesPartial as one JSON document (what `wirescope handshakes --json`
 * prints, byte for byte), handed to `write` in UTF-8 pieces. The connections' text is built straight
 * from the trackers' state, without report objects. A faulty input ends the report at the fault
 * and the error comes back.
 */
export async function writeHandshakesJson(
  sources: HandshakeSource | readonly HandshakeSource[],
  opts: TrackHandshakesOptions,
  write: (piece: Buffer) => void,
): Promise<{ summary: HandshakeSummary; error: unknown }> {
  write(Buffer.from('{"connections":['));
  let written = 0;
  const { summary, error } = await trackEach(sources, opts, true, (tracker) => {
    let first = true;
    written += tracker.finishJson((piece) => {
      if (first && written > 0) write(Buffer.from(','));
      first = false;
      write(piece);
    });
  });
  write(Buffer.from(`],"summary":${JSON.stringify(summary)}}\n`));
  return { summary, error };
}

/** One tracker per source, handed to `done` at its end; the summaries added up. */
async function trackEach(
  sources: HandshakeSource | readonly HandshakeSource[],
  opts: TrackHandshakesOptions,
  json: boolean,
  done: (tracker: HandshakeTracker) => void,
): Promise<{ summary: HandshakeSummary; error: unknown }> {
  const list: readonly HandshakeSource[] = Array.isArray(sources) ? sources : [sources as HandshakeSource];
  // A bad expression is a usage error before any input is read (Ethernet stands in for the link type).
  if (opts.filter) (await loadCompileFilter())(opts.filter, 1);
  const summary = emptySummary();
  let error: unknown = null;
  for (const source of list) {
    const trackerOpts: TrackerOptions = { file: sourceName(source, opts) };
    if (opts.maxConnections !== undefined) trackerOpts.maxConnections = opts.maxConnections;
    if (opts.lingerSeconds !== undefined) trackerOpts.lingerSeconds = opts.lingerSeconds;
    if (json) trackerOpts.json = true;
    const tracker = new HandshakeTracker(trackerOpts);
    try {
      await feedSource(tracker, source, opts);
    } catch (e) {
      error = e;
    }
    // Finishing counts the connections still held into the tracker's summary.
    done(tracker);
    addSummaries(summary, tracker.summary);
    if (error !== null) break;
  }
  return { summary, error };
}
