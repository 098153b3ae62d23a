/** @module The rules engine as tables of steps on a fake clock: de-duplication, re-notification, rate limits, acks. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import {
  alertRetention,
  emptyAlerts,
  type AlertsState,
  type Channel,
  type Severity,
} from '../store/schema.js';
import { reachabilityRules } from '../reach/alert-rules.js';
import { createRuleRegistry } from './catalogue.js';
import {
  acknowledgeAlert,
  clearAlert,
  defaultRateLimits,
  planPending,
  raiseAlert,
  unmarkFailedDeliveries,
  type RuleContext,
  type RuleResult,
  type SuppressionReason,
} from './rules.js';

const minute = 60_000;

type RuleId = string;

/** The rules of the capabilities, plus an info-level condition (no capability has one yet). */
const rules = createRuleRegistry(reachabilityRules, {
  'test.info-condition': {
    title: 'An info-level condition',
    severity: 'info',
    remedy: 'none needed',
    kind: 'condition',
    notifyOnClear: true,
  },
});

function channel(id: string, minSeverity: Severity = 'info', enabled = true): Channel {
  return {
    id,
    name: id,
    enabled,
    minSeverity,
    createdAt: '2026-01-01T00:00:00.000Z',
    target: { kind: 'discord', url: `https://discord.example/${id}` },
  };
}

function stateWith(...channels: Channel[]): AlertsState {
  return { ...emptyAlerts(), channels };
}

type Action =
  | { readonly raise: RuleId; readonly key?: string }
  | { readonly clear: RuleId; readonly key?: string }
  | { readonly ack: 'last' }
  | { readonly pending: true }
  | { readonly addChannel: Channel };

interface Expect {
  readonly change?: RuleResult['change'];
  /** Notifications planned, as "event:channel,channel". */
  readonly sent?: readonly string[];
  readonly suppressed?: readonly `${string}:${SuppressionReason}`[];
  readonly occurrences?: number;
  /** Alerts in the store that are active afterwards. */
  readonly active?: number;
}

interface Step {
  /** Minutes since the start. */
  readonly at: number;
  readonly do: Action;
  readonly expect: Expect;
}

/** Runs steps in order on one state and clock; returns the final state and every result. */
function run(initial: AlertsState, steps: readonly Step[]) {
  const clock = new FakeClock('2026-03-01T00:00:00.000Z');
  const start = clock.now().getTime();
  let n = 0;
  let state = initial;
  let lastAlertId: string | undefined;
  const results: RuleResult[] = [];
  for (const [i, step] of steps.entries()) {
    clock.advance(start + step.at * minute - clock.now().getTime());
    const ctx: RuleContext = { rules, now: clock.now(), newId: () => `alert-${++n}` };
    const a = step.do;
    let result: RuleResult;
    if ('raise' in a) {
      result = raiseAlert(
        state,
        {
          rule: a.raise,
          key: a.key ?? 'ipv4',
          message: `step ${i}`,
        },
        ctx,
      );
    } else if ('clear' in a) {
      result = clearAlert(state, a.clear, a.key ?? 'ipv4', ctx);
    } else if ('ack' in a) {
      result = acknowledgeAlert(state, lastAlertId ?? 'none', ctx.now, rules);
    } else if ('pending' in a) {
      result = planPending(state, ctx);
    } else {
      result = {
        state: { ...state, channels: [...state.channels, a.addChannel] },
        alert: undefined,
        change: 'none',
        notifications: [],
        suppressed: [],
      };
    }
    state = result.state;
    if (result.alert) lastAlertId = result.alert.id;
    results.push(result);
    const label = `step ${i} (t=${step.at} min)`;
    const e = step.expect;
    if (e.change !== undefined) expect(result.change, label).toBe(e.change);
    if (e.sent !== undefined) {
      expect(
        result.notifications.map((p) => `${p.event}:${p.channelIds.join(',')}`),
        label,
      ).toEqual(e.sent);
    }
    if (e.suppressed !== undefined) {
      expect(
        result.suppressed.map((s) => `${s.channelId}:${s.reason}`),
        label,
      ).toEqual(e.suppressed);
    }
    if (e.occurrences !== undefined) expect(result.alert?.occurrences, label).toBe(e.occurrences);
    if (e.active !== undefined) {
      expect(state.items.filter((x) => x.clearedAt === null).length, label).toBe(e.active);
    }
  }
  return { state, results };
}

