import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/record.js';
import { PacketDecoder, encodePacket, layerName, packetSpecOf } from '../../src/codec/index.js';
import { corpusFiles, fixtureFiles, recordsOf, segmentsOf, touchEverything } from './helpers.js';

const SUPPORTED = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 276]);

/**
 * Every prefix of the frame decodes without throwing and reports the cut where the full decode
 * had a header: the layer, 'truncated', and the header's start offset. Returns the mismatches
 * (checked in bulk: an expect() per prefix would dominate the run time).
 */
function prefixMismatches(d: PacketDecoder, rec: CaptureRecord, where: string): string[] {
  const full = d.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
  const fullClean = full.issue === null;
  const fullIssue = full.issue ? `${layerName(full.issue.layer)} ${full.issue.reason} @${full.issue.offset}` : '';
  const fullIssueAt = full.issue ? full.issue.offset : Infinity;
  const segs = segmentsOf(full);
  // Reading every getter and string is the slow part: do it around each header boundary.
  const edges = new Set<number>();
  for (const s of segs) for (const e of [s.start, s.start + 1, s.end - 1, s.end]) edges.add(e);
  const bad: string[] = [];
  for (let len = 0; len < rec.capLen; len++) {
    const p = d.decode(rec.buf, rec.offset, len, rec.linkType, rec.origLen);
    if (edges.has(len) || (len & 63) === 0) touchEverything(p);
    const cut = segs.find((s) => s.end > len);
    const got = p.issue ? `${layerName(p.issue.layer)} ${p.issue.reason} @${p.issue.offset}` : 'no issue';
    // Only the first issue is kept: a malformed option before the cut header outranks the cut.
    const want = cut
      ? fullIssueAt < cut.start ? fullIssue : `${layerName(cut.layer)} truncated @${cut.start}`
      : fullClean ? 'no issue' : got;
    if (got !== want || !p.truncated) bad.push(`${where} prefix ${len}: got ${got}, want ${want}, truncated=${p.truncated}`);
  }
  return bad;
}

describe('shipped fixtures', () => {
  const files = fixtureFiles();

  it('has real captures to test on', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const name = basename(file);
    it(`${name}: every packet and every prefix decodes; full packets re-encode byte for byte`, async () => {
      const records = await recordsOf(file);
      expect(records.length).toBeGreaterThan(0);
      const d = new PacketDecoder();
      for (const rec of records) {
        const where = `${name} #${rec.index}`;
        const p = d.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
        touchEverything(p);
        const expectBroken = /bad|trunc|broken|malformed/.test(name);
        if (!expectBroken) {
          expect(p.issue, where).toBeNull();
          const spec = packetSpecOf(p);
          expect(spec, where).not.toBeNull();
          expect(encodePacket(spec!).equals(rec.data), where).toBe(true);
        }
        expect(prefixMismatches(d, rec, where)).toEqual([]);
      }
    });
  }
});

describe('tcpdump corpus', () => {
  const { files, why } = corpusFiles();
  it.skipIf(files.length === 0)(`decodes, prefixes and re-encodes every supported packet ${why}`, async () => {
    const d = new PacketDecoder();
    let decoded = 0;
    let reencoded = 0;
    const bad: string[] = [];
    for (const file of files) {
      const name = basename(file);
      for (const rec of await recordsOf(file)) {
        if (!SUPPORTED.has(rec.linkType)) continue;
        const where = `${name} #${rec.index}`;
        const p = d.decode(rec.buf, rec.offset, rec.capLen, rec.linkType, rec.origLen);
        decoded++;
        touchEverything(p);
        const spec = packetSpecOf(p);
        if (spec) {
          if (!encodePacket(spec).equals(rec.data)) bad.push(`${where}: re-encoded bytes differ`);
          reencoded++;
        }
        bad.push(...prefixMismatches(d, rec, where).slice(0, 3));
      }
    }
    expect(bad.slice(0, 20)).toEqual([]);
    expect(decoded).toBeGreaterThan(1000);
    expect(reencoded).toBeGreaterThan(decoded / 2);
    console.log(`corpus: ${decoded} packets decoded, ${reencoded} re-encoded byte for byte`);
  });
  if (files.length === 0) console.log(why);
});
