/**
 * One entry point for capture input: a path, `'-'` (stdin), a Readable or a Buffer. The format
 * is told from the first bytes: pcap (any magic, either byte order), pcapng, or gzip of either.
 */
import { CaptureError } from '../errors.js';
import { ByteWindow, FileBytes, StreamBytes, type ByteSource } from './bytes.js';
import { openPcapSource, pcapMagicAt, readError } from './pcap.js';
import type { CaptureRecord, RecordSource } from './record.js';

/** pcapng's first block type (a byte-order palindrome). */
const PCAPNG_SHB_TYPE = 0x0a0d0d0a;

/** Read size for streams, pipes and devices: each read is a round trip, so reads are big. */
export const CHUNK_SIZE = 4 << 20;
/**
 * Read size for regular files, which are read synchronously: a chunk this size is still in the
 * CPU's cache when its records are parsed and decoded (reading a 478 MB capture took 125 ms in
 * 256 KiB chunks and 150 ms in 4 MiB chunks here).
 */
export const FILE_CHUNK_SIZE = 256 << 10;
/** The window never grows past this, whatever a block claims. */
export const MAX_WINDOW = 16 << 20;
/** Room before each chunk for the record cut by the previous one (a pcap record fits). */
const HEADROOM = 512 << 10;

export interface OpenCaptureOptions {
  /** Name used in errors and `info.name`; default the path, `-`, `<buffer>` or `<stream>`. */
  name?: string;
  /** Read size in bytes (default 256 KiB for a regular file, 4 MiB otherwise). */
  chunkSize?: number;
  /**
   * pcap: keep all bytes of a record that claims more than the file's snaplen (as Wireshark
   * does) instead of cutting it to the snaplen (as libpcap and tcpdump do, the default).
   */
  keepBeyondSnaplen?: boolean;
}

export type CaptureInput = string | NodeJS.ReadableStream | Buffer;

function defaultName(input: CaptureInput): string {
  if (typeof input === 'string') return input;
  return Buffer.isBuffer(input) ? '<buffer>' : '<stream>';
}

export async function openCapture(input: CaptureInput, opts: OpenCaptureOptions = {}): Promise<RecordSource> {
  const name = opts.name ?? defaultName(input);
  let src: ByteSource | null = null;
  if (Buffer.isBuffer(input)) src = null;
  else if (input === '-') src = new StreamBytes(process.stdin);
  else if (typeof input === 'string') {
    try {
      src = await FileBytes.open(input);
    } catch (e) {
      throw new CaptureError(name, 0, 0, `cannot open: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else src = new StreamBytes(input);
  const chunk = opts.chunkSize ?? (src?.immediate === true ? FILE_CHUNK_SIZE : CHUNK_SIZE);
  const win = src === null ? new ByteWindow(null, input as Buffer, MAX_WINDOW) : new ByteWindow(src, Buffer.allocUnsafe(HEADROOM + chunk), MAX_WINDOW, HEADROOM);
  try {
    return await detect(win, name, false, opts.chunkSize ?? CHUNK_SIZE, opts.keepBeyondSnaplen === true);
  } catch (e) {
    await win.close().catch(() => undefined);
    throw e;
  }
}

async function detect(win: ByteWindow, name: string, gzip: boolean, gunzipChunk: number, keep: boolean): Promise<RecordSource> {
  try {
    await win.fill(28);
  } catch (e) {
    throw readError(name, 0, 0, e);
  }
  const avail = win.available;
  const what = gzip ? 'decompressed data' : 'file';
  if (avail === 0) throw new CaptureError(name, 0, 0, `empty ${what}: not a capture file`);
  if (avail >= 2 && win.buf[win.start] === 0x1f && win.buf[win.start + 1] === 0x8b) {
    if (gzip) throw new CaptureError(name, 0, 0, 'gzip inside gzip: not a capture file');
    return detect(await gunzipWindow(win, gunzipChunk), name, true, gunzipChunk, keep);
  }
  if (avail < 4) throw new CaptureError(name, 0, 0, `${what} too short to be a capture: ${avail} bytes`);
  if (pcapMagicAt(win.buf, win.start) !== null) return openPcapSource(win, name, gzip, keep);
  if (win.buf.readUInt32LE(win.start) === PCAPNG_SHB_TYPE) {
    // Loaded on demand: pcapng brings binary-parser, which a pcap reader need not pay for.
    const { openPcapngSource } = await import('./pcapng.js');
    return openPcapngSource(win, name, gzip);
  }
  const head = win.buf.subarray(win.start, win.start + 4).toString('hex');
  throw new CaptureError(name, 0, 0, `not a pcap or pcapng capture (${what} starts with 0x${head})`);
}

/**
 * A window over the decompressed stream; the compressed bytes already read are fed first.
 * node:stream and node:zlib are loaded here, not at start-up: together they cost a plain pcap
 * read about 10 ms of module loading, a tenth of reading a 1,000,000-packet file.
 */
async function gunzipWindow(win: ByteWindow, chunk: number): Promise<ByteWindow> {
  const [{ Readable, pipeline }, { createGunzip }] = await Promise.all([import('node:stream'), import('node:zlib')]);
  const compressed = Readable.from(compressedChunks(win), { objectMode: false });
  const gunzip = createGunzip({ chunkSize: 256 << 10 });
  pipeline(compressed, gunzip, () => undefined);
  return new ByteWindow(new StreamBytes(gunzip), Buffer.allocUnsafe(HEADROOM + chunk), MAX_WINDOW, HEADROOM);
}

async function* compressedChunks(win: ByteWindow): AsyncGenerator<Buffer> {
  try {
    if (win.available > 0) yield Buffer.from(win.buf.subarray(win.start, win.end));
    win.start = win.end;
    while (!win.eof) {
      await win.fill(1);
      if (win.available === 0) break;
      yield Buffer.from(win.buf.subarray(win.start, win.end));
      win.start = win.end;
    }
  } finally {
    await win.close();
  }
}

/** Every record of a capture, copied (for tests and small files). Throws the first fault. */
export async function readAllRecords(input: CaptureInput, opts: OpenCaptureOptions = {}): Promise<CaptureRecord[]> {
  const source = await openCapture(input, opts);
  const all: CaptureRecord[] = [];
  try {
    for await (const batch of source) for (const r of batch) all.push(r.copy());
  } finally {
    await source.close();
  }
  return all;
}
