/**
 * Byte sources under the capture readers: a file read with large positional-free reads, or any
 * Readable (stdin, gunzip output). Both fill a caller-owned buffer, so the reader decides where
 * bytes land and records can point straight into its window.
 */
import { close as fsClose, fstat, open as fsOpen, read as fsRead, readSync } from 'node:fs';

export interface ByteSource {
  /** Read up to `length` bytes into `into` at `offset`; resolves 0 only at end of input. */
  read(into: Buffer, offset: number, length: number): Promise<number>;
  /** Reads return at once (a regular file): reading ahead gains nothing and costs cache. */
  readonly immediate: boolean;
  close(): Promise<void>;
}

/**
 * A file on a plain descriptor. A regular file is read with `readSync`: the page cache answers
 * at once, and a thread-pool round trip per chunk (`fs.read`) made reading a 478 MB capture
 * 30-60% slower here. A FIFO or device may block, so it is read with `fs.read` off-thread.
 */
export class FileBytes implements ByteSource {
  private closed = false;
  private constructor(
    private readonly fd: number,
    readonly immediate: boolean,
  ) {}

  static open(path: string): Promise<FileBytes> {
    return new Promise((resolve, reject) =>
      fsOpen(path, 'r', (err, fd) => {
        if (err) return reject(err);
        fstat(fd, (e, st) => (e ? fsClose(fd, () => reject(e)) : resolve(new FileBytes(fd, st.isFile()))));
      }),
    );
  }

  read(into: Buffer, offset: number, length: number): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    if (this.immediate) {
      try {
        return Promise.resolve(readSync(this.fd, into, offset, length, null));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    return new Promise((resolve, reject) => fsRead(this.fd, into, offset, length, null, (err, n) => (err ? reject(err) : resolve(n))));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve, reject) => fsClose(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}

/**
 * Pulls from a Readable in paused mode. A read returns as soon as it has copied something and
 * the stream has nothing more buffered, so a slow producer (a live `tcpdump -w -`) is not held
 * back waiting for a full window. A stream error is raised only after the data before it.
 */
export class StreamBytes implements ByteSource {
  readonly immediate = false;
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
 * `buf[0]`. Records always sit whole in `buf`, so the parser reads them in place.
 *
 * Read-ahead: while the parser works through one buffer, the next chunk is already being read
 * into the other one, `HEADROOM` bytes in. When the parser runs dry, the unread tail (a record
 * cut by the chunk boundary, at most one record) is copied into that headroom just before the
 * new chunk, and the two buffers swap. The swap happens only when the consumer asked for the next
 * batch, so no record still in use points into a buffer being refilled. A tail longer than the
 * headroom (a huge pcapng block) falls back to one larger buffer and plain sequential reads.
 * A Buffer input is its own window (zero copy).
 */
export class ByteWindow {
  buf: Buffer;
  start = 0;
  end = 0;
  base = 0;
  eof = false;
  /** The standard buffer not in use as `buf` (read-ahead target), or null for a Buffer input. */
  private spare: Buffer | null = null;
  private pending: Promise<number> | null = null;
  private readonly headroom: number;
  private readonly chunk: number;

  constructor(
    private readonly src: ByteSource | null,
    initial: Buffer,
    private readonly maxSize: number,
    headroom = 0,
  ) {
    this.buf = initial;
    this.headroom = headroom;
    this.chunk = initial.length - headroom;
    if (src === null) {
      this.end = initial.length;
      this.eof = true;
    } else {
      this.start = this.end = headroom;
      this.base = -headroom;
      this.spare = Buffer.allocUnsafe(initial.length);
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
   * least once when not at EOF, so callers also use it to pull the next chunk. `need` is capped
   * at `maxSize`; buffers grow only up to that. Call only when no record handed out so far is
   * still in use.
   */
  async fill(need: number): Promise<void> {
    if (this.src === null || this.eof) return;
    if (need > this.maxSize) need = this.maxSize;
    if (this.pending !== null) await this.takeReadAhead();
    else await this.readInto(true);
    while (!this.eof && this.end - this.start < need) {
      this.makeRoom(need);
      await this.readInto(false);
    }
    this.startReadAhead();
  }

  /** The read-ahead chunk becomes the window, with the unread tail copied in front of it. */
  private async takeReadAhead(): Promise<void> {
    const next = this.spare!;
    const n = await this.pending!;
    this.pending = null;
    if (n === 0) {
      this.eof = true;
      return;
    }
    const tail = this.end - this.start;
    if (tail <= this.headroom) {
      const at = this.headroom - tail;
      this.buf.copy(next, at, this.start, this.end);
      this.base += this.start - at;
      // The old buffer is the next read-ahead target only if it is a standard one.
      this.spare = this.buf.length === next.length ? this.buf : this.spare === next ? null : this.spare;
      if (this.spare === null) this.spare = Buffer.allocUnsafe(next.length);
      this.buf = next;
      this.start = at;
      this.end = this.headroom + n;
      return;
    }
    const big = Buffer.allocUnsafe(Math.min(this.maxSize + this.chunk, tail + n));
    this.buf.copy(big, 0, this.start, this.end);
    next.copy(big, tail, this.headroom, this.headroom + n);
    this.base += this.start;
    if (this.buf.length === next.length) this.spare = this.buf;
    this.buf = big;
    this.start = 0;
    this.end = tail + n;
  }

  /**
   * Room after `end` for the next read towards `need` bytes from `start`: move the tail to the
   * front, or grow. Growth follows the data that actually arrives (at most one chunk ahead of
   * it), so a block that only claims a large length never sizes an allocation by itself.
   */
  private makeRoom(need: number): void {
    const tail = this.end - this.start;
    const want = Math.min(need, tail + this.chunk);
    if (this.end < this.buf.length && this.buf.length - this.start >= want) return;
    const std = this.spare !== null && this.buf.length === this.spare.length;
    const front = std ? this.headroom : 0;
    if (want <= this.buf.length - front) {
      if (this.start !== front) this.buf.copyWithin(front, this.start, this.end);
      this.base += this.start - front;
      this.start = front;
      this.end = front + tail;
      return;
    }
    let size = this.buf.length * 2;
    while (size < want) size *= 2;
    const bigger = Buffer.allocUnsafe(Math.min(size, this.maxSize + this.chunk));
    this.buf.copy(bigger, 0, this.start, this.end);
    if (std && this.spare === null) this.spare = this.buf;
    this.base += this.start;
    this.buf = bigger;
    this.start = 0;
    this.end = tail;
  }

  private async readInto(first: boolean): Promise<void> {
    if (first) this.makeRoom(Math.max(1, this.end - this.start + 1));
    const n = await this.src!.read(this.buf, this.end, this.buf.length - this.end);
    if (n === 0) this.eof = true;
    else this.end += n;
  }

  private startReadAhead(): void {
    if (this.eof || this.spare === null || this.spare === this.buf || this.src!.immediate) return;
    this.pending = this.src!.read(this.spare, this.headroom, this.chunk);
    // A failure is raised by the fill that takes this chunk, not as an unhandled rejection.
    this.pending.catch(() => undefined);
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
    const pending = this.pending;
    this.pending = null;
    if (pending) await pending.catch(() => undefined);
    this.eof = true;
    if (this.src) await this.src.close();
  }
}
