/**
 * Live-capture load test (a script, not a timed test; needs root, libpcap and tcpdump):
 * a child process sends UDP datagrams over loopback at a fixed rate while tcpdump and
 * wirescope's live capture (decoding every packet) capture them at the same time. Prints
 * packets sent, each side's captured / received / dropped counts, and how far wirescope's
 * arrival stamps are from the kernel stamps tcpdump recorded for the same packets.
 *
 *   npm run build && node dist/bench/live-load.js [--rate 20000] [--seconds 5] [--buffer MiB] [--cli]
 *
 * --cli adds tcpdump and the wirescope CLI each printing every packet (to /dev/null).
 *
 * Every loop is bounded: the generator stops after --seconds (at most 60) and rate*seconds
 * datagrams; the capture stops when the generator exits or after a hard deadline.
 */
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readAllRecords } from '../src/capture/index.js';
import { PacketDecoder } from '../src/codec/index.js';
import { openLiveCapture, settle } from '../src/live/index.js';

const PAYLOAD = 16;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`bad ${name} value: ${process.argv[i + 1]}`);
  return v;
}

/** Child: paced UDP datagrams to its own bound socket (so no ICMP unreachables come back). */
async function generate(port: number, rate: number, seconds: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', () => {});
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', r));
  const total = Math.floor(rate * seconds);
  let sent = 0;
  let failed = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - start;
      const target = Math.min(total, Math.floor((elapsed * rate) / 1000));
      for (; sent < target; sent++) {
        const b = Buffer.alloc(PAYLOAD);
        b.writeUInt32BE(sent, 0);
        sock.send(b, port, '127.0.0.1', (err: Error | null) => {
          if (err) failed++;
        });
      }
      if (sent >= total || elapsed > seconds * 1000 + 2000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  process.stdout.write(`${JSON.stringify({ sent: sent - failed, seconds: (performance.now() - start) / 1000 })}\n`);
}

interface Counts {
  captured: number;
  received: number;
  dropped: number;
}

function parseTcpdumpStats(text: string): Counts {
  const n = (what: string): number => Number(new RegExp(`(\\d+) packets? ${what}`).exec(text)?.[1] ?? NaN);
  return { captured: n('captured'), received: n('received by filter'), dropped: n('dropped by kernel') };
}

interface Printer {
  label: string;
  listening: Promise<void>;
  stop(): Promise<{ label: string; counts: Counts; cpuShare: number }>;
}

/** A CLI capturing and printing to /dev/null; its summary is parsed from stderr on SIGINT. */
function startPrinter(label: string, cmd: string, args: string[]): Printer {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const started = performance.now();
  const listening = (async () => {
    for (let i = 0; i < 1000 && !err.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 10));
    if (!err.includes('listening on')) throw new Error(`${label} did not start: ${err}`);
  })();
  return {
    label,
    listening,
    stop: async () => {
      const ticks = cpuTicks(child.pid);
      child.kill('SIGINT');
      await exited;
      return { label, counts: parseTcpdumpStats(err), cpuShare: ticks / 100 / ((performance.now() - started) / 1000) };
    },
  };
}

/** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux), from /proc. */
function cpuTicks(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

function seqOf(decoder: PacketDecoder, buf: Buffer, offset: number, capLen: number, linkType: number): number {
  const pkt = decoder.decode(buf, offset, capLen, linkType, capLen);
  return pkt.payloadLength >= 4 ? buf.readUInt32BE(pkt.payloadOffset) : -1;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

async function main(): Promise<void> {
  const rate = arg('--rate', 20_000);
  const seconds = Math.min(arg('--seconds', 5), 60);
  const port = 40_000 + (process.pid % 20_000);
  const filter = `udp dst port ${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'wirescope-live-load-'));
  const tdFile = join(dir, 'tcpdump.pcap');
  try {
    // tcpdump as it is usually run for capture throughput: to a file, default buffer.
    const td = spawn('tcpdump', ['-i', 'lo', '-nn', '-s', '262144', '-w', tdFile, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
    let tdErr = '';
    td.stderr.on('data', (d: Buffer) => (tdErr += d.toString()));
    const tdExit = new Promise<void>((r) => td.once('exit', () => r()));
    for (let i = 0; i < 500 && !tdErr.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 10));
    if (!tdErr.includes('listening on')) throw new Error(`tcpdump did not start: ${tdErr}`);

    // --cli: also the command-line tools printing every packet (text to /dev/null), as users run them.
    const printers = process.argv.includes('--cli')
      ? [
          startPrinter('tcpdump -nn', 'tcpdump', ['-i', 'lo', '-nn', filter]),
          startPrinter('wirescope -nn', process.execPath, [fileURLToPath(new URL('../../bin/wirescope.js', import.meta.url)), '-i', 'lo', '-nn', filter]),
        ]
      : [];
    for (const p of printers) await p.listening;

    const bufferMiB = arg('--buffer', 0);
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const source = await openLiveCapture(bufferMiB > 0 ? { interface: 'lo', filter, bufferSize: bufferMiB << 20 } : { interface: 'lo', filter });
    const total = Math.floor(rate * seconds);
    const stamps = new Float64Array(total).fill(NaN);
    const base = Math.floor(Date.now() / 1000);
    const decoder = new PacketDecoder();
    const consumed = (async () => {
      for await (const batch of source) {
        for (const r of batch) {
          const seq = seqOf(decoder, r.buf, r.offset, r.capLen, r.linkType);
          if (seq >= 0 && seq < total) stamps[seq] = (r.tsSec - base) * 1e9 + r.tsNsec;
        }
      }
    })();

    const gen = spawn(process.execPath, [fileURLToPath(import.meta.url), '--generate', String(port), String(rate), String(seconds)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let genOut = '';
    gen.stdout.on('data', (d: Buffer) => (genOut += d.toString()));
    const hardStop = setTimeout(() => gen.kill('SIGKILL'), (seconds + 20) * 1000);
    await new Promise<void>((r) => gen.once('exit', () => r()));
    clearTimeout(hardStop);
    const { sent, seconds: took } = JSON.parse(genOut.trim()) as { sent: number; seconds: number };

    await settle(source, 100, 5000);
    await source.close();
    await consumed;
    const ours = source.stats();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
    // tcpdump reads in TPACKET_V3 blocks a timer retires (1 s): let the last one reach it.
    await new Promise((r) => setTimeout(r, 1500));
    td.kill('SIGINT');
    await tdExit;
    const theirs = parseTcpdumpStats(tdErr);
    const printed = await Promise.all(printers.map((p) => p.stop()));

    const log = (s: string): void => void process.stdout.write(s + '\n');
    log(`live load: ${sent} UDP datagrams over lo in ${took.toFixed(2)} s (${Math.round(sent / took)} packets/s target ${rate})`);
    log(`             captured  received  dropped  lost (sent - captured)`);
    log(`tcpdump    ${String(theirs.captured).padStart(10)}${String(theirs.received).padStart(10)}${String(theirs.dropped).padStart(9)}  ${sent - theirs.captured}`);
    log(`wirescope  ${String(ours.captured).padStart(10)}${String(ours.received).padStart(10)}${String(ours.dropped).padStart(9)}  ${sent - ours.captured}`);
    for (const p of printed) {
      log(`${p.label.padEnd(15)}${String(p.counts.captured).padStart(6)}${String(p.counts.received).padStart(10)}${String(p.counts.dropped).padStart(9)}  ${sent - p.counts.captured}  (printing, ${(p.cpuShare * 100).toFixed(1)}% of one core)`);
    }
    log(`wirescope process CPU while capturing and decoding: ${(cpuShare * 100).toFixed(1)}% of one core; load average ${loadavg()[0]!.toFixed(2)}`);
    log('(tcpdump on lo counts each packet twice in "received by filter": the kernel hands libpcap both');
    log(' directions and libpcap discards the outgoing copy. wirescope cannot read pcap_stats through');
    log(' cap, so its "dropped" counts only its own queue overflow; kernel-ring loss shows as "lost".)');

    const missing: number[] = [];
    for (let i = 0; i < sent && missing.length < 10; i++) if (Number.isNaN(stamps[i]!)) missing.push(i);
    if (missing.length > 0) log(`wirescope missed datagrams #${missing.join(', #')}${sent - ours.captured > 10 ? ', ...' : ''}`);

    // Stamp error: wirescope's arrival stamp minus the kernel stamp of the same datagram.
    const kernel = await readAllRecords(tdFile);
    const errs: number[] = [];
    for (const r of kernel) {
      const seq = seqOf(decoder, r.buf, r.offset, r.capLen, r.linkType);
      const mine = seq >= 0 && seq < total ? stamps[seq]! : NaN;
      if (!Number.isNaN(mine)) errs.push(mine - ((r.tsSec - base) * 1e9 + r.tsNsec));
    }
    if (errs.length > 0) {
      const sorted = Float64Array.from(errs).sort();
      const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;
      log(
        `stamp error (wirescope - kernel) over ${sorted.length} packets: min ${us(sorted[0]!)}, median ${us(percentile(sorted, 0.5))}, ` +
          `p90 ${us(percentile(sorted, 0.9))}, p99 ${us(percentile(sorted, 0.99))}, max ${us(sorted[sorted.length - 1]!)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--generate') {
  await generate(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
} else {
  await main();
  process.exit(0);
}
