/**
 * The two renderings of a described packet. The describer (structured.ts) walks the layers once
 * and calls one of these sinks: `JsonOut` appends JSON text, `TreeOut` appends the -V tree.
 * No object tree is built in between: each field goes straight into the output string.
 */

export type Osi = 2 | 3 | 4 | 7;

const OSI_LABEL: Record<Osi, string> = {
  2: 'layer 2 (data link)',
  3: 'layer 3 (network)',
  4: 'layer 4 (transport)',
  7: 'payload',
};

export function osiLabel(osi: Osi): string {
  return OSI_LABEL[osi];
}

/** Where the describer writes. `json` is a JSON value already serialised; `text` is for people. */
export abstract class StructuredOut {
  /** True when `text` arguments are shown (the tree); the describer may skip building them otherwise. */
  abstract tree: boolean;
  abstract layer(name: string, osi: Osi, title: string, offset: number, length: number): void;
  abstract field(key: string, json: string, text: string, offset: number, size: number): void;
  /** An element of the open array: one JSON value, one tree line labelled `label`. */
  abstract item(json: string, label: string, text: string, offset: number, size: number): void;
  /** Opens a nested object (array = false) or array; `key` is ignored inside an array. */
  abstract open(key: string, array: boolean, text: string, offset: number, size: number): void;
  abstract close(): void;

  num(key: string, v: number, offset: number, size: number, text?: string): void {
    this.field(key, String(v), text ?? String(v), offset, size);
  }
  str(key: string, v: string, offset: number, size: number, text?: string): void {
    this.field(key, JSON.stringify(v), text ?? v, offset, size);
  }
  bool(key: string, v: boolean, offset: number, size: number): void {
    this.field(key, v ? 'true' : 'false', v ? 'set' : 'not set', offset, size);
  }
}

/** JSON text; nesting tracked in a reused bit stack (1 = array). */
export class JsonOut extends StructuredOut {
  tree = false;
  s = '';
  private first = true;
  private arrays: boolean[] = [];

  reset(): void {
    this.s = '';
    this.first = true;
    this.arrays.length = 0;
  }
  private key(key: string): void {
    if (!this.first) this.s += ',';
    this.first = false;
    if (!this.arrays[this.arrays.length - 1]) this.s += `"${key}":`;
  }
  /** Appends ready-made members of the open object. */
  raw(text: string): void {
    this.s += text;
    this.first = false;
  }
  /** Starts an object (top level or inside an array). */
  begin(): void {
    this.s += '{';
    this.first = true;
    this.arrays.push(false);
  }
  layer(name: string, osi: Osi, _title: string, offset: number, length: number): void {
    this.open('', false, '', 0, 0);
    this.s += `"layer":"${name}","osi":${osi},"offset":${offset},"length":${length}`;
    this.first = false;
  }
  field(key: string, json: string): void {
    this.key(key);
    this.s += json;
  }
  // The text for people is never shown here: skip building it.
  override num(key: string, v: number): void {
    this.key(key);
    this.s += v;
  }
  override str(key: string, v: string): void {
    this.key(key);
    this.s += JSON.stringify(v);
  }
  override bool(key: string, v: boolean): void {
    this.key(key);
    this.s += v ? 'true' : 'false';
  }
  item(json: string): void {
    if (!this.first) this.s += ',';
    this.first = false;
    this.s += json;
  }
  open(key: string, array: boolean, _text?: string, _offset?: number, _size?: number): void {
    this.key(key);
    this.s += array ? '[' : '{';
    this.first = true;
    this.arrays.push(array);
  }
  close(): void {
    this.s += this.arrays.pop() ? ']' : '}';
    this.first = false;
  }
}

const PAD = '                                                            ';

/** The -V tree: a header line per layer, then `key  value  @offset` lines, nested by indent. */
export class TreeOut extends StructuredOut {
  tree = true;
  s = '';
  private depth = 0;

