/**
 * @module One skip rule for suites that need what a machine may lack (root and the test bed's daemons, a
 * browser): on a developer machine they skip with a banner no one can miss; in CI they fail, never skip.
 */

export interface SkipEnv {
  /** In CI (`CI` set) no suite may skip. */
  readonly ci: boolean;
  readonly warn: (message: string) => void;
}

const processEnv = (): SkipEnv => ({ ci: Boolean(process.env.CI), warn: (m) => console.warn(m) });

/**
 * `unavailable` says why `suite` cannot run here (undefined: it can). Returns the reason to skip for, after
 * printing `SKIPPED: <suite> — <reason>`; in CI throws with the reason instead.
 */
export function skipReason(
  suite: string,
  unavailable: string | undefined,
  env: SkipEnv = processEnv(),
): string | undefined {
  if (unavailable === undefined) return undefined;
  if (env.ci) throw new Error(`${suite} must run in CI but cannot: ${unavailable}`);
  const line = '='.repeat(100);
  env.warn(`\n${line}\nSKIPPED: ${suite} — ${unavailable}\n${line}\n`);
  return unavailable;
}
