import { describe, expect, it } from 'vitest';
import { initialState } from '../store/schema.js';
import { ddnsAccount, ddnsRecord, ddnsState, fixtureTime } from '../../test/fakes/ddns-fixtures.js';
import type { DdnsState } from './slice.js';
import { recordFact } from './status-card.js';

const ddns = (over: Partial<DdnsState> = {}): DdnsState => ({
  ...initialState(new Date(fixtureTime), 'x').ddns,
  accounts: [ddnsAccount()],
  records: [ddnsRecord()],
  states: [ddnsState()],
  ...over,
});
const label = 'home.example.test A';
const at = '2026-05-01T00:05:00.000Z';
const pending = { value: '203.0.113.8', since: at, attempts: 1, nextAttemptAt: at };
const failed = { at, ok: false, kind: 'transient' as const, code: null, message: 'HTTP 503' };

describe('recordFact: one line per record', () => {
  it.each([
    [
      'served, with the time it took',
      ddns(),
      {
        fact: {
          label,
          value: '→ 203.0.113.7, served by the authoritative servers 1.2 s after the change',
          at: fixtureTime,
        },
        state: 'ok',
      },
    ],
    [
      'served, 10 s and more in whole seconds',
      ddns({ states: [ddnsState({ propagationMs: 12_345, appliedAt: null })] }),
      {
        fact: {
          label,
          value: '→ 203.0.113.7, served by the authoritative servers 12 s after the change',
          at: fixtureTime,
        },
        state: 'ok',
      },
    ],
    [
      'served, just under 10 s with one decimal',
      ddns({ states: [ddnsState({ propagationMs: 9_949 })] }),
      {
        fact: {
          label,
          value: '→ 203.0.113.7, served by the authoritative servers 9.9 s after the change',
          at: fixtureTime,
        },
        state: 'ok',
      },
    ],
    [
      'served, found so (no time of ours)',
      ddns({ states: [ddnsState({ propagationMs: null })] }),
      {
        fact: { label, value: '→ 203.0.113.7, served by the authoritative servers', at: fixtureTime },
        state: 'ok',
      },
    ],
    [
      'turned off (whatever else holds)',
      ddns({
        records: [ddnsRecord({ enabled: false })],
        accounts: [ddnsAccount({ stopped: { at, code: 'badauth', message: 'no' } })],
      }),
      { fact: { label, value: 'turned off' }, state: 'ok' },
    ],
    [
      'its account stopped',
      ddns({ accounts: [ddnsAccount({ stopped: { at, code: 'badauth', message: 'no' } })] }),
      { fact: { label, value: 'not updated: Home DNS refused Gatehouse', at }, state: 'error' },
    ],
    [
      'the record stopped',
      ddns({ states: [ddnsState({ stopped: { at, message: 'nohost' }, pending })] }),
      { fact: { label, value: 'not updated: nohost', at }, state: 'error' },
    ],
    [
      'a retry pending after one failure',
      ddns({ states: [ddnsState({ pending, lastAttempt: failed })] }),
      { fact: { label, value: '→ 203.0.113.8 pending (1 failed try; HTTP 503)', at }, state: 'warning' },
    ],
    [
      'a retry pending after two failures, no attempt recorded',
      ddns({ states: [ddnsState({ pending: { ...pending, attempts: 2 }, lastAttempt: null })] }),
      { fact: { label, value: '→ 203.0.113.8 pending (2 failed tries; )', at }, state: 'warning' },
    ],
    ['never tried', ddns({ states: [] }), { fact: { label, value: 'not set yet' }, state: 'unknown' }],
    [
      'nothing applied yet',
      ddns({ states: [ddnsState({ applied: null })] }),
      { fact: { label, value: 'not set yet' }, state: 'unknown' },
    ],
    [
      'a new value on its way',
      ddns({ states: [ddnsState({ desired: '203.0.113.9' })] }),
      { fact: { label, value: '203.0.113.7, to become 203.0.113.9' }, state: 'warning' },
    ],
    [
      'no value known now (held): what it holds stands',
      ddns({ states: [ddnsState({ desired: null })] }),
      expect.objectContaining({ state: 'ok' }),
    ],
    [
      'set but not yet served',
      ddns({ states: [ddnsState({ verifiedAt: null })] }),
      {
        fact: { label, value: '→ 203.0.113.7, not yet served by the authoritative servers' },
        state: 'warning',
      },
    ],
    [
      'served, exactly 10 s in whole seconds',
      ddns({ states: [ddnsState({ propagationMs: 10_000 })] }),
      {
        fact: {
          label,
          value: '→ 203.0.113.7, served by the authoritative servers 10 s after the change',
          at: fixtureTime,
        },
        state: 'ok',
      },
    ],
    ['its account gone', ddns({ accounts: [] }), expect.objectContaining({ state: 'ok' })],
  ])('%s', (_name, state, expected) => {
    expect(recordFact(state, state.records[0] ?? ddnsRecord())).toEqual(expected);
  });

  it('the line is the record’s own: another record’s state or account does not count', () => {
    const state = ddns({
      records: [ddnsRecord(), ddnsRecord({ id: 'r2', accountId: 'a2' })],
      accounts: [ddnsAccount({ id: 'a2', stopped: { at, code: null, message: 'x' } }), ddnsAccount()],
      states: [ddnsState({ recordId: 'r2', pending }), ddnsState()],
    });
    expect(recordFact(state, ddnsRecord()).state).toBe('ok');
  });
});
