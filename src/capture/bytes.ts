/**
 * Byte sources under the capture readers: a file read with large positional-free reads, or any
 * Readable (stdin, gunzip output). Both fill a caller-owned buffer, so the reader decides where
 * bytes land and records can point straight into its window.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface ByteSource {
  /** Read up to `length` bytes into `into` at `offset`; resolves 0 only at end of input. */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export class FileBytes implements ByteSource {
  private closed = false;
  private constructor(private readonly fh: FileHandle) {}

  static async open(path: string): Promise<FileBytes> {
    return new FileBytes(await open(path, 'r'));
  }

  async read(into: Buffer, offset: number, length: number): Promise<number> {
    if (this.closed) return 0;
    const { bytesRead } = await this.fh.read(into, offset, length, null);
    return bytesRead;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/**
 * Pulls from a Readable in paused mode. A read returns as soon as it has copied something and
 * the stream has nothing more buffered, so a slow producer (a live `tcpdump -w -`) is not held
 * back waiting for a full window. A stream error is raised only after the data before it.
 */
export class StreamBytes implements ByteSource {
  private pending: Buffer | null = null;
  private pendingOff = 0;
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly stream: NodeJS.ReadableStream) {
    const notify = (): void => {
      const w = this.wake;
      this.wake = null;
      if (w) w();
    };
    stream.on('readable', notify);
    stream.on('end', () => {
      this.ended = true;
      notify();
    });
    stream.on('close', () => {
      this.ended = true;
      notify();
    });
    stream.on('error', (e: Error) => {
      this.error = e;
      notify();
    });
  }

  async read(into: Buffer, offset: number, length: number): Promise<number> {
    let n = 0;
    for (;;) {
      if (this.closed) return n;
      const p = this.pending;
      if (p !== null) {
        const take = Math.min(p.length - this.pendingOff, length - n);
        p.copy(into, offset + n, this.pendingOff, this.pendingOff + take);
        n += take;
        this.pendingOff += take;
        if (this.pendingOff === p.length) this.pending = null;
        if (n === length) return n;
      }
      const chunk = this.stream.read() as Buffer | string | null;
      if (chunk !== null) {
        this.pending = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
        this.pendingOff = 0;
        continue;
      }
      if (n > 0) return n;
      if (this.error) throw this.error;
      if (this.ended) return 0;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    const s = this.stream as NodeJS.ReadableStream & { destroy?: () => void };
    // stdin is shared with the process; only streams we may own are destroyed.
    if (s !== process.stdin && typeof s.destroy === 'function') s.destroy();
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }
}

/**
 * The reader's window: `buf[start, end)` holds unread input, `base` is the input offset of
 * `buf[0]`. Refilling moves the unread tail (a record cut by the previous read) to the front,
 * so records always sit whole in one buffer. A Buffer input is its own window (zero copy).
 */
export class ByteWindow {
  buf: Buffer;
  start = 0;
  end = 0;
  base = 0;
  eof = false;

  constructor(
    private readonly src: ByteSource | null,
    initial: Buffer,
    private readonly maxSize: number,
  ) {
    this.buf = initial;
    if (src === null) {
      this.end = initial.length;
      this.eof = true;
    }
  }

  get available(): number {
    return this.end - this.start;
  }

  /** Input offset of `buf[i]`. */
  offsetOf(i: number): number {
    return this.base + i;
  }

  /**
   * Make at least `need` bytes available from `start` unless the input ends first. Reads at
   * least once when not at EOF, so callers also use it to pull the next big chunk. `need` is
   * capped by the caller to `maxSize`; the buffer grows only up to that.
   */
  async fill(need: number): Promise<void> {
    if (this.src === null || this.eof) return;
    if (need > this.maxSize) need = this.maxSize;
    const avail = this.end - this.start;
    if (this.start > 0) {
      if (avail > 0) this.buf.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.start = 0;
      this.end = avail;
    }
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const bigger = Buffer.allocUnsafe(Math.min(size, this.maxSize));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    do {
      const n = await this.src.read(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
    } while (this.end - this.start < need);
  }

  /** Drop `n` bytes from the front, reading and discarding if they are not all here yet. */
  async skip(n: number): Promise<number> {
    let left = n;
    for (;;) {
      const take = Math.min(left, this.end - this.start);
      this.start += take;
      left -= take;
      if (left === 0 || this.eof) return n - left;
      await this.fill(1);
    }
  }

  async close(): Promise<void> {
    if (this.src) await this.src.close();
  }
}
