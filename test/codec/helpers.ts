import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAllRecords } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/capture/record.js';
import { Layer, type LayerId, type Packet } from '../../src/codec/index.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'tcpdump');

/** The shipped real captures and the encoder-built edge cases. */
export function fixtureFiles(): string[] {
  const out: string[] = [];
  for (const dir of [join(ROOT, 'fixtures'), join(ROOT, 'fixtures', 'edge')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (/\.pcap(ng)?$/.test(f)) out.push(join(dir, f));
  }
  return out;
}

/** tcpdump's own test captures, or [] (with the reason) when ../shared is absent. */
export function corpusFiles(): { files: string[]; why: string } {
  if (!existsSync(CORPUS)) return { files: [], why: `${CORPUS} is absent: corpus checks skipped` };
  const files = readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => join(CORPUS, f));
  return { files, why: '' };
}

/** Records of a file; a capture the reader rejects part-way yields the good records before the fault. */
export async function recordsOf(file: string): Promise<CaptureRecord[]> {
  try {
    return await readAllRecords(file);
  } catch {
    // Some corpus files are deliberately damaged; the prefix the reader accepts is still useful.
    const { openCapture } = await import('../../src/capture/index.js');
    const out: CaptureRecord[] = [];
    try {
      const src = await openCapture(file);
      try {
        for await (const batch of src) for (const r of batch) out.push(r.copy());
      } finally {
        await src.close();
      }
    } catch {
      /* keep what was read */
    }
    return out;
  }
}

/** One decoded header: where it starts and ends, and the offset a truncation inside it reports. */
export interface Segment {
  layer: LayerId;
  start: number;
  end: number;
}

/** The headers a full decode found, in wire order, offsets relative to the frame start. */
export function segmentsOf(p: Packet): Segment[] {
  const s: Segment[] = [];
  const rel = (o: number) => o - p.start;
  const add = (layer: LayerId, start: number, len: number) => s.push({ layer, start: rel(start), end: rel(start) + len });
  let vlan = 0;
  for (let i = 0; i < p.layerCount; i++) {
    switch (p.layerAt(i)) {
      case Layer.Null:
      case Layer.Loop:
        add(p.layerAt(i), p.loop.offset, 4);
        break;
      case Layer.Ethernet:
        add(Layer.Ethernet, p.eth.offset, 14);
        break;
      case Layer.Vlan:
        add(Layer.Vlan, p.vlan(vlan++).offset, 4);
        break;
      case Layer.Sll:
        add(Layer.Sll, p.sll.offset, 16);
        break;
      case Layer.Sll2:
        add(Layer.Sll2, p.sll2.offset, 20);
        break;
      case Layer.Raw:
        add(Layer.Raw, p.start, 1);
        break;
      case Layer.Arp:
        add(Layer.Arp, p.arp.offset, p.arp.headerLength);
        break;
      case Layer.Ipv4:
        add(Layer.Ipv4, p.ip4.offset, p.ip4.headerLength);
        break;
      case Layer.Ipv6:
        add(Layer.Ipv6, p.ip6.offset, 40);
        for (let e = 0; e < p.ip6.extCount; e++) add(Layer.Ipv6, p.ip6.extOffset(e), p.ip6.extLength(e));
        break;
      case Layer.Tcp:
        add(Layer.Tcp, p.tcp.offset, p.tcp.headerLength);
        break;
      case Layer.Udp:
        add(Layer.Udp, p.udp.offset, 8);
        break;
      case Layer.Icmp:
        add(Layer.Icmp, p.icmp.offset, 8);
        break;
      case Layer.Icmpv6:
        add(Layer.Icmpv6, p.icmp6.offset, p.icmp6.headerLength);
        break;
      default:
        break;
    }
  }
  return s;
}

