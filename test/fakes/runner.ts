/** @module A scripted CommandRunner: records every argv and answers from a table. */
import type { CommandResult, CommandRunner, RunFailure, RunOptions } from '../../src/core/runner.js';

export interface RecordedCall {
  readonly argv: readonly string[];
  readonly stdin: string | undefined;
}

type Answer = CommandResult | RunFailure;

export class FakeRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  private readonly answers: { match: (argv: readonly string[]) => boolean; answer: Answer }[] = [];

  /** Answers calls whose argv starts with `prefix`. Later rules win. */
  on(prefix: readonly string[], answer: Answer): this {
    this.answers.unshift({ match: (argv) => prefix.every((p, i) => argv[i] === p), answer });
    return this;
  }

  run(argv: readonly [string, ...string[]], options: RunOptions = {}) {
    this.calls.push({ argv, stdin: options.stdin });
    const rule = this.answers.find((a) => a.match(argv));
    if (!rule) {
      return Promise.resolve({
        ok: false as const,
        error: {
          kind: 'not-found' as const,
          program: argv[0],
          message: `FakeRunner has no answer for ${argv.join(' ')}`,
        },
      });
    }
    const a = rule.answer;
    return Promise.resolve('kind' in a ? { ok: false as const, error: a } : { ok: true as const, value: a });
  }
}
