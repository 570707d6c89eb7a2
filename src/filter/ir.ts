/**
 * The intermediate form between the parser and the code generator: the same tests libpcap's
 * gencode emits (loads at offsets compared with constants), kept as a tree. Evaluation is
 * left to right with short-circuit, and a load beyond the captured bytes rejects the whole
 * packet, exactly like a BPF program.
 */

/** A 32-bit unsigned value. */
export type Val =
  /**
   * A constant. `late`: it only became constant by folding `x & 0` / `x * 0`, which libpcap's
   * optimizer does after it has stopped moving branches — so tests on it are still there.
   */
  | { t: 'k'; v: number; late?: true }
  | {
      t: 'ld';
      size: 1 | 2 | 4;
      /** Constant part of the offset from the start of the frame. */
      off: number;
      /** When not -1: add 4 * (low nibble of the byte at this offset) — the IPv4 header length. */
      iphl: number;
      /** Variable index added to the offset (`ip[expr]`), or null. */
      idx: Val | null;
      /**
       * Set on loads of `proto[expr]` comparisons. libpcap emits those as indexed loads, which
       * its branch optimizer numbers apart from the primitives' absolute loads of the same
       * bytes (so `ether[12:2] = 0x800 and arp` is not proven empty). Not used by the code.
       */
      tag?: string;
    }
  | { t: 'len' }
  | { t: 'alu'; op: AluOp; a: Val; b: Val }
  | { t: 'neg'; a: Val };

export type AluOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Bool =
  | { t: 'const'; v: boolean }
  | { t: 'and'; a: Bool; b: Bool }
  | { t: 'or'; a: Bool; b: Bool }
  | { t: 'not'; a: Bool }
  /** Unsigned comparison of two values (BPF jeq / jgt / jge, or jset: a & b != 0). */
  | { t: 'cmp'; op: CmpOp; a: Val; b: Val }
  /**
   * libpcap's protochain walk: starting with the next-header byte at `nhOff` and header
   * offset `start` (relative to `nl`, or the IPv4 header length when `ipv4`), skip IPv6
   * extension headers (and AH) until the protocol is found.
   */
  | { t: 'chain'; nl: number; ipv4: boolean; proto: number }
  /**
   * A comparison whose outcome `v` is known only from late constant folding: libpcap keeps
   * the tests leading to it (and their loads), and it then passes straight to its outcome.
   */
  | { t: 'fixed'; v: boolean };

export type CmpOp = '==' | '>' | '>=' | '&';

/**
 * Whether and/or/not/cmp/alu fold constants (libpcap's optimizer does). Switched off while
 * compiling a protochain expression, which libpcap runs exactly as generated: every load of
 * every test, even one whose outcome is fixed, still runs and may reject a short packet.
 */
let folding = true;

export function withoutFolding<T>(f: () => T): T {
  folding = false;
  try {
    return f();
  } finally {
    folding = true;
  }
}

export const TRUE: Bool = { t: 'const', v: true };
export const FALSE: Bool = { t: 'const', v: false };

export const k = (v: number): Val => ({ t: 'k', v: v >>> 0 });

/** A load; the constant offset wraps at 32 bits as libpcap's folded `ld [k]` does. */
export const ld = (size: 1 | 2 | 4, off: number, iphl = -1, idx: Val | null = null, tag?: string): Val =>
  tag === undefined
    ? { t: 'ld', size, off: off >>> 0, iphl, idx }
    : { t: 'ld', size, off: off >>> 0, iphl, idx, tag };

export function and(a: Bool, b: Bool): Bool {
  if (!folding) return { t: 'and', a, b };
  if (a.t === 'const') return a.v ? b : FALSE;
  if (b.t === 'const') return b.v ? a : FALSE;
  return { t: 'and', a, b };
}

export function or(a: Bool, b: Bool): Bool {
  if (!folding) return { t: 'or', a, b };
  if (a.t === 'const') return a.v ? TRUE : b;
  if (b.t === 'const') return b.v ? TRUE : a;
  return { t: 'or', a, b };
}

export function not(a: Bool): Bool {
  if (!folding) return { t: 'not', a };
  if (a.t === 'const') return a.v ? FALSE : TRUE;
  if (a.t === 'fixed') return { t: 'fixed', v: !a.v };
  if (a.t === 'not') return a.a;
  return { t: 'not', a };
}

export function cmp(op: CmpOp, a: Val, b: Val): Bool {
  if (folding && a.t === 'k' && b.t === 'k') {
    const x = a.v;
    const y = b.v;
    const r = op === '==' ? x === y : op === '>' ? x > y : op === '>=' ? x >= y : (x & y) !== 0;
    if (a.late || b.late) return { t: 'fixed', v: r };
    return r ? TRUE : FALSE;
  }
  return { t: 'cmp', op, a, b };
}

/** `load & mask == value`; a zero mask makes the test constant, as libpcap's optimizer finds. */
export function mcmp(size: 1 | 2 | 4, off: number, value: number, mask = 0xffffffff, iphl = -1): Bool {
  const full = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  const m = (mask & full) >>> 0;
  if (m === 0 && folding) return (value >>> 0) === 0 ? TRUE : FALSE;
  const load = ld(size, off, iphl);
  const a = m === full ? load : alu('&', load, k(m));
  return cmp('==', a, k(value));
}

export function alu(op: AluOp, a: Val, b: Val): Val {
  if (!folding) return { t: 'alu', op, a, b };
  if (a.t === 'k' && b.t === 'k') {
    const v = evalAlu(op, a.v, b.v);
    return a.late || b.late ? { t: 'k', v, late: true } : k(v);
  }
  // libpcap's optimizer turns `A & 0` and `A * 0` into the constant 0, and the loads feeding
  // them die with it (so they can no longer reject a short packet) — but only in its last
  // round, after branches stopped moving: hence `late`.
  if (b.t === 'k' && b.v === 0 && (op === '&' || op === '*')) return { t: 'k', v: 0, late: true };
  return { t: 'alu', op, a, b };
}

export function neg(a: Val): Val {
  if (!folding) return { t: 'neg', a };
  if (a.t === 'k') return a.late ? { t: 'k', v: (-a.v) >>> 0, late: true } : k(-a.v);
  return { t: 'neg', a };
}

/** BPF ALU semantics on uint32 (division by zero is caught at compile time for constants). */
export function evalAlu(op: AluOp, x: number, y: number): number {
  switch (op) {
    case '+': return (x + y) >>> 0;
    case '-': return (x - y) >>> 0;
    case '*': return Math.imul(x, y) >>> 0;
    case '/': return y === 0 ? 0 : Math.floor(x / y) >>> 0;
    case '%': return y === 0 ? 0 : (x % y) >>> 0;
    case '&': return (x & y) >>> 0;
    case '|': return (x | y) >>> 0;
    case '^': return (x ^ y) >>> 0;
    case '<<': return y < 32 ? (x << y) >>> 0 : 0;
    case '>>': return y < 32 ? x >>> y : 0;
  }
}
