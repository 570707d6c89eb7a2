import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Layer, PacketDecoder, type Packet } from '../../src/codec/index.js';
import { corpusFiles, fixtureFiles, mergedFixtures, recordsOf, mergedCorpus, tsharkFieldRows, tsharkSeesInnerTransport } from './helpers.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const hasMergecap = spawnSync('mergecap', ['-h'], { stdio: 'ignore' }).status === 0;
if (!hasTshark) console.log('tshark is not installed: the field-by-field comparison is skipped');

type Pick = (p: Packet) => string | number | null;
const num = (s: string) => Number(s);

/** tshark field, our value (null = we have no such layer), how to read tshark's text. */
const FIELDS: [string, Pick, (s: string) => string | number][] = [
  ['eth.type', (p) => (p.has(Layer.Ethernet) ? p.eth.etherType : null), num],
  // tshark files 802.1ad (0x88a8) tags under ieee8021ad.*: vlan.id is the first other tag.
  ['vlan.id', (p) => firstNon8021ad(p), num],
  ['ip.src', (p) => (p.has(Layer.Ipv4) ? p.ip4.srcString() : null), String],
  // With a source route tshark shows the route's last hop as ip.dst; the header field (what
  // tcpdump prints and dstString() returns) is compared only without one.
  ['ip.dst', (p) => (p.has(Layer.Ipv4) && p.ip4.finalDstOffset === p.ip4.offset + 16 ? p.ip4.dstString() : null), String],
  ['ip.ttl', (p) => (p.has(Layer.Ipv4) ? p.ip4.ttl : null), num],
  ['ip.id', (p) => (p.has(Layer.Ipv4) ? p.ip4.id : null), num],
  ['ip.len', (p) => (p.has(Layer.Ipv4) && p.ip4.totalLength !== 0 ? p.ip4.totalLength : null), num],
  ['ip.hdr_len', (p) => (p.has(Layer.Ipv4) ? p.ip4.headerLength : null), num],
  // tshark 4.0 shows the fragment offset in 8-byte units.
  ['ip.frag_offset', (p) => (p.has(Layer.Ipv4) ? p.ip4.fragmentOffset / 8 : null), num],
  ['ip.proto', (p) => (p.has(Layer.Ipv4) ? p.ip4.protocol : null), num],
  ['ipv6.src', (p) => (p.has(Layer.Ipv6) ? p.ip6.srcString() : null), String],
  ['ipv6.dst', (p) => (p.has(Layer.Ipv6) ? p.ip6.dstString() : null), String],
  ['ipv6.hlim', (p) => (p.has(Layer.Ipv6) ? p.ip6.hopLimit : null), num],
  ['ipv6.plen', (p) => (p.has(Layer.Ipv6) ? p.ip6.payloadLength : null), num],
  ['ipv6.flow', (p) => (p.has(Layer.Ipv6) ? p.ip6.flowLabel : null), num],
  ['ipv6.nxt', (p) => (p.has(Layer.Ipv6) ? p.ip6.nextHeader : null), num],
  ['tcp.srcport', (p) => (p.has(Layer.Tcp) ? p.tcp.srcPort : null), num],
  ['tcp.dstport', (p) => (p.has(Layer.Tcp) ? p.tcp.dstPort : null), num],
  ['tcp.seq_raw', (p) => (p.has(Layer.Tcp) ? p.tcp.seq : null), num],
  ['tcp.ack_raw', (p) => (p.has(Layer.Tcp) && p.tcp.ackFlag ? p.tcp.ack : null), num],
  ['tcp.flags', (p) => (p.has(Layer.Tcp) ? p.tcp.flags : null), (s) => num(s) & 0x1ff],
  ['tcp.window_size_value', (p) => (p.has(Layer.Tcp) ? p.tcp.window : null), num],
  ['tcp.hdr_len', (p) => (p.has(Layer.Tcp) ? p.tcp.headerLength : null), num],
  ['tcp.urgent_pointer', (p) => (p.has(Layer.Tcp) && p.tcp.urg ? p.tcp.urgentPointer : null), num],
  ['tcp.options.mss_val', (p) => (p.has(Layer.Tcp) && p.tcp.mss >= 0 ? p.tcp.mss : null), num],
  ['tcp.options.wscale.shift', (p) => (p.has(Layer.Tcp) && p.tcp.windowScale >= 0 ? p.tcp.windowScale : null), num],
  ['tcp.options.timestamp.tsval', (p) => (p.has(Layer.Tcp) && p.tcp.hasTimestamps ? p.tcp.tsVal : null), num],
  ['tcp.options.timestamp.tsecr', (p) => (p.has(Layer.Tcp) && p.tcp.hasTimestamps ? p.tcp.tsEcr : null), num],
  ['tcp.options.sack_le', (p) => (p.has(Layer.Tcp) && p.tcp.sackBlockCount ? p.tcp.sackLeft(0) : null), num],
  ['tcp.len', (p) => (p.has(Layer.Tcp) && !p.truncated ? p.payloadLength : null), num],
  ['udp.srcport', (p) => (p.has(Layer.Udp) ? p.udp.srcPort : null), num],
  ['udp.dstport', (p) => (p.has(Layer.Udp) ? p.udp.dstPort : null), num],
  ['udp.length', (p) => (p.has(Layer.Udp) ? p.udp.lengthField : null), num],
  ['icmp.type', (p) => (p.has(Layer.Icmp) ? p.icmp.type : null), num],
  ['icmp.code', (p) => (p.has(Layer.Icmp) ? p.icmp.code : null), num],
  ['icmpv6.type', (p) => (p.has(Layer.Icmpv6) ? p.icmp6.type : null), num],
  ['icmpv6.code', (p) => (p.has(Layer.Icmpv6) ? p.icmp6.code : null), num],
  ['icmpv6.echo.identifier', (p) => (p.has(Layer.Icmpv6) && p.icmp6.type >= 128 && p.icmp6.type <= 129 ? p.icmp6.id : null), num],
  ['icmpv6.echo.sequence_number', (p) => (p.has(Layer.Icmpv6) && p.icmp6.type >= 128 && p.icmp6.type <= 129 ? p.icmp6.sequence : null), num],
  ['icmpv6.nd.ns.target_address', (p) => (p.has(Layer.Icmpv6) && p.icmp6.type === 135 ? p.icmp6.targetString() : null), String],
  ['arp.opcode', (p) => (p.has(Layer.Arp) ? p.arp.operation : null), num],
  ['arp.src.proto_ipv4', (p) => (p.has(Layer.Arp) && p.arp.plen === 4 ? p.arp.senderProtocolString() : null), String],
  ['arp.src.hw_mac', (p) => (p.has(Layer.Arp) && p.arp.hlen === 6 ? p.arp.senderHardwareString() : null), String],
];

