/**
 * Constant memory: a 200 MB capture read from a path and from standard input keeps the reading
 * process's peak RSS far below the file size (the bound for a 1 GB file is 150 MB; the
 * benchmark measures that one). Runs in a child so the RSS is the reader's own.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from './child.js';
import { CAPTURE_FIXTURES } from './oracle.js';

const work = mkdtempSync(join(tmpdir(), 'ws-capture-mem-'));
const big = join(work, 'big.pcap');
const SIZE = 200 << 20;
let records = 0;

beforeAll(() => {
  const src = readFileSync(join(CAPTURE_FIXTURES, 'lo-usec.pcap'));
  const body = src.subarray(24);
  const copies = Math.ceil((4 << 20) / body.length);
  const chunk = Buffer.concat(Array.from({ length: copies }, () => body));
  const fd = openSync(big, 'w');
  writeSync(fd, src, 0, 24);
  let written = 24;
  while (written < SIZE) {
    writeSync(fd, chunk);
    written += chunk.length;
    records += copies * 6;
  }
  closeSync(fd);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const body = `
  const src = await capture.openCapture(process.argv[1]);
  let n = 0, bytes = 0;
  for await (const batch of src) { n += batch.length; for (const r of batch) bytes += r.capLen; }
  // VmHWM: ru_maxrss would include the forking test worker's own peak (Linux keeps it across exec).
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'));
  const peakKb = hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ n, bytes, maxRssMb: peakKb / 1024 }));`;

describe('peak RSS while reading 200 MB', () => {
  it('from a path', async () => {
    const r = await runChild(body, { args: [big] });
    const out = JSON.parse(r.stdout) as { n: number; maxRssMb: number };
    expect(out.n).toBe(records);
    expect(out.maxRssMb).toBeLessThan(120);
  });

  it('from standard input', async () => {
    const r = await runChild(body, { args: ['-'], stdinFile: big });
    const out = JSON.parse(r.stdout) as { n: number; maxRssMb: number };
    expect(out.n).toBe(records);
    expect(out.maxRssMb).toBeLessThan(120);
  });
});