/** Reads every view's getters and string methods of the present layers (must never throw). */
export function touchEverything(p: Packet): number {
  let n = 0;
  const sink = (v: unknown) => {
    n += typeof v === 'string' ? v.length : Number(v) || 0;
  };
  const cb = (k: number, o: number, l: number) => sink(k + o + l);
  if (p.has(Layer.Null) || p.has(Layer.Loop)) sink(p.loop.family);
  if (p.has(Layer.Ethernet)) [p.eth.dstString(), p.eth.srcString(), p.eth.etherType].forEach(sink);
  for (let i = 0; i < p.vlanCount; i++) [p.vlan(i).vid, p.vlan(i).pcp, p.vlan(i).dei, p.vlan(i).etherType].forEach(sink);
  if (p.has(Layer.Sll)) [p.sll.addressString(), p.sll.protocol, p.sll.packetType].forEach(sink);
  if (p.has(Layer.Sll2)) [p.sll2.addressString(), p.sll2.interfaceIndex, p.sll2.protocol].forEach(sink);
  if (p.has(Layer.Arp)) {
    const a = p.arp;
    [a.senderHardwareString(), a.senderProtocolString(), a.targetHardwareString(), a.targetProtocolString()].forEach(sink);
  }
  if (p.has(Layer.Ipv4)) {
    const v = p.ip4;
    [v.srcString(), v.dstString(), v.checksumStatus(), v.expectedChecksum(), v.fragmentOffset, v.src, v.dst].forEach(sink);
    v.forEachOption(cb);
  }
  if (p.has(Layer.Ipv6)) {
    const v = p.ip6;
    [v.srcString(), v.dstString(), v.finalDstString(), v.flowLabel, v.fragmentOffset, v.fragmentId, v.moreFragments].forEach(sink);
  }
  if (p.has(Layer.Tcp)) {
    const t = p.tcp;
    [t.seq, t.ack, t.flags, t.checksumStatus(), t.expectedChecksum(), t.mss, t.tsVal].forEach(sink);
    for (let i = 0; i < t.sackBlockCount; i++) sink(t.sackLeft(i) + t.sackRight(i));
    t.forEachOption(cb);
  }
  if (p.has(Layer.Udp)) [p.udp.lengthField, p.udp.checksumStatus(), p.udp.expectedChecksum()].forEach(sink);
  if (p.has(Layer.Icmp)) [p.icmp.type, p.icmp.id, p.icmp.checksumStatus(), p.icmp.expectedChecksum()].forEach(sink);
  if (p.has(Layer.Icmpv6)) {
    const c = p.icmp6;
    [c.type, c.id, c.targetString(), c.checksumStatus(), c.expectedChecksum()].forEach(sink);
    c.forEachOption(cb);
  }
  sink(p.payload().length);
  return n;
}

/**
 * The shipped fixtures as one pcapng (mergecap -a keeps order and per-file link types), so a
 * tool runs once instead of once per file; `origin[i]` names record i's file and number.
 */
export async function mergedFixtures(dir: string): Promise<{ path: string; origin: string[] }> {
  const { execFileSync } = await import('node:child_process');
  const { basename, join } = await import('node:path');
  const files = fixtureFiles();
  const origin: string[] = [];
  for (const f of files) for (const r of await recordsOf(f)) origin.push(`${basename(f)} #${r.index}`);
  const path = join(dir, 'fixtures.pcapng');
  execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', path, ...files], { stdio: 'ignore' });
  return { path, origin };
}

/** `tshark ARGS` (a `-T fields` run with tab separators): one array of field texts per frame. */
export function tsharkFieldRows(args: readonly string[]): string[][] {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/**
 * Where tshark's first tcp/udp/icmp occurrence is not the header we decoded at the top level:
 * one quoted inside an ICMP or ICMPv6 error, or one tunnelled inside IP-in-IP (4, 41), where we
 * stop at the outer IP.
 */
export function tsharkSeesInnerTransport(p: Packet): { quoted: boolean; tunnel: boolean } {
  return {
    quoted: (p.has(Layer.Icmp) && p.icmp.innerOffset >= 0) || (p.has(Layer.Icmpv6) && p.icmp6.innerOffset >= 0),
    tunnel: p.ipProto === 4 || p.ipProto === 41,
  };
}

/**
 * The corpus files mergecap can read (the deliberately broken ones are left out) merged into
 * `dir`/corpus.pcapng, so tshark runs once over all of them.
 */
export function mergedCorpus(dir: string, files: readonly string[]): string {
  const readable = files.filter((f) => spawnSync('capinfos', ['-c', f], { stdio: 'ignore' }).status === 0);
  const merged = join(dir, 'corpus.pcapng');
  execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...readable], { stdio: 'ignore' });
  return merged;
}
