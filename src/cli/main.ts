/**
 * `wirescope`: tcpdump's command line over wirescope's reader, filter and printer. Offline
 * use never loads libpcap: live capture, `handshakes` and `demo` are imported on demand.
 * So are the reader, filter, printers and writer: loading a module costs about half a
 * millisecond, and a run loads only what it uses (`--version` none of them).
 * Every fault is one line on stderr and exit code 2; a bug is one `internal error` line.
 */
import { readFileSync } from 'node:fs';
import { UsageError, WirescopeError } from '../errors.js';
import type { CaptureRecord, RecordSource, RecordWriter, SourceInfo } from '../capture/record.js';
import { helpText, parseArgs, type CliOptions } from './args.js';
import { ChunkedOutput } from './output.js';

/** Where the CLI writes; tests and the conformance harness pass their own streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Input for `-r -`. */
  stdin?: NodeJS.ReadableStream;
}

type PacketFilter = (buf: Buffer, offset: number, capLen: number, origLen: number) => boolean;

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    if (argv[0] === 'handshakes') {
      const m = await import('./handshakes.js');
      return await m.runHandshakes(argv.slice(1));
    }
    if (argv[0] === 'demo') {
      const m = await import('./demo.js');
      return await m.runDemo(argv.slice(1));
    }
    const cli = parseArgs(argv);
    if (cli.help) {
      io.stdout.write(helpText());
      return 0;
    }
    if (cli.version) {
      io.stdout.write(`wirescope ${packageVersion()}\n`);
      return 0;
    }
    if (cli.listInterfaces) {
      const live = await import('../live/index.js');
      return await live.printInterfaces(io.stdout);
    }
    return await run(cli, io);
  } catch (e) {
    io.stderr.write(errorLine(e));
    return 2;
  }
}

export function errorLine(e: unknown): string {
  if (e instanceof WirescopeError) return `wirescope: ${oneLine(e.message)}\n`;
  const msg = e instanceof Error ? e.message : String(e);
  return `wirescope: internal error: ${oneLine(msg)}\n`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wirescope' && pkg.version) return pkg.version;
    } catch {
      // try the next location (sources vs dist/)
    }
  }
  return 'unknown';
}

