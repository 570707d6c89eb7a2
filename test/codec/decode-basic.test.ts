import { describe, expect, it } from 'vitest';
import { Layer, PacketDecoder, layerName } from '../../src/codec/index.js';

// A SYN from 10.0.0.1:40000 to 10.0.0.2:80 over Ethernet, written out field by field; the IPv4
// and TCP checksum values are the ones tshark 4.0 calculates for these bytes.
const synHex = [
  '02 00 00 00 00 02', '02 00 00 00 00 01', '08 00', // ethernet
  '45 00 00 3c', '12 34 40 00', '40 06 14 86', '0a 00 00 01', '0a 00 00 02', // ipv4, 60 bytes
  '9c 40 00 50', '00 00 03 e8', '00 00 00 00', 'a0 02 fa f0', 'b6 52 00 00', // tcp header
  '02 04 05 b4', '04 02 08 0a', '00 01 e2 40', '00 00 00 00', '01 03 03 07', // MSS SACKOK TS NOP WS
].join(' ');
const syn = Buffer.from(synHex.replace(/ /g, ''), 'hex');

describe('PacketDecoder basics', () => {
  it('decodes an Ethernet/IPv4/TCP SYN', () => {
    const d = new PacketDecoder();
    const p = d.decode(syn, 0, syn.length, 1);
    expect(p.issue).toBeNull();
    expect([...Array(p.layerCount).keys()].map((i) => layerName(p.layerAt(i)))).toEqual(['ethernet', 'ipv4', 'tcp']);
    expect(p.eth.dstString()).toBe('02:00:00:00:00:02');
    expect(p.etherType).toBe(0x0800);
    expect(p.ip4.srcString()).toBe('10.0.0.1');
    expect(p.ip4.dst).toBe(0x0a000002);
    expect(p.ip4.df).toBe(true);
    expect(p.ip4.ttl).toBe(64);
    expect(p.tcp.srcPort).toBe(40000);
    expect(p.tcp.dstPort).toBe(80);
    expect(p.tcp.seq).toBe(1000);
    expect(p.tcp.syn).toBe(true);
    expect(p.tcp.ackFlag).toBe(false);
    expect(p.tcp.window).toBe(64240);
    expect(p.tcp.mss).toBe(1460);
    expect(p.tcp.sackPermitted).toBe(true);
    expect(p.tcp.tsVal).toBe(123456);
    expect(p.tcp.windowScale).toBe(7);
    expect(p.payloadLength).toBe(0);
    expect(p.ip4.checksumStatus()).toBe('correct');
    expect(p.tcp.checksumStatus()).toBe('correct');
  });

  it('flags a wrong checksum and names the expected value', () => {
    const bad = Buffer.from(syn);
    bad[14 + 10] = 0x14;
    bad[14 + 11] = 0x78;
    bad[34 + 16] = 0xd8;
    bad[34 + 17] = 0x9c;
    const p = new PacketDecoder().decode(bad, 0, bad.length, 1);
    expect(p.ip4.checksumStatus()).toBe('incorrect');
    expect(p.ip4.expectedChecksum()).toBe(0x1486);
    expect(p.tcp.checksumStatus()).toBe('incorrect');
    expect(p.tcp.expectedChecksum()).toBe(0xb652);
  });

  it('reports truncation with layer and offset and keeps earlier layers', () => {
    const d = new PacketDecoder();
    const p = d.decode(syn, 0, 14 + 20 + 10, 1, syn.length);
    expect(p.has(Layer.Ipv4)).toBe(true);
    expect(p.has(Layer.Tcp)).toBe(false);
    expect(p.issue).toEqual({ layer: Layer.Tcp, reason: 'truncated', offset: 34 });
    expect(p.truncated).toBe(true);
    expect(p.ip4.srcString()).toBe('10.0.0.1');
  });

  it('reuses the same Packet object', () => {
    const d = new PacketDecoder();
    expect(d.decode(syn, 0, syn.length, 1)).toBe(d.decode(syn, 0, 20, 1));
  });
});
