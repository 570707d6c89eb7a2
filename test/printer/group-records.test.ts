/**
 * IGMPv3 and MLDv2 reports (the group records both printers share) against the installed
 * tcpdump with -v and -vv: several groups and sources, an unknown record type, and reports
 * whose counts claim more than is there. Frames are built with our encoder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureRecord } from '../../src/capture/record.js';
import { openWriter } from '../../src/capture/index.js';
import { encodePacket, parseIpv4, parseIpv6, type PacketSpec } from '../../src/codec/index.js';
import { runCli } from '../cli/run.js';

const haveTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
if (!haveTcpdump) console.warn('group record test: tcpdump not installed; skipping');
const tmp = mkdtempSync(join(tmpdir(), 'wirescope-groups-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const u16 = (n: number): number[] => [n >> 8, n & 0xff];
const v4 = (a: string): number[] => [...parseIpv4(a)];
const v6 = (a: string): number[] => [...parseIpv6(a)];

type Group = { type: number; addr: number[]; sources: number[][] };
const record = (g: Group): number[] => [g.type, 0, ...u16(g.sources.length), ...g.addr, ...g.sources.flat()];

function inetChecksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function igmpv3(groups: Group[], claimed = groups.length): PacketSpec {
  const body = [0x22, 0, 0, 0, 0, 0, ...u16(claimed), ...groups.flatMap(record)];
  const c = inetChecksum(body);
  body[2] = c >> 8;
  body[3] = c & 0xff;
  return {
    link: { type: 'ethernet' },
    network: { type: 'ipv4', src: '192.0.2.7', dst: '224.0.0.22', ttl: 1, protocol: 2 },
    payload: Uint8Array.from(body),
  };
}

function mldv2(groups: Group[], claimed = groups.length): PacketSpec {
  return {
    link: { type: 'ethernet' },
    network: { type: 'ipv6', src: 'fe80::7', dst: 'ff02::16', hopLimit: 1 },
    transport: { type: 'icmpv6', icmpType: 143, word: claimed },
    payload: Uint8Array.from(groups.flatMap(record)),
  };
}

const four: Group[] = [
  { type: 1, addr: v4('239.1.1.1'), sources: [] },
  { type: 2, addr: v4('239.1.1.2'), sources: [v4('192.0.2.10'), v4('192.0.2.11')] },
  { type: 5, addr: v4('239.1.1.3'), sources: [v4('192.0.2.12')] },
  { type: 9, addr: v4('239.1.1.4'), sources: [] },
];
const six: Group[] = [
  { type: 4, addr: v6('ff05::1:3'), sources: [] },
  { type: 3, addr: v6('ff05::1:4'), sources: [v6('2001:db8::a'), v6('2001:db8::b')] },
  { type: 6, addr: v6('ff05::1:5'), sources: [v6('2001:db8::c')] },
  { type: 0, addr: v6('ff05::1:6'), sources: [] },
];

describe.skipIf(!haveTcpdump)('IGMPv3 and MLDv2 group records match tcpdump', () => {
  it('prints every record as tcpdump does with -v and -vv', async () => {
    const specs = [igmpv3(four), igmpv3(four, 7), igmpv3([]), mldv2(six), mldv2(six, 9), mldv2([]), igmpv3([{ type: 1, addr: [], sources: [] }], 0)];
    const file = join(tmp, 'groups.pcap');
    const writer = openWriter(file, { format: 'pcap', linkType: 1 });
    specs.forEach((spec, i) => {
      const rec = new CaptureRecord();
      rec.buf = Buffer.from(encodePacket(spec));
      rec.capLen = rec.origLen = rec.buf.length;
      rec.tsSec = 1700000000 + i;
      rec.linkType = 1;
      writer.write(rec);
    });
    await writer.close();
    for (const flags of [['-nn'], ['-nn', '-v'], ['-nn', '-vv']]) {
      const expected = spawnSync('tcpdump', ['-r', file, ...flags], { encoding: 'latin1' });
      expect(expected.status).toBe(0);
      expect(expected.stdout).toContain('group record(s)');
      const actual = await runCli(['-r', file, ...flags]);
      expect(actual.code).toBe(0);
      expect(actual.stdout, flags.join(' ')).toBe(expected.stdout);
    }
  });
});
