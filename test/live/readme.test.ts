/**
 * The README's live-capture section is exercised: its `ts` example runs in a nested vitest
 * (imports pointed at the sources, port 8080 swapped for a free one), and its shell examples
 * only use options the CLI accepts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { libpcapGate, reportGate } from './support.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const gate = await libpcapGate();
reportGate(gate, 'README live example');

function section(): string {
  const a = readme.indexOf('<!-- live:start -->');
  const b = readme.indexOf('<!-- live:end -->');
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThan(a);
  return readme.slice(a, b);
}

function blocks(lang: string): string[] {
  return [...section().matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('README: live capture', () => {
  it('shell examples use options the CLI accepts', () => {
    const lines = blocks('sh')[0]!.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const cmd = line.replace(/\s+#.*$/, '').trim();
      expect(cmd).toMatch(/^sudo npx wirescope /);
      const argv = [...cmd.replace(/^sudo npx wirescope /, '').matchAll(/'[^']*'|\S+/g)].map((m) => m[0].replace(/^'|'$/g, ''));
      if (argv[0] === 'handshakes' || argv[0] === 'demo') continue;
      expect(() => parseArgs(argv), cmd).not.toThrow();
    }
  });

  it.runIf(gate.ok)('the vitest example passes when run by a nested vitest', async () => {
    const dir = join(root, 'test', 'live', `.readme-example-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const rel = (p: string): string => './' + relative(dir, join(root, p)).replace(/\\/g, '/');
      const port = String(await freePort());
      const code = blocks('ts')[0]!
        .replace("from 'wirescope'", `from '${rel('src/index.js')}'`)
        .replace("import 'wirescope/vitest'", `import '${rel('src/track/vitest.js')}'`)
        .replaceAll('8080', port);
      expect(code).not.toContain("'wirescope");
      writeFileSync(join(dir, 'example.test.ts'), code);
      writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['example.test.ts'] } };\n`);
      const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(dir, 'vitest.config.mjs'), '--root', dir], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: 60_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Tests\s+2 passed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
