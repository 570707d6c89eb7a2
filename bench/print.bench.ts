/**
 * Printing: `wirescope -nn -r BIG > /dev/null` against `tcpdump -nn -r BIG > /dev/null` on the
 * shared 1,000,000-packet capture in the same run, then the same with -v and with a filter that
 * keeps about 1% of the packets. Whole processes, wall clock and CPU time (a loaded machine
 * stretches wall clock unevenly), each pair run back to back.
 *
 * The filter case prints little, so its time is mostly starting Node and reading the file. A
 * "floor" line shows how low a Node program can go there: a child that only starts and reads
 * the file in 4 MiB chunks, parsing nothing, timed in the same run, with its ratio to tcpdump.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/print.bench.js -> the package root two levels up
const root = resolve(here, '..', '..');
const wirescope = resolve(root, 'bin', 'wirescope.js');
/** Keeps ~1% of the shared capture (IPv4 segments with SYN set). */
const FILTER = 'tcp[tcpflags] & tcp-syn != 0';
/** The floor: start Node, read the file (argv[1]) in 4 MiB chunks, nothing else. */
const READ_ONLY =
  "const fs = require('node:fs'); const fd = fs.openSync(process.argv[1], 'r'); const b = Buffer.allocUnsafe(4 << 20); " +
  'while (fs.readSync(fd, b, 0, b.length, null) > 0); fs.closeSync(fd);';

interface Timing {
  ms: number;
  /** User + system CPU of the child (Linux: from /proc, else NaN). */
  cpuMs: number;
  status: number | null;
}

/** CPU time of waited-for children so far (cutime + cstime), in ms; NaN without /proc. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 16 and 17 of stat(5), counted after the command name
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

function time(cmd: string, args: string[]): Timing {
  const devnull = openSync('/dev/null', 'w');
  try {
    const c0 = childrenCpuMs();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', devnull, 'ignore'], maxBuffer: 1 << 20 });
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: childrenCpuMs() - c0, status: r.status };
  } finally {
    closeSync(devnull);
  }
}

function countLines(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 512 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return r.stdout.split('\n').length - 1;
}

export default async function printBench(ctx: BenchContext): Promise<void> {
  const big = ctx.bigPcap;
  ctx.log(`print: ${big}`);
  const cases: [string, string[]][] = [
    ['-nn', ['-nn', '-r', big]],
    ['-nn -v', ['-nn', '-v', '-r', big]],
    [`-nn '${FILTER}'`, ['-nn', '-r', big, FILTER]],
  ];
  if (ctx.has('tcpdump')) {
    const kept = countLines('tcpdump', ['-nn', '-r', big, FILTER]);
    const all = countLines('tcpdump', ['-q', '-nn', '-r', big]);
    ctx.log(`print: the filter keeps ${kept} of ${all} packets (${((100 * kept) / all).toFixed(2)}%)`);
  }
  for (const [label, args] of cases) {
    const filtered = args.includes(FILTER);
    const ws = time(process.execPath, [wirescope, ...args]);
    if (ws.status !== 0) ctx.log(`print ${label}: wirescope exited with ${ws.status}`);
    if (!ctx.has('tcpdump')) {
      ctx.log(`print ${label}: wirescope ${(ws.ms / 1000).toFixed(2)} s (tcpdump not installed: no ratio)`);
      continue;
    }
    const td = time('tcpdump', args);
    ctx.log(
      `print ${label}: wirescope ${(ws.ms / 1000).toFixed(2)} s, tcpdump ${(td.ms / 1000).toFixed(2)} s, ratio ${(ws.ms / td.ms).toFixed(2)} (target <= 0.5); ` +
        `CPU ${(ws.cpuMs / 1000).toFixed(2)} s vs ${(td.cpuMs / 1000).toFixed(2)} s, ratio ${(ws.cpuMs / td.cpuMs).toFixed(2)}`,
    );
    if (filtered) {
      const floor = time(process.execPath, ['-e', READ_ONLY, big]);
      ctx.log(
        `print ${label}: FLOOR (not wirescope: a Node child that only starts and reads the file in 4 MiB chunks, no parsing) ` +
          `${(floor.ms / 1000).toFixed(2)} s, ratio to tcpdump ${(floor.ms / td.ms).toFixed(2)}; CPU ${(floor.cpuMs / 1000).toFixed(2)} s, ratio ${(floor.cpuMs / td.cpuMs).toFixed(2)}`,
      );
    }
  }
}
