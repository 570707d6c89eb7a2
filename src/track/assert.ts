/**
 * CI assertions over a handshake report: the checks behind `wirescope handshakes --require-complete
 * --max-refused N ...`. Pure functions of the report, so the CLI, the library and the vitest
 * matchers agree.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { parseDurationNs } from '../duration.js';
import type { ConnectionReport, HandshakeReport } from './types.js';

export interface AssertionOptions {
  requireComplete?: boolean;
  expectConnections?: number;
  maxRefused?: number;
  maxSynRetries?: number;
  /** Nanoseconds. */
  maxHandshakeRttNs?: number;
  noViolations?: boolean;
  /** Restrict every check to connections to this server: `host:port`, `[v6]:port`, `host` or `:port`. */
  server?: string;
}

export interface AssertionFailure {
  /** The option that failed, e.g. `--require-complete`. */
  check: string;
  /** The connection concerned, when the check is per connection. */
  connection?: ConnectionReport;
  message: string;
}

export interface AssertionResult {
  ok: boolean;
  /** Connections the checks looked at (after --server). */
  checked: ConnectionReport[];
  failures: AssertionFailure[];
  /** The checks that ran, in order (for JUnit). */
  checks: string[];
}

/** `5ms`, `250us`, `1.5s`, `800ns`; a bare number is milliseconds. Returns nanoseconds. */
export function parseDuration(text: string): number {
  return parseDurationNs(text, 'ms');
}

export interface ServerMatch {
  host: string | null;
  port: number | null;
}

function canonicalHost(host: string): string {
  if (isIP(host) === 6) return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  return host;
}

/** Parse `--server`: `10.0.0.2:7`, `[fd00::2]:80`, `10.0.0.2`, `:80`. */
export function parseServer(text: string): ServerMatch {
  let host: string | null = null;
  let portText: string | null = null;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    portText = v6[2] ?? null;
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const i = text.lastIndexOf(':');
    if (i >= 0) {
      host = i > 0 ? text.slice(0, i) : null;
      portText = text.slice(i + 1);
    } else host = text;
  }
  if (host !== null && isIP(host) === 0) throw new UsageError(`--server: '${host}' is not an IP address (use HOST:PORT)`);
  let port: number | null = null;
  if (portText !== null) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--server: invalid port '${portText}'`);
  }
  return { host: host === null ? null : canonicalHost(host), port };
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  let host = endpoint.slice(0, i);
  if (host.startsWith('[')) host = canonicalHost(host.slice(1, -1));
  return { host, port: Number(endpoint.slice(i + 1)) };
}

export function matchesServer(c: ConnectionReport, m: ServerMatch): boolean {
  const s = splitEndpoint(c.server);
  return (m.host === null || m.host === s.host) && (m.port === null || m.port === s.port);
}

export function describe(c: ConnectionReport): string {
  const where = c.firstPacket === c.lastPacket ? `packet ${c.firstPacket}` : `packets ${c.firstPacket}-${c.lastPacket}`;
  return `${c.client} -> ${c.server}: handshake ${c.handshake}, close ${c.close}, state ${c.state}, history ${c.history || '-'} (${where}${c.file ? ` of ${c.file}` : ''})`;
}

function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(3)}us`;
  return `${ns}ns`;
}

/** Run the requested checks. No checks requested: ok. */
export function checkReport(report: HandshakeReport, opts: AssertionOptions): AssertionResult {
  const failures: AssertionFailure[] = [];
  const checks: string[] = [];
  const scope = opts.server !== undefined ? parseServer(opts.server) : null;
  const checked = scope ? report.connections.filter((c) => matchesServer(c, scope)) : report.connections;
  const evicted = scope ? 0 : report.summary.evicted;
  const evictedNote = (check: string): void => {
    if (report.summary.evicted > 0) {
      failures.push({
        check,
        message: `${report.summary.evicted} connections were evicted by the memory cap before they finished and could not be checked (raise --max-connections)`,
      });
    }
  };

  if (opts.requireComplete) {
    const check = '--require-complete';
    checks.push(check);
    for (const c of checked) {
      if (c.handshake !== 'midstream' && c.handshake !== 'complete' && c.handshake !== 'simultaneous') {
        failures.push({ check, connection: c, message: `handshake did not complete: ${describe(c)}` });
      }
    }
    evictedNote(check);
  }
  if (opts.expectConnections !== undefined) {
    const check = '--expect-connections';
    checks.push(check);
    const n = checked.length + evicted;
    if (n !== opts.expectConnections) {
      failures.push({ check, message: `expected ${opts.expectConnections} connections${opts.server ? ` to ${opts.server}` : ''}, saw ${n}` });
    }
  }
  if (opts.maxRefused !== undefined) {
    const check = '--max-refused';
    checks.push(check);
    const refused = checked.filter((c) => c.handshake === 'refused');
    if (refused.length > opts.maxRefused) {
      failures.push({ check, message: `${refused.length} connections refused, at most ${opts.maxRefused} allowed` });
      for (const c of refused) failures.push({ check, connection: c, message: `refused: ${describe(c)}` });
    }
  }
  if (opts.maxSynRetries !== undefined) {
    const check = '--max-syn-retries';
    checks.push(check);
    for (const c of checked) {
      if (c.synRetries > opts.maxSynRetries) {
        failures.push({ check, connection: c, message: `SYN sent ${c.synRetries + 1} times (${c.synRetries} retries, at most ${opts.maxSynRetries}): ${describe(c)}` });
      }
    }
  }
  if (opts.maxHandshakeRttNs !== undefined) {
    const check = '--max-handshake-rtt';
    checks.push(check);
    for (const c of checked) {
      const rtt = c.handshakeRtt.totalNs;
      if (rtt !== null && rtt > opts.maxHandshakeRttNs) {
        failures.push({ check, connection: c, message: `handshake RTT ${formatNs(rtt)} exceeds ${formatNs(opts.maxHandshakeRttNs)}: ${describe(c)}` });
      }
    }
  }
  if (opts.noViolations) {
    const check = '--no-violations';
    checks.push(check);
    for (const c of checked) {
      for (const v of c.violations) {
        failures.push({ check, connection: c, message: `packet ${v.packet}: ${v.kind}: ${v.message} (${c.client} -> ${c.server}, history ${c.history || '-'})` });
      }
    }
  }
  return { ok: failures.length === 0, checked, failures, checks };
}

export { formatNs };
