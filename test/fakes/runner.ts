/**
 * @module A scripted CommandRunner: records every argv and answers from a table, keeping the real runner's
 * contract (src/core/child-process-runner.ts; test/fakes/contracts/runner.ts holds both to it).
 */
import type { Clock } from '../../src/core/clock.js';
import { Mistakes } from './mistakes.js';
import {
  timeoutExitCode,
  type CommandResult,
  type CommandRunner,
  type RunFailure,
  type RunOptions,
} from '../../src/core/runner.js';

export interface RecordedCall {
  readonly argv: readonly string[];
  readonly stdin: string | undefined;
  readonly timeoutMs: number | undefined;
}

/** What a hanging command has written before it is killed. */
export interface Hang {
  readonly kind: 'hangs';
  readonly stdout?: string;
  readonly stderr?: string;
}

type Answer = CommandResult | RunFailure | Hang;
/** A fixed answer, or one computed from the call (e.g. a `cat` that echoes its stdin). */
type Script = Answer | ((call: RecordedCall) => Answer);
type RunResult = { ok: true; value: CommandResult } | { ok: false; error: RunFailure };

/** Thrown (and recorded in `mistakes`) for a call the test did not script: a wrong argv must never pass. */
export class UnscriptedCommandError extends Error {
  override readonly name = 'UnscriptedCommandError';
}

/**
 * Rules match argv by prefix; later rules win. A call that matches no rule is a mistake in the code or the
 * test: the returned promise rejects (the real runner never rejects) and the running test fails when it ends,
 * even if the code under test swallowed the rejection. "The tool is missing" is scripted with `missing()`.
 *
 * A command scripted with `hangs()` behaves as a child that never exits:
 * - with `timeoutMs`: it is killed then, and the answer is what the real runner gives — exit code 124 with
 *   the output written so far. With a `clock`, that happens when the clock reaches `timeoutMs`; without
 *   one, at once (time is not part of the test);
 * - with a `signal`: it ends when the signal aborts, as the real runner's `cancelled` value;
 * - with neither: the real runner would wait forever. That is a bug in the caller, so it is a mistake
 *   like an unscripted argv, not a test that hangs until its own timeout.
 */
export class FakeRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  /** Calls the test did not script, or that would hang forever; each fails the test unless taken. */
  private readonly mistakes = new Mistakes<UnscriptedCommandError>();
  private readonly answers: { match: (argv: readonly string[]) => boolean; answer: Script }[] = [];
  private readonly clock: Clock | undefined;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock;
  }

  /** Answers calls whose argv starts with `prefix`. Later rules win. */
  on(prefix: readonly [string, ...string[]], answer: Script): this {
    this.answers.unshift({ match: (argv) => prefix.every((p, i) => argv[i] === p), answer });
    return this;
  }

  /** `program` is not installed: every call to it is the real runner's not-found value. */
  missing(program: string): this {
    return this.on([program], {
      kind: 'not-found',
      program,
      message: `${program} is not installed or not on PATH`,
    });
  }

  /** Calls whose argv starts with `prefix` never exit on their own (see the class comment). */
  hangs(prefix: readonly [string, ...string[]], written: { stdout?: string; stderr?: string } = {}): this {
    return this.on(prefix, { kind: 'hangs', ...written });
  }

  run(argv: readonly [string, ...string[]], options: RunOptions = {}): Promise<RunResult> {
    const call: RecordedCall = { argv, stdin: options.stdin, timeoutMs: options.timeoutMs };
    this.calls.push(call);
    const [program] = argv;
    const rule = this.answers.find((a) => a.match(argv));
    if (!rule) return this.mistake(`FakeRunner: no rule for ${JSON.stringify(argv)}`);
    // An aborted signal stops the child before it runs, whatever it would have answered.
    if (options.signal?.aborted) return Promise.resolve(aborted(program));
    const a = typeof rule.answer === 'function' ? rule.answer(call) : rule.answer;
    if (!('kind' in a)) return Promise.resolve({ ok: true, value: a });
    switch (a.kind) {
      case 'not-found':
      case 'spawn-failed':
      case 'cancelled':
        return Promise.resolve({ ok: false, error: a });
      case 'hangs':
        return this.hang(program, a, options);
    }
  }

  private async hang(program: string, written: Hang, options: RunOptions): Promise<RunResult> {
    const killed: RunResult = {
      ok: true,
      value: { exitCode: timeoutExitCode, stdout: written.stdout ?? '', stderr: written.stderr ?? '' },
    };
    const { timeoutMs, signal } = options;
    if (timeoutMs === undefined && signal === undefined) {
      return this.mistake(
        `FakeRunner: ${program} hangs and the caller gave neither timeoutMs nor a signal: it would wait forever`,
      );
    }
    const ended = new AbortController();
    const outcomes: Promise<RunResult>[] = [];
    if (signal) {
      outcomes.push(
        new Promise((resolve) => {
          const onAbort = () => resolve(aborted(program));
          signal.addEventListener('abort', onAbort, { once: true });
          ended.signal.addEventListener('abort', () => signal.removeEventListener('abort', onAbort));
        }),
      );
    }
    if (timeoutMs !== undefined) {
      const timedOut = this.clock ? this.clock.sleep(timeoutMs, ended.signal) : Promise.resolve();
      // The clock's sleep rejects once the other outcome has won and ended it: nothing to report then.
      outcomes.push(
        timedOut.then(
          () => killed,
          () => new Promise<never>(() => undefined),
        ),
      );
    }
    try {
      return await Promise.race(outcomes);
    } finally {
      ended.abort();
    }
  }

  /** The mistakes so far, for a test that expects them; taken mistakes no longer fail the test. */
  takeMistakes(): UnscriptedCommandError[] {
    return this.mistakes.take();
  }

  private mistake(message: string): Promise<never> {
    // Fails the running test even when the code under test catches the rejection.
    return Promise.reject(this.mistakes.record(new UnscriptedCommandError(message)));
  }
}

/** What the real runner yields when the caller's signal aborts the child (Node reports an AbortError). */
function aborted(program: string): RunResult {
  return { ok: false, error: { kind: 'cancelled', program, message: `${program} was cancelled` } };
}
