/**
 * `wirescope -i` / `-D` as a user runs them (the built CLI in a child process), side by side
 * with tcpdump on the same interface and filter: the printed lines, the `-w` file and the
 * end-of-capture summary; and the one-line errors with exit code 2.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  echoServer,
  ensureDist,
  hasTool,
  libpcapGate,
  reportGate,
  sleep,
  spawnProcess,
  tcpdumpRead,
  tcpExchange,
  tempDir,
  waitFor,
  type NsProcess,
} from './support.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const gate = await libpcapGate();
reportGate(gate, 'wirescope -i');

const wirescope = (args: string[], ms = 30_000): NsProcess => spawnProcess([process.execPath, join(root, 'bin/wirescope.js'), ...args], ms);
const tcpdump = (args: string[], ms = 30_000): NsProcess => spawnProcess(['tcpdump', '-l', ...args], ms);

/**
 * Starts every process, waits until each listens, runs `traffic`, interrupts them all.
 * tcpdump runs as users run it (not --immediate-mode, which makes libpcap cut `-s 60` packets
 * at 58 bytes on lo): its TPACKET_V3 ring hands over a block when a 1 s timer retires it, so
 * the interrupt comes after that.
 */
async function captureTogether(procs: NsProcess[], traffic: () => Promise<void>): Promise<void> {
  try {
    for (const p of procs) await waitFor(p.stderr, 'listening on', 10_000);
    await traffic();
    await sleep(1300);
  } finally {
    for (const p of procs) p.kill('SIGINT');
  }
  for (const p of procs) await p.exited;
}

describe('wirescope -i without libpcap', () => {
  it('says how to install it, on one line, exit 2', async () => {
    ensureDist(root);
    const p = spawnProcess(['env', 'WIRESCOPE_CAP_MODULE=/nonexistent/cap.node.js', process.execPath, join(root, 'bin/wirescope.js'), '-i', 'lo']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/^wirescope: live capture needs libpcap and the cap module \(.*\): install libpcap \(apt-get install libpcap-dev\) then run `npm rebuild cap`\n$/);
  });
});

