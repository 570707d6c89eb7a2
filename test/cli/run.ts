/** Runs the CLI in process with in-memory stdout/stderr. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export class MemoryStream extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export async function runCli(args: string[]): Promise<CliRun> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text(), stdoutBytes: stdout.bytes() };
}
