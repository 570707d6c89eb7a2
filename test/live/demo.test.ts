/**
 * `wirescope demo`: each step's packets appear under the socket call that caused them, the
 * packet lines are tcpdump's own (tcpdump captures lo at the same time), and the handshake
 * report closes it. Without capture permission it says what to run instead.
 */
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { ensureDist, libpcapGate, reportGate, spawnProcess, startTcpdump, tcpdumpRead, tempDir } from './support.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const gate = await libpcapGate();
reportGate(gate, 'wirescope demo');

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs the demo while tcpdump captures all of lo's `proto` traffic; returns both. */
async function demoBesideTcpdump(kind: 'tcp' | 'udp') {
  const tmp = tempDir('wslive-demo-');
  const td = await startTcpdump('lo', kind, join(tmp.dir, 'lo.pcap'));
  const out = collector();
  const err = collector();
  let code: number;
  try {
    code = await runDemo([kind], { stdout: out.stream, stderr: err.stream });
  } finally {
    await td.stop();
  }
  const port = /captured live on lo \((?:tcp|udp) port (\d+)\)/.exec(out.text())?.[1];
  const tcpdumpLines = port ? tcpdumpRead(td.file, ['-nn', `${kind} port ${port}`]) : '';
  tmp.remove();
  return { code, out: out.text(), err: err.text(), tcpdumpLines };
}

/** Packet lines without their timestamps (ours are arrival stamps, tcpdump's the kernel's). */
const untimed = (lines: string[]) => lines.map((l) => l.trim().replace(/^\d\d:\d\d:\d\d\.\d{6} /, ''));

describe.runIf(gate.ok)('wirescope demo', () => {
  it('tcp: connect -> SYN, accept after the final ACK, send -> data, close -> FIN, then the report', async () => {
    const r = await demoBesideTcpdump('tcp');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const packets = lines.filter((l) => /^ {4}\d\d:\d\d:\d\d\.\d{6} IP /.test(l));
    expect(untimed(packets)).toEqual(untimed(r.tcpdumpLines.trim().split('\n')));

    // Each call is followed by the packets it caused.
    const after = (label: string) => lines[lines.findIndex((l) => l.startsWith(label)) + 1] ?? '';
    expect(after('[client] connect(')).toContain('Flags [S],');
    expect(after('[client] send(')).toContain('Flags [P.]');
    expect(after('[server] recv() -> "hello')).toContain('Flags [P.]');
    expect(after('[client] close()')).toContain('Flags [F.]');
    expect(after('[server] recv() -> end of stream')).toContain('Flags [F.]');
    const accept = lines.findIndex((l) => l.startsWith('[server] accept() returned'));
    expect(lines[accept - 1]).toContain('ACK: handshake complete');
    expect(lines[accept - 2]).toMatch(/Flags \[\.\], ack 1,/);
    expect(r.out).toMatch(/complete +fin .* SF +ShADadFf/);
    expect(r.out).toContain('1 complete');
  });

  it('udp: one datagram per sendto() and nothing else', async () => {
    const r = await demoBesideTcpdump('udp');
    expect(r.code).toBe(0);
    const packets = r.out.split('\n').filter((l) => /^ {4}\d\d:\d\d:\d\d\.\d{6} IP /.test(l));
    expect(packets).toHaveLength(2);
    expect(untimed(packets)).toEqual(untimed(r.tcpdumpLines.trim().split('\n')));
    expect(r.out).toContain('no TCP connections (UDP has no handshake)');
  });

  it('without capture permission says what to run instead', async () => {
    ensureDist(root);
    const p = spawnProcess(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, join(root, 'bin/wirescope.js'), 'demo']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('run `sudo npx wirescope demo`');
    expect(p.stderr()).toContain('setcap cap_net_raw,cap_net_admin=eip $(which node)');
    expect(p.stderr().split('\n')).toHaveLength(2);
  });
});
