/**
 * `wirescope handshakes FILE... [expression]`: the handshake report and its CI assertions.
 * Exit codes: 0 every requested check holds, 1 a check failed, 2 usage or input error.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, WirescopeError } from '../errors.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  HandshakeTracker,
  checkReport,
  feedSource,
  formatSummary,
  formatTable,
  junitXml,
  parseDuration,
  parseServer,
  trackHandshakesPartial,
  writeHandshakesJson,
  type AssertionOptions,
  type HandshakeReport,
} from '../track/index.js';

export const HANDSHAKES_USAGE = 'wirescope handshakes [options] FILE... [expression]';

interface Parsed {
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

function program(out: (s: string) => void, err: (s: string) => void): Command {
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

/** Entry point for `wirescope handshakes ...`; returns the exit code. */
export async function runHandshakes(argv: string[]): Promise<number> {
  const out = (s: string): void => void process.stdout.write(s);
  const err = (s: string): void => void process.stderr.write(s);
  const cmd = program(out, err);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return 2;
    }
    throw e;
  }
  const opts = cmd.opts<Parsed>();
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
    if (opts.maxHandshakeRtt !== undefined) checks.maxHandshakeRttNs = parseDuration(opts.maxHandshakeRtt);
    if (opts.violations === false) checks.noViolations = true;
    if (opts.server !== undefined) {
      parseServer(opts.server);
      checks.server = opts.server;
    }
    const maxConnections = count('--max-connections', opts.maxConnections) ?? DEFAULT_MAX_CONNECTIONS;
    if (maxConnections < 1) throw new UsageError('--max-connections must be at least 1');

    if (opts.interface !== undefined) {
      report = await liveReport(opts, cmd.args.join(' ').trim(), maxConnections, err);
    } else {
      const { files, expression } = splitArgs(cmd.args);
      if (files.length === 0) {
        const first = cmd.args[0];
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
  else out(formatTable(report.connections) + formatSummary(report.summary));

  const result = checkReport(report, checks);
  if (opts.junit !== undefined) {
    try {
      writeFileSync(opts.junit, junitXml(report, result));
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
