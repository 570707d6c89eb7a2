/**
 * `wirescope handshakes --json` without checks writes its text straight from the tracker's
 * records (writeHandshakesJson); with checks it stringifies report objects. Both must print the
 * same bytes, on every capture in fixtures/ and with connections finished mid-capture (linger),
 * several files and a small memory cap.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackHandshakesPartial, writeHandshakesJson, type TrackHandshakesOptions } from '../../src/track/index.js';
import { captureFiles } from '../pcap-file.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

async function both(files: string[], opts: TrackHandshakesOptions): Promise<[string, string]> {
  const { report } = await trackHandshakesPartial(files, opts);
  const objects = `{"connections":[${report.connections.map((c) => JSON.stringify(c)).join(',')}],"summary":${JSON.stringify(report.summary)}}\n`;
  const pieces: Buffer[] = [];
  await writeHandshakesJson(files, opts, (piece) => pieces.push(piece));
  return [Buffer.concat(pieces).toString('utf8'), objects];
}

describe('JSON written from the tracker records', () => {
  const files = captureFiles(FIXTURES);

  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('is JSON.stringify of the report objects, capture by capture', async () => {
    for (const f of files) {
      const [direct, objects] = await both([f], {});
      expect(direct, f).toBe(objects);
    }
  });

  it('is the same with early releases, several files and evictions', async () => {
    const [direct, objects] = await both(files, { lingerSeconds: 0, maxConnections: 3 });
    expect(direct).toBe(objects);
  });
});
