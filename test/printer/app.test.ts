/**
 * Application summaries against the installed tcpdump: DNS queries and responses (A, AAAA,
 * CNAME, MX, TXT, PTR, NS, SOA, OPT, rcodes) over UDP and TCP, HTTP request/response lines,
 * and the ` [NAME not decoded]` marker. Frames are built with our encoder, written as pcap,
 * printed by both with "", -v and -vv. Skips (saying so) without tcpdump.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapFile } from '../pcap-file.js';
import { encodePacket, type PacketSpec } from '../../src/codec/index.js';
import { runCli } from '../cli/run.js';

const haveTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
if (!haveTcpdump) console.warn('application summary test: tcpdump not installed; skipping');
const tmp = mkdtempSync(join(tmpdir(), 'wirescope-app-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
function name(n: string): number[] {
  const out: number[] = [];
  for (const l of n.split('.').filter(Boolean)) out.push(l.length, ...Buffer.from(l));
  return [...out, 0];
}
const question = (n: string, t = 1, c = 1) => [...name(n), ...u16(t), ...u16(c)];
const rr = (owner: number[], t: number, data: number[], ttl = 300, c = 1) => [...owner, ...u16(t), ...u16(c), ...u32(ttl), ...u16(data.length), ...data];
function dns(id: number, flags: number, qs: number[][], an: number[][] = [], ns: number[][] = [], ar: number[][] = []): number[] {
  return [...u16(id), ...u16(flags), ...u16(qs.length), ...u16(an.length), ...u16(ns.length), ...u16(ar.length), ...qs.flat(), ...an.flat(), ...ns.flat(), ...ar.flat()];
}
const PTR = [0xc0, 0x0c];

const DNS_MESSAGES: number[][] = [
  dns(1, 0x8180, [question('example.com')], [rr(PTR, 1, [93, 184, 216, 34])]),
  dns(2, 0x8180, [question('www.example.com')], [rr(PTR, 5, name('example.com')), rr([0xc0, 0x2d], 1, [1, 2, 3, 4])]),
  dns(3, 0x8183, [question('nx.example.com')], [], [rr(name('example.com'), 6, [...name('ns.example.com'), ...name('h.example.com'), ...u32(1), ...u32(2), ...u32(3), ...u32(4), ...u32(5)])]),
  dns(4, 0x8580, [question('example.com', 28)], [rr(PTR, 28, [...Array(16).keys()])]),
  dns(5, 0x8180, [question('example.com', 15)], [rr(PTR, 15, [...u16(10), ...name('mx.example.com')])]),
  dns(6, 0x8180, [question('example.com', 16)], [rr(PTR, 16, [5, ...Buffer.from('hello'), 5, ...Buffer.from('world')])]),
  dns(7, 0x8180, [question('4.3.2.1.in-addr.arpa', 12)], [rr(PTR, 12, name('host.example.com'))]),
  dns(8, 0x0100, [question('example.com')], [], [], [rr([0], 41, [], 0, 4096)]),
  dns(9, 0x8180, [question('example.com')], [rr(PTR, 1, [1, 1, 1, 1]), rr(PTR, 1, [2, 2, 2, 2])], [], [rr([0], 41, [], 0, 1232)]),
  dns(10, 0x8182, [question('example.com')]),
  dns(11, 0x8100, [question('example.com', 2)], [rr(PTR, 2, name('a.iana-servers.net'))]),
  dns(12, 0x0100, [question('example.com'), question('example.org', 28)]),
];

function frames(): PacketSpec[] {
  const specs: PacketSpec[] = [];
  const v4 = { type: 'ipv4' as const, src: '192.0.2.1', dst: '198.51.100.2' };
  const v6 = { type: 'ipv6' as const, src: '2001:db8::1', dst: '2001:db8::2' };
  for (const m of DNS_MESSAGES) {
    specs.push({ link: { type: 'ethernet' }, network: v4, transport: { type: 'udp', srcPort: 53, dstPort: 40000 }, payload: Uint8Array.from(m) });
    specs.push({ link: { type: 'ethernet' }, network: v6, transport: { type: 'udp', srcPort: 40001, dstPort: 53 }, payload: Uint8Array.from(m) });
    specs.push({ link: { type: 'ethernet' }, network: v4, transport: { type: 'tcp', srcPort: 53, dstPort: 40002, flags: ['psh', 'ack'], seq: 1, ack: 1 }, payload: Uint8Array.from([...u16(m.length), ...m]) });
  }
  const http = (text: string, sport: number, dport: number): PacketSpec => ({
    link: { type: 'ethernet' },
    network: v4,
    transport: { type: 'tcp', srcPort: sport, dstPort: dport, flags: ['psh', 'ack'], seq: 100, ack: 200 },
    payload: Uint8Array.from(Buffer.from(text, 'latin1')),
  });
  specs.push(http('GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n', 40010, 80));
  specs.push(http('HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n', 80, 40010));
  specs.push(http('post /form HTTP/1.0\nX: y\n\n', 40011, 8080));
  specs.push(http('\x16\x03\x01binary', 40012, 80));
  specs.push(http('GET /no-line-end', 40013, 80));
  specs.push(http('EHLO example.com\r\n', 40014, 25));
  specs.push(http('220 mail ESMTP\r\n', 25, 40014));
  specs.push(http('+OK\r\n', 40016, 179));
  specs.push(http('OPTIONS rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\n\r\n', 40017, 554));
  specs.push({ link: { type: 'ethernet' }, network: v4, transport: { type: 'udp', srcPort: 5060, dstPort: 5060 }, payload: Uint8Array.from(Buffer.from('INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n\r\n')) });
  specs.push({ link: { type: 'ethernet' }, network: v4, transport: { type: 'udp', srcPort: 40015, dstPort: 161 }, payload: Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00]) });
  return specs;
}

function writePcap(path: string, specs: PacketSpec[]): void {
  writeFileSync(path, pcapFile(specs.map((s, i) => ({ bytes: encodePacket(s), usec: i * 1000 }))));
}

describe.skipIf(!haveTcpdump)('application summaries match tcpdump', () => {
  it('DNS, HTTP and the not-decoded marker', async () => {
    const file = join(tmp, 'app.pcap');
    writePcap(file, frames());
    for (const flags of [['-nn'], ['-nn', '-v'], ['-nn', '-vv'], ['-nn', '-q']]) {
      const expected = spawnSync('tcpdump', ['-r', file, ...flags], { encoding: 'latin1' });
      expect(expected.status).toBe(0);
      const actual = await runCli(['-r', file, ...flags]);
      expect(actual.code).toBe(0);
      const exp = expected.stdout.split('\n');
      const act = actual.stdout.split('\n');
      expect(act.length).toBe(exp.length);
      for (let i = 0; i < exp.length; i++) {
        const marked = /\[(BGP|SNMP) not decoded\]$/.test(act[i]!);
        if (marked) {
          // ours stops at the transport fields; tcpdump goes on into the protocol (for UDP
          // in place of the "UDP, length N" summary)
          const prefix = act[i]!.replace(/ \[(BGP|SNMP) not decoded\]$/, '').replace(/UDP, length \d+$/, '');
          expect(exp[i]!.startsWith(prefix), `${flags.join(' ')} line ${i + 1}`).toBe(true);
        } else expect(act[i], `${flags.join(' ')} line ${i + 1}`).toBe(exp[i]);
      }
    }
  });
});
