/** @module How the e2e suite decides to run: it needs root and the tools; in CI it must never skip. */
import { unavailableReason } from '../testbed/testbed.js';

/** The reason the bed cannot run, after printing it loudly; throws in CI, where skipping is not allowed. */
export function e2eSkipReason(suite: string): string | undefined {
  const reason = unavailableReason();
  if (reason === undefined) return undefined;
  if (process.env.CI) {
    throw new Error(`e2e suite "${suite}" cannot run in CI: ${reason}`);
  }
  const line = '='.repeat(100);
  console.warn(`\n${line}\nSKIPPED: e2e suite "${suite}" — ${reason}\n${line}\n`);
  return reason;
}
