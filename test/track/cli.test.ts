import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runHandshakes } from '../../src/cli/handshakes.js';
import { encodePacket } from '../../src/codec/index.js';
import { pcapFile } from '../pcap-file.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');
const T = (name: string): string => join(FIX, 'track', `${name}.pcap`);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await runHandshakes(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('wirescope handshakes', () => {
  it('prints a table and a summary', async () => {
    const r = await run(join(FIX, 'parallel50.pcap'));
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^CLIENT\s+SERVER\s+HANDSHAKE\s+CLOSE\s+RTT\s+STATE\s+HISTORY\s+VIOLATIONS$/);
    expect(lines).toHaveLength(52);
    expect(lines[2]).toMatch(/^198\.18\.0\.1:41001\s+198\.18\.0\.2:7050\s+complete\s+reset-by-client\s+\S+us\s+RSTO\s+ShADadR\s+-$/);
    // fixtures/README.md: 30 FIN, 10 client RST, 10 server RST.
    expect(lines.at(-1)).toBe('50 connections, 50 attempts, 50 complete, 0 refused, 0 timed out, 0 incomplete, 20 reset, 0 violations');
  });

  it('--json uses the contract field names', async () => {
    const r = await run('--json', T('complete-fin'));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { connections: Record<string, unknown>[]; summary: Record<string, unknown> };
    const c = doc.connections[0]!;
    for (const k of ['client', 'server', 'handshake', 'close', 'state', 'history', 'synRetries', 'handshakeRtt', 'options', 'packets', 'bytes', 'firstPacket', 'violations']) {
      expect(c, k).toHaveProperty(k);
    }
    expect(c).toMatchObject({ client: '192.0.2.1:40000', server: '192.0.2.2:80', handshake: 'complete', close: 'fin', state: 'SF', history: 'ShADadFf', synRetries: 0, firstPacket: 1, violations: [] });
    expect(c.handshakeRtt).toMatchObject({ synToSynAckNs: 1e6, synAckToAckNs: 1e6 });
    expect(doc.summary).toMatchObject({ attempts: 1, complete: 1, refused: 0, timedOut: 0, reset: 0, violations: 0 });
  });

  it('writes IPv6 endpoints as [addr]:port', async () => {
    const r = await run('--json', T('ipv6'));
    const doc = JSON.parse(r.out) as { connections: { client: string; server: string }[] };
    expect(doc.connections[0]).toMatchObject({ client: '[2001:db8::1]:40000', server: '[2001:db8::2]:80' });
  });

  it('exits 0 when every check holds', async () => {
    const r = await run(join(FIX, 'handshake-clean.pcap'), '--require-complete', '--expect-connections', '1', '--max-refused', '0', '--max-syn-retries', '0', '--max-handshake-rtt', '5ms', '--no-violations');
    expect(r.err).toMatch(/all checks passed/);
    expect(r.code).toBe(0);
  });

  it('exits 1 naming the failing connection, its history and packets', async () => {
    const r = await run(join(FIX, 'handshake-refused.pcap'), '--require-complete');
    expect(r.code).toBe(1);
    expect(r.err).toContain('FAIL --require-complete: handshake did not complete: 198.18.0.1:40020 -> 198.18.0.2:8081: handshake refused, close reset-by-server, state REJ, history Sr (packets 3-4');
  });

  it('--max-syn-retries counts retransmissions of one ISN', async () => {
    expect((await run(T('syn-retransmitted-3'), '--max-syn-retries', '3')).code).toBe(0);
    const r = await run(T('syn-retransmitted-3'), '--max-syn-retries', '2');
    expect(r.code).toBe(1);
    expect(r.err).toContain('SYN sent 4 times (3 retries, at most 2)');
  });

  it('--max-handshake-rtt compares the SYN to final ACK time', async () => {
    // 1 ms SYN->SYN+ACK + 1 ms SYN+ACK->ACK in the generated fixture.
    expect((await run(T('complete-fin'), '--max-handshake-rtt', '2ms')).code).toBe(0);
    const r = await run(T('complete-fin'), '--max-handshake-rtt', '1999us');
    expect(r.code).toBe(1);
    expect(r.err).toContain('handshake RTT 2.000ms exceeds 1.999ms');
  });

  it('--no-violations reports each violation with its packet number', async () => {
    const r = await run(T('violation-synack-wrong-ack'), '--no-violations');
    expect(r.code).toBe(1);
    expect(r.err).toContain('FAIL --no-violations: packet 2: synack-wrong-ack: SYN+ACK acknowledges 1005, expected 1001');
  });

  it('--server restricts the checks', async () => {
    const files = [join(FIX, 'handshake-clean.pcap'), join(FIX, 'handshake-refused.pcap')];
    expect((await run(...files, '--require-complete')).code).toBe(1);
    expect((await run(...files, '--require-complete', '--server', '198.18.0.2:8080')).code).toBe(0);
    expect((await run(...files, '--expect-connections', '1', '--server', '198.18.0.2:8081')).code).toBe(0);
    expect((await run(...files, '--max-refused', '0', '--server', '198.18.0.2:8081')).code).toBe(1);
  });

  it('--expect-connections counts connections', async () => {
    const r = await run(T('port-reuse'), '--expect-connections', '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('expected 1 connections, saw 2');
  });

  it('--junit writes one test case per connection and per check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-junit-'));
    const file = join(dir, 'handshakes.xml');
    const r = await run(join(FIX, 'handshake-clean.pcap'), join(FIX, 'handshake-refused.pcap'), '--require-complete', '--junit', file);
    expect(r.code).toBe(1);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="wirescope handshakes" tests="3" failures="2">/);
    expect(xml).toContain('<testcase classname="wirescope handshakes.connections" name="198.18.0.1:40010 -&gt; 198.18.0.2:8080');
    expect(xml).toMatch(/name="198\.18\.0\.1:40020 -&gt; 198\.18\.0\.2:8081[^"]*"><failure type="--require-complete"/);
    expect(xml).toContain('<testcase classname="wirescope handshakes.checks" name="--require-complete"><failure');
  });

  it('usage and input errors are one line and exit 2', async () => {
    for (const argv of [['/nonexistent.pcap'], [], ['--max-refused', 'x', T('refused')], ['--max-handshake-rtt', 'soon', T('refused')], ['--server', 'example:80', T('refused')], ['--bogus', T('refused')], ['--max-connections', '0', T('refused')], ['--max-connections', '16777216', T('refused')]]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('a damaged capture keeps the connections before the fault, then exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-cut-'));
    const whole = readFileSync(T('complete-fin'));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 20));
    const r = await run('--json', cut);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { connections: { packets: { client: number; server: number } }[] };
    expect(doc.connections[0]!.packets.client + doc.connections[0]!.packets.server).toBe(9);
    expect(r.err).toMatch(/^wirescope handshakes: .*cut\.pcap: record 10 at byte offset \d+/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('--help describes the command', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--require-complete/);
    expect(r.out).toMatch(/Exit status: 0 all checks hold, 1 a check failed, 2 usage or input error/);
  });
});