describe('de-duplication and re-notification', () => {
  it('an active alert seen again only counts up; after a clear the next raise is news again', () => {
    const { state } = run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.cgnat' }, expect: { change: 'raised', sent: ['raised:a'], active: 1 } },
      { at: 5, do: { raise: 'reach.cgnat' }, expect: { change: 'repeated', sent: [], occurrences: 2 } },
      { at: 9, do: { raise: 'reach.cgnat' }, expect: { change: 'repeated', sent: [], occurrences: 3 } },
      { at: 10, do: { clear: 'reach.cgnat' }, expect: { change: 'cleared', sent: ['cleared:a'], active: 0 } },
      { at: 11, do: { clear: 'reach.cgnat' }, expect: { change: 'none', sent: [] } },
      {
        at: 30,
        do: { raise: 'reach.cgnat' },
        expect: { change: 'raised', sent: ['raised:a'], occurrences: 1 },
      },
    ]);
    expect(state.items.map((a) => [a.id, a.occurrences, a.clearedAt !== null])).toEqual([
      ['alert-1', 3, true],
      ['alert-2', 1, false],
    ]);
    const first = state.items[0]!;
    expect(first.raisedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(first.lastSeenAt).toBe('2026-03-01T00:09:00.000Z');
    expect(first.clearedAt).toBe('2026-03-01T00:10:00.000Z');
  });

  it('keys of one rule are separate alerts', () => {
    run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.udp-blocked', key: 'ipv4' }, expect: { sent: ['raised:a'] } },
      { at: 0, do: { raise: 'reach.udp-blocked', key: 'ipv6' }, expect: { sent: ['raised:a'], active: 2 } },
      { at: 1, do: { clear: 'reach.udp-blocked', key: 'ipv6' }, expect: { sent: ['cleared:a'], active: 1 } },
    ]);
  });

  it('takes title and severity from the rule, always, and the remedy unless the raiser knows a better one', () => {
    const clock = new FakeClock();
    const ctx = { rules, now: clock.now(), newId: () => 'x' };
    const byDefault = raiseAlert(emptyAlerts(), { rule: 'reach.cgnat', key: '', message: 'm' }, ctx).alert!;
    expect(byDefault).toMatchObject({
      title: reachabilityRules['reach.cgnat'].title,
      severity: 'critical',
      remedy: reachabilityRules['reach.cgnat'].remedy,
      details: {},
    });
    const own = raiseAlert(
      emptyAlerts(),
      {
        rule: 'reach.cgnat',
        key: '',
        message: 'm',
        remedy: 'Ask for a public address.',
        details: { address: '100.64.1.2' },
      },
      ctx,
    ).alert!;
    expect(own).toMatchObject({
      title: reachabilityRules['reach.cgnat'].title,
      severity: 'critical',
      remedy: 'Ask for a public address.',
      details: { address: '100.64.1.2' },
    });
  });

  it('a rule may title its alerts by their details', () => {
    const ctx = { rules, now: new Date('2026-03-01T00:00:00Z'), newId: () => 'x' };
    const raise = (family: string) =>
      raiseAlert(
        emptyAlerts(),
        { rule: 'reach.address-changed', key: family, message: 'm', details: { family } },
        ctx,
      ).alert?.title;
    expect(raise('ipv4')).toBe('Public IPv4 address changed');
    expect(raise('ipv6')).toBe('Public IPv6 address changed');
  });

  it('treats a rule id the catalogue does not know as a plain condition instead of failing', () => {
    const ctx = { rules, now: new Date('2026-03-01T00:00:00Z'), newId: () => 'x' };
    const rule = 'cert.expiring' as RuleId;
    const raised = raiseAlert(stateWith(channel('a')), { rule, key: 'example.net', message: 'm' }, ctx);
    expect(raised.alert).toMatchObject({ title: 'cert.expiring', severity: 'warning', remedy: null });
    expect(raised.notifications.map((p) => p.event)).toEqual(['raised']);
    expect(clearAlert(raised.state, rule, 'example.net', ctx).notifications.map((p) => p.event)).toEqual([
      'cleared',
    ]);
  });

  it('does not tell about a clear for rules that say so, nor channels that never heard of the alert', () => {
    run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.sources-disagree' }, expect: { sent: ['raised:a'] } },
      { at: 5, do: { clear: 'reach.sources-disagree' }, expect: { change: 'cleared', sent: [] } },
      { at: 6, do: { raise: 'reach.double-nat' }, expect: { sent: ['raised:a'] } },
      { at: 7, do: { addChannel: channel('b') }, expect: {} },
      { at: 8, do: { clear: 'reach.double-nat' }, expect: { sent: ['cleared:a'] } },
    ]);
  });

  it('an event is news each time and closes the previous one of its key', () => {
    const { state } = run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.address-changed' }, expect: { change: 'raised', sent: ['raised:a'] } },
      {
        at: 20,
        do: { raise: 'reach.address-changed' },
        expect: { change: 'raised', sent: ['raised:a'], active: 1 },
      },
      { at: 21, do: { clear: 'reach.address-changed' }, expect: { change: 'cleared', sent: [] } },
    ]);
    expect(state.items.map((a) => a.clearedAt)).toEqual([
      '2026-03-01T00:20:00.000Z',
      '2026-03-01T00:21:00.000Z',
    ]);
  });
});

describe('which channels', () => {
  it('skips disabled channels and those whose minimum severity the alert does not reach', () => {
    run(
      stateWith(
        channel('all'),
        channel('serious', 'warning'),
        channel('pager', 'critical'),
        channel('off', 'info', false),
      ),
      [
        { at: 0, do: { raise: 'reach.address-changed' }, expect: { sent: ['raised:all'] } },
        { at: 1, do: { raise: 'reach.double-nat' }, expect: { sent: ['raised:all,serious'] } },
        { at: 2, do: { raise: 'reach.cgnat' }, expect: { sent: ['raised:all,serious,pager'] } },
        { at: 3, do: { raise: 'test.info-condition' }, expect: { sent: ['raised:all'] } },
      ],
    );
  });

  it('with no channels at all nothing is planned, and a channel added later hears of the active alert', () => {
    run(stateWith(), [
      { at: 0, do: { raise: 'reach.cgnat' }, expect: { sent: [], suppressed: [] } },
      { at: 1, do: { addChannel: channel('late') }, expect: {} },
      { at: 2, do: { raise: 'reach.cgnat' }, expect: { change: 'repeated', sent: ['raised:late'] } },
      { at: 3, do: { raise: 'reach.cgnat' }, expect: { change: 'repeated', sent: [] } },
      { at: 4, do: { clear: 'reach.cgnat' }, expect: { sent: ['cleared:late'] } },
    ]);
  });
});

