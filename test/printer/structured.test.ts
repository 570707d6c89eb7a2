/**
 * Shape of --json and -V: every line parses, every offset lies in the frame, -V block headers
 * name the right OSI layer, decode issues appear with layer and offset (as make-edge.ts built
 * them), and options built with the encoder come back decoded at the offsets they were put.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/record.js';
import { encodePacket, layerName, type PacketSpec } from '../../src/codec/index.js';
import { defaultPrintOptions } from '../../src/printer/options.js';
import { jsonFormatter, layersFormatter } from '../../src/printer/structured.js';
import { edgeFiles } from '../../fixtures/edge/make-edge.js';
import { corpusFiles, fixtureFiles, recordsOf } from '../codec/helpers.js';

type J = Record<string, unknown>;

/** The OSI layer each layer belongs to, and how its -V block title starts. */
const EXPECT: Record<string, [string, RegExp]> = {
  null: ['layer 2 (data link)', /^BSD loopback/],
  loop: ['layer 2 (data link)', /^OpenBSD loopback/],
  ethernet: ['layer 2 (data link)', /^Ethernet II/],
  vlan: ['layer 2 (data link)', /^802\.1(Q|ad)/],
  sll: ['layer 2 (data link)', /^Linux cooked capture v1/],
  sll2: ['layer 2 (data link)', /^Linux cooked capture v2/],
  raw: ['layer 2 (data link)', /^Raw IP/],
  arp: ['layer 3 (network)', /^ARP/],
  ipv4: ['layer 3 (network)', /^IPv4/],
  ipv6: ['layer 3 (network)', /^IPv6/],
  icmp: ['layer 3 (network)', /^ICMP[ ,]/],
  icmpv6: ['layer 3 (network)', /^ICMPv6[ ,]/],
  tcp: ['layer 4 (transport)', /^TCP/],
  udp: ['layer 4 (transport)', /^UDP/],
  payload: ['payload', /^\d+ bytes, not decoded/],
};

const DISPLAY: Record<string, string> = { ipv4: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP', icmpv6: 'ICMPv6', vlan: 'VLAN', ethernet: 'Ethernet' };

function record(frame: Buffer, linkType = 1, capLen = frame.length): CaptureRecord {
  return {
    buf: frame, offset: 0, capLen, origLen: frame.length, tsSec: 1700000000, tsNsec: 0, linkType, interfaceId: 0, index: 1,
    copy() {
      return this;
    },
  } as unknown as CaptureRecord;
}

/** Every object below `v` that has numeric offset and length (layers, options, extension headers, quoted). */
function spans(v: unknown, out: { offset: number; length: number; where: string }[] = [], where = ''): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => spans(x, out, `${where}[${i}]`));
  else if (v && typeof v === 'object') {
    const o = v as J;
    if (typeof o['offset'] === 'number' && typeof o['length'] === 'number') out.push({ offset: o['offset'], length: o['length'], where });
    for (const [k, x] of Object.entries(o)) if (typeof x === 'object') spans(x, out, `${where}.${k}`);
  }
  return out;
}

