/**
 * Runs capture code in a child Node process (stdin input, peak RSS). The child needs plain JS:
 * src/capture and src/errors are transpiled (no type check) into a temp folder once per run.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..', '..');
let built: string | undefined;

/** Path of the transpiled `src/capture/index.js`. */
export function captureModule(): string {
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), 'ws-capture-js-'));
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  const files = ['src/errors.ts', ...readdirSync(join(root, 'src/capture')).filter((f) => f.endsWith('.ts')).map((f) => `src/capture/${f}`)];
  mkdirSync(join(out, 'src/capture'), { recursive: true });
  for (const f of files) {
    const js = ts.transpileModule(readFileSync(join(root, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(out, f.replace(/\.ts$/, '.js')), js);
  }
  built = join(out, 'src/capture/index.js');
  return built;
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module body with `capture` bound to the transpiled module; `stdin` is piped in. */
export function runChild(body: string, opts: { stdin?: Buffer; stdinFile?: string; args?: string[] } = {}): Promise<ChildResult> {
  const script = `import * as capture from ${JSON.stringify(captureModule())};\n${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...(opts.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    if (opts.stdinFile !== undefined) createReadStream(opts.stdinFile).pipe(child.stdin);
    else child.stdin.end(opts.stdin ?? Buffer.alloc(0));
  });
}
