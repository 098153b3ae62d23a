/** @module Pure session rules: expiry by idle time and absolute age, and when to refresh lastSeenAt. */
import { createHash } from 'node:crypto';
import type { Session } from '../store/schema.js';

export interface SessionPolicy {
  readonly idleMs: number;
  readonly maxAgeMs: number;
  /** A session waiting for its TOTP code lives this long. */
  readonly pendingMfaMs: number;
}

export function sessionExpiry(
  createdAt: Date,
  lastSeenAt: Date,
  policy: SessionPolicy,
  stage: Session['stage'],
): Date {
  if (stage === 'pending-mfa') return new Date(createdAt.getTime() + policy.pendingMfaMs);
  return new Date(Math.min(lastSeenAt.getTime() + policy.idleMs, createdAt.getTime() + policy.maxAgeMs));
}

/**
 * The id a session is shown by (to list and revoke it): derived from the stored hash, so it is stable for the
 * session's life, yet neither the cookie nor the hash the store looks the cookie up by.
 */
export function publicSessionId(session: Pick<Session, 'idHash'>): string {
  return createHash('sha256').update(`session:${session.idHash}`).digest('hex').slice(0, 32);
}

export function isSessionLive(session: Session, now: Date): boolean {
  return new Date(session.expiresAt).getTime() > now.getTime();
}

/**
 * How stale lastSeenAt may get before a request rewrites it: a tenth of the idle limit, at most a minute, so
 * browsing does not rewrite the store on every request, and a session in use never comes within 90 % of its idle
 * limit without a refresh (with a one-minute limit, a refresh every 6 s).
 */
export function touchIntervalMs(policy: SessionPolicy): number {
  return Math.min(60_000, Math.floor(policy.idleMs / 10));
}

export function needsTouch(session: Session, now: Date, policy: SessionPolicy): boolean {
  return now.getTime() - new Date(session.lastSeenAt).getTime() > touchIntervalMs(policy);
}

/** The session policy the settings ask for (idle and absolute limits); a password-only login lives 5 minutes. */
export function sessionPolicyOf(settings: {
  readonly sessionIdleMinutes: number;
  readonly sessionMaxAgeHours: number;
}): SessionPolicy {
  return {
    idleMs: settings.sessionIdleMinutes * 60_000,
    maxAgeMs: settings.sessionMaxAgeHours * 3600_000,
    pendingMfaMs: 5 * 60_000,
  };
}
