/**
 * Turns the decision graph (or, for protochain, the test tree) into one JavaScript function
 * (via `new Function`) that reads the Buffer directly. Only integers and booleans produced
 * here are spliced into the source — never text from the expression — so the generated code
 * cannot be steered by the filter string. The function allocates nothing: locals are numbers
 * and one boolean; graph nodes reached from several places become functions defined once.
 */
import type { Ref, Test } from './dag.js';
import type { Bool, Val } from './ir.js';

export type PacketFilter = (buf: Buffer, offset: number, capLen: number, origLen: number) => boolean;

/** Upper bound on protochain iterations; libpcap's loop can spin forever on a crafted AH. */
const CHAIN_LIMIT = 64;

/**
 * What is known at a point of the generated code: loads already done (and so in bounds) and the
 * largest `cap` bound already checked. Facts learnt inside an `if` block die with the block;
 * facts from before it hold inside it, because the code only nests, never jumps.
 */
interface Scope {
  loads: Map<string, string>;
  checked: number;
}

class Emitter {
  private lines: string[] = [];
  private depth = 1;
  private temps = 0;
  private scopes: Scope[] = [{ loads: new Map(), checked: 0 }];

  line(s: string): void {
    this.lines.push('  '.repeat(this.depth) + s);
  }

  open(s: string): void {
    this.line(s + ' {');
    this.depth++;
    const top = this.scope;
    this.scopes.push({ loads: new Map(top.loads), checked: top.checked });
  }

  close(): void {
    this.depth--;
    this.line('}');
    this.scopes.pop();
  }

  private get scope(): Scope {
    return this.scopes[this.scopes.length - 1]!;
  }

  /** Rejects the packet unless `n` bytes were captured (once per path). */
  need(n: number): void {
    if (n <= this.scope.checked) return;
    this.line(`if (cap < ${int(n)}) return false;`);
    this.scope.checked = n;
  }

  /** A value already loaded on every path to here, by key. */
  known(key: string): string | undefined {
    return this.scope.loads.get(key);
  }

  remember(key: string, temp: string): void {
    this.scope.loads.set(key, temp);
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  source(): string {
    return `${this.decl()}let r = false;\n${this.lines.join('\n')}\nreturn r;`;
  }

  /** Body for code that ends in its own `return`s (decision-graph functions). */
  body(): string {
    return `${this.decl()}let r = false;\n${this.lines.join('\n')}`;
  }

  private decl(): string {
    return this.temps > 0 ? `let ${Array.from({ length: this.temps }, (_, i) => `t${i} = 0`).join(', ')};\n` : '';
  }
}

function int(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`internal: non-integer ${n} in filter code`);
  return String(n);
}

/** Byte-reading expression for `size` bytes at the absolute JS expression `at`. */
function read(size: 1 | 2 | 4, at: string): string {
  if (size === 1) return `buf[${at}]`;
  if (size === 2) return `(buf[${at}] << 8 | buf[${at} + 1])`;
  return `((buf[${at}] << 24 | buf[${at} + 1] << 16 | buf[${at} + 2] << 8 | buf[${at} + 3]) >>> 0)`;
}

