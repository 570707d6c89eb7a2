/**
 * Text output in large chunks: each packet's text is copied (latin1, one byte per char) into a
 * 1 MiB buffer that is written out whole when full, honouring backpressure. A closed pipe
 * (EPIPE, e.g. `| head`) makes `closed` true so the caller stops reading; it is not an error.
 */
const CHUNK = 1 << 20;

export class ChunkedOutput {
  /** The chunk being filled; `used` bytes of it are pending. Printers may write in place after `ensure()`. */
  buf = Buffer.allocUnsafe(CHUNK);
  used = 0;
  private waiting: Promise<void> | null = null;
  closed = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', () => {
      // EPIPE and friends: the reader has gone; stop quietly
      this.closed = true;
    });
  }

  write(text: string): void {
    const n = text.length;
    if (this.used + n > CHUNK) {
      this.flushChunk();
      if (n > CHUNK) {
        this.send(Buffer.from(text, 'latin1'));
        return;
      }
    }
    this.used += this.buf.write(text, this.used, 'latin1');
  }

  /** Makes room for `n` more bytes in `buf` (n <= 1 MiB). */
  ensure(n: number): void {
    if (this.used + n > CHUNK) this.flushChunk();
  }

  /** Call between batches: resolves when the stream can take more. */
  async ready(): Promise<void> {
    if (this.waiting) await this.waiting;
  }

  private flushChunk(): void {
    if (this.used === 0) return;
    const data = this.buf.subarray(0, this.used);
    // the stream keeps `data` until written: continue in a fresh buffer
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    this.send(data);
  }

  private send(data: Buffer): void {
    if (this.closed) return;
    const ok = this.stream.write(data);
    if (!ok && !this.waiting) {
      this.waiting = new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          this.waiting = null;
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }

  /** Writes what is left and waits until the stream has taken it. */
  async end(): Promise<void> {
    this.flushChunk();
    await this.ready();
  }
}
