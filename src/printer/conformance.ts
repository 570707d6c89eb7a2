/**
 * The tcpdump conformance harness: every case of the corpus MANIFEST.tsv is run through the
 * CLI in process (`-# -n -r INPUT FLAGS`, TZ=GMT0, as tcpdump's own TESTrun does) and stdout is
 * compared byte for byte with `NAME.out-4.99` (what tcpdump 4.99.3 prints).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../cli/main.js';

export interface ConformanceCase {
  name: string;
  input: string;
  flags: string[];
}

export interface ConformanceResult {
  name: string;
  identical: boolean;
  exitCode: number;
  /** First differing line (1-based) with both texts, when not identical. */
  firstDiff?: { line: number; expected: string; actual: string };
  stderr: string;
}

/** Where the corpus is expected: ../shared/corpus/tcpdump beside the repository. */
export function defaultCorpusDir(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'corpus', 'tcpdump');
}

export function readManifest(dir: string): ConformanceCase[] {
  const text = readFileSync(join(dir, 'MANIFEST.tsv'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split('\t');
  const col = (n: string) => header.indexOf(n);
  const iName = col('name');
  const iInput = col('input');
  const iFlags = col('flags');
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return { name: f[iName]!, input: f[iInput]!, flags: (f[iFlags] ?? '').split(/\s+/).filter((x) => x !== '') };
  });
}

class MemoryWritable extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Runs one case in process and compares with `NAME.out-4.99`. */
export async function runCase(dir: string, c: ConformanceCase): Promise<ConformanceResult> {
  const prevTz = process.env.TZ;
  process.env.TZ = 'GMT0';
  const stdout = new MemoryWritable();
  const stderr = new MemoryWritable();
  let exitCode: number;
  try {
    exitCode = await main(['-#', '-n', '-r', join(dir, c.input), ...c.flags], { stdout, stderr });
  } finally {
    if (prevTz === undefined) delete process.env.TZ;
    else process.env.TZ = prevTz;
  }
  const actual = stdout.bytes();
  const expected = readFileSync(join(dir, `${c.name}.out-4.99`));
  const result: ConformanceResult = {
    name: c.name,
    identical: exitCode === 0 && actual.equals(expected),
    exitCode,
    stderr: stderr.bytes().toString('latin1'),
  };
  if (!result.identical) {
    const a = actual.toString('latin1').split('\n');
    const e = expected.toString('latin1').split('\n');
    for (let i = 0; i < Math.max(a.length, e.length); i++) {
      if (a[i] !== e[i]) {
        result.firstDiff = { line: i + 1, expected: e[i] ?? '<end of output>', actual: a[i] ?? '<end of output>' };
        break;
      }
    }
  }
  return result;
}

export async function runConformance(dir: string): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const c of readManifest(dir)) results.push(await runCase(dir, c));
  return results;
}

export function corpusPresent(dir: string): boolean {
  return existsSync(join(dir, 'MANIFEST.tsv'));
}

/** The report `npm run conformance` prints. */
export function formatReport(results: readonly ConformanceResult[]): string {
  const ok = results.filter((r) => r.identical).length;
  let s = '';
  for (const r of results) {
    if (r.identical) continue;
    s += `DIFF ${r.name}`;
    if (r.exitCode !== 0) s += ` (exit ${r.exitCode}: ${r.stderr.trim().split('\n').pop()})`;
    s += '\n';
    if (r.firstDiff) {
      s += `  line ${r.firstDiff.line}\n  expected: ${r.firstDiff.expected}\n  actual:   ${r.firstDiff.actual}\n`;
    }
  }
  s += `${ok}/${results.length} identical\n`;
  return s;
}
