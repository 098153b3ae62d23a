import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadline } from './deadline.js';

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });

describe('deadline', () => {
  it('aborts with a TimeoutError when the time is up', async () => {
    const limit = deadline(20);
    const reason = await aborted(limit.signal);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(limit.timedOut()).toBe(true);
  });

  it('follows the parent, which is not a timeout', async () => {
    const parent = new AbortController();
    const limit = deadline(60_000, parent.signal);
    parent.abort(new Error('stopping'));
    expect(await aborted(limit.signal)).toMatchObject({ message: 'stopping' });
    expect(limit.timedOut()).toBe(false);
    limit.clear();

    const already = deadline(60_000, parent.signal);
    expect(already.signal.aborted).toBe(true);
    expect(already.timedOut()).toBe(false);
  });

  it('clear() stops the timer: the signal never aborts', async () => {
    const limit = deadline(10);
    limit.clear();
    const later = deadline(50);
    await aborted(later.signal);
    expect(limit.signal.aborted).toBe(false);
  });

  it('still fires for a request that never gets an answer while the garbage collector runs (Node 20 regression)', () => {
    // A child process with --expose-gc: a fetch to a loopback server that accepts and never answers, with
    // gc() forced while it waits. The request must end with the time limit, not hang.
    const script = `
      import net from 'node:net';
      import { deadline } from ${JSON.stringify(path.join(import.meta.dirname, 'deadline.ts'))};
      const server = net.createServer(() => {}).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const gc = setInterval(() => globalThis.gc(), 5);
      const parent = new AbortController();
      const started = Date.now();
      const limit = deadline(300, parent.signal);
      try {
        await fetch('http://127.0.0.1:' + server.address().port + '/', { signal: limit.signal });
        console.log('ANSWERED');
      } catch (e) {
        console.log((limit.timedOut() ? 'TIMED OUT ' : 'FAILED ') + (Date.now() - started));
      }
      clearInterval(gc);
      server.close();
      process.exit(0);
    `;
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^TIMED OUT \d+\n$/);
  });
});