  reset(): void {
    this.s = '';
    this.depth = 0;
  }
  /** Layers nest (quoted packets inside ICMP errors); depth 0 is the packet. */
  layer(_name: string, osi: Osi, title: string, offset: number, length: number): void {
    this.open('', false, '', 0, 0);
    this.depth--;
    const ind = PAD.slice(0, 2 + 2 * this.depth);
    this.s += `${ind}${OSI_LABEL[osi]}: ${title}  [${range(offset, length)}]\n`;
    this.depth++;
  }
  field(key: string, _json: string, text: string, offset: number, size: number): void {
    this.line(key, text, offset, size);
  }
  item(_json: string, label: string, text: string, offset: number, size: number): void {
    this.line(label, text, offset, size);
  }
  open(key: string, _array: boolean, text: string, offset: number, size: number): void {
    if (key !== '') this.line(key, text, offset, size);
    else if (text !== '') this.s += `${PAD.slice(0, 2 + 2 * this.depth)}${text}  @${offset}${size > 1 ? '..' + (offset + size - 1) : ''}\n`;
    this.depth++;
  }
  close(): void {
    this.depth--;
  }
  private line(key: string, text: string, offset: number, size: number): void {
    const ind = PAD.slice(0, 2 + 2 * this.depth);
    const kw = 22 - 2 * this.depth;
    const k = key.length < kw ? key + PAD.slice(0, kw - key.length) : key;
    // A field of no bytes (an empty address) has no offset to show.
    if (size <= 0) this.s += `${ind}${k} ${text || '(empty)'}\n`;
    else this.s += `${ind}${k} ${text.length < 34 ? text + PAD.slice(0, 34 - text.length) : text} @${offset}${size > 1 ? '..' + (offset + size - 1) : ''}\n`;
  }
}

const DISPLAY: Record<string, string> = {
  ipv4: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', icmpv6: 'ICMPv6', arp: 'ARP', ethernet: 'Ethernet',
  vlan: 'VLAN', sll: 'SLL', sll2: 'SLL2', null: 'NULL', loop: 'LOOP', raw: 'raw IP', payload: 'payload',
};

/** How a layer is named to people ('ipv4' -> 'IPv4'). */
export function displayName(layer: string): string {
  return DISPLAY[layer] ?? layer;
}

function range(offset: number, length: number): string {
  return length > 0 ? `bytes ${offset}..${offset + length - 1}, ${length} bytes` : `at byte ${offset}, 0 bytes`;
}

/**
 * A layer the decoder stopped in (cut by the capture, or malformed): forwards only the fields
 * whose bytes lie before `limit`, and marks the block as partial.
 */
export class ClippedOut extends StructuredOut {
  tree = false;
  private inner: StructuredOut = new JsonOut();
  private limit = 0;
  private note = '';

  wrap(inner: StructuredOut, limit: number, note: string): this {
    this.inner = inner;
    this.tree = inner.tree;
    this.limit = limit;
    this.note = note;
    return this;
  }
  layer(name: string, osi: Osi, _title: string, offset: number, length: number): void {
    const got = Math.max(0, Math.min(length, this.limit - offset));
    const title = this.tree ? `${displayName(name)}, partial: ${this.note}, ${got} of ${length} header bytes captured` : '';
    this.inner.layer(name, osi, title, offset, got);
    if (!this.tree) this.inner.field('partial', 'true', '', offset, 0);
  }
  field(key: string, json: string, text: string, offset: number, size: number): void {
    if (offset + size <= this.limit) this.inner.field(key, json, text, offset, size);
  }
  item(json: string, label: string, text: string, offset: number, size: number): void {
    if (offset + size <= this.limit) this.inner.item(json, label, text, offset, size);
  }
  open(key: string, array: boolean, text: string, offset: number, size: number): void {
    this.inner.open(key, array, text, offset, size);
  }
  close(): void {
    this.inner.close();
  }
}
