/**
 * `wirescope handshakes` reads plain command lines itself and hands everything else to
 * commander; for every line it reads itself, the result must be what commander gives.
 */
import { describe, expect, it } from 'vitest';
import { handshakesProgram, parseHandshakesQuick } from '../../src/cli/handshakes.js';

function viaCommander(argv: string[]): { opts: object; args: string[] } {
  const cmd = handshakesProgram(() => undefined, () => undefined);
  cmd.parse(argv, { from: 'user' });
  return { opts: cmd.opts(), args: cmd.args };
}

const plain: string[][] = [
  ['a.pcap'],
  ['a.pcap', '--json'],
  ['--json', 'a.pcap', 'b.pcap', 'tcp', 'port', '80'],
  ['a.pcap', '--require-complete', '--no-violations', '--max-refused', '0'],
  ['--expect-connections', '3', 'a.pcap', '--max-syn-retries', '2', '--max-handshake-rtt', '5ms'],
  ['--server', '10.0.0.2:7', '--junit', 'out.xml', 'a.pcap'],
  ['--server', '[::1]:80', 'a.pcap', 'not', 'port', '22'],
  ['--max-connections', '100', '-c', '5', 'a.pcap'],
  ['--count', '5', '--max-connections', '7', '--max-connections', '9', 'a.pcap'],
  ['-i', 'lo', '--duration', '2s', 'tcp', 'port', '8080'],
  ['--interface', 'eth0', '--json'],
  ['a.pcap', 'portrange', '1-100'],
  [],
];

const handedOn: string[][] = [
  ['--help'],
  ['-h'],
  ['-', '--json'],
  ['--', 'a.pcap'],
  ['--json=1', 'a.pcap'],
  ['--max-refused'],
  ['--max-refused', '-1', 'a.pcap'],
  ['--unknown', 'a.pcap'],
  ['-x', 'a.pcap'],
];

describe('handshakes command line', () => {
  it.each(plain.map((a) => [a.join(' ') || '(empty)', a] as const))('reads %s as commander does', (_, argv) => {
    const quick = parseHandshakesQuick(argv);
    expect(quick).not.toBeNull();
    const ref = viaCommander(argv);
    expect({ opts: { ...quick!.opts }, args: quick!.args }).toEqual({ opts: { ...ref.opts }, args: ref.args });
  });

  it.each(handedOn.map((a) => [a.join(' '), a] as const))('hands %s to commander', (_, argv) => {
    expect(parseHandshakesQuick(argv)).toBeNull();
  });
});
