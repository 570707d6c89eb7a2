/**
 * Live capture on `lo`, checked against tcpdump capturing the same traffic at the same time.
 * Needs root (CI runs as root). Skips, saying why, only where libpcap cannot be loaded; with
 * CI=true that fails instead.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWriter } from '../../src/capture/index.js';
import { readAllRecords } from '../../src/capture/index.js';
import { capture, captureHandshakes, listInterfaces, openLiveCapture } from '../../src/live/index.js';
import '../../src/track/vitest.js';
import { echoServer, hasTool, libpcapGate, reportGate, startTcpdump, tcpdumpRead, tcpExchange, tempDir } from './support.js';

const gate = await libpcapGate();

reportGate(gate, 'live capture on lo');

describe.runIf(gate.ok)('live capture on lo', () => {
  it('captures a TCP connection byte for byte as tcpdump does, with arrival stamps near the kernel stamps', async () => {
    expect(hasTool('tcpdump'), 'tcpdump is needed as the oracle').toBe(true);
    const tmp = tempDir('wslive-lo-');
    const server = await echoServer();
    const filter = `tcp port ${server.port}`;
    try {
      const theirs = await startTcpdump('lo', filter, join(tmp.dir, 'tcpdump.pcap'));
      const ours = await capture({ interface: 'lo', filter });
      await tcpExchange('127.0.0.1', server.port, ['hello wirescope\n', 'bye\n']);
      await ours.stop();
      await theirs.stop();

      const oursFile = join(tmp.dir, 'ours.pcap');
      const writer = openWriter(oursFile, { format: 'pcap', linkType: ours.linkType, snaplen: 262144, nanosecond: true });
      for await (const r of ours) writer.write(r);
      await writer.close();

      // Every byte of every packet, as tcpdump decodes and dumps it; timestamps aside.
      const flags = ['-nn', '-t', '-vv', '-x'];
      const expected = tcpdumpRead(theirs.file, flags);
      // The whole connection is there (segment count varies with delayed ACKs).
      for (const flag of ['[S]', '[S.]', '[P.]', '[F.]']) expect(expected).toContain(`Flags ${flag}`);
      expect(tcpdumpRead(oursFile, flags)).toBe(expected);

      // Arrival stamps: same order, each within 50 ms of the kernel's stamp.
      const a = await readAllRecords(theirs.file);
      const b = await readAllRecords(oursFile);
      expect(b.length).toBe(a.length);
      let prev = 0;
      for (let i = 0; i < a.length; i++) {
        const ta = a[i]!.tsSec * 1e9 + a[i]!.tsNsec;
        const tb = b[i]!.tsSec * 1e9 + b[i]!.tsNsec;
        expect(Math.abs(tb - ta), `packet ${i + 1} stamp error`).toBeLessThan(50e6);
        expect(tb).toBeGreaterThanOrEqual(prev);
        prev = tb;
      }
      expect(ours.stats()).toMatchObject({ captured: a.length, received: a.length, dropped: 0 });
    } finally {
      await server.close();
      tmp.remove();
    }
  });

  it('reports the handshake of a connection made during the capture as complete', async () => {
    const server = await echoServer();
    try {
      const live = await captureHandshakes({ interface: 'lo', filter: `tcp port ${server.port}` });
      await tcpExchange('127.0.0.1', server.port, ['ping\n']);
      const report = await live.stop();
      expect(report).toHaveCompletedHandshake({ server: `127.0.0.1:${server.port}` });
      expect(report).toHaveNoViolations();
      expect(report).toPassHandshakeChecks({ requireComplete: true, expectConnections: 1 });
      expect(report.connections[0]).toMatchObject({ close: 'fin', state: 'SF', history: 'ShADadFf' });
    } finally {
      await server.close();
    }
  });

  it('accepts the -D number in place of the name, as tcpdump does', async () => {
    const lo = (await listInterfaces()).find((l) => l.name === 'lo');
    expect(lo).toBeDefined();
    const source = await openLiveCapture({ interface: String(lo!.index) });
    try {
      expect(source.info.name).toBe('lo');
      expect(source.linkType).toBe(1);
    } finally {
      await source.close();
    }
    await expect(openLiveCapture({ interface: '999' })).rejects.toThrow(/interface number 999 out of range/);
  });

  it('says which interfaces exist when the name is wrong', async () => {
    await expect(openLiveCapture({ interface: 'wirescope-nope0' })).rejects.toThrow(
      /^wirescope-nope0: no such interface; interfaces: .*\blo\b/,
    );
  });

  it("passes libpcap's message for a bad filter", async () => {
    await expect(openLiveCapture({ interface: 'lo', filter: 'tcp port' })).rejects.toThrow(
      "filter: can't parse filter expression: syntax error: tcp port",
    );
  });
});