describe('--json and -V over every fixture', async () => {
  const files = fixtureFiles();
  for (const file of files) {
    const records = await recordsOf(file);
    it(`${basename(file)}: one JSON object per packet, offsets inside the frame, -V headers per layer`, () => {
      const json = jsonFormatter(defaultPrintOptions());
      const tree = layersFormatter(defaultPrintOptions());
      expect(records.length).toBeGreaterThan(0);
      for (const rec of records) {
        const line = json(rec);
        expect(line.endsWith('\n')).toBe(true);
        expect(line.indexOf('\n')).toBe(line.length - 1);
        const pkt = JSON.parse(line) as J & { layers: J[] };
        expect(pkt['index']).toBe(rec.index);
        expect(pkt['capLen']).toBe(rec.capLen);
        for (const s of spans(pkt.layers)) {
          expect(s.offset, `${basename(file)} #${rec.index} ${s.where}`).toBeGreaterThanOrEqual(0);
          expect(s.offset + s.length, `${basename(file)} #${rec.index} ${s.where}`).toBeLessThanOrEqual(rec.capLen);
        }
        const text = tree(rec);
        expect(line + text, `${basename(file)} #${rec.index}`).not.toMatch(/undefined|NaN/);
        // Field offsets in the tree: @a or @a..b, all inside the captured bytes.
        for (const m of text.matchAll(/ @(\d+)(?:\.\.(\d+))?$/gm)) {
          const end = Number(m[2] ?? m[1]);
          expect(end, `${basename(file)} #${rec.index}: ${m[0]}`).toBeLessThan(Math.max(rec.capLen, 1));
        }
        // Top-level blocks: one per JSON layer, in order, each under its OSI layer.
        const headers = [...text.matchAll(/^ {2}(layer \d \([a-z ]+\)|payload): (.*?) {2}\[(bytes (\d+)\.\.|at byte (\d+))/gm)];
        const blocks = headers.filter((h) => !/not fully decoded/.test(h[2]!));
        expect(blocks.length, `${basename(file)} #${rec.index}`).toBe(pkt.layers.length);
        pkt.layers.forEach((l, i) => {
          const [osi, title] = EXPECT[l['layer'] as string]!;
          const h = blocks[i]!;
          expect(h[1], `${basename(file)} #${rec.index} ${String(l['layer'])}`).toBe(osi);
          expect(h[2]).toMatch(title);
          expect(Number(h[4] ?? h[5])).toBe(l['offset']);
        });
      }
    });
  }
});

describe('decode issues', () => {
  const built = edgeFiles().filter((f) => ['truncated.pcap', 'malformed.pcap', 'malformed-linktype-147.pcap'].includes(f.name));
  for (const f of built) {
    it(`${f.name}: the issue make-edge.ts built into each packet, with layer and offset, in both outputs`, () => {
      const json = jsonFormatter(defaultPrintOptions());
      const tree = layersFormatter(defaultPrintOptions());
      let withIssue = 0;
      for (const p of f.packets) {
        const rec = record(p.frame, f.linkType, p.capLen ?? p.frame.length);
        const obj = JSON.parse(json(rec)) as { issue: J | null; truncated: boolean };
        const text = tree(rec);
        if (!p.issue) {
          expect(obj.issue, p.note).toBeNull();
          expect(text).not.toMatch(/not fully decoded/);
          continue;
        }
        withIssue++;
        const name = layerName(p.issue.layer);
        expect(obj.issue, p.note).toMatchObject({ layer: name, reason: p.issue.reason, offset: p.issue.offset });
        const osi = EXPECT[name]?.[0] ?? 'payload';
        expect(text, p.note).toContain(`  ${osi}: ${DISPLAY[name] ?? name}: not fully decoded: ${p.issue.reason} at byte ${p.issue.offset}`);
        if (f.name === 'truncated.pcap') expect(obj.truncated, p.note).toBe(true);
        // The layer it stopped in is still shown, as far as its bytes were captured.
        const layers = (obj as unknown as { layers: J[] }).layers;
        const partial = layers.filter((l) => l['partial'] === true);
        const whole = layers.some((l) => l['layer'] === name && l['partial'] === undefined);
        if (['ipv4', 'ipv6', 'tcp', 'udp', 'icmpv6'].includes(name) && p.issue.reason === 'truncated' && !whole) {
          expect(partial.map((l) => [l['layer'], l['offset']]), p.note).toEqual([[name, p.issue.offset]]);
          const l = partial[0]!;
          expect((l['offset'] as number) + (l['length'] as number), p.note).toBe(rec.capLen);
          if (name === 'tcp' || name === 'udp') expect(l, p.note).toMatchObject({ srcPort: 1, dstPort: 2 });
        }
        for (const l of partial) expect(l['layer'], p.note).toBe(name);
        if (whole) expect(partial, p.note).toEqual([]);
      }
      expect(withIssue).toBeGreaterThan(0);
    });
  }
});

describe('options and fields decoded at the offsets the encoder put them', () => {
  const ETH = { type: 'ethernet', src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff' } as const;

  it('TCP options: mss, wscale, timestamps, SACK, TFO, unknown kinds, EOL', () => {
    const spec: PacketSpec = {
      link: ETH,
      network: { type: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2', df: true, ttl: 61, id: 4321 },
      transport: {
        type: 'tcp', srcPort: 40000, dstPort: 443, seq: 1000, ack: 2000, flags: ['syn', 'ack', 'ece'], window: 512,
        options: [
          { type: 'mss', value: 1460 },
          { type: 'wscale', shift: 7 },
          { type: 'timestamps', tsVal: 543872562, tsEcr: 0 },
          { type: 'sack', blocks: [[1001, 2001]] },
          { type: 'tfo', cookie: [0x0a, 0x1b, 0x2c, 0x3d] },
          { type: 'raw', kind: 99, data: [1] },
          { type: 'eol' },
        ],
      },
    };
    const frame = encodePacket(spec);
    const obj = JSON.parse(jsonFormatter(defaultPrintOptions())(record(frame))) as { layers: J[] };
    const tcp = obj.layers.find((l) => l['layer'] === 'tcp')!;
    // 14 Ethernet + 20 IPv4 + 20 TCP: the options start at byte 54, each after the previous one.
    expect(tcp['options']).toEqual([
      { kind: 2, name: 'mss', offset: 54, length: 4, value: 1460 },
      { kind: 3, name: 'wscale', offset: 58, length: 3, value: 7, multiplier: 128 },
      { kind: 8, name: 'timestamps', offset: 61, length: 10, tsVal: 543872562, tsEcr: 0 },
      { kind: 5, name: 'sack', offset: 71, length: 10, blocks: [{ left: 1001, right: 2001 }] },
      { kind: 34, name: 'tfo', offset: 81, length: 6, cookie: '0a1b2c3d' },
      { kind: 99, name: 'unknown', offset: 87, length: 3, bytes: '01' },
      { kind: 0, name: 'eol', offset: 90, length: 1 },
    ]);
    expect(tcp).toMatchObject({ srcPort: 40000, dstPort: 443, seq: 1000, ack: 2000, window: 512, offset: 34 });
    expect(tcp['flags']).toMatchObject({ value: 0x52, syn: true, ack: true, ece: true, fin: false, rst: false });
    expect((tcp['checksum'] as J)['status']).toBe('correct');
    const ip = obj.layers.find((l) => l['layer'] === 'ipv4')!;
    expect(ip).toMatchObject({ ttl: 61, id: 4321, flags: { value: 2, reserved: false, df: true, mf: false }, src: '192.0.2.1' });

    const text = layersFormatter(defaultPrintOptions())(record(frame));
    for (const s of ['mss 1460', 'wscale 7 (x128)', 'TS val 543872562 ecr 0', 'SACK 1001-2001', 'TFO cookie 0a1b2c3d', 'kind 99, len 3, bytes 01', 'SYN|ACK|ECE']) {
      expect(text).toContain(s);
    }
    expect(text).toMatch(/^ {4}ttl +61 +@22$/m);
    expect(text).toMatch(/^ {6}mss +mss 1460 +@54\.\.57$/m);
  });

  it('a wrong checksum shows what it should be', () => {
    const spec: PacketSpec = { link: ETH, network: { type: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' }, transport: { type: 'udp', srcPort: 1, dstPort: 2 }, payload: [1, 2, 3] };
    const good = encodePacket(spec);
    const right = good.readUInt16BE(14 + 20 + 6);
    const bad = encodePacket({ ...spec, transport: { type: 'udp', srcPort: 1, dstPort: 2, checksum: right ^ 0x1111 } });
    const obj = JSON.parse(jsonFormatter(defaultPrintOptions())(record(bad))) as { layers: J[] };
    const udp = obj.layers.find((l) => l['layer'] === 'udp')!;
    expect(udp['checksum']).toEqual({ value: right ^ 0x1111, status: 'incorrect', expected: right });
    const text = layersFormatter(defaultPrintOptions())(record(bad));
    expect(text).toContain(`[incorrect, should be 0x${right.toString(16).padStart(4, '0')}]`);
  });

  it('IPv4 options, IPv6 extension headers and an ICMP error quoting a packet', () => {
    const v4 = encodePacket({
      link: ETH,
      network: { type: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2', options: [{ type: 'rr', route: ['203.0.113.1', '0.0.0.0'] }, { type: 'ra' }] },
      transport: { type: 'udp', srcPort: 1, dstPort: 2 },
    });
    const ip = (JSON.parse(jsonFormatter(defaultPrintOptions())(record(v4))) as { layers: J[] }).layers[1]!;
    expect(ip['options']).toEqual([
      { kind: 7, name: 'rr', offset: 34, length: 11, pointer: 4, route: ['203.0.113.1', '0.0.0.0'] },
      { kind: 148, name: 'ra', offset: 45, length: 4, value: 0 },
      { kind: 0, name: 'eol', offset: 49, length: 1 },
    ]);

    const v6 = encodePacket({
      link: ETH,
      network: {
        type: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2',
        extensions: [{ type: 'hopByHop', options: [{ type: 5, data: [0, 0] }] }, { type: 'fragment', offset: 0, more: true, id: 77 }],
      },
      transport: { type: 'udp', srcPort: 3, dstPort: 4 },
    });
    const six = (JSON.parse(jsonFormatter(defaultPrintOptions())(record(v6))) as { layers: J[] }).layers[1]!;
    const exts = six['extensions'] as J[];
    expect(exts.map((e) => [e['name'], e['offset'], e['length'], e['nextHeader']])).toEqual([
      ['hopByHop', 54, 8, 44],
      ['fragment', 62, 8, 17],
    ]);
    expect(exts[0]!['options']).toEqual([
      { type: 5, name: 'routerAlert', offset: 56, length: 4, value: 0 },
      { type: 1, name: 'padN', offset: 60, length: 2 },
    ]);
    expect(exts[1]).toMatchObject({ fragmentOffset: 0, more: true, id: 77 });
    const tree6 = layersFormatter(defaultPrintOptions())(record(v6));
    expect(tree6).toMatch(/^ {6}hop-by-hop options \(0\), 8 bytes +@54\.\.61$/m);
    expect(tree6).toMatch(/^ {6}fragment header \(44\), 8 bytes +@62\.\.69$/m);

    const inner = encodePacket({ link: { type: 'raw' }, network: { type: 'ipv4', src: '192.0.2.2', dst: '192.0.2.1', ttl: 1 }, transport: { type: 'udp', srcPort: 33434, dstPort: 53 } });
    const err = encodePacket({
      link: ETH, network: { type: 'ipv4', src: '192.0.2.9', dst: '192.0.2.2' }, transport: { type: 'icmp', icmpType: 11, code: 0 }, payload: inner,
    });
    const icmp = (JSON.parse(jsonFormatter(defaultPrintOptions())(record(err))) as { layers: J[] }).layers[2]!;
    expect(icmp).toMatchObject({ layer: 'icmp', type: 11, code: 0, offset: 34 });
    const q = icmp['quoted'] as { issue: unknown; layers: J[] };
    expect(q.issue).toBeNull();
    expect(q.layers.map((l) => [l['layer'], l['offset']])).toEqual([['raw', 0], ['ipv4', 42], ['udp', 62]].filter(([n]) => n !== 'raw'));
    expect(q.layers[0]).toMatchObject({ ttl: 1, src: '192.0.2.2' });
    expect(q.layers[1]).toMatchObject({ srcPort: 33434, dstPort: 53 });
  });
});

describe("tcpdump's own test captures (robustness: odd real-world packets)", async () => {
  const { files, why } = corpusFiles();
  it.skipIf(files.length === 0)(`every record gives a parseable --json line and a -V tree with offsets in the frame ${why}`, async () => {
    let n = 0;
    for (const file of files) {
      const json = jsonFormatter(defaultPrintOptions());
      const tree = layersFormatter(defaultPrintOptions());
      for (const rec of await recordsOf(file)) {
        n++;
        const where = `${basename(file)} #${rec.index}`;
        const pkt = JSON.parse(json(rec)) as { layers: J[] };
        for (const s of spans(pkt.layers)) {
          if (s.offset < 0 || s.offset + s.length > rec.capLen) expect.fail(`${where} ${s.where}: ${s.offset}+${s.length} outside ${rec.capLen}`);
        }
        const text = tree(rec);
        if (/undefined|NaN/.test(text)) expect.fail(`${where}: ${text}`);
        for (const m of text.matchAll(/ @(\d+)(?:\.\.(\d+))?$/gm)) {
          if (Number(m[2] ?? m[1]) >= Math.max(rec.capLen, 1)) expect.fail(`${where}: ${m[0]} outside ${rec.capLen}`);
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
  });
});
