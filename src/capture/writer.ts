/**
 * Streaming pcap and pcapng writers. Records are copied into a 1 MiB output buffer, so callers
 * may reuse them right after `write`; full buffers go to a file descriptor synchronously or
 * are handed to a stream (with `drain()` to respect its back-pressure).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { CaptureError, UsageError } from '../errors.js';
import { PcapMagic } from './pcap.js';
import type { CaptureRecord, InterfaceInfo, RecordWriter, SourceInfo, WriterOptions } from './record.js';

const OUT_SIZE = 1 << 20;
const DEFAULT_SNAPLEN = 262144;
const hostBigEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

interface Sink {
  /** True when `put` keeps a reference to the chunk (so the writer must not reuse it). */
  readonly keepsChunks: boolean;
  /** The reader has gone (EPIPE, e.g. `-w - | head`): what is put now is dropped. */
  readonly readerGone: boolean;
  put(chunk: Buffer): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

class FdSink implements Sink {
  readonly keepsChunks = false;
  readonly readerGone = false;
  constructor(private fd: number) {}
  put(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
  }
  async drain(): Promise<void> {}
  async close(): Promise<void> {
    closeSync(this.fd);
  }
}

class StreamSink implements Sink {
  readonly keepsChunks = true;
  private blocked: Promise<void> | null = null;
  private failure: Error | null = null;
  readerGone = false;
  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.readerGone = true;
      else this.failure = e;
    });
  }
  put(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (this.readerGone) return;
    if (!this.stream.write(chunk) && this.blocked === null) {
      this.blocked = new Promise<void>((resolve) => {
        const done = (): void => {
          this.blocked = null;
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('error', done);
        this.stream.once('close', done);
      });
    }
  }
  async drain(): Promise<void> {
    if (this.blocked) await this.blocked;
    if (this.failure) throw this.failure;
  }
  async close(): Promise<void> {
    await this.drain();
    const s = this.stream;
    if (s === process.stdout || s === process.stderr) return;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.end(() => resolve());
    });
  }
}

/** Buffers output and writes the byte order the file asked for. */
abstract class BufferedWriter implements RecordWriter {
  protected out = Buffer.allocUnsafe(OUT_SIZE);
  protected pos = 0;
  protected readonly be: boolean;
  private closed = false;

  constructor(
    private readonly sink: Sink,
    protected readonly opts: WriterOptions,
  ) {
    this.be = opts.bigEndian ?? hostBigEndian;
  }

  abstract write(record: CaptureRecord): void;

  /** Room for `n` more bytes in `out`, flushing (or growing for one huge block) as needed. */
  protected reserve(n: number): void {
    if (this.closed) throw new Error('write after close');
    if (this.pos + n <= this.out.length) return;
    this.flush();
    if (n > this.out.length) this.out = Buffer.allocUnsafe(n);
  }

  flush(): void {
    if (this.pos === 0) return;
    const full = this.out.subarray(0, this.pos);
    if (this.sink.keepsChunks || this.out.length !== OUT_SIZE) this.out = Buffer.allocUnsafe(OUT_SIZE);
    this.pos = 0;
    this.sink.put(full);
  }

  protected u16(v: number): void {
    if (this.be) this.out.writeUInt16BE(v & 0xffff, this.pos);
    else this.out.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
  }

  protected u32(v: number): void {
    if (this.be) this.out.writeUInt32BE(v >>> 0, this.pos);
    else this.out.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  protected bytes(src: Buffer, start: number, len: number): void {
    src.copy(this.out, this.pos, start, start + len);
    this.pos += len;
  }

  async drain(): Promise<void> {
    await this.sink.drain();
  }

  get readerGone(): boolean {
    return this.sink.readerGone;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.sink.close();
  }
}

export class PcapWriter extends BufferedWriter {
  private readonly nano: boolean;

  constructor(
    sink: Sink,
    opts: WriterOptions,
    private readonly name = '<stream>',
  ) {
    super(sink, opts);
    this.nano = opts.nanosecond === true;
    this.reserve(24);
    this.u32(this.nano ? PcapMagic.nsec : PcapMagic.usec);
    this.u16(2);
    this.u16(4);
    this.u32(opts.thiszone ?? 0);
    this.u32(opts.sigfigs ?? 0);
    this.u32(opts.snaplen ?? DEFAULT_SNAPLEN);
    let field = opts.linkType & 0x03ffffff;
    if (opts.fcsLen !== undefined) field = (field | 0x04000000 | (((opts.fcsLen >>> 1) & 0xf) << 28)) >>> 0;
    this.u32(opts.linkTypeField ?? field);
  }

  write(r: CaptureRecord): void {
    if (r.linkType !== this.opts.linkType) {
      throw new UsageError(
        `${this.name}: a pcap file holds one link type (${this.opts.linkType}); record ${r.index} has link type ${r.linkType}: write pcapng instead`,
      );
    }
    this.reserve(16 + r.capLen);
    this.u32(r.tsSec % 0x100000000);
    this.u32(this.nano ? r.tsNsec : Math.floor(r.tsNsec / 1000));
    this.u32(r.capLen);
    this.u32(r.origLen);
    this.bytes(r.buf, r.offset, r.capLen);
  }
}

const BlockType = { shb: 0x0a0d0d0a, idb: 1, epb: 6 } as const;

export class PcapngWriter extends BufferedWriter {
  private readonly units: bigint;
  private readonly unitsPerSec: number;
  /** Our IDB number for a source interface id, per link type (a source may reuse ids). */
  private readonly ifMap = new Map<number, number>();
  private idbCount = 0;
  private idbLinkTypes: number[] = [];

