/** @module CommandRunner port: every external program runs through here, as an argv array, never a shell string. */

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin, then closed (nft scripts, wg keys). Never placed in argv. */
  readonly stdin?: string;
  /**
   * Kill the child after this many milliseconds; the result then carries exitCode 124 like coreutils timeout.
   * The run ends when the child has exited, even if a process it started still holds its output open (a daemon).
   */
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** Exit code of a run killed at its `timeoutMs` (as coreutils `timeout`). */
export const timeoutExitCode = 124;

/**
 * Why a run that ended with a non-zero exit failed, for people: a timeout says so (its stderr is usually empty),
 * anything else names the exit code and the program's own last words. Pure.
 */
export function describeFailedExit(program: string, result: CommandResult, timeoutMs?: number): string {
  if (timeoutMs !== undefined && result.exitCode === timeoutExitCode) {
    return `${program} did not finish within ${String(timeoutMs / 1000)} s`;
  }
  const said = result.stderr.trim().split('\n').at(-1) ?? '';
  return `${program} failed (exit ${String(result.exitCode)})${said === '' ? '' : `: ${said}`}`;
}

export type RunFailure =
  | { readonly kind: 'not-found'; readonly program: string; readonly message: string }
  | { readonly kind: 'spawn-failed'; readonly program: string; readonly message: string }
  /** The caller's signal ended the run (the child, if it started, was killed). */
  | { readonly kind: 'cancelled'; readonly program: string; readonly message: string };

export interface CommandRunner {
  /**
   * Runs argv[0] with the remaining arguments. A non-zero exit is a normal result (inspect exitCode);
   * a program that is missing or cannot start is a RunFailure value naming the program, never a silent no-op.
   */
  run(
    argv: readonly [string, ...string[]],
    options?: RunOptions,
  ): Promise<{ ok: true; value: CommandResult } | { ok: false; error: RunFailure }>;
}

/** A long-running child (e.g. `ip monitor address`) whose output arrives line by line. */
export interface RunningProcess {
  /** Ends the child (SIGTERM, then SIGKILL) and resolves when it has exited. */
  stop(): Promise<void>;
}

export interface ProcessLauncher {
  /**
   * Starts argv[0] (argv array, never a shell) and calls `onLine` for every stdout line. `onExit` reports an
   * unexpected end (a missing program is reported there too, with its reason) — never a silent no-op.
   */
  launch(
    argv: readonly [string, ...string[]],
    handlers: { onLine: (line: string) => void; onExit: (reason: string) => void },
  ): RunningProcess;
}
