/**
 * The test tree as libpcap's optimizer leaves it. libpcap does not run the program gencode
 * writes: it threads jumps (a test already decided on the way is skipped), merges identical
 * blocks and drops tests whose two branches end up in the same place. Which tests remain
 * matters beyond speed, because a remaining test whose load runs past the captured bytes
 * rejects the packet, while a dropped one cannot. So the filter is compiled to the same kind
 * of decision graph: each node is one test (one BPF block), each edge a branch.
 */
import { type Fact, type Facts, decided, fact } from './rejects.js';
import type { Bool } from './ir.js';

/** A test: a comparison, or a protochain walk (which libpcap never optimizes). */
export type Test = Bool & ({ t: 'cmp' } | { t: 'chain' });

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

  /** The unique node for (test, jt, jf); a test with one successor is no test at all. */
  mk(test: Test, jt: Ref, jf: Ref): Ref {
    if (jt === jf) return jt;
    const key = `${this.keyOf(test)}|${refId(jt)}|${refId(jf)}`;
    let n = this.nodes.get(key);
    if (!n) {
      n = { id: this.nextId++, test, jt, jf };
      this.nodes.set(key, n);
    }
    return n;
  }

  /** The graph of `b` leading to `t` when true and `f` when false (evaluation order kept). */
  build(b: Bool, t: Ref, f: Ref): Ref {
    switch (b.t) {
      case 'const':
        return b.v ? t : f;
      case 'cmp':
      case 'chain':
        return this.mk(b, t, f);
      case 'not':
        return this.build(b.a, f, t);
      case 'and':
        return this.build(b.a, this.build(b.b, t, f), f);
      case 'or':
        return this.build(b.a, t, this.build(b.b, t, f));
    }
  }
}

/** Rounds of threading allowed; libpcap iterates to a fixpoint too, which comes in a few. */
const MAX_ROUNDS = 50;
/** Graphs larger than this are used as built (never wrong, only closer to gencode's code). */
const MAX_NODES = 20_000;

interface Edge {
  id: string;
  facts: Facts;
}

/**
 * libpcap's jump threading (opt_j): an edge into a test that an edge dominating it already
 * decided (same value, same comparison; or an equality passed with another constant) is moved
 * to that test's successor. Facts come only from dominating edges — facts that hold on every
 * path but via different edges do not count, as in libpcap. After each round identical nodes
 * are merged and two-way-identical tests dropped (mk does both); rounds repeat until stable.
 */
export function thread(builder: DagBuilder, root: Ref): Ref | null {
  let cur = root;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (typeof cur === 'boolean') return cur;
    const order = topo(cur);
    if (order.length > MAX_NODES) return null;
    // Edge dominators: the dominators of a node are the edges common to all its incoming edges' dominators.
    const dom = new Map<number, Map<string, Edge>>();
    dom.set(cur.id, new Map());
    const edgeOf = (n: DNode, sense: boolean): Edge => ({
      id: `${n.id}${sense ? 't' : 'f'}`,
      facts: n.test.t === 'cmp' ? [fact(n.test, sense)] : [],
    });
    for (const n of order) {
      const d = dom.get(n.id)!;
      for (const sense of [true, false]) {
        const succ = sense ? n.jt : n.jf;
        if (typeof succ === 'boolean') continue;
        const e = edgeOf(n, sense);
        const via = new Map(d);
        via.set(e.id, e);
        const old = dom.get(succ.id);
        if (!old) dom.set(succ.id, via);
        else for (const k of [...old.keys()]) if (!via.has(k)) old.delete(k);
      }
    }
    // Retarget every edge past the tests its dominators decide.
    let changed = false;
    const newSucc = new Map<number, [Ref, Ref]>();
    for (const n of order) {
      const d = dom.get(n.id)!;
      const targets: [Ref, Ref] = [n.jt, n.jf];
      for (const sense of [true, false]) {
        const e = edgeOf(n, sense);
        const facts: Fact[] = [...e.facts];
        for (const x of d.values()) facts.push(...x.facts);
        let t = sense ? n.jt : n.jf;
        for (let hops = 0; typeof t !== 'boolean' && hops < 10_000; hops++) {
          if (t.test.t !== 'cmp') break;
          const r = decided(t.test, facts);
          if (r === undefined) break;
          t = r ? t.jt : t.jf;
          changed = true;
        }
        targets[sense ? 0 : 1] = t;
      }
      newSucc.set(n.id, targets);
    }
    if (!changed) return cur;
    // Rebuild bottom-up through mk: merges identical nodes, drops tests with one successor.
    const rebuilt = new Map<number, Ref>();
    const get = (r: Ref): Ref => (typeof r === 'boolean' ? r : rebuilt.get(r.id)!);
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i]!;
      const [jt, jf] = newSucc.get(n.id)!;
      rebuilt.set(n.id, builder.mk(n.test, get(jt), get(jf)));
    }
    cur = get(cur);
  }
  return cur;
}

/** Nodes reachable from `root`, every node before its successors. */
function topo(root: DNode): DNode[] {
  const seen = new Set<number>();
  const post: DNode[] = [];
  const visit = (r: Ref): void => {
    if (typeof r === 'boolean' || seen.has(r.id)) return;
    seen.add(r.id);
    visit(r.jt);
    visit(r.jf);
    post.push(r);
  };
  visit(root);
  return post.reverse();
}
