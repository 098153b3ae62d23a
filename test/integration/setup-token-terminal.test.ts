/**
 * @module On first run the setup token is a plain line on a terminal (real process under a pseudo-terminal made by
 * util-linux `script`), and only the JSON log record when the output goes to a pipe (a service's log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
let dir: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tty-'));
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((r) => child?.once('close', r));
    child.kill('SIGTERM');
    await closed;
  }
  child = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const serveArgs = () => ['--import', 'tsx', entry, 'serve', '--data-dir', dir, '--listen', '127.0.0.1:0'];
const env = { ...process.env, GATEHOUSE_REACHABILITY: 'off' };

/** Collects the process's output until `done` holds for it. */
function outputUntil(p: ChildProcess, done: (out: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (done(out)) resolve(out);
    };
    p.stdout?.on('data', onData);
    p.stderr?.on('data', onData);
    p.once('close', () => reject(new Error(`exited before the expected output:\n${out}`)));
  });
}

describe('the setup token on first run', () => {
  it('on a terminal: a plain "Setup token: … (open …)" line, besides the log record', async () => {
    const command = [process.execPath, ...serveArgs()].map((a) => `'${a}'`).join(' ');
    // `script` gives the server a pseudo-terminal for stdout and stderr; its output is what the terminal shows.
    child = spawn('script', ['-qfec', command, '/dev/null'], { env });
    const out = await outputUntil(
      child,
      (o) => /Setup token: \S+ {2}\(open http:\/\/\S+\)/.test(o) && o.includes('first run: open the UI'),
    );
    const token = fs.readFileSync(path.join(dir, 'setup-token'), 'utf8').trim();
    const line = out.split(/\r?\n/).find((l) => l.startsWith('Setup token: '));
    expect(line).toMatch(
      new RegExp(`^Setup token: ${token} {2}\\(open http://127\\.0\\.0\\.1:\\d+/#/setup\\)$`),
    );
  });

  it('to a pipe: only the JSON record, no plain line', async () => {
    child = spawn(process.execPath, serveArgs(), { env });
    const out = await outputUntil(child, (o) => o.includes('first run: open the UI'));
    const token = fs.readFileSync(path.join(dir, 'setup-token'), 'utf8').trim();
    expect(out).not.toContain('Setup token: ');
    const record = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; setupUrl?: string })
      .find((r) => r.msg.includes(token));
    expect(record?.setupUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#\/setup$/);
  });
});
