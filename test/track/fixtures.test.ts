import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, buildScenario } from '../../fixtures/track/scenarios.js';
import { trackHandshakes } from '../../src/track/index.js';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'track');
const WRITE = process.env.WIRESCOPE_WRITE_FIXTURES === '1';

describe('encoder-built handshake fixtures', () => {
  for (const s of SCENARIOS) {
    describe(s.name, () => {
      const file = join(DIR, `${s.name}.pcap`);

      it('is what the committed generator builds', async () => {
        const built = await buildScenario(s);
        if (WRITE) {
          mkdirSync(DIR, { recursive: true });
          writeFileSync(file, built);
        }
        expect(existsSync(file), `${file} missing: run WIRESCOPE_WRITE_FIXTURES=1 npx vitest run test/track/fixtures.test.ts`).toBe(true);
        expect(Buffer.compare(readFileSync(file), built)).toBe(0);
      });

      it(`tracks as designed: ${s.what}`, async () => {
        const report = await trackHandshakes(file);
        const got = report.connections.map((c) => ({
          client: c.client,
          server: c.server,
          handshake: c.handshake,
          close: c.close,
          state: c.state,
          history: c.history,
          violations: c.violations.map((v) => ({ packet: v.packet, kind: v.kind })),
        }));
        const want = s.expect.map(({ synRetries: _r, synAckRetries: _a, ...rest }) => rest);
        expect(got).toEqual(want);
        s.expect.forEach((e, i) => {
          if (e.synRetries !== undefined) expect(report.connections[i]!.synRetries).toBe(e.synRetries);
          if (e.synAckRetries !== undefined) expect(report.connections[i]!.synAckRetries).toBe(e.synAckRetries);
        });
      });
    });
  }
});

describe('fixture details', () => {
  it('reads the negotiated options of both SYNs', async () => {
    const [c] = (await trackHandshakes(join(DIR, 'complete-fin.pcap'))).connections;
    expect(c!.options.client).toEqual({ mss: 1460, windowScale: 7, sackPermitted: true, timestamps: true, tfo: false, ecn: false });
    expect(c!.options.server).toEqual({ mss: 1400, windowScale: 9, sackPermitted: true, timestamps: true, tfo: false, ecn: false });
    expect(c!.options.negotiated).toMatchObject({ windowScale: true, sackPermitted: true, timestamps: true, ecn: false });
    // 10 packets: SYN, SYN+ACK, ACK, data, ACK, data, ACK, FIN, FIN, ACK; 5 bytes each way.
    expect(c!.packets).toEqual({ client: 6, server: 4 });
    expect(c!.bytes).toEqual({ client: 5, server: 5 });
    // The generator spaces packets 1 ms apart.
    expect(c!.handshakeRtt).toEqual({ synToSynAckNs: 1e6, synAckToAckNs: 1e6, totalNs: 2e6, connectNs: 2e6 });
    expect(c!.durationNs).toBe(9e6);
    expect(c!.firstPacket).toBe(1);
    expect(c!.lastPacket).toBe(10);
  });

  it('measures SYN->SYN+ACK from the SYN that was answered, connect time from the first', async () => {
    const [c] = (await trackHandshakes(join(DIR, 'syn-retransmitted-3.pcap'))).connections;
    expect(c!.handshakeRtt.synToSynAckNs).toBe(1e6);
    expect(c!.handshakeRtt.connectNs).toBe(7e9 + 2e6);
  });

  it('records TFO and that the SYN data was accepted', async () => {
    const [c] = (await trackHandshakes(join(DIR, 'tfo.pcap'))).connections;
    expect(c!.options.client.tfo).toBe(true);
    expect(c!.options.negotiated.tfoDataAccepted).toBe(true);
    expect(c!.bytes.client).toBe(12);
  });

  it('keeps the two uses of a reused port apart', async () => {
    const r = await trackHandshakes(join(DIR, 'port-reuse.pcap'));
    expect(r.connections.map((c) => [c.firstPacket, c.lastPacket])).toEqual([[1, 6], [7, 12]]);
    expect(r.summary).toMatchObject({ connections: 2, attempts: 2, complete: 2, fin: 2 });
  });
});
