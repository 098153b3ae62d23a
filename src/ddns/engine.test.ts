import { describe, expect, it } from 'vitest';
import type { AlertInput } from '../alerts/rules.js';
import type { AlertSink } from '../alerts/service.js';
import { createEventBus } from '../core/events.js';
import { initialState, type State } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeZone } from '../../test/fakes/dns-zone.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { agreedValues, allServe, DdnsEngine, secretName, verifyDelays } from './engine.js';
import { createConditionSync } from './conditions.js';
import type { RateWindow } from './rate-limits.js';
import type { DdnsRecord } from './slice.js';
import { ddnsAccount, ddnsRecord, fixtureTime } from '../../test/fakes/ddns-fixtures.js';

/** Records every raise and clear, and keeps the active set the way the alerts engine does (a repeat is no new alert). */
class RecordingSink implements AlertSink {
  readonly raised: AlertInput[] = [];
  readonly cleared: string[] = [];
  private readonly activeKeys = new Map<string, { rule: string; key: string }>();
  raise(a: AlertInput) {
    const id = `${a.rule}/${a.key}`;
    if (!this.activeKeys.has(id) || a.rule === 'ddns.record-drifted') this.raised.push(a);
    if (a.rule !== 'ddns.record-drifted') this.activeKeys.set(id, { rule: a.rule, key: a.key });
    return Promise.resolve();
  }
  clear(rule: string, key: string) {
    if (this.activeKeys.delete(`${rule}/${key}`)) this.cleared.push(`${rule}/${key}`);
    return Promise.resolve();
  }
  active() {
    return [...this.activeKeys.values()];
  }
}

const t0 = fixtureTime;
const record = ddnsRecord;

