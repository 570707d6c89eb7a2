import type { ByteWindow } from './bytes.js';
import { CaptureRecord, type RecordSource, type SourceInfo } from './record.js';

/** Records per batch: enough to amortise the async step, small enough to stay cache-warm. */
export const BATCH_RECORDS = 4096;

/**
 * What the pcap and pcapng sources share: a pool of reused records handed out in batches, and
 * a window that is closed once, when iteration ends or the consumer stops early.
 */
export abstract class BatchedSource implements RecordSource {
  abstract readonly info: SourceInfo;
  protected closed = false;
  protected readonly pool: CaptureRecord[] = [];

  constructor(protected readonly win: ByteWindow) {
    for (let i = 0; i < BATCH_RECORDS; i++) this.pool.push(new CaptureRecord());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.win.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<readonly CaptureRecord[]> {
    try {
      yield* this.batches();
    } finally {
      await this.close();
    }
  }

  protected abstract batches(): AsyncGenerator<readonly CaptureRecord[]>;
}
