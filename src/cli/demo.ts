/**
 * `wirescope demo [tcp|udp]`: what socket calls put on the wire. An echo server and a client
 * run inside this process on 127.0.0.1 while `lo` is captured live; the calls are made one
 * step at a time and each step's packets are printed (as tcpdump prints them) under the call
 * that caused them, then the handshake report.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { CaptureRecord } from '../capture/record.js';
import { PacketDecoder } from '../codec/index.js';
import { UsageError, WirescopeError } from '../errors.js';
import { defaultPrintOptions, TcpdumpPrinter } from '../printer/index.js';
import { formatSummary, formatTable, HandshakeTracker } from '../track/index.js';

export interface DemoIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const HOST = '127.0.0.1';
/** Longest any single step may take (a connect, an echo). */
const STEP_TIMEOUT_MS = 5000;

const USAGE = `usage: wirescope demo [tcp|udp]

Runs a small echo server and client on 127.0.0.1 inside this process, captures their traffic
live on lo (needs libpcap and capture permission), and prints each packet under the socket call
that caused it: connect -> SYN, accept returns after the final ACK, send -> data, close -> FIN,
sendto -> one datagram. Ends with the TCP handshake report. Timestamps are taken on arrival.
`;

export async function runDemo(argv: string[], io: DemoIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  const kind = argv[0] ?? 'tcp';
  if (argv.length > 1 || (kind !== 'tcp' && kind !== 'udp')) {
    io.stderr.write(`wirescope: demo: expected "tcp" or "udp", got "${argv.join(' ')}"\n`);
    return 2;
  }
  try {
    const demo = new Demo(io);
    await (kind === 'tcp' ? demo.tcp() : demo.udp());
    return 0;
  } catch (err) {
    io.stderr.write(`wirescope: ${demoError(err)}\n`);
    return 2;
  }
}

function demoError(err: unknown): string {
  if (err instanceof Error && err.name === 'CapturePermissionError') {
    return (
      'demo: capturing on lo needs root or the CAP_NET_RAW capability: run `sudo npx wirescope demo`, ' +
      'or grant it once with `sudo setcap cap_net_raw,cap_net_admin=eip $(which node)`'
    );
  }
  if (err instanceof WirescopeError) return err.message.replace(/\s*\n\s*/g, ' ');
  return `demo: ${err instanceof Error ? err.message : String(err)}`;
}

type Side = 'client' | 'server';

class Demo {
  private readonly printer = new TcpdumpPrinter(defaultPrintOptions());
  private readonly decoder = new PacketDecoder();
  private readonly tracker = new HandshakeTracker({ file: 'lo' });
  private readonly pending: CaptureRecord[] = [];
  private received = 0;
  private clientPort = 0;
  private serverPort = 0;
  private synAckSeen = false;
  private handshakeAcked = false;
  private readonly finFrom = new Set<Side>();

  constructor(private readonly io: DemoIo) {}

  private say(line: string): void {
    this.io.stdout.write(line + '\n');
  }

  /** Opens the capture and starts copying its records into `pending`. */
  private async startCapture(filter: string) {
    const live = await import('../live/index.js');
    const source = await live.openLiveCapture({ interface: 'lo', filter });
    const collected = (async () => {
      for await (const batch of source) {
        for (const r of batch) {
          this.pending.push(r.copy());
          this.received++;
        }
      }
    })();
    return {
      stop: async () => {
        await live.settle(source);
        await source.close();
        await collected;
      },
    };
  }

  /** Waits until no packet arrived for a moment (bounded), then prints what the step caused. */
  private async flush(): Promise<void> {
    let last = -1;
    for (let i = 0; i < 40 && last !== this.received; i++) {
      last = this.received;
      await sleep(40);
    }
    for (const r of this.pending.splice(0)) {
      this.io.stdout.write('    ' + this.printer.format(r));
      this.say(`        ^ ${this.explain(r)}`);
    }
  }

  private explain(r: CaptureRecord): string {
    const pkt = this.decoder.decode(r.buf, r.offset, r.capLen, r.linkType, r.origLen);
    if (pkt.tcp && pkt.transportOffset >= 0 && pkt.ipProto === 6) {
      this.tracker.feed(pkt, r.tsSec, r.tsNsec, r.index);
      const t = pkt.tcp;
      const from: Side = t.srcPort === this.clientPort ? 'client' : 'server';
      const data = pkt.payloadLength;
      if (t.rst) return `RST from the ${from}: the connection is aborted`;
      if (t.syn && !t.ack) return 'SYN: connect() on the client opens the connection';
      if (t.syn) {
        this.synAckSeen = true;
        return "SYN+ACK: the server's kernel answers from the listen() backlog; no call on the server yet";
      }
      if (t.fin) {
        this.finFrom.add(from);
        return `FIN: close() on the ${from}${data > 0 ? `, with ${data} bytes of data` : ''}`;
      }
      if (data > 0) return `data: ${data} bytes written by send() on the ${from}`;
      if (this.synAckSeen && !this.handshakeAcked && from === 'client') {
        this.handshakeAcked = true;
        return 'ACK: handshake complete; connect() returns on the client, accept() can return on the server';
      }
      if (this.finFrom.size === 2) return `ACK of the last FIN: the connection is closed (the ${from} waits in TIME_WAIT)`;
      return `ACK from the ${from}'s kernel (no call)`;
    }
    if (pkt.udp && pkt.ipProto === 17) {
      const from: Side = pkt.udp.srcPort === this.clientPort ? 'client' : 'server';
      return `one datagram: sendto() on the ${from} (${pkt.payloadLength} bytes, nothing else: UDP has no handshake or ACK)`;
    }
    return 'not from the demo sockets';
  }

