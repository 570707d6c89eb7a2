/**
 * Random expressions (seeded, so every run tries the same ones) built from pcap-filter pieces
 * with and/or/not/parentheses and bare addresses that inherit qualifiers, each checked against
 * tcpdump on every capture the differential test uses: same records selected, or refused by both.
 * Set WIRESCOPE_FILTER_SEED (and WIRESCOPE_FILTER_COUNT) to explore other expressions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/record.js';
import { FilterError } from '../../src/errors.js';
import { compileFilter } from '../../src/filter/index.js';
import { gatherSources, removeGroups, tcpdumpAvailable, tcpdumpSelect, writeGroup, type Group } from './harness.js';

const ATOMS = [
  'ip', 'ip6', 'arp', 'tcp', 'udp', 'icmp', 'icmp6', 'vlan', 'vlan 100', 'rarp', 'sctp',
  'host 10.0.0.1', 'src host 10.1.2.3', 'dst host 10.0.0.53', 'net 10.0.0.0/24', 'src net 192.168',
  'host fd00::1', 'dst net fd00::/64', 'ether src 02:00:00:00:00:01', 'ether dst ff:ff:ff:ff:ff:ff',
  'port 80', 'tcp port 443', 'udp port 53', 'src port 53', 'dst portrange 1000-2000', 'tcp dst port 22',
  'less 64', 'greater 100', 'len > 80', 'broadcast', 'multicast', 'ip multicast',
  'tcp[13] & 2 != 0', 'tcp[tcpflags] & tcp-ack = 0', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0',
  'ip[6:2] & 0x1fff != 0', 'ip[8] > 32', 'icmp[icmptype] = icmp-echo', 'udp[2:2] < 1024', 'ip6[6] = 44',
  'ether[12:2] = 0x8100', 'proto 17', 'ip6 proto 58', 'ip6 protochain 6', 'ether proto 0x88cc',
  'ip[2:2] - ((ip[0] & 0xf) << 2) > 40', 'len - 14 = ip[2:2]', 'tcp[12] >> 4 > 5', 'icmp6[0] = 128',
  'ip[ip[0] & 0xf] = 0', 'portrange 50-60', 'src or dst port 80', 'ip6 dst host fd00::2', 'udp[4:2] > 100',
  'ether[0] & 1 != 0', 'arp[7] = 2', 'ip broadcast', 'ip6 multicast', 'vlan and vlan', 'tcp[0:4] & 0xffff = 80',
];
/** Bare ids that inherit the previous primitive's qualifiers (valid only after some atoms). */
const BARE = ['10.0.0.1', '10.1.2.3', '80', '53', '443', 'fd00::2', '02:00:00:00:00:02'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomExpr(r: () => number, depth: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const x = r();
  if (depth <= 0 || x < 0.35) return pick(ATOMS);
  if (x < 0.5) return `${pick(['not ', '!', 'not '])}${randomExpr(r, depth - 1)}`;
  if (x < 0.62) return `(${randomExpr(r, depth - 1)})`;
  const op = pick([' and ', ' or ', ' && ', ' || ']);
  if (x < 0.7) return `${randomExpr(r, depth - 1)}${op}${pick(BARE)}`;
  return `${randomExpr(r, depth - 1)}${op}${randomExpr(r, depth - 1)}`;
}

const SEED = Number(process.env.WIRESCOPE_FILTER_SEED ?? 20261121);
const COUNT = Number(process.env.WIRESCOPE_FILTER_COUNT ?? 150);
const enabled = tcpdumpAvailable();
if (!enabled) console.warn('random filter differential skipped: tcpdump is not installed');

describe.skipIf(!enabled)('random expressions agree with tcpdump', () => {
  const r = rng(SEED);
  const exprs = Array.from({ length: COUNT }, () => randomExpr(r, 4));
  let groups: Group[] = [];

  beforeAll(async () => {
    const byLink = new Map<number, CaptureRecord[]>();
    for (const src of await gatherSources()) {
      for (const r of src.records) if (r.capLen <= 262144) byLink.set(r.linkType, [...(byLink.get(r.linkType) ?? []), r]);
    }
    groups = [];
    for (const [lt, recs] of byLink) groups.push(await writeGroup(lt, recs));
  });

  afterAll(removeGroups);

  it(`${COUNT} expressions from seed ${SEED}`, () => {
    const problems: string[] = [];
    for (const expr of exprs) {
      for (const g of groups) {
        const verdict = tcpdumpSelect(g.path, expr);
        let f: ReturnType<typeof compileFilter> | null = null;
        let ours = '';
        try {
          f = compileFilter(expr, g.linkType, { bigEndian: false });
        } catch (e) {
          if (!(e instanceof FilterError)) throw e;
          ours = e.reason;
        }
        if (!verdict.ok || !f) {
          if (verdict.ok !== (f !== null)) problems.push(`${expr} [link ${g.linkType}]: tcpdump ${verdict.ok ? 'accepts' : `refuses (${verdict.error})`}, we ${f ? 'accept' : `refuse (${ours})`}`);
          continue;
        }
        const mine = g.records.flatMap((rec, i) => (f(rec.buf, rec.offset, rec.capLen, rec.origLen) ? [i + 1] : []));
        const theirs = [...verdict.selected].sort((a, b) => a - b);
        if (mine.join() !== theirs.join()) {
          const extra = mine.filter((n) => !verdict.selected.has(n));
          const ours = new Set(mine);
          const missing = theirs.filter((n) => !ours.has(n));
          problems.push(`${expr} [link ${g.linkType}]: we also select ${extra.slice(0, 8).join()}, we miss ${missing.slice(0, 8).join()}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 60_000 + COUNT * 2_000);
});
