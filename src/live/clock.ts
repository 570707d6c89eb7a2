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
    const { wallMs, perfMs } = calibrate();
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

/**
 * Pairs a wall-clock millisecond with the monotonic clock. Date.now() only has millisecond
 * resolution, so watch it tick: the tick happened between the last read showing the old value
 * and the first showing the new one. Watch ticks (about 1 ms of spinning each, once per capture)
 * until one is bracketed tightly, so a preemption during one of them does not matter.
 */
function calibrate(): { wallMs: number; perfMs: number } {
  let best = { wallMs: Date.now(), perfMs: performance.now(), width: Infinity };
  // Stop at the first tick bracketed within 5 µs (usually the first); at most 10 ticks (~10 ms).
  for (let tick = 0; tick < 10 && best.width > 0.005; tick++) {
    // lastOld: monotonic time just before the latest read that still showed `old`.
    let lastOld = performance.now();
    const old = Date.now();
    for (let i = 0; i < 1_000_000; i++) {
      const before = performance.now();
      const now = Date.now();
      if (now !== old) {
        const after = performance.now();
        if (after - lastOld < best.width) best = { wallMs: now, perfMs: (lastOld + after) / 2, width: after - lastOld };
        break;
      }
      lastOld = before;
    }
  }
  return { wallMs: best.wallMs, perfMs: best.perfMs };
}
