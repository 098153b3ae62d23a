/**
 * @module How every `gatehouse` command answers, in one shape for the core, DDNS, WireGuard and certificate
 * commands: answers on stdout (with `--json` as the API gives them), failures on stderr as `gatehouse: <message>`
 * (the program's name first, as Unix tools do; commander's own mistakes are rewritten to match), what to do on the
 * next line; exit 1 for a failure, 2 for a mistake in the command line.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { fail, ok, type Failure, type Outcome } from '../core/outcome.js';

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

/** What stands before every message on stderr. */
export const errorPrefix = 'gatehouse: ';

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** What a capability's commands (`ddns`, `peer`/`service`/`wg`, `cert`) get from the program; each adds its own. */
export interface CommandEnv<Flags, Access> extends CommandIo {
  /** Receives each command's exit code. */
  readonly finish: (code: number) => void;
  /** Adds the options that find the data directory and the server (--data-dir, --config, --listen). */
  readonly withSettings: (cmd: Command) => Command;
  /** The port, for the resolved settings (throws the CLI's own usage/startup errors). */
  readonly connect: (flags: Flags) => Access;
}

/** Extra lines under a failure: what the user can do, and a note (e.g. what is still served meanwhile). */
export interface FailureHelp {
  readonly remedy?: string;
  readonly note?: string;
}

export interface CommandOutput {
  readonly say: (text: string) => void;
  readonly printJson: (value: unknown) => void;
  /** A mistake in the command line: the message, exit 2. */
  readonly usage: (message: string) => number;
  /** A domain failure: `{ "error": … }` on stdout with --json, the message (and help) on stderr, exit 1 — or exit 2 for a `usage` failure. */
  readonly failed: (f: Failure, json: boolean | undefined, help?: FailureHelp) => number;
}

export function commandOutput(io: CommandIo): CommandOutput {
  const say = (text: string): void => io.stdout(text);
  const printJson = (value: unknown): void => say(`${JSON.stringify(value, null, 2)}\n`);
  const usage = (message: string): number => {
    io.stderr(`${errorPrefix}${message}\n`);
    return exitCodes.usage;
  };
  const failed = (f: Failure, json: boolean | undefined, help: FailureHelp = {}): number => {
    if (f.code === 'usage') return usage(f.message);
    const { remedy, note } = help;
    // JSON leaves out a remedy that is undefined.
    if (json) printJson({ error: { code: f.code, message: f.message, remedy } });
    io.stderr(
      `${errorPrefix}${f.message}\n` +
        (remedy === undefined ? '' : `  what to do: ${remedy}\n`) +
        (note === undefined ? '' : `  ${note}\n`),
    );
    return exitCodes.failure;
  };
  return { say, printJson, usage, failed };
}

/** Commander's own messages (`error: unknown option '--x'`) in the same shape as ours. */
export function commanderError(message: string): string {
  return message.startsWith('error: ') ? `${errorPrefix}${message.slice('error: '.length)}` : message;
}

/**
 * Checks an answer of the control routes against what the command expects; one that does not match is a failure of
 * its own, `code` (a server of another version, say), naming where it differs.
 */
export function checkAnswer<T>(schema: z.ZodType<T>, value: unknown, code: string): Outcome<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  // Stryker disable next-line all: a failed parse has at least one issue; the fallback only satisfies the type
  const first = parsed.error.issues[0] ?? { path: [], message: 'invalid' };
  const where = first.path.map(String).join('.') || '(root)';
  return fail({ code, message: `unexpected answer at ${where}: ${first.message}` });
}
