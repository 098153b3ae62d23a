import { describe, expect, it } from 'vitest';
import { initialState } from '../store/schema.js';
import type { Alert } from '../store/schema.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { ddnsRules } from './alert-rules.js';
import {
  createConditionSync,
  ddnsConditionRules,
  isDdnsCondition,
  planDdnsConditions,
} from './conditions.js';
import type { DdnsState } from './slice.js';
import { ddnsAccount, ddnsRecord, ddnsState, fixtureTime } from '../../test/fakes/ddns-fixtures.js';
import { ddnsCard } from './status-card.js';

const t0 = fixtureTime;
const account = ddnsAccount;
const record = ddnsRecord;
const state = ddnsState;
const ddns = (over: Partial<DdnsState> = {}): DdnsState => ({
  ...initialState(new Date(t0), 'x').ddns,
  accounts: [account()],
  records: [record()],
  states: [state()],
  ...over,
});
const pending = { value: '203.0.113.8', since: t0, attempts: 2, nextAttemptAt: t0 };
const failedTry = {
  at: t0,
  ok: false,
  kind: 'transient' as const,
  code: 'HTTP 503',
  message: 'server error (HTTP 503)',
};

describe('planDdnsConditions', () => {
  it('nothing holds when every record is served: an active condition is cleared', () => {
    expect(planDdnsConditions(ddns(), [], 120)).toEqual({ raise: [], clear: [] });
    expect(
      planDdnsConditions(
        ddns(),
        [
          { rule: 'ddns.update-failing', key: 'r1' },
          { rule: 'reach.cgnat', key: 'ipv4' },
        ],
        120,
      ),
    ).toEqual({ raise: [], clear: [{ rule: 'ddns.update-failing', key: 'r1' }] });
  });

  it.each([
    [
      'a retry pending',
      ddns({ states: [state({ pending, lastAttempt: failedTry })] }),
      {
        rule: 'ddns.update-failing',
        key: 'r1',
        message:
          'home.example.test A could not be set to 203.0.113.8: server error (HTTP 503) (trying again)',
        details: { hostname: 'home.example.test', type: 'A', value: '203.0.113.8' },
      },
    ],
    [
      'accepted, not served in time',
      ddns({ states: [state({ verifiedAt: null })] }),
      {
        rule: 'ddns.update-failing',
        key: 'r1',
        message:
          'Home DNS accepted home.example.test A 203.0.113.7, but its authoritative servers did not serve it within 120 s.',
        details: { hostname: 'home.example.test', type: 'A', value: '203.0.113.7' },
      },
    ],
    [
      'the record stopped (its pending retry is not the point)',
      ddns({
        states: [state({ pending, stopped: { at: t0, message: 'nohost: not a host of this account' } })],
      }),
      {
        rule: 'ddns.record-stopped',
        key: 'r1',
        message: 'Home DNS refused home.example.test A: nohost: not a host of this account',
        details: { hostname: 'home.example.test', type: 'A' },
      },
    ],
    [
      'the account stopped (its records are covered by it)',
      ddns({
        accounts: [account({ stopped: { at: t0, code: 'badauth', message: 'bad username or password' } })],
        states: [state({ pending, lastAttempt: failedTry })],
      }),
      {
        rule: 'ddns.account-stopped',
        key: 'a1',
        message:
          'Home DNS refused Gatehouse (badauth): bad username or password. Nothing more is sent to it until its settings or credentials change.',
        details: { account: 'Home DNS', code: 'badauth' },
      },
    ],
    [
      'the account stopped without a code',
      ddns({ accounts: [account({ stopped: { at: t0, code: null, message: 'HTTP 401' } })] }),
      {
        rule: 'ddns.account-stopped',
        key: 'a1',
        message:
          'Home DNS refused Gatehouse (refused): HTTP 401. Nothing more is sent to it until its settings or credentials change.',
        details: { account: 'Home DNS', code: 'refused' },
      },
    ],
  ])('%s: exactly that condition, and it stays (no clear while it holds)', (_n, d, expected) => {
    const fresh = planDdnsConditions(d, [], 120);
    expect(fresh.raise).toEqual([expected]);
    expect(fresh.clear).toEqual([]);
    const again = planDdnsConditions(d, [{ rule: expected.rule, key: expected.key }], 120);
    expect(again.clear).toEqual([]);
  });

  it.each([
    ['turned off', ddns({ records: [record({ enabled: false })], states: [state({ pending })] })],
    ['its account is gone', ddns({ accounts: [], states: [state({ pending })] })],
    ['no state yet (never tried)', ddns({ states: [] })],
    [
      'not set yet and never tried',
      ddns({ states: [state({ applied: null, verifiedAt: null, lastAttempt: null })] }),
    ],
    [
      'set by hand-check, not by an accepted update',
      ddns({ states: [state({ verifiedAt: null, lastAttempt: failedTry })] }),
    ],
  ])('no condition for a record that is %s', (_n, d) => {
    expect(planDdnsConditions(d, [], 120).raise).toEqual([]);
  });

  it('a record’s own account counts, not the first one; a failure without a recorded attempt still says so', () => {
    const d = ddns({
      accounts: [account({ id: 'other', stopped: { at: t0, code: null, message: 'x' } }), account()],
      states: [state({ pending, lastAttempt: null })],
    });
    expect(planDdnsConditions(d, [], 120).raise.map((c) => [c.rule, c.key, c.message])).toEqual([
      ['ddns.account-stopped', 'other', expect.any(String)],
      [
        'ddns.update-failing',
        'r1',
        'home.example.test A could not be set to 203.0.113.8: the update failed (trying again)',
      ],
    ]);
  });

  it('"not served in time" needs a value set by an accepted update of ours', () => {
    const unverified = { verifiedAt: null, lastAttempt: { ...failedTry, ok: true, kind: null, code: null } };
    expect(
      planDdnsConditions(ddns({ states: [state({ ...unverified, applied: null })] }), [], 120).raise,
    ).toEqual([]);
    expect(
      planDdnsConditions(ddns({ states: [state({ verifiedAt: null, lastAttempt: null })] }), [], 120).raise,
    ).toEqual([]);
  });

  it('clears a condition of a removed record or account, and of a state that no longer holds', () => {
    const active = [
      { rule: 'ddns.update-failing', key: 'gone' },
      { rule: 'ddns.account-stopped', key: 'a1' },
      { rule: 'ddns.record-stopped', key: 'r1' },
      { rule: 'ddns.record-drifted', key: 'r1' },
    ];
    expect(planDdnsConditions(ddns(), active, 120).clear).toEqual(active.slice(0, 3));
  });

  it('the conditions are exactly the rules of kind "condition"; the drift is an event', () => {
    expect([...ddnsConditionRules].sort()).toEqual([
      'ddns.account-stopped',
      'ddns.record-stopped',
      'ddns.update-failing',
    ]);
    expect(isDdnsCondition('ddns.record-drifted')).toBe(false);
    expect(isDdnsCondition('reach.cgnat')).toBe(false);
    expect(ddnsRules['ddns.record-stopped'].severity).toBe('critical');
  });
});

