import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAllRecords } from '../../src/capture/index.js';
import { Layer, PacketDecoder, layerName } from '../../src/codec/index.js';
import { edgeFiles, writeEdgeFixtures } from '../../fixtures/edge/make-edge.js';
import { ROOT } from './helpers.js';

const EDGE = join(ROOT, 'fixtures', 'edge');
const update = process.env.UPDATE_EDGE === '1';

describe('fixtures/edge', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wirescope-edge-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the committed files are what make-edge.ts builds today', () => {
    const built = writeEdgeFixtures(update ? EDGE : tmp);
    const names = built.map((f) => f.split('/').pop()!).sort();
    const committed = readdirSync(EDGE).filter((f) => f.endsWith('.pcap')).sort();
    expect(committed).toEqual(names);
    for (const name of names) {
      const file = join(EDGE, name);
      expect(existsSync(file), name).toBe(true);
      expect(readFileSync(file).equals(readFileSync(join(update ? EDGE : tmp, name))), `${name} differs: UPDATE_EDGE=1 to rewrite`).toBe(true);
    }
  });

  for (const f of edgeFiles()) {
    it(`${f.name}: each packet decodes with exactly the issue it was built with`, async () => {
      const records = await readAllRecords(join(EDGE, f.name));
      expect(records.length).toBe(f.packets.length);
      const d = new PacketDecoder();
      records.forEach((rec, i) => {
        const want = f.packets[i]!;
        const p = d.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
        const got = p.issue ? `${layerName(p.issue.layer)} ${p.issue.reason} @${p.issue.offset}` : 'none';
        const exp = want.issue ? `${layerName(want.issue.layer)} ${want.issue.reason} @${want.issue.offset}` : 'none';
        expect(got, `${f.name} #${i + 1} ${want.note}`).toBe(exp);
        expect(p.truncated, want.note).toBe(rec.capLen < rec.origLen);
      });
    });
  }

  it('spot checks against the values the packets were built with', async () => {
    const d = new PacketDecoder();
    const first = async (name: string, i: number) => {
      const recs = await readAllRecords(join(EDGE, name));
      const r = recs[i]!;
      return d.decode(r.buf, r.offset, r.capLen, r.linkType, r.origLen);
    };
    let p = await first('vlan-qinq.pcap', 0);
    expect([p.vlanCount, p.vlan(0).tpid, p.vlan(0).vid, p.vlan(0).pcp, p.vlan(1).vid, p.vlan(1).dei]).toEqual([2, 0x88a8, 100, 3, 200, true]);
    p = await first('vlan-qinq.pcap', 4);
    expect([p.payloadLength, p.payload().toString()]).toEqual([3, 'pad']);
    p = await first('null-be.pcap', 0);
    expect([p.loop.family, p.has(Layer.Ipv4)]).toEqual([2, true]);
    p = await first('ipv4-options.pcap', 3);
    expect([p.ip4.optionsLength, p.tcp.checksumStatus()]).toEqual([12, 'correct']);
    expect(p.buf.subarray(p.ip4.finalDstOffset, p.ip4.finalDstOffset + 4)).toEqual(Buffer.from([203, 0, 113, 99]));
    p = await first('ipv4-options.pcap', 8);
    expect([p.ip4.mf, p.udp.checksumStatus(), p.udp.lengthField]).toEqual([true, 'unverifiable', 32]);
    p = await first('ipv6-ext.pcap', 0);
    expect([p.ip6.extCount, p.ip6.finalDstString(), p.ipProto, p.tcp.checksumStatus()]).toEqual([3, '2001:db8::b', 6, 'correct']);
    p = await first('ipv6-ext.pcap', 8);
    expect([p.ip6.payloadLength, p.ip6.jumboLength, p.payloadLength]).toEqual([0, 70040, 70000]);
    p = await first('tcp-options.pcap', 2);
    expect([p.tcp.tfoCookieLength, p.payload().toString()]).toEqual([8, 'GET / HTTP/1.1\r\n']);
    p = await first('tcp-options.pcap', 4);
    expect([p.tcp.sackBlockCount, p.tcp.sackLeft(3), p.tcp.sackRight(3)]).toEqual([4, 0xfffffff0, 0x10]);
    p = await first('tcp-options.pcap', 7);
    expect([p.tcp.flags, p.tcp.ae, p.tcp.urgentPointer]).toEqual([0x1ff, true, 3]);
    p = await first('icmp.pcap', 2);
    expect(p.icmp.innerOffset).toBe(p.icmp.offset + 8);
    const inner = new PacketDecoder().decode(p.buf, p.icmp.innerOffset, p.start + p.capLen - p.icmp.innerOffset, 228);
    expect([inner.ip4.srcString(), inner.udp.dstPort, inner.payload().toString()]).toEqual(['198.51.100.2', 53, 'query']);
    p = await first('checksums.pcap', 10);
    expect([p.tcp.checksum, p.tcp.checksumStatus(), p.tcp.expectedChecksum(), p.tcp.negativeZeroChecksum]).toEqual([0xffff, 'incorrect', 0, true]);
    p = await first('checksums.pcap', 4);
    expect([p.udp.hasChecksum, p.udp.checksumStatus()]).toEqual([false, 'unverifiable']);
  });
});
