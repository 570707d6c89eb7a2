/**
 * `wirescope -i lo`: live capture through the CLI on loopback only, with a bounded count and a
 * time limit. Skips (saying so) when libpcap/cap cannot be loaded or capture is not permitted.
 */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

async function liveAvailable(): Promise<string | null> {
  if (process.getuid && process.getuid() !== 0) return 'not root: no capture permission';
  try {
    const live = await import('../../src/live/index.js');
    await live.loadCap();
    return null;
  } catch (e) {
    return `libpcap/cap unavailable: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const why = await liveAvailable();
if (why) console.warn(`live CLI test skipped: ${why}`);

describe.skipIf(why !== null)('wirescope -i lo', () => {
  it('prints captured packets as tcpdump lines and the capture statistics', async () => {
    const port = 20000 + (process.pid % 20000);
    const sock = createSocket('udp4');
    let sent = 0;
    const timer = setInterval(() => {
      if (sent++ < 40) sock.send('hello', port, '127.0.0.1');
    }, 50);
    try {
      const run = runCli(['-i', 'lo', '-c', '3', '-nn', `udp and dst port ${port}`]);
      const r = await Promise.race([run, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('live capture did not finish')), 15000))]);
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(l).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP, length 5$`));
      expect(r.stderr).toMatch(/^listening on lo, link-type EN10MB \(Ethernet\), snapshot length \d+ bytes$/m);
      expect(r.stderr).toMatch(/^3 packets captured$/m);
      expect(r.stderr).toMatch(/^\d+ packets? received by filter$/m);
      expect(r.stderr).toMatch(/^\d+ packets? dropped by kernel$/m);
    } finally {
      clearInterval(timer);
      sock.close();
    }
  });

  it('a missing interface is one line, exit 2', async () => {
    const r = await runCli(['-i', 'no-such-if0', '-c', '1']);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wirescope: .*no-such-if0/);
  });
});