/** A stored alert as the alerts engine keeps it. */
const stored = (rule: keyof typeof ddnsRules, key: string, over: Partial<Alert> = {}): Alert => {
  const def = ddnsRules[rule];
  return {
    id: `${rule}/${key}`,
    rule,
    key,
    severity: def.severity,
    title: def.title({ hostname: 'home.example.test', account: 'Home DNS' }),
    message: 'm',
    remedy: def.remedy,
    raisedAt: t0,
    lastSeenAt: t0,
    occurrences: 1,
    clearedAt: null,
    acknowledgedAt: null,
    details: {},
    notifiedChannelIds: [],
    ...over,
  };
};

function storeWith(d: DdnsState, alerts: Alert[] = []) {
  const base = initialState(new Date(t0), 'x');
  return new MemoryStore({ ...base, ddns: d, alerts: { ...base.alerts, items: alerts } });
}

describe('ddnsCard: its problem is the active DDNS conditions, in the alert’s words', () => {
  it('OK without a condition: every record points at the box, with the propagation time', async () => {
    const card = await ddnsCard(storeWith(ddns()), true).card();
    expect(card).toMatchObject({
      id: 'ddns',
      title: 'DDNS',
      state: 'ok',
      summary: 'The hostname points at this box.',
    });
    expect(ddnsCard(storeWith(ddns()), true).id).toBe('ddns');
    const two = await ddnsCard(
      storeWith(
        ddns({
          records: [record(), record({ id: 'r2', type: 'AAAA' })],
          states: [state(), state({ recordId: 'r2', applied: '2001:db8::7', desired: '2001:db8::7' })],
        }),
      ),
      true,
    ).card();
    expect(two).toMatchObject({ state: 'ok', summary: 'All 2 records point at this box.' });
    expect(two.facts).toHaveLength(2);
    expect(card.facts[0]?.value).toBe(
      '→ 203.0.113.7, served by the authoritative servers 1.2 s after the change',
    );
  });

  it('the most severe active condition gives the state and the summary (title and remedy)', async () => {
    const failing = stored('ddns.update-failing', 'r1', { raisedAt: '2026-05-01T00:00:01.000Z' });
    const stopped = stored('ddns.account-stopped', 'a1', { raisedAt: '2026-05-01T00:00:02.000Z' });
    const card = await ddnsCard(storeWith(ddns(), [failing, stopped]), true).card();
    expect(card.state).toBe('error');
    expect(card.summary).toBe(`${stopped.title}. ${stopped.remedy ?? ''}`);
    const warn = await ddnsCard(storeWith(ddns(), [failing]), true).card();
    expect(warn).toMatchObject({
      id: 'ddns',
      title: 'DDNS',
      state: 'warning',
      summary: `${failing.title}. ${failing.remedy ?? ''}`,
    });
  });

  it('ignores cleared alerts, other capabilities’ alerts and the drift event', async () => {
    const card = await ddnsCard(
      storeWith(ddns(), [
        stored('ddns.update-failing', 'r1', { clearedAt: t0 }),
        stored('ddns.record-drifted', 'r1'),
        { ...stored('ddns.update-failing', 'x'), rule: 'reach.cgnat', severity: 'critical' },
      ]),
      true,
    ).card();
    expect(card.state).toBe('ok');
  });

  it('without a condition, a record not known yet makes the card "unknown", not a problem', async () => {
    const card = await ddnsCard(storeWith(ddns({ states: [] })), true).card();
    expect(card).toMatchObject({
      id: 'ddns',
      title: 'DDNS',
      state: 'unknown',
      summary: 'home.example.test A: not set yet',
    });
  });

  it('no records, or DDNS turned off: unknown, saying so', async () => {
    expect(await ddnsCard(storeWith(ddns({ records: [] })), true).card()).toEqual({
      id: 'ddns',
      title: 'DDNS',
      state: 'unknown',
      summary: 'No hostname follows this box yet: add a DNS provider and a record on the DDNS page.',
      facts: [],
    });
    const off = await ddnsCard(storeWith(ddns(), [stored('ddns.update-failing', 'r1')]), false).card();
    expect(off).toMatchObject({ id: 'ddns', title: 'DDNS', state: 'unknown' });
    expect(off.summary).toContain('turned off');
    expect(off.facts).toHaveLength(1);
  });
});

