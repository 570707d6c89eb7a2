/**
 * Arrival timestamps. `cap` hands over packets without libpcap's kernel timestamps, so each
 * packet is stamped when its event reaches JavaScript: a monotonic high-resolution clock
 * (`performance.now()`, the same uv_hrtime clock as `process.hrtime`, read without allocating a
 * BigInt) offset by a wall-clock anchor taken once when the capture opens.
 */
import { performance } from 'node:perf_hooks';

const NS_PER_SEC = 1_000_000_000;

export class ArrivalClock {
  /** Wall time of the anchor, as whole seconds and nanoseconds. */
  private readonly anchorSec: number;
  private readonly anchorNsec: number;
  /** `performance.now()` (ms) at the anchor. */
  private readonly anchorPerfMs: number;
  tsSec = 0;
  tsNsec = 0;

  constructor() {
    // Date.now() has millisecond resolution: spin (at most ~1 ms, once) until it ticks, so the
    // anchor is taken on a millisecond edge and the wall/monotonic offset is known to ~1 µs.
    const start = Date.now();
    let wallMs = Date.now();
    let perfMs = performance.now();
    for (let i = 0; i < 1_000_000 && wallMs === start; i++) {
      wallMs = Date.now();
      perfMs = performance.now();
    }
    this.anchorSec = Math.floor(wallMs / 1000);
    this.anchorNsec = (wallMs % 1000) * 1_000_000;
    this.anchorPerfMs = perfMs;
  }

  /** Sets `tsSec`/`tsNsec` to the current wall time at nanosecond resolution. */
  stamp(): void {
    const elapsedNs = Math.round((performance.now() - this.anchorPerfMs) * 1_000_000) + this.anchorNsec;
    const carry = Math.floor(elapsedNs / NS_PER_SEC);
    this.tsSec = this.anchorSec + carry;
    this.tsNsec = elapsedNs - carry * NS_PER_SEC;
  }
}
