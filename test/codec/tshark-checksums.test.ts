import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Layer, PacketDecoder, type ChecksumStatus, type Packet } from '../../src/codec/index.js';
import { corpusFiles, fixtureFiles, mergedFixtures, recordsOf, mergedCorpus, tsharkFieldRows, tsharkSeesInnerTransport } from './helpers.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const hasMergecap = spawnSync('mergecap', ['-h'], { stdio: 'ignore' }).status === 0;
const SKIP_WHY = hasTshark ? '' : '(tshark is not installed: checksum oracle skipped)';
if (!hasTshark) console.log('tshark is not installed: the checksum-verdict comparison is skipped');

// Validation on for every protocol that has a switch (ICMP and ICMPv6 always validate). No IP
// reassembly: each frame is judged on its own bytes, as the decoder does.
const PREFS = [
  '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
  '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
];
const FIELDS = ['ip', 'tcp', 'udp', 'icmp', 'icmpv6'] as const;

/** tshark's PROTO_CHECKSUM_E_* values per frame: 0 bad, 1 good, 2 unverified, 3 not present, 4 illegal. */
function tsharkVerdicts(file: string): string[][] {
  const args = ['-r', file, ...PREFS, '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=/t'];
  for (const f of FIELDS) args.push('-e', `${f}.checksum.status`);
  for (const f of ['ip', 'tcp', 'udp'] as const) args.push('-e', `${f}.checksum_calculated`);
  return tsharkFieldRows(args);
}

function ours(p: Packet, layer: number): ChecksumStatus | '' {
  switch (layer) {
    case Layer.Ipv4:
      return p.has(Layer.Ipv4) ? p.ip4.checksumStatus() : '';
    case Layer.Tcp:
      return p.has(Layer.Tcp) ? p.tcp.checksumStatus() : '';
    case Layer.Udp:
      return p.has(Layer.Udp) ? p.udp.checksumStatus() : '';
    case Layer.Icmp:
      return p.has(Layer.Icmp) ? p.icmp.checksumStatus() : '';
    default:
      return p.has(Layer.Icmpv6) ? p.icmp6.checksumStatus() : '';
  }
}

const AGREE: Record<ChecksumStatus | '', readonly string[]> = {
  correct: ['1'],
  incorrect: ['0', '4'],
  // Not verifiable: truncated, a fragment, or no checksum (UDP over IPv4 with 0).
  unverifiable: ['2', '3', ''],
  '': ['', '2'],
};

/** Disagreements between our verdicts and tshark's over one file. */
async function compare(file: string, origin?: string[]): Promise<{ frames: number; checked: number; bad: string[] }> {
  const records = await recordsOf(file);
  const rows = tsharkVerdicts(file);
  const bad: string[] = [];
  let checked = 0;
  if (rows.length !== records.length) bad.push(`${basename(file)}: tshark saw ${rows.length} frames, we read ${records.length}`);
  const d = new PacketDecoder();
  const layers = [Layer.Ipv4, Layer.Tcp, Layer.Udp, Layer.Icmp, Layer.Icmpv6];
  records.forEach((rec, i) => {
    const row = rows[i];
    if (!row) return;
    const p = d.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
    const { quoted, tunnel } = tsharkSeesInnerTransport(p);
    // The IP length claims more than the frame had on the wire (not a snaplen cut): tshark then
    // verifies over the bytes the frame has, tcpdump reports the datagram truncated and does not
    // verify. We side with tcpdump: 'unverifiable'.
    const lyingLength = p.truncated && rec.capLen === rec.origLen;
    layers.forEach((layer, j) => {
      if (quoted && (layer === Layer.Tcp || layer === Layer.Udp)) return;
      if (tunnel && layer !== Layer.Ipv4) return;
      // tshark 4.0 refuses IPv4 in LINKTYPE_IPV6 (229); tcpdump decodes by the version nibble, as we do.
      if (rec.linkType === 229 && p.has(Layer.Ipv4)) return;
      // IPv4 in an IPv6 tunnel or vice versa would be a second IP layer; we stop at the first.
      const mine = ours(p, layer);
      const theirs = row[j] ?? '';
      if (mine !== '' || theirs !== '') checked++;
      if (lyingLength && mine === 'unverifiable') return;
      // Where we stopped at a malformed header (or after 8 VLAN tags), tshark may push on: only
      // the layers we decoded are compared.
      if (mine === '' && p.issue !== null) return;
      if (!AGREE[mine].includes(theirs)) {
        bad.push(`${origin?.[i] ?? `${basename(file)} #${rec.index}`} ${FIELDS[j]}: ours ${mine || 'absent'}, tshark ${theirs || 'absent'}`);
      } else if (mine === 'incorrect' && j < 3 && row[5 + j]) {
        const expected =
          layer === Layer.Ipv4 ? p.ip4.expectedChecksum() : layer === Layer.Tcp ? p.tcp.expectedChecksum() : p.udp.expectedChecksum();
        if (expected !== parseInt(row[5 + j]!, 16)) {
          bad.push(`${origin?.[i] ?? `${basename(file)} #${rec.index}`} ${FIELDS[j]}: expected ${expected.toString(16)}, tshark ${row[5 + j]}`);
        }
      }
    });
  });
  return { frames: records.length, checked, bad };
}

describe('checksum verdicts agree with tshark', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wirescope-cksum-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  if (hasMergecap) {
    it.skipIf(!hasTshark)(`on every shipped fixture (merged, one tshark run) ${SKIP_WHY}`, async () => {
      const { path, origin } = await mergedFixtures(tmp);
      const r = await compare(path, origin);
      expect(r.bad).toEqual([]);
      expect(r.checked).toBeGreaterThan(500);
    });
  } else {
    for (const file of fixtureFiles()) {
      it.skipIf(!hasTshark)(`${basename(file)} ${SKIP_WHY}`, async () => {
        const r = await compare(file);
        expect(r.bad).toEqual([]);
        // tshark cannot dissect an unknown link type: nothing to compare there.
        if (!basename(file).includes('linktype-147')) expect(r.checked).toBeGreaterThan(0);
      });
    }
  }

  const { files, why } = corpusFiles();
  const corpusWhy = !hasTshark ? SKIP_WHY : !hasMergecap ? '(mergecap absent: corpus comparison skipped)' : why;
  it.skipIf(!hasTshark || !hasMergecap || files.length === 0)(
    `on the tcpdump corpus (merged into one file, one tshark run) ${corpusWhy}`,
    async () => {
      const merged = mergedCorpus(tmp, files);
      const r = await compare(merged);
      console.log(`corpus: ${r.frames} frames, ${r.checked} checksum verdicts compared with tshark`);
      expect(r.bad.slice(0, 30)).toEqual([]);
    },
  );
});
