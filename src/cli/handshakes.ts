/**
 * `wirescope handshakes FILE... [expression]`: the handshake report and its CI assertions.
 * Exit codes: 0 every requested check holds, 1 a check failed, 2 usage or input error.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, WirescopeError } from '../errors.js';
import { commander } from './args.js';
import { DEFAULT_MAX_CONNECTIONS, HandshakeTracker, MAX_CONNECTIONS } from '../track/tracker.js';
import { feedSource, trackHandshakesPartial, writeHandshakesJson } from '../track/run.js';
import type { AssertionOptions } from '../track/assert.js';
import type { HandshakeReport } from '../track/types.js';

// The JSON path with no checks (what CI scripts and the bench run) loads neither commander nor
// the assertion and table modules: each costs milliseconds of start-up on every run.
const assertions = (): Promise<typeof import('../track/assert.js')> => import('../track/assert.js');
const formats = (): Promise<typeof import('../track/format.js')> => import('../track/format.js');

export const HANDSHAKES_USAGE = 'wirescope handshakes [options] FILE... [expression]';

/** What commander records for the handshakes options (strings until checked). */
export interface Parsed {
  json?: boolean;
  junit?: string;
  requireComplete?: boolean;
  expectConnections?: string;
  maxRefused?: string;
  maxSynRetries?: string;
  maxHandshakeRtt?: string;
  /** commander's negatable form: `--no-violations` sets this to false. */
  violations?: boolean;
  server?: string;
  maxConnections?: string;
  interface?: string;
  count?: string;
  duration?: string;
}

