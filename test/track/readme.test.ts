/**
 * The README's "Assert handshakes in CI" section is exercised, not just shown: the GitHub Actions
 * job's `run:` steps are executed (inside a network namespace of their own, with tcpdump really
 * capturing the loopback traffic of a stand-in e2e workload), the `wirescope handshakes` command
 * they run is checked to pass on healthy traffic and to fail on refused connections, and the
 * vitest example is run by a nested vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanConversation } from '../../fixtures/track/scenarios.js';
import { runHandshakes } from '../../src/cli/handshakes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(): string {
  const a = README.indexOf('<!-- handshakes-ci:start -->');
  const b = README.indexOf('<!-- handshakes-ci:end -->');
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThan(a);
  return README.slice(a, b);
}

function blocks(lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  for (const m of section().matchAll(re)) out.push(m[1]!);
  return out;
}

/** The `run:` scripts of a workflow's steps, in order (single-line and `|` blocks). */
function runScripts(yaml: string): string[] {
  const lines = yaml.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:- )?run: (.*)$/.exec(lines[i]!);
    if (!m) continue;
    if (m[2] !== '|') {
      out.push(m[2]!);
      continue;
    }
    const body: string[] = [];
    const indent = m[1]!.length;
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > indent)) body.push(lines[++i]!.trim());
    out.push(body.join('\n'));
  }
  return out;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const canCapture = process.getuid?.() === 0 && have('tcpdump') && have('ip');

/** Stand-in for the user's `npm run e2e`: a server on 127.0.0.1:8080 and five clients (or none). */
const WORKLOAD = `
import net from 'node:net';
const mode = process.env.E2E_MODE;
const server = mode === 'refused' ? null : net.createServer((s) => s.on('data', (d) => s.end(d)));
if (server) await new Promise((r) => server.listen(8080, '127.0.0.1', r));
for (let i = 0; i < 5; i++) {
  await new Promise((resolve) => {
    const c = net.connect(8080, '127.0.0.1', () => c.end('ping'));
    c.on('data', () => {});
    c.on('error', resolve);
    c.on('close', resolve);
  });
}
if (server) await new Promise((r) => server.close(r));
`;

const SHIMS = `
exec >"$WORKDIR/job.log" 2>&1
sudo() { "$@"; }
apt-get() { :; }
npm() {
  case "$1" in
    ci) ;;
    run) node "$WORKDIR/e2e.mjs" ;;
    *) echo "unexpected npm $*" >&2; return 1 ;;
  esac
}
npx() {
  if [ "$1" = wirescope ]; then shift; printf '%s\\n' "$*" >> "$WORKDIR/wirescope-calls.txt"; else echo "unexpected npx $*" >&2; return 1; fi
}
set -e
`;

