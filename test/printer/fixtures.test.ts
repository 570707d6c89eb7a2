/**
 * Differential test against the installed tcpdump: every capture under fixtures/ printed with
 * the same options must give the same bytes on stdout. Skips (saying so) without tcpdump.
 * Files tcpdump itself cannot read (gzip, pcapng with several link types, the deliberately
 * broken files under bad/) are left out: wirescope reads more than tcpdump there.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tcpdump = spawnSync('tcpdump', ['--version'], { encoding: 'latin1' });
const haveTcpdump = tcpdump.status === 0;
if (!haveTcpdump) console.warn('fixtures differential test: tcpdump not installed; skipping');

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'bad' && name !== 'node_modules') out.push(...captures(p));
    } else if (/\.(pcap|pcapng)$/.test(name)) out.push(p);
  }
  return out.sort();
}

/** The six option sets, then more of tcpdump's options and combined forms. */
const FLAG_SETS: string[][] = [
  ['-nn'],
  ['-nn', '-v'],
  ['-nn', '-e'],
  ['-nn', '-X'],
  ['-nn', '-tttt'],
  ['-nn', '-q'],
  ['-nnvvX'],
  ['-nn', '-vvv', '-e'],
  ['-nn', '-xx'],
  ['-nn', '-XX'],
  ['-nn', '-x'],
  ['-nn', '-A'],
  ['-nn', '-AA'],
  ['-nn', '-tt'],
  ['-nn', '-ttt'],
  ['-nn', '-ttttt'],
  ['-nn', '-S', '-v'],
  ['-#', '-c3', '-nn', '-e'],
  ['-nn', '-q', '-e'],
  ['-nn', '--nano', '-tt'],
];

const files = haveTcpdump ? captures(join(root, 'fixtures')) : [];

describe.skipIf(!haveTcpdump)('fixtures print exactly as the installed tcpdump', () => {
  for (const file of files) {
    const rel = relative(root, file);
    const probe = haveTcpdump ? spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'latin1' }) : null;
    const readable = probe !== null && probe.status === 0;
    it.skipIf(!readable)(`${rel}`, async () => {
      for (const flags of FLAG_SETS) {
        const expected = spawnSync('tcpdump', ['-r', file, ...flags], { encoding: 'latin1', maxBuffer: 64 << 20 });
        expect(expected.status).toBe(0);
        const actual = await runCli(['-r', file, ...flags]);
        expect(actual.code, `${rel} ${flags.join(' ')}: ${actual.stderr}`).toBe(0);
        expect(actual.stdout, `${rel} ${flags.join(' ')}`).toBe(expected.stdout);
        // stderr: the same banner tcpdump prints
        expect(actual.stderr.split('\n')[0]).toBe(expected.stderr.split('\n')[0]);
      }
    });
  }
});

describe.skipIf(!haveTcpdump)('local time as tcpdump prints it (TZ)', () => {
  it('default and -tttt stamps agree in zones with DST and non-hour offsets', async () => {
    const file = join(root, 'fixtures', 'tcp4.pcap');
    const saved = process.env.TZ;
    try {
      for (const tz of ['GMT0', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Amsterdam']) {
        process.env.TZ = tz;
        for (const flags of [['-nn'], ['-nn', '-tttt']]) {
          const expected = spawnSync('tcpdump', ['-r', file, ...flags], { encoding: 'latin1', env: { ...process.env, TZ: tz } });
          const actual = await runCli(['-r', file, ...flags]);
          expect(actual.stdout, `${tz} ${flags.join(' ')}`).toBe(expected.stdout);
        }
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
