/**
 * "expression rejects all packets": libpcap's optimizer refuses a program in which no path
 * reaches the accept. It proves tests redundant with value numbers and edge dominators: a test
 * repeats a test already passed on every path to it (same value, same comparison), or follows
 * a passed equality with a different constant. This is a conservative model of that proof — it
 * uses only facts that dominate (never facts merged from different branches), and follows
 * chains of decided tests from each exit edge as libpcap's jump threading does — so an
 * expression is refused only when libpcap refuses it too. libpcap also proves some that this
 * misses (it merges identical sub-graphs first), and those then compile to a predicate that
 * is always false.
 */
import type { Bool, Val } from './ir.js';

/** One test outcome known on a path: `key` names value + comparison, `k` the other operand. */
export interface Fact {
  key: string;
  k: string;
  /** The equality constant, for "equal to one constant, so not to another". */
  eqConst: number | null;
  sense: boolean;
}

export type Facts = readonly Fact[];

const valKey = (v: Val): string => JSON.stringify(v);

type Atom = { key: string; k: string; eqConst: number | null };
const atoms = new WeakMap<object, Atom>();

/** The (value, comparison, operand) triple of a test, as libpcap's jump would see it. */
export function atomOf(b: Bool & { t: 'cmp' }): Atom {
  let a = atoms.get(b);
  if (!a) {
    a = computeAtom(b);
    atoms.set(b, a);
  }
  return a;
}

function computeAtom(b: Bool & { t: 'cmp' }): Atom {
  if (b.b.t === 'k') {
    return { key: `${b.op}|${valKey(b.a)}`, k: String(b.b.v), eqConst: b.op === '==' ? b.b.v : null };
  }
  if (b.op === '==') {
    // libpcap compiles a == b (b not constant) as a - b == 0.
    return { key: `==|${valKey({ t: 'alu', op: '-', a: b.a, b: b.b })}`, k: '0', eqConst: 0 };
  }
  return { key: `${b.op}|x|${valKey(b.a)}`, k: valKey(b.b), eqConst: null };
}

export function decided(b: Bool & { t: 'cmp' }, facts: Facts): boolean | undefined {
  const a = atomOf(b);
  for (const f of facts) {
    if (f.key !== a.key) continue;
    if (f.k === a.k) return f.sense;
    if (f.sense && f.eqConst !== null && a.eqConst !== null && f.eqConst !== a.eqConst) return false;
  }
  return undefined;
}

export function fact(b: Bool & { t: 'cmp' }, sense: boolean): Fact {
  return { ...atomOf(b), sense };
}

/** Facts that hold on every path on which `b` ends `sense`. */
function must(b: Bool, sense: boolean): Facts {
  switch (b.t) {
    case 'cmp':
      return [fact(b, sense)];
    case 'not':
      return must(b.a, !sense);
    case 'and':
      return sense ? [...must(b.a, true), ...must(b.b, true)] : [];
    case 'or':
      return sense ? [] : [...must(b.a, false), ...must(b.b, false)];
    default:
      return [];
  }
}

/** Dominating facts of each edge by which `b` leaves with outcome `sense`. */
function exits(b: Bool, sense: boolean): Facts[] {
  switch (b.t) {
    case 'cmp':
      return [[fact(b, sense)]];
    case 'not':
      return exits(b.a, !sense);
    case 'and':
      if (sense) return exits(b.b, true).map((e) => [...must(b.a, true), ...e]);
      return [...exits(b.a, false), ...exits(b.b, false).map((e) => [...must(b.a, true), ...e])];
    case 'or':
      if (!sense) return exits(b.b, false).map((e) => [...must(b.a, false), ...e]);
      return [...exits(b.a, true), ...exits(b.b, true).map((e) => [...must(b.a, false), ...e])];
    case 'const':
    case 'fixed':
      return b.v === sense ? [[]] : [];
    case 'chain':
      return [[]];
  }
}

/** Outcome of `b` when every test met from its entry is already decided by `facts`. */
function walk(b: Bool, facts: Facts): boolean | undefined {
  switch (b.t) {
    case 'const':
    case 'fixed':
      return b.v;
    case 'cmp':
      return decided(b, facts);
    case 'not': {
      const r = walk(b.a, facts);
      return r === undefined ? undefined : !r;
    }
    case 'and': {
      const r = walk(b.a, facts);
      return r === true ? walk(b.b, facts) : r;
    }
    case 'or': {
      const r = walk(b.a, facts);
      return r === false ? walk(b.b, facts) : r;
    }
    case 'chain':
      return undefined;
  }
}

/** Whether every exit of `a` with outcome `sense` runs, through decided tests, into `b` ending !want. */
function exitsBlock(a: Bool, sense: boolean, c: Facts, b: Bool, want: boolean): boolean {
  const es = exits(a, sense);
  return es.every((e) => walk(b, [...c, ...e]) === !want);
}

/** Proof steps allowed per expression; past it we give up and say "possible" (never refuse). */
const BUDGET = 100_000;
let steps = 0;

/** True when `b` provably cannot end with outcome `want` given the dominating facts `c`. */
function impossible(b: Bool, want: boolean, c: Facts): boolean {
  if (++steps > BUDGET) return false;
  switch (b.t) {
    case 'const':
    case 'fixed':
      return b.v !== want;
    case 'cmp':
      return decided(b, c) === !want;
    case 'chain':
      return false;
    case 'not':
      return impossible(b.a, !want, c);
    case 'and':
      if (want) {
        return impossible(b.a, true, c) || impossible(b.b, true, [...c, ...must(b.a, true)]) || exitsBlock(b.a, true, c, b.b, true);
      }
      return impossible(b.a, false, c) && (impossible(b.a, true, c) || impossible(b.b, false, [...c, ...must(b.a, true)]) || exitsBlock(b.a, true, c, b.b, false));
    case 'or':
      if (!want) {
        return impossible(b.a, false, c) || impossible(b.b, false, [...c, ...must(b.a, false)]) || exitsBlock(b.a, false, c, b.b, false);
      }
      return impossible(b.a, true, c) && (impossible(b.a, false, c) || impossible(b.b, true, [...c, ...must(b.a, false)]) || exitsBlock(b.a, false, c, b.b, true));
  }
}

/** Whether libpcap would refuse this program with "expression rejects all packets". */
export function rejectsAll(b: Bool): boolean {
  steps = 0;
  const r = impossible(b, true, []);
  return r && steps <= BUDGET;
}
