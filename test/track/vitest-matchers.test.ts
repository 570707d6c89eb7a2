import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/track/vitest.js';
import { trackHandshakes } from '../../src/track/index.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');

describe('wirescope/vitest matchers', () => {
  it('pass on a clean real-kernel connection', async () => {
    const report = await trackHandshakes(join(FIX, 'handshake-clean.pcap'));
    expect(report).toHaveCompletedHandshake({ server: '198.18.0.2:8080' });
    expect(report).toHaveOnlyCompletedHandshakes();
    expect(report).toHaveNoViolations();
    expect(report).toHaveConnections(1);
    expect(report).toHaveClosedCleanly();
    expect(report).toHaveHandshakeRttBelow('5ms');
    expect(report).toPassHandshakeChecks({ requireComplete: true, maxRefused: 0, noViolations: true });
    expect(report).not.toHaveRefusedConnection();
    expect(report).not.toHaveCompletedHandshake({ server: '198.18.0.2:9999' });
  });

  it('fail on a refused connection with its history in the message', async () => {
    const report = await trackHandshakes(join(FIX, 'handshake-refused.pcap'));
    expect(report).toHaveRefusedConnection({ server: '198.18.0.2:8081' });
    expect(() => expect(report).toHaveCompletedHandshake({ server: '198.18.0.2:8081' })).toThrowError(
      /expected a completed handshake to 198\.18\.0\.2:8081;[\s\S]*handshake refused, close reset-by-server, state REJ, history Sr \(packets 3-4/,
    );
    expect(() => expect(report).toPassHandshakeChecks({ requireComplete: true })).toThrowError(/--require-complete: handshake did not complete/);
  });

  it('list violations with packet numbers', async () => {
    const report = await trackHandshakes(join(FIX, 'track', 'violation-packet-after-rst.pcap'));
    expect(() => expect(report).toHaveNoViolations()).toThrowError(
      /192\.0\.2\.1:40000 -> 192\.0\.2\.2:80 \(history ShARd\):\n\s+packet 5: packet-after-rst: server sent PSH\+ACK after the connection was reset/,
    );
  });

  it('name the connections seen when none matches', async () => {
    const report = await trackHandshakes(join(FIX, 'tcp6.pcap'));
    expect(report).toHaveCompletedHandshake({ server: '[fd00:5eed:0::2]:7000' });
    expect(() => expect(report).toHaveCompletedHandshake({ server: ':80' })).toThrowError(/no connection matched[\s\S]*\[fd00:5eed::1\]:40006 -> \[fd00:5eed::2\]:7000/);
  });

  it('reject what is not a report', () => {
    expect(() => expect({}).toHaveNoViolations()).toThrowError(/expects a handshake report/);
  });
});
