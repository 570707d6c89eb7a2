/**
 * The read bench's child: reads every record of FILE with `openCapture`, touching each one as a
 * consumer would (its length), and prints {records, bytes, ms, maxRssKb} as JSON. Only the
 * reader is loaded, so the process costs what reading a capture costs.
 *
 *   node dist/bench/read-child.js FILE
 */
import { readFileSync } from 'node:fs';
import { openCapture } from '../src/capture/open.js';

export interface ChildReport {
  records: number;
  bytes: number;
  /** Time inside the child, from open to the last record. */
  ms: number;
  maxRssKb: number;
}

/** Reads every record, touching each one as a consumer would (its length). */
async function readFile(file: string): Promise<ChildReport> {
  const t0 = process.hrtime.bigint();
  const src = await openCapture(file);
  let records = 0;
  let bytes = 0;
  for await (const batch of src) {
    records += batch.length;
    for (let i = 0; i < batch.length; i++) bytes += batch[i]!.capLen;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { records, bytes, ms, maxRssKb: peakRssKb() };
}

/**
 * This process's peak RSS. Linux keeps getrusage's ru_maxrss across exec, so a child forked
 * from a big parent reports the parent's peak; VmHWM belongs to the new image alone.
 */
function peakRssKb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS;
}

readFile(process.argv[2]!).then(
  (r) => process.stdout.write(JSON.stringify(r) + '\n'),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