function firstNon8021ad(p: Packet): number | null {
  for (let i = 0; i < p.vlanCount; i++) if (p.vlan(i).tpid !== 0x88a8) return p.vlan(i).vid;
  return null;
}

/** Fields of protocols tshark may find quoted inside ICMP errors or tunnelled inside IP. */
const INNER = /^(tcp|udp|icmp|icmpv6)\./;

async function compare(file: string, origin?: string[]): Promise<{ bad: string[]; compared: number }> {
  const args = [
    '-r', file, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=/t',
  ];
  for (const [f] of FIELDS) args.push('-e', f);
  const rows = tsharkFieldRows(args);
  const records = await recordsOf(file);
  const d = new PacketDecoder();
  const bad: string[] = [];
  let compared = 0;
  records.forEach((rec, i) => {
    const row = rows[i];
    if (!row) return;
    const p = d.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
    const { quoted, tunnel } = tsharkSeesInnerTransport(p);
    FIELDS.forEach(([name, pick, parse], j) => {
      const theirs = row[j] ?? '';
      const ours = pick(p);
      // Only fields of layers we decoded, that tshark also shows; where tshark may be looking
      // at a quoted or tunnelled header, the transport fields are not ours to compare.
      if (ours === null || theirs === '') return;
      if ((quoted || tunnel) && INNER.test(name)) return;
      compared++;
      const want = parse(theirs);
      if (want !== ours) bad.push(`${origin?.[i] ?? `${basename(file)} #${rec.index}`} ${name}: ours ${ours}, tshark ${theirs}`);
    });
  });
  return { bad, compared };
}

describe('decoded field values agree with tshark', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wirescope-fields-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!hasTshark)('on every shipped fixture', async () => {
    let compared = 0;
    const bad: string[] = [];
    // One tshark run over the merged fixtures when mergecap is there, else one per file.
    const runs = hasMergecap ? [await mergedFixtures(tmp)] : fixtureFiles().map((path) => ({ path, origin: undefined }));
    for (const { path, origin } of runs) {
      const r = await compare(path, origin);
      compared += r.compared;
      bad.push(...r.bad);
    }
    expect(bad.slice(0, 30)).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });

  const { files, why } = corpusFiles();
  it.skipIf(!hasTshark || !hasMergecap || files.length === 0)(`on the tcpdump corpus ${why}`, async () => {
    const merged = mergedCorpus(tmp, files);
    const r = await compare(merged);
    console.log(`corpus: ${r.compared} field values compared with tshark`);
    expect(r.bad.slice(0, 40)).toEqual([]);
  });
});
