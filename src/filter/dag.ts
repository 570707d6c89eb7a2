/**
 * The test graph as libpcap's optimizer leaves it. libpcap does not run the program gencode
 * writes: it threads jumps (a test already decided on the way is skipped), drops tests whose
 * two branches meet, pulls repeated tests up and/or chains, and merges identical blocks at the
 * end. Which tests remain matters beyond speed: a remaining test whose load runs past the
 * captured bytes rejects the packet, a dropped one cannot. So the filter is compiled to the
 * same decision graph — each node one test (one BPF block), each edge a branch — by a model
 * of libpcap 1.10's optimize.c, checked against tcpdump by the differential tests.
 */
import { atomOf } from './rejects.js';
import type { Bool } from './ir.js';

/** A test: a comparison, or a protochain walk (which libpcap never optimizes). */
export type Test = Bool & ({ t: 'cmp' } | { t: 'chain' } | { t: 'fixed' });

export interface DNode {
  id: number;
  test: Test;
  jt: Ref;
  jf: Ref;
}

/** A node, or the final verdict. */
export type Ref = DNode | boolean;

const refId = (r: Ref): string => (r === true ? 'T' : r === false ? 'F' : String(r.id));

export class DagBuilder {
  private nodes = new Map<string, DNode>();
  private testKeys = new Map<Test, string>();
  private nextId = 0;

  private keyOf(t: Test): string {
    let k = this.testKeys.get(t);
    if (k === undefined) {
      k = JSON.stringify(t);
      this.testKeys.set(t, k);
    }
    return k;
  }

  /**
   * The unique node for (test, jt, jf) — libpcap's intern_blocks. A test whose branches meet
   * is kept: in libpcap's final program it still runs its loads.
   */
  mk(test: Test, jt: Ref, jf: Ref): Ref {
    const key = `${this.keyOf(test)}|${refId(jt)}|${refId(jf)}`;
    let n = this.nodes.get(key);
    if (!n) {
      n = { id: this.nextId++, test, jt, jf };
      this.nodes.set(key, n);
    }
    return n;
  }
}

/** A block of the graph being optimized: mutable, one per gencode block (not merged). */
interface Block {
  id: number;
  test: Test;
  jt: BRef;
  jf: BRef;
  /** libpcap's value number of what the jump compares (its A register). */
  val: string;
}
type BRef = Block | boolean;

/** Graphs larger than this are used as built (never wrong, only closer to gencode's code). */
const MAX_BLOCKS = 5_000;
/** libpcap gives up after 100 passes that only move branches. */
const MAX_PASSES = 100;

function valOf(t: Test, id: number): string {
  if (t.t === 'chain' || t.t === 'fixed') return `${t.t}#${id}`;
  if (t.b.t === 'k') return JSON.stringify(t.a);
  if (t.op === '==') return JSON.stringify({ t: 'alu', op: '-', a: t.a, b: t.b });
  return JSON.stringify(t.a);
}

/**
 * libpcap's optimizer loop on the block graph gencode builds (see optimize.c): every pass
 * computes dominators and edge dominators, threads each edge past tests its dominating edges
 * decide (opt_j / fold_edge), drops tests whose branches meet, then pulls tests of an
 * already-tested value up their and/or chains (and_pullup / or_pullup) so later passes can
 * decide them. Identical blocks are merged only at the end, as intern_blocks does.
 */
export interface Optimized {
  root: Ref;
  /**
   * Tests skipped at the root because both branches met (libpcap's opt_root). libpcap keeps
   * their statements in front of the new root, so their loads still run — and still reject a
   * packet too short for them — though their outcome no longer matters.
   */
  prelude: Test[];
}