  constructor(sink: Sink, opts: WriterOptions) {
    super(sink, opts);
    this.unitsPerSec = opts.nanosecond ? 1_000_000_000 : 1_000_000;
    this.units = BigInt(this.unitsPerSec);
    this.reserve(28);
    this.u32(BlockType.shb);
    this.u32(28);
    this.u32(0x1a2b3c4d);
    this.u16(1);
    this.u16(0);
    this.u32(0xffffffff);
    this.u32(0xffffffff);
    this.u32(28);
    const described = opts.interfaces ?? [];
    for (const itf of described) this.writeIdb(itf.linkType, itf.snaplen, itf.name, itf.fcsLen ?? opts.fcsLen);
    if (described.length === 0) this.writeIdb(opts.linkType, opts.snaplen ?? DEFAULT_SNAPLEN, undefined, opts.fcsLen);
    for (let i = 0; i < described.length; i++) this.ifMap.set(i, i);
    if (described.length === 0) this.ifMap.set(-1, 0);
  }

  private writeIdb(linkType: number, snaplen: number, name: string | undefined, fcsLen: number | undefined): void {
    const nameBytes = name === undefined ? null : Buffer.from(name, 'utf8');
    const nameOpt = nameBytes ? 4 + pad4(nameBytes.length) : 0;
    const tsresolOpt = this.opts.nanosecond ? 8 : 0;
    const fcsOpt = fcsLen !== undefined ? 8 : 0;
    const optsLen = nameOpt + tsresolOpt + fcsOpt;
    const total = 20 + (optsLen > 0 ? optsLen + 4 : 0);
    this.reserve(total);
    this.u32(BlockType.idb);
    this.u32(total);
    this.u16(linkType);
    this.u16(0);
    this.u32(snaplen);
    if (nameBytes) {
      this.u16(2);
      this.u16(nameBytes.length);
      this.bytes(nameBytes, 0, nameBytes.length);
      this.zeros(pad4(nameBytes.length) - nameBytes.length);
    }
    if (tsresolOpt) {
      this.u16(9);
      this.u16(1);
      this.out[this.pos] = 9;
      this.pos += 1;
      this.zeros(3);
    }
    if (fcsOpt) {
      this.u16(13);
      this.u16(1);
      this.out[this.pos] = fcsLen! & 0xff;
      this.pos += 1;
      this.zeros(3);
    }
    if (optsLen > 0) this.u32(0); // opt_endofopt
    this.u32(total);
    this.idbLinkTypes.push(linkType);
    this.idbCount++;
  }

  private zeros(n: number): void {
    this.out.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  private idbFor(r: CaptureRecord): number {
    const mapped = this.ifMap.get(r.interfaceId);
    if (mapped !== undefined && this.idbLinkTypes[mapped] === r.linkType) return mapped;
    const first = this.ifMap.get(-1);
    if (first !== undefined && this.idbLinkTypes[first] === r.linkType) {
      this.ifMap.delete(-1);
      this.ifMap.set(r.interfaceId, first);
      return first;
    }
    const id = this.idbCount;
    this.writeIdb(r.linkType, this.opts.snaplen ?? DEFAULT_SNAPLEN, undefined, this.opts.fcsLen);
    this.ifMap.set(r.interfaceId, id);
    return id;
  }

  write(r: CaptureRecord): void {
    const ifId = this.idbFor(r);
    const padded = pad4(r.capLen);
    const total = 32 + padded;
    this.reserve(total);
    const frac = this.opts.nanosecond ? r.tsNsec : Math.floor(r.tsNsec / 1000);
    const ts = BigInt(r.tsSec) * this.units + BigInt(frac);
    this.u32(BlockType.epb);
    this.u32(total);
    this.u32(ifId);
    this.u32(Number(ts >> 32n));
    this.u32(Number(ts & 0xffffffffn));
    this.u32(r.capLen);
    this.u32(r.origLen);
    this.bytes(r.buf, r.offset, r.capLen);
    this.zeros(padded - r.capLen);
    this.u32(total);
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Open a writer on a path (`'-'` = stdout) or a writable stream. A path is created or
 * truncated synchronously, so a bad path fails here rather than on the first packet.
 */
export function openWriter(target: string | NodeJS.WritableStream, opts: WriterOptions): RecordWriter {
  let sink: Sink;
  if (target === '-') sink = new StreamSink(process.stdout);
  else if (typeof target === 'string') {
    try {
      sink = new FdSink(openSync(target, 'w'));
    } catch (e) {
      throw new CaptureError(target, 0, 0, `cannot create: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else sink = new StreamSink(target);
  const name = typeof target === 'string' ? target : '<stream>';
  return opts.format === 'pcapng' ? new PcapngWriter(sink, opts) : new PcapWriter(sink, opts, name);
}

/** Writer options that reproduce the file a source was read from (same header, same order). */
export function writerOptionsFor(info: SourceInfo, format: 'pcap' | 'pcapng' = info.format === 'pcapng' ? 'pcapng' : 'pcap'): WriterOptions {
  const first: InterfaceInfo | undefined = info.interfaces[0];
  const opts: WriterOptions = {
    format,
    nanosecond: info.nanosecond,
    linkType: first?.linkType ?? 1,
    bigEndian: info.bigEndian,
  };
  if (first) opts.snaplen = first.snaplen;
  if (first?.fcsLen !== undefined) opts.fcsLen = first.fcsLen;
  if (info.pcap) {
    opts.thiszone = info.pcap.thiszone;
    opts.sigfigs = info.pcap.sigfigs;
    if (format === 'pcap') opts.linkTypeField = info.pcap.linkTypeField;
  }
  if (format === 'pcapng' && info.interfaces.length > 0) opts.interfaces = info.interfaces;
  return opts;
}
