import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Session } from '../store/schema.js';
import {
  isSessionLive,
  needsTouch,
  publicSessionId,
  sessionExpiry,
  sessionPolicyOf,
  touchIntervalMs,
  type SessionPolicy,
} from './sessions.js';

const minute = 60_000;
const hour = 60 * minute;
const policy: SessionPolicy = { idleMs: hour, maxAgeMs: 24 * hour, pendingMfaMs: 5 * minute };
const t0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms);

function session(fields: Partial<Session>): Session {
  return {
    idHash: 'h',
    userId: 'u',
    createdAt: at(0).toISOString(),
    lastSeenAt: at(0).toISOString(),
    expiresAt: at(hour).toISOString(),
    stage: 'complete',
    csrfToken: 'c',
    clientAddress: '192.0.2.1',
    userAgent: '',
    ...fields,
  };
}

describe('sessionExpiry', () => {
  it.each([
    // [created, lastSeen, stage, expected expiry]
    [0, 0, 'complete', hour],
    [0, 30 * minute, 'complete', 90 * minute],
    [0, 22 * hour, 'complete', 23 * hour],
    [0, 23 * hour + 30 * minute, 'complete', 24 * hour], // capped by the absolute age
    [0, 30 * hour, 'complete', 24 * hour],
    [0, 0, 'pending-mfa', 5 * minute],
    [0, 4 * minute, 'pending-mfa', 5 * minute], // activity never extends a pending login
  ] as const)('created %i, last seen %i, %s → %i', (created, lastSeen, stage, expected) => {
    expect(sessionExpiry(at(created), at(lastSeen), policy, stage).getTime()).toBe(t0 + expected);
  });
});

describe('isSessionLive', () => {
  it.each([
    [-1, true],
    [0, false], // the expiry instant itself is already too late
    [1, false],
  ])('at expiry %+i ms → %s', (offset, live) => {
    expect(isSessionLive(session({ expiresAt: at(hour).toISOString() }), at(hour + offset))).toBe(live);
  });
});

describe('needsTouch', () => {
  it.each([
    [0, false],
    [minute, false],
    [minute + 1, true],
    [10 * minute, true],
  ])('idle limit of an hour: %i ms after lastSeenAt → %s', (elapsed, expected) => {
    expect(needsTouch(session({}), at(elapsed), policy)).toBe(expected);
  });

  it.each([
    // [idle limit, elapsed since lastSeenAt, touch?]
    [minute, 6_000, false],
    [minute, 6_001, true],
    [5 * minute, 30_000, false],
    [5 * minute, 30_001, true],
    [10 * minute, minute, false],
    [720 * minute, minute, false],
    [720 * minute, minute + 1, true],
  ])('idle limit %i ms: %i ms after lastSeenAt → %s', (idleMs, elapsed, expected) => {
    expect(needsTouch(session({}), at(elapsed), { ...policy, idleMs })).toBe(expected);
  });
});

describe('touchIntervalMs', () => {
  it.each([
    [minute, 6_000],
    [10 * minute, minute],
    [720 * minute, minute],
  ])('idle limit %i ms → refresh after %i ms', (idleMs, expected) => {
    expect(touchIntervalMs({ ...policy, idleMs })).toBe(expected);
  });
});

describe('sessionPolicyOf', () => {
  it('turns the settings’ minutes and hours into milliseconds; a password-only login has 5 minutes', () => {
    expect(sessionPolicyOf({ sessionIdleMinutes: 90, sessionMaxAgeHours: 48 })).toEqual({
      idleMs: 90 * 60 * 1000,
      maxAgeMs: 48 * 60 * 60 * 1000,
      pendingMfaMs: 5 * 60 * 1000,
    });
  });
});

describe('publicSessionId', () => {
  it('is 32 hex digits derived from the stored hash: stable, distinct per session, neither the hash nor a part of it', () => {
    const a = publicSessionId({ idHash: 'a'.repeat(64) });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(publicSessionId({ idHash: 'a'.repeat(64) })).toBe(a);
    expect(publicSessionId({ idHash: 'b'.repeat(64) })).not.toBe(a);
    expect(a).toBe(
      createHash('sha256')
        .update(`session:${'a'.repeat(64)}`)
        .digest('hex')
        .slice(0, 32),
    );
  });
});
