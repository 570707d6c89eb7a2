/**
 * Bad expressions: a FilterError (exit code 2, one line) whose position points at the offending
 * token. Where tcpdump is installed, it must refuse the same expression on the same link type.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FilterError, WirescopeError } from '../../src/errors.js';
import { compileFilter } from '../../src/filter/index.js';
import { tcpdumpAvailable } from './harness.js';

interface Case {
  expr: string;
  /** 0-based position of the offending token. */
  pos: number;
  /** Part of the message. */
  msg: string | RegExp;
  linkType?: number;
  /**
   * Refused on purpose although libpcap accepts it: wirescope reads no /etc/services and
   * implements no MPLS, so these are wirescope's own errors, not libpcap's.
   */
  oursOnly?: boolean;
}

const CASES: Case[] = [
  { expr: 'tcp and', pos: 7, msg: 'syntax error: unexpected end of expression' },
  { expr: 'host', pos: 4, msg: 'unexpected end of expression' },
  { expr: 'port 80 80', pos: 8, msg: "unexpected '80'" },
  { expr: 'tcp[13 & 2 != 0', pos: 11, msg: "expected ']'" },
  { expr: '(tcp or udp', pos: 11, msg: "expected ')'" },
  { expr: 'tcp or udp)', pos: 10, msg: "unexpected ')'" },
  { expr: 'and tcp', pos: 0, msg: "unexpected 'and'" },
  { expr: '1.2.3.4', pos: 0, msg: "unexpected '1.2.3.4'" },
  { expr: 'tcp[13] & 2 !=', pos: 14, msg: 'unexpected end of expression' },
  { expr: 'host 10.0.0.1 @ x', pos: 14, msg: "unexpected character '@'" },
  { expr: 'src or host 1.2.3.4', pos: 7, msg: 'expected "dst"' },
  { expr: 'ip proto tcp', pos: 9, msg: "unexpected 'tcp'" },
  { expr: 'tcp or 80', pos: 7, msg: 'syntax error in filter expression' },
  { expr: 'port 80 and tcp or 443', pos: 19, msg: 'syntax error in filter expression' },
  { expr: 'host foo', pos: 5, msg: "unknown host 'foo'" },
  { expr: 'host 1.2.3.4.5', pos: 5, msg: "unknown host '1.2.3.4.5'" },
  { expr: 'ether host gw', pos: 11, msg: "unknown ether host 'gw'" },
  { expr: 'port http', pos: 5, msg: "unknown port 'http'", oursOnly: true },
  { expr: 'ip proto \\nosuch', pos: 9, msg: "unknown ip proto 'nosuch'" },
  { expr: 'ether[0:3] = 1', pos: 0, msg: 'data size must be 1, 2, or 4' },
  { expr: 'port 70000', pos: 5, msg: 'illegal port number 70000 > 65535' },
  { expr: 'ip port 80', pos: 8, msg: "illegal qualifier of 'port'" },
  { expr: 'port 10.0.0.1', pos: 5, msg: "'port' modifier applied to IP address" },
  { expr: 'vlan 5000', pos: 0, msg: 'VLAN tag 5000 greater than maximum 4095' },
  { expr: 'ip[0] / 0 = 1', pos: 6, msg: 'division by zero' },
  { expr: 'ip[0] % 0 = 1', pos: 6, msg: 'modulus by zero' },
  { expr: 'ip[0] << 33 = 1', pos: 6, msg: 'shift by more than 31 bits' },
  { expr: 'ip host ::1', pos: 8, msg: "'ip' modifier applied to ip6 host" },
  { expr: 'tcp host 1.2.3.4', pos: 9, msg: "'tcp' modifier applied to host" },
  { expr: 'tcp proto 6', pos: 10, msg: "'tcp proto' is bogus" },
  { expr: 'net 10.0.0.1/8', pos: 4, msg: 'non-network bits set in "10.0.0.1/8"' },
  { expr: 'host 10.0.0.0/8', pos: 5, msg: 'Mask syntax for networks only' },
  { expr: 'ether', pos: 0, msg: 'link layer applied in wrong context' },
  { expr: 'ether host 1.2.3.4', pos: 11, msg: 'illegal link layer address' },
  { expr: 'host 01:02:03:04:05:06', pos: 5, msg: 'ethernet address used in non-ether expression' },
  { expr: '08 = 8', pos: 0, msg: 'number 08 contains non-octal digit' },
  { expr: 'mpls', pos: 0, msg: "'mpls' is not supported by wirescope", oursOnly: true },
  { expr: 'ip and arp and 1 = 0', pos: 0, msg: 'expression rejects all packets' },
  { expr: 'vlan', pos: 0, msg: 'no VLAN support for Linux cooked v1', linkType: 113 },
  { expr: 'ether host 02:00:00:00:00:01', pos: 11, msg: 'ethernet addresses supported only on', linkType: 113 },
  { expr: 'ip6', pos: 0, msg: 'expression rejects all packets', linkType: 228 },
  { expr: 'arp', pos: 0, msg: 'expression rejects all packets', linkType: 101 },
];

const DLT_NAMES: Record<number, string> = { 1: 'EN10MB', 113: 'LINUX_SLL', 228: 'IPV4', 101: 'RAW' };

function compileError(expr: string, linkType: number): FilterError {
  try {
    compileFilter(expr, linkType);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`"${expr}" compiled`);
}

describe('filter errors', () => {
  it.each(CASES)('$expr', ({ expr, pos, msg, linkType = 1 }) => {
    const e = compileError(expr, linkType);
    expect(e).toBeInstanceOf(WirescopeError);
    expect(e.exitCode).toBe(2);
    expect(e.expression).toBe(expr);
    expect(e.position).toBe(pos);
    if (typeof msg === 'string') expect(e.reason).toContain(msg);
    else expect(e.reason).toMatch(msg);
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain(`at position ${pos + 1}`);
  });

  it('an empty expression accepts everything', () => {
    expect(compileFilter('', 1)(Buffer.alloc(0), 0, 0, 0)).toBe(true);
    expect(compileFilter('  ', 1)(Buffer.alloc(0), 0, 0, 0)).toBe(true);
  });

  it('an unknown link type is an error', () => {
    expect(() => compileFilter('ip', 147)).toThrow(FilterError);
  });

  describe.skipIf(!tcpdumpAvailable())('tcpdump refuses the same expressions', () => {
    it.each(CASES.filter((c) => !c.oursOnly))('$expr', ({ expr, linkType = 1 }) => {
      const r = spawnSync('tcpdump', ['-d', '-y', DLT_NAMES[linkType]!, '--', expr], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
    });
  });
});