describe('rate limits', () => {
  it('a flapping alert costs a channel one raised/cleared pair per 15 minutes, and is delivered once allowed', () => {
    run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.udp-blocked' }, expect: { sent: ['raised:a'] } },
      { at: 1, do: { clear: 'reach.udp-blocked' }, expect: { sent: ['cleared:a'] } },
      {
        at: 2,
        do: { raise: 'reach.udp-blocked' },
        expect: { change: 'raised', sent: [], suppressed: ['a:alert-rate-limit'] },
      },
      // Never told of this one, so not told of its end either.
      { at: 3, do: { clear: 'reach.udp-blocked' }, expect: { change: 'cleared', sent: [], suppressed: [] } },
      { at: 4, do: { raise: 'reach.udp-blocked' }, expect: { sent: [], suppressed: ['a:alert-rate-limit'] } },
      {
        at: 14,
        do: { raise: 'reach.udp-blocked' },
        expect: { change: 'repeated', sent: [], suppressed: ['a:alert-rate-limit'] },
      },
      // 15 minutes after the last "raised" the still-active alert goes out on its next raise.
      {
        at: 15,
        do: { raise: 'reach.udp-blocked' },
        expect: { change: 'repeated', sent: ['raised:a'], suppressed: [] },
      },
      { at: 16, do: { raise: 'reach.udp-blocked' }, expect: { sent: [], suppressed: [] } },
    ]);
  });

  it('an event inside the 15 minutes is held back and stays in the list', () => {
    run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.address-changed' }, expect: { sent: ['raised:a'] } },
      {
        at: 5,
        do: { raise: 'reach.address-changed' },
        expect: { sent: [], suppressed: ['a:alert-rate-limit'], active: 1 },
      },
      { at: 15, do: { pending: true }, expect: { sent: ['raised:a'] } },
    ]);
  });

  it('a channel gets at most 10 notifications an hour; held-back alerts go out when the window allows', () => {
    const raises = Array.from({ length: 12 }, (_, i): Step => ({
      at: i,
      do: { raise: 'reach.udp-blocked', key: `k${i}` },
      expect:
        i < 10
          ? { sent: ['raised:a,b'] }
          : { sent: [], suppressed: ['a:channel-rate-limit', 'b:channel-rate-limit'] },
    }));
    const { state } = run(stateWith(channel('a'), channel('b', 'critical')), [
      ...raises,
      // Still inside the hour of the first one (t=0): nothing.
      { at: 59, do: { pending: true }, expect: { sent: [] } },
      // t=60: the one from t=0 has left the window, so one more fits; the oldest pending alert goes first.
      { at: 60, do: { pending: true }, expect: { sent: ['raised:a,b'] } },
      { at: 61, do: { pending: true }, expect: { sent: ['raised:a,b'] } },
      { at: 62, do: { pending: true }, expect: { sent: [] } },
    ]);
    expect(state.items.every((a) => a.notifiedChannelIds.join(',') === 'a,b')).toBe(true);
    // The ledger forgets what no window looks at any more: at t=61 entries from t<=1 were dropped.
    expect(state.notifications.map((n) => n.at.slice(11, 16))).toEqual([
      ...['02', '03', '04', '05', '06', '07', '08', '09'].map((m) => `00:${m}`),
      '01:00',
      '01:01',
    ]);
  });

  it('limits count per channel: a quiet channel is not held back by a busy one', () => {
    const busy = Array.from({ length: 10 }, (_, i): Step => ({
      at: 0,
      do: { raise: 'reach.address-changed', key: `k${i}` },
      expect: { sent: ['raised:all'] },
    }));
    run(stateWith(channel('all'), channel('serious', 'warning')), [
      ...busy,
      {
        at: 1,
        do: { raise: 'reach.double-nat' },
        expect: { sent: ['raised:serious'], suppressed: ['all:channel-rate-limit'] },
      },
    ]);
  });

  it('takes custom limits', () => {
    const clock = new FakeClock();
    const limits = { perChannel: { max: 1, windowMs: minute }, perAlertMs: 0 };
    const ctx = (): RuleContext => ({
      rules,
      now: clock.now(),
      newId: () => String(clock.now().getTime()),
      limits,
    });
    let s = stateWith(channel('a'));
    const first = raiseAlert(s, { rule: 'reach.cgnat', key: '1', message: '' }, ctx());
    s = first.state;
    const second = raiseAlert(s, { rule: 'reach.cgnat', key: '2', message: '' }, ctx());
    expect(first.notifications).toHaveLength(1);
    expect(second.suppressed.map((x) => x.reason)).toEqual(['channel-rate-limit']);
    clock.advance(minute);
    expect(planPending(second.state, ctx()).notifications).toHaveLength(1);
    expect(defaultRateLimits).toEqual({
      perChannel: { max: 10, windowMs: 60 * minute },
      perAlertMs: 15 * minute,
    });
  });
});

