/**
 * A pcapng/pcap block builder for edge cases no tool writes (binary timestamp resolutions,
 * timestamp offsets, simple and obsolete packet blocks, sections of both byte orders, blocks
 * to skip). Written from the spec for the tests, independent of src/capture.
 */
export type Option = [code: number, value: Buffer];

export class NgBuilder {
  private readonly parts: Buffer[] = [];
  be = false;

  u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.be) b.writeUInt16BE(v);
    else b.writeUInt16LE(v);
    return b;
  }

  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.be) b.writeUInt32BE(v >>> 0);
    else b.writeUInt32LE(v >>> 0);
    return b;
  }

  i64(v: bigint): Buffer {
    const b = Buffer.alloc(8);
    if (this.be) b.writeBigInt64BE(v);
    else b.writeBigInt64LE(v);
    return b;
  }

  options(opts: Option[]): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const [code, value] of opts) parts.push(this.u16(code), this.u16(value.length), pad(value));
    parts.push(this.u32(0));
    return Buffer.concat(parts);
  }

  block(type: number, body: Buffer): this {
    const padded = pad(body);
    const len = 12 + padded.length;
    this.parts.push(this.u32(type), this.u32(len), padded, this.u32(len));
    return this;
  }

  section(be: boolean, version: [number, number] = [1, 0], opts: Option[] = []): this {
    this.be = be;
    const body = Buffer.concat([this.u32(0x1a2b3c4d), this.u16(version[0]), this.u16(version[1]), Buffer.alloc(8, 0xff), this.options(opts)]);
    return this.block(0x0a0d0d0a, body);
  }

  idb(linkType: number, snaplen: number, opts: Option[] = []): this {
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), this.options(opts)]));
  }

  epb(ifId: number, ts: bigint, data: Buffer, origLen = data.length, opts: Option[] = []): this {
    const hi = Number(ts >> 32n);
    const lo = Number(ts & 0xffffffffn);
    const body = Buffer.concat([this.u32(ifId), this.u32(hi), this.u32(lo), this.u32(data.length), this.u32(origLen), pad(data), this.options(opts)]);
    return this.block(6, body);
  }

  obsoletePacket(ifId: number, ts: bigint, data: Buffer, origLen = data.length): this {
    const body = Buffer.concat([
      this.u16(ifId),
      this.u16(0),
      this.u32(Number(ts >> 32n)),
      this.u32(Number(ts & 0xffffffffn)),
      this.u32(data.length),
      this.u32(origLen),
      pad(data),
    ]);
    return this.block(2, body);
  }

  spb(origLen: number, data: Buffer): this {
    return this.block(3, Buffer.concat([this.u32(origLen), pad(data)]));
  }

  isb(ifId: number): this {
    return this.block(5, Buffer.concat([this.u32(ifId), this.u32(0), this.u32(1), this.options([[4, this.i64(7n)]])]));
  }

  nrb(): this {
    const ip = Buffer.from([127, 0, 0, 1]);
    const name = Buffer.from('localhost\0');
    return this.block(4, Buffer.concat([this.u16(1), this.u16(4 + name.length), pad(Buffer.concat([ip, name])), this.u32(0)]));
  }

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function pad(b: Buffer): Buffer {
  const n = (b.length + 3) & ~3;
  return n === b.length ? b : Buffer.concat([b, Buffer.alloc(n - b.length)]);
}

export const u8 = (v: number): Buffer => Buffer.from([v]);

/** A frame of `n` bytes whose content tells records apart. */
export function frame(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i) & 0xff;
  return b;
}
