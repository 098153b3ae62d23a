/** @module Login throttling: growing lockouts per account and per client address. */
import type { Clock } from '../core/clock.js';
import { sha256Hex } from './crypto.js';

/** The longest value a throttle key holds as it is; the store keeps keys of up to 300 characters. */
export const maxThrottleValueLength = 200;

/**
 * The throttle key `<kind>:<value>`; a longer value is replaced by its SHA-256, so no text a client controls can
 * make a key the store refuses (which would lose the failure, its audit record and the lockout).
 */
export function throttleKey(kind: 'account' | 'client' | 'device' | 'setup', value: string): string {
  return value.length > maxThrottleValueLength ? `${kind}:sha256:${sha256Hex(value)}` : `${kind}:${value}`;
}

export interface LockoutPolicy {
  /** Failures allowed before the first lockout. */
  readonly freeAttempts: number;
  readonly baseLockoutMs: number;
  readonly maxLockoutMs: number;
  /** Failures older than this are forgotten once no lockout is running. */
  readonly forgetAfterMs: number;
}

export const defaultLockoutPolicy: LockoutPolicy = {
  freeAttempts: 5,
  baseLockoutMs: 30_000,
  maxLockoutMs: 60 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
};

/** Lockout length after the given number of consecutive failures: 0, then doubling from the base up to the cap. */
export function lockoutDurationMs(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.freeAttempts) return 0;
  const step = failures - policy.freeAttempts;
  return Math.min(policy.maxLockoutMs, policy.baseLockoutMs * 2 ** Math.min(step, 30));
}

/** One key's failures and lockout, times in ms since the epoch; what the store keeps across restarts. */
export interface ThrottleEntry {
  readonly failures: number;
  readonly lastFailureAt: number;
  readonly lockedUntil: number;
}

type Entry = ThrottleEntry;

/**
 * Which of the given entries are worth keeping, at most `limit`: those whose lockout runs or whose failures still
 * count. Running lockouts first (longest first), then the most recent failures. Pure: the store keeps what it returns.
 */
export function entriesToKeep<T extends ThrottleEntry>(
  entries: readonly T[],
  now: number,
  policy: LockoutPolicy,
  limit: number,
): T[] {
  const live = entries.filter((e) => e.lockedUntil > now || now - e.lastFailureAt <= policy.forgetAfterMs);
  return live
    .sort((a, b) => {
      const aLocked = a.lockedUntil > now ? 1 : 0;
      const bLocked = b.lockedUntil > now ? 1 : 0;
      if (aLocked !== bLocked) return bLocked - aLocked;
      if (aLocked === 1 && a.lockedUntil !== b.lockedUntil) return b.lockedUntil - a.lockedUntil;
      return b.lastFailureAt - a.lastFailureAt;
    })
    .slice(0, limit);
}

export type ThrottleDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Holds per-key failure counts for one process; keys look like `account:admin` or `client:203.0.113.9`. */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: LockoutPolicy = defaultLockoutPolicy,
    /** Entries kept from before a restart (the store's lockouts slice). */
    initial: Iterable<readonly [string, ThrottleEntry]> = [],
  ) {
    for (const [key, entry] of initial) this.entries.set(key, { ...entry });
  }

  /** The entry of `key` as it stands (undefined: nothing counts against it), for the store to keep. */
  entryOf(key: string): ThrottleEntry | undefined {
    const e = this.entries.get(key);
    return e === undefined ? undefined : { ...e };
  }

  /** Whether an attempt may proceed for all the given keys; the longest running lockout wins. */
  check(keys: readonly string[]): ThrottleDecision {
    const now = this.clock.now().getTime();
    let retryAfterMs = 0;
    for (const key of keys) {
      const e = this.entries.get(key);
      // A lockout that has ended leaves a remainder ≤ 0, which never wins over 0.
      if (e) retryAfterMs = Math.max(retryAfterMs, e.lockedUntil - now);
    }
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
  }

  /** Records a failure for each key; returns the lockouts that this failure started (key → ms). */
  recordFailure(keys: readonly string[]): Map<string, number> {
    const now = this.clock.now().getTime();
    const started = new Map<string, number>();
    for (const key of keys) {
      const failures = this.failuresOf(key, now) + 1;
      const lockMs = lockoutDurationMs(failures, this.policy);
      this.entries.set(key, { failures, lastFailureAt: now, lockedUntil: now + lockMs });
      if (lockMs > 0) started.set(key, lockMs);
    }
    this.prune(now);
    return started;
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  /**
   * Starts an attempt whose outcome is not known yet (the password hash takes ~100 ms). Concurrent attempts
   * count as failures-to-be, so parallel requests cannot slip past the limit: while one is in flight, another
   * is admitted only if both failing would still stay within the free attempts. Call `end` when it is decided.
   */
  begin(keys: readonly string[]): ThrottleDecision {
    const locked = this.check(keys);
    if (!locked.allowed) return locked;
    const now = this.clock.now().getTime();
    for (const key of keys) {
      const inFlight = this.inFlight.get(key) ?? 0;
      const failures = this.failuresOf(key, now);
      if (inFlight > 0 && failures + inFlight >= this.policy.freeAttempts) {
        return { allowed: false, retryAfterMs: 1000 };
      }
    }
    for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    return { allowed: true };
  }

  /** Ends an attempt started with `begin` (record its outcome with recordFailure / recordSuccess as well). */
  end(keys: readonly string[]): void {
    for (const key of keys) {
      const n = (this.inFlight.get(key) ?? 0) - 1;
      if (n > 0) this.inFlight.set(key, n);
      else this.inFlight.delete(key);
    }
  }

  /** Consecutive failures that still count: none once forgetAfterMs has passed since the last one. */
  private failuresOf(key: string, now: number): number {
    const e = this.entries.get(key);
    if (e === undefined || now - e.lastFailureAt > this.policy.forgetAfterMs) return 0;
    return e.failures;
  }

  /**
   * Keys held in memory: failure records, and keys with attempts in flight. A spray of usernames or addresses
   * must not grow these without bound, so the bound is part of the contract (and tested).
   */
  get held(): { readonly failures: number; readonly inFlight: number } {
    return { failures: this.entries.size, inFlight: this.inFlight.size };
  }

  /**
   * Bounds memory: from 10 000 entries on, drops those that are neither locked nor remembered, i.e. exactly the
   * ones every reader treats like a missing entry (a lock ending now allows, see `check`). Below that it skips
   * the scan, so a failure costs O(1) until the map is large.
   */
  private prune(now: number): void {
    if (this.entries.size < 10_000) return;
    for (const [key, e] of this.entries) {
      if (e.lockedUntil <= now && now - e.lastFailureAt > this.policy.forgetAfterMs) this.entries.delete(key);
    }
  }
}