  async tcp(): Promise<void> {
    let accepted: net.Socket | null = null;
    // allowHalfOpen: the server sends its FIN when it calls close(), not as soon as the client's arrives.
    const server = net.createServer({ noDelay: true, allowHalfOpen: true });
    const acceptedOnce = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, resolve);
    });
    this.serverPort = (server.address() as net.AddressInfo).port;
    let capture: { stop(): Promise<void> } | null = null;
    const client = new net.Socket();
    try {
      capture = await this.startCapture(`tcp port ${this.serverPort}`);
      this.say(`wirescope demo tcp: echo server and client on ${HOST}, captured live on lo (tcp port ${this.serverPort})`);
      this.say('');
      this.say(`[server] socket(), bind(${HOST}:${this.serverPort}), listen()   -- no packets: listen() only prepares the socket`);

      this.say(`[client] connect(${HOST}:${this.serverPort})`);
      const connected = new Promise<void>((resolve, reject) => {
        client.once('error', reject);
        client.connect({ host: HOST, port: this.serverPort, noDelay: true }, resolve);
      });
      this.clientPort = await portOnceBound(client);
      await within(connected, 'connect');
      accepted = await within(acceptedOnce, 'accept');
      accepted.on('error', () => {});
      await this.flush();
      this.say(`[server] accept() returned a socket for ${HOST}:${this.clientPort} (only after the final ACK above)`);

      const message = 'hello wirescope\n';
      this.say(`[client] send(${JSON.stringify(message)})`);
      const serverGot = readOnce(accepted);
      client.write(message);
      const got = await within(serverGot, 'server recv');
      await this.flush();

      this.say(`[server] recv() -> ${JSON.stringify(got)}; send() it back`);
      const clientGot = readOnce(client);
      accepted.write(got);
      const echoed = await within(clientGot, 'client recv');
      await this.flush();
      this.say(`[client] recv() -> ${JSON.stringify(echoed)}`);

      this.say('[client] close()');
      const serverEnd = new Promise<void>((resolve) => accepted!.once('end', resolve));
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.end();
      await within(serverEnd, 'server end of stream');
      await this.flush();

      this.say('[server] recv() -> end of stream (0 bytes); close()');
      accepted.end();
      await within(closed, 'client close');
      await this.flush();
    } finally {
      client.destroy();
      accepted?.destroy();
      server.close();
      await capture?.stop();
    }
    this.report();
  }

  async udp(): Promise<void> {
    const server = dgram.createSocket('udp4');
    const client = dgram.createSocket('udp4');
    let capture: { stop(): Promise<void> } | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.bind(0, HOST, () => resolve());
      });
      this.serverPort = server.address().port;
      await new Promise<void>((resolve) => client.bind(0, HOST, () => resolve()));
      this.clientPort = client.address().port;
      capture = await this.startCapture(`udp port ${this.serverPort}`);
      this.say(`wirescope demo udp: echo server and client on ${HOST}, captured live on lo (udp port ${this.serverPort})`);
      this.say('');
      this.say(`[server] socket(SOCK_DGRAM), bind(${HOST}:${this.serverPort})   -- no packets`);
      this.say(`[client] socket(SOCK_DGRAM), bind(${HOST}:${this.clientPort})   -- no packets, and no connect: nothing to set up`);

      const message = 'ping wirescope';
      this.say(`[client] sendto(${JSON.stringify(message)}, ${HOST}:${this.serverPort})`);
      const serverGot = new Promise<[Buffer, dgram.RemoteInfo]>((resolve) => server.once('message', (m, r) => resolve([m, r])));
      client.send(message, this.serverPort, HOST);
      const [msg, from] = await within(serverGot, 'server recvfrom');
      await this.flush();

      this.say(`[server] recvfrom() -> ${JSON.stringify(msg.toString())} from ${from.address}:${from.port}; sendto() it back`);
      const clientGot = new Promise<Buffer>((resolve) => client.once('message', (m) => resolve(m)));
      server.send(msg, from.port, from.address);
      const echoed = await within(clientGot, 'client recvfrom');
      await this.flush();
      this.say(`[client] recvfrom() -> ${JSON.stringify(echoed.toString())}`);
      this.say('[client] close(); [server] close()   -- no packets: UDP has no connection to tear down');
    } finally {
      client.close();
      server.close();
      await capture?.stop();
    }
    await this.flush();
    this.report();
  }

  private report(): void {
    this.say('');
    this.say('handshake report:');
    const connections = this.tracker.finish();
    if (connections.length === 0) this.say('  no TCP connections (UDP has no handshake)');
    else this.io.stdout.write(formatTable(connections) + formatSummary(this.tracker.summary));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects with a UsageError-free timeout so a stuck step cannot hang the demo. */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client's local port, known once connect() has bound the socket. */
async function portOnceBound(sock: net.Socket): Promise<number> {
  for (let i = 0; i < 200; i++) {
    if (sock.localPort) return sock.localPort;
    await sleep(1);
  }
  throw new UsageError('demo: the client socket was never bound');
}

function readOnce(sock: net.Socket): Promise<string> {
  return new Promise((resolve) => sock.once('data', (d: Buffer) => resolve(d.toString())));
}
