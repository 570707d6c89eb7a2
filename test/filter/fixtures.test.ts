/**
 * fixtures/filter/*.pcap are the synthetic captures of frames.ts, committed so tcpdump, the
 * printer tests and people can read them. This test keeps them in step with frames.ts:
 * missing files are written; WIRESCOPE_REGEN_FIXTURES=1 rewrites them; otherwise they must
 * hold exactly the records frames.ts builds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWriter } from '../../src/capture/index.js';
import { syntheticCaptures } from './frames.js';
import { FIXTURES, readRecords } from './harness.js';

const DIR = join(FIXTURES, 'filter');

describe('synthetic filter fixtures', () => {
  for (const cap of syntheticCaptures()) {
    it(`${cap.name} matches frames.ts`, async () => {
      const path = join(DIR, cap.name);
      if (!existsSync(path) || process.env.WIRESCOPE_REGEN_FIXTURES === '1') {
        const w = openWriter(path, { format: 'pcap', linkType: cap.linkType, snaplen: 262144, bigEndian: false });
        for (const r of cap.records) w.write(r);
        await w.close();
      }
      const got = await readRecords(path);
      expect(got.length).toBe(cap.records.length);
      got.forEach((r, i) => {
        const want = cap.records[i]!;
        expect(r.linkType).toBe(cap.linkType);
        expect(r.capLen).toBe(want.capLen);
        expect(r.origLen).toBe(want.origLen);
        expect(r.data.equals(want.data)).toBe(true);
      });
    });
  }
});