/** Emits statements computing `v`; returns an expression (a temp or a constant) for it. */
function emitVal(e: Emitter, v: Val): string {
  switch (v.t) {
    case 'k':
      return int(v.v);
    case 'len':
      return 'len';
    case 'ld': {
      if (v.iphl < 0 && v.idx === null) {
        const key = `${v.size}@${v.off}`;
        const have = e.known(key);
        if (have) return have;
        e.need(v.off + v.size);
        const t = e.temp();
        e.line(`${t} = ${read(v.size, `o + ${int(v.off)}`)};`);
        e.remember(key, t);
        return t;
      }
      // Variable offset: BPF computes the index in 32 bits, then bounds-checks index + k.
      let x: string;
      if (v.iphl >= 0) {
        const hkey = `hl@${v.iphl}`;
        let hl = e.known(hkey);
        if (!hl) {
          e.need(v.iphl + 1);
          hl = e.temp();
          e.line(`${hl} = (buf[o + ${int(v.iphl)}] & 15) << 2;`);
          e.remember(hkey, hl);
        }
        x = hl;
        if (v.idx) {
          const i = emitVal(e, v.idx);
          x = e.temp();
          e.line(`${x} = (${hl} + ${i}) >>> 0;`);
        }
      } else {
        x = e.temp();
        const i = emitVal(e, v.idx as Val);
        e.line(`${x} = ${i};`);
      }
      e.line(`if (${x} + ${int(v.off + v.size)} > cap) return false;`);
      const t = e.temp();
      e.line(`${t} = ${read(v.size, `o + ${x} + ${int(v.off)}`)};`);
      return t;
    }
    case 'neg': {
      const a = emitVal(e, v.a);
      const t = e.temp();
      e.line(`${t} = (-${a}) >>> 0;`);
      return t;
    }
    case 'alu': {
      const a = emitVal(e, v.a);
      const b = emitVal(e, v.b);
      const t = e.temp();
      switch (v.op) {
        case '+': e.line(`${t} = (${a} + ${b}) >>> 0;`); break;
        case '-': e.line(`${t} = (${a} - ${b}) >>> 0;`); break;
        case '*': e.line(`${t} = Math.imul(${a}, ${b}) >>> 0;`); break;
        case '/':
          e.line(`if (${b} === 0) return false;`);
          e.line(`${t} = Math.floor(${a} / ${b}) >>> 0;`);
          break;
        case '%':
          e.line(`if (${b} === 0) return false;`);
          e.line(`${t} = (${a} % ${b}) >>> 0;`);
          break;
        case '&': e.line(`${t} = (${a} & ${b}) >>> 0;`); break;
        case '|': e.line(`${t} = (${a} | ${b}) >>> 0;`); break;
        case '^': e.line(`${t} = (${a} ^ ${b}) >>> 0;`); break;
        case '<<': e.line(`${t} = ${b} < 32 ? (${a} << ${b}) >>> 0 : 0;`); break;
        case '>>': e.line(`${t} = ${b} < 32 ? ${a} >>> ${b} : 0;`); break;
      }
      return t;
    }
  }
}

function emitBool(e: Emitter, b: Bool): void {
  switch (b.t) {
    case 'const':
    case 'fixed':
      e.line(`r = ${b.v};`);
      return;
    case 'and':
      emitBool(e, b.a);
      e.open('if (r)');
      emitBool(e, b.b);
      e.close();
      return;
    case 'or':
      emitBool(e, b.a);
      e.open('if (!r)');
      emitBool(e, b.b);
      e.close();
      return;
    case 'not':
      emitBool(e, b.a);
      e.line('r = !r;');
      return;
    case 'cmp': {
      const a = emitVal(e, b.a);
      const c = emitVal(e, b.b);
      if (b.op === '&') e.line(`r = (${a} & ${c}) !== 0;`);
      else e.line(`r = ${a} ${b.op === '==' ? '===' : b.op} ${c};`);
      return;
    }
    case 'chain':
      emitChain(e, b);
      return;
  }
}

/**
 * libpcap's protochain loop, step for step: A = next header, X = header offset (from the
 * network layer). Hop-by-hop (0), destination options (60), routing (43) and fragment (44)
 * advance X by (len + 1) * 8; AH (51) sets X to (len + 2) * 4 — not X plus it, as libpcap does.
 */
function emitChain(e: Emitter, b: { nl: number; ipv4: boolean; proto: number }): void {
  const a = e.temp();
  const x = e.temp();
  const n = e.temp();
  const nl = int(b.nl);
  if (b.ipv4) {
    e.line(`if (cap < ${int(b.nl + 10)}) return false;`);
    e.line(`${a} = buf[o + ${int(b.nl + 9)}];`);
    e.line(`${x} = (buf[o + ${nl}] & 15) << 2;`);
  } else {
    e.line(`if (cap < ${int(b.nl + 7)}) return false;`);
    e.line(`${a} = buf[o + ${int(b.nl + 6)}];`);
    e.line(`${x} = 40;`);
  }
  e.line(`r = false;`);
  e.open(`for (${n} = 0; ${n} < ${CHAIN_LIMIT}; ${n}++)`);
  e.open(`if (${a} === ${int(b.proto)})`);
  e.line('r = true;');
  e.line('break;');
  e.close();
  if (!b.ipv4) {
    e.line(`if (${a} === 59) break;`);
    e.open(`if (${a} === 0 || ${a} === 60 || ${a} === 43 || ${a} === 44)`);
    e.line(`if (${x} + ${int(b.nl + 2)} > cap) return false;`);
    e.line(`${a} = buf[o + ${x} + ${nl}];`);
    e.line(`${x} = (${x} + (buf[o + ${x} + ${nl} + 1] + 1) * 8) >>> 0;`);
    e.line('continue;');
    e.close();
  } else {
    e.line(`if (${a} === 59) break;`);
  }
  e.open(`if (${a} === 51)`);
  e.line(`if (${x} + ${int(b.nl + 2)} > cap) return false;`);
  e.line(`${a} = buf[o + ${x} + ${nl}];`);
  e.line(`${x} = (buf[o + ${x} + ${nl} + 1] + 2) * 4;`);
  e.line('continue;');
  e.close();
  e.line('break;');
  e.close();
}

