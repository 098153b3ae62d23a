import { describe, expect, it } from 'vitest';
import {
  ariPolicy,
  backoffMs,
  backoffPolicy,
  dayMs,
  formatWhen,
  hourMs,
  minuteMs,
  nextAriCheck,
  planRenewal,
  renewalInputOf,
  renewalState,
  safetyMarginMs,
  sameNames,
  stableFraction,
  type CertStateLike,
  type RenewalInput,
  type RenewalPlan,
} from './renewal.js';

const now = new Date('2026-11-28T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const names = ['home.example.com'];
/** A certificate of `lifetimeDays`, issued `ageMs` ago. */
const cert = (lifetimeDays: number, ageMs: number, certNames: readonly string[] = names) => ({
  names: certNames,
  notBefore: at(-ageMs),
  notAfter: at(-ageMs + lifetimeDays * dayMs),
});
const noFailures = { count: 0, lastKind: null, lastAttemptAt: null, retryAfterMs: null };
const base: RenewalInput = {
  now,
  random: 0,
  wanted: { names },
  current: cert(90, 10 * dayMs),
  ari: null,
  failures: noFailures,
};
const failed = (
  count: number,
  agoMs: number,
  lastKind: RenewalInput['failures']['lastKind'] = 'transient',
  retryAfterMs: number | null = null,
) => ({ count, lastKind, lastAttemptAt: at(-agoMs), retryAfterMs });

describe('the policy constants', () => {
  it('backs off from a minute to a day, hourly once expired, never tighter than 10 min near expiry', () => {
    expect(backoffPolicy).toEqual({
      baseMs: 60_000,
      capMs: 86_400_000,
      nearExpiryMinCapMs: 600_000,
      expiredCapMs: 3_600_000,
      jitter: 0.25,
      rateLimitedMinMs: 3_600_000,
      configRetryMs: 86_400_000,
    });
  });
  it('asks for renewal information again between a minute and a day, after 6 h by default (RFC 9773 §4.3)', () => {
    expect(ariPolicy).toEqual({ minMs: 60_000, maxMs: 86_400_000, defaultMs: 21_600_000 });
    expect([minuteMs, hourMs, dayMs]).toEqual([60_000, 3_600_000, 86_400_000]);
  });
});

describe('helpers', () => {
  it('formatWhen: minutes, UTC', () => {
    expect(formatWhen(new Date('2027-01-27T14:05:59.999Z'))).toBe('2027-01-27 14:05 UTC');
  });

  it.each([
    [['a.example', 'b.example'], ['b.example', 'a.example'], true],
    [['A.Example'], ['a.example'], true],
    [['a.example', 'a.example'], ['a.example'], true],
    [['a.example'], ['a.example', 'b.example'], false],
    [['a.example'], ['*.a.example'], false],
    [[], [], true],
    [['ab.example', 'c'], ['a', 'b.examplec'], false],
  ])('sameNames(%j, %j) is %s', (a, b, same) => {
    expect(sameNames(a, b)).toBe(same);
  });

  it('stableFraction is FNV-1a over 2^32: fixed per seed, in [0, 1)', () => {
    expect(stableFraction('')).toBe(0x811c9dc5 / 2 ** 32);
    expect(stableFraction('a')).toBe(0xe40c292c / 2 ** 32);
    expect(stableFraction('ab')).toBeCloseTo(0.3013461702503264, 15);
    for (let i = 0; i < 500; i++) {
      const f = stableFraction(`serial-${String(i)}`);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });

  it('the safety margin is a tenth of the lifetime', () => {
    expect(safetyMarginMs(90 * dayMs)).toBe(9 * dayMs);
    expect(safetyMarginMs(6 * dayMs)).toBe(14.4 * hourMs);
  });
});

describe('backoffMs', () => {
  it.each([
    ['first failure', 1, null, minuteMs],
    ['count 0 is read as the first', 0, null, minuteMs],
    ['doubles', 2, null, 2 * minuteMs],
    ['third', 3, 30 * dayMs, 4 * minuteMs],
    ['11th: 1024 min', 11, null, 1024 * minuteMs],
    ['12th reaches the day cap', 12, null, dayMs],
    ['huge counts stay at the cap', 5000, null, dayMs],
    ['plenty left: a day', 30, 30 * dayMs, dayMs],
    ['2 days left: a quarter of them', 30, 2 * dayMs, 12 * hourMs],
    ['8 h left: 2 h', 30, 8 * hourMs, 2 * hourMs],
    ['20 min left: still 10 min, never a tight loop', 30, 20 * minuteMs, 10 * minuteMs],
    ['20 min left, early failure: the exponential is smaller', 2, 20 * minuteMs, 2 * minuteMs],
    ['expiring this instant: hourly', 30, 0, hourMs],
    ['expired: hourly', 30, -5 * dayMs, hourMs],
    ['expired, early failure: exponential', 3, -1, 4 * minuteMs],
  ])('%s', (_name, count, remaining, expected) => {
    expect(backoffMs(count, remaining)).toBe(expected);
  });
});

describe('nextAriCheck', () => {
  const notAfter = at(30 * dayMs);
  it.each([
    ['never fetched: now', null, null, now],
    ['no Retry-After: 6 h after the fetch', at(-hourMs), null, at(5 * hourMs)],
    ['Retry-After 2 h', at(-hourMs), 2 * hourMs, at(hourMs)],
    ['Retry-After 30 s is read as a minute', now, 30_000, at(minuteMs)],
    ['Retry-After exactly a minute', now, minuteMs, at(minuteMs)],
    ['Retry-After 3 days is read as a day', now, 3 * dayMs, at(dayMs)],
    ['Retry-After exactly a day', now, dayMs, at(dayMs)],
  ])('%s', (_name, fetchedAt, retryAfterMs, expected) => {
    expect(nextAriCheck({ now, fetchedAt, retryAfterMs, notAfter })).toEqual(expected);
  });

  it('stops once the certificate has expired (at notAfter exactly too)', () => {
    expect(nextAriCheck({ now, fetchedAt: null, retryAfterMs: null, notAfter: now })).toBeNull();
    expect(nextAriCheck({ now, fetchedAt: null, retryAfterMs: null, notAfter: at(-1) })).toBeNull();
    expect(nextAriCheck({ now, fetchedAt: null, retryAfterMs: null, notAfter: at(1) })).toEqual(now);
  });
});

describe('planRenewal', () => {
  it('nothing wanted: nothing to do', () => {
    expect(planRenewal({ ...base, wanted: null })).toEqual({
      action: 'stopped',
      retryAt: null,
      basis: 'not-wanted',
      reason: 'No certificate is set up',
    });
  });

  it('no certificate yet: issue now', () => {
    expect(planRenewal({ ...base, current: null })).toEqual({
      action: 'issue',
      basis: 'no-certificate',
      reason: 'No certificate yet: issuing one now',
    });
  });

  describe('names', () => {
    it('changed: issue a new certificate now, whatever the schedule', () => {
      const plan = planRenewal({ ...base, wanted: { names: ['home.example.com', 'vpn.example.com'] } });
      expect(plan).toEqual({
        action: 'issue',
        basis: 'names-changed',
        reason: 'The names changed (now home.example.com, vpn.example.com): issuing a new certificate now',
      });
    });
    it('the same set in another order or case is no change', () => {
      expect(planRenewal({ ...base, wanted: { names: ['HOME.example.com'] } }).action).toBe('wait');
    });
    it('the caller may say so instead', () => {
      expect(planRenewal({ ...base, namesChanged: true }).basis).toBe('names-changed');
      expect(planRenewal({ ...base, wanted: { names: ['x.example'] }, namesChanged: false }).basis).toBe(
        'lifetime',
      );
    });
  });

  describe('without ARI: a third of the lifetime left', () => {
    it.each([
      ['90-day, 10 days old: at day 60', 90, 10 * dayMs, 50 * dayMs],
      ['45-day, 1 day old: at day 30', 45, dayMs, 29 * dayMs],
      ['6-day, 1 day old: at day 4', 6, dayMs, 3 * dayMs],
    ])('%s', (_name, days, age, waitMs) => {
      const plan = planRenewal({ ...base, current: cert(days, age) });
      expect(plan).toEqual({
        action: 'wait',
        until: at(waitMs),
        basis: 'lifetime',
        reason: `Renews at ${formatWhen(at(waitMs))}, when a third of its lifetime remains`,
      });
    });

    it('due exactly now, or past: renew now', () => {
      const renewNow = {
        action: 'renew',
        basis: 'lifetime',
        reason: 'A third or less of its lifetime remains: renewing now',
      };
      expect(planRenewal({ ...base, current: cert(90, 60 * dayMs) })).toEqual(renewNow);
      expect(planRenewal({ ...base, current: cert(90, 80 * dayMs) })).toEqual(renewNow);
      expect(planRenewal({ ...base, current: cert(90, 95 * dayMs) })).toEqual(renewNow);
      expect(planRenewal({ ...base, current: cert(90, 60 * dayMs - 1) })).toMatchObject({
        action: 'wait',
        until: at(1),
      });
    });
  });

  describe('with an ARI window', () => {
    const window = (startMs: number, endMs: number) => ({ start: at(startMs), end: at(endMs) });

    it.each([
      ['random 0: the start', 0, 20 * dayMs],
      ['random 0.5: the middle', 0.5, 21 * dayMs],
      ['random 0.25', 0.25, 20.5 * dayMs],
      ['random above 1 is read as 1: the end', 7, 22 * dayMs],
      ['random below 0 is read as 0: the start', -3, 20 * dayMs],
    ])('%s', (_name, random, expected) => {
      const plan = planRenewal({ ...base, random, ari: window(20 * dayMs, 22 * dayMs) });
      expect(plan).toEqual({
        action: 'wait',
        until: at(expected),
        basis: 'ari',
        reason: `Renews around ${formatWhen(at(expected))}, a time picked in the CA's renewal window (ARI)`,
      });
    });

    it('a window earlier than the lifetime rule wins (the CA knows, e.g. a coming revocation)', () => {
      expect(planRenewal({ ...base, ari: window(dayMs, 2 * dayMs) })).toMatchObject({ until: at(dayMs) });
    });

    it('a window in the past: renew now', () => {
      expect(planRenewal({ ...base, ari: window(-2 * dayMs, -dayMs) })).toEqual({
        action: 'renew',
        basis: 'ari-past',
        reason: `The CA's renewal window (ARI) ended ${formatWhen(at(-dayMs))}: renewing now`,
      });
      expect(planRenewal({ ...base, ari: window(-2 * dayMs, 0) }).reason).toContain('ended');
    });

    it('inside the window with the picked time passed: renew now', () => {
      expect(planRenewal({ ...base, random: 0.25, ari: window(-dayMs, 3 * dayMs) })).toEqual({
        action: 'renew',
        basis: 'ari-past',
        reason: `Inside the CA's renewal window (ARI, until ${formatWhen(at(3 * dayMs))}): renewing now`,
      });
      // The picked time exactly now is due.
      expect(planRenewal({ ...base, random: 0.25, ari: window(-dayMs, 3 * dayMs + 0) }).action).toBe('renew');
      // Inside the window but the picked time still ahead: wait for it.
      expect(planRenewal({ ...base, random: 0.5, ari: window(-dayMs, 3 * dayMs) })).toMatchObject({
        action: 'wait',
        until: at(dayMs),
        basis: 'ari',
      });
    });

    it('a window reaching past the safety margin is cut at it (notAfter − lifetime/10)', () => {
      // The certificate ends in 80 days; the margin is 9 days: the window ends at day 71 from now.
      const plan = planRenewal({ ...base, random: 1, ari: window(70 * dayMs, 85 * dayMs) });
      expect(plan).toMatchObject({ action: 'wait', until: at(71 * dayMs), basis: 'ari' });
      const half = planRenewal({ ...base, random: 0.5, ari: window(70 * dayMs, 85 * dayMs) });
      expect(half).toMatchObject({ until: at(70.5 * dayMs) });
    });

    it('a window wholly after the margin: renew at the margin', () => {
      expect(planRenewal({ ...base, random: 0.5, ari: window(75 * dayMs, 79 * dayMs) })).toMatchObject({
        action: 'wait',
        until: at(71 * dayMs),
        basis: 'ari',
      });
      // Starting exactly at the margin, too.
      expect(planRenewal({ ...base, random: 0.5, ari: window(71 * dayMs, 79 * dayMs) })).toMatchObject({
        until: at(71 * dayMs),
      });
    });

    it('a window whose end is not after its start is ignored (RFC 9773 §4.2): the lifetime rule', () => {
      for (const w of [window(20 * dayMs, 20 * dayMs), window(22 * dayMs, 20 * dayMs)])
        expect(planRenewal({ ...base, ari: w })).toMatchObject({ until: at(50 * dayMs), basis: 'lifetime' });
    });

    it('is not consulted for a new certificate', () => {
      expect(planRenewal({ ...base, current: null, ari: window(20 * dayMs, 22 * dayMs) }).action).toBe(
        'issue',
      );
    });
  });

  describe('after failures', () => {
    const due = { ...base, current: cert(90, 70 * dayMs) };

    it('the first failure: a minute, then act', () => {
      expect(planRenewal({ ...due, failures: failed(1, 30_000) })).toEqual({
        action: 'wait',
        until: at(30_000),
        basis: 'backoff',
        reason: `Retrying at ${formatWhen(at(30_000))} after 1 failed attempt (last: transient)`,
      });
      // The backoff ending exactly now: act.
      expect(planRenewal({ ...due, failures: failed(1, minuteMs) })).toMatchObject({
        action: 'renew',
        basis: 'lifetime',
      });
    });

    it('three failures: 4 min, plus up to a quarter of jitter', () => {
      expect(planRenewal({ ...due, failures: failed(3, 0) })).toMatchObject({
        until: at(4 * minuteMs),
        reason: `Retrying at ${formatWhen(at(4 * minuteMs))} after 3 failed attempts (last: transient)`,
      });
      expect(planRenewal({ ...due, random: 1, failures: failed(3, 0) })).toMatchObject({
        until: at(5 * minuteMs),
      });
      expect(planRenewal({ ...due, random: 0.5, failures: failed(3, 0) })).toMatchObject({
        until: at(4.5 * minuteMs),
      });
    });

    it('the first issuance backs off the same way', () => {
      expect(planRenewal({ ...base, current: null, failures: failed(2, 0, 'challenge') })).toMatchObject({
        action: 'wait',
        until: at(2 * minuteMs),
        reason: expect.stringContaining('(last: challenge)') as string,
      });
      expect(planRenewal({ ...base, current: null, failures: failed(40, 0) })).toMatchObject({
        until: at(dayMs),
      });
    });

    it('an unknown last kind is said so', () => {
      expect(planRenewal({ ...due, failures: { ...failed(1, 0), lastKind: null } }).reason).toContain(
        '(last: unknown)',
      );
    });

    it('close to expiry the cap shrinks to a quarter of the time left; expired: hourly', () => {
      // 8 h left at the failed attempt: at most 2 h.
      const close = {
        ...base,
        current: { names, notBefore: at(-6 * dayMs + 8 * hourMs), notAfter: at(8 * hourMs) },
      };
      expect(planRenewal({ ...close, failures: failed(30, 0) })).toMatchObject({ until: at(2 * hourMs) });
      const expired = { ...base, current: cert(90, 100 * dayMs) };
      expect(planRenewal({ ...expired, failures: failed(30, 0) })).toMatchObject({ until: at(hourMs) });
    });

    it('a rate limit without Retry-After waits at least an hour', () => {
      expect(planRenewal({ ...due, failures: failed(1, 0, 'rate-limited') })).toMatchObject({
        until: at(hourMs),
        reason: expect.stringContaining('(last: rate-limited)') as string,
      });
      // A longer backoff still wins.
      expect(planRenewal({ ...due, failures: failed(12, 0, 'rate-limited') })).toMatchObject({
        until: at(dayMs),
      });
    });

    it("the CA's Retry-After is honoured, never earlier", () => {
      expect(planRenewal({ ...due, failures: failed(1, 0, 'rate-limited', 3 * hourMs) })).toMatchObject({
        until: at(3 * hourMs),
      });
      expect(planRenewal({ ...due, failures: failed(1, 0, 'transient', 2 * hourMs) })).toMatchObject({
        until: at(2 * hourMs),
      });
      // A Retry-After shorter than the backoff does not shorten it.
      expect(planRenewal({ ...due, failures: failed(5, 0, 'unreachable', minuteMs) })).toMatchObject({
        until: at(16 * minuteMs),
      });
      // Even past expiry: an attempt before it would only be refused again.
      expect(planRenewal({ ...due, failures: failed(1, 0, 'rate-limited', 30 * dayMs) })).toMatchObject({
        until: at(30 * dayMs),
      });
    });

    it('a failed attempt before the certificate was due waits for the due time, not the backoff', () => {
      expect(planRenewal({ ...base, failures: failed(1, 0) })).toMatchObject({
        action: 'wait',
        until: at(50 * dayMs),
        basis: 'lifetime',
      });
    });

    it('the backoff ending exactly at the due time is the backoff', () => {
      const current = {
        names,
        notBefore: at(-2 * dayMs),
        notAfter: at(-2 * dayMs + 1.5 * (2 * dayMs + minuteMs)),
      };
      // Due at notAfter − lifetime/3 = now + 1 min, the backoff ends then too.
      expect(planRenewal({ ...base, current, failures: failed(1, 0) })).toMatchObject({
        until: at(minuteMs),
        basis: 'backoff',
      });
    });

    it('an attempt time after a success (no failures) holds nothing back', () => {
      expect(
        planRenewal({
          ...due,
          failures: { count: 0, lastKind: 'transient', lastAttemptAt: now, retryAfterMs: hourMs },
        }),
      ).toMatchObject({ action: 'renew' });
    });

    it('failures without a known attempt time hold nothing back', () => {
      expect(
        planRenewal({
          ...due,
          failures: { count: 3, lastKind: 'transient', lastAttemptAt: null, retryAfterMs: null },
        }),
      ).toMatchObject({ action: 'renew' });
    });

    describe('a configuration error', () => {
      it('stops, with one attempt a day', () => {
        expect(planRenewal({ ...base, current: null, failures: failed(1, hourMs, 'config') })).toEqual({
          action: 'stopped',
          retryAt: at(23 * hourMs),
          basis: 'config-failure',
          reason:
            'Stopped after a configuration error: fix the settings named in the last error ' +
            `(or Gatehouse tries once more at ${formatWhen(at(23 * hourMs))})`,
        });
      });
      it('a day after the attempt: that one attempt', () => {
        expect(planRenewal({ ...due, failures: failed(4, dayMs, 'config') })).toMatchObject({
          action: 'renew',
          basis: 'lifetime',
        });
        expect(planRenewal({ ...due, failures: failed(4, dayMs - 1, 'config') })).toMatchObject({
          action: 'stopped',
          retryAt: at(1),
        });
      });
      it('not before the certificate is due', () => {
        expect(planRenewal({ ...base, failures: failed(1, 2 * dayMs, 'config') })).toMatchObject({
          action: 'stopped',
          retryAt: at(50 * dayMs),
        });
      });
    });
  });
});

describe('renewalState', () => {
  const wait: RenewalPlan = { action: 'wait', until: at(hourMs), basis: 'lifetime', reason: 'later' };
  const renew: RenewalPlan = { action: 'renew', basis: 'lifetime', reason: 'now' };
  it.each([
    [
      'running issue',
      renew,
      'issue',
      0,
      { state: 'running', nextAt: null, reason: 'Issuing a certificate now' },
    ],
    [
      'running renew',
      wait,
      'renew',
      3,
      { state: 'running', nextAt: null, reason: 'Renewing the certificate now' },
    ],
    [
      'nothing wanted',
      { action: 'stopped', retryAt: null, basis: 'not-wanted', reason: 'No certificate is set up' },
      null,
      0,
      { state: 'none', nextAt: null, reason: 'No certificate is set up' },
    ],
    [
      'stopped',
      { action: 'stopped', retryAt: at(dayMs), basis: 'config-failure', reason: 'fix it' },
      null,
      1,
      { state: 'stopped', nextAt: at(dayMs).toISOString(), reason: 'fix it' },
    ],
    ['waiting', wait, null, 0, { state: 'waiting', nextAt: at(hourMs).toISOString(), reason: 'later' }],
    [
      'failing, waiting',
      wait,
      null,
      2,
      { state: 'failing', nextAt: at(hourMs).toISOString(), reason: 'later' },
    ],
    ['due', renew, null, 0, { state: 'due', nextAt: now.toISOString(), reason: 'now' }],
    ['failing, due again', renew, null, 1, { state: 'failing', nextAt: now.toISOString(), reason: 'now' }],
  ] as const)('%s', (_name, plan, running, failures, expected) => {
    expect(renewalState({ plan, now, running, failures })).toEqual(expected);
  });
});

describe('renewalInputOf', () => {
  const state: CertStateLike = {
    certificate: { names },
    current: {
      serial: '0abc',
      names,
      notBefore: '2026-11-01T00:00:00.000Z',
      notAfter: '2027-01-30T00:00:00.000Z',
    },
    renewal: {
      ari: { start: '2026-12-30T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
      failures: 2,
      lastError: { at: '2026-11-28T11:00:00.000Z', kind: 'rate-limited', retryAfterMs: 7_200_000 },
      lastAttemptAt: '2026-11-28T11:00:01.000Z',
    },
  };

  it('reads the slice, with a fraction stable per serial, window and failure count', () => {
    expect(renewalInputOf(state, now)).toEqual({
      now,
      random: stableFraction('0abc|2026-12-30T00:00:00.000Z|2'),
      wanted: { names },
      current: {
        names,
        notBefore: new Date('2026-11-01T00:00:00.000Z'),
        notAfter: new Date('2027-01-30T00:00:00.000Z'),
      },
      ari: { start: new Date('2026-12-30T00:00:00.000Z'), end: new Date('2027-01-01T00:00:00.000Z') },
      failures: {
        count: 2,
        lastKind: 'rate-limited',
        lastAttemptAt: new Date('2026-11-28T11:00:01.000Z'),
        retryAfterMs: 7_200_000,
      },
    });
  });

  it('a fresh slice: nothing current, no failures', () => {
    const fresh: CertStateLike = {
      certificate: null,
      current: null,
      renewal: { ari: null, failures: 0, lastError: null, lastAttemptAt: null },
    };
    expect(renewalInputOf(fresh, now)).toEqual({
      now,
      random: stableFraction('new||0'),
      wanted: null,
      current: null,
      ari: null,
      failures: { count: 0, lastKind: null, lastAttemptAt: null, retryAfterMs: null },
    });
  });

  it('the last error stands in for a missing attempt time; a missing Retry-After is none', () => {
    const input = renewalInputOf(
      {
        ...state,
        renewal: {
          ...state.renewal,
          lastAttemptAt: null,
          lastError: { at: '2026-11-28T10:00:00.000Z', kind: 'config' },
        },
      },
      now,
    );
    expect(input.failures).toEqual({
      count: 2,
      lastKind: 'config',
      lastAttemptAt: new Date('2026-11-28T10:00:00.000Z'),
      retryAfterMs: null,
    });
  });
});

// ---- properties, over generated tables ----------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kinds = ['config', 'unreachable', 'rate-limited', 'challenge', 'rejected', 'transient'] as const;

function generated(rand: () => number): RenewalInput {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const lifetime = pick([6, 45, 90, 1]) * dayMs * (0.5 + rand());
  const age = rand() * lifetime * 1.3;
  const current = rand() < 0.15 ? null : cert(lifetime / dayMs, age);
  const ari =
    current !== null && rand() < 0.5
      ? (() => {
          const s = current.notBefore.getTime() + (rand() * 1.4 - 0.2) * lifetime;
          return { start: new Date(s), end: new Date(s + (rand() - 0.1) * lifetime * 0.3) };
        })()
      : null;
  const count = rand() < 0.4 ? 0 : Math.floor(rand() * 40) + 1;
  const failures =
    count === 0
      ? noFailures
      : {
          count,
          lastKind: pick(kinds),
          lastAttemptAt: at(-rand() * 3 * dayMs),
          retryAfterMs: rand() < 0.3 ? rand() * 5 * dayMs : null,
        };
  return {
    now,
    random: rand(),
    wanted: { names },
    current,
    ari,
    failures,
    namesChanged: rand() < 0.1,
  };
}

/** When the plan means to act; null when it never will. */
function plannedAt(plan: RenewalPlan): number | null {
  switch (plan.action) {
    case 'issue':
    case 'renew':
      return now.getTime();
    case 'wait':
      return plan.until.getTime();
    case 'stopped':
      return plan.retryAt?.getTime() ?? null;
  }
}

describe('properties', () => {
  const cases = Array.from({ length: 5000 }, (_, i) => generated(generator(i + 1)));

  it('never schedules before now', () => {
    for (const input of cases) {
      const plan = planRenewal(input);
      const when = plannedAt(plan);
      expect(when, JSON.stringify(input)).not.toBeNull();
      expect(when ?? 0, JSON.stringify(input)).toBeGreaterThanOrEqual(now.getTime());
      if (plan.action === 'wait' || plan.action === 'stopped')
        expect(when ?? 0).toBeGreaterThan(now.getTime());
    }
  });

  it('never acts sooner after a failure than its backoff, nor than the CA asked', () => {
    let checked = 0;
    for (const input of cases) {
      const { failures, current } = input;
      if (failures.count === 0 || failures.lastAttemptAt === null) continue;
      const last = failures.lastAttemptAt.getTime();
      const remaining = current === null ? null : current.notAfter.getTime() - last;
      const floor =
        failures.lastKind === 'config'
          ? dayMs
          : Math.max(
              backoffMs(failures.count, remaining),
              failures.lastKind === 'rate-limited' ? hourMs : 0,
              failures.retryAfterMs ?? 0,
            );
      const when = plannedAt(planRenewal(input)) ?? Infinity;
      expect(when - last, JSON.stringify(input)).toBeGreaterThanOrEqual(floor);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('acts before notAfter unless stopped, told to wait by the CA, or too close for the least backoff', () => {
    let checked = 0;
    for (const input of cases) {
      const { failures, current } = input;
      if (current === null || current.notAfter.getTime() <= now.getTime()) continue;
      if (failures.count > 0 && failures.lastAttemptAt !== null) {
        if (failures.lastKind === 'config' || failures.retryAfterMs !== null) continue;
        // Within 40 min of expiry the 10-minute floor (and an hour after a rate limit) may pass it: no tight loop.
        const left = current.notAfter.getTime() - failures.lastAttemptAt.getTime();
        if (left < 40 * minuteMs || (failures.lastKind === 'rate-limited' && left < 4 * hourMs)) continue;
      }
      const when = plannedAt(planRenewal(input));
      expect(when ?? Infinity, JSON.stringify(input)).toBeLessThan(current.notAfter.getTime());
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('without failures never waits past the safety margin', () => {
    for (const input of cases) {
      if (input.current === null || input.failures.count > 0) continue;
      const plan = planRenewal(input);
      const life = input.current.notAfter.getTime() - input.current.notBefore.getTime();
      if (plan.action === 'wait')
        expect(plan.until.getTime()).toBeLessThanOrEqual(
          input.current.notAfter.getTime() - safetyMarginMs(life),
        );
    }
  });
});
