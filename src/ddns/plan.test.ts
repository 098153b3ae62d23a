import { describe, expect, it } from 'vitest';
import {
  type AddressInputs,
  bigIntToIpv6,
  canonical,
  desiredValue,
  ipv6ToBigInt,
  nextAttemptAt,
  planRecord,
  retryPolicy,
  stopsAccount,
  type Desired,
} from './plan.js';
import { ddnsAccount, ddnsRecord, ddnsState } from '../../test/fakes/ddns-fixtures.js';

const inputs: AddressInputs = {
  ipv4: '203.0.113.7',
  ipv6: '2001:db8:1:2::10',
  publicRanges: ['203.0.113.0/24', '2001:db8::/32'],
};

describe('IPv6 text', () => {
  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0000', '2001:db8:0:1::'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:db8::1:2:3:4:5', '2001:db8:0:1:2:3:4:5'],
    ['::ffff:203.0.113.7', '::ffff:cb00:7107'],
    ['::ffff:198.51.100.23', '::ffff:c633:6417'],
    ['fe80::1:0:0:0', 'fe80::1:0:0:0'],
  ])('%s → %s', (text, expected) => {
    const n = ipv6ToBigInt(text);
    expect(n).toBeDefined();
    expect(bigIntToIpv6(n ?? 0n)).toBe(expected);
    expect(canonical(text)).toBe(expected);
  });
  it('is no IPv6 address: undefined, and canonical leaves it as it is', () => {
    expect(ipv6ToBigInt('203.0.113.7')).toBeUndefined();
    expect(ipv6ToBigInt('fe80::1%eth0')).toBeUndefined();
    expect(ipv6ToBigInt('nonsense')).toBeUndefined();
    expect(canonical('203.0.113.7')).toBe('203.0.113.7');
  });
  it('reads the groups in order', () => {
    expect(ipv6ToBigInt('0:0:0:0:0:0:0:2')).toBe(2n);
    expect(ipv6ToBigInt('1::')).toBe(1n << 112n);
    expect(ipv6ToBigInt('::1:0')).toBe(1n << 16n);
  });
});

