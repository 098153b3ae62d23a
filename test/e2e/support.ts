/** @module How the e2e suite decides to run: it needs root and the tools; in CI it must never skip. */
import { skipReason } from '../support/skip.js';
import { unavailableReason } from '../testbed/testbed.js';

/**
 * The reason the bed cannot run (or `also`, a further need of this suite), after printing it loudly;
 * throws in CI, where skipping is not allowed.
 */
export function e2eSkipReason(suite: string, also?: string): string | undefined {
  return skipReason(`e2e suite "${suite}"`, unavailableReason() ?? also);
}