function count(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${name}: expected a non-negative integer, got '${text}'`);
  return Number(text);
}

/** @internal The full parser (help, errors, every option form); exported for the parity test. */
export function handshakesProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const { Command, Option } = commander();
  return new Command('wirescope handshakes')
    .usage('[options] FILE... [expression]')
    .description(
      'Follow every TCP connection in the captures (pcap, pcapng, gzip; - for stdin) and report each handshake:\n' +
        'outcome, close, RTT, Zeek conn_state and history, negotiated options and protocol violations.\n' +
        'Arguments that name existing files are captures; the rest is a pcap-filter expression.\n' +
        'Exit status: 0 all checks hold, 1 a check failed, 2 usage or input error.',
    )
    .argument('[args...]', 'capture files, then an optional filter expression')
    .option('--json', 'print the report as one JSON document')
    .option('--junit <file>', 'also write the checks as JUnit XML')
    .option('--require-complete', 'every connection attempt must complete its handshake')
    .option('--expect-connections <n>', 'exactly N connections')
    .option('--max-refused <n>', 'at most N refused connections')
    .option('--max-syn-retries <n>', 'no connection retransmits its SYN more than N times')
    .option('--max-handshake-rtt <time>', 'every handshake RTT (SYN to final ACK at the capture point) at most this (e.g. 5ms, 250us)')
    .option('--no-violations', 'no protocol violations')
    .option('--server <host:port>', 'apply the checks only to connections to this server ([v6]:port for IPv6, :port for any host)')
    .option('--max-connections <n>', 'connections held in memory at once before the least recently active is evicted', String(DEFAULT_MAX_CONNECTIONS))
    .addOption(new Option('-i, --interface <iface>', 'capture live on an interface instead of reading files (needs libpcap)'))
    .option('-c, --count <n>', 'stop after N packets')
    .option('--duration <time>', 'live: stop after this long (10s, 2m)')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .allowExcessArguments(false);
}

/** Options without a value and what commander records for them. */
const QUICK_FLAGS: Record<string, (o: Parsed) => void> = {
  '--json': (o) => (o.json = true),
  '--require-complete': (o) => (o.requireComplete = true),
  '--no-violations': (o) => (o.violations = false),
};
const QUICK_VALUES: Record<string, 'junit' | 'expectConnections' | 'maxRefused' | 'maxSynRetries' | 'maxHandshakeRtt' | 'server' | 'maxConnections' | 'interface' | 'count' | 'duration'> = {
  '--junit': 'junit',
  '--expect-connections': 'expectConnections',
  '--max-refused': 'maxRefused',
  '--max-syn-retries': 'maxSynRetries',
  '--max-handshake-rtt': 'maxHandshakeRtt',
  '--server': 'server',
  '--max-connections': 'maxConnections',
  '-i': 'interface',
  '--interface': 'interface',
  '-c': 'count',
  '--count': 'count',
  '--duration': 'duration',
};

/**
 * What commander gives for a command line of known options, each value the next token, and
 * plain operands; null for anything else (help, `--`, `-`, `=` forms, unknown options, a value
 * that looks like an option), which commander parses and reports as before.
 */
export function parseHandshakesQuick(argv: readonly string[]): { opts: Parsed; args: string[] } | null {
  const opts: Parsed = { violations: true, maxConnections: String(DEFAULT_MAX_CONNECTIONS) };
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '-') return null;
    if (tok[0] !== '-') {
      args.push(tok);
      continue;
    }
    const flag = QUICK_FLAGS[tok];
    if (flag !== undefined) {
      flag(opts);
      continue;
    }
    const key = QUICK_VALUES[tok];
    const value = argv[i + 1];
    if (key === undefined || value === undefined || value[0] === '-') return null;
    opts[key] = value;
    i++;
  }
  return { opts, args };
}

/** Leading arguments that name files (or `-`) are inputs; the rest is the filter expression. */
function splitArgs(args: readonly string[]): { files: string[]; expression: string } {
  const files: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-' || (existsSync(a) && statSync(a).isFile())) files.push(a);
    else break;
  }
  return { files, expression: args.slice(i).join(' ').trim() };
}

async function liveReport(opts: Parsed, expression: string, maxConnections: number, err: (s: string) => void): Promise<HandshakeReport> {
  const spec = '../live/index.js';
  const live = (await import(spec)) as {
    openLiveCapture(o: { interface: string; filter?: string }): Promise<import('../capture/record.js').RecordSource>;
    stopCaptureOn(source: unknown, durationMs?: number): () => void;
    parseDuration(text: string): number;
    formatCaptureStats(s: import('../capture/record.js').CaptureStats): string;
  };
  const source = await live.openLiveCapture(expression ? { interface: opts.interface!, filter: expression } : { interface: opts.interface! });
  const release = live.stopCaptureOn(source, opts.duration !== undefined ? live.parseDuration(opts.duration) : undefined);
  err(`listening on ${source.info.name}, tracking TCP handshakes\n`);
  // Live: each connection is printed (stderr, so --json stays clean) once it has finished and
  // lingered 5 s of traffic for late segments (60 s offline), instead of only at the end.
  const { formatTable } = await formats();
  const tracker = new HandshakeTracker({
    maxConnections,
    file: opts.interface!,
    lingerSeconds: 5,
    onConnection: (c) => err(`${formatTable([c]).split('\n')[1]}\n`),
  });
  try {
    const max = count('--count', opts.count);
    await feedSource(tracker, source, max !== undefined ? { maxPackets: max } : {});
  } finally {
    release();
  }
  const report = { connections: tracker.finish(), summary: tracker.summary };
  err(live.formatCaptureStats((source as unknown as { stats(): import('../capture/record.js').CaptureStats }).stats()));
  return report;
}

/** The report as one JSON document, written in pieces so no single huge string is built. */
function writeJson(report: HandshakeReport, out: (s: string) => void): void {
  let chunk = '{"connections":[';
  report.connections.forEach((c, i) => {
    chunk += (i ? ',' : '') + JSON.stringify(c);
    if (chunk.length >= 1 << 16) {
      out(chunk);
      chunk = '';
    }
  });
  out(`${chunk}],"summary":${JSON.stringify(report.summary)}}\n`);
}

function dropClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') return;
  process.stderr.write(`wirescope handshakes: standard output: ${e.message}\n`);
  process.exit(2);
}

/** Entry point for `wirescope handshakes ...`; returns the exit code. */
export async function runHandshakes(argv: string[]): Promise<number> {
  // A reader that goes away (`| head`) is not an error: the rest of the report is dropped, and
  // the exit code still says whether the checks held.
  if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', dropClosedPipe);
  const out = (s: string): void => void process.stdout.write(s);
  const err = (s: string): void => void process.stderr.write(s);
  let parsed = parseHandshakesQuick(argv);
  if (parsed === null) {
    const cmd = handshakesProgram(out, err);
    try {
      cmd.parse(argv, { from: 'user' });
    } catch (e) {
      if (e instanceof commander().CommanderError) {
        if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
        return 2;
      }
      throw e;
    }
    parsed = { opts: cmd.opts<Parsed>(), args: cmd.args };
  }
  const { opts, args } = parsed;
  let inputError: unknown = null;
  let report: HandshakeReport;
  let checks: AssertionOptions;
  try {
    checks = {};
    if (opts.requireComplete) checks.requireComplete = true;
    const expect = count('--expect-connections', opts.expectConnections);
    if (expect !== undefined) checks.expectConnections = expect;
    const refused = count('--max-refused', opts.maxRefused);
    if (refused !== undefined) checks.maxRefused = refused;
    const retries = count('--max-syn-retries', opts.maxSynRetries);
    if (retries !== undefined) checks.maxSynRetries = retries;
    if (opts.maxHandshakeRtt !== undefined) checks.maxHandshakeRttNs = (await assertions()).parseDuration(opts.maxHandshakeRtt);
    if (opts.violations === false) checks.noViolations = true;
    if (opts.server !== undefined) {
      (await assertions()).parseServer(opts.server);
      checks.server = opts.server;
    }
    const maxConnections = count('--max-connections', opts.maxConnections) ?? DEFAULT_MAX_CONNECTIONS;
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) throw new UsageError(`--max-connections must be from 1 to ${MAX_CONNECTIONS}`);

    if (opts.interface !== undefined) {
      report = await liveReport(opts, args.join(' ').trim(), maxConnections, err);
    } else {
      const { files, expression } = splitArgs(args);
      if (files.length === 0) {
        const first = args[0];
        throw new UsageError(first === undefined ? `no capture file given (usage: ${HANDSHAKES_USAGE})` : `${first}: no such file`);
      }
      const max = count('--count', opts.count);
      const trackOpts = {
        maxConnections,
        ...(expression ? { filter: expression } : {}),
        ...(max !== undefined ? { maxPackets: max } : {}),
      };
      if (opts.json && opts.junit === undefined && Object.keys(checks).length === 0) {
        // Nothing to check: the JSON text is built straight from the tracker, without report
        // objects. It is held until the input is done, since an internal error prints none.
        const pieces: Buffer[] = [];
        const { error } = await writeHandshakesJson(files, trackOpts, (piece) => pieces.push(piece));
        if (error !== null && !(error instanceof WirescopeError)) throw error;
        for (const piece of pieces) process.stdout.write(piece);
        if (error !== null) {
          err(`wirescope handshakes: ${(error as Error).message}\n`);
          return 2;
        }
        return 0;
      }
      const partial = await trackHandshakesPartial(files, trackOpts);
      report = partial.report;
      inputError = partial.error;
      if (inputError !== null && !(inputError instanceof WirescopeError)) throw inputError;
    }
  } catch (e) {
    if (e instanceof WirescopeError) {
      err(`wirescope handshakes: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  if (opts.json) writeJson(report, out);
  else {
    const { formatTable, formatSummary } = await formats();
    out(formatTable(report.connections) + formatSummary(report.summary));
  }

  const result = (await assertions()).checkReport(report, checks);
  if (opts.junit !== undefined) {
    try {
      writeFileSync(opts.junit, (await formats()).junitXml(report, result));
    } catch (e) {
      err(`wirescope handshakes: cannot write ${opts.junit}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  for (const f of result.failures) err(`FAIL ${f.check}: ${f.message}\n`);
  if (inputError !== null) {
    err(`wirescope handshakes: ${(inputError as Error).message}\n`);
    return 2;
  }
  if (!result.ok) {
    err(`wirescope handshakes: ${result.failures.length} check failure(s)\n`);
    return 1;
  }
  if (result.checks.length > 0 && !opts.json) err(`all checks passed: ${result.checks.join(' ')}\n`);
  return 0;
}
