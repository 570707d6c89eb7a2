/**
 * The shared benchmark capture: >= 1,000,000 Ethernet frames (60-1500 bytes) built with our
 * encoder, written once to `<dataDir>/big-v2.pcap` and reused (the name carries a version: bump
 * it when the traffic mix changes).
 *
 * Traffic: a deterministic PRNG drives 64 interleaved "slots", each running one conversation at
 * a time over a fresh 4-tuple: TCP connections (SYN with MSS/SACK-permitted/timestamps/window
 * scale, SYN-ACK, ACK, request/response data segments with delayed ACKs, FIN both ways, last
 * ACK; a few refused with RST) or UDP request/response exchanges. Half the conversations are
 * IPv4, half IPv6. Sequence numbers, acknowledgements and checksums are all consistent, so the
 * tracker bench can use the same file.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodePacket, encodedLength, type PacketSpec, type TcpOptionSpec } from '../src/codec/index.js';

export const BIG_PACKETS = 1_000_000;
const FILE = 'big-v2.pcap';
const SLOTS = 64;
const MAX_FRAME = 1500;
const MIN_FRAME = 60;

/** Makes the capture unless it is already there; returns its path. */
export async function ensureBigCapture(dataDir: string): Promise<string> {
  const path = join(dataDir, FILE);
  if (existsSync(path) && statSync(path).size > 24 + BIG_PACKETS * (16 + MIN_FRAME)) return path;
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeBigCapture(tmp, BIG_PACKETS);
  renameSync(tmp, path);
  return path;
}

/** mulberry32: small, fast, and the same file on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Endpoint {
  mac: string;
  ip: string;
  port: number;
  seq: number;
  ts: number;
}

/** One conversation: yields its packets one at a time. */
type Conversation = Generator<PacketSpec, void, void>;

