/**
 * @module How soon a router event may probe: a few probes at once, then one per gap — a token bucket, so a router
 * that announces a change in steps is followed at once while a flood of events (anyone on the LAN can send them)
 * costs at most one probe per gap. Pure.
 */

export interface ProbeBudgetPolicy {
  /** Time that earns one probe back. */
  readonly gapMs: number;
  /** Probes that may run back to back after a quiet time (at least 1). */
  readonly burst: number;
}

/**
 * The bucket as of `at` (ms on the service's clock), counted in time: `creditMs` / `gapMs` probes are available
 * (integer milliseconds, so no rounding creeps in). `null` before the first probe: a full bucket.
 */
export type ProbeBudget = { readonly creditMs: number; readonly at: number } | null;

/** The credit at `now`: what was left plus the time since, up to a full burst. */
function creditAt(budget: ProbeBudget, now: number, policy: ProbeBudgetPolicy): number {
  const full = policy.burst * policy.gapMs;
  // A clock that stepped back (NTP) must not leave the bucket waiting for time it already had: full.
  if (budget === null || now < budget.at) return full;
  return Math.min(full, budget.creditMs + (now - budget.at));
}

/** How long a probe wanted at `now` must wait (0: at once). */
export function probeDelay(budget: ProbeBudget, now: number, policy: ProbeBudgetPolicy): number {
  return Math.max(0, policy.gapMs - creditAt(budget, now, policy));
}

/** The budget after a probe at `now` (call it when the probe starts, after its delay). */
export function spendProbe(budget: ProbeBudget, now: number, policy: ProbeBudgetPolicy): ProbeBudget {
  return { creditMs: Math.max(0, creditAt(budget, now, policy) - policy.gapMs), at: now };
}
