/**
 * The tcpdump 4.99 conformance ratchet: the number of corpus cases printed byte-identical to
 * `NAME.out-4.99` must not drop below test/conformance-floor.txt. Skips (saying so) when
 * ../shared/corpus/tcpdump is absent.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusPresent, defaultCorpusDir, formatReport, runConformance } from '../src/printer/conformance.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.env.WIRESCOPE_CORPUS ?? defaultCorpusDir(root);
const floor = Number(readFileSync(resolve(root, 'test/conformance-floor.txt'), 'utf8').trim());
const present = corpusPresent(dir);

if (!present) console.warn(`conformance: corpus absent at ${dir}; skipping`);

describe.skipIf(!present)('tcpdump 4.99 conformance corpus', () => {
  it(`at least ${floor} cases identical`, async () => {
    const results = await runConformance(dir);
    const ok = results.filter((r) => r.identical).length;
    if (ok < floor) console.error(formatReport(results));
    expect(results.length).toBeGreaterThan(0);
    expect(ok).toBeGreaterThanOrEqual(floor);
  });
});
