/**
 * --json values against tshark as the oracle: for every packet of fixtures/*.pcap and
 * fixtures/edge/*.pcap, tshark's `-T fields` output (all occurrences, so the header quoted in an
 * ICMP error counts too) must start with the values our JSON holds, in the same order.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonFormatter } from '../../src/printer/structured.js';
import { defaultPrintOptions } from '../../src/printer/options.js';
import { corpusFiles, fixtureFiles, mergedFixtures, recordsOf, mergedCorpus, tsharkFieldRows } from '../codec/helpers.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const hasMergecap = spawnSync('mergecap', ['-h'], { stdio: 'ignore' }).status === 0;
const WHY = hasTshark ? '' : '(tshark is not installed: the --json/tshark comparison is skipped)';
if (!hasTshark) console.log('tshark is not installed: the --json/tshark comparison is skipped');

type J = Record<string, unknown>;
type V = string | number;

/** Every layer in document order, descending into the packets ICMP errors quote. */
function flat(layers: J[], out: J[] = []): J[] {
  for (const l of layers) {
    out.push(l);
    const q = l['quoted'] as { layers: J[] } | undefined;
    if (q) flat(q.layers, out);
  }
  return out;
}

const of = (layer: string, f: (l: J) => unknown) => (ls: J[]): V[] =>
  ls.filter((l) => l['layer'] === layer).map(f).filter((v): v is V => typeof v === 'number' || typeof v === 'string');
const key = (layer: string, k: string) => of(layer, (l) => l[k]);
const flags = (l: J): J | undefined => l['flags'] as J | undefined;
const flag = (layer: string, k: string) => of(layer, (l) => (flags(l) ? (flags(l)![k] ? 1 : 0) : undefined));
const opt = (layer: string, name: string, f: (o: J) => V[]) => (ls: J[]): V[] =>
  ls.filter((l) => l['layer'] === layer).flatMap((l) => ((l['options'] as J[] | undefined) ?? []).filter((o) => o['name'] === name).flatMap(f));
const ext = (type: number, f: (e: J) => V) => (ls: J[]): V[] =>
  ls.filter((l) => l['layer'] === 'ipv6').flatMap((l) => ((l['extensions'] as J[] | undefined) ?? []).filter((e) => e['type'] === type).map(f));
/** Checksum objects only: quoted headers may carry them too (their own decoder verified them). */
const sum = (layer: string, f: (c: J) => unknown) => of(layer, (l) => (typeof l['checksum'] === 'object' ? f(l['checksum'] as J) : undefined));
const optsOf = (ls: J[], name: string): V[] =>
  ls.filter((l) => l['layer'] === 'ipv6').flatMap((l) =>
    ((l['extensions'] as J[] | undefined) ?? []).flatMap((e) => ((e['options'] as J[] | undefined) ?? []).filter((o) => o['name'] === name).map((o) => o['value'] as number)),
  );
const routeAddrs = (routingType: number) => (ls: J[]): V[] =>
  ls.filter((l) => l['layer'] === 'ipv6').flatMap((l) =>
    ((l['extensions'] as J[] | undefined) ?? []).filter((e) => e['type'] === 43 && e['routingType'] === routingType)
      .flatMap((e) => (e['addresses'] ?? e['segments']) as string[]),
  );
/** The protocol after an IPv6 header and its extension headers. */
const upperOf = (l: J): number => {
  const e = l['extensions'] as J[] | undefined;
  return (e && e.length ? e[e.length - 1]!['nextHeader'] : l['nextHeader']) as number;
};
/** Prefix information and route information options, in order: tshark files both under icmpv6.opt.prefix. */
const ndPrefixes = (ls: J[]): J[] =>
  ls.filter((l) => l['layer'] === 'icmpv6').flatMap((l) => ((l['options'] as J[] | undefined) ?? []).filter((o) => o['name'] === 'prefixInformation' || o['name'] === 'routeInformation'));
