/** Text and JUnit renderings of a handshake report (cold path: strings are fine here). */
import { formatNs, type AssertionResult } from './assert.js';
import type { ConnectionReport, HandshakeReport, HandshakeSummary } from './types.js';

const HEADERS = ['CLIENT', 'SERVER', 'HANDSHAKE', 'CLOSE', 'RTT', 'STATE', 'HISTORY', 'VIOLATIONS'] as const;

function row(c: ConnectionReport): string[] {
  const rtt = c.handshakeRtt.totalNs;
  const violations = c.violations.length === 0 ? '-' : c.violations.map((v) => `${v.kind}@${v.packet}`).join(',');
  return [c.client, c.server, c.handshake, c.close, rtt === null ? '-' : formatNs(rtt), c.state, c.history || '-', violations];
}

/** One row per connection, columns padded to the widest cell. */
export function formatTable(connections: readonly ConnectionReport[]): string {
  const rows = [HEADERS.slice(), ...connections.map(row)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export function formatSummary(s: HandshakeSummary): string {
  const parts = [
    `${s.connections} connections`,
    `${s.attempts} attempts`,
    `${s.complete} complete`,
    `${s.refused} refused`,
    `${s.timedOut} timed out`,
    `${s.incomplete} incomplete`,
    `${s.reset} reset`,
    `${s.violations} violations`,
  ];
  if (s.simultaneous) parts.splice(3, 0, `${s.simultaneous} simultaneous`);
  if (s.midstream) parts.push(`${s.midstream} midstream`);
  if (s.synRetries) parts.push(`${s.synRetries} SYN retries`);
  if (s.evicted) parts.push(`${s.evicted} evicted by the memory cap`);
  return parts.join(', ') + '\n';
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 cannot carry most control characters at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * JUnit XML: one test case per checked connection (failing with every per-connection check it
 * broke) and one per aggregate check, so CI shows each connection by name.
 */
export function junitXml(report: HandshakeReport, result: AssertionResult, name = 'wirescope handshakes'): string {
  const cases: string[] = [];
  let failures = 0;
  for (const c of result.checked) {
    const own = result.failures.filter((f) => f.connection === c);
    const title = `${c.client} -> ${c.server} (packet ${c.firstPacket}${c.file ? `, ${c.file}` : ''})`;
    const out = `handshake ${c.handshake}, close ${c.close}, state ${c.state}, history ${c.history}`;
    if (own.length === 0) {
      cases.push(`    <testcase classname="${xml(name)}.connections" name="${xml(title)}"><system-out>${xml(out)}</system-out></testcase>`);
    } else {
      failures++;
      const body = own.map((f) => `${f.check}: ${f.message}`).join('\n');
      cases.push(
        `    <testcase classname="${xml(name)}.connections" name="${xml(title)}">` +
          `<failure type="${xml(own[0]!.check)}" message="${xml(own[0]!.message)}">${xml(body)}</failure>` +
          `<system-out>${xml(out)}</system-out></testcase>`,
      );
    }
  }
  for (const check of result.checks) {
    const agg = result.failures.filter((f) => f.check === check && f.connection === undefined);
    const perConn = result.failures.filter((f) => f.check === check && f.connection !== undefined).length;
    if (agg.length === 0 && perConn === 0) {
      cases.push(`    <testcase classname="${xml(name)}.checks" name="${xml(check)}"/>`);
      continue;
    }
    failures++;
    const msg = agg.length ? agg.map((f) => f.message).join('; ') : `${perConn} connection(s) failed this check`;
    cases.push(`    <testcase classname="${xml(name)}.checks" name="${xml(check)}"><failure type="${xml(check)}" message="${xml(msg)}">${xml(msg)}</failure></testcase>`);
  }
  const s = report.summary;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xml(name)}" tests="${cases.length}" failures="${failures}">\n` +
    `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="0">\n` +
    `    <properties><property name="summary" value="${xml(formatSummary(s).trim())}"/></properties>\n` +
    cases.join('\n') +
    (cases.length ? '\n' : '') +
    `  </testsuite>\n</testsuites>\n`
  );
}