/** Emits the computation of a test; returns the JS condition. */
function emitTest(e: Emitter, t: Test): string {
  if (t.t === 'fixed') return String(t.v);
  if (t.t === 'chain') {
    emitChain(e, t);
    return 'r';
  }
  const a = emitVal(e, t.a);
  const c = emitVal(e, t.b);
  if (t.op === '&') return `(${a} & ${c}) !== 0`;
  return `${a} ${t.op === '==' ? '===' : t.op} ${c}`;
}

function emitRef(e: Emitter, r: Ref, shared: Set<number>, root: boolean): void {
  if (typeof r === 'boolean') {
    e.line(`return ${r};`);
    return;
  }
  if (r.test.t === 'fixed') {
    // A pass-through block (no statements): go on to its outcome.
    emitRef(e, r.jt, shared, false);
    return;
  }
  if (r.jt === r.jf) {
    // A test whose outcome no longer matters but whose loads libpcap still runs.
    emitTest(e, r.test);
    emitRef(e, r.jt, shared, false);
    return;
  }
  if (!root && shared.has(r.id)) {
    e.line(`return n${int(r.id)}(buf, o, cap, len);`);
    return;
  }
  const cond = emitTest(e, r.test);
  e.open(`if (${cond})`);
  emitRef(e, r.jt, shared, false);
  e.close();
  emitRef(e, r.jf, shared, false);
}

/**
 * Source of a factory returning the predicate for a decision graph: nodes reached from more
 * than one place become functions (defined once, outside the predicate, so calls allocate
 * nothing); the rest is nested inline.
 */
export function generateDagSource(root: Ref, prelude: readonly Test[] = []): string {
  const indegree = new Map<number, number>();
  const order: Exclude<Ref, boolean>[] = [];
  const visit = (r: Ref): void => {
    if (typeof r === 'boolean') return;
    const n = indegree.get(r.id);
    indegree.set(r.id, (n ?? 0) + 1);
    if (n !== undefined) return;
    order.push(r);
    visit(r.jt);
    visit(r.jf);
  };
  visit(root);
  const shared = new Set<number>();
  for (const [id, n] of indegree) if (n > 1) shared.add(id);
  const parts: string[] = ['"use strict";'];
  for (const n of order) {
    if (!shared.has(n.id) || n === root) continue;
    const e = new Emitter();
    emitRef(e, n, shared, true);
    parts.push(`function n${int(n.id)}(buf, o, cap, len) {\n${e.body()}\n}`);
  }
  const e = new Emitter();
  // Statements of root tests libpcap skipped: computed for their bounds checks only.
  for (const t of prelude) emitTest(e, t);
  emitRef(e, root, shared, true);
  parts.push(`return function filter(buf, o, cap, len) {\n${e.body()}\n};`);
  return parts.join('\n');
}

export function buildDagPredicate(root: Ref, prelude: readonly Test[] = []): PacketFilter {
  if (typeof root === 'boolean' && prelude.length === 0) return root ? () => true : () => false;
  const factory = new Function(generateDagSource(root, prelude)) as () => PacketFilter;
  return factory();
}

/** JavaScript source of the predicate's body (exposed for tests and debugging). */
export function generateSource(b: Bool): string {
  const e = new Emitter();
  emitBool(e, b);
  return e.source();
}

export function buildPredicate(b: Bool): PacketFilter {
  if (b.t === 'const') {
    return b.v ? () => true : () => false;
  }
  const body = generateSource(b);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('buf', 'o', 'cap', 'len', body) as PacketFilter;
  return fn;
}