describe('createConditionSync', () => {
  it('raises what holds, clears what does not; clearAll ends them all', async () => {
    const store = storeWith(ddns({ states: [state({ pending, lastAttempt: failedTry })] }));
    const calls: string[] = [];
    let active: { rule: string; key: string }[] = [{ rule: 'ddns.record-stopped', key: 'old' }];
    const sync = createConditionSync({
      store,
      verifySeconds: 120,
      active: () => active,
      alerts: {
        raise: (a) => {
          calls.push(`raise ${a.rule}/${a.key}`);
          active = [...active.filter((x) => x.key !== a.key), { rule: a.rule, key: a.key }];
          return Promise.resolve();
        },
        clear: (rule, key) => {
          calls.push(`clear ${rule}/${key}`);
          active = active.filter((x) => !(x.rule === rule && x.key === key));
          return Promise.resolve();
        },
      },
    });
    await sync.sync();
    expect(calls).toEqual(['clear ddns.record-stopped/old', 'raise ddns.update-failing/r1']);
    await sync.clearAll();
    expect(calls.slice(2)).toEqual(['clear ddns.update-failing/r1']);
    expect(active).toEqual([]);
  });

  it('reads the store’s active alerts by default', async () => {
    const store = storeWith(ddns(), [
      stored('ddns.update-failing', 'r1'),
      stored('ddns.update-failing', 'r2', { clearedAt: t0 }),
    ]);
    const cleared: string[] = [];
    const sync = createConditionSync({
      store,
      verifySeconds: 120,
      alerts: {
        raise: () => Promise.resolve(),
        clear: (r, k) => (cleared.push(`${r}/${k}`), Promise.resolve()),
      },
    });
    await sync.sync();
    expect(cleared).toEqual(['ddns.update-failing/r1']);
  });
});
