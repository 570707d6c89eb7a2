/**
 * `npm run conformance`: every case of ../shared/corpus/tcpdump/MANIFEST.tsv against tcpdump
 * 4.99's output. Prints the first differing line of each failure and `N/111 identical`.
 * Without the corpus it says so and exits 0.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { corpusPresent, defaultCorpusDir, formatReport, runConformance } from '../src/printer/conformance.js';

const here = dirname(fileURLToPath(import.meta.url));
// bench/ in sources, dist/bench/ when built
const repoRoot = here.includes(`${'/dist/'}`) || here.endsWith('/dist/bench') ? resolve(here, '..', '..') : resolve(here, '..');
const dir = process.env.WIRESCOPE_CORPUS ?? defaultCorpusDir(repoRoot);

if (!corpusPresent(dir)) {
  process.stdout.write(`conformance: corpus not found at ${dir} (../shared absent); nothing to compare\n`);
  process.exit(0);
}
const results = await runConformance(dir);
process.stdout.write(formatReport(results));