describe('acknowledging', () => {
  it('stops pending deliveries, keeps the first time, and closes an event', () => {
    const busy = Array.from({ length: 10 }, (_, i): Step => ({
      at: 0,
      do: { raise: 'reach.udp-blocked', key: `k${i}` },
      expect: {},
    }));
    const { state } = run(stateWith(channel('a')), [
      ...busy,
      { at: 1, do: { raise: 'reach.cgnat' }, expect: { suppressed: ['a:channel-rate-limit'] } },
      { at: 2, do: { ack: 'last' }, expect: { change: 'acknowledged', active: 11 } },
      { at: 3, do: { ack: 'last' }, expect: { change: 'none' } },
      { at: 70, do: { raise: 'reach.cgnat' }, expect: { change: 'repeated', sent: [], suppressed: [] } },
      { at: 71, do: { pending: true }, expect: { sent: [] } },
      { at: 72, do: { raise: 'reach.address-changed' }, expect: { sent: ['raised:a'] } },
      { at: 73, do: { ack: 'last' }, expect: { change: 'acknowledged', active: 11 } },
    ]);
    const cgnat = state.items.find((a) => a.rule === 'reach.cgnat')!;
    expect(cgnat.acknowledgedAt).toBe('2026-03-01T00:02:00.000Z');
    expect(cgnat.clearedAt).toBeNull();
    const changed = state.items.find((a) => a.rule === 'reach.address-changed')!;
    expect(changed.clearedAt).toBe('2026-03-01T01:13:00.000Z');
  });

  it('knows nothing of an unknown id', () => {
    const r = acknowledgeAlert(emptyAlerts(), 'nope', new Date(), rules);
    expect(r.change).toBe('none');
    expect(r.alert).toBeUndefined();
  });
});

describe('retention', () => {
  it('forgets the oldest cleared alerts beyond the retention, never an active one', () => {
    const clock = new FakeClock();
    let n = 0;
    let s = emptyAlerts();
    const ctx = () => ({ rules, now: clock.now(), newId: () => `a${++n}` });
    s = raiseAlert(s, { rule: 'reach.cgnat', key: 'keep', message: '' }, ctx()).state;
    for (let i = 0; i < alertRetention + 5; i++) {
      s = raiseAlert(s, { rule: 'reach.udp-blocked', key: String(i), message: '' }, ctx()).state;
      s = clearAlert(s, 'reach.udp-blocked', String(i), ctx()).state;
    }
    expect(s.items).toHaveLength(alertRetention);
    expect(s.items[0]?.key).toBe('keep');
    expect(s.items[1]?.key).toBe('6');
  });
});

describe('exact results', () => {
  const ctx = (at: string, id = 'x') => ({ rules, now: new Date(at), newId: () => id });

  it('an unknown rule id stays one condition: raised again it only counts up, and an acknowledgement keeps it open', () => {
    const rule = 'cert.expiring' as RuleId;
    const first = raiseAlert(
      stateWith(channel('a')),
      { rule, key: 'k', message: 'm' },
      ctx('2026-03-01T00:00:00Z', 'u1'),
    );
    const again = raiseAlert(
      first.state,
      { rule, key: 'k', message: 'm' },
      ctx('2026-03-01T00:01:00Z', 'u2'),
    );
    expect(again.change).toBe('repeated');
    expect(again.alert).toMatchObject({ id: 'u1', occurrences: 2 });
    expect(again.state.items).toHaveLength(1);
    const acked = acknowledgeAlert(again.state, 'u1', new Date('2026-03-01T00:02:00Z'), rules);
    expect(acked.alert?.clearedAt).toBeNull();
  });

  it('an event closes only the previous alert of its own key, nothing else', () => {
    const { state } = run(stateWith(channel('a')), [
      { at: 0, do: { raise: 'reach.cgnat' }, expect: { change: 'raised' } },
      { at: 1, do: { raise: 'reach.address-changed', key: 'ipv6' }, expect: { change: 'raised' } },
      { at: 2, do: { raise: 'reach.address-changed' }, expect: { change: 'raised' } },
      { at: 3, do: { raise: 'reach.address-changed' }, expect: { change: 'raised', active: 3 } },
    ]);
    expect(state.items.map((a) => `${a.rule}/${a.key}:${a.clearedAt ?? 'open'}`)).toEqual([
      'reach.cgnat/ipv4:open',
      'reach.address-changed/ipv6:open',
      'reach.address-changed/ipv4:2026-03-01T00:03:00.000Z',
      'reach.address-changed/ipv4:open',
    ]);
  });

  it('a clear that tells nobody, an acknowledgement and a call that finds nothing suppress nothing', () => {
    const raised = raiseAlert(
      stateWith(channel('a')),
      { rule: 'reach.sources-disagree', key: '', message: 'm' },
      ctx('2026-03-01T00:00:00Z', 'a1'),
    );
    const cleared = clearAlert(raised.state, 'reach.sources-disagree', '', ctx('2026-03-01T00:01:00Z'));
    expect(cleared).toMatchObject({ change: 'cleared', notifications: [], suppressed: [] });

    const other = raiseAlert(
      stateWith(channel('a')),
      { rule: 'reach.cgnat', key: '', message: 'm' },
      ctx('2026-03-01T00:00:00Z', 'c1'),
    );
    const acked = acknowledgeAlert(other.state, 'c1', new Date('2026-03-01T00:01:00Z'), rules);
    expect(acked).toMatchObject({ change: 'acknowledged', notifications: [], suppressed: [] });
    expect(acknowledgeAlert(acked.state, 'c1', new Date(), rules)).toMatchObject({
      change: 'none',
      notifications: [],
      suppressed: [],
    });
    expect(clearAlert(emptyAlerts(), 'reach.cgnat', '', ctx('2026-03-01T00:00:00Z'))).toEqual({
      state: emptyAlerts(),
      alert: undefined,
      change: 'none',
      notifications: [],
      suppressed: [],
    });
  });

  it('planPending changes nothing, and plans nothing for cleared alerts whose channels never heard of them', () => {
    // Raised while channel "b" did not exist yet, then cleared: "b" must not hear of an alert that is over.
    let state = raiseAlert(
      stateWith(channel('a')),
      { rule: 'reach.cgnat', key: '', message: 'm' },
      ctx('2026-03-01T00:00:00Z', 'c1'),
    ).state;
    state = clearAlert(state, 'reach.cgnat', '', ctx('2026-03-01T00:01:00Z')).state;
    state = {
      ...state,
      channels: [...state.channels, { ...channel('b'), createdAt: '2026-03-01T00:00:30.000Z' }],
    };
    expect(planPending(state, ctx('2026-03-01T01:00:00Z'))).toEqual({
      state,
      alert: undefined,
      change: 'none',
      notifications: [],
      suppressed: [],
    });
  });
});

