/**
 * Vitest matchers over handshake reports (`wirescope/vitest`). Importing this module registers
 * them with vitest's `expect`:
 *
 *   import 'wirescope/vitest';
 *   const report = await trackHandshakes('server.pcap');
 *   expect(report).toHaveCompletedHandshake({ server: '127.0.0.1:8080' });
 *   expect(report).toHaveNoViolations();
 *
 * Failure messages list the connections concerned with their Zeek history, so a CI log shows
 * what happened on the wire.
 */
import { expect } from 'vitest';
import { checkReport, describe as describeConnection, matchesServer, parseDuration, parseServer, type AssertionOptions } from './assert.js';
import type { ConnectionReport, HandshakeReport } from './types.js';

export interface ConnectionFilter {
  /** `host:port`, `[v6]:port`, `host` or `:port`. */
  server?: string;
  /** The client endpoint, exactly as the report writes it. */
  client?: string;
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function isReport(x: unknown): x is HandshakeReport {
  return typeof x === 'object' && x !== null && Array.isArray((x as HandshakeReport).connections) && typeof (x as HandshakeReport).summary === 'object';
}

function select(report: HandshakeReport, f: ConnectionFilter = {}): ConnectionReport[] {
  const m = f.server !== undefined ? parseServer(f.server) : null;
  return report.connections.filter((c) => (m === null || matchesServer(c, m)) && (f.client === undefined || c.client === f.client));
}

function scopeText(f: ConnectionFilter = {}): string {
  const parts: string[] = [];
  if (f.client) parts.push(`from ${f.client}`);
  if (f.server) parts.push(`to ${f.server}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

function listing(cs: readonly ConnectionReport[], max = 20): string {
  if (cs.length === 0) return '  (none)';
  const lines = cs.slice(0, max).map((c) => `  ${describeConnection(c)}`);
  if (cs.length > max) lines.push(`  ... and ${cs.length - max} more`);
  return lines.join('\n');
}

function notReport(name: string, received: unknown): MatcherResult {
  return { pass: false, message: () => `${name} expects a handshake report (from trackHandshakes), got ${typeof received}` };
}

const completed = (c: ConnectionReport): boolean => c.handshake === 'complete' || c.handshake === 'simultaneous';

export const handshakeMatchers = {
  /** Some connection in scope completed its three-way (or simultaneous) handshake. */
  toHaveCompletedHandshake(received: unknown, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveCompletedHandshake', received);
    const cs = select(received, filter);
    const done = cs.filter(completed);
    return {
      pass: done.length > 0,
      message: () =>
        done.length > 0
          ? `expected no completed handshake${scopeText(filter)}, but ${done.length} completed:\n${listing(done)}`
          : `expected a completed handshake${scopeText(filter)}; ${cs.length === 0 ? 'no connection matched. Connections seen:' : 'the connections were:'}\n${listing(cs.length ? cs : received.connections)}`,
    };
  },

  /** Every connection in scope completed its handshake (and there is at least one). */
  toHaveOnlyCompletedHandshakes(received: unknown, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveOnlyCompletedHandshakes', received);
    const cs = select(received, filter);
    const bad = cs.filter((c) => !completed(c) && c.handshake !== 'midstream');
    return {
      pass: cs.length > 0 && bad.length === 0,
      message: () =>
        cs.length === 0
          ? `expected connections${scopeText(filter)}, found none. Connections seen:\n${listing(received.connections)}`
          : bad.length > 0
            ? `expected every handshake${scopeText(filter)} to complete; ${bad.length} did not:\n${listing(bad)}`
            : `expected some handshake${scopeText(filter)} not to complete, but all ${cs.length} did`,
    };
  },

  /** No protocol violation in scope. */
  toHaveNoViolations(received: unknown, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveNoViolations', received);
    const bad = select(received, filter).filter((c) => c.violations.length > 0);
    const lines = bad.flatMap((c) => [
      `  ${c.client} -> ${c.server} (history ${c.history || '-'}):`,
      ...c.violations.map((v) => `    packet ${v.packet}: ${v.kind}: ${v.message}`),
    ]);
    return {
      pass: bad.length === 0,
      message: () => (bad.length ? `expected no violations${scopeText(filter)}, found:\n${lines.join('\n')}` : `expected violations${scopeText(filter)}, found none`),
    };
  },

  /** Exactly `n` connections in scope. */
  toHaveConnections(received: unknown, n: number, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveConnections', received);
    const cs = select(received, filter);
    return {
      pass: cs.length === n,
      message: () => `expected ${n} connections${scopeText(filter)}, found ${cs.length}:\n${listing(cs)}`,
    };
  },

  /** Some connection in scope was refused (RST answered the SYN). */
  toHaveRefusedConnection(received: unknown, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveRefusedConnection', received);
    const cs = select(received, filter);
    const refused = cs.filter((c) => c.handshake === 'refused');
    return {
      pass: refused.length > 0,
      message: () =>
        refused.length
          ? `expected no refused connection${scopeText(filter)}, found:\n${listing(refused)}`
          : `expected a refused connection${scopeText(filter)}; the connections were:\n${listing(cs)}`,
    };
  },

  /** Every completed handshake in scope took at most `limit` (`5ms`, `250us`, or nanoseconds). */
  toHaveHandshakeRttBelow(received: unknown, limit: string | number, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveHandshakeRttBelow', received);
    const ns = typeof limit === 'number' ? limit : parseDuration(limit);
    const cs = select(received, filter);
    const slow = cs.filter((c) => c.handshakeRtt.totalNs !== null && c.handshakeRtt.totalNs > ns);
    return {
      pass: slow.length === 0,
      message: () =>
        slow.length
          ? `expected every handshake RTT${scopeText(filter)} <= ${limit}; too slow:\n${slow.map((c) => `  ${c.handshakeRtt.totalNs} ns: ${describeConnection(c)}`).join('\n')}`
          : `expected some handshake RTT${scopeText(filter)} above ${limit}, none was`,
    };
  },

  /** Every connection in scope closed with FIN both ways. */
  toHaveClosedCleanly(received: unknown, filter: ConnectionFilter = {}): MatcherResult {
    if (!isReport(received)) return notReport('toHaveClosedCleanly', received);
    const cs = select(received, filter);
    const bad = cs.filter((c) => c.close !== 'fin');
    return {
      pass: cs.length > 0 && bad.length === 0,
      message: () =>
        cs.length === 0
          ? `expected connections${scopeText(filter)}, found none`
          : bad.length
            ? `expected every connection${scopeText(filter)} to close with FIN both ways; ${bad.length} did not:\n${listing(bad)}`
            : `expected some connection${scopeText(filter)} not to close cleanly, but all did`,
    };
  },

  /** The CLI's checks (`--require-complete`, `--max-refused`, ...) as one matcher. */
  toPassHandshakeChecks(received: unknown, checks: AssertionOptions): MatcherResult {
    if (!isReport(received)) return notReport('toPassHandshakeChecks', received);
    const r = checkReport(received, checks);
    return {
      pass: r.ok,
      message: () => (r.ok ? `expected the checks ${r.checks.join(' ')} to fail, but all passed` : `handshake checks failed:\n${r.failures.map((f) => `  ${f.check}: ${f.message}`).join('\n')}`),
    };
  },
};

export interface HandshakeMatchers<R = unknown> {
  toHaveCompletedHandshake(filter?: ConnectionFilter): R;
  toHaveOnlyCompletedHandshakes(filter?: ConnectionFilter): R;
  toHaveNoViolations(filter?: ConnectionFilter): R;
  toHaveConnections(n: number, filter?: ConnectionFilter): R;
  toHaveRefusedConnection(filter?: ConnectionFilter): R;
  toHaveHandshakeRttBelow(limit: string | number, filter?: ConnectionFilter): R;
  toHaveClosedCleanly(filter?: ConnectionFilter): R;
  toPassHandshakeChecks(checks: AssertionOptions): R;
}

declare module 'vitest' {
  // The type parameter must repeat vitest's own declaration (`T = any`) to merge with it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends HandshakeMatchers<T> {}
}

expect.extend(handshakeMatchers);