async function setup(
  options: {
    records?: DdnsRecord[];
    ipv4?: string | null;
    ipv6?: string | null;
    store?: MemoryStore;
    zone?: FakeZone;
    clock?: FakeClock;
    rateLimits?: ReadonlyMap<string, readonly RateWindow[]>;
    /** The alerts engine outlives a restart: a new engine on the same store finds the alerts it left. */
    alerts?: RecordingSink;
  } = {},
) {
  const clock = options.clock ?? new FakeClock(t0);
  const base: State = initialState(clock.now(), 'x');
  const state: State = {
    ...base,
    reachability: {
      current: {
        ipv4: options.ipv4 === undefined ? '203.0.113.7' : options.ipv4,
        ipv6: options.ipv6 ?? null,
      },
    },
    ddns: {
      ...base.ddns,
      accounts: [ddnsAccount({ name: 'Fake DNS' })],
      records: options.records ?? [record()],
    },
  };
  const store = options.store ?? new MemoryStore(state);
  const zone = options.zone ?? new FakeZone(clock);
  const secrets = new FakeSecrets(clock);
  await secrets.set(secretName('a1', 'token'), 'right');
  const logger = new MemoryLogger();
  const bus = createEventBus(logger);
  const alerts = options.alerts ?? new RecordingSink();
  const applied: unknown[] = [];
  bus.subscribe('ddns.applied', (e) => void applied.push(e));
  const random = { value: 0.5 };
  const engine = new DdnsEngine({
    store,
    secrets,
    providers: new Map([['fake', zone.descriptor()]]),
    providerDeps: { fetch, clock, udp: undefined as never, userAgent: 'test' },
    served: zone.lookup(),
    clock,
    logger,
    alerts,
    conditions: createConditionSync({ store, alerts, verifySeconds: 10, active: () => alerts.active() }),
    bus,
    publicRanges: ['203.0.113.0/24', '2001:db8::/32'],
    verifyTimeoutMs: 10_000,
    random: () => random.value,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  const stateOf = (id = 'r1') => store.read().ddns.states.find((s) => s.recordId === id);
  const history = () =>
    (store.appended.get('ddns.history') ?? []) as {
      value: string;
      ok: boolean;
      previous: string | null;
      propagationMs: number | null;
    }[];
  const sets = () =>
    zone.calls
      .filter((c) => c.method === 'set')
      .map((c) => `${c.ref.name} ${c.ref.type} ${c.values?.join(',')}`);
  /** Runs a reconcile to its end, moving the fake clock through the verification's waits. */
  const run = async (reason = 'test') => {
    const done = engine.reconcile(reason);
    const state = { finished: false };
    void done.then(() => (state.finished = true));
    for (;;) {
      await clock.settle();
      if (state.finished) break;
      const next = clock.pendingWakeups()[0];
      if (next === undefined) continue;
      clock.advance(next);
    }
    return done;
  };
  return {
    clock,
    store,
    zone,
    secrets,
    alerts,
    bus,
    applied,
    engine,
    stateOf,
    history,
    sets,
    run,
    random,
    logger,
  };
}

describe('helpers', () => {
  it('agreedValues: what every answering server serves, or nothing when they differ or none answered', () => {
    expect(
      agreedValues([
        { server: 'a', values: ['2001:DB8::1'] },
        { server: 'b', values: ['2001:db8::1'] },
      ]),
    ).toEqual(['2001:db8::1']);
    expect(
      agreedValues([
        { server: 'a', values: [] },
        { server: 'b', values: null },
      ]),
    ).toEqual([]);
    expect(
      agreedValues([
        { server: 'a', values: ['1.1.1.1'] },
        { server: 'b', values: ['1.1.1.2'] },
      ]),
    ).toBeUndefined();
    expect(agreedValues([{ server: 'a', values: null }])).toBeUndefined();
    expect(agreedValues([{ server: 'a', values: ['203.0.113.2', '203.0.113.1'] }])).toEqual([
      '203.0.113.1',
      '203.0.113.2',
    ]);
  });
  it('allServe: every server, exactly that one value', () => {
    expect(
      allServe(
        [
          { server: 'a', values: ['1.1.1.1'] },
          { server: 'b', values: ['1.1.1.1'] },
        ],
        '1.1.1.1',
      ),
    ).toBe(true);
    expect(
      allServe(
        [
          { server: 'a', values: ['1.1.1.1'] },
          { server: 'b', values: null },
        ],
        '1.1.1.1',
      ),
    ).toBe(false);
    expect(allServe([{ server: 'a', values: ['1.1.1.1', '1.1.1.2'] }], '1.1.1.1')).toBe(false);
    expect(allServe([], '1.1.1.1')).toBe(false);
  });
  it('verifyDelays: quick first, then every 2 s, within the time given', () => {
    expect(verifyDelays(10_000)).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(verifyDelays(50)).toEqual([]);
  });
  it('secretName: one secret per account and field', () => {
    expect(secretName('a1', 'apiToken')).toBe('ddns/a1.apitoken');
  });
});

describe('DdnsEngine', () => {
  it('sets a new record, waits until the servers serve it, records how long that took and says so', async () => {
    const t = await setup();
    t.zone.lagMs = 700;
    const runs = await t.run();
    expect(t.sets()).toEqual(['home.example.test A 203.0.113.7']);
    expect(runs).toMatchObject([{ hostname: 'home.example.test', result: 'updated', propagationMs: 700 }]);
    expect(t.stateOf()).toMatchObject({
      desired: '203.0.113.7',
      applied: '203.0.113.7',
      appliedAt: t0,
      verifiedAt: '2026-05-01T00:00:00.700Z',
      propagationMs: 700,
      pending: null,
      lastAttempt: { ok: true, message: 'home.example.test A set to 203.0.113.7 at Fake DNS' },
    });
    expect(t.history()).toMatchObject([
      { value: '203.0.113.7', previous: null, ok: true, propagationMs: 700 },
    ]);
    expect(t.applied).toEqual([
      { hostname: 'home.example.test', type: 'A', value: '203.0.113.7', previous: null, propagationMs: 700 },
    ]);
    expect(t.alerts.raised).toEqual([]);
  });

  it('leaves a record alone that already holds the value: no call to the provider', async () => {
    const t = await setup();
    t.zone.edit('home.example.test', 'A', ['203.0.113.7']);
    const runs = await t.run();
    expect(t.sets()).toEqual([]);
    expect(runs[0]?.action).toEqual({ kind: 'in-sync', value: '203.0.113.7' });
    expect(t.stateOf()).toMatchObject({ applied: '203.0.113.7', verifiedAt: t0 });
  });

  it('follows an accepted address change on the bus, and only then', async () => {
    const t = await setup();
    t.engine.start();
    await t.run();
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.8';
    });
    t.bus.publish('reach.address-accepted', {
      family: 'ipv4',
      address: '203.0.113.8',
      previous: '203.0.113.7',
      sources: ['stun:a'],
    });
    for (let i = 0; i < 20 && t.sets().length < 2; i++) {
      await t.clock.settle();
      const next = t.clock.pendingWakeups()[0];
      if (next !== undefined && next < 60_000) t.clock.advance(next);
    }
    expect(t.sets()).toEqual(['home.example.test A 203.0.113.7', 'home.example.test A 203.0.113.8']);
    await t.engine.stop();
  });

  it('never blanks or changes a record when no address is agreed on', async () => {
    const t = await setup({ ipv4: null });
    t.zone.edit('home.example.test', 'A', ['203.0.113.5']);
    const runs = await t.run();
    expect(t.sets()).toEqual([]);
    expect(runs[0]?.action).toEqual({
      kind: 'hold',
      reason: 'no value: no public IPv4 address is agreed on',
    });
    expect(t.zone.servedNow('home.example.test', 'A')).toEqual(['203.0.113.5']);
  });

  it('retries a transient failure with backoff, keeps it pending across a restart, and clears the alert on success', async () => {
    const t = await setup();
    t.zone.failNext.push({ kind: 'transient', message: 'Fake: server error (HTTP 503)', code: 'HTTP 503' });
    await t.run();
    expect(t.stateOf()).toMatchObject({
      applied: null,
      pending: { value: '203.0.113.7', since: t0, attempts: 1, nextAttemptAt: '2026-05-01T00:00:05.000Z' },
      lastAttempt: { ok: false, kind: 'transient', code: 'HTTP 503' },
    });
    expect(t.alerts.raised).toMatchObject([{ rule: 'ddns.update-failing', key: 'r1' }]);
    expect(t.history()).toMatchObject([{ ok: false, value: '203.0.113.7' }]);
    // Before its time: it waits.
    t.clock.advance(4_000);
    const early = await t.run();
    expect(early[0]?.action).toMatchObject({ kind: 'wait', reason: 'retrying later' });
    expect(t.sets()).toHaveLength(1);
    // A second failure doubles the wait.
    t.clock.advance(1_000);
    t.zone.failNext.push({ kind: 'transient', message: 'timeout' });
    await t.run();
    expect(t.stateOf()?.pending).toMatchObject({
      attempts: 2,
      since: t0,
      nextAttemptAt: '2026-05-01T00:00:15.000Z',
    });
    // A restart: a new engine on the same store finishes it when its time has come.
    t.clock.advance(10_000);
    const restarted = await setup({ store: t.store, zone: t.zone, clock: t.clock, alerts: t.alerts });
    await restarted.run();
    expect(t.sets()).toEqual([
      'home.example.test A 203.0.113.7',
      'home.example.test A 203.0.113.7',
      'home.example.test A 203.0.113.7',
    ]);
    // One alert for the whole outage: raised once, cleared once.
    expect(t.alerts.raised.map((a) => a.rule)).toEqual(['ddns.update-failing']);
    expect(t.stateOf()).toMatchObject({ applied: '203.0.113.7', pending: null, lastAttempt: { ok: true } });
    expect(restarted.alerts.cleared).toContain('ddns.update-failing/r1');
  });

  it('retries when the backoff says, not at the next recheck tick', async () => {
    const t = await setup();
    t.engine.start();
    t.zone.failNext.push({ kind: 'transient', message: 'no answer from the server' });
    // The start: the first run fails; the loop then sleeps until the retry (5 s), not the 5-minute recheck.
    const first = t.engine.reconcile('first');
    for (let i = 0; i < 10; i++) await t.clock.settle();
    await first;
    for (let i = 0; i < 10; i++) await t.clock.settle();
    expect(t.stateOf()?.pending?.nextAttemptAt).toBe('2026-05-01T00:00:05.000Z');
    expect(t.engine.nextWait()).toBe(5_000);
    expect(t.clock.pendingWakeups()).toEqual([5_000]);
    t.clock.advance(5_000);
    for (let i = 0; i < 20 && t.sets().length < 2; i++) await t.clock.settle();
    expect(t.sets()).toHaveLength(2);
    for (let i = 0; i < 20 && t.stateOf()?.pending !== null; i++) {
      await t.clock.settle();
      const next = t.clock.pendingWakeups()[0];
      if (next !== undefined && next < 60_000) t.clock.advance(next);
    }
    expect(t.stateOf()).toMatchObject({ applied: '203.0.113.7', pending: null });
    // Nothing due: the recheck period (the test's engine keeps the 5-minute default).
    expect(t.engine.nextWait()).toBe(5 * 60_000);
    await t.engine.stop();
  });

  it('paces updates to the provider’s rate limit: a record over the budget waits (no failure), then goes', async () => {
    const t = await setup({
      records: [record(), record({ id: 'r2', hostname: 'nas.example.test' })],
      rateLimits: new Map([['fake', [{ updates: 1, seconds: 60 }]]]),
    });
    const first = await t.run();
    expect(t.sets()).toEqual(['home.example.test A 203.0.113.7']);
    expect(first[1]?.action).toMatchObject({
      kind: 'wait',
      value: '203.0.113.7',
      until: new Date('2026-05-01T00:01:00.000Z'),
      reason: 'pacing updates to the provider’s rate limit',
    });
    // Held, not failed: no pending retry, no alert, no history entry for it.
    expect(t.stateOf('r2')).toMatchObject({ desired: '203.0.113.7', pending: null, lastAttempt: null });
    expect(t.alerts.raised).toEqual([]);
    expect(t.history().map((h) => h.value)).toEqual(['203.0.113.7']);
    // The loop wakes when the window frees up, not at the 5-minute recheck.
    const waited = t.engine.nextWait();
    expect(waited).toBeGreaterThan(59_000);
    expect(waited).toBeLessThanOrEqual(60_000);
    t.clock.advance(waited);
    await t.run();
    expect(t.sets()).toEqual(['home.example.test A 203.0.113.7', 'nas.example.test A 203.0.113.7']);
    expect(t.stateOf('r2')).toMatchObject({ applied: '203.0.113.7', pending: null });
  });

  it('without a limit for the kind, the updates of one change go out together', async () => {
    const t = await setup({
      records: [
        record(),
        record({ id: 'r2', hostname: 'nas.example.test' }),
        record({ id: 'r3', type: 'AAAA' }),
      ],
      ipv6: '2001:db8::7',
      rateLimits: new Map([['fake', []]]),
    });
    await t.run();
    expect(t.sets()).toHaveLength(3);
  });

  it('nextWait: an account’s wait counts; times past and stopped records do not', async () => {
    const t = await setup();
    await t.store.update((d) => {
      const a = d.ddns.accounts[0];
      if (a) a.notBefore = '2026-05-01T00:01:00.000Z';
    });
    expect(t.engine.nextWait()).toBe(60_000);
    await t.store.update((d) => {
      const a = d.ddns.accounts[0];
      if (a) a.notBefore = '2026-04-30T23:00:00.000Z';
      d.ddns.states.push({
        recordId: 'r1',
        desired: null,
        applied: null,
        appliedAt: null,
        verifiedAt: null,
        propagationMs: null,
        pending: { value: '203.0.113.7', since: t0, attempts: 1, nextAttemptAt: '2026-05-01T00:00:30.000Z' },
        stopped: { at: t0, message: 'nohost' },
        drift: null,
        lastAttempt: null,
      });
    });
    expect(t.engine.nextWait()).toBe(5 * 60_000);
  });

  it('honours a rate limit for the whole account', async () => {
    const t = await setup({ records: [record(), record({ id: 'r2', hostname: 'nas.example.test' })] });
    t.zone.failNext.push({ kind: 'rate-limited', message: 'slow down', retryAfterMs: 120_000 });
    const runs = await t.run();
    expect(t.store.read().ddns.accounts[0]?.notBefore).toBe('2026-05-01T00:02:00.000Z');
    // The second record waits for the account too: one call in all.
    expect(runs.map((r) => r.action.kind)).toEqual(['update', 'wait']);
    expect(t.sets()).toEqual(['home.example.test A 203.0.113.7']);
  });

  it('stops the account on refused credentials: an alert, and nothing more sent until it changes', async () => {
    const t = await setup({ records: [record(), record({ id: 'r2', hostname: 'nas.example.test' })] });
    t.zone.failNext.push({
      kind: 'auth',
      message: 'Fake: the credentials were refused (HTTP 401)',
      code: 'HTTP 401',
    });
    await t.run();
    expect(t.store.read().ddns.accounts[0]?.stopped).toMatchObject({ code: 'HTTP 401', at: t0 });
    expect(t.alerts.raised).toMatchObject([
      { rule: 'ddns.account-stopped', key: 'a1', details: { account: 'Fake DNS', code: 'HTTP 401' } },
    ]);
    t.clock.advance(3_600_000);
    const later = await t.run();
    expect(later.map((r) => r.action.kind)).toEqual(['hold', 'hold']);
    expect(t.sets()).toHaveLength(1);
  });

  it('stops only the record on a configuration failure', async () => {
    const t = await setup({ records: [record(), record({ id: 'r2', hostname: 'nas.example.test' })] });
    t.zone.failNext.push({
      kind: 'config',
      message: 'home.example.test is not in any zone of this account',
      code: 'nohost',
    });
    await t.run();
    expect(t.stateOf('r1')?.stopped).toMatchObject({
      message: 'home.example.test is not in any zone of this account',
    });
    expect(t.stateOf('r2')).toMatchObject({ applied: '203.0.113.7' });
    expect(t.store.read().ddns.accounts[0]?.stopped).toBeNull();
    expect(t.alerts.raised).toMatchObject([{ rule: 'ddns.record-stopped', key: 'r1' }]);
    expect(t.alerts.raised[0]?.message).not.toContain('trying again');
    expect(t.alerts.active()).toEqual([{ rule: 'ddns.record-stopped', key: 'r1' }]);
  });

  it('finds a hand-made change, says so, and sets the record back', async () => {
    const t = await setup();
    await t.run();
    t.zone.edit('home.example.test', 'A', ['198.51.100.9']);
    t.clock.advance(60_000);
    const runs = await t.run();
    expect(runs[0]?.action).toEqual({
      kind: 'update',
      value: '203.0.113.7',
      previous: '198.51.100.9',
      drift: true,
    });
    expect(t.alerts.raised).toMatchObject([
      { rule: 'ddns.record-drifted', key: 'r1', details: { served: '198.51.100.9' } },
    ]);
    expect(t.zone.servedNow('home.example.test', 'A')).toEqual(['203.0.113.7']);
    // Set back and seen served: the drift mark is gone.
    expect(t.stateOf()?.drift).toBeNull();
  });

  it('an update the servers never serve is unverified: no propagation time, and an alert', async () => {
    const t = await setup();
    t.zone.lagMs = 60_000;
    const runs = await t.run();
    expect(runs[0]).toMatchObject({ result: 'updated', propagationMs: null });
    expect(t.stateOf()).toMatchObject({ applied: '203.0.113.7', verifiedAt: null, propagationMs: null });
    expect(t.alerts.raised).toMatchObject([{ rule: 'ddns.update-failing', key: 'r1' }]);
    expect(t.alerts.raised[0]?.message).toContain('did not serve it within 10 s');
  });

  it('sets the device behind the box’s IPv6 prefix, and moves it with a new prefix', async () => {
    const t = await setup({
      ipv4: null,
      ipv6: '2001:db8:1:2::10',
      records: [
        record({
          id: 'cam',
          hostname: 'cam.example.test',
          type: 'AAAA',
          value: { kind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' },
        }),
      ],
    });
    await t.run();
    await t.store.update((d) => {
      d.reachability.current.ipv6 = '2001:db8:9:9::10';
    });
    await t.run();
    expect(t.sets()).toEqual([
      'cam.example.test AAAA 2001:db8:1:2:211:32ff:fe12:3456',
      'cam.example.test AAAA 2001:db8:9:9:211:32ff:fe12:3456',
    ]);
    expect(t.history().map((h) => [h.previous, h.value])).toEqual([
      [null, '2001:db8:1:2:211:32ff:fe12:3456'],
      ['2001:db8:1:2:211:32ff:fe12:3456', '2001:db8:9:9:211:32ff:fe12:3456'],
    ]);
  });

  it('without the credentials in the secrets port, the account stops with a clear message', async () => {
    const t = await setup();
    await t.secrets.delete(secretName('a1', 'token'));
    await t.run();
    expect(t.store.read().ddns.accounts[0]?.stopped?.message).toBe(
      "the account's credentials are missing or incomplete",
    );
    expect(t.sets()).toEqual([]);
  });

  it('a dyndns2-like provider gets both families of a hostname in one request', async () => {
    const zone = new FakeZone(new FakeClock(t0));
    zone.dualStack = true;
    const t = await setup({
      zone,
      ipv6: '2001:db8:1:2::10',
      records: [record(), record({ id: 'r6', type: 'AAAA' })],
    });
    const runs = await t.run();
    expect(t.zone.calls.map((c) => [c.method, c.ref.name, c.values?.join(' ')])).toEqual([
      ['setAddresses', 'home.example.test', '203.0.113.7 2001:db8:1:2::10'],
    ]);
    // The AAAA was set with the A: in sync, not sent again.
    expect(runs.map((r) => r.action.kind)).toEqual(['update', 'in-sync']);
    // Without an agreed IPv6 address the AAAA is not managed in that request.
    await t.store.update((d) => {
      d.reachability.current = { ipv4: '203.0.113.8', ipv6: null };
    });
    await t.run();
    expect(t.zone.calls.at(-1)?.values).toEqual(['203.0.113.8', '-']);
    expect(t.zone.servedNow('home.example.test', 'AAAA')).toEqual(['2001:db8:1:2::10']);
  });

  it('shows what the provider said of how it set the record', async () => {
    const t = await setup();
    t.zone.setDetail = 'TTL 3600 s, the minimum the provider allows (60 s asked)';
    await t.run();
    expect(t.stateOf()?.lastAttempt?.message).toBe(
      'home.example.test A set to 203.0.113.7 at Fake DNS (TTL 3600 s, the minimum the provider allows (60 s asked))',
    );
  });

  it('plan() says what a run would do and sends nothing', async () => {
    const t = await setup({
      records: [record(), record({ id: 'r2', hostname: 'off.example.test', enabled: false })],
    });
    const rows = await t.engine.plan();
    expect(rows.map((r) => [r.hostname, r.action.kind, r.served])).toEqual([
      ['home.example.test', 'update', []],
      ['off.example.test', 'hold', undefined],
    ]);
    expect(t.sets()).toEqual([]);
    expect(t.stateOf()).toBeUndefined();
  });

  it('a reconcile asked during a run runs once more after it', async () => {
    const t = await setup();
    t.zone.lagMs = 1_000;
    const first = t.engine.reconcile('one');
    expect(t.engine.reconcile('two')).toBe(first);
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.9';
    });
    for (let i = 0; i < 50 && t.sets().length < 2; i++) {
      await t.clock.settle();
      const next = t.clock.pendingWakeups()[0];
      if (next !== undefined && next < 60_000) t.clock.advance(next);
    }
    expect(t.sets()).toEqual(['home.example.test A 203.0.113.7', 'home.example.test A 203.0.113.9']);
    await t.engine.stop();
  });
});
