/**
 * Live capture on a real Ethernet link: a veth pair between two network namespaces this test
 * creates and removes. The capture runs in a child process inside the client namespace (a
 * process cannot change its own namespace from Node), beside tcpdump on the same interface.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackHandshakes } from '../../src/track/index.js';
import {
  createNetnsPair,
  ensureDist,
  hasTool,
  libpcapGate,
  reportGate,
  sleep,
  spawnInNetns,
  startTcpdump,
  tcpdumpRead,
  tempDir,
  waitFor,
  type NetnsPair,
} from './support.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const peer = join(root, 'fixtures/netns/peer.mjs');
const gate = await libpcapGate();
reportGate(gate, 'live capture on a veth pair');

describe.runIf(gate.ok)('live capture on a veth pair between two namespaces', () => {
  let pair: NetnsPair;
  let tmp: { dir: string; remove: () => void };
  let dist: string;

  beforeAll(() => {
    dist = ensureDist(root);
    tmp = tempDir('wslive-veth-');
    pair = createNetnsPair('veth');
  });
  afterAll(() => {
    pair?.remove();
    tmp?.remove();
  });

  it('captures a TCP connection exactly as tcpdump does, and its handshake is complete', async () => {
    expect(hasTool('tcpdump'), 'tcpdump is needed as the oracle').toBe(true);
    const filter = 'tcp port 7000';
    const theirs = await startTcpdump(pair.clientIf, filter, join(tmp.dir, 'tcpdump.pcap'), pair.client);
    const oursFile = join(tmp.dir, 'ours.pcap');
    const ours = spawnInNetns(pair.client, [process.execPath, join(root, 'test/live/netns-capture.mjs'), dist, pair.clientIf, filter, oursFile]);
    // The CLI and tcpdump printing the same link, MAC addresses and all.
    const printFlags = ['-i', pair.clientIf, '-nn', '-t', '-e', '-v', ...filter.split(' ')];
    const oursPrinted = spawnInNetns(pair.client, [process.execPath, join(root, 'bin/wirescope.js'), ...printFlags]);
    const theirsPrinted = spawnInNetns(pair.client, ['tcpdump', '-l', ...printFlags]);
    try {
      await waitFor(() => ours.stdout() + ours.stderr(), 'ready');
      await waitFor(oursPrinted.stderr, 'listening on');
      await waitFor(theirsPrinted.stderr, 'listening on');
      const server = spawnInNetns(pair.server, [process.execPath, peer, 'tcp-echo-server', '198.18.0.2', '7000', '1']);
      await waitFor(server.stdout, 'ready');
      const client = spawnInNetns(pair.client, [process.execPath, peer, 'tcp-client', '198.18.0.2', '7000', '40001']);
      expect(await client.exited, client.stderr()).toBe(0);
      expect(await server.exited, server.stderr()).toBe(0);
      await sleep(1300); // tcpdump's TPACKET_V3 block timer (1 s) hands over the last packets
    } finally {
      for (const p of [ours, oursPrinted, theirsPrinted]) p.kill('SIGINT');
      await theirs.stop();
    }
    expect(await ours.exited, ours.stderr()).toBe(0);
    expect(await oursPrinted.exited, oursPrinted.stderr()).toBe(0);
    await theirsPrinted.exited;
    expect(theirsPrinted.stdout()).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2} > ([0-9a-f]{2}:){5}[0-9a-f]{2}, ethertype IPv4/m);
    expect(oursPrinted.stdout()).toBe(theirsPrinted.stdout());

    // Link layer included: MAC addresses, EtherType, every byte.
    const flags = ['-nn', '-t', '-e', '-vv', '-x'];
    const expected = tcpdumpRead(theirs.file, flags);
    for (const flag of ['[S]', '[S.]', '[P.]', '[F.]']) expect(expected).toContain(`Flags ${flag}`);
    expect(tcpdumpRead(oursFile, flags)).toBe(expected);
    const stats = JSON.parse(ours.stdout().trim().split('\n').pop()!) as { captured: number; dropped: number };
    expect(stats.dropped).toBe(0);
    expect(stats.captured).toBe(expected.split('\n').filter((l) => l.includes('Flags')).length);

    const report = await trackHandshakes(oursFile);
    expect(report.connections).toHaveLength(1);
    expect(report.connections[0]).toMatchObject({
      client: '198.18.0.1:40001',
      server: '198.18.0.2:7000',
      handshake: 'complete',
      close: 'fin',
      state: 'SF',
      violations: [],
    });
  });
});
