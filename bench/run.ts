/**
 * `npm run bench`: builds the shared captures once (bench/data/, git-ignored), then runs every
 * bench module (`*.bench.js` beside this file after tsc) in name order. Each module measures
 * wirescope against tcpdump / tshark on the same file in the same run and prints ratios.
 *
 *   npm run bench                 all benches
 *   npm run bench -- decode print only the named ones
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext } from './context.js';

type BenchModule = { default: (ctx: BenchContext) => Promise<void> };
type Tool = 'tcpdump' | 'tshark' | 'capinfos';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');
const dataDir = join(projectRoot, 'bench', 'data');

function onPath(tool: Tool): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Sibling modules are written by other benches; resolved at run time, not by tsc. */
function sibling(file: string): string {
  return pathToFileURL(join(here, file)).href;
}

function lazily<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/** Best-of-5 wall seconds of `node -e ''` under `env`. */
function nodeStartSeconds(env: NodeJS.ProcessEnv): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', ''], { env, stdio: 'ignore' });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

/**
 * NODE_EXTRA_CA_CERTS makes every Node process parse a CA bundle before running any code (a TLS
 * proxy's setting, here about 0.1 s per start). wirescope never opens a TLS connection and a
 * default install has no such variable, so the Node children run without it; both start-up
 * times are printed so the figures can be read either way.
 */
function stripStartupCost(log: (line: string) => void): void {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) return;
  const withIt = nodeStartSeconds(process.env);
  delete process.env.NODE_EXTRA_CA_CERTS;
  const without = nodeStartSeconds(process.env);
  log(
    `note: NODE_EXTRA_CA_CERTS is set here; it adds ${(withIt - without).toFixed(3)} s to every Node start ` +
      `(node -e '': ${withIt.toFixed(3)} s with it, ${without.toFixed(3)} s without). ` +
      'Node children run without it, as on a default install.',
  );
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const wanted = process.argv.slice(2);
  const { ensureBigCapture } = (await import(sibling('make-big.js'))) as {
    ensureBigCapture(dir: string): Promise<string>;
  };
  const log = (line: string): void => void process.stdout.write(line + '\n');
  const tools = new Map<Tool, boolean>();
  const bigPcap = await ensureBigCapture(dataDir);
  const ctx: BenchContext = {
    dataDir,
    bigPcap,
    ensureGigCapture: lazily(async () => {
      const { ensureGigCapture } = (await import(sibling('make-gig.js'))) as {
        ensureGigCapture(dir: string, from: string): Promise<string>;
      };
      return ensureGigCapture(dataDir, bigPcap);
    }),
    ensureFloodCapture: lazily(async () => {
      const { ensureFloodCapture } = (await import(sibling('make-flood.js'))) as {
        ensureFloodCapture(dir: string): Promise<string>;
      };
      return ensureFloodCapture(dataDir);
    }),
    has(tool) {
      if (!tools.has(tool)) tools.set(tool, onPath(tool));
      return tools.get(tool) === true;
    },
    log,
  };
  stripStartupCost(log);
  for (const tool of ['tcpdump', 'tshark'] as const) {
    if (!ctx.has(tool)) log(`note: ${tool} is not installed; its comparisons are skipped`);
  }
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort();
  for (const file of files) {
    log(`\n== ${file.replace('.bench.js', '')}`);
    const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
    await mod.default(ctx);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