const STATUS: Record<string, number> = { correct: 1, incorrect: 0, unverifiable: 2 };

const num = (s: string): V => Number(s);
/**
 * tshark's PROTO_CHECKSUM_E_*: 0 bad, 1 good, 2 unverified, 3 not present, 4 illegal. Ours has
 * three verdicts: 'incorrect' covers illegal (a zero UDP checksum over IPv6), 'unverifiable'
 * covers not present (a zero UDP checksum over IPv4).
 */
const verdict = (s: string): V => ({ '0': 0, '1': 1, '2': 2, '3': 2, '4': 0 })[s] ?? -1;
const str = (s: string): V => s;

/** tshark field, our values, how tshark's text reads. */
const FIELDS: [string, (ls: J[]) => V[], (s: string) => V][] = [
  ['eth.src', key('ethernet', 'src'), str],
  ['eth.dst', key('ethernet', 'dst'), str],
  // tshark files 802.1ad (0x88a8) tags under ieee8021ad.*.
  ['vlan.id', of('vlan', (l) => (l['tpid'] === 0x88a8 ? undefined : l['vid'])), num],
  ['vlan.priority', of('vlan', (l) => (l['tpid'] === 0x88a8 ? undefined : l['pcp'])), num],
  ['vlan.dei', of('vlan', (l) => (l['tpid'] === 0x88a8 ? undefined : l['dei'] ? 1 : 0)), num],
  ['null.family', (ls) => [...key('null', 'family')(ls), ...key('loop', 'family')(ls)], num],
  ['sll.halen', key('sll', 'addressLength'), num],
  ['sll.etype', key('sll', 'protocol'), num],
  ['sll.pkttype', key('sll', 'packetType'), num],
  ['sll.hatype', (ls) => [...key('sll', 'arphrdType')(ls), ...key('sll2', 'arphrdType')(ls)], num],
  ['sll.ifindex', key('sll2', 'interfaceIndex'), num],
  ['arp.hw.type', key('arp', 'hardwareType'), num],
  ['arp.proto.type', key('arp', 'protocolType'), num],
  ['arp.hw.size', key('arp', 'hlen'), num],
  ['arp.proto.size', key('arp', 'plen'), num],
  ['arp.dst.hw_mac', of('arp', (l) => (l['hlen'] === 6 ? l['targetHardware'] : undefined)), str],
  ['arp.opcode', key('arp', 'operation'), num],
  ['arp.src.proto_ipv4', of('arp', (l) => (l['plen'] === 4 ? l['senderProtocol'] : undefined)), str],
  ['arp.dst.proto_ipv4', of('arp', (l) => (l['plen'] === 4 ? l['targetProtocol'] : undefined)), str],
  ['arp.src.hw_mac', of('arp', (l) => (l['hlen'] === 6 ? l['senderHardware'] : undefined)), str],
  ['ip.ttl', key('ipv4', 'ttl'), num],
  ['ip.id', key('ipv4', 'id'), num],
  ['ip.hdr_len', key('ipv4', 'headerLength'), num],
  ['ip.dsfield.dscp', key('ipv4', 'dscp'), num],
  ['ip.proto', key('ipv4', 'protocol'), num],
  ['ip.flags.df', flag('ipv4', 'df'), num],
  ['ip.flags.mf', flag('ipv4', 'mf'), num],
  // tshark 4.0 shows the fragment offset in 8-byte units.
  ['ip.frag_offset', of('ipv4', (l) => (l['fragmentOffset'] as number) / 8), num],
  ['ip.src', key('ipv4', 'src'), str],
  ['ip.checksum.status', sum('ipv4', (c) => STATUS[c['status'] as string]), verdict],
  ['ip.checksum_calculated', sum('ipv4', (c) => c['expected']), (s) => parseInt(s, 16)],
  ['ip.dsfield.ecn', key('ipv4', 'ecn'), num],
  ['ip.opt.time_stamp_addr', opt('ipv4', 'ts', (o) => (o['entries'] as J[]).flatMap((e) => (e['address'] ? [e['address'] as string] : []))), str],
  ['ip.opt.ptr', opt('ipv4', 'rr', (o) => [o['pointer'] as number]), num],
  ['ip.opt.ra', opt('ipv4', 'ra', (o) => [o['value'] as number]), num],
  ['ip.opt.time_stamp', opt('ipv4', 'ts', (o) => (o['entries'] as J[]).map((e) => e['timestamp'] as number)), num],
  ['ipv6.hlim', key('ipv6', 'hopLimit'), num],
  ['ipv6.flow', key('ipv6', 'flowLabel'), num],
  ['ipv6.plen', key('ipv6', 'payloadLength'), num],
  ['ipv6.nxt', key('ipv6', 'nextHeader'), num],
  ['ipv6.tclass', key('ipv6', 'trafficClass'), num],
  ['ipv6.src', key('ipv6', 'src'), str],
  ['ipv6.routing.type', ext(43, (e) => e['routingType'] as number), num],
  ['ipv6.routing.segleft', ext(43, (e) => e['segmentsLeft'] as number), num],
  ['ipv6.hopopts.len', ext(0, (e) => e['hdrExtLen'] as number), num],
  ['ipv6.dstopts.len', ext(60, (e) => e['hdrExtLen'] as number), num],
  ['ipv6.opt.router_alert', (ls) => ext(0, (e) => e['name'] as string)(ls).length ? optsOf(ls, 'routerAlert') : [], num],
  ['ipv6.routing.src.addr', routeAddrs(0), str],
  ['ipv6.routing.mipv6.home_address', routeAddrs(2), str],
  ['ipv6.routing.srh.addr', routeAddrs(4), str],
  ['ipv6.fraghdr.offset', ext(44, (e) => (e['fragmentOffset'] as number) / 8), num],
  ['ipv6.fraghdr.more', ext(44, (e) => (e['more'] ? 1 : 0)), num],
  ['ipv6.fraghdr.ident', ext(44, (e) => e['id'] as number), (s) => parseInt(s, 16)],
  ['ipv6.opt.jumbo', key('ipv6', 'jumboLength'), num],
  ['tcp.srcport', key('tcp', 'srcPort'), num],
  ['tcp.dstport', key('tcp', 'dstPort'), num],
  ['tcp.seq_raw', key('tcp', 'seq'), num],
  ['tcp.ack_raw', key('tcp', 'ack'), num],
  ['tcp.hdr_len', key('tcp', 'headerLength'), num],
  ['tcp.flags', of('tcp', (l) => flags(l)?.['value']), (s) => Number(s) & 0x1ff],
  ['tcp.window_size_value', key('tcp', 'window'), num],
  ['tcp.urgent_pointer', key('tcp', 'urgentPointer'), num],
  ['tcp.options.mss_val', opt('tcp', 'mss', (o) => [o['value'] as number]), num],
  ['tcp.options.wscale.shift', opt('tcp', 'wscale', (o) => [o['value'] as number]), num],
  ['tcp.options.timestamp.tsval', opt('tcp', 'timestamps', (o) => [o['tsVal'] as number]), num],
  ['tcp.options.timestamp.tsecr', opt('tcp', 'timestamps', (o) => [o['tsEcr'] as number]), num],
  ['tcp.options.sack_le', opt('tcp', 'sack', (o) => (o['blocks'] as J[]).map((b) => b['left'] as number)), num],
  ['tcp.options.sack_re', opt('tcp', 'sack', (o) => (o['blocks'] as J[]).map((b) => b['right'] as number)), num],
  ['tcp.options.tfo.cookie', opt('tcp', 'tfo', (o) => (o['cookie'] ? [o['cookie'] as string] : [])), (s) => s.replace(/:/g, '')],
  ['tcp.options.wscale.multiplier', opt('tcp', 'wscale', (o) => [o['multiplier'] as number]), num],
  ['tcp.checksum.status', sum('tcp', (c) => STATUS[c['status'] as string]), verdict],
  ['tcp.checksum_calculated', sum('tcp', (c) => c['expected']), (s) => parseInt(s, 16)],
  ['udp.srcport', key('udp', 'srcPort'), num],
  ['udp.dstport', key('udp', 'dstPort'), num],
  ['udp.length', key('udp', 'lengthField'), num],
  ['udp.checksum_calculated', sum('udp', (c) => c['expected']), (s) => parseInt(s, 16)],
  ['udp.checksum.status', sum('udp', (c) => STATUS[c['status'] as string]), verdict],
  ['icmp.type', key('icmp', 'type'), num],
  ['icmp.code', key('icmp', 'code'), num],
  ['icmp.ident', key('icmp', 'id'), num],
  ['icmp.seq', key('icmp', 'sequence'), num],
  ['icmp.mtu', key('icmp', 'mtu'), num],
  ['icmp.originate_timestamp', key('icmp', 'originate'), num],
  ['icmp.checksum.status', sum('icmp', (c) => STATUS[c['status'] as string]), verdict],
  ['icmpv6.type', key('icmpv6', 'type'), num],
  ['icmpv6.code', key('icmpv6', 'code'), num],
  ['icmpv6.echo.identifier', key('icmpv6', 'id'), num],
  ['icmpv6.echo.sequence_number', key('icmpv6', 'sequence'), num],
  ['icmpv6.mtu', key('icmpv6', 'mtu'), num],
  ['icmpv6.checksum.status', sum('icmpv6', (c) => STATUS[c['status'] as string]), verdict],
  ['icmpv6.nd.ra.router_lifetime', key('icmpv6', 'routerLifetime'), num],
  ['icmpv6.nd.ra.reachable_time', key('icmpv6', 'reachableTime'), num],
  ['icmpv6.nd.ra.cur_hop_limit', key('icmpv6', 'curHopLimit'), num],
  ['icmpv6.nd.ra.retrans_timer', key('icmpv6', 'retransTimer'), num],
  ['icmpv6.nd.ns.target_address', of('icmpv6', (l) => (l['type'] === 135 ? l['target'] : undefined)), str],
  ['icmpv6.nd.na.target_address', of('icmpv6', (l) => (l['type'] === 136 ? l['target'] : undefined)), str],
  ['icmpv6.nd.na.flag.r', of('icmpv6', (l) => (l['type'] === 136 ? (flags(l)?.['router'] ? 1 : 0) : undefined)), num],
  ['icmpv6.nd.na.flag.s', of('icmpv6', (l) => (l['type'] === 136 ? (flags(l)?.['solicited'] ? 1 : 0) : undefined)), num],
  ['icmpv6.opt.linkaddr', (ls) => [...opt('icmpv6', 'sourceLinkAddress', (o) => [o['address'] as string])(ls), ...opt('icmpv6', 'targetLinkAddress', (o) => [o['address'] as string])(ls)], str],
  ['icmpv6.opt.prefix.length', (ls) => ndPrefixes(ls).map((o) => o['prefixLength'] as number), num],
  ['icmpv6.opt.prefix.valid_lifetime', opt('icmpv6', 'prefixInformation', (o) => [o['validLifetime'] as number]), num],
  ['icmpv6.opt.prefix', (ls) => ndPrefixes(ls).map((o) => o['prefix'] as string), str],
  ['icmpv6.opt.mtu', opt('icmpv6', 'mtu', (o) => [o['value'] as number]), num],
];

