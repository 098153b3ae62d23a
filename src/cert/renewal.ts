/**
 * @module The renewal policy, pure: when to issue or renew the certificate (ARI window, else a third of the
 * lifetime left), how long to back off after a failure, when to ask the CA's renewal information again, and how
 * all that reads on the certificate page. Time is `now`; randomness is a fraction the caller gives.
 *
 * The rules, in the order they apply:
 * - No certificate wanted: nothing to do (`stopped`, basis `not-wanted`).
 * - A failure holds the next attempt back: exponential backoff with jitter (1 min doubling to a day, shorter caps
 *   close to expiry, an hour once expired), never earlier than the CA's Retry-After, at least an hour after a rate
 *   limit without one. A `config` failure (wrong directory, EAB refused, a name the CA refuses, no solver) stops
 *   automatic attempts: they would fail the same way. The manager clears the failures when the account or the
 *   certificate settings change; until then one attempt a day still runs, because a CA-side problem (a CAA record
 *   being fixed, an outage answered with a wrong error) can go away by itself and nobody may be watching.
 * - No current certificate, or the wanted names differ from its names: issue now.
 * - An ARI window (RFC 9773 §4.2): renew at a time picked uniformly inside it, now when that time has passed (a
 *   window in the past means the CA wants the certificate replaced, e.g. before a revocation). The window's end
 *   is clamped to the safety margin before expiry; a window the CA got wrong (end not after start) is ignored.
 * - Otherwise renew when a third of the lifetime remains: 30 days of a 90-day certificate, 15 of a 45-day one,
 *   2 of a 6-day one, and always before the safety margin.
 */
import type { AcmeFailureKind } from './ports.js';

export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
export const dayMs = 24 * hourMs;

/** The backoff after failures. Exported for tests and the docs; not configuration. */
export const backoffPolicy = {
  /** After the first failure. */
  baseMs: minuteMs,
  /** The longest wait between attempts while the certificate has time left. */
  capMs: dayMs,
  /** Close to expiry the cap is a quarter of the time left, but never below this (never a tight loop). */
  nearExpiryMinCapMs: 10 * minuteMs,
  /** Once the certificate has expired there is nothing left to save: hourly, well inside the CA's rate limits. */
  expiredCapMs: hourMs,
  /** Jitter adds up to this fraction of the backoff (never takes away: the backoff is a floor). */
  jitter: 0.25,
  /** A rate limit without Retry-After: at least this long (Let's Encrypt's failed-validation limit is per hour). */
  rateLimitedMinMs: hourMs,
  /** The attempt a day that still runs after a `config` failure. */
  configRetryMs: dayMs,
} as const;

/** RFC 9773 §4.3: ask again at Retry-After, clamped to [1 min, 1 day]; without one, after 6 hours. */
export const ariPolicy = { minMs: minuteMs, maxMs: dayMs, defaultMs: 6 * hourMs } as const;

export type FailureKind = AcmeFailureKind;

export interface RenewalInput {
  readonly now: Date;
  /**
   * A fraction in [0, 1): where in the ARI window to renew, and the backoff's jitter. Give the same fraction for
   * the same certificate and window (e.g. {@link stableFraction} of the serial), else the chosen time moves each
   * time the plan is made.
   */
  readonly random: number;
  /** What the user wants; null when no certificate is set up. */
  readonly wanted: { readonly names: readonly string[] } | null;
  readonly current: {
    readonly names: readonly string[];
    readonly notBefore: Date;
    readonly notAfter: Date;
  } | null;
  /** The CA's suggested window for `current` (RFC 9773); null when the CA offers no ARI or none was fetched yet. */
  readonly ari: { readonly start: Date; readonly end: Date } | null;
  /** Consecutive failed attempts since the last success; count 0 means none. */
  readonly failures: {
    readonly count: number;
    readonly lastKind: FailureKind | null;
    readonly lastAttemptAt: Date | null;
    /** The CA's Retry-After of the last failure, when it sent one. */
    readonly retryAfterMs: number | null;
  };
  /** Whether the wanted names differ from the current certificate's; omitted: compared here (see {@link sameNames}). */
  readonly namesChanged?: boolean;
}

/** Why the plan says what it says; the status card and the CLI word it. */
export type RenewalBasis =
  | 'not-wanted'
  | 'no-certificate'
  | 'names-changed'
  | 'ari'
  | 'ari-past'
  | 'lifetime'
  | 'backoff'
  | 'config-failure';

export type RenewalPlan =
  | { readonly action: 'issue' | 'renew'; readonly basis: RenewalBasis; readonly reason: string }
  | { readonly action: 'wait'; readonly until: Date; readonly basis: RenewalBasis; readonly reason: string }
  | {
      readonly action: 'stopped';
      /** The daily attempt after a `config` failure; null when there is nothing to do (no certificate wanted). */
      readonly retryAt: Date | null;
      readonly basis: RenewalBasis;
      readonly reason: string;
    };

