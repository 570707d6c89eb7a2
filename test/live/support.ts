/**
 * Shared pieces of the live-capture tests: the libpcap gate (skip with the reason only where
 * libpcap cannot be loaded; fail instead under CI=true), tcpdump running beside us, network
 * namespaces the tests create and remove, and a bounded TCP exchange.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { loadCap } from '../../src/live/index.js';

export interface Gate {
  ok: boolean;
  reason: string;
}

/** Whether libpcap (through cap) can be loaded here. */
export async function libpcapGate(): Promise<Gate> {
  try {
    await loadCap();
    return { ok: true, reason: '' };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export const inCI = process.env.CI === 'true';

/**
 * Registers what to show when libpcap is missing: a skipped test naming the reason, or under
 * CI=true a failing one. Registers nothing when libpcap loads.
 */
export function reportGate(gate: Gate, what: string): void {
  if (gate.ok) return;
  if (inCI) {
    it(`${what}: libpcap must load under CI=true`, () => {
      throw new Error(`libpcap cannot be loaded: ${gate.reason}`);
    });
  } else {
    it.skip(`${what}: skipped, libpcap cannot be loaded (${gate.reason})`, () => {});
  }
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits (bounded) until `read()` contains `text`. */
export async function waitFor(read: () => string, text: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    if (read().includes(text)) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for "${text}"; got: ${read()}`);
}

export interface Tcpdump {
  readonly file: string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * tcpdump writing `file` (unbuffered, immediate mode), optionally inside a namespace; resolves
 * once it is listening.
 */
export async function startTcpdump(iface: string, filter: string, file: string, netns?: string): Promise<Tcpdump> {
  const args = ['-i', iface, '-nn', '-U', '--immediate-mode', '-s', '262144', '-Z', 'root', '-w', file, filter];
  const cmd = netns ? ['ip', ['netns', 'exec', netns, 'tcpdump', ...args]] as const : ['tcpdump', args] as const;
  const child = spawn(cmd[0], [...cmd[1]], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await Promise.race([
    waitFor(() => err, 'listening on'),
    exited.then(() => {
      throw new Error(`tcpdump exited: ${err}`);
    }),
  ]);
  return {
    file,
    stderr: () => err,
    stop: async () => {
      await sleep(50);
      child.kill('SIGINT');
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** tcpdump's reading of a capture file, as text lines. */
export function tcpdumpRead(file: string, flags: string[]): string {
  const r = spawnSync('tcpdump', ['-r', file, ...flags], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`tcpdump -r ${file}: ${r.stderr}`);
  return r.stdout;
}

/** A listening TCP echo server on 127.0.0.1 (ephemeral port). */
export async function echoServer(host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** One connection: send each message, wait for its echo, then FIN; bounded in time. */
export function tcpExchange(host: string, port: number, messages: string[], ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    let step = 0;
    let got = '';
    const sock = net.connect({ host, port }, () => sock.write(messages[0]!));
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('exchange timed out'));
    }, ms);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      got += d;
      if (got !== messages[step]) return;
      got = '';
      step++;
      if (step < messages.length) sock.write(messages[step]!);
      else sock.end();
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (step === messages.length) resolve();
      else reject(new Error('connection closed early'));
    });
  });
}

/** Two network namespaces joined by a veth pair (client 198.18.0.1, server 198.18.0.2). */
export interface NetnsPair {
  client: string;
  server: string;
  clientIf: string;
  serverIf: string;
  remove(): void;
}

function ipCmd(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

export function createNetnsPair(tag: string): NetnsPair {
  const client = `wslive-${tag}-c-${process.pid}`;
  const server = `wslive-${tag}-s-${process.pid}`;
  const pair: NetnsPair = {
    client,
    server,
    clientIf: 'veth-c',
    serverIf: 'veth-s',
    remove: () => {
      for (const ns of [client, server]) {
        const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      }
    },
  };
  try {
    ipCmd(['netns', 'add', client]);
    ipCmd(['netns', 'add', server]);
    ipCmd(['-n', client, 'link', 'add', 'veth-c', 'type', 'veth', 'peer', 'name', 'veth-s', 'netns', server]);
    ipCmd(['-n', client, 'addr', 'add', '198.18.0.1/24', 'dev', 'veth-c']);
    ipCmd(['-n', server, 'addr', 'add', '198.18.0.2/24', 'dev', 'veth-s']);
    for (const [ns, dev] of [[client, 'veth-c'], [server, 'veth-s']] as const) {
      ipCmd(['-n', ns, 'link', 'set', 'lo', 'up']);
      ipCmd(['-n', ns, 'link', 'set', dev, 'addrgenmode', 'none']);
      ipCmd(['-n', ns, 'link', 'set', dev, 'up']);
    }
  } catch (err) {
    pair.remove();
    throw err;
  }
  return pair;
}

export type { ChildProcess };

/**
 * Compiled library for child processes that run inside a namespace (Node cannot enter one
 * itself): rebuilds dist/ when a source file is newer than its output. `npm test` has just
 * built it, so this is a no-op there.
 */
export function ensureDist(root: string): string {
  const dist = join(root, 'dist');
  const stale = (dir: string): boolean => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) {
        if (stale(rel)) return true;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = join(dist, rel.replace(/\.ts$/, '.js'));
        if (!existsSync(out) || statSync(out).mtimeMs < statSync(join(root, rel)).mtimeMs) return true;
      }
    }
    return false;
  };
  // Test files run in parallel workers: one rebuilds while the others wait for its lock.
  const lock = join(tmpdir(), `wirescope-dist-build-${Buffer.from(root).toString('hex').slice(-24)}`);
  for (let i = 0; i < 1800 && stale('src'); i++) {
    try {
      mkdirSync(lock);
    } catch {
      sleepSync(100);
      continue;
    }
    try {
      spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'ignore', timeout: 180_000 });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    break;
  }
  if (!existsSync(join(dist, 'src/live/index.js'))) throw new Error('dist/src/live/index.js missing after tsc');
  return dist;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A process started with `ip netns exec`, its output collected. */
export interface NsProcess {
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnInNetns(ns: string, cmd: string[], ms = 30_000): NsProcess {
  return spawnProcess(['ip', 'netns', 'exec', ns, ...cmd], ms);
}

/** A child process with its output collected, killed after `ms` whatever happens. */
export function spawnProcess(cmd: string[], ms = 30_000): NsProcess {
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      r(code);
    }),
  );
  return { stdout: () => out, stderr: () => err, exited, kill: (s = 'SIGTERM') => void child.kill(s) };
}
