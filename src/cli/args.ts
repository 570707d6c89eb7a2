/**
 * tcpdump's command line: getopt-style short options (clusters like `-nnvvX`, attached values
 * like `-c5`, `-#`), a few long options, and a trailing filter expression. The argv is first
 * normalised to one token per option, then parsed by commander (which also renders --help).
 * Commander costs ~15 ms to load, a tenth of a short run, so a command line of plain options
 * (what people type) is read here directly and commander is loaded only for --help and for
 * anything else, which it parses and reports on as before.
 */
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { PrintOptions } from '../printer/options.js';

export interface CliOptions {
  print: PrintOptions;
  read?: string;
  write?: string;
  count?: number;
  filterFile?: string;
  snaplen?: number;
  interface?: string;
  /** -B: live kernel buffer in KiB. */
  bufferKiB?: number;
  /** --duration: live capture length, e.g. `10s`. */
  duration?: string;
  listInterfaces: boolean;
  json: boolean;
  layers: boolean;
  help: boolean;
  version: boolean;
  expression: string;
}

/** Short options that take a value (as in tcpdump's optstring). */
const SHORT_WITH_VALUE = new Set(['c', 'F', 'r', 'w', 's', 'i', 'B']);
/** Short flags (some counted). */
const SHORT_FLAGS = new Set(['A', 'D', 'e', 'n', 'q', 'S', 't', 'v', 'x', 'X', '#', 'V', 'h', 'l', 'U', 'p', 'N']);

const SHORT_TO_LONG: Record<string, string> = { '#': '--number', V: '--layers', h: '--help' };

/** Splits short-option clusters the way getopt does. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--') || !a.startsWith('-') || a === '-') {
      out.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (SHORT_WITH_VALUE.has(c)) {
        out.push('-' + c);
        const rest = a.slice(j + 1);
        if (rest.length > 0) out.push(rest);
        else {
          if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- '${c}'`);
          out.push(argv[++i]!);
        }
        break;
      }
      if (!SHORT_FLAGS.has(c)) throw new UsageError(`invalid option -- '${c}' (see wirescope --help)`);
      out.push(SHORT_TO_LONG[c] ?? '-' + c);
    }
  }
  return out;
}

const increase = (_v: string | undefined, prev: number): number => prev + 1;

function positiveInt(what: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`invalid ${what} ${v}`);
    return Number(v);
  };
}

/** tcpdump's -s: 0 means the default (262144). */
function snaplenArg(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`invalid snaplen ${v}`);
  const n = Number(v);
  return n === 0 ? 262144 : n;
}

type Commander = typeof import('commander');
let commanderModule: Commander | null = null;

/** Commander, loaded on first use (it is CommonJS, so synchronously); the handshakes command shares it. */
export function commander(): Commander {
  commanderModule ??= createRequire(import.meta.url)('commander') as Commander;
  return commanderModule;
}

