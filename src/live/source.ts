/**
 * A live interface as a RecordSource. `cap` copies every packet into one Buffer it reuses and
 * emits an event per packet; this source copies each packet out into chunks it owns, stamps
 * it, and hands records downstream in batches (one batch per turn of the event loop, at most
 * MAX_BATCH records), so consumers pay one `await` per batch, not per packet.
 */
import { endianness } from 'node:os';
import type { CaptureRecord as CaptureRecordType, CaptureStats, LiveRecordSource, SourceInfo } from '../capture/record.js';
import { CaptureRecord } from '../capture/record.js';
import type { CapHandle, CapModule } from './binding.js';
import { ArrivalClock } from './clock.js';
import {
  CapturePermissionError,
  InterfaceOpenError,
  LiveFilterError,
  UnknownInterfaceError,
} from './errors.js';
import { deviceIsUp, interfaceMtu } from './interfaces.js';
import { linkTypeFromCap } from './linktype.js';

/**
 * Every cap handle ever created, kept for the life of the process. cap never uv_close()s the
 * poll handle inside its native object: if the garbage collector frees a closed handle, libuv's
 * handle queue points into freed memory (the process later crashes walking it), and freeing a
 * handle whose open() failed stops a poll handle that was never started (an assertion aborts).
 * A retained handle costs a few hundred bytes; its socket is closed by close().
 */
const retainedHandles: CapHandle[] = [];

function newHandle(cap: CapModule): CapHandle {
  const h = new cap.Cap();
  retainedHandles.push(h);
  return h;
}

export interface LiveCaptureOptions {
  /** Interface name (`lo`, `eth0`, `any`) or its 1-based number in the `-D` listing. */
  interface: string;
  /** pcap-filter expression, compiled by libpcap into a kernel BPF filter. */
  filter?: string;
  /** Bytes kept per packet (tcpdump's -s); default 262144. libpcap under `cap` keeps at most 65535. */
  snaplen?: number;
  /** `cap` always opens the interface in promiscuous mode; `false` is accepted but cannot be honoured. */
  promiscuous?: boolean;
  /**
   * Kernel capture buffer in bytes (pcap_set_buffer_size, tcpdump's -B). cap opens libpcap in
   * immediate mode, which uses TPACKET_V2: one ring slot per packet, sized by the interface MTU
   * (a 128 KiB block per slot on `lo` and `any`, MTU 65536), so tcpdump's 2 MiB default would
   * hold 16 packets there. Default: 128 MiB (1024 slots) on interfaces with an MTU above 9216,
   * else 32 MiB (about 16,000 slots at MTU 1500).
   */
  bufferSize?: number;
  /** Most bytes held in packets not yet consumed before new packets are dropped; default 64 MiB. */
  queueBytes?: number;
  /** Stop after this many packets (tcpdump's -c): the capture closes itself, counts stay exact. */
  maxPackets?: number;
}

export const DEFAULT_SNAPLEN = 262_144;
/** The snaplen `cap` sets on its libpcap handle; a packet this long may have been cut. */
export const CAP_SNAPLEN = 65_535;
const DEFAULT_BUFFER_SIZE = 32 << 20;
const BIG_MTU_BUFFER_SIZE = 128 << 20;
const JUMBO_MTU = 9216;
const DEFAULT_QUEUE_BYTES = 64 << 20;
const CHUNK_SIZE = 1 << 20;
const MAX_BATCH = 1024;

/** Records of one batch and the chunks their bytes live in. */
class Batch {
  readonly records: CaptureRecord[] = [];
  readonly chunks: Buffer[] = [];
}

export class LiveCapture implements LiveRecordSource {
  readonly info: SourceInfo;
  readonly linkType: number;
  /** What ended the capture when `stopCaptureOn` did: tcpdump prints a newline after a signal. */
  stoppedBy: 'signal' | 'duration' | null = null;
  private readonly snaplen: number;
  private readonly clock = new ArrivalClock();
  private readonly capBuffer: Buffer;
  private readonly queueLimit: number;
  private readonly maxPackets: number;

  private readonly freeChunks: Buffer[] = [];
  private readonly freeRecords: CaptureRecord[] = [];
  private readonly freeBatches: Batch[] = [];
  private chunk: Buffer;
  private chunkUsed = 0;
  private allocatedBytes: number;

  private filling: Batch;
  private readonly ready: Batch[] = [];
  private lent: Batch | null = null;
  private flushScheduled = false;
  private waiter: ((b: Batch | null) => void) | null = null;
  private closed = false;

  private seq = 0;
  private delivered = 0;
  private received = 0;
  private queueDropped = 0;