describe.runIf(gate.ok)('wirescope -i against tcpdump', () => {
  let tmp: { dir: string; remove: () => void };
  let server: Awaited<ReturnType<typeof echoServer>>;

  beforeAll(async () => {
    ensureDist(root);
    tmp = tempDir('wslive-cli-');
    server = await echoServer();
  });
  afterAll(async () => {
    await server?.close();
    tmp?.remove();
  });

  it('prints a TCP connection on lo exactly as tcpdump does (plain, -v -e, -x, -s 60), and -w reads back the same', async () => {
    expect(hasTool('tcpdump'), 'tcpdump is needed as the oracle').toBe(true);
    const filter = ['tcp', 'port', String(server.port)];
    const variants = [['-nn', '-t'], ['-nn', '-t', '-v', '-e'], ['-nn', '-t', '-x'], ['-nn', '-t', '-s', '60']];
    const ours = variants.map((v) => wirescope(['-i', 'lo', ...v, ...filter]));
    const theirs = variants.map((v) => tcpdump(['-i', 'lo', ...v, ...filter]));
    const oursFile = join(tmp.dir, 'ours.pcap');
    const writer = wirescope(['-i', 'lo', '-w', oursFile, ...filter]);
    const oursNg = join(tmp.dir, 'ours.pcapng');
    const ngWriter = wirescope(['-i', 'lo', '-w', oursNg, ...filter]);
    await captureTogether([...ours, ...theirs, writer, ngWriter], () => tcpExchange('127.0.0.1', server.port, ['hello wirescope\n', 'bye\n']));

    for (let i = 0; i < variants.length; i++) {
      const expected = theirs[i]!.stdout();
      expect(expected).toContain('Flags [S]');
      expect(expected).toContain('Flags [F.]');
      expect(ours[i]!.stdout(), `wirescope ${variants[i]!.join(' ')}`).toBe(expected);
      expect(await ours[i]!.exited).toBe(0);
    }
    expect(tcpdumpRead(oursFile, ['-nn', '-t']) + '\n').toBe(theirs[0]!.stdout());
    expect(await writer.exited).toBe(0);
    expect(tcpdumpRead(oursNg, ['-nn', '-t', '-x']) + '\n').toBe(theirs[2]!.stdout());
    expect(await ngWriter.exited).toBe(0);

    // tcpdump's summary, same packet count (tcpdump's "received" counts both directions on lo).
    const n = theirs[0]!.stdout().trim().split('\n').length;
    expect(ours[0]!.stderr()).toMatch(new RegExp(`\\n${n} packets captured\\n${n} packets received by filter\\n0 packets dropped by kernel\\n$`));
    expect(theirs[0]!.stderr()).toContain(`${n} packets captured\n`);
  });

  it('-w writes packets as they arrive: the file is readable while the capture still runs', async () => {
    const filter = ['tcp', 'port', String(server.port)];
    const file = join(tmp.dir, 'growing.pcap');
    const writer = wirescope(['-i', 'lo', '-w', file, ...filter]);
    try {
      await waitFor(writer.stderr, 'listening on', 10_000);
      await tcpExchange('127.0.0.1', server.port, ['grow\n']);
      let lines = '';
      for (let i = 0; i < 50 && !lines.includes('Flags [F.]'); i++) {
        await sleep(100);
        if (existsSync(file) && statSync(file).size > 24) lines = tcpdumpRead(file, ['-nn', '-t']);
      }
      expect(lines, 'the handshake and FIN are on disk before the capture stops').toContain('Flags [S]');
      expect(lines).toContain('Flags [F.]');
    } finally {
      writer.kill('SIGINT');
    }
    expect(await writer.exited).toBe(0);
  });

  it('decodes -i any (Linux cooked SLL) as tcpdump does with -y LINUX_SLL', async () => {
    const filter = ['tcp', 'port', String(server.port)];
    const ours = wirescope(['-i', 'any', '-nn', '-t', '-e', ...filter]);
    const theirs = tcpdump(['-i', 'any', '-y', 'LINUX_SLL', '-nn', '-t', '-e', ...filter]);
    await captureTogether([ours, theirs], () => tcpExchange('127.0.0.1', server.port, ['any\n']));
    expect(ours.stderr()).toContain('link-type LINUX_SLL (Linux cooked v1)');
    expect(theirs.stdout()).toContain('Flags [S]');
    expect(ours.stdout()).toBe(theirs.stdout());
  });

  it('-c, --duration and SIGTERM end the capture cleanly with the summary', async () => {
    const filter = ['tcp', 'port', String(server.port)];
    const counted = wirescope(['-i', 'lo', '-nn', '-t', '-c', '3', ...filter]);
    const timed = wirescope(['-i', 'lo', '-nn', '-t', '--duration', '1500ms', ...filter]);
    const terminated = wirescope(['-i', 'lo', '-nn', '-t', ...filter]);
    const tcpdumpTerminated = tcpdump(['-i', 'lo', '-nn', '-t', ...filter]);
    for (const p of [counted, timed, terminated, tcpdumpTerminated]) await waitFor(p.stderr, 'listening on', 10_000);
    const started = Date.now();
    await tcpExchange('127.0.0.1', server.port, ['count\n']);
    expect(await counted.exited).toBe(0);
    expect(counted.stdout().trim().split('\n')).toHaveLength(3);
    expect(counted.stderr()).toMatch(/\n3 packets captured\n/);
    expect(await timed.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(timed.stdout()).toContain('Flags [F.]');
    expect(timed.stdout().endsWith('\n\n')).toBe(false);
    expect(timed.stderr()).toMatch(/packets captured\n\d+ packets received by filter\n0 packets dropped by kernel\n$/);
    await sleep(1300);
    terminated.kill('SIGTERM');
    tcpdumpTerminated.kill('SIGTERM');
    expect(await terminated.exited).toBe(0);
    await tcpdumpTerminated.exited;
    expect(terminated.stdout()).toBe(tcpdumpTerminated.stdout());
    expect(terminated.stdout().endsWith('\n\n')).toBe(true);
    expect(terminated.stderr()).toMatch(/packets captured\n\d+ packets received by filter\n0 packets dropped by kernel\n$/);
  });

  it('handshakes -i tracks live: connections printed as they finish, report and checks on exit', async () => {
    const closed = await echoServer();
    const refusedPort = closed.port;
    await closed.close(); // nothing listens there any more: connecting is refused
    const filter = `tcp port ${server.port} or tcp port ${refusedPort}`;
    const ok = wirescope(['handshakes', '-i', 'lo', '--require-complete', '--server', `127.0.0.1:${server.port}`, filter]);
    const strict = wirescope(['handshakes', '-i', 'lo', '--max-refused', '0', '--json', filter]);
    try {
      for (const p of [ok, strict]) await waitFor(p.stderr, 'listening on lo', 10_000);
      await tcpExchange('127.0.0.1', server.port, ['one\n']);
      await tcpExchange('127.0.0.1', server.port, ['two\n']);
      await expect(tcpExchange('127.0.0.1', refusedPort, ['x'])).rejects.toThrow(/ECONNREFUSED/);
      await sleep(150);
    } finally {
      for (const p of [ok, strict]) p.kill('SIGINT');
    }
    expect(await ok.exited, ok.stderr()).toBe(0);
    expect(ok.stdout()).toMatch(/3 connections, 3 attempts, 2 complete, 1 refused/);
    expect(ok.stderr().match(/ complete +fin +\S+ +SF +ShADadFf/g)).toHaveLength(2);
    expect(ok.stderr()).toMatch(/\d+ packets captured\n/);
    expect(await strict.exited).toBe(1);
    const report = JSON.parse(strict.stdout()) as { connections: { handshake: string; state: string }[] };
    expect(report.connections.map((c) => c.handshake).sort()).toEqual(['complete', 'complete', 'refused']);
  });

  it('-D lists the interfaces as tcpdump -D does, each followed by its addresses', async () => {
    const ours = wirescope(['-D']);
    const theirs = spawnProcess(['tcpdump', '-D']);
    expect(await ours.exited).toBe(0);
    await theirs.exited;
    const lines = ours.stdout().split('\n');
    expect(lines.filter((l) => l !== '' && !l.startsWith('\t')).join('\n') + '\n').toBe(theirs.stdout());
    expect(lines).toContain('\t127.0.0.1/8');
  });

  it('fails with one line and exit 2: unknown interface, bad filter, no permission', async () => {
    const unknown = wirescope(['-i', 'wirescope-nope0']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toMatch(/^wirescope: wirescope-nope0: no such interface; interfaces: .*\blo\b.*\n$/);

    const badFilter = wirescope(['-i', 'lo', 'tcp', 'port']);
    expect(await badFilter.exited).toBe(2);
    expect(badFilter.stderr()).toBe("wirescope: filter: can't parse filter expression: syntax error: tcp port\n");

    // Drop root and every capability, as an ordinary user would run it.
    const unprivileged = spawnProcess(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, join(root, 'bin/wirescope.js'), '-i', 'lo']);
    expect(await unprivileged.exited).toBe(2);
    expect(unprivileged.stderr()).toMatch(/^wirescope: lo: no permission to capture \(.*\): run as root or grant the capability with `setcap cap_net_raw,cap_net_admin=eip \$\(which node\)`\n$/);
  });
});