describe('desiredValue', () => {
  it.each<[string, Parameters<typeof desiredValue>[0], 'A' | 'AAAA', AddressInputs, Desired]>([
    ['public A', { kind: 'public' }, 'A', inputs, { kind: 'value', value: '203.0.113.7' }],
    [
      'public AAAA, canonical',
      { kind: 'public' },
      'AAAA',
      { ...inputs, ipv6: '2001:DB8:1:2:0:0:0:10' },
      { kind: 'value', value: '2001:db8:1:2::10' },
    ],
    [
      'public A without agreement',
      { kind: 'public' },
      'A',
      { ...inputs, ipv4: null },
      { kind: 'unknown', reason: 'no public IPv4 address is agreed on' },
    ],
    [
      'public AAAA without agreement',
      { kind: 'public' },
      'AAAA',
      { ...inputs, ipv6: null },
      { kind: 'unknown', reason: 'no public IPv6 address is agreed on' },
    ],
    [
      'fixed',
      { kind: 'fixed', address: '2001:DB8::5' },
      'AAAA',
      { ...inputs, ipv6: null },
      { kind: 'value', value: '2001:db8::5' },
    ],
    [
      'device behind the prefix',
      { kind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' },
      'AAAA',
      inputs,
      { kind: 'value', value: '2001:db8:1:2:211:32ff:fe12:3456' },
    ],
    [
      'device: only the low 64 bits of the suffix count',
      { kind: 'ipv6-host', suffix: 'ffff:ffff:ffff:ffff:0:0:0:9' },
      'AAAA',
      inputs,
      { kind: 'value', value: '2001:db8:1:2::9' },
    ],
    [
      'device without an IPv6 address',
      { kind: 'ipv6-host', suffix: '::9' },
      'AAAA',
      { ...inputs, ipv6: null },
      { kind: 'unknown', reason: 'the box has no agreed global IPv6 address' },
    ],
    [
      'device where the prefix is not public',
      { kind: 'ipv6-host', suffix: '::9' },
      'AAAA',
      { ...inputs, publicRanges: [] },
      { kind: 'unknown', reason: '2001:db8:1:2::9 is not a public address' },
    ],
  ])('%s', (_name, value, type, given, expected) => {
    expect(desiredValue(value, type, given)).toEqual(expected);
  });
  it('a new prefix moves the device with it', () => {
    const v = { kind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' } as const;
    expect(desiredValue(v, 'AAAA', { ...inputs, ipv6: '2001:db8:aa:bb:1::1' })).toEqual({
      kind: 'value',
      value: '2001:db8:aa:bb:211:32ff:fe12:3456',
    });
  });
});

const now = new Date('2026-05-01T12:00:00Z');
const record = ddnsRecord();
const account = ddnsAccount({ name: 'bind', kind: 'rfc2136' });
const state = ddnsState({
  appliedAt: '2026-05-01T11:00:00.000Z',
  verifiedAt: '2026-05-01T11:00:01.000Z',
  propagationMs: 1000,
  lastAttempt: null,
});
const value = (v: string): Desired => ({ kind: 'value', value: v });
const plan = (over: Partial<Parameters<typeof planRecord>[0]>) =>
  planRecord({
    record,
    account,
    state,
    desired: value('203.0.113.7'),
    served: ['203.0.113.7'],
    now,
    ...over,
  });

describe('planRecord', () => {
  it('leaves a record alone that the servers serve with the value', () => {
    expect(plan({})).toEqual({ kind: 'in-sync', value: '203.0.113.7' });
    // The servers write IPv6 as they like; compared canonically.
    expect(
      plan({ record: { ...record, type: 'AAAA' }, desired: value('2001:db8::1'), served: ['2001:DB8:0::1'] }),
    ).toEqual({ kind: 'in-sync', value: '2001:db8::1' });
  });

  it('updates on a difference, naming what was served', () => {
    expect(plan({ desired: value('203.0.113.8') })).toEqual({
      kind: 'update',
      value: '203.0.113.8',
      previous: '203.0.113.7',
      drift: false,
    });
    // A record that does not exist yet, and one with two values (ours is to be the only one).
    expect(plan({ served: [], state: undefined })).toMatchObject({
      kind: 'update',
      previous: null,
      drift: false,
    });
    expect(plan({ served: ['203.0.113.7', '203.0.113.9'] })).toMatchObject({
      kind: 'update',
      previous: '203.0.113.7,203.0.113.9',
    });
  });

  it('calls it drift when the servers lost a value we set and saw served', () => {
    expect(plan({ served: ['198.51.100.1'] })).toEqual({
      kind: 'update',
      value: '203.0.113.7',
      previous: '198.51.100.1',
      drift: true,
    });
    // Never seen served, or still pending: not drift.
    expect(plan({ served: ['198.51.100.1'], state: { ...state, verifiedAt: null } })).toMatchObject({
      drift: false,
    });
    expect(
      plan({
        served: ['198.51.100.1'],
        state: {
          ...state,
          pending: {
            value: '203.0.113.7',
            since: state.appliedAt ?? '',
            attempts: 1,
            nextAttemptAt: '2026-05-01T11:59:00.000Z',
          },
        },
      }),
    ).toMatchObject({ kind: 'update', drift: false });
  });

  it('without an answer from the servers, compares with what was applied last', () => {
    expect(plan({ served: undefined })).toEqual({ kind: 'in-sync', value: '203.0.113.7' });
    expect(plan({ served: undefined, desired: value('203.0.113.8') })).toEqual({
      kind: 'update',
      value: '203.0.113.8',
      previous: '203.0.113.7',
      drift: false,
    });
    expect(plan({ served: undefined, state: undefined })).toMatchObject({ kind: 'update', previous: null });
  });

  it.each<[string, Partial<Parameters<typeof planRecord>[0]>, string]>([
    ['turned off', { record: { ...record, enabled: false } }, 'turned off'],
    ['account gone', { account: undefined }, 'its provider account a1 no longer exists'],
    [
      'account stopped',
      {
        account: { ...account, stopped: { at: now.toISOString(), code: 'badauth', message: 'bad password' } },
      },
      'the provider account is stopped: bad password',
    ],
    [
      'record stopped',
      { state: { ...state, stopped: { at: now.toISOString(), message: 'nohost' } } },
      'stopped: nohost',
    ],
    ['no value', { desired: { kind: 'unknown', reason: 'offline' } }, 'no value: offline'],
  ])('holds a record that needs a person or a value: %s', (_n, over, reason) => {
    expect(plan({ ...over, served: ['198.51.100.1'] })).toEqual({ kind: 'hold', reason });
  });

  it('waits for the account or the retry time of the same pending value, not for another value', () => {
    const later = '2026-05-01T12:05:00.000Z';
    expect(plan({ served: [], account: { ...account, notBefore: later } })).toEqual({
      kind: 'wait',
      value: '203.0.113.7',
      until: new Date(later),
      reason: 'the provider asked to wait',
    });
    const pending = { value: '203.0.113.7', since: now.toISOString(), attempts: 2, nextAttemptAt: later };
    expect(plan({ served: [], state: { ...state, pending } })).toEqual({
      kind: 'wait',
      value: '203.0.113.7',
      until: new Date(later),
      reason: 'retrying later',
    });
    // The later of the two.
    expect(
      plan({
        served: [],
        state: { ...state, pending },
        account: { ...account, notBefore: '2026-05-01T12:01:00.000Z' },
      }),
    ).toMatchObject({ kind: 'wait', until: new Date(later), reason: 'retrying later' });
    expect(
      plan({
        served: [],
        state: { ...state, pending: { ...pending, nextAttemptAt: '2026-05-01T12:01:00.000Z' } },
        account: { ...account, notBefore: later },
      }),
    ).toMatchObject({ kind: 'wait', until: new Date(later), reason: 'the provider asked to wait' });
    // The account's update budget: a wait of its own, the later end wins; a budget free again holds nothing.
    expect(plan({ served: [], rateLimitedUntil: new Date(later) })).toEqual({
      kind: 'wait',
      value: '203.0.113.7',
      until: new Date(later),
      reason: 'pacing updates to the provider’s rate limit',
    });
    expect(
      plan({
        served: [],
        rateLimitedUntil: new Date('2026-05-01T12:01:00.000Z'),
        account: { ...account, notBefore: later },
      }),
    ).toMatchObject({ kind: 'wait', until: new Date(later), reason: 'the provider asked to wait' });
    expect(plan({ served: [], rateLimitedUntil: now })).toMatchObject({ kind: 'update' });
    expect(plan({ served: ['203.0.113.7'], rateLimitedUntil: new Date(later) })).toMatchObject({
      kind: 'in-sync',
    });
    // A new value is not held back by the retry time of an old one; times in the past hold nothing.
    expect(plan({ served: [], desired: value('203.0.113.8'), state: { ...state, pending } })).toMatchObject({
      kind: 'update',
      value: '203.0.113.8',
    });
    expect(
      plan({ served: [], account: { ...account, notBefore: '2026-05-01T12:00:00.000Z' } }),
    ).toMatchObject({
      kind: 'update',
    });
  });
});

describe('nextAttemptAt', () => {
  const transient = { kind: 'transient', message: 'x' } as const;
  it.each([
    [1, 0.5, 5_000],
    [2, 0.5, 10_000],
    [3, 0.5, 20_000],
    [10, 0.5, retryPolicy.maxMs],
    [1, 0, 4_000],
    [1, 0.999_999, 6_000],
  ])('attempt %i, random %f: %i ms', (attempts, random, ms) => {
    expect(nextAttemptAt(attempts, transient, now, random).getTime() - now.getTime()).toBe(ms);
  });
  it('never sooner than the provider asked', () => {
    const limited = { kind: 'rate-limited', message: 'x', retryAfterMs: 60_000 } as const;
    expect(nextAttemptAt(1, limited, now, 0.5).getTime() - now.getTime()).toBe(60_000);
    const dyn911 = { kind: 'transient', message: '911', retryAfterMs: 30 * 60_000 } as const;
    expect(nextAttemptAt(1, dyn911, now, 0.5).getTime() - now.getTime()).toBe(30 * 60_000);
  });
});

describe('stopsAccount', () => {
  it.each([
    ['auth', true],
    ['account-stopped', true],
    ['config', false],
    ['rate-limited', false],
    ['transient', false],
  ] as const)('%s: %s', (kind, stops) => {
    expect(stopsAccount({ kind, message: '' })).toBe(stops);
  });
});