export function writeBigCapture(path: string, count: number): void {
  const rand = prng(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const payloadPool = Buffer.alloc(4096);
  for (let i = 0; i < payloadPool.length; i++) payloadPool[i] = 32 + int(95);
  const bytes = (n: number) => {
    const at = int(payloadPool.length - n);
    return payloadPool.subarray(at, at + n);
  };

  let nextClient = 0;
  const endpoints = (v6: boolean): [Endpoint, Endpoint] => {
    const c = nextClient++;
    const host = 1 + (c % 250);
    const net = (c >> 8) & 255;
    const client: Endpoint = {
      mac: `02:00:00:00:${net.toString(16).padStart(2, '0')}:${host.toString(16).padStart(2, '0')}`,
      ip: v6 ? `fd00:be::${net.toString(16)}:${host.toString(16)}` : `10.${net}.${(c >> 16) & 255}.${host}`,
      port: 32768 + (c % 28232), // Linux ephemeral range
      seq: int(0x100000000),
      ts: int(0x100000000),
    };
    const server: Endpoint = {
      mac: '02:00:00:00:ff:01',
      ip: v6 ? `fd00:be::${(1 + (c % 16)).toString(16)}:1` : `192.168.${c % 16}.1`,
      port: [80, 443, 8080, 5432][c % 4]!,
      seq: int(0x100000000),
      ts: int(0x100000000),
    };
    return [client, server];
  };

  function* tcpConversation(): Conversation {
    const v6 = rand() < 0.5;
    const [c, s] = endpoints(v6);
    const overhead = 14 + (v6 ? 40 : 20) + 32;
    const mss = MAX_FRAME - overhead;
    const seg = (from: Endpoint, to: Endpoint, flags: number, len: number, opts?: TcpOptionSpec[]): PacketSpec => {
      const spec: PacketSpec = {
        link: { type: 'ethernet', src: from.mac, dst: to.mac },
        network: v6
          ? { type: 'ipv6', src: from.ip, dst: to.ip, hopLimit: 64 }
          : { type: 'ipv4', src: from.ip, dst: to.ip, ttl: 64, df: true, id: int(65536) },
        transport: {
          type: 'tcp', srcPort: from.port, dstPort: to.port, seq: from.seq,
          ack: flags & 0x10 ? to.seq : 0, flags, window: 502 + int(64),
          options: opts ?? [{ type: 'nop' }, { type: 'nop' }, { type: 'timestamps', tsVal: from.ts, tsEcr: to.ts }],
        },
        payload: len ? bytes(len) : undefined,
      };
      from.seq = (from.seq + len + (flags & 0x03 ? 1 : 0)) >>> 0;
      from.ts = (from.ts + 1) >>> 0;
      pad(spec);
      return spec;
    };
    const synOpts = (e: Endpoint, peer: Endpoint, syn: boolean): TcpOptionSpec[] => [
      { type: 'mss', value: mss }, { type: 'sackPermitted' },
      { type: 'timestamps', tsVal: e.ts, tsEcr: syn ? 0 : peer.ts }, { type: 'nop' }, { type: 'wscale', shift: 7 },
    ];
    yield seg(c, s, 0x02, 0, synOpts(c, s, true));
    if (rand() < 0.03) {
      // Refused: RST+ACK from the server.
      yield seg(s, c, 0x14, 0, []);
      return;
    }
    yield seg(s, c, 0x12, 0, synOpts(s, c, false));
    yield seg(c, s, 0x10, 0);
    const rounds = 1 + int(8);
    for (let r = 0; r < rounds; r++) {
      yield seg(c, s, 0x18, 20 + int(400));
      let left = int(12000);
      let unacked = 0;
      while (left > 0) {
        const n = Math.min(left, 1 + int(mss));
        left -= n;
        yield seg(s, c, left > 0 ? 0x10 : 0x18, n);
        if (++unacked === 2) {
          yield seg(c, s, 0x10, 0);
          unacked = 0;
        }
      }
      if (unacked) yield seg(c, s, 0x10, 0);
    }
    yield seg(c, s, 0x11, 0);
    yield seg(s, c, 0x11, 0);
    yield seg(c, s, 0x10, 0);
  }

  function* udpConversation(): Conversation {
    const v6 = rand() < 0.5;
    const [c, s] = endpoints(v6);
    // Ports no tcpdump dissector claims: the payload is filler, not DNS/NTP/QUIC.
    s.port = 40000 + int(1000);
    const max = MAX_FRAME - 14 - (v6 ? 40 : 20) - 8;
    const dgram = (from: Endpoint, to: Endpoint, len: number): PacketSpec => {
      const spec: PacketSpec = {
        link: { type: 'ethernet', src: from.mac, dst: to.mac },
        network: v6
          ? { type: 'ipv6', src: from.ip, dst: to.ip, hopLimit: 64 }
          : { type: 'ipv4', src: from.ip, dst: to.ip, ttl: 64, id: int(65536) },
        transport: { type: 'udp', srcPort: from.port, dstPort: to.port },
        payload: bytes(len),
      };
      pad(spec);
      return spec;
    };
    // Request/response flows of 1-30 exchanges: about a third of the packets end up UDP.
    const exchanges = 1 + int(30);
    for (let i = 0; i < exchanges; i++) {
      yield dgram(c, s, 8 + int(200));
      yield dgram(s, c, 8 + int(max - 8));
    }
  }

  const newConversation = (): Conversation => (rand() < 0.5 ? tcpConversation() : udpConversation());
  const slots: Conversation[] = [];
  for (let i = 0; i < SLOTS; i++) slots.push(newConversation());

  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(8 << 20);
  let used = 0;
  const flush = () => {
    writeSync(fd, chunk, 0, used);
    used = 0;
  };
  // pcap global header: little-endian, microseconds, v2.4, snaplen 262144, Ethernet.
  chunk.writeUInt32LE(0xa1b2c3d4, 0);
  chunk.writeUInt16LE(2, 4);
  chunk.writeUInt16LE(4, 6);
  chunk.writeUInt32LE(0, 8);
  chunk.writeUInt32LE(0, 12);
  chunk.writeUInt32LE(262144, 16);
  chunk.writeUInt32LE(1, 20);
  used = 24;
  let usec = 1_700_000_000 * 1_000_000;
  try {
    for (let n = 0; n < count; n++) {
      const i = int(SLOTS);
      let next = slots[i]!.next();
      while (next.done) {
        slots[i] = newConversation();
        next = slots[i]!.next();
      }
      if (used + 16 + MAX_FRAME > chunk.length) flush();
      const frame = encodePacket(next.value, chunk, used + 16);
      usec += 1 + int(20);
      chunk.writeUInt32LE(Math.floor(usec / 1_000_000), used);
      chunk.writeUInt32LE(usec % 1_000_000, used + 4);
      chunk.writeUInt32LE(frame.length, used + 8);
      chunk.writeUInt32LE(frame.length, used + 12);
      used += 16 + frame.length;
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

/** Ethernet's 60-byte minimum: short frames get zero padding after the packet, as NICs add it. */
function pad(spec: PacketSpec): void {
  const len = encodedLength(spec);
  if (len < MIN_FRAME && spec.link.type === 'ethernet') spec.link.trailer = new Uint8Array(MIN_FRAME - len);
}