/** "2027-01-27 14:05 UTC": minutes matter for 6-day certificates, seconds do not. */
export function formatWhen(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Names compared as a set, case-insensitively (DNS names are). */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  // Stryker disable next-line MethodExpression: upper or lower case, either normalises
  const norm = (names: readonly string[]) => [...new Set(names.map((n) => n.toLowerCase()))].sort().join(' ');
  return norm(a) === norm(b);
}

/**
 * A fraction in [0, 1) from a text (FNV-1a): the same serial gives the same point in its ARI window across
 * restarts, different boxes spread over the window.
 */
export function stableFraction(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

/** The margin before expiry that no scheduled renewal passes: a tenth of the lifetime (9 days of 90, 14.4 h of 6). */
export function safetyMarginMs(lifetimeMs: number): number {
  return lifetimeMs / 10;
}

/**
 * The least wait after `count` consecutive failures (jitter only adds to it). `remainingMs` is what the
 * certificate had left at the failed attempt; null when there is no certificate yet.
 */
export function backoffMs(count: number, remainingMs: number | null): number {
  const p = backoffPolicy;
  // Past ~2^1023 the power is Infinity, which the cap still bounds.
  const exponential = p.baseMs * 2 ** (Math.max(count, 1) - 1);
  const cap =
    remainingMs === null
      ? p.capMs
      : remainingMs <= 0
        ? p.expiredCapMs
        : Math.min(p.capMs, Math.max(p.nearExpiryMinCapMs, remainingMs / 4));
  return Math.min(exponential, cap);
}

/**
 * When to fetch the renewal information again (RFC 9773 §4.3): right away when never fetched, else at the
 * Retry-After of the last answer clamped to [1 min, 1 day], 6 h without one (also after a failed fetch: the
 * lifetime rule covers the gap). Null once the certificate has expired: it is replaced, not renewed on advice.
 */
export function nextAriCheck(input: {
  readonly now: Date;
  readonly fetchedAt: Date | null;
  readonly retryAfterMs: number | null;
  readonly notAfter: Date;
}): Date | null {
  if (input.notAfter.getTime() <= input.now.getTime()) return null;
  if (input.fetchedAt === null) return input.now;
  const wait = Math.min(
    ariPolicy.maxMs,
    Math.max(ariPolicy.minMs, input.retryAfterMs ?? ariPolicy.defaultMs),
  );
  return new Date(input.fetchedAt.getTime() + wait);
}

interface Due {
  readonly at: number;
  readonly basis: RenewalBasis;
  readonly reason: string;
}

/** When the current certificate is due, without failures. */
function dueTime(
  current: NonNullable<RenewalInput['current']>,
  ari: RenewalInput['ari'],
  random: number,
  now: number,
): Due {
  const notAfter = current.notAfter.getTime();
  const lifetime = notAfter - current.notBefore.getTime();
  const safeEnd = Math.floor(notAfter - safetyMarginMs(lifetime));
  if (ari !== null && ari.end.getTime() > ari.start.getTime()) {
    const start = ari.start.getTime();
    const end = Math.min(ari.end.getTime(), safeEnd);
    // A window reaching past the safety margin is cut short there; one wholly after it leaves the margin itself
    // (then end < start and the pick lies in [end, start]). Whole milliseconds (a Date's), rounded up so a
    // waiting plan never ends before now.
    const at = Math.min(end, Math.ceil(start + random * (end - start)));
    if (at <= now)
      return {
        at,
        basis: 'ari-past',
        reason:
          ari.end.getTime() <= now
            ? `The CA's renewal window (ARI) ended ${formatWhen(ari.end)}: renewing now`
            : `Inside the CA's renewal window (ARI, until ${formatWhen(ari.end)}): renewing now`,
      };
    return {
      at,
      basis: 'ari',
      reason: `Renews around ${formatWhen(new Date(at))}, a time picked in the CA's renewal window (ARI)`,
    };
  }
  const at = Math.ceil(notAfter - lifetime / 3);
  return {
    at,
    basis: 'lifetime',
    reason:
      at <= now
        ? 'A third or less of its lifetime remains: renewing now'
        : `Renews at ${formatWhen(new Date(at))}, when a third of its lifetime remains`,
  };
}

/** Plans the next issuance or renewal. Pure. */
export function planRenewal(input: RenewalInput): RenewalPlan {
  const now = input.now.getTime();
  const random = Math.min(Math.max(input.random, 0), 1);
  if (input.wanted === null)
    return { action: 'stopped', retryAt: null, basis: 'not-wanted', reason: 'No certificate is set up' };
  const { current, failures } = input;
  const namesChanged =
    current !== null && (input.namesChanged ?? !sameNames(input.wanted.names, current.names));
  const action = current === null || namesChanged ? 'issue' : 'renew';
  const due: Due =
    current === null
      ? { at: now, basis: 'no-certificate', reason: 'No certificate yet: issuing one now' }
      : namesChanged
        ? {
            at: now,
            basis: 'names-changed',
            reason: `The names changed (now ${input.wanted.names.join(', ')}): issuing a new certificate now`,
          }
        : dueTime(current, input.ari, random, now);

  if (failures.count > 0 && failures.lastAttemptAt !== null) {
    const last = failures.lastAttemptAt.getTime();
    const tries = `${failures.count} failed attempt${failures.count === 1 ? '' : 's'}`;
    if (failures.lastKind === 'config') {
      const retryAt = Math.max(due.at, last + backoffPolicy.configRetryMs);
      if (retryAt > now)
        return {
          action: 'stopped',
          retryAt: new Date(retryAt),
          basis: 'config-failure',
          reason:
            `Stopped after a configuration error: fix the settings named in the last error ` +
            `(or Gatehouse tries once more at ${formatWhen(new Date(retryAt))})`,
        };
    } else {
      const remaining = current === null ? null : current.notAfter.getTime() - last;
      let floor = backoffMs(failures.count, remaining);
      if (failures.lastKind === 'rate-limited') floor = Math.max(floor, backoffPolicy.rateLimitedMinMs);
      let until = last + floor * (1 + backoffPolicy.jitter * random);
      // The CA's Retry-After is a floor too: an earlier attempt would only be refused again.
      until = Math.max(until, last + (failures.retryAfterMs ?? 0));
      // A Date keeps whole milliseconds: round up, never down past the floor.
      until = Math.ceil(until);
      if (until > now && until >= due.at)
        return {
          action: 'wait',
          until: new Date(until),
          basis: 'backoff',
          reason: `Retrying at ${formatWhen(new Date(until))} after ${tries} (last: ${failures.lastKind ?? 'unknown'})`,
        };
    }
  }
  if (due.at > now) return { action: 'wait', until: new Date(due.at), basis: due.basis, reason: due.reason };
  return { action, basis: due.basis, reason: due.reason };
}

export type RenewalStateName = 'none' | 'waiting' | 'due' | 'running' | 'failing' | 'stopped';

export interface RenewalStateView {
  readonly state: RenewalStateName;
  /** ISO; when the next attempt is planned (now when due); null when none is. */
  readonly nextAt: string | null;
  readonly reason: string;
}

/**
 * The CertView's `renewal.state`, `nextAt` and `reason` from the plan: `running` while an attempt runs,
 * `stopped` after a configuration error, `failing` while failures are retried, else `due` or `waiting`.
 */
export function renewalState(input: {
  readonly plan: RenewalPlan;
  readonly now: Date;
  /** The attempt running now, if any. */
  readonly running: 'issue' | 'renew' | null;
  readonly failures: number;
}): RenewalStateView {
  const { plan } = input;
  if (input.running !== null)
    return {
      state: 'running',
      nextAt: null,
      reason: input.running === 'issue' ? 'Issuing a certificate now' : 'Renewing the certificate now',
    };
  switch (plan.action) {
    case 'stopped':
      return {
        state: plan.basis === 'not-wanted' ? 'none' : 'stopped',
        nextAt: plan.retryAt?.toISOString() ?? null,
        reason: plan.reason,
      };
    case 'wait':
      return {
        state: input.failures > 0 ? 'failing' : 'waiting',
        nextAt: plan.until.toISOString(),
        reason: plan.reason,
      };
    case 'issue':
    case 'renew':
      return {
        state: input.failures > 0 ? 'failing' : 'due',
        nextAt: input.now.toISOString(),
        reason: plan.reason,
      };
  }
}

// ---- from the store ----------------------------------------------------------------------------------------------

/**
 * The parts of the `cert` slice (COMMON.md shape, dates as ISO text) the policy reads. Structural, so the slice's
 * own type fits it.
 */
export interface CertStateLike {
  readonly certificate: { readonly names: readonly string[] } | null;
  readonly current: {
    readonly serial: string;
    readonly names: readonly string[];
    readonly notBefore: string;
    readonly notAfter: string;
  } | null;
  readonly renewal: {
    readonly ari: { readonly start: string; readonly end: string } | null;
    readonly failures: number;
    readonly lastError: {
      readonly at: string;
      readonly kind: FailureKind;
      /** The CA's Retry-After of that failure; absent or null when it sent none. */
      readonly retryAfterMs?: number | null;
    } | null;
    readonly lastAttemptAt: string | null;
  };
}

/**
 * The policy's input from the slice. The random fraction is stable per certificate and ARI window (FNV of the
 * serial and the window's start) and per failure count for the jitter, so re-planning never moves the time.
 */
export function renewalInputOf(state: CertStateLike, now: Date): RenewalInput {
  const { current, renewal } = state;
  const seed = `${current?.serial ?? 'new'}|${renewal.ari?.start ?? ''}|${String(renewal.failures)}`;
  const lastAttempt = renewal.lastAttemptAt ?? renewal.lastError?.at ?? null;
  return {
    now,
    random: stableFraction(seed),
    wanted: state.certificate,
    current:
      current === null
        ? null
        : {
            names: current.names,
            notBefore: new Date(current.notBefore),
            notAfter: new Date(current.notAfter),
          },
    ari: renewal.ari === null ? null : { start: new Date(renewal.ari.start), end: new Date(renewal.ari.end) },
    failures: {
      count: renewal.failures,
      lastKind: renewal.lastError?.kind ?? null,
      lastAttemptAt: lastAttempt === null ? null : new Date(lastAttempt),
      retryAfterMs: renewal.lastError?.retryAfterMs ?? null,
    },
  };
}
