/**
 * The test graph as libpcap's optimizer leaves it. libpcap does not run the program gencode
 * writes: it threads jumps (a test already decided on the way is skipped), drops tests whose
 * two branches meet, pulls repeated tests up and/or chains, and merges identical blocks at the
 * end. Which tests remain matters beyond speed: a remaining test whose load runs past the
 * captured bytes rejects the packet, a dropped one cannot. So the filter is compiled to the
 * same decision graph — each node one test (one BPF block), each edge a branch — by a model
 * of libpcap 1.10's optimize.c, checked against tcpdump by the differential tests.
 */
import { type Fact, decided, fact } from './rejects.js';
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

  const factOf = (p: Block, sense: boolean): Fact[] => (p.test.t === 'cmp' ? [fact(p.test, sense)] : []);

  let idle = 0;
  for (let pass = 0; pass < 10_000; pass++) {
    // The root has no in-edges, so threading never bypasses it; opt_root deals with it at the end.
    if (typeof root === 'boolean') return { root, prelude: [] };
    const order = blocksFrom(root);
    const level = levels(order);
    // Dominators (block sets) and edge dominators (edge ids), in topological order.
    const dom = new Map<number, Set<number>>();
    const edom = new Map<number, Map<string, Fact[]>>();
    const inEdges = new Map<number, Array<[Block, boolean]>>();
    dom.set(root.id, new Set([root.id]));
    edom.set(root.id, new Map());
    for (const b of order) {
      const bd = dom.get(b.id)!;
      const be = edom.get(b.id)!;
      for (const sense of [true, false]) {
        const s = sense ? b.jt : b.jf;
        if (typeof s === 'boolean') continue;
        const list = inEdges.get(s.id) ?? [];
        list.push([b, sense]);
        inEdges.set(s.id, list);
        const d = new Set(bd);
        d.add(s.id);
        const od = dom.get(s.id);
        if (!od) dom.set(s.id, d);
        else for (const x of [...od]) if (!d.has(x) && x !== s.id) od.delete(x);
        const e = new Map(be);
        e.set(`${b.id}${sense ? 't' : 'f'}`, factOf(b, sense));
        const oe = edom.get(s.id);
        if (!oe) edom.set(s.id, e);
        else for (const x of [...oe.keys()]) if (!e.has(x)) oe.delete(x);
      }
    }
    let moved = false;
    let other = false;
    const byLevel = [...order].sort((a, b) => level.get(a.id)! - level.get(b.id)!);
    // opt_j on both edges of every block, lowest level first.
    for (const p of byLevel) {
      for (const sense of [true, false]) {
        let succ = sense ? p.jt : p.jf;
        if (typeof succ === 'boolean') continue;
        if (succ.jt === succ.jf) {
          succ = succ.jt;
          other = true;
        }
        const facts: Fact[] = [...factOf(p, sense)];
        for (const f of edom.get(p.id)!.values()) facts.push(...f);
        for (let hops = 0; typeof succ !== 'boolean' && succ.test.t === 'cmp' && hops < 10_000; hops++) {
          const r = decided(succ.test, facts);
          if (r === undefined) break;
          succ = r ? succ.jt : succ.jf;
          moved = true;
        }
        if (sense) p.jt = succ;
        else p.jf = succ;
      }
    }
    // or_pullup / and_pullup, with the in-edges and dominators of this pass.
    for (const b of byLevel) {
      if (pullup(b, false, inEdges, dom)) moved = true;
      if (pullup(b, true, inEdges, dom)) moved = true;
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
  inEdges: Map<number, Array<[Block, boolean]>>,
  dom: Map<number, Set<number>>,
): boolean {
  const ins = inEdges.get(b.id);
  if (!ins || ins.length === 0) return false;
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
    if (!dom.get(d.id)?.has(b.id)) return false;
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
    if (!dom.get(sm.id)?.has(b.id)) return false;
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