export function optimize(builder: DagBuilder, tree: Bool): Optimized | null {
  let nextId = 0;
  const mkBlock = (test: Test, jt: BRef, jf: BRef): Block => {
    const id = nextId++;
    return { id, test, jt, jf, val: valOf(test, id) };
  };
  const build = (b: Bool, t: BRef, f: BRef): BRef => {
    switch (b.t) {
      case 'const': return b.v ? t : f;
      case 'cmp': case 'chain': case 'fixed': return mkBlock(b, t, f);
      case 'not': return build(b.a, f, t);
      case 'and': return build(b.a, build(b.b, t, f), f);
      case 'or': return build(b.a, t, build(b.b, t, f));
    }
  };
  let root = build(tree, true, false);
  if (nextId > MAX_BLOCKS) return null;

  let idle = 0;
  for (let pass = 0; pass < 10_000; pass++) {
    // The root has no in-edges, so threading never bypasses it; opt_root deals with it at the end.
    if (typeof root === 'boolean') return { root, prelude: [] };
    const order = blocksFrom(root);
    const n = order.length;
    const index = new Map<number, number>();
    order.forEach((b, i) => index.set(b.id, i));
    const level = levels(order);
    // Dominators (bitsets of block indexes) and edge dominators (bitsets of edge numbers:
    // 2i for block i's true edge, 2i+1 for its false edge), in topological order.
    const bw = (n + 31) >>> 5;
    const ew = (2 * n + 31) >>> 5;
    const dom = order.map(() => new Uint32Array(bw).fill(0xffffffff));
    const edom = order.map(() => new Uint32Array(ew).fill(0xffffffff));
    dom[0]!.fill(0);
    dom[0]![0] = 1;
    edom[0]!.fill(0);
    const inEdges: Array<Array<[Block, boolean]>> = order.map(() => []);
    const tmpE = new Uint32Array(ew);
    const tmpD = new Uint32Array(bw);
    for (let i = 0; i < n; i++) {
      const b = order[i]!;
      for (const sense of [true, false]) {
        const s = sense ? b.jt : b.jf;
        if (typeof s === 'boolean') continue;
        const j = index.get(s.id)!;
        inEdges[j]!.push([b, sense]);
        tmpD.set(dom[i]!);
        tmpD[j >>> 5]! |= 1 << (j & 31);
        const dj = dom[j]!;
        for (let w = 0; w < bw; w++) dj[w]! &= tmpD[w]!;
        tmpE.set(edom[i]!);
        const e = 2 * i + (sense ? 0 : 1);
        tmpE[e >>> 5]! |= 1 << (e & 31);
        const ej = edom[j]!;
        for (let w = 0; w < ew; w++) ej[w]! &= tmpE[w]!;
      }
    }
    const atomAt = order.map((b) => (b.test.t === 'cmp' ? atomOf(b.test) : null));
    // Edges by the value they test, so fold_edge only looks at edges that can decide.
    const edgesByKey = new Map<string, number[]>();
    atomAt.forEach((a, i) => {
      if (!a) return;
      const list = edgesByKey.get(a.key) ?? [];
      list.push(2 * i, 2 * i + 1);
      edgesByKey.set(a.key, list);
    });
    /** fold_edge over the dominating edges `set` (plus edge `extra`): the outcome of `t`, if decided. */
    const foldBy = (set: Uint32Array, extra: number, t: Block): boolean | undefined => {
      if (t.test.t !== 'cmp') return undefined;
      const a = atomOf(t.test);
      const candidates = edgesByKey.get(a.key);
      if (!candidates) return undefined;
      for (const e of candidates) {
        if (e !== extra && (set[e >>> 5]! & (1 << (e & 31))) === 0) continue;
        const src = atomAt[e >>> 1]!;
        const sense = (e & 1) === 0;
        if (src.k === a.k) return sense;
        if (sense && src.eqConst !== null && a.eqConst !== null && src.eqConst !== a.eqConst) return false;
      }
      return undefined;
    };
    let moved = false;
    let other = false;
    const byLevel = [...order].sort((a, b) => level.get(a.id)! - level.get(b.id)!);
    // opt_j on both edges of every block, lowest level first.
    for (const p of byLevel) {
      const pi = index.get(p.id)!;
      for (const sense of [true, false]) {
        let succ = sense ? p.jt : p.jf;
        if (typeof succ === 'boolean') continue;
        if (succ.jt === succ.jf) {
          succ = succ.jt;
          other = true;
        }
        const e = 2 * pi + (sense ? 0 : 1);
        for (let hops = 0; typeof succ !== 'boolean' && hops < 10_000; hops++) {
          const r = foldBy(edom[pi]!, e, succ);
          if (r === undefined) break;
          succ = r ? succ.jt : succ.jf;
          moved = true;
        }
        if (sense) p.jt = succ;
        else p.jf = succ;
      }
    }
    // or_pullup / and_pullup, with the in-edges and dominators of this pass.
    const dominates = (b: Block, d: Block): boolean => {
      const bi = index.get(b.id);
      const di = index.get(d.id);
      if (bi === undefined || di === undefined) return false;
      return (dom[di]![bi >>> 5]! & (1 << (bi & 31))) !== 0;
    };
    for (const b of byLevel) {
      const ins = inEdges[index.get(b.id)!]!;
      if (pullup(b, false, ins, dominates)) moved = true;
      if (pullup(b, true, ins, dominates)) moved = true;
    }
    if (!moved && !other) break;
    if (other) idle = 0;
    else if (++idle >= MAX_PASSES) break;
  }
  // The last round (statements): late-folded tests now know their outcome and pass through.
  for (const b of typeof root === 'boolean' ? [] : blocksFrom(root)) {
    if (b.test.t === 'fixed') {
      const to = b.test.v ? b.jt : b.jf;
      b.jt = to;
      b.jf = to;
    }
  }
  // intern_blocks: merge identical blocks. A test whose branches meet only now (its two
  // successors were merged) stays: no pass runs after this to bypass it, so its loads run.
  const memo = new Map<number, Ref>();
  const intern = (r: BRef): Ref => {
    if (typeof r === 'boolean') return r;
    const hit = memo.get(r.id);
    if (hit !== undefined) return hit;
    const out = builder.mk(r.test, intern(r.jt), intern(r.jf));
    memo.set(r.id, out);
    return out;
  };
  // opt_root: skip root tests whose branches meet, keeping their statements — unless what is
  // left is a bare return ("no point executing any statements").
  const prelude: Test[] = [];
  let r: Ref = intern(root);
  while (typeof r !== 'boolean' && r.jt === r.jf) {
    prelude.push(r.test);
    r = r.jt;
  }
  return { root: r, prelude: typeof r === 'boolean' ? [] : prelude };
}

