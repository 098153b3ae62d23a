/** @module Typed errors for the few cases that must throw; each carries the `cause` that led to it. */

/** Start-up cannot continue: a bad setting, an unreadable store. The message names the culprit. */
export class FatalStartupError extends Error {
  override readonly name = 'FatalStartupError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The data directory is held by another running Gatehouse process. */
export class DataDirLockedError extends FatalStartupError {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `the data directory ${dataDir} is in use by another Gatehouse process (pid ${holderPid})`,
      'stop that process first, or point this one at another directory with --data-dir',
    );
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
