/**
 * Offline pcap-filter expressions: `compileFilter(expression, linkType)` returns a predicate
 * over raw record bytes with libpcap's semantics (the same string goes to libpcap for live
 * capture). Compiled once into a JavaScript function; the per-packet call allocates nothing.
 *
 * Pipeline: lexer.ts (libpcap's scanner rules) → parser.ts (its grammar, qualifier inheritance,
 * code generated while parsing as vlan shifts offsets) → gen.ts (gencode's primitives for each
 * link type, as a tree of ir.ts tests) → dag.ts (libpcap's optimizer, which decides which
 * tests — and so which loads, which reject short packets — remain) → codegen.ts.
 */
import { endianness } from 'node:os';
import { FilterError } from '../errors.js';
import { buildDagPredicate, buildPredicate, generateDagSource, generateSource, type PacketFilter } from './codegen.js';
import { DagBuilder, optimize, type Optimized } from './dag.js';
import { Gen, linkKindOf } from './gen.js';
import { withoutFolding, type Bool } from './ir.js';
import { tokenize } from './lexer.js';
import { Parser } from './parser.js';
import { rejectsAll } from './rejects.js';

export type { PacketFilter } from './codegen.js';

export interface FilterOptions {
  /**
   * Byte order of the capture file. Only the NULL link type (0) depends on it: libpcap compares
   * its address family in the order of the machine that wrote the file. Default: this host's.
   */
  bigEndian?: boolean;
}

/** Parses and generates the test tree (exported for tests and tooling). */
export function parseFilter(expression: string, linkType: number, opts: FilterOptions = {}): Bool {
  return compile(expression, linkType, opts).tree;
}

interface Compiled {
  tree: Bool;
  /**
   * The optimized decision graph; null where libpcap does not optimize (protochain) or the
   * expression is too large for the model (then the tree runs as gencode wrote it).
   */
  dag: Optimized | null;
}

function compile(expression: string, linkType: number, opts: FilterOptions): Compiled {
  const kind = linkKindOf(linkType);
  if (kind === null) {
    throw new FilterError(expression, 0, `filters are not supported on link type ${linkType}`);
  }
  const genOpts = { bigEndian: opts.bigEndian ?? endianness() === 'BE' };
  const tokens = tokenize(expression);
  const gen = new Gen(kind, genOpts);
  const tree = new Parser(expression, tokens, gen).parse();
  if (gen.usesProtochain) {
    // libpcap switches its optimizer off for protochain programs: they run as generated,
    // constant tests and all. Parse again without folding to get that program.
    const raw = withoutFolding(() => new Parser(expression, tokens, new Gen(kind, genOpts)).parse());
    return { tree: raw, dag: null };
  }
  const builder = new DagBuilder();
  const dag = optimize(builder, tree);
  const rejects = dag === null ? (tree.t === 'const' && !tree.v) || rejectsAll(tree) : dag.root === false;
  if (rejects) throw new FilterError(expression, 0, 'expression rejects all packets');
  return { tree, dag };
}

export function compileFilter(expression: string, linkType: number, opts: FilterOptions = {}): PacketFilter {
  const c = compile(expression, linkType, opts);
  return c.dag === null ? buildPredicate(c.tree) : buildDagPredicate(c.dag.root, c.dag.prelude);
}

/** The generated JavaScript for an expression (for debugging and tests). */
export function filterSource(expression: string, linkType: number, opts: FilterOptions = {}): string {
  const c = compile(expression, linkType, opts);
  return c.dag === null ? generateSource(c.tree) : generateDagSource(c.dag.root, c.dag.prelude);
}
