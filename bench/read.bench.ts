/**
 * Capture reading: records/s and MB/s of `openCapture` over the 1,000,000-packet capture (as pcap
 * and as pcapng) and a 1 GiB capture, against `tcpdump -r FILE -w /dev/null` and
 * `cat FILE > /dev/null` on the same file in the same run, with our peak RSS. Our reader runs in
 * a child process (read-child.ts) so its RSS is its own; all three are timed the same way, as
 * whole processes.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';
import type { ChildReport } from './read-child.js';

/** The reader runs in its own small module, so the child loads only what reading needs. */
const child = fileURLToPath(new URL('./read-child.js', import.meta.url));

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

/**
 * The machine reclaims page cache in the background (DAMON is on here), so each timed run is
 * preceded by an untimed `cat` that brings the file back into memory, and the three tools take
 * turns run by run: none of them is timed on a colder cache than the others.
 */
function measure(ctx: BenchContext, label: string, file: string, runs: number): void {
  const size = statSync(file).size;
  const mb = size / 1e6;
  const warm = (): void => void timed('sh', ['-c', 'cat "$0" > /dev/null', file], 1);
  const tools: { name: string; cmd: string; args: string[] }[] = [
    { name: 'wirescope', cmd: process.execPath, args: [child, file] },
    { name: 'cat', cmd: 'sh', args: ['-c', 'cat "$0" > /dev/null', file] },
  ];
  if (ctx.has('tcpdump')) tools.push({ name: 'tcpdump', cmd: 'tcpdump', args: ['-r', file, '-w', '/dev/null'] });
  const best = new Map<string, number>();
  let report: ChildReport | null = null;
  for (let r = 0; r < runs; r++) {
    for (const t of tools) {
      warm();
      const run = timed(t.cmd, t.args, 1);
      if (t.name === 'wirescope') {
        if (run.status !== 0) throw new Error(`read child failed on ${file}`);
        const rep = JSON.parse(run.stdout) as ChildReport;
        if (report === null || run.s < (best.get(t.name) ?? Infinity)) report = rep;
      }
      best.set(t.name, Math.min(best.get(t.name) ?? Infinity, run.s));
    }
  }
  const rep = report!;
  const ours = best.get('wirescope')!;
  const cat = best.get('cat')!;
  const line = (name: string, s: number): string =>
    `  ${name.padEnd(26)} ${s.toFixed(3).padStart(7)} s ${(rep.records / s / 1e6).toFixed(2).padStart(6)} M records/s ${(mb / s).toFixed(0).padStart(6)} MB/s`;
  ctx.log(`${label}: ${file} (${rep.records.toLocaleString('en')} records, ${mb.toFixed(0)} MB; best of ${runs}, tools interleaved, cache warmed before each)`);
  ctx.log(line('wirescope openCapture', ours) + `  (in-process ${(rep.ms / 1000).toFixed(3)} s, peak RSS ${(rep.maxRssKb / 1024).toFixed(0)} MB)`);
  const td = best.get('tcpdump');
  if (td !== undefined) {
    ctx.log(line('tcpdump -r -w /dev/null', td) + `  wirescope/tcpdump time ratio ${(ours / td).toFixed(2)} (<= 1 is the target)`);
  }
  ctx.log(line('cat > /dev/null', cat) + `  wirescope/cat time ratio ${(ours / cat).toFixed(2)} (<= 3 is the target)`);
}

/**
 * The big capture as pcapng (SHB, one Ethernet IDB in microseconds, one EPB per record), most
 * captures' format today. Built by plain record walking, not with the writer under test.
 */
function ensurePcapngCopy(dataDir: string, fromPcap: string): string {
  const path = join(dataDir, `${basename(fromPcap, '.pcap')}.pcapng`);
  if (existsSync(path)) return path;
  const src = readFileSync(fromPcap);
  if (src.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${fromPcap}: expected a little-endian microsecond pcap`);
  const block = (type: number, body: Buffer): Buffer => {
    const b = Buffer.alloc(12 + body.length);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(b.length, 4);
    body.copy(b, 8);
    b.writeUInt32LE(b.length, b.length - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(src.readUInt32LE(20) & 0x03ffffff, 0);
  idb.writeUInt32LE(src.readUInt32LE(16), 4);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb)]));
    const out = Buffer.allocUnsafe(8 << 20);
    let used = 0;
    for (let p = 24; p + 16 <= src.length; ) {
      const incl = src.readUInt32LE(p + 8);
      const padded = (incl + 3) & ~3;
      const len = 32 + padded;
      if (used + len > out.length) used = writeAll(fd, out, used);
      const micros = BigInt(src.readUInt32LE(p)) * 1_000_000n + BigInt(src.readUInt32LE(p + 4));
      out.writeUInt32LE(6, used);
      out.writeUInt32LE(len, used + 4);
      out.writeUInt32LE(0, used + 8);
      out.writeUInt32LE(Number(micros >> 32n), used + 12);
      out.writeUInt32LE(Number(micros & 0xffffffffn), used + 16);
      out.writeUInt32LE(incl, used + 20);
      out.writeUInt32LE(src.readUInt32LE(p + 12), used + 24);
      src.copy(out, used + 28, p + 16, p + 16 + incl);
      out.fill(0, used + 28 + incl, used + 28 + padded);
      out.writeUInt32LE(len, used + len - 4);
      used += len;
      p += 16 + incl;
    }
    writeAll(fd, out, used);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}

/** Writes `buf[0, n)` and returns 0 (the bytes now free at the front). */
function writeAll(fd: number, buf: Buffer, n: number): number {
  for (let off = 0; off < n; ) off += writeSync(fd, buf, off, n - off);
  return 0;
}

export default async function readBench(ctx: BenchContext): Promise<void> {
  measure(ctx, '1M-packet capture', ctx.bigPcap, 3);
  measure(ctx, 'the same as pcapng', ensurePcapngCopy(ctx.dataDir, ctx.bigPcap), 3);
  measure(ctx, '1 GiB capture', await ctx.ensureGigCapture(), 2);
}