/** `-F file`: the whole file is the expression; '#' comments are dropped, as tcpdump does. */
function filterExpression(cli: CliOptions): string {
  if (cli.filterFile === undefined) return cli.expression;
  let text: string;
  try {
    text = readFileSync(cli.filterFile, 'latin1');
  } catch (e) {
    throw new UsageError(`can't read filter file ${cli.filterFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return text.replace(/#[^\n]*/g, ' ').replace(/\s+/g, ' ').trim();
}

async function bannerLinkType(linkType: number): Promise<string> {
  const { LINKTYPE_BANNER } = await import('../printer/tables.js');
  const n = LINKTYPE_BANNER[linkType];
  return n ? `${n[0]} (${n[1]})` : String(linkType);
}

async function run(cli: CliOptions, io: CliIo): Promise<number> {
  if (cli.read === undefined && cli.interface === undefined) {
    throw new UsageError('no input: give -r FILE (or -r - for stdin) or -i INTERFACE (see wirescope --help)');
  }
  if (cli.read !== undefined && cli.interface !== undefined) throw new UsageError('-r and -i cannot be used together');
  const expression = filterExpression(cli);
  let source: RecordSource;
  let live = false;
  if (cli.read !== undefined) {
    const { openCapture } = await import('../capture/open.js');
    source = cli.read === '-' && io.stdin ? await openCapture(io.stdin, { name: '-' }) : await openCapture(cli.read);
    const first = source.info.interfaces[0];
    const lt = first?.linkType ?? 1;
    // libpcap adds 14 to the snapshot length of "modified" (Kuznetzov) pcap files
    const snap = (first?.snaplen ?? 0) + (source.info.pcap?.magic === 0xa1b2cd34 ? 14 : 0);
    io.stderr.write(`reading from file ${cli.read}, link-type ${await bannerLinkType(lt)}, snapshot length ${snap}\n`);
    // names come from this host's interface table, not from the capture (as tcpdump warns)
    if (lt === 276) io.stderr.write('Warning: interface names might be incorrect\n');
  } else {
    const liveMod = await import('../live/index.js');
    const opts: { interface: string; filter?: string; snaplen?: number; bufferSize?: number; maxPackets?: number } = {
      interface: cli.interface!,
    };
    if (expression) opts.filter = expression;
    if (cli.snaplen !== undefined) opts.snaplen = cli.snaplen;
    if (cli.bufferKiB !== undefined) opts.bufferSize = cli.bufferKiB * 1024;
    // The expression already ran in the kernel, so -c counts what the source delivers.
    if (cli.count !== undefined) opts.maxPackets = cli.count;
    const durationMs = cli.duration !== undefined ? liveMod.parseDuration(cli.duration) : undefined;
    const cap = await liveMod.openLiveCapture(opts);
    source = cap;
    live = true;
    const first = cap.info.interfaces[0];
    // tcpdump: the "suppressed" hint on its own line, else its name before "listening on"
    if (cli.write === undefined && !cli.print.verbose && !cli.json && !cli.layers) {
      io.stderr.write('wirescope: verbose output suppressed, use -v[v]... for full protocol decode\n');
    } else io.stderr.write('wirescope: ');
    io.stderr.write(`listening on ${cli.interface}, link-type ${await bannerLinkType(cap.linkType)}, snapshot length ${first?.snaplen ?? cli.snaplen ?? 262144} bytes\n`);
    const unhook = liveMod.stopCaptureOn(cap, durationMs);
    try {
      return await pump(cli, io, source, live ? '' : expression);
    } finally {
      unhook();
      // Like tcpdump: after an interrupt, a newline on stdout in case a line was cut short.
      if (cap.stoppedBy === 'signal' && cli.write !== '-') io.stdout.write('\n');
      io.stderr.write(liveMod.formatCaptureStats(cap.stats()));
    }
  }
  return pump(cli, io, source, expression);
}

async function pump(cli: CliOptions, io: CliIo, source: RecordSource, expression: string): Promise<number> {
  const info = source.info;
  const filters = new Map<number, PacketFilter>();
  let compile: ((expr: string, linkType: number, opts?: { bigEndian?: boolean }) => PacketFilter) | null = null;
  if (expression) {
    compile = (await import('../filter/index.js')).compileFilter;
    // compile for the first interface now so a bad expression fails before any output
    const lt = info.interfaces[0]?.linkType;
    if (lt !== undefined) filters.set(lt, compile(expression, lt, { bigEndian: info.bigEndian }));
  }
  const out = new ChunkedOutput(io.stdout);
  let writer: RecordWriter | null = null;
  if (cli.write !== undefined) writer = await openOutputWriter(cli, info, io);
  let emit: (rec: CaptureRecord) => void;
  if (writer !== null) {
    const w = writer;
    emit = (rec) => w.write(rec);
  } else {
    const printer = await makeFormatter(cli, info);
    emit = (rec) => printer(out, rec);
  }
  const filterFor =
    compile === null
      ? null
      : (linkType: number): PacketFilter => {
          let f = filters.get(linkType);
          if (f === undefined) {
            f = compile(expression, linkType, { bigEndian: info.bigEndian });
            filters.set(linkType, f);
          }
          return f;
        };
  const loop = new RecordLoop(filterFor, emit, cli.count ?? Infinity);
  let failure: unknown = null;
  try {
    for await (const batch of source) {
      if (!loop.run(batch)) break;
      if (writer !== null) {
        if (info.format === 'live') writer.flush?.();
        await writer.drain?.();
        if (writer.readerGone === true) break;
      }
      if (out.closed) break;
      await out.ready();
      if (out.closed) break;
    }
  } catch (e) {
    failure = e;
  } finally {
    await source.close().catch(() => undefined);
  }
  await out.end();
  if (writer !== null) await writer.close();
  if (failure !== null) throw failure;
  return 0;
}

/**
 * The per-record work of `pump` (filter, then print or write, up to -c), in a plain method: in
 * an async function every local that lives across an `await` sits in a heap context, so each
 * record paid for loads and stores of the counters and the current filter.
 */
class RecordLoop {
  private count = 0;
  private lastLinkType = -1;
  private lastFilter: PacketFilter | null = null;

  constructor(
    /** The compiled expression for a link type; null when there is no expression. */
    private readonly filterFor: ((linkType: number) => PacketFilter) | null,
    private readonly emit: (rec: CaptureRecord) => void,
    private readonly limit: number,
  ) {}

  /** Filters and emits one batch; false once the -c limit is reached. */
  run(batch: readonly CaptureRecord[]): boolean {
    const filterFor = this.filterFor;
    const emit = this.emit;
    const limit = this.limit;
    let count = this.count;
    let lastLinkType = this.lastLinkType;
    let filter = this.lastFilter;
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      if (filterFor !== null) {
        if (rec.linkType !== lastLinkType) {
          filter = filterFor(rec.linkType);
          lastLinkType = rec.linkType;
          this.lastLinkType = lastLinkType;
          this.lastFilter = filter;
        }
        if (!filter!(rec.buf, rec.offset, rec.capLen, rec.origLen)) continue;
      }
      this.count = ++count;
      emit(rec);
      if (count >= limit) return false;
    }
    return true;
  }
}

async function openOutputWriter(cli: CliOptions, info: SourceInfo, io: CliIo): Promise<RecordWriter> {
  const { openWriter } = await import('../capture/writer.js');
  const target = cli.write!;
  const format = /\.(pcapng|ntar)(\.gz)?$/i.test(target) ? 'pcapng' : 'pcap';
  const first = info.interfaces[0];
  const opts: { format: 'pcap' | 'pcapng'; nanosecond: boolean; linkType: number; snaplen?: number } = {
    format,
    nanosecond: cli.print.nano,
    linkType: first?.linkType ?? 1,
  };
  const snaplen = cli.snaplen ?? first?.snaplen;
  if (snaplen !== undefined) opts.snaplen = snaplen;
  return openWriter(target === '-' ? io.stdout : target, opts);
}

async function makeFormatter(cli: CliOptions, info: SourceInfo): Promise<(out: ChunkedOutput, rec: CaptureRecord) => void> {
  if (cli.json || cli.layers) {
    const m = await import('../printer/structured.js');
    const f = cli.json ? m.jsonFormatter(cli.print) : m.layersFormatter(cli.print);
    return (out, rec) => out.write(f(rec));
  }
  const { TcpdumpPrinter } = await import('../printer/index.js');
  const printer = new TcpdumpPrinter(cli.print, info.format === 'pcap');
  return (out, rec) => printer.printTo(out, rec);
}