describe('README: Assert handshakes in CI', () => {
  it('has one GitHub Actions job, one vitest example and shell examples', () => {
    expect(blocks('yaml')).toHaveLength(1);
    expect(blocks('ts')).toHaveLength(1);
    const yaml = blocks('yaml')[0]!;
    expect(yaml).not.toMatch(/\t/);
    expect(yaml).toMatch(/^on: \[push, pull_request\]$/m);
    expect(yaml).toMatch(/^jobs:\n {2}handshakes:\n {4}runs-on: ubuntu-latest\n {4}steps:\n/m);
    // Every step is a list item that uses an action or runs a command.
    for (const step of yaml.split('\n').filter((l) => /^ {6}- /.test(l))) expect(step).toMatch(/^ {6}- (uses|run|name|if): /);
    for (const sh of blocks('sh')) for (const line of sh.trim().split('\n')) expect(line).toMatch(/^wirescope handshakes /);
  });

  it('documents every option the command accepts', async () => {
    let help = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => ((help += s), true)) as typeof process.stdout.write;
    try {
      expect(await runHandshakes(['--help'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    for (const opt of ['--require-complete', '--expect-connections', '--max-refused', '--max-syn-retries', '--max-handshake-rtt', '--no-violations', '--server', '--junit', '--max-connections', '--json']) {
      expect(help, opt).toContain(opt);
      expect(section(), opt).toContain(opt);
    }
  });

  describe.skipIf(!canCapture)('the GitHub Actions job, run for real in a network namespace', () => {
    const ns = `ws-readme-${process.pid}`;

    async function runJob(mode: 'ok' | 'refused'): Promise<{ code: number; junit: string; dir: string }> {
      const dir = mkdtempSync(join(tmpdir(), 'ws-readme-job-'));
      writeFileSync(join(dir, 'e2e.mjs'), WORKLOAD);
      const script = runScripts(blocks('yaml')[0]!).join('\n');
      expect(script).toContain('tcpdump -i lo');
      const add = spawnSync('ip', ['netns', 'add', ns]);
      expect(add.status, String(add.stderr)).toBe(0);
      try {
        spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
        const r = spawnSync('ip', ['netns', 'exec', ns, 'bash', '-c', SHIMS + script], {
          cwd: dir,
          env: { ...process.env, WORKDIR: dir, E2E_MODE: mode },
          stdio: 'ignore',
          timeout: 60_000,
        });
        const log = existsSync(join(dir, 'job.log')) ? readFileSync(join(dir, 'job.log'), 'utf8') : '';
        expect(r.status, log).toBe(0);
      } finally {
        // Whatever the job left running lives in our namespace only: stop it, then remove it.
        const left = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.trim();
        for (const pid of left.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        spawnSync('ip', ['netns', 'del', ns]);
      }
      const calls = readFileSync(join(dir, 'wirescope-calls.txt'), 'utf8').trim().split('\n');
      expect(calls).toHaveLength(1);
      const argv = calls[0]!.split(' ');
      expect(argv[0]).toBe('handshakes');
      const cwd = process.cwd();
      const err = process.stderr.write.bind(process.stderr);
      const out = process.stdout.write.bind(process.stdout);
      process.stderr.write = (() => true) as typeof process.stderr.write;
      process.stdout.write = (() => true) as typeof process.stdout.write;
      process.chdir(dir);
      try {
        const code = await runHandshakes(argv.slice(1));
        return { code, junit: readFileSync(join(dir, 'handshakes.xml'), 'utf8'), dir };
      } finally {
        process.chdir(cwd);
        process.stderr.write = err;
        process.stdout.write = out;
      }
    }

    it('passes on healthy traffic', async () => {
      const { code, junit, dir } = await runJob('ok');
      // Five connections from the workload plus the three checks the job asks for.
      expect(junit).toMatch(/<testsuites name="wirescope handshakes" tests="8" failures="0">/);
      expect(junit.match(/handshake complete, close fin, state SF/g)).toHaveLength(5);
      expect(code).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    });

    it('fails the build when the server refuses', async () => {
      const { code, junit, dir } = await runJob('refused');
      expect(code).toBe(1);
      expect(junit).toMatch(/failures="6"/);
      expect(junit).toContain('handshake refused, close reset-by-server, state REJ, history Sr');
      rmSync(dir, { recursive: true, force: true });
    });
  });

  it.skipIf(canCapture)('skips running the GitHub Actions job: needs root, tcpdump and iproute2', () => {});

  describe('the vitest example, run by a nested vitest', () => {
    async function runExample(server: string): Promise<{ status: number | null; output: string }> {
      const dir = join(ROOT, 'test', 'track', `.readme-example-${process.pid}-${server.replace(/\W/g, '')}`);
      mkdirSync(dir, { recursive: true });
      try {
        writeFileSync(join(dir, 'handshakes.pcap'), await cleanConversation('127.0.0.1', 41000, '127.0.0.1', 8080));
        const rel = (p: string): string => './' + relative(dir, join(ROOT, p)).replace(/\\/g, '/');
        const code = blocks('ts')[0]!
          .replace("from 'wirescope'", `from '${rel('src/index.js')}'`)
          .replace("import 'wirescope/vitest'", `import '${rel('src/track/vitest.js')}'`)
          .replace("'handshakes.pcap'", JSON.stringify(join(dir, 'handshakes.pcap')))
          .replace("'127.0.0.1:8080'", `'${server}'`);
        expect(code).not.toContain("'wirescope");
        writeFileSync(join(dir, 'example.test.ts'), code);
        writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['example.test.ts'] } };\n`);
        const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], {
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
          timeout: 60_000,
        });
        return { status: r.status, output: r.stdout + r.stderr };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('passes against a capture of a healthy server', async () => {
      const r = await runExample('127.0.0.1:8080');
      expect(r.output).toMatch(/1 passed/);
      expect(r.status).toBe(0);
    });

    it('fails, showing the connections and their history, for the wrong server', async () => {
      const r = await runExample('127.0.0.1:9090');
      expect(r.status).not.toBe(0);
      expect(r.output).toContain('expected a completed handshake to 127.0.0.1:9090; no connection matched');
      expect(r.output).toContain('127.0.0.1:41000 -> 127.0.0.1:8080: handshake complete, close fin, state SF, history ShADadFf');
    });
  });

  it('the job and example agree with the CLI about the file they use', () => {
    expect(existsSync(join(ROOT, 'README.md'))).toBe(true);
    expect(blocks('yaml')[0]).toContain('handshakes.pcap');
    expect(blocks('ts')[0]).toContain("'handshakes.pcap'");
  });
});
