/**
 * The README's library example runs as written (against the built package and a shipped
 * fixture), and what it prints agrees with tcpdump's view of the same capture.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const fixture = join(root, 'fixtures', 'tcp4.pcap');
const hasTcpdump = spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0;

function usageSnippet(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- usage:start -->'), readme.indexOf('<!-- usage:end -->'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README usage section has no ts block');
  return block[1]!;
}

describe('README library example', () => {
  it('runs against the built package and prints the SYN senders tcpdump sees', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-readme-'));
    try {
      const entry = pathToFileURL(join(root, 'dist', 'src', 'index.js')).href;
      const script = usageSnippet()
        .replace("from 'wirescope'", `from ${JSON.stringify(entry)}`)
        .replaceAll("'capture.pcap'", JSON.stringify(fixture))
        .concat('\nconsole.log(JSON.stringify(report.summary));\n');
      const file = join(dir, 'usage.mjs');
      writeFileSync(file, script);
      const out = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim().split('\n');
      const summary = JSON.parse(out.pop()!) as { complete: number };
      expect(summary.complete).toBe(1);
      if (!hasTcpdump) {
        console.log('tcpdump not installed: SYN senders not compared');
        return;
      }
      const syns = execFileSync('tcpdump', ['-nn', '-r', fixture, 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split('\n')
        .map((line) => /IP (\d+\.\d+\.\d+\.\d+)\.\d+ >/.exec(line)![1]);
      expect(out).toEqual(syns);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
