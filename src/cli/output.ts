/**
 * Text output in large chunks: lines are gathered into one string and written as a single
 * Buffer once it passes CHUNK, honouring backpressure. A closed pipe (EPIPE, e.g. `| head`)
 * makes `closed` true so the caller stops reading; it is not an error.
 */
const CHUNK = 256 * 1024;

export class ChunkedOutput {
  private pending: string[] = [];
  private pendingLength = 0;
  private waiting: Promise<void> | null = null;
  closed = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else this.closed = true;
    });
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK) this.flushChunk();
  }

  /** Call between batches: resolves when the stream can take more. */
  async ready(): Promise<void> {
    if (this.waiting) await this.waiting;
  }

  private flushChunk(): void {
    if (this.pendingLength === 0) return;
    const data = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'latin1');
    this.pending = [];
    this.pendingLength = 0;
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