  constructor(
    private readonly handle: CapHandle,
    capBuffer: Buffer,
    capLinkType: string,
    name: string,
    opts: LiveCaptureOptions,
  ) {
    this.capBuffer = capBuffer;
    this.linkType = linkTypeFromCap(capLinkType);
    this.snaplen = opts.snaplen && opts.snaplen > 0 ? opts.snaplen : DEFAULT_SNAPLEN;
    this.queueLimit = Math.max(opts.queueBytes ?? DEFAULT_QUEUE_BYTES, 2 * CHUNK_SIZE);
    this.maxPackets = opts.maxPackets && opts.maxPackets > 0 ? opts.maxPackets : Infinity;
    this.chunk = Buffer.allocUnsafe(CHUNK_SIZE);
    this.allocatedBytes = CHUNK_SIZE;
    this.filling = new Batch();
    this.filling.chunks.push(this.chunk);
    this.info = {
      name,
      format: 'live',
      nanosecond: true,
      bigEndian: endianness() === 'BE',
      gzip: false,
      interfaces: [{ linkType: this.linkType, snaplen: Math.min(this.snaplen, CAP_SNAPLEN), name }],
    };
    handle.on('packet', (nbytes) => this.onPacket(nbytes));
  }

  stats(): CaptureStats {
    // cap 0.2 does not expose pcap_stats: `received` counts what libpcap handed over and
    // `dropped` what this source had to drop; drops inside the kernel ring are not visible.
    return { captured: this.delivered, received: this.received, dropped: this.queueDropped, ifDropped: 0 };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
    this.handle.removeAllListeners('packet');
    this.seal();
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly CaptureRecordType[]> {
    return {
      next: () => this.next(),
      return: async () => {
        this.release();
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private onPacket(nbytes: number): void {
    if (this.seq >= this.maxPackets) return;
    this.clock.stamp();
    this.received++;
    const capLen = nbytes < this.snaplen ? nbytes : this.snaplen;
    if (this.chunkUsed + capLen > this.chunk.length && !this.nextChunk(capLen)) {
      this.queueDropped++;
      return;
    }
    const rec = this.freeRecords.pop() ?? new CaptureRecord();
    this.capBuffer.copy(this.chunk, this.chunkUsed, 0, capLen);
    rec.buf = this.chunk;
    rec.offset = this.chunkUsed;
    rec.capLen = capLen;
    rec.origLen = nbytes === CAP_SNAPLEN ? wireLength(this.capBuffer, nbytes, this.linkType) : nbytes;
    rec.tsSec = this.clock.tsSec;
    rec.tsNsec = this.clock.tsNsec;
    rec.linkType = this.linkType;
    rec.interfaceId = 0;
    rec.index = ++this.seq;
    this.chunkUsed += capLen;
    const records = this.filling.records;
    records.push(rec);
    if (records.length >= MAX_BATCH) this.seal();
    if (this.seq >= this.maxPackets) {
      void this.close();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Moves to a fresh chunk; false when the queue limit is reached. */
  private nextChunk(need: number): boolean {
    let chunk = this.freeChunks.pop();
    if (!chunk || chunk.length < need) {
      if (chunk) this.freeChunks.push(chunk);
      const size = Math.max(CHUNK_SIZE, need);
      if (this.allocatedBytes + size > this.queueLimit) return false;
      chunk = Buffer.allocUnsafe(size);
      this.allocatedBytes += size;
    }
    this.chunk = chunk;
    this.chunkUsed = 0;
    this.filling.chunks.push(chunk);
    return true;
  }

  /** Queues the batch being filled; later packets go into a new batch (the chunk is shared). */
  private seal(): void {
    if (this.filling.records.length === 0) return;
    this.ready.push(this.filling);
    const next = this.freeBatches.pop() ?? new Batch();
    next.chunks.push(this.chunk);
    this.filling = next;
  }

  private deliveredThisTurn = false;
  private readonly newTurn = (): void => {
    this.deliveredThisTurn = false;
  };

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.seal();
    this.wake();
  };

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    const b = this.ready.shift();
    if (b) {
      this.waiter = null;
      w(b);
    } else if (this.closed) {
      this.waiter = null;
      w(null);
    }
  }

  /** Gives the previously yielded batch's records and chunks back for reuse. */
  private release(): void {
    const b = this.lent;
    if (!b) return;
    this.lent = null;
    for (const r of b.records) this.freeRecords.push(r);
    b.records.length = 0;
    for (const c of b.chunks) {
      if (c !== this.chunk && !this.inUse(c)) this.freeChunks.push(c);
    }
    b.chunks.length = 0;
    this.freeBatches.push(b);
  }

  /** A chunk can be shared by consecutive batches; it is free only when none still holds it. */
  private inUse(c: Buffer): boolean {
    if (this.filling.chunks.includes(c)) return true;
    for (const b of this.ready) if (b.chunks.includes(c)) return true;
    return false;
  }

  private async next(): Promise<IteratorResult<readonly CaptureRecordType[]>> {
    this.release();
    // A consumer working through a backlog never leaves the microtask queue, so libpcap's socket
    // would not be read and the kernel ring could overflow: let the event loop poll between
    // batches handed out in the same turn.
    if (this.deliveredThisTurn && !this.closed) await new Promise<void>((r) => setImmediate(r));
    if (this.ready.length === 0 && this.filling.records.length > 0) this.seal();
    let b = this.ready.shift() ?? null;
    if (!b && !this.closed) {
      b = await new Promise<Batch | null>((resolve) => {
        this.waiter = resolve;
      });
    }
    if (!b) return { done: true, value: undefined };
    if (!this.deliveredThisTurn) {
      this.deliveredThisTurn = true;
      setImmediate(this.newTurn);
    }
    this.lent = b;
    this.delivered += b.records.length;
    return { done: false, value: b.records };
  }
}

/**
 * Length on the wire of a packet libpcap cut at cap's fixed 65535-byte snaplen (cap does not
 * pass the packet header's len): the IP header's length plus the link header.
 */
function wireLength(buf: Buffer, capLen: number, linkType: number): number {
  let off: number;
  let etherType: number;
  if (linkType === 1) {
    off = 14;
    etherType = buf.readUInt16BE(12);
  } else if (linkType === 113) {
    off = 16;
    etherType = buf.readUInt16BE(14);
  } else if (linkType === 101) {
    off = 0;
    etherType = (buf[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  } else {
    return capLen;
  }
  if (etherType === 0x0800 && capLen >= off + 4) return Math.max(capLen, off + buf.readUInt16BE(off + 2));
  if (etherType === 0x86dd && capLen >= off + 6) return Math.max(capLen, off + 40 + buf.readUInt16BE(off + 4));
  return capLen;
}

/** Opens `name` with cap, mapping libpcap's failures to one-line WirescopeErrors. */
export function openWithCap(cap: CapModule, name: string, opts: LiveCaptureOptions): LiveCapture {
  const known = cap.Cap.deviceList().map((d) => d.name);
  if (!known.includes(name)) throw new UnknownInterfaceError(name, known);
  if (!deviceIsUp(name)) throw new InterfaceOpenError(name, 'That device is not up');
  const filter = opts.filter?.trim() ?? '';
  const bufferSize = opts.bufferSize && opts.bufferSize > 0 ? opts.bufferSize : defaultBufferSize(name, known);
  const capBuffer = Buffer.alloc(CAP_SNAPLEN + 1);
  const handle = newHandle(cap);
  let linkType: string;
  try {
    linkType = handle.open(name, filter, bufferSize, capBuffer);
  } catch (err) {
    throw classifyOpenError(cap, name, filter, bufferSize, err, known);
  }
  return new LiveCapture(handle, capBuffer, linkType, name, opts);
}

function defaultBufferSize(name: string, known: readonly string[]): number {
  const mtus = (name === 'any' ? known : [name]).map(interfaceMtu);
  return Math.max(0, ...mtus) > JUMBO_MTU ? BIG_MTU_BUFFER_SIZE : DEFAULT_BUFFER_SIZE;
}

function classifyOpenError(
  cap: CapModule,
  name: string,
  filter: string,
  bufferSize: number,
  err: unknown,
  known: readonly string[],
): Error {
  const message = err instanceof Error ? err.message : String(err);
  const deviceError = classifyDeviceError(name, message, known);
  if (deviceError || filter === '') return deviceError ?? new InterfaceOpenError(name, message);
  // libpcap compiles the filter after activating the device; if the device opens without the
  // filter, the filter was what it refused.
  const probe = newHandle(cap);
  try {
    probe.open(name, '', bufferSize, Buffer.alloc(CAP_SNAPLEN + 1));
  } catch (probeErr) {
    const probeMessage = probeErr instanceof Error ? probeErr.message : String(probeErr);
    return classifyDeviceError(name, probeMessage, known) ?? new InterfaceOpenError(name, probeMessage);
  }
  probe.close();
  return new LiveFilterError(filter, message);
}

function classifyDeviceError(name: string, message: string, known: readonly string[]): Error | null {
  if (/permission|not permitted|EPERM|EACCES/i.test(message)) return new CapturePermissionError(name, message);
  if (/no such device/i.test(message)) return new UnknownInterfaceError(name, known);
  if (/not up|raw socket|not supported|SIOC/i.test(message)) return new InterfaceOpenError(name, message);
  return null;
}
