/**
 * @module The CommandRunner contract: cases that the real child-process runner and FakeRunner must both pass,
 * so what a test scripts is what production gets.
 */
import { expect, it } from 'vitest';
import type { CommandRunner } from '../../../src/core/runner.js';

/**
 * The commands the cases run. The real runner executes them (harmless local programs); a fake must be
 * scripted to answer them as those programs do.
 */
export const contractCommands = {
  succeeds: ['node', '-e', 'process.stdout.write("hello")'],
  fails: ['node', '-e', 'process.stderr.write("oops"); process.exit(3)'],
  /** Echoes its stdin. */
  echoesStdin: ['cat'],
  missing: ['gatehouse-contract-no-such-program', '--version'],
  /** Writes `partial` and `err`, then never exits on its own (exec: no grandchild keeps the pipes open). */
  hangs: ['sh', '-c', 'printf partial; printf err >&2; exec sleep 30'],
} as const satisfies Record<string, readonly [string, ...string[]]>;

/** The test's own bound on a hang; the real timeoutMs is far below it. */
const hangBoundMs = 10_000;

export function runnerContract(makeRunner: () => CommandRunner): void {
  it('a command that succeeds: exit code 0 and its stdout', async () => {
    expect(await makeRunner().run(contractCommands.succeeds)).toEqual({
      ok: true,
      value: { exitCode: 0, stdout: 'hello', stderr: '' },
    });
  });

  it('a non-zero exit is a result (not a failure) with its stderr', async () => {
    expect(await makeRunner().run(contractCommands.fails)).toEqual({
      ok: true,
      value: { exitCode: 3, stdout: '', stderr: 'oops' },
    });
  });

  it('stdin reaches the program', async () => {
    const stdin = 'table inet gatehouse {}\n';
    expect(await makeRunner().run(contractCommands.echoesStdin, { stdin })).toEqual({
      ok: true,
      value: { exitCode: 0, stdout: stdin, stderr: '' },
    });
  });

  it('a missing program is a not-found value naming it', async () => {
    const [program] = contractCommands.missing;
    expect(await makeRunner().run(contractCommands.missing)).toEqual({
      ok: false,
      error: { kind: 'not-found', program, message: `${program} is not installed or not on PATH` },
    });
  });

  it(
    'a command that outlives timeoutMs is killed: exit code 124 with what it wrote so far',
    async () => {
      // Long enough for sh to start and write on a loaded machine; the kill is what is tested.
      expect(await makeRunner().run(contractCommands.hangs, { timeoutMs: 3000 })).toEqual({
        ok: true,
        value: { exitCode: 124, stdout: 'partial', stderr: 'err' },
      });
    },
    hangBoundMs,
  );

  it(
    'a hanging command ended by the caller’s signal is a cancelled value',
    async () => {
      const controller = new AbortController();
      const running = makeRunner().run(contractCommands.hangs, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect(await running).toEqual({
        ok: false,
        error: { kind: 'cancelled', program: 'sh', message: 'sh was cancelled' },
      });
    },
    hangBoundMs,
  );

  it('an already aborted signal: the program does not run, a cancelled value', async () => {
    const signal = AbortSignal.abort();
    expect(await makeRunner().run(contractCommands.succeeds, { signal })).toEqual({
      ok: false,
      error: { kind: 'cancelled', program: 'node', message: 'node was cancelled' },
    });
  });
}