describe('a condition that ended before a channel could hear of it', () => {
  const ctx = (iso: string): RuleContext => ({ rules, now: new Date(iso), newId: () => 'x' });
  /** Raised at 00:00 while the delivery to "a" failed (the box was offline), cleared at 00:05. */
  function missed(
    rule: 'reach.cgnat' | 'reach.double-nat' | 'reach.sources-disagree' = 'reach.cgnat',
    channels = [channel('a')],
  ) {
    const at = (iso: string, id = 'x') => ({ rules, now: new Date(iso), newId: () => id });
    let state = raiseAlert(
      stateWith(...channels),
      { rule, key: '', message: 'm' },
      at('2026-03-01T00:00:00Z', 'c1'),
    ).state;
    state = unmarkFailedDeliveries(state, [{ alertId: 'c1', channelId: 'a' }]);
    return clearAlert(state, rule, '', at('2026-03-01T00:05:00Z')).state;
  }

  it('is told once, as "cleared" naming both times, once the limits allow (not before)', () => {
    const state = missed();
    // Within perAlertMs of the failed attempt: the back-off holds it.
    const early = planPending(state, ctx('2026-03-01T00:10:00Z'));
    expect(early.notifications).toEqual([]);
    expect(early.suppressed).toEqual([{ channelId: 'a', alertId: 'c1', reason: 'alert-rate-limit' }]);
    const late = planPending(state, ctx('2026-03-01T00:16:00Z'));
    expect(late.notifications.map((n) => [n.event, n.alert.id, n.channelIds])).toEqual([
      ['cleared', 'c1', ['a']],
    ]);
    expect(late.notifications[0]?.alert).toMatchObject({
      raisedAt: '2026-03-01T00:00:00.000Z',
      clearedAt: '2026-03-01T00:05:00.000Z',
    });
    expect(late.state.notifications.at(-1)).toMatchObject({
      event: 'cleared',
      alertId: 'c1',
      channelIds: ['a'],
    });
    // Told: never again.
    expect(planPending(late.state, ctx('2026-03-01T02:00:00Z')).notifications).toEqual([]);
    // Unless that delivery failed too: tried again after perAlertMs, not at every pending run.
    const failed = unmarkFailedDeliveries(late.state, [{ alertId: 'c1', channelId: 'a', event: 'cleared' }]);
    const soon = planPending(failed, ctx('2026-03-01T00:30:00Z'));
    expect(soon.notifications).toEqual([]);
    expect(soon.suppressed).toEqual([{ channelId: 'a', alertId: 'c1', reason: 'alert-rate-limit' }]);
    expect(planPending(failed, ctx('2026-03-01T00:31:00Z')).notifications).toHaveLength(1);
  });

  it('a raise that fails after the end went out is not retried as a second end', () => {
    const at = (iso: string, id = 'x') => ({ rules, now: new Date(iso), newId: () => id });
    // Raised and told (in flight), cleared and told, then the raise's failure is recorded.
    let state = raiseAlert(
      stateWith(channel('a')),
      { rule: 'reach.cgnat', key: '', message: 'm' },
      at('2026-03-01T00:00:00Z', 'c1'),
    ).state;
    const cleared = clearAlert(state, 'reach.cgnat', '', at('2026-03-01T00:01:00Z'));
    expect(cleared.notifications.map((n) => n.event)).toEqual(['cleared']);
    state = unmarkFailedDeliveries(cleared.state, [{ alertId: 'c1', channelId: 'a', event: 'raised' }]);
    expect(state.items[0]?.notifiedChannelIds).toEqual(['a']);
    expect(planPending(state, ctx('2026-03-01T01:00:00Z')).notifications).toEqual([]);
    // The end's own failure is retried, though.
    const endFailed = unmarkFailedDeliveries(cleared.state, [
      { alertId: 'c1', channelId: 'a', event: 'cleared' },
    ]);
    expect(endFailed.items[0]?.notifiedChannelIds).toEqual([]);
  });

  it('only the end of that alert to that channel counts as heard', () => {
    const at = (iso: string, id = 'x') => ({ rules, now: new Date(iso), newId: () => id });
    // X ended and both channels heard it; Y ended and only "b" heard its end; Y's raise to "a" failed late.
    let state = stateWith(channel('a'), channel('b'));
    state = raiseAlert(
      state,
      { rule: 'reach.cgnat', key: '', message: 'm' },
      at('2026-03-01T00:00:00Z', 'X'),
    ).state;
    state = clearAlert(state, 'reach.cgnat', '', at('2026-03-01T00:01:00Z')).state;
    state = raiseAlert(
      state,
      { rule: 'reach.udp-blocked', key: '', message: 'm' },
      at('2026-03-01T00:02:00Z', 'Y'),
    ).state;
    state = {
      ...state,
      items: state.items.map((a) => (a.id === 'Y' ? { ...a, notifiedChannelIds: ['b'] } : a)),
    };
    state = clearAlert(state, 'reach.udp-blocked', '', at('2026-03-01T00:03:00Z')).state;
    // As if "a" was marked for Y (its raise in flight) though Y's end reached "b" only.
    state = {
      ...state,
      items: state.items.map((a) => (a.id === 'Y' ? { ...a, notifiedChannelIds: ['a', 'b'] } : a)),
    };
    const next = unmarkFailedDeliveries(state, [{ alertId: 'Y', channelId: 'a', event: 'raised' }]);
    expect(next.items.find((a) => a.id === 'Y')?.notifiedChannelIds).toEqual(['b']);
    const bFailed = unmarkFailedDeliveries(state, [{ alertId: 'Y', channelId: 'b', event: 'raised' }]);
    expect(bFailed.items.find((a) => a.id === 'Y')?.notifiedChannelIds).toEqual(['a', 'b']);
    const xOther = unmarkFailedDeliveries(state, [{ alertId: 'X', channelId: 'a', event: 'raised' }]);
    expect(xOther.items.find((a) => a.id === 'X')?.notifiedChannelIds).toEqual(['a', 'b']);
  });

  it('a newer alert of another rule or key does not stand in for this one', () => {
    const at = (iso: string, id: string) => ({ rules, now: new Date(iso), newId: () => id });
    const base = missed();
    let state = raiseAlert(
      base,
      { rule: 'reach.cgnat', key: 'other', message: 'm' },
      at('2026-03-01T00:06:00Z', 'k'),
    ).state;
    state = raiseAlert(
      state,
      { rule: 'reach.udp-blocked', key: '', message: 'm' },
      at('2026-03-01T00:06:00Z', 'r'),
    ).state;
    expect(
      planPending(state, ctx('2026-03-01T00:30:00Z'))
        .notifications.filter((n) => n.event === 'cleared')
        .map((n) => n.alert.id),
    ).toEqual(['c1']);
  });

  it('a condition that flapped is summed up once, by its newest occurrence', () => {
    const at = (iso: string, id: string) => ({ rules, now: new Date(iso), newId: () => id });
    let state = stateWith(channel('a'));
    for (let i = 0; i < 4; i++) {
      state = raiseAlert(
        state,
        { rule: 'reach.port-mapping-lost', key: '51820', message: 'm' },
        at(`2026-03-01T00:0${2 * i}:00Z`, `f${i}`),
      ).state;
      state = clearAlert(
        state,
        'reach.port-mapping-lost',
        '51820',
        at(`2026-03-01T00:0${2 * i + 1}:00Z`, 'x'),
      ).state;
    }
    // The first was told (raised and cleared); the per-alert limit held the others back.
    const late = planPending(state, ctx('2026-03-01T00:30:00Z'));
    expect(late.notifications.map((n) => [n.event, n.alert.id])).toEqual([['cleared', 'f3']]);
  });

  it('an end a channel limit held back is told later by the late summary', () => {
    const limits = { perChannel: { max: 1, windowMs: 60 * 60_000 }, perAlertMs: 15 * 60_000 };
    const at = (iso: string, id = 'x'): RuleContext => ({
      rules,
      now: new Date(iso),
      newId: () => id,
      limits,
    });
    let state = raiseAlert(
      stateWith(channel('a')),
      { rule: 'reach.cgnat', key: '', message: 'm' },
      at('2026-03-01T00:00:00Z', 'c1'),
    ).state;
    const cleared = clearAlert(state, 'reach.cgnat', '', at('2026-03-01T00:10:00Z'));
    expect(cleared.notifications).toEqual([]);
    expect(cleared.state.items[0]?.notifiedChannelIds).toEqual([]);
    expect(cleared.suppressed).toEqual([{ channelId: 'a', alertId: 'c1', reason: 'channel-rate-limit' }]);
    state = cleared.state;
    expect(planPending(state, at('2026-03-01T00:30:00Z')).notifications).toEqual([]);
    // Two channels, only one of them at its limit: the other hears the end and stays marked.
    const two = raiseAlert(
      stateWith(channel('a'), channel('b')),
      { rule: 'reach.udp-blocked', key: '', message: 'm' },
      {
        rules,
        now: new Date('2026-03-01T00:00:00Z'),
        newId: () => 'u1',
        limits: { ...limits, perChannel: { max: 2, windowMs: 60 * 60_000 } },
      },
    ).state;
    const busyA = {
      ...two,
      notifications: [
        ...two.notifications,
        {
          at: '2026-03-01T00:05:00.000Z',
          alertId: 'other',
          rule: 'reach.cgnat',
          key: '',
          event: 'raised' as const,
          channelIds: ['a'],
        },
      ],
    };
    const endTwo = clearAlert(busyA, 'reach.udp-blocked', '', {
      rules,
      now: new Date('2026-03-01T00:10:00Z'),
      newId: () => 'x',
      limits: { ...limits, perChannel: { max: 2, windowMs: 60 * 60_000 } },
    });
    expect(endTwo.notifications.map((n) => n.channelIds)).toEqual([['b']]);
    expect(endTwo.state.items[0]?.notifiedChannelIds).toEqual(['b']);
    expect(
      planPending(state, at('2026-03-01T01:00:01Z')).notifications.map((n) => [n.event, n.channelIds]),
    ).toEqual([['cleared', ['a']]]);
  });

  it('counts only its own earlier attempt to that channel, not other alerts or channels', () => {
    const at = (iso: string, id = 'x') => ({ rules, now: new Date(iso), newId: () => id });
    // Two conditions missed by "a" and "b" while offline.
    let state = stateWith(channel('a'), channel('b'));
    for (const [rule, id] of [
      ['reach.cgnat', 'c1'],
      ['reach.udp-blocked', 'c2'],
    ] as const) {
      state = raiseAlert(state, { rule, key: '', message: 'm' }, at('2026-03-01T00:00:00Z', id)).state;
      state = unmarkFailedDeliveries(state, [
        { alertId: id, channelId: 'a' },
        { alertId: id, channelId: 'b' },
      ]);
      state = clearAlert(state, rule, '', at('2026-03-01T00:05:00Z')).state;
    }
    // "a" is off for a while: only "b" hears of both, in one run (one alert's attempt does not hold the other).
    const aOff = { ...state, channels: [{ ...channel('a'), enabled: false }, channel('b')] };
    const first = planPending(aOff, ctx('2026-03-01T00:16:00Z'));
    expect(first.notifications.map((n) => [n.alert.id, n.channelIds])).toEqual([
      ['c1', ['b']],
      ['c2', ['b']],
    ]);
    expect(first.suppressed).toEqual([]);
    // "a" back on: b's attempts do not hold a's back.
    const aOn = { ...first.state, channels: [channel('a'), channel('b')] };
    expect(
      planPending(aOn, ctx('2026-03-01T00:17:00Z')).notifications.map((n) => [n.alert.id, n.channelIds]),
    ).toEqual([
      ['c1', ['a']],
      ['c2', ['a']],
    ]);
  });

  it('is not told after a day, nor when acknowledged, nor for a rule that does not tell its end', () => {
    expect(planPending(missed(), ctx('2026-03-02T00:05:00Z')).notifications).toHaveLength(1);
    const state = missed();
    expect(planPending(state, ctx('2026-03-02T00:05:00.001Z'))).toEqual({
      state,
      alert: undefined,
      change: 'none',
      notifications: [],
      suppressed: [],
    });
    const acked = acknowledgeAlert(missed(), 'c1', new Date('2026-03-01T00:06:00Z'), rules).state;
    expect(planPending(acked, ctx('2026-03-01T01:00:00Z')).notifications).toEqual([]);
    expect(planPending(missed('reach.sources-disagree'), ctx('2026-03-01T01:00:00Z')).notifications).toEqual(
      [],
    );
  });

  it('goes only to channels it was for while active: not one added, enabled or opened to it after its end', () => {
    // A warning. "quiet" is on but takes only critical alerts; "off" takes everything but is off.
    const state = missed('reach.double-nat', [
      channel('a'),
      channel('quiet', 'critical'),
      channel('off', 'info', false),
    ]);
    expect(state.items[0]?.audienceChannelIds).toEqual(['a']);
    const later = { ...channel('new'), createdAt: '2026-03-01T00:00:00.001Z' };
    const changed = {
      ...state,
      // After the end: a new channel, "quiet" opened to warnings and on, "off" turned on.
      channels: [channel('a'), channel('quiet', 'info', true), channel('off', 'info', true), later],
    };
    expect(planPending(changed, ctx('2026-03-01T01:00:00Z')).notifications.map((n) => n.channelIds)).toEqual([
      ['a'],
    ]);
    // Still for it only while it is enabled and takes the severity now.
    const aOff = { ...state, channels: [channel('a', 'info', false)] };
    expect(planPending(aOff, ctx('2026-03-01T01:00:00Z')).notifications).toEqual([]);
    const aCritical = { ...state, channels: [channel('a', 'critical')] };
    expect(planPending(aCritical, ctx('2026-03-01T01:00:00Z')).notifications).toEqual([]);
  });

  it('counts a channel turned on while the alert was active, once a pending run saw it', () => {
    const at = (iso: string) => ({ rules, now: new Date(iso), newId: () => 'c1' });
    const raised = raiseAlert(
      stateWith(channel('off', 'info', false)),
      { rule: 'reach.cgnat', key: '', message: 'm' },
      at('2026-03-01T00:00:00Z'),
    ).state;
    expect(raised.items[0]?.audienceChannelIds).toEqual([]);
    // Turned on while active: the pending run tells it and keeps it in the audience.
    const on = { ...raised, channels: [channel('off')] };
    const pending = planPending(on, at('2026-03-01T00:01:00Z'));
    expect(pending.notifications.map((n) => n.channelIds)).toEqual([['off']]);
    expect(pending.state.items[0]?.audienceChannelIds).toEqual(['off']);
    // Its delivery failed and the alert ended: the late summary reaches it.
    const failed = unmarkFailedDeliveries(pending.state, [{ alertId: 'c1', channelId: 'off' }]);
    const ended = clearAlert(failed, 'reach.cgnat', '', at('2026-03-01T00:02:00Z')).state;
    expect(
      planPending(ended, at('2026-03-01T00:20:00Z')).notifications.map((n) => [n.event, n.channelIds]),
    ).toEqual([['cleared', ['off']]]);
  });

  it('stores a grown audience even with nothing to send, and leaves the state alone when nothing grew', () => {
    const at = (iso: string) => ({ rules, now: new Date(iso), newId: () => 'c1' });
    const raised = raiseAlert(
      stateWith(channel('a')),
      { rule: 'reach.cgnat', key: '', message: 'm' },
      at('2026-03-01T00:00:00Z'),
    ).state;
    // "b" is added and on, but a limit holds its "raised" back: the audience still grows.
    const limits = { perChannel: { max: 0, windowMs: 60_000 }, perAlertMs: 60_000 };
    const withB = { ...raised, channels: [channel('a'), channel('b')] };
    const pending = planPending(withB, { ...at('2026-03-01T00:01:00Z'), limits });
    expect(pending.notifications).toEqual([]);
    expect(pending.state.items[0]?.audienceChannelIds).toEqual(['a', 'b']);
    const again = planPending(pending.state, { ...at('2026-03-01T00:02:00Z'), limits });
    expect(again.state.items).toBe(pending.state.items);
  });

  it('for an alert stored before the audience was kept: the channels that existed when it was raised', () => {
    const stored = missed();
    const legacy = {
      ...stored,
      items: stored.items.map(({ audienceChannelIds: _dropped, ...a }) => a),
    };
    const later = { ...channel('new'), createdAt: '2026-03-01T00:00:00.001Z' };
    const same = { ...channel('same'), createdAt: '2026-03-01T00:00:00.000Z' };
    expect(
      planPending(
        { ...legacy, channels: [...legacy.channels, later, same] },
        ctx('2026-03-01T01:00:00Z'),
      ).notifications.map((n) => n.channelIds),
    ).toEqual([['a', 'same']]);
  });
});