export function buildCommand(): Command {
  const { Command, Option } = commander();
  const p = new Command('wirescope');
  p.usage('[-AenqSVvXx#] [-c count] [-F file] [-i interface] [-r file] [-s snaplen] [-w file] [--json] [expression]\n       wirescope handshakes [options]   (see wirescope handshakes --help)\n       wirescope demo [options]');
  p.description(
    'Print the packets of a capture file (or a live interface) one line each, exactly as tcpdump 4.99 does;\n' +
      'or write them to another capture file; --json and --layers for scripts and for learning the stack.\n' +
      'Names are never resolved: -n/-nn are accepted for tcpdump compatibility.',
  );
  p.helpOption(false);
  p.option('-r <file>', "read packets from a pcap/pcapng file (gzip too); '-' reads standard input")
    .option('-w <file>', "write the (filtered) packets to a capture file instead of printing them: pcapng if the name ends in .pcapng, else pcap; '-' = stdout")
    .option('-c <count>', 'stop after count packets (counted after the filter)', positiveInt('packet count'))
    .option('-F <file>', "read the filter expression from file ('#' starts a comment); the command-line expression is then ignored")
    .option('-i <interface>', 'capture live on interface (name or -D number; needs libpcap and capture permission). The cap module gives no kernel timestamps: packets are stamped on arrival')
    .option('-s <snaplen>', 'bytes kept per packet when capturing live (0 or default: 262144; libpcap under cap keeps at most 65535)', snaplenArg)
    .option('-D', 'list the interfaces live capture can use, then exit')
    .option('-B <KiB>', 'live: kernel capture buffer size in KiB (default 32768)', positiveInt('buffer size'))
    .option('--duration <time>', 'live: stop capturing after this long (10s, 500ms, 2m), as Ctrl-C would')
    .option('-n', "don't convert addresses or ports to names (always the case; accepted, also as -nn)")
    .option('-e', 'print the link-level header (MAC addresses, ethertype, VLAN tags, SLL direction)')
    .option('-v', 'verbose: IP TTL/id/length/flags/options and checksum verdicts; -vv, -vvv: more', increase, 0)
    .option('-q', 'quick output: less protocol information')
    .option('-S', 'print absolute, not relative, TCP sequence numbers')
    .option('-t', "timestamps: -t none, -tt seconds since the epoch, -ttt delta from the previous packet, -tttt date and local time (TZ), -ttttt delta from the first packet", increase, 0)
    .option('-x', 'hex dump of each packet from the network header (-xx: from the link header)', increase, 0)
    .option('-X', 'hex and ASCII dump from the network header (-XX: from the link header)', increase, 0)
    .option('-A', 'ASCII dump from the network header (-AA: from the link header)', increase, 0)
    .option('-#, --number', 'print a packet number at the start of each line')
    .option('-V, --layers', 'print a tree per packet: one block per layer, labelled with its OSI layer, every field with its value and byte offset')
    .option('--json', 'print one JSON object per packet per line, with every decoded field')
    .option('--nano', 'print timestamps with nanosecond precision (same as --time-stamp-precision=nano)')
    .addOption(new Option('--time-stamp-precision <precision>', 'timestamp precision for printing and -w').choices(['micro', 'nano']))
    .option('-l', 'accepted for tcpdump compatibility (output is written in large chunks)')
    .option('-U', 'accepted for tcpdump compatibility')
    .option('-p', 'accepted for tcpdump compatibility (cap always captures promiscuously)')
    .option('-N', "accepted for tcpdump compatibility (names are never resolved)")
    .option('-h, --help', 'show this help')
    .option('--version', 'print the version')
    .argument('[expression...]', 'pcap-filter expression, e.g. "tcp port 80 and host 10.0.0.1" (several words are joined with spaces)');
  p.exitOverride();
  p.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  p.allowExcessArguments(true);
  return p;
}

interface RawOpts {
  r?: string;
  w?: string;
  c?: number;
  F?: string;
  i?: string;
  s?: number;
  B?: number;
  duration?: string;
  D?: boolean;
  n?: boolean;
  e?: boolean;
  v: number;
  q?: boolean;
  S?: boolean;
  t: number;
  x: number;
  X: number;
  A: number;
  number?: boolean;
  layers?: boolean;
  json?: boolean;
  nano?: boolean;
  timeStampPrecision?: string;
  help?: boolean;
  version?: boolean;
}

/** Options without a value, by token, and what commander would record for them. */
const QUICK_FLAGS: Record<string, 'D' | 'n' | 'e' | 'q' | 'S' | 'number' | 'layers' | 'json' | 'nano' | 'help' | 'version' | null> = {
  '-D': 'D',
  '-n': 'n',
  '-e': 'e',
  '-q': 'q',
  '-S': 'S',
  '--number': 'number',
  '--layers': 'layers',
  '--json': 'json',
  '--nano': 'nano',
  '--help': 'help',
  '--version': 'version',
  // accepted and ignored
  '-l': null,
  '-U': null,
  '-p': null,
  '-N': null,
};
const QUICK_COUNTED: Record<string, 'v' | 't' | 'x' | 'X' | 'A'> = { '-v': 'v', '-t': 't', '-x': 'x', '-X': 'X', '-A': 'A' };
const QUICK_VALUES: Record<string, 'r' | 'w' | 'F' | 'i' | 'duration'> = { '-r': 'r', '-w': 'w', '-F': 'F', '-i': 'i', '--duration': 'duration' };