/**
 * libpcap's or_pullup (isAnd false) / and_pullup (isAnd true) for block `b`: when every
 * predecessor of b tests one value V, and further down b's false (or: true) chain — blocks
 * sharing b's true (and: false) exit and dominated by b — a block tests V again, that block
 * is moved up in front of the first block of the chain that tests something else.
 */
function pullup(
  b: Block,
  isAnd: boolean,
  ins: Array<[Block, boolean]>,
  dominates: (b: Block, d: Block) => boolean,
): boolean {
  if (ins.length === 0) return false;
  const val = ins[0]![0].val;
  for (const [p] of ins) if (p.val !== val) return false;
  const exitOf = (x: Block): BRef => (isAnd ? x.jf : x.jt);
  const chainOf = (x: Block): BRef => (isAnd ? x.jt : x.jf);
  const setChain = (x: Block, v: BRef): void => {
    if (isAnd) x.jt = v;
    else x.jf = v;
  };
  const [p0, s0] = ins[0]!;
  // diff: [holder, sense] of the pointer to the first chain block testing another value.
  let holder: Block = p0;
  let holderSense = s0;
  const at = (): BRef => (holderSense ? holder.jt : holder.jf);
  let atTop = true;
  for (;;) {
    const d = at();
    if (typeof d === 'boolean') return false;
    if (exitOf(d) !== exitOf(b)) return false;
    if (!dominates(b, d)) return false;
    if (d.val !== val) break;
    holder = d;
    holderSense = isAnd;
    atTop = false;
  }
  const diff = at() as Block;
  let sHolder: Block = diff;
  for (;;) {
    const sm = chainOf(sHolder);
    if (typeof sm === 'boolean') return false;
    if (exitOf(sm) !== exitOf(b)) return false;
    if (!dominates(b, sm)) return false;
    if (sm.val === val) break;
    sHolder = sm;
  }
  const pull = chainOf(sHolder) as Block;
  setChain(sHolder, chainOf(pull));
  setChain(pull, diff);
  if (atTop) {
    for (const [p, sense] of ins) {
      if (sense) p.jt = pull;
      else p.jf = pull;
    }
  } else if (holderSense) holder.jt = pull;
  else holder.jf = pull;
  return true;
}

/** Blocks reachable from `root`, every block before its successors. */
function blocksFrom(root: Block): Block[] {
  const seen = new Set<number>();
  const post: Block[] = [];
  const visit = (r: BRef): void => {
    if (typeof r === 'boolean' || seen.has(r.id)) return;
    seen.add(r.id);
    visit(r.jt);
    visit(r.jf);
    post.push(r);
  };
  visit(root);
  return post.reverse();
}

/** libpcap's levels: leaves are 0, a block is one above its higher successor. */
function levels(order: Block[]): Map<number, number> {
  const lv = new Map<number, number>();
  const of = (r: BRef): number => (typeof r === 'boolean' ? 0 : lv.get(r.id)!);
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    lv.set(b.id, 1 + Math.max(of(b.jt), of(b.jf)));
  }
  return lv;
}
