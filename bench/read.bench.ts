/**
 * Capture reading: records/s and MB/s of `openCapture` over the 1,000,000-packet capture and a
 * 1 GiB capture, against `tcpdump -r FILE -w /dev/null` and `cat FILE > /dev/null` on the same
 * file in the same run, with our peak RSS. Our reader runs in a child process (this file, run
 * as a script) so its RSS is its own; all three are timed the same way, as whole processes.
 *
 *   node dist/bench/read.bench.js FILE    read FILE, print {records, bytes, ms, maxRssKb}
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../src/capture/index.js';
import type { BenchContext } from './context.js';

const here = fileURLToPath(import.meta.url);

interface ChildReport {
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

/** Wall-clock seconds of a whole process (best of `runs`), and its stdout the last time. */
function timed(cmd: string, args: string[], runs: number): { s: number; stdout: string; status: number | null } {
  let best = Infinity;
  let last = { stdout: '', status: 0 as number | null };
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s < best) best = s;
    last = { stdout: r.stdout, status: r.status };
  }
  return { s: best, ...last };
}

function measure(ctx: BenchContext, label: string, file: string, runs: number): void {
  const size = statSync(file).size;
  const mb = size / 1e6;
  timed('sh', ['-c', 'cat "$0" > /dev/null', file], 1); // page cache warm for all three
  const ours = timed(process.execPath, [here, file], runs);
  if (ours.status !== 0) throw new Error(`read child failed on ${file}`);
  const report = JSON.parse(ours.stdout) as ChildReport;
  const cat = timed('sh', ['-c', 'cat "$0" > /dev/null', file], runs);
  const line = (name: string, s: number): string =>
    `  ${name.padEnd(26)} ${s.toFixed(3).padStart(7)} s ${(report.records / s / 1e6).toFixed(2).padStart(6)} M records/s ${(mb / s).toFixed(0).padStart(6)} MB/s`;
  ctx.log(`${label}: ${file} (${report.records.toLocaleString('en')} records, ${mb.toFixed(0)} MB; best of ${runs})`);
  ctx.log(line('wirescope openCapture', ours.s) + `  (in-process ${(report.ms / 1000).toFixed(3)} s, peak RSS ${(report.maxRssKb / 1024).toFixed(0)} MB)`);
  if (ctx.has('tcpdump')) {
    const td = timed('tcpdump', ['-r', file, '-w', '/dev/null'], runs);
    ctx.log(line('tcpdump -r -w /dev/null', td.s) + `  wirescope/tcpdump time ratio ${(ours.s / td.s).toFixed(2)} (<= 1 is the target)`);
  }
  ctx.log(line('cat > /dev/null', cat.s) + `  wirescope/cat time ratio ${(ours.s / cat.s).toFixed(2)} (<= 3 is the target)`);
}

export default async function readBench(ctx: BenchContext): Promise<void> {
  measure(ctx, '1M-packet capture', ctx.bigPcap, 3);
  measure(ctx, '1 GiB capture', await ctx.ensureGigCapture(), 1);
}

if (process.argv[1] === here) {
  readFile(process.argv[2]!).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