/**
 * The options commander would return for a command line of known options, each with its
 * value as the next token, and plain operands; null for anything else (`--`, `-` alone, an
 * unknown or `=` long option, a missing value, an invalid choice), which commander handles.
 */
function parseQuick(tokens: readonly string[]): { opts: RawOpts; args: string[] } | null {
  const o: RawOpts = { v: 0, t: 0, x: 0, X: 0, A: 0 };
  const args: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.length < 2 || tok[0] !== '-') {
      if (tok === '-') return null;
      args.push(tok);
      continue;
    }
    const flag = QUICK_FLAGS[tok];
    if (flag !== undefined) {
      if (flag !== null) o[flag] = true;
      continue;
    }
    const counted = QUICK_COUNTED[tok];
    if (counted !== undefined) {
      o[counted]++;
      continue;
    }
    if (i + 1 >= tokens.length) return null;
    const value = tokens[i + 1]!;
    const key = QUICK_VALUES[tok];
    if (key !== undefined) o[key] = value;
    else if (tok === '-c') o.c = positiveInt('packet count')(value);
    else if (tok === '-s') o.s = snaplenArg(value);
    else if (tok === '-B') o.B = positiveInt('buffer size')(value);
    else if (tok === '--time-stamp-precision' && (value === 'micro' || value === 'nano')) o.timeStampPrecision = value;
    else return null;
    i++;
  }
  return { opts: o, args };
}

function parseWithCommander(tokens: readonly string[]): { opts: RawOpts; args: string[] } {
  const p = buildCommand();
  try {
    p.parse(tokens, { from: 'user' });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof commander().CommanderError) throw new UsageError(e.message.replace(/^error: /, ''));
    throw e;
  }
  return { opts: p.opts<RawOpts>(), args: p.args };
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const tokens = normaliseArgv(argv);
  const { opts: o, args } = parseQuick(tokens) ?? parseWithCommander(tokens);
  const cli: CliOptions = {
    print: {
      verbose: o.v,
      linkHeader: o.e === true,
      quiet: o.q === true,
      timeFormat: Math.min(o.t, 5),
      nano: o.nano === true || o.timeStampPrecision === 'nano',
      numbered: o.number === true,
      hex: o.x,
      hexAscii: o.X,
      ascii: o.A,
      absoluteSeq: o.S === true,
    },
    listInterfaces: o.D === true,
    json: o.json === true,
    layers: o.layers === true,
    help: o.help === true,
    version: o.version === true,
    expression: args.join(' ').trim(),
  };
  if (o.r !== undefined) cli.read = o.r;
  if (o.w !== undefined) cli.write = o.w;
  if (o.c !== undefined) cli.count = o.c;
  if (o.F !== undefined) cli.filterFile = o.F;
  if (o.i !== undefined) cli.interface = o.i;
  if (o.s !== undefined) cli.snaplen = o.s;
  if (o.B !== undefined) cli.bufferKiB = o.B;
  if (o.duration !== undefined) cli.duration = o.duration;
  return cli;
}

const HELP_AFTER =
  '\nExit status: 0 success, 2 usage or input error (bad option, unreadable or corrupt file, bad filter).\n' +
      'Output lines match tcpdump 4.99 for Ethernet, 802.1Q/QinQ, Linux SLL/SLL2, BSD loopback, raw IP, ARP, IPv4, IPv6\n' +
      '(extension headers), ICMP, ICMPv6, TCP and UDP; application data is summarised for HTTP, SSH, WHOIS, DNS\n' +
      'queries, TFTP, NTP, BOOTP (headers) and otherwise left at the transport line ("length N"); where tcpdump\n' +
      'would decode a well-known port that wirescope does not, the line ends with " [NAME not decoded]".';

export function helpText(): string {
  return buildCommand().helpInformation() + HELP_AFTER + '\n';
}
