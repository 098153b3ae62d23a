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

  it('passes only the given environment when one is set', async () => {
    const r = await runner.run(['/usr/bin/env'], { env: { ONLY_THIS: '1' } });
    expect(r.ok && r.value.stdout.trim()).toBe('ONLY_THIS=1');
  });
});
