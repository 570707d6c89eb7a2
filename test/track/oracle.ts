/**
 * The tshark oracle for handshake outcomes: runs `tshark -2` over a capture and maps each TCP
 * stream's tcp.completeness bitmask (1 SYN, 2 SYN-ACK, 4 ACK, 8 DATA, 16 FIN, 32 RST) to the
 * outcome we should report, then lines the streams up with our connections by first packet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { ConnectionReport } from '../../src/track/index.js';

export interface TsharkStream {
  stream: number;
  firstFrame: number;
  completeness: number;
  /** A RST came from the side that did not send the stream's first SYN. */
  rstFromResponder: boolean;
}

export function hasTshark(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v tshark'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function tsharkStreams(file: string): TsharkStream[] {
  // tshark exits non-zero on a damaged file after printing every packet before the damage,
  // which is what we compare against (our reader also keeps the good records).
  const run = spawnSync(
    'tshark',
    ['-2', '-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=l',
      '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.completeness', '-e', 'tcp.flags',
      '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 },
  );
  if (run.error) throw run.error;
  const out = run.stdout;
  const streams = new Map<number, TsharkStream & { synSender: string | null; rstSenders: string[] }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, stream, comp, flags, ip4, ip6, port] = line.split('|');
    if (!stream) continue;
    const id = Number(stream);
    const f = Number(flags);
    const sender = `${ip4 || ip6}|${port}`;
    let s = streams.get(id);
    if (!s) {
      s = { stream: id, firstFrame: Number(frame), completeness: 0, rstFromResponder: false, synSender: null, rstSenders: [] };
      streams.set(id, s);
    }
    s.completeness |= Number(comp || 0);
    if ((f & 0x12) === 0x02 && s.synSender === null) s.synSender = sender;
    if (f & 0x04) s.rstSenders.push(sender);
  }
  return [...streams.values()].map((s) => ({
    stream: s.stream,
    firstFrame: s.firstFrame,
    completeness: s.completeness,
    rstFromResponder: s.synSender !== null && s.rstSenders.some((r) => r !== s.synSender),
  }));
}

export type OutcomeClass = 'complete' | 'incomplete' | 'refused' | 'timeout' | 'midstream';

/** What tshark's bits say the handshake was. */
export function tsharkOutcome(s: TsharkStream): OutcomeClass {
  const b = s.completeness;
  if (!(b & 1)) return 'midstream';
  if (b & 2) return b & (4 | 8) ? 'complete' : 'incomplete';
  return s.rstFromResponder ? 'refused' : 'timeout';
}

export function ourOutcome(c: ConnectionReport): OutcomeClass {
  return c.handshake === 'simultaneous' ? 'complete' : c.handshake;
}

export interface Disagreement {
  file: string;
  frame: number;
  tshark: string;
  ours: string;
}

/** Every stream/connection where the two differ, keyed by first packet. */
export function compare(file: string, label: string, streams: TsharkStream[], ours: ConnectionReport[]): Disagreement[] {
  const out: Disagreement[] = [];
  const byFirst = new Map(ours.map((c) => [c.firstPacket, c]));
  const seen = new Set<number>();
  for (const s of streams) {
    const c = byFirst.get(s.firstFrame);
    const t = `${tsharkOutcome(s)} (completeness ${s.completeness})`;
    if (!c) {
      out.push({ file: label, frame: s.firstFrame, tshark: t, ours: 'no connection starts here' });
      continue;
    }
    seen.add(c.firstPacket);
    if (ourOutcome(c) !== tsharkOutcome(s)) out.push({ file: label, frame: s.firstFrame, tshark: t, ours: `${c.handshake} (${c.state} ${c.history})` });
  }
  for (const c of ours) {
    if (!seen.has(c.firstPacket)) out.push({ file: label, frame: c.firstPacket, tshark: 'no stream starts here', ours: `${c.handshake} (${c.state} ${c.history})` });
  }
  void file;
  return out;
}
