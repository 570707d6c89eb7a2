/**
 * Decode throughput on the shared 1M-packet capture, in memory (file I/O is the read bench's
 * business): every layer of every packet through one reused PacketDecoder, against a floor loop
 * that only walks the record headers and reads a few fixed offsets of each frame. Then tcpdump
 * and tshark on the same file for scale (they also format text, so they do more work).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Layer, PacketDecoder } from '../src/codec/index.js';
import type { BenchContext } from './context.js';

const RUNS = 5;

/** Record headers and three fixed offsets (EtherType, IPv4 protocol / IPv6 next header, a port byte). */
function floorLoop(buf: Buffer): { packets: number; check: number } {
  const end = buf.length;
  let off = 24;
  let packets = 0;
  let check = 0;
  while (off + 16 <= end) {
    const incl = buf.readUInt32LE(off + 8);
    const orig = buf.readUInt32LE(off + 12);
    const p = off + 16;
    check = (check + orig + buf[p + 12]! + buf[p + 23]! + buf[p + 35]!) | 0;
    off = p + incl;
    packets++;
  }
  return { packets, check };
}

/** Full decode, reading a field of every decoded layer so none of the work is dead. */
function decodeLoop(buf: Buffer, d: PacketDecoder): { packets: number; check: number } {
  const end = buf.length;
  let off = 24;
  let packets = 0;
  let check = 0;
  while (off + 16 <= end) {
    const incl = buf.readUInt32LE(off + 8);
    const orig = buf.readUInt32LE(off + 12);
    const p = d.decode(buf, off + 16, incl, 1, orig);
    let c = p.layerCount + p.payloadLength + p.eth.etherType;
    if (p.has(Layer.Ipv4)) c += p.ip4.ttl + p.ip4.totalLength;
    else if (p.has(Layer.Ipv6)) c += p.ip6.hopLimit + p.ip6.payloadLength;
    if (p.has(Layer.Tcp)) c += p.tcp.srcPort + p.tcp.dstPort + p.tcp.flags + p.tcp.window + p.tcp.tsVal;
    else if (p.has(Layer.Udp)) c += p.udp.srcPort + p.udp.dstPort;
    if (p.issue !== null) c += 1_000_000;
    check = (check + c) | 0;
    off += 16 + incl;
    packets++;
  }
  return { packets, check };
}

function best(run: () => { packets: number; check: number }): { ns: number; packets: number; check: number } {
  let min = Infinity;
  let last = { packets: 0, check: 0 };
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    last = run();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns < min) min = ns;
  }
  return { ns: min, ...last };
}

function timeTool(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
  return Number(process.hrtime.bigint() - t0);
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

export default async function decodeBench(ctx: BenchContext): Promise<void> {
  const buf = readFileSync(ctx.bigPcap);
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4 || buf.readUInt32LE(20) !== 1) {
    throw new Error(`${ctx.bigPcap}: expected a little-endian microsecond Ethernet pcap`);
  }
  const d = new PacketDecoder();
  ctx.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores, shared)`);
  // Warm both loops so the JIT has settled before anything is timed.
  floorLoop(buf);
  decodeLoop(buf, d);
  const floor = best(() => floorLoop(buf));
  const full = best(() => decodeLoop(buf, d));
  const line = (name: string, r: { ns: number; packets: number }) =>
    ctx.log(`${name.padEnd(34)} ${fmt((r.packets / r.ns) * 1e9).padStart(12)} packets/s ${(r.ns / r.packets).toFixed(1).padStart(7)} ns/packet`);
  ctx.log(`${fmt(full.packets)} packets, ${(buf.length / 1e6).toFixed(0)} MB, best of ${RUNS}`);
  line('floor (record headers + 3 bytes)', floor);
  line('wirescope full decode', full);
  ctx.log(`full decode / floor: ${(full.ns / floor.ns).toFixed(2)}x (target <= 1.5x); ` +
    `${((full.packets / full.ns) * 1e3).toFixed(2)} Mpps (target >= 5)`);

  if (ctx.has('tcpdump')) {
    const ns = timeTool('tcpdump', ['-nr', ctx.bigPcap]);
    ctx.log(`tcpdump -nr (decode + print to /dev/null): ${fmt((full.packets / ns) * 1e9)} packets/s; ` +
      `wirescope decode is ${(ns / full.ns).toFixed(1)}x faster`);
  }
  if (ctx.has('tshark')) {
    // tshark runs ~100x slower than tcpdump: a 200,000-packet prefix of the same file.
    const n = 200_000;
    const ns = timeTool('tshark', ['-n', '-r', ctx.bigPcap, '-c', String(n), '-T', 'fields', '-e', 'tcp.flags', '-e', 'udp.srcport']);
    ctx.log(`tshark -T fields, first ${fmt(n)} packets: ${fmt((n / ns) * 1e9)} packets/s; ` +
      `wirescope decode is ${((ns / n) / (full.ns / full.packets)).toFixed(0)}x faster`);
  }
  ctx.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
