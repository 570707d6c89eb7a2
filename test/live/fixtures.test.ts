/**
 * The real-kernel fixtures say what fixtures/README.md says they hold (tcpdump is the oracle),
 * and fixtures/make-fixtures.sh still makes files that pass the same checks when run for real
 * (root, iproute2, tcpdump: two network namespaces it creates and removes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasTool, tempDir } from './support.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const haveTcpdump = hasTool('tcpdump');

function read(file: string, flags: string[] = []): string[] {
  const r = spawnSync('tcpdump', ['-nn', '-r', file, ...flags], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

/** A TCP exchange: handshake, data both ways, FIN both ways, last ACK. */
function checkExchange(lines: string[], client: string, server: string): void {
  const c2s = (flags: string) => new RegExp(`${client.replace(/\./g, '\\.')} > ${server.replace(/\./g, '\\.')}: Flags \\[${flags}\\]`);
  const s2c = (flags: string) => new RegExp(`${server.replace(/\./g, '\\.')} > ${client.replace(/\./g, '\\.')}: Flags \\[${flags}\\]`);
  expect(count(lines, c2s('S'))).toBe(1);
  expect(count(lines, s2c('S\\.'))).toBe(1);
  expect(count(lines, new RegExp(c2s('P\\.').source + '.*length [1-9]'))).toBeGreaterThan(0);
  expect(count(lines, new RegExp(s2c('P\\.').source + '.*length [1-9]'))).toBeGreaterThan(0);
  expect(count(lines, c2s('F\\.'))).toBe(1);
  expect(count(lines, s2c('F\\.'))).toBe(1);
  expect(lines.at(-1)).toMatch(c2s('\\.'));
  expect(count(lines, /Flags \[R/)).toBe(0);
}

function checkAll(dir: string): void {
  const tcp4 = read(join(dir, 'tcp4.pcap'));
  expect(tcp4[0]).toMatch(/ARP, Request who-has 198\.18\.0\.2 tell 198\.18\.0\.1/);
  checkExchange(tcp4, '198.18.0.1.40001', '198.18.0.2.7000');
  checkExchange(read(join(dir, 'tcp6.pcap')), 'fd00:5eed::1.40006', 'fd00:5eed::2.7000');
  checkExchange(read(join(dir, 'handshake-clean.pcap')), '198.18.0.1.40010', '198.18.0.2.8080');

  for (const [file, port] of [['refused4.pcap', '40002 > 198.18.0.2.7001'], ['handshake-refused.pcap', '40020 > 198.18.0.2.8081']] as const) {
    const lines = read(join(dir, file)).filter((l) => l.includes(' IP '));
    expect(lines, file).toHaveLength(2);
    expect(lines[0]).toContain(`198.18.0.1.${port}: Flags [S]`);
    expect(lines[1]).toMatch(/: Flags \[R\.\], seq 0, ack \d+, win 0, length 0$/);
  }

  // Three SYNs with the same ISN about 1 s and 2 s apart, never answered.
  const syns = read(join(dir, 'syn-timeout.pcap'), ['-tt']).filter((l) => l.includes(' IP '));
  expect(syns).toHaveLength(3);
  const isn = new Set(syns.map((l) => /seq (\d+)/.exec(l)?.[1]));
  expect(isn.size).toBe(1);
  for (const l of syns) expect(l).toContain('198.18.0.1.40030 > 198.18.1.9.7000: Flags [S]');
  const t = syns.map((l) => Number(l.split(' ')[0]));
  expect(t[1]! - t[0]!).toBeGreaterThan(0.8);
  expect(t[2]! - t[1]!).toBeGreaterThan(1.6);

  // 7 bytes, 3000 bytes (three fragments each way), 7 bytes; real checksums.
  const udp = read(join(dir, 'udp-frag4.pcap'), ['-vv']).join('\n');
  expect(count(udp.split('\n'), /flags \[\+\], proto UDP/)).toBe(4);
  expect(count(udp.split('\n'), /\[udp sum ok\] UDP, length 7$/)).toBe(4);
  expect(udp).toContain('198.18.0.1.40040 > 198.18.0.2.9000: UDP, length 3000');
  expect(udp).toContain('198.18.0.2.9000 > 198.18.0.1.40040: UDP, length 3000');
  expect(count(udp.split('\n'), /offset 2960, flags \[none\]/)).toBe(2);
  expect(udp).not.toContain('bad udp cksum');

  // 50 connections: 30 closed with FIN both ways, 10 reset by the client, 10 by the server.
  const par = read(join(dir, 'parallel50.pcap'));
  const clientPorts = new Set(par.filter((l) => l.includes('Flags [S],')).map((l) => /198\.18\.0\.1\.(\d+) >/.exec(l)?.[1]));
  expect(clientPorts.size).toBe(50);
  expect(count(par, /198\.18\.0\.1\.\d+ > 198\.18\.0\.2\.7050: Flags \[R/)).toBe(10);
  expect(count(par, /198\.18\.0\.2\.7050 > 198\.18\.0\.1\.\d+: Flags \[R/)).toBe(10);
  expect(count(par, /198\.18\.0\.1\.\d+ > 198\.18\.0\.2\.7050: Flags \[F\.\]/)).toBe(30);
  expect(count(par, /198\.18\.0\.2\.7050 > 198\.18\.0\.1\.\d+: Flags \[F\.\]/)).toBe(30);

  // Checksums are the real ones (transmit offload was off while capturing).
  for (const f of ['tcp4.pcap', 'tcp6.pcap', 'parallel50.pcap']) {
    const v = read(join(dir, f), ['-vv']).join('\n');
    expect(v, f).toContain('(correct)');
    expect(v, f).not.toContain('incorrect');
  }
}

describe.skipIf(!haveTcpdump)('real-kernel fixtures', () => {
  it('hold what fixtures/README.md describes', () => {
    checkAll(join(root, 'fixtures'));
    const described = readdirSync(join(root, 'fixtures')).filter((f) => f.endsWith('.pcap'));
    expect(described.sort()).toEqual(
      ['handshake-clean.pcap', 'handshake-refused.pcap', 'parallel50.pcap', 'refused4.pcap', 'syn-timeout.pcap', 'tcp4.pcap', 'tcp6.pcap', 'udp-frag4.pcap'],
    );
  });

  const canRun = process.getuid?.() === 0 && hasTool('ip') && hasTool('perl');
  it.skipIf(!canRun)('make-fixtures.sh makes them again from real kernel traffic', () => {
    const tmp = tempDir('wslive-fixtures-');
    try {
      const r = spawnSync('bash', [join(root, 'fixtures/make-fixtures.sh')], {
        env: { ...process.env, OUT: tmp.dir },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      checkAll(tmp.dir);
      // Nothing of the run is left behind.
      const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      expect(ns).not.toMatch(/wsfx-/);
    } finally {
      tmp.remove();
    }
  }, 120_000);
  if (!canRun) it.skip('regenerating the fixtures skipped: needs root, iproute2 and perl', () => {});
  it('has the generator beside the files', () => {
    expect(existsSync(join(root, 'fixtures/make-fixtures.sh'))).toBe(true);
    expect(existsSync(join(root, 'fixtures/netns/peer.mjs'))).toBe(true);
  });
});
if (!haveTcpdump) it.skip('real-kernel fixture checks skipped: tcpdump is not installed', () => {});