describe('unmarkFailedDeliveries', () => {
  function told(): AlertsState {
    let state = stateWith(channel('a'), channel('b'));
    const ctx = (id: string) => ({ rules, now: new Date('2026-03-01T00:00:00Z'), newId: () => id });
    state = raiseAlert(state, { rule: 'reach.cgnat', key: '', message: 'm' }, ctx('a1')).state;
    state = raiseAlert(state, { rule: 'reach.udp-blocked', key: '', message: 'm' }, ctx('a2')).state;
    return state;
  }

  // The outcomes themselves (newest last, the newest deliveryRetention kept) are the alerts.deliveries log's:
  // see AlertService's tests and src/store/slices/logs.test.ts.
  it('leaves the alerts alone when nothing failed', () => {
    const state = told();
    const next = unmarkFailedDeliveries(state, []);
    expect(next).toBe(state);
    expect(next.items).toBe(state.items);
  });

  it('a failed "raised" un-marks exactly that channel on exactly that alert', () => {
    const state = told();
    const next = unmarkFailedDeliveries(state, [{ alertId: 'a1', channelId: 'b' }]);
    expect(next.items.map((a) => [a.id, a.notifiedChannelIds])).toEqual([
      ['a1', ['a']],
      ['a2', ['a', 'b']],
    ]);
    expect(next.items[1]).toBe(state.items[1]);
  });
});

describe('retention at its edge', () => {
  it(`drops exactly as many cleared alerts as exceed ${alertRetention}, oldest first`, () => {
    let n = 0;
    let s = emptyAlerts();
    const ctx = () => ({ rules, now: new Date('2026-03-01T00:00:00Z'), newId: () => `a${++n}` });
    for (let i = 0; i < alertRetention; i++) {
      s = raiseAlert(s, { rule: 'reach.udp-blocked', key: String(i), message: '' }, ctx()).state;
      s = clearAlert(s, 'reach.udp-blocked', String(i), ctx()).state;
    }
    expect(s.items).toHaveLength(alertRetention);
    expect(s.items[0]?.key).toBe('0');
    s = raiseAlert(s, { rule: 'reach.cgnat', key: 'new', message: '' }, ctx()).state;
    expect(s.items).toHaveLength(alertRetention);
    expect(s.items[0]?.key).toBe('1');
    expect(s.items.at(-1)?.key).toBe('new');
  });
});
