/** Helpers for comparing compileFilter with tcpdump on the same records. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCapture, openWriter } from '../../src/capture/index.js';
import { syntheticCaptures } from './frames.js';
import type { CaptureRecord } from '../../src/capture/record.js';

export const CORPUS = join(import.meta.dirname, '../../../shared/corpus/tcpdump');
export const FIXTURES = join(import.meta.dirname, '../../fixtures');

export function tcpdumpAvailable(): boolean {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

export async function readRecords(path: string): Promise<CaptureRecord[]> {
  const src = await openCapture(path);
  const out: CaptureRecord[] = [];
  try {
    for await (const batch of src) for (const r of batch) out.push(r.copy());
  } catch {
    // A corrupt tail: keep the good records before it (tcpdump prints those too).
  } finally {
    await src.close();
  }
  return out;
}

export function captureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Records of one link type, written to one pcap whose timestamps are the record numbers. */
export interface Group {
  linkType: number;
  records: CaptureRecord[];
  path: string;
}

let tmp: string | null = null;

/** Removes the temporary group files (call from afterAll). */
export function removeGroups(): void {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

export async function writeGroup(linkType: number, records: CaptureRecord[]): Promise<Group> {
  tmp ??= mkdtempSync(join(tmpdir(), 'wirescope-filter-'));
  const path = join(tmp, `group-${linkType}.pcap`);
  const w = openWriter(path, { format: 'pcap', linkType, snaplen: 262144, bigEndian: false });
  records.forEach((r, i) => {
    r.tsSec = i + 1;
    r.tsNsec = 0;
    w.write(r);
  });
  await w.close();
  return { linkType, records, path };
}

export type TcpdumpVerdict = { ok: true; selected: Set<number> } | { ok: false; error: string };

/** Record numbers (1-based) tcpdump keeps with `expr`, read back from its -w output. */
export function tcpdumpSelect(path: string, expr: string): TcpdumpVerdict {
  const r = spawnSync('tcpdump', ['-r', path, '-w', '-', '--', expr], { maxBuffer: 1 << 28 });
  if (r.status !== 0) return { ok: false, error: r.stderr.toString().trim() };
  const out = r.stdout;
  const selected = new Set<number>();
  if (out.length < 24) return { ok: true, selected };
  const le = out.readUInt32LE(0) === 0xa1b2c3d4 || out.readUInt32LE(0) === 0xa1b23c4d;
  let o = 24;
  while (o + 16 <= out.length) {
    const ts = le ? out.readUInt32LE(o) : out.readUInt32BE(o);
    const cap = le ? out.readUInt32LE(o + 8) : out.readUInt32BE(o + 8);
    selected.add(ts);
    o += 16 + cap;
  }
  return { ok: true, selected };
}

/** Every capture the filter tests use: real-kernel fixtures, the tcpdump corpus (when present), our synthetic files. */
export interface Source {
  label: string;
  records: CaptureRecord[];
}

export async function gatherSources(): Promise<Source[]> {
  const out: Source[] = [];
  const fixtureFiles = captureFiles(FIXTURES);
  if (fixtureFiles.length === 0) console.warn('filter differential: no real-kernel captures in fixtures/ yet');
  for (const f of fixtureFiles) out.push({ label: f, records: await readRecords(f) });
  if (existsSync(CORPUS)) {
    for (const f of captureFiles(CORPUS)) out.push({ label: f, records: await readRecords(f) });
  } else {
    console.warn(`filter differential: ${CORPUS} is absent; tcpdump corpus part skipped`);
  }
  const synthDir = join(FIXTURES, 'filter');
  const committed = captureFiles(synthDir);
  if (committed.length > 0) {
    for (const f of committed) out.push({ label: f, records: await readRecords(f) });
  } else {
    for (const c of syntheticCaptures()) out.push({ label: `synthetic ${c.name}`, records: c.records });
  }
  return out;
}