describe('wirescope handshakes with a filter expression', () => {
  it('tracks only the packets the expression accepts', async () => {
    const files = [join(FIX, 'handshake-clean.pcap'), join(FIX, 'handshake-refused.pcap')];
    const r = await run('--json', ...files, 'tcp', 'port', '8081');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { connections: { server: string }[] };
    expect(doc.connections.map((c) => c.server)).toEqual(['198.18.0.2:8081']);
  });

  it('a bad expression is one line and exit 2, before any output', async () => {
    const r = await run(join(FIX, 'handshake-clean.pcap'), 'tcp', 'port', 'banana');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^wirescope handshakes: filter: /);
  });
});

describe('wirescope handshakes into a pipe whose reader goes away', () => {
  /** A pcap of `n` complete handshakes: its JSON report is far larger than a pipe's buffer. */
  function manyHandshakes(n: number): Buffer {
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const port = 10000 + i;
      const tcp = (fromClient: boolean, flags: number, seq: number, ack: number): Buffer => encodePacket({
        link: { type: 'ethernet' },
        network: { type: 'ipv4', src: fromClient ? '10.0.0.1' : '10.0.0.2', dst: fromClient ? '10.0.0.2' : '10.0.0.1' },
        transport: { type: 'tcp', srcPort: fromClient ? port : 80, dstPort: fromClient ? 80 : port, flags, seq, ack },
      });
      frames.push(tcp(true, 0x02, 100, 0), tcp(false, 0x12, 500, 101), tcp(true, 0x10, 101, 501));
    }
    return pcapFile(frames.map((bytes, i) => ({ bytes, sec: 1_700_000_000, usec: i })));
  }

  for (const mode of [['--json'], []]) {
    it(`stops writing quietly and keeps its exit code (${mode.join(' ') || 'table'})`, async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'ws-pipe-')), 'many.pcap');
      writeFileSync(file, manyHandshakes(3000));
      const child = spawn(process.execPath, [join(FIX, '..', 'bin', 'wirescope.js'), 'handshakes', file, ...mode, '--require-complete'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      // Like `| head -c 100`: read once, then close the read end.
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      // At most the checks' one-line verdict: no error and no stack trace.
      expect(err).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(err.trim().split('\n').length).toBeLessThanOrEqual(1);
      expect(code).toBe(0);
    }, 30_000);
  }
});