const PREFS = [
  '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.relative_sequence_numbers:FALSE',
  '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
];

function tsharkRows(file: string): string[][] {
  const args = ['-r', file, ...PREFS, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-E', 'separator=/t'];
  for (const [f] of FIELDS) args.push('-e', f);
  return tsharkFieldRows(args);
}

/** Our --json lines for the file tshark reads. */
async function jsonLines(path: string): Promise<string[]> {
  const fmt = jsonFormatter(defaultPrintOptions());
  return (await recordsOf(path)).map((r) => fmt(r));
}

async function compare(path: string, origin?: string[]) {
  const rows = tsharkRows(path);
  const lines = await jsonLines(path);
  const bad: string[] = [];
  const perField = new Map<string, number>();
  let compared = 0;
  lines.forEach((line, i) => {
    const row = rows[i];
    if (!row) return;
    const pkt = JSON.parse(line) as { layers: J[]; linkType: number; truncated: boolean; capLen: number; origLen: number; issue: unknown };
    const layers = flat(pkt.layers);
    // The IP length claims more than the frame had on the wire (not a snaplen cut): tshark then
    // verifies over the bytes there are; the codec sides with tcpdump and calls it unverifiable.
    const lyingLength = pkt.truncated && pkt.capLen === pkt.origLen;
    const clean =
      !pkt.truncated && pkt.issue === null && !layers.some((l) => l['quoted'] !== undefined) &&
      !pkt.layers.some((l) => (l['layer'] === 'ipv4' && [4, 41].includes(l['protocol'] as number)) || (l['layer'] === 'ipv6' && [4, 41].includes(upperOf(l))));
    FIELDS.forEach(([name, pick, parse], j) => {
      if (lyingLength && /checksum/.test(name)) return;
      const ours = pick(layers);
      const cell = row[j] ?? '';
      if (ours.length === 0 || cell === '') return;
      const theirs = cell.split(',').map(parse);
      // A clean packet (nothing quoted, tunnelled, cut or malformed): tshark has no more values than we do.
      if (clean && ours.length !== theirs.length) bad.push(`${origin?.[i] ?? `#${i + 1}`} ${name}: ours ${ours.join(',')}, tshark ${cell}`);
      // tshark may see more (tunnels, layers we stop before); the values we have must lead.
      const n = Math.min(ours.length, theirs.length);
      for (let k = 0; k < n; k++) {
        compared++;
        perField.set(name, (perField.get(name) ?? 0) + 1);
        if (ours[k] !== theirs[k]) bad.push(`${origin?.[i] ?? `#${i + 1}`} ${name}[${k}]: ours ${ours[k]}, tshark ${cell}`);
      }
    });
  });
  return { bad, compared, perField, frames: lines.length, rows: rows.length };
}

describe('--json values agree with tshark', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wirescope-structured-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!hasTshark)(`on every packet of fixtures/ and fixtures/edge/ ${WHY}`, async () => {
    const files = fixtureFiles();
    const runs = hasMergecap ? [await mergedFixtures(tmp)] : files.map((f) => ({ path: f, origin: undefined as string[] | undefined }));
    const bad: string[] = [];
    const perField = new Map<string, number>();
    let compared = 0;
    for (const run of runs) {
      const r = await compare(run.path, run.origin);
      if (!basename(run.path).includes('linktype-147')) expect(r.rows).toBe(r.frames);
      bad.push(...r.bad);
      compared += r.compared;
      for (const [k, v] of r.perField) perField.set(k, (perField.get(k) ?? 0) + v);
    }
    expect(bad.slice(0, 40)).toEqual([]);
    expect(compared).toBeGreaterThan(3000);
    // Every field in the list met at least one packet that has it: none is compared vacuously.
    expect(FIELDS.map(([f]) => f).filter((f) => !perField.has(f))).toEqual([]);
  });

  const { files: corpus, why } = corpusFiles();
  const corpusWhy = !hasTshark ? WHY : !hasMergecap ? '(mergecap absent: corpus comparison skipped)' : why;
  it.skipIf(!hasTshark || !hasMergecap || corpus.length === 0)(`on tcpdump's test captures (merged, one tshark run) ${corpusWhy}`, async () => {
    const merged = mergedCorpus(tmp, corpus);
    const r = await compare(merged);
    console.log(`corpus: ${r.frames} frames, ${r.compared} --json values compared with tshark`);
    expect(r.bad.slice(0, 40)).toEqual([]);
  });
});
