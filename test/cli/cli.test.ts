/**
 * The command line: tcpdump's option forms, one-line errors with exit code 2, -c/-F/-w, the
 * stderr banner, chunked output that stops quietly on a closed pipe.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { normaliseArgv } from '../../src/cli/args.js';
import { runCli } from './run.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fx = (p: string) => join(root, 'fixtures', p);
const tmp = mkdtempSync(join(tmpdir(), 'wirescope-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const haveTcpdump = spawnSync('tcpdump', ['--version']).status === 0;

function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^wirescope: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('argv like getopt', () => {
  it('splits clusters, attached values and -#', () => {
    expect(normaliseArgv(['-nnvvX', '-c5', '-#', '-rfile', 'tcp', 'port', '80'])).toEqual([
      '-n', '-n', '-v', '-v', '-X', '-c', '5', '--number', '-r', 'file', 'tcp', 'port', '80',
    ]);
    expect(normaliseArgv(['-tttt', '-r', '-'])).toEqual(['-t', '-t', '-t', '-t', '-r', '-']);
  });

  it('combined flags print the same as separate ones', async () => {
    const a = await runCli(['-nnvvX', '-r', fx('tcp4.pcap')]);
    const b = await runCli(['-n', '-n', '-v', '-v', '-X', '-r', fx('tcp4.pcap')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(0);
  });
});

describe('errors: one line, exit 2', () => {
  it('missing file', async () => {
    const r = await runCli(['-r', join(tmp, 'nope.pcap')]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toContain('nope.pcap');
    expect(r.stdout).toBe('');
  });

  it('not a capture', async () => {
    const p = join(tmp, 'text.pcap');
    writeFileSync(p, 'this is not a capture file at all\n');
    const r = await runCli(['-r', p]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/not a pcap or pcapng/);
  });

  it('unknown flag', async () => {
    const r = await runCli(['-k', '-r', fx('tcp4.pcap')]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/invalid option -- 'k'/);
  });

  it('unknown long option and missing argument', async () => {
    const r1 = await runCli(['--frobnicate', '-r', fx('tcp4.pcap')]);
    expect(r1.code).toBe(2);
    oneErrorLine(r1.stderr);
    const r2 = await runCli(['-r']);
    expect(r2.code).toBe(2);
    expect(oneErrorLine(r2.stderr)).toMatch(/requires an argument/);
    const r3 = await runCli(['-c', 'x', '-r', fx('tcp4.pcap')]);
    expect(r3.code).toBe(2);
    oneErrorLine(r3.stderr);
  });

  it('bad filter expression', async () => {
    const r = await runCli(['-r', fx('tcp4.pcap'), 'tcp', 'port', 'and', 'and']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/^wirescope: filter: /);
    expect(r.stdout).toBe('');
  });

  it('no input', async () => {
    const r = await runCli(['-nn']);
    expect(r.code).toBe(2);
    oneErrorLine(r.stderr);
  });

  it('a file cut short: every good packet is printed, then the error', async () => {
    const good = await runCli(['-nn', '-r', fx('capture/lo-usec.pcap')]);
    const r = await runCli(['-nn', '-r', fx('capture/bad/cut-in-record-data.pcap')]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/record 3 at byte offset 280/);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(good.stdout.startsWith(r.stdout)).toBe(true);
  });
});

describe('options', () => {
  it('--help lists every option and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const opt of ['-r <file>', '-w <file>', '-c <count>', '-F <file>', '-i <interface>', '-s <snaplen>', '-D', '-n', '-e', '-v', '-q', '-S', '-t', '-x', '-X', '-A', '-#', '--layers', '--json', '--nano', '--time-stamp-precision', '--version']) {
      expect(r.stdout).toContain(opt);
    }
    expect(r.stdout).toMatch(/stamped\s+on\s+arrival/);
  });

  it('--version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wirescope \d+\.\d+\.\d+\n$/);
  });

  it('-c stops after N packets (after the filter) and -# numbers them', async () => {
    const r = await runCli(['-#', '-c', '2', '-nn', '-r', fx('tcp4.pcap'), 'tcp']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {4}1  .* IP /);
    expect(lines[1]).toMatch(/^ {4}2  /);
  });

  it('-F reads the expression from a file, with comments', async () => {
    const f = join(tmp, 'filter.txt');
    writeFileSync(f, '# only SYNs\ntcp[tcpflags] & tcp-syn != 0\n');
    const a = await runCli(['-nn', '-F', f, '-r', fx('tcp4.pcap')]);
    const b = await runCli(['-nn', '-r', fx('tcp4.pcap'), 'tcp[tcpflags] & tcp-syn != 0']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.split('\n').filter(Boolean).length).toBe(2);
  });

  it('the banner on stderr names file, link type and snapshot length', async () => {
    const r = await runCli(['-nn', '-r', fx('capture/any-sll2.pcap'), '-c', '1']);
    expect(r.stderr.split('\n')[0]).toBe(`reading from file ${fx('capture/any-sll2.pcap')}, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144`);
  });

  it.skipIf(!haveTcpdump)('-w writes the filtered packets; tcpdump reads them back the same', async () => {
    for (const ext of ['pcap', 'pcapng']) {
      const out = join(tmp, `udp.${ext}`);
      const w = await runCli(['-r', fx('tcp4.pcap'), '-w', out, 'tcp and port 7000']);
      expect(w.code).toBe(0);
      expect(w.stdout).toBe('');
      const expected = spawnSync('tcpdump', ['-nn', '-r', fx('tcp4.pcap'), 'tcp and port 7000'], { encoding: 'latin1' });
      const back = spawnSync('tcpdump', ['-nn', '-r', out], { encoding: 'latin1' });
      expect(back.status).toBe(0);
      expect(back.stdout).toBe(expected.stdout);
      const magic = readFileSync(out).readUInt32LE(0);
      expect(magic).toBe(ext === 'pcap' ? 0xa1b2c3d4 : 0x0a0d0d0a);
    }
  });

  it('--json gives one parseable object per packet', async () => {
    const r = await runCli(['--json', '-r', fx('tcp4.pcap')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const text = await runCli(['-nn', '-r', fx('tcp4.pcap')]);
    expect(lines.length).toBe(text.stdout.trim().split('\n').length);
    const objs = lines.map((l) => JSON.parse(l) as { layers: { layer: string; srcPort?: number }[] });
    const syn = objs.find((o) => o.layers.some((l) => l.layer === 'tcp'))!;
    const layerNames = syn.layers.map((l) => l.layer);
    expect(layerNames.slice(0, 3)).toEqual(['ethernet', 'ipv4', 'tcp']);
  });

  it('-V prints one block per layer with its OSI layer and field offsets', async () => {
    const r = await runCli(['-V', '-c', '3', '-r', fx('tcp4.pcap'), 'tcp']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/layer 2 \(data link\): Ethernet II/);
    expect(r.stdout).toMatch(/layer 3 \(network\): IPv4/);
    expect(r.stdout).toMatch(/layer 4 \(transport\): TCP/);
    expect(r.stdout).toMatch(/srcPort +\d+ +@34/);
  });
});

describe('output', () => {
  it('a closed pipe (EPIPE) ends the run quietly with exit 0', async () => {
    let writes = 0;
    const stdout = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        writes++;
        const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(e);
      },
    });
    const errs: string[] = [];
    const stderr = new Writable({
      write(c: Buffer, _e, cb) {
        errs.push(c.toString());
        cb();
      },
    });
    const code = await main(['-nn', '-r', fx('parallel50.pcap')], { stdout, stderr });
    expect(code).toBe(0);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(errs.join('')).not.toMatch(/error/i);
  });

  it('-w - into a closed pipe (EPIPE) ends the run quietly with exit 0', async () => {
    let writes = 0;
    const stdout = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const errs: string[] = [];
    const stderr = new Writable({
      write(c: Buffer, _e, cb) {
        errs.push(c.toString());
        cb();
      },
    });
    const code = await main(['-w', '-', '-r', fx('parallel50.pcap')], { stdout, stderr });
    expect(code).toBe(0);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(errs.join('')).not.toMatch(/error/i);
  });

  it('writes in large chunks, not a write per line', async () => {
    let writes = 0;
    let bytes = 0;
    const stdout = new Writable({
      write(c: Buffer, _e, cb) {
        writes++;
        bytes += c.length;
        cb();
      },
    });
    const stderr = new Writable({ write: (_c, _e, cb) => cb() });
    expect(await main(['-nn', '-v', '-r', fx('parallel50.pcap')], { stdout, stderr })).toBe(0);
    expect(bytes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(Math.ceil(bytes / (64 * 1024)) + 1);
  });
});
