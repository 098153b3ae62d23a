import { describe, expect, it } from 'vitest';
import { createChildProcessRunner } from './child-process-runner.js';

const runner = createChildProcessRunner();

describe('child-process CommandRunner', () => {
  it('passes argv literally, never through a shell', async () => {
    const r = await runner.run(['printf', '%s|', 'a; echo injected', '$(id)', '`x`']);
    expect(r.ok && r.value.stdout).toBe('a; echo injected|$(id)|`x`|');
  });

  it('writes stdin and reports exit code and stderr', async () => {
    const r = await runner.run(['sh', '-c', 'cat; echo oops >&2; exit 3'], { stdin: 'table inet x {}\n' });
    expect(r.ok && r.value).toEqual({ exitCode: 3, stdout: 'table inet x {}\n', stderr: 'oops\n' });
  });

  it('reports a missing program as a value naming it', async () => {
    const r = await runner.run(['definitely-not-installed-gatehouse-tool', '--version']);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'not-found',
        program: 'definitely-not-installed-gatehouse-tool',
        message: 'definitely-not-installed-gatehouse-tool is not installed or not on PATH',
      },
    });
  });

  it('kills a program that outlives its timeout (exit code 124)', async () => {
    const r = await runner.run(['sleep', '30'], { timeoutMs: 100 });
    expect(r.ok && r.value.exitCode).toBe(124);
  });

  // A daemon started by a program (wg-quick starting wireguard-go) inherits its output pipes and may hold them
  // for good: the run must end with the program, not with the daemon. The grandchild here is ours: we kill it.
  const leftBehind = (r: Awaited<ReturnType<typeof runner.run>>): number => {
    const pid = Number(r.ok ? r.value.stdout.trim() : NaN);
    expect(Number.isInteger(pid) && pid > 1).toBe(true);
    process.kill(pid, 'SIGKILL');
    return pid;
  };

  it('ends when the program exits, even if a process it left behind holds its output', async () => {
    const r = await runner.run(['sh', '-c', 'sleep 30 & echo $!; echo started >&2']);
    leftBehind(r);
    expect(r.ok && { exitCode: r.value.exitCode, stderr: r.value.stderr }).toEqual({
      exitCode: 0,
      stderr: 'started\n',
    });
  }, 10_000);

  it('a timeout ends the run even if a child of the program holds its output', async () => {
    // The limit only has to outlast sh's start and its echo, also on a loaded machine.
    const r = await runner.run(['sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 2000 });
    leftBehind(r);
    expect(r.ok && r.value.exitCode).toBe(124);
  }, 10_000);

  it('a program that exits in time is not a timeout, even while a process it left behind holds its output', async () => {
    // The limit falls inside the grace for the left-behind output (1 s), after sh's exit.
    const r = await runner.run(['sh', '-c', 'sleep 30 & echo $!; exit 0'], { timeoutMs: 500 });
    leftBehind(r);
    expect(r.ok && r.value.exitCode).toBe(0);
  }, 10_000);

  it('a run ended by the caller’s signal is "cancelled", not "could not start"', async () => {
    const controller = new AbortController();
    const running = runner.run(['sleep', '30'], { signal: controller.signal });
    controller.abort();
    expect(await running).toEqual({
      ok: false,
      error: { kind: 'cancelled', program: 'sleep', message: 'sleep was cancelled' },
    });
  });

  it('passes only the given environment when one is set', async () => {
    const r = await runner.run(['/usr/bin/env'], { env: { ONLY_THIS: '1' } });
    expect(r.ok && r.value.stdout.trim()).toBe('ONLY_THIS=1');
  });
});
