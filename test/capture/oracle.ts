/**
 * tshark as the oracle for capture reading: what it says each record's time, lengths and
 * encapsulation are. Tests skip (saying so) when tshark or the shared corpus is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

export const CORPUS_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tcpdump');
export const FIXTURES_DIR = join(import.meta.dirname, '..', '..', 'fixtures');
export const CAPTURE_FIXTURES = join(FIXTURES_DIR, 'capture');

export function corpusPresent(): boolean {
  return existsSync(CORPUS_DIR);
}

/** Capture files under `dir`, recursively, whose names end in one of `exts`. */
export function captureFiles(dir: string, exts = ['.pcap', '.pcapng', '.pcap.gz', '.pcapng.gz']): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...captureFiles(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

export interface TsharkRecord {
  /** Seconds and nanoseconds as tshark prints frame.time_epoch; '' when the record has none (SPB). */
  time: string;
  len: number;
  capLen: number;
  encap: number;
  /** Wireshark numbers interfaces within each pcapng section; ours are global (info.interfaces). */
  interfaceId: number;
}

export interface TsharkRead {
  records: TsharkRecord[];
  /** tshark's complaint, if it stopped early or refused the file. */
  error: string;
  status: number | null;
}

export function tsharkRead(file: string): TsharkRead {
  const r = spawnSync(
    'tshark',
    ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.encap_type', '-e', 'frame.interface_id'],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const records: TsharkRecord[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const [time = '', len = '', capLen = '', encap = '', ifId = ''] = line.split('\t');
    // Wireshark also shows pcapng custom blocks as frames; they have no encapsulation.
    if (encap === '') continue;
    records.push({ time, len: Number(len), capLen: Number(capLen), encap: Number(encap), interfaceId: ifId === '' ? 0 : Number(ifId) });
  }
  const error = r.stderr
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('Running as user'))
    .join(' ');
  return { records, error, status: r.status };
}

/** frame.time_epoch's form: seconds, a dot, nine digits. */
export function epochString(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}
