import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { createHash } from 'node:crypto';
import {
  LoginThrottle,
  defaultLockoutPolicy,
  entriesToKeep,
  lockoutDurationMs,
  type LockoutPolicy,
  throttleKey,
} from './rate-limit.js';
import { lockoutSchema } from '../store/slices/lockouts.js';

const second = 1_000;
const minute = 60 * second;

describe('lockoutDurationMs (default policy: 5 free, 30 s doubling, 1 h cap)', () => {
  it.each([
    [0, 0],
    [1, 0],
    [4, 0],
    [5, 30 * second],
    [6, 60 * second],
    [7, 2 * minute],
    [8, 4 * minute],
    [9, 8 * minute],
    [10, 16 * minute],
    [11, 32 * minute],
    [12, 60 * minute], // 64 min capped
    [13, 60 * minute],
    [50, 60 * minute],
    [10_000, 60 * minute], // no overflow to Infinity or NaN
  ])('after %i failures → %i ms', (failures, expected) => {
    expect(lockoutDurationMs(failures, defaultLockoutPolicy)).toBe(expected);
  });

  it('follows a custom policy', () => {
    const policy: LockoutPolicy = {
      freeAttempts: 2,
      baseLockoutMs: 1_000,
      maxLockoutMs: 5_000,
      forgetAfterMs: 0,
    };
    expect([1, 2, 3, 4, 5, 6].map((n) => lockoutDurationMs(n, policy))).toEqual([
      0, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('never decreases as failures grow', () => {
    let previous = 0;
    for (let n = 0; n < 200; n++) {
      const ms = lockoutDurationMs(n, defaultLockoutPolicy);
      expect(ms).toBeGreaterThanOrEqual(previous);
      expect(Number.isFinite(ms)).toBe(true);
      previous = ms;
    }
  });
});

describe('LoginThrottle', () => {
  const keys = ['account:admin', 'client:192.0.2.1'];

  /** A schedule: at each offset (ms from start) either fail, succeed, or check and expect a decision. */
  type Step =
    | { at: number; fail: readonly string[]; started?: Record<string, number> }
    | { at: number; succeed: readonly string[] }
    | { at: number; check: readonly string[]; retryAfterMs: number | 'allowed' };

  function run(steps: readonly Step[], policy?: LockoutPolicy) {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const start = clock.now().getTime();
    const throttle = new LoginThrottle(clock, policy);
    for (const step of steps) {
      clock.advance(start + step.at - clock.now().getTime());
      if ('fail' in step) {
        const started = throttle.recordFailure(step.fail);
        expect(Object.fromEntries(started), `fail at ${step.at}`).toEqual(step.started ?? {});
      } else if ('succeed' in step) {
        throttle.recordSuccess(step.succeed);
      } else {
        const decision = throttle.check(step.check);
        expect(decision, `check at ${step.at}`).toEqual(
          step.retryAfterMs === 'allowed'
            ? { allowed: true }
            : { allowed: false, retryAfterMs: step.retryAfterMs },
        );
      }
    }
  }

  it('locks after the fifth failure, for 30 s, and reports the remaining time', () => {
    run([
      { at: 0, fail: keys },
      { at: 1_000, fail: keys },
      { at: 2_000, fail: keys },
      { at: 3_000, fail: keys },
      { at: 3_500, check: keys, retryAfterMs: 'allowed' },
      { at: 4_000, fail: keys, started: { 'account:admin': 30_000, 'client:192.0.2.1': 30_000 } },
      { at: 4_000, check: keys, retryAfterMs: 30_000 },
      { at: 20_000, check: keys, retryAfterMs: 14_000 },
      { at: 33_999, check: keys, retryAfterMs: 1 },
      { at: 34_000, check: keys, retryAfterMs: 'allowed' },
    ]);
  });

  it('doubles the lockout with each failure after the first lockout', () => {
    const five = [0, 1, 2, 3].map((i) => ({ at: i, fail: ['k'] }) as const);
    run([
      ...five,
      { at: 4, fail: ['k'], started: { k: 30_000 } },
      { at: 30_004, check: ['k'], retryAfterMs: 'allowed' },
      { at: 30_004, fail: ['k'], started: { k: 60_000 } },
      { at: 90_004, fail: ['k'], started: { k: 120_000 } },
      { at: 90_005, check: ['k'], retryAfterMs: 119_999 },
    ]);
  });

  it('keys are independent, and the longest running lockout wins', () => {
    run([
      ...[0, 1, 2, 3, 4].map((i) => ({
        at: i,
        fail: ['account:a'],
        ...(i === 4 ? { started: { 'account:a': 30_000 } } : {}),
      })),
      ...[5, 6, 7, 8, 9, 10].map((i) => ({
        at: i,
        fail: ['client:x'],
        ...(i === 9
          ? { started: { 'client:x': 30_000 } }
          : i === 10
            ? { started: { 'client:x': 60_000 } }
            : {}),
      })),
      { at: 11, check: ['account:b'], retryAfterMs: 'allowed' },
      { at: 11, check: ['account:a'], retryAfterMs: 29_993 },
      { at: 11, check: ['account:a', 'client:x'], retryAfterMs: 59_999 },
    ]);
  });

  it('forgets the failures of a key after a success', () => {
    run([
      ...[0, 1, 2, 3].map((i) => ({ at: i, fail: keys })),
      { at: 10, succeed: ['account:admin'] },
      // The account starts again from one failure; the client key still has its four.
      { at: 11, fail: keys, started: { 'client:192.0.2.1': 30_000 } },
      { at: 12, check: ['account:admin'], retryAfterMs: 'allowed' },
    ]);
  });

  it('forgets old failures once forgetAfterMs has passed without a new one', () => {
    const day = 24 * 60 * minute;
    run([
      ...[0, 1, 2, 3].map((i) => ({ at: i, fail: ['k'] })),
      { at: 3 + day + 1, fail: ['k'] }, // counts as the first again: no lockout
      { at: 3 + day + 2, check: ['k'], retryAfterMs: 'allowed' },
      ...[3, 4, 5].map((i) => ({ at: day + i * 10, fail: ['k'] })),
      { at: day + 60, fail: ['k'], started: { k: 30_000 } },
    ]);
  });

  it('a check does not count as a failure', () => {
    run([
      ...[0, 1, 2, 3].map((i) => ({ at: i, fail: ['k'] })),
      ...[4, 5, 6, 7, 8, 9].map((i) => ({ at: i, check: ['k'], retryAfterMs: 'allowed' as const })),
      { at: 10, fail: ['k'], started: { k: 30_000 } },
    ]);
  });
});

describe('LoginThrottle with the documented defaults (5 failures, 30 s, doubling, 1 h cap)', () => {
  it('locks for 30 s, 60 s, 2 min … 32 min, then 1 h for every further failure: locked 1 ms before the end, free at it', () => {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const throttle = new LoginThrottle(clock);
    const key = ['account:admin'];
    for (let i = 1; i <= 4; i++) {
      expect(throttle.recordFailure(key).size).toBe(0);
      expect(throttle.check(key)).toEqual({ allowed: true });
    }
    const expected = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600].map((s) => s * second);
    const seen: number[] = [];
    for (const lockMs of expected) {
      const started = throttle.recordFailure(key).get('account:admin');
      seen.push(started ?? 0);
      expect(throttle.check(key)).toEqual({ allowed: false, retryAfterMs: lockMs });
      clock.advance(lockMs - 1);
      expect(throttle.check(key)).toEqual({ allowed: false, retryAfterMs: 1 });
      clock.advance(1);
      expect(throttle.check(key)).toEqual({ allowed: true });
    }
    expect(seen).toEqual(expected);
  });

  it('remembers failures for a day: one exactly 24 h after the last still counts, one later starts afresh', () => {
    const day = 24 * 60 * minute;
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const throttle = new LoginThrottle(clock);
    for (let i = 0; i < 4; i++) throttle.recordFailure(['k']);
    clock.advance(day);
    expect(Object.fromEntries(throttle.recordFailure(['k']))).toEqual({ k: 30_000 });

    const other = new LoginThrottle(clock);
    for (let i = 0; i < 4; i++) other.recordFailure(['k']);
    clock.advance(day + 1);
    expect(other.recordFailure(['k']).size).toBe(0);
  });
});

describe('LoginThrottle.begin / end (attempts in flight)', () => {
  const clockAt = () => new FakeClock('2026-03-01T00:00:00.000Z');

  it('admits concurrent attempts only while all of them failing stays within the free five', () => {
    const throttle = new LoginThrottle(clockAt());
    for (let i = 0; i < 5; i++) expect(throttle.begin(['k']), `attempt ${i + 1}`).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
    // Another key is not held back by this one.
    expect(throttle.begin(['other'])).toEqual({ allowed: true });
  });

  it('counts recorded failures: with three, two attempts may run at once, a third waits until one ends', () => {
    const throttle = new LoginThrottle(clockAt());
    for (let i = 0; i < 3; i++) throttle.recordFailure(['k']);
    expect(throttle.begin(['k'])).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
    throttle.end(['k']);
    expect(throttle.begin(['k'])).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
    throttle.end(['k']);
    throttle.end(['k']);
    // Nothing in flight: one attempt is always admitted while no lockout runs.
    throttle.recordFailure(['k']);
    expect(throttle.begin(['k'])).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('refuses every key when one of them is held back, and then counts none of them as in flight', () => {
    const throttle = new LoginThrottle(clockAt());
    for (let i = 0; i < 4; i++) throttle.recordFailure(['account:a']);
    expect(throttle.begin(['account:a', 'client:x'])).toEqual({ allowed: true });
    expect(throttle.begin(['client:x', 'account:a'])).toEqual({ allowed: false, retryAfterMs: 1000 });
    // client:x has one attempt in flight (the first), not two: four more fit.
    for (let i = 0; i < 4; i++) expect(throttle.begin(['client:x'])).toEqual({ allowed: true });
    expect(throttle.begin(['client:x'])).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('answers a running lockout with its remaining time and does not count the attempt', () => {
    const clock = clockAt();
    const throttle = new LoginThrottle(clock);
    for (let i = 0; i < 5; i++) throttle.recordFailure(['k']);
    clock.advance(10_000);
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 20_000 });
    clock.advance(20_000);
    expect(throttle.begin(['k'])).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('an end without a begin leaves no credit behind', () => {
    const throttle = new LoginThrottle(clockAt());
    for (let i = 0; i < 4; i++) throttle.recordFailure(['k']);
    throttle.end(['k']);
    throttle.end(['k']);
    expect(throttle.begin(['k'])).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('forgets failures older than a day here too: parallel attempts are not held back by them', () => {
    const clock = clockAt();
    const throttle = new LoginThrottle(clock);
    for (let i = 0; i < 4; i++) throttle.recordFailure(['k']);
    clock.advance(24 * 60 * minute + 1);
    for (let i = 0; i < 5; i++) expect(throttle.begin(['k']), `attempt ${i + 1}`).toEqual({ allowed: true });
    expect(throttle.begin(['k'])).toEqual({ allowed: false, retryAfterMs: 1000 });
  });
});

describe('LoginThrottle memory bound (10 000 keys)', () => {
  it('drops only entries that are neither locked nor remembered', () => {
    // Forgetting after 1 s while locks last a minute: a forgotten entry can still be locked.
    const policy: LockoutPolicy = {
      freeAttempts: 1,
      baseLockoutMs: minute,
      maxLockoutMs: minute,
      forgetAfterMs: second,
    };
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const throttle = new LoginThrottle(clock, { ...policy, freeAttempts: 3 });
    const locked = new LoginThrottle(clock, policy);
    // `throttle`: one key with two failures a second ago (remembered, at the boundary) among 9 999 others.
    throttle.recordFailure(['kept']);
    throttle.recordFailure(['kept']);
    locked.recordFailure(['victim']);
    for (let i = 0; i < 9_999; i++) {
      throttle.recordFailure([`filler:${i}`]);
      locked.recordFailure([`filler:${i}`]);
    }
    clock.advance(second);
    throttle.recordFailure(['trigger']);
    locked.recordFailure(['trigger']);
    // The third failure of `kept` locks it: the two earlier ones were not pruned.
    expect(Object.fromEntries(throttle.recordFailure(['kept']))).toEqual({ kept: minute });
    clock.advance(1);
    locked.recordFailure(['trigger-2']);
    // `victim` is forgotten (older than 1 s) but still locked: it must not be dropped.
    expect(locked.check(['victim'])).toEqual({ allowed: false, retryAfterMs: minute - second - 1 });
  });

  it('scans only from 10 000 entries on, and then drops every entry that is neither locked nor remembered', () => {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    // Three free attempts: a single failure locks nothing, so it is droppable once forgotten (after 1 s).
    const throttle = new LoginThrottle(clock, {
      ...defaultLockoutPolicy,
      freeAttempts: 3,
      forgetAfterMs: second,
    });
    for (let i = 0; i < 9_998; i++) throttle.recordFailure([`spray:${i}`]);
    expect(throttle.held).toEqual({ failures: 9_998, inFlight: 0 });
    clock.advance(second + 1);
    throttle.recordFailure(['a']);
    expect(throttle.held.failures).toBe(9_999);
    throttle.recordFailure(['b']);
    expect(throttle.held.failures).toBe(2);
    expect(throttle.check(['a', 'b'])).toEqual({ allowed: true });
  });

  it('drops an entry whose lock ends right now (a check would allow it) but not one still locked', () => {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const throttle = new LoginThrottle(clock, {
      freeAttempts: 1,
      baseLockoutMs: minute,
      maxLockoutMs: minute,
      forgetAfterMs: second,
    });
    throttle.recordFailure(['ended']);
    clock.advance(1);
    for (let i = 0; i < 9_998; i++) throttle.recordFailure([`running:${i}`]);
    clock.advance(minute - 1);
    expect(throttle.check(['ended'])).toEqual({ allowed: true });
    throttle.recordFailure(['trigger']);
    // 10 000 entries: `ended` goes, the 9 998 locked one more millisecond and `trigger` stay.
    expect(throttle.held.failures).toBe(9_999);
    expect(throttle.check(['running:0'])).toEqual({ allowed: false, retryAfterMs: 1 });
  });

  it('keeps no in-flight record once every attempt for a key has ended', () => {
    const throttle = new LoginThrottle(new FakeClock('2026-03-01T00:00:00.000Z'));
    throttle.begin(['client:a']);
    throttle.begin(['client:a']);
    throttle.end(['client:a']);
    expect(throttle.held.inFlight).toBe(1);
    throttle.end(['client:a']);
    expect(throttle.held).toEqual({ failures: 0, inFlight: 0 });
  });
});

describe('entriesToKeep (what the store keeps across restarts)', () => {
  const now = 10 * 24 * 3600_000;
  const e = (name: string, lastFailureAt: number, lockedUntil: number) => ({
    name,
    failures: 1,
    lastFailureAt,
    lockedUntil,
  });
  it.each([
    ['a running lockout is kept', [e('a', now - 1000, now + 1)], 5, ['a']],
    ['failures still counting are kept', [e('a', now - 3600_000, 0)], 5, ['a']],
    ['forgotten failures with no lockout go', [e('a', now - 25 * 3600_000, now - 1)], 5, []],
    [
      'running lockouts first, longest first, then recent failures, cut at the limit',
      [
        e('old', now - 7200_000, 0),
        e('short', now - 10, now + 10),
        e('new', now - 10, 0),
        e('long', now - 20, now + 99),
      ],
      3,
      ['long', 'short', 'new'],
    ],
  ])('%s', (_what, entries, limit, kept) => {
    expect(entriesToKeep(entries, now, defaultLockoutPolicy, limit).map((x) => x.name)).toEqual(kept);
  });
});

describe('LoginThrottle across a restart (entries given to the constructor)', () => {
  it('keeps counting where the last process stopped, and entryOf reports what to keep', () => {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const now = clock.now().getTime();
    const throttle = new LoginThrottle(clock, defaultLockoutPolicy, [
      ['account:admin', { failures: 5, lastFailureAt: now - 10 * second, lockedUntil: now + 20 * second }],
      ['client:198.51.100.1', { failures: 4, lastFailureAt: now - minute, lockedUntil: now - minute }],
    ]);
    expect(throttle.check(['account:admin'])).toEqual({ allowed: false, retryAfterMs: 20 * second });
    expect(throttle.check(['client:198.51.100.1'])).toEqual({ allowed: true });
    // The fifth failure of the address starts its first lockout: the four before the restart still count.
    expect(Object.fromEntries(throttle.recordFailure(['client:198.51.100.1']))).toEqual({
      'client:198.51.100.1': 30 * second,
    });
    expect(throttle.entryOf('client:198.51.100.1')).toEqual({
      failures: 5,
      lastFailureAt: now,
      lockedUntil: now + 30 * second,
    });
    expect(throttle.entryOf('account:nobody')).toBeUndefined();
    throttle.recordSuccess(['account:admin']);
    expect(throttle.entryOf('account:admin')).toBeUndefined();
  });

  it('entryOf returns a copy: changing it changes nothing', () => {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const throttle = new LoginThrottle(clock);
    throttle.recordFailure(['k']);
    const e = throttle.entryOf('k') as { failures: number };
    e.failures = 99;
    expect(throttle.entryOf('k')?.failures).toBe(1);
  });
});

describe('entriesToKeep: the order, whatever the input order', () => {
  const now = 10 * 24 * 3600_000;
  const day = 24 * 3600_000;
  const entry = (name: string, lastFailureAt: number, lockedUntil: number) => ({
    name,
    failures: 5,
    lastFailureAt,
    lockedUntil,
  });
  const entries = [
    entry('locked-longest', now - 50, now + 100),
    entry('locked-short-newer', now - 1, now + 10),
    entry('locked-short-older', now - 5, now + 10),
    entry('unlocked-newest', now - 1, now - 1),
    entry('lock-ending-now', now - 2, now),
    entry('unlocked-older', now - 100, 0),
    // Its failures are older than a day, but its lockout still runs (a policy with long lockouts): kept.
    entry('locked-old-failures', now - 2 * day, now + 1),
    // A day to the millisecond since the last failure: still counts.
    entry('a-day-ago', now - day, 0),
    entry('forgotten', now - day - 1, now),
  ];
  const expected = [
    'locked-longest',
    'locked-short-newer',
    'locked-short-older',
    'locked-old-failures',
    'unlocked-newest',
    'lock-ending-now',
    'unlocked-older',
    'a-day-ago',
  ];

  function* rotations<T>(items: readonly T[]): Generator<T[]> {
    for (let i = 0; i < items.length; i++) yield [...items.slice(i), ...items.slice(0, i)];
    const reversed = [...items].reverse();
    for (let i = 0; i < reversed.length; i++) yield [...reversed.slice(i), ...reversed.slice(0, i)];
  }

  it('running lockouts first (longest, then newest failure), then the newest failures; forgotten ones go', () => {
    for (const input of rotations(entries)) {
      const kept = entriesToKeep(input, now, defaultLockoutPolicy, 100).map((e) => e.name);
      expect(kept, input.map((e) => e.name).join(',')).toEqual(expected);
    }
  });

  it('the limit cuts from the end of that order', () => {
    expect(entriesToKeep(entries, now, defaultLockoutPolicy, 2).map((e) => e.name)).toEqual(
      expected.slice(0, 2),
    );
  });
});

describe('throttleKey', () => {
  const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest('hex');
  it.each([
    ['client', '203.0.113.9', 'client:203.0.113.9'],
    ['account', 'admin', 'account:admin'],
    ['client', 'x'.repeat(200), `client:${'x'.repeat(200)}`],
    ['client', 'x'.repeat(201), `client:sha256:${sha('x'.repeat(201))}`],
    ['setup', 'y'.repeat(5000), `setup:sha256:${sha('y'.repeat(5000))}`],
  ] as const)('%s + a value of %#: %s', (kind, value, key) => {
    expect(throttleKey(kind, value)).toBe(key);
  });

  it('whatever the value, the key is one the store accepts, and distinct long values stay distinct', () => {
    for (const value of [
      '',
      'a',
      'z'.repeat(199),
      'z'.repeat(200),
      'z'.repeat(201),
      '\u00e9'.repeat(10_000),
    ]) {
      const key = throttleKey('device', value);
      const record = {
        key,
        failures: 1,
        lastFailureAt: '2026-03-01T12:00:00.000Z',
        lockedUntil: '2026-03-01T12:00:00.000Z',
      };
      expect(lockoutSchema.safeParse(record).success).toBe(true);
    }
    expect(throttleKey('client', 'a'.repeat(300))).not.toBe(throttleKey('client', 'b'.repeat(300)));
  });
});
