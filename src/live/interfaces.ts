/**
 * `wirescope -D`: the interfaces libpcap can open, numbered and flagged as `tcpdump -D` prints
 * them. `cap` reports only names, descriptions, addresses and the loopback flag, so the
 * up/running/connection flags are read from /sys/class/net the way libpcap derives them.
 */
import { readFileSync } from 'node:fs';
import type { CapDevice, CapModule } from './binding.js';

export type ConnectionStatus = 'connected' | 'disconnected' | 'unknown' | 'not-applicable';

export interface InterfaceAddress {
  address: string;
  netmask?: string;
  broadcast?: string;
}

export interface InterfaceListing {
  /** 1-based number, usable as `-i N` like tcpdump's. */
  index: number;
  name: string;
  description?: string;
  up: boolean;
  running: boolean;
  loopback: boolean;
  wireless: boolean;
  connection: ConnectionStatus;
  addresses: InterfaceAddress[];
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

export function listInterfacesWith(cap: CapModule): InterfaceListing[] {
  return cap.Cap.deviceList().map((dev, i) => describe(dev, i + 1));
}

function describe(dev: CapDevice, index: number): InterfaceListing {
  const sysFlags = readSys(dev.name, 'flags');
  const flags = sysFlags === null ? 0 : Number.parseInt(sysFlags, 16) || 0;
  const loopback = dev.flags === 'PCAP_IF_LOOPBACK' || (flags & IFF_LOOPBACK) !== 0;
  let up = (flags & IFF_UP) !== 0;
  // The kernel reports IFF_RUNNING (SIOCGIFFLAGS) for an up device whose operstate is up or
  // unknown; the sysfs flags file leaves that bit out, so derive it the same way.
  const operstate = readSys(dev.name, 'operstate');
  let running = up && (operstate === 'up' || operstate === 'unknown');
  // libpcap's Bluetooth monitor pseudo-device is flagged wireless and nothing else.
  const wireless = dev.name.startsWith('bluetooth');
  let connection: ConnectionStatus = 'unknown';
  if (dev.name === 'any') {
    // libpcap marks its pseudo-device up and running; connection status does not apply.
    up = running = true;
    connection = 'not-applicable';
  } else if (loopback) {
    connection = 'not-applicable';
  } else if (sysFlags !== null) {
    // libpcap asks ETHTOOL_GLINK, which for most drivers reports the carrier; the carrier file
    // cannot be read while the device is down, where libpcap also ends up with "unknown".
    const carrier = readSys(dev.name, 'carrier');
    if (carrier === '1') connection = 'connected';
    else if (carrier === '0') connection = 'disconnected';
  }
  const listing: InterfaceListing = {
    index,
    name: dev.name,
    up,
    running,
    loopback,
    wireless,
    connection,
    addresses: dev.addresses.flatMap((a) => (a.addr ? [toAddress(a.addr, a.netmask, a.broadaddr)] : [])),
  };
  if (dev.description !== undefined) listing.description = dev.description;
  return listing;
}

function toAddress(address: string, netmask?: string, broadcast?: string): InterfaceAddress {
  const out: InterfaceAddress = { address };
  if (netmask) out.netmask = netmask;
  if (broadcast) out.broadcast = broadcast;
  return out;
}

/** False only when sysfs says the network device exists and is administratively down. */
export function deviceIsUp(name: string): boolean {
  const flags = readSys(name, 'flags');
  return flags === null || (Number.parseInt(flags, 16) & IFF_UP) !== 0;
}

/** The interface MTU from sysfs; 0 when unknown (pseudo-devices). */
export function interfaceMtu(name: string): number {
  const mtu = Number(readSys(name, 'mtu'));
  return Number.isFinite(mtu) ? mtu : 0;
}

function readSys(name: string, file: string): string | null {
  if (name.includes('/') || name.startsWith('.')) return null;
  try {
    return readFileSync(`/sys/class/net/${name}/${file}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** tcpdump -D's line: `1.eth0 [Up, Running, Connected]`, `2.any (Pseudo-device ...) [Up, Running]`. */
export function formatInterfaceLine(l: InterfaceListing): string {
  const flags: string[] = [];
  if (l.up) flags.push('Up');
  if (l.running) flags.push('Running');
  if (l.loopback) flags.push('Loopback');
  if (l.wireless) flags.push('Wireless');
  if (flags.length === 0) flags.push('none');
  if (l.connection === 'connected') flags.push('Connected');
  else if (l.connection === 'disconnected') flags.push('Disconnected');
  const description = l.description !== undefined ? ` (${l.description})` : '';
  return `${l.index}.${l.name}${description} [${flags.join(', ')}]`;
}

/** The `-D` listing: tcpdump's line per interface, then its addresses indented below it. */
export function formatInterfaceListing(list: readonly InterfaceListing[]): string {
  const lines: string[] = [];
  for (const l of list) {
    lines.push(formatInterfaceLine(l));
    for (const a of l.addresses) lines.push(`\t${a.address}${prefixSuffix(a.netmask)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** "/24" for a contiguous netmask (IPv4 dotted or IPv6), "" when absent or not a prefix. */
export function prefixSuffix(netmask: string | undefined): string {
  if (!netmask) return '';
  let bits = 0;
  if (netmask.includes('.')) {
    for (const part of netmask.split('.')) bits += popcount(Number(part) & 0xff);
  } else {
    const groups = expandIpv6(netmask);
    if (!groups) return '';
    for (const g of groups) bits += popcount(g);
  }
  return `/${bits}`;
}

function popcount(v: number): number {
  let n = 0;
  for (let x = v; x; x &= x - 1) n++;
  return n;
}

function expandIpv6(text: string): number[] | null {
  const [head = '', tail] = text.split('::');
  const a = head ? head.split(':') : [];
  const b = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - a.length - b.length : 0;
  if (fill < 0) return null;
  const parts = [...a, ...Array<string>(fill).fill('0'), ...b];
  return parts.length === 8 ? parts.map((p) => Number.parseInt(p, 16) || 0) : null;
}
