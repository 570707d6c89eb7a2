import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.js';
import { runHandshakes } from '../../src/cli/handshakes.js';
import { trackHandshakes, type HandshakeReport } from '../../src/track/index.js';

const FILE = join(import.meta.dirname, '..', '..', 'fixtures', 'parallel50.pcap');

async function cliJson(...argv: string[]): Promise<HandshakeReport> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    expect(await runHandshakes(['--json', ...argv])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out) as HandshakeReport;
}

describe('trackHandshakes', () => {
  it('returns exactly the document the CLI prints with --json', async () => {
    expect(await trackHandshakes(FILE)).toEqual(await cliJson(FILE));
  });

  it('reads a Buffer, a stream or an open RecordSource the same way as a path', async () => {
    const byPath = await trackHandshakes(FILE);
    const strip = (r: HandshakeReport) => r.connections.map(({ file: _f, ...rest }) => rest);
    expect(strip(await trackHandshakes(readFileSync(FILE)))).toEqual(strip(byPath));
    expect(strip(await trackHandshakes(createReadStream(FILE)))).toEqual(strip(byPath));
    expect(strip(await trackHandshakes(await openCapture(FILE)))).toEqual(strip(byPath));
    expect((await trackHandshakes(readFileSync(FILE))).connections[0]!.file).toBe('<buffer>');
  });

  it('tracks several captures, each numbering its own packets', async () => {
    const a = join(import.meta.dirname, '..', '..', 'fixtures', 'tcp4.pcap');
    const r = await trackHandshakes([a, FILE]);
    expect(r.connections).toHaveLength(51);
    expect(r.connections[0]!.file).toBe(a);
    expect(r.summary.connections).toBe(51);
    expect(r.summary.packets).toBe(14 + (await trackHandshakes(FILE)).summary.packets);
  });
});
