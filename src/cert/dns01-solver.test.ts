import { describe, expect, it } from 'vitest';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { DnsProvider, ProviderFailure, RecordRef } from '../ddns/provider.js';
import { txtLookupOf, type TxtAccess, type TxtAccessFailure } from '../ddns/txt-access.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeZone } from '../../test/fakes/dns-zone.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import {
  challengeFailureOf,
  challengeRecordName,
  createDns01Solver,
  propagationDelay,
  serversMissing,
} from './dns01-solver.js';
import type { ChallengeFailure } from './ports.js';

const rname = '_acme-challenge.home.example.test';

/** A TXT-capable account over a FakeZone: set writes the zone, delete is recorded and empties the set. */
function setup(
  options: {
    withDelete?: boolean;
    timeoutSeconds?: number;
    access?: Outcome<TxtAccess, TxtAccessFailure>;
  } = {},
) {
  const clock = new FakeClock('2026-05-01T00:00:00.000Z');
  const zone = new FakeZone(clock);
  const base = zone.provider();
  const deleted: RecordRef[] = [];
  const ttls: number[] = [];
  const provider: DnsProvider = {
    ...base,
    can: { read: true, txt: true },
    set: (ref, values, ttl) => {
      ttls.push(ttl);
      return base.set(ref, values, ttl);
    },
    ...(options.withDelete === false
      ? {}
      : {
          delete: async (ref: RecordRef) => {
            deleted.push(ref);
            const r = await base.set(ref, [], 60);
            return r.ok ? ok(undefined) : r;
          },
        }),
  };
  const access: TxtAccess = {
    account: { id: 'a1', name: 'Home DNS', kind: 'fake', label: 'Fake' },
    zone: 'example.test',
    provider,
    served: txtLookupOf(zone.lookup()),
  };
  const asked: string[] = [];
  const logger = new MemoryLogger();
  const solver = createDns01Solver({
    txtAccess: (name) => {
      asked.push(name);
      return Promise.resolve(options.access ?? ok(access));
    },
    clock,
    logger,
    ...(options.timeoutSeconds === undefined ? {} : { propagationTimeoutSeconds: options.timeoutSeconds }),
  });
  const sets = () =>
    zone.calls.filter((c) => c.method === 'set').map((c) => [c.ref.name, ...(c.values ?? [])]);
  return { clock, zone, solver, deleted, asked, logger, provider, sets, ttls };
}

/** Advances the fake clock sleep by sleep until the promise settles; the result and the time it took. */
async function drive<T>(clock: FakeClock, p: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = clock.now().getTime();
  const state: { done?: { value: T } } = {};
  void p.then((value) => {
    state.done = { value };
  });
  for (let i = 0; i < 1000; i++) {
    await clock.settle();
    if (state.done) return { value: state.done.value, ms: clock.now().getTime() - start };
    const next = clock.pendingWakeups()[0];
    if (next === undefined) throw new Error('stuck: nothing sleeping and not settled');
    clock.advance(next);
  }
  throw new Error('did not settle');
}

describe('pure parts', () => {
  it.each([
    ['home.example.test', rname],
    ['*.home.example.test', rname],
    ['Home.Example.Test.', rname],
    ['example.test', '_acme-challenge.example.test'],
  ])('challengeRecordName(%j) = %j', (name, want) => {
    expect(challengeRecordName(name)).toBe(want);
  });

  it.each([
    [0, 250],
    [1, 500],
    [2, 1000],
    [4, 4000],
    [5, 8000],
    [6, 8000],
    [30, 8000],
  ])('propagationDelay(%i) = %i ms', (attempt, ms) => {
    expect(propagationDelay(attempt)).toBe(ms);
  });

  it.each([
    [[{ server: 'a', values: ['v'] }], []],
    [[{ server: 'a', values: ['x', 'v'] }], []],
    [[{ server: 'a', values: [] }], ['a (serves no TXT value)']],
    [[{ server: 'a', values: ['x'] }], ['a (serves 1 other TXT value)']],
    [[{ server: 'a', values: ['x', 'y'] }], ['a (serves 2 other TXT values)']],
    [[{ server: 'a', values: null, error: 'timed out' }], ['a (no answer: timed out)']],
    [[{ server: '', values: null }], ['a server (no answer: no reason given)']],
    [
      [
        { server: 'a', values: ['v'] },
        { server: 'b', values: [] },
      ],
      ['b (serves no TXT value)'],
    ],
  ])('serversMissing(%j) = %j', (answers, want) => {
    expect(serversMissing(answers, 'v')).toEqual(want);
  });

  it.each([
    ['transient', 'transient'],
    ['rate-limited', 'transient'],
    ['auth', 'config'],
    ['account-stopped', 'config'],
    ['config', 'config'],
  ] as const)('a provider failure %s is a %s challenge failure', (kind, want) => {
    expect(challengeFailureOf({ kind, message: 'why' }, 'writing X')).toEqual({
      kind: want,
      message: 'writing X: why',
    });
  });
});

describe('DNS-01 solver', () => {
  it('writes the TXT value at _acme-challenge.<name> and resolves only once every server serves it', async () => {
    const { clock, zone, solver, sets, logger, ttls } = setup();
    zone.lagMs = 3_000;
    const p = solver.present({ name: 'home.example.test', token: 't', value: 'v1' });
    const { value, ms } = await drive(clock, p);
    expect(value).toEqual({ ok: true, value: undefined });
    expect(sets()).toEqual([[rname, 'v1']]);
    expect(ttls).toEqual([60]);
    expect(zone.servedNow(rname, 'TXT')).toEqual(['v1']);
    // Asked at once, then after 250, 500, 1000 and 2000 ms: served at 3 s, seen at 3.75 s.
    expect(clock.sleepsAsked()).toEqual([250, 500, 1000, 2000]);
    expect(ms).toBe(3_750);
    expect(logger.lines.find((l) => l.level === 'info')?.fields).toMatchObject({
      name: rname,
      servers: 2,
      ms: 3_750,
    });
    expect(solver.type).toBe('dns-01');
  });

  it('a server already serving it: no wait at all', async () => {
    const { clock, solver } = setup();
    const r = await solver.present({ name: 'home.example.test', token: 't', value: 'v1' });
    expect(r.ok).toBe(true);
    expect(clock.sleepsAsked()).toEqual([]);
  });

  it('the base name and its wildcard share one record set; cleanUp removes only its own value, then the set', async () => {
    const { clock, zone, solver, sets, deleted, asked } = setup();
    const both = Promise.all([
      solver.present({ name: 'home.example.test', token: 't1', value: 'v1' }),
      solver.present({ name: '*.home.example.test', token: 't2', value: 'v2' }),
    ]);
    const { value } = await drive(clock, both);
    expect(value).toEqual([
      { ok: true, value: undefined },
      { ok: true, value: undefined },
    ]);
    expect(zone.servedNow(rname, 'TXT')).toEqual(['v1', 'v2']);
    // One account look-up for the name while it holds values.
    expect(asked).toEqual(['home.example.test']);

    await solver.cleanUp({ name: 'home.example.test', token: 't1', value: 'v1' });
    expect(zone.servedNow(rname, 'TXT')).toEqual(['v2']);
    expect(deleted).toEqual([]);
    await solver.cleanUp({ name: '*.home.example.test', token: 't2', value: 'v2' });
    expect(deleted).toEqual([{ zone: 'example.test', name: rname, type: 'TXT' }]);
    expect(zone.servedNow(rname, 'TXT')).toEqual([]);
    expect(sets()).toEqual([[rname, 'v1'], [rname, 'v1', 'v2'], [rname, 'v2'], [rname]]);

    // A clean-up of a value not (or no longer) written changes nothing.
    await solver.cleanUp({ name: 'home.example.test', token: 't1', value: 'v1' });
    expect(sets()).toHaveLength(4);
    expect(deleted).toHaveLength(1);

    // The next order looks the account up again.
    await solver.present({ name: 'home.example.test', token: 't3', value: 'v3' });
    expect(asked).toEqual(['home.example.test', 'home.example.test']);
  });

  it('the same value presented twice stays until both are cleaned up', async () => {
    const { zone, solver, deleted } = setup();
    const task = { name: 'home.example.test', token: 't', value: 'v1' };
    await solver.present(task);
    await solver.present(task);
    await solver.cleanUp(task);
    expect(zone.servedNow(rname, 'TXT')).toEqual(['v1']);
    expect(deleted).toEqual([]);
    await solver.cleanUp(task);
    expect(deleted).toHaveLength(1);
  });

  it('writes the values sorted, whatever order they came in; a TTL of its own when given', async () => {
    const { sets, clock, zone } = setup();
    const base = zone.provider();
    const ttls: number[] = [];
    const solver = createDns01Solver({
      txtAccess: () =>
        Promise.resolve(
          ok({
            account: { id: 'a1', name: 'Home DNS', kind: 'fake', label: 'Fake' },
            zone: 'example.test',
            provider: {
              ...base,
              can: { read: true, txt: true },
              set: (ref, values, ttl) => {
                ttls.push(ttl);
                return base.set(ref, values, ttl);
              },
            },
            served: txtLookupOf(zone.lookup()),
          }),
        ),
      clock,
      ttl: 300,
    });
    await solver.present({ name: 'home.example.test', token: 't', value: 'zz' });
    await solver.present({ name: 'home.example.test', token: 't', value: 'aa' });
    expect(sets()).toEqual([
      [rname, 'zz'],
      [rname, 'aa', 'zz'],
    ]);
    expect(ttls).toEqual([300, 300]);
  });

  it('a provider without delete: the last clean-up sets the record set empty', async () => {
    const { zone, solver, sets } = setup({ withDelete: false });
    const task = { name: 'home.example.test', token: 't', value: 'v1' };
    await solver.present(task);
    await solver.cleanUp(task);
    expect(sets()).toEqual([[rname, 'v1'], [rname]]);
    expect(zone.servedNow(rname, 'TXT')).toEqual([]);
  });

  it('a server that never answers: transient after the timeout, naming it; the sleeps add up to the timeout', async () => {
    const { clock, zone, solver } = setup();
    zone.silent.add('ns2');
    const { value, ms } = await drive(
      clock,
      solver.present({ name: 'home.example.test', token: 't', value: 'v1' }),
    );
    expect(value).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        message:
          'TXT _acme-challenge.home.example.test at "Home DNS" (Fake) was written, but after 180 s (acme.dns01.propagationTimeoutSeconds is 180) it is not served yet by ns2 (no answer: no answer)',
      },
    });
    expect(ms).toBe(180_000);
    const sleeps = clock.sleepsAsked();
    expect(sleeps.slice(0, 7)).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(180_000);
  });

  it('the timeout comes from the settings; a server serving another value is named with it', async () => {
    const { clock, zone, solver } = setup({ timeoutSeconds: 10 });
    zone.lagMs = 60_000;
    zone.edit(rname, 'TXT', ['old']);
    const { value, ms } = await drive(
      clock,
      solver.present({ name: 'home.example.test', token: 't', value: 'v1' }),
    );
    expect(ms).toBe(10_000);
    expect(!value.ok && value.error.message).toContain(
      'after 10 s (acme.dns01.propagationTimeoutSeconds is 10) it is not served yet by ns1 (serves 1 other TXT value), ns2 (serves 1 other TXT value)',
    );
  });

  it('the servers cannot be found: keeps asking, then says why', async () => {
    const { clock, zone, solver } = setup({ timeoutSeconds: 5 });
    zone.lookupFails = 'no SOA for _acme-challenge.home.example.test';
    const { value } = await drive(
      clock,
      solver.present({ name: 'home.example.test', token: 't', value: 'v1' }),
    );
    expect(!value.ok && value.error).toEqual({
      kind: 'transient',
      message:
        'TXT _acme-challenge.home.example.test at "Home DNS" (Fake) was written, but after 5 s (acme.dns01.propagationTimeoutSeconds is 5) the authoritative servers of example.test cannot be asked: no SOA for _acme-challenge.home.example.test',
    });
    zone.lookupFails = null;
    zone.servers = [];
    const again = await drive(clock, solver.present({ name: 'home.example.test', token: 't', value: 'v2' }));
    expect(!again.value.ok && again.value.error.message).toContain(
      'no authoritative server of example.test was found',
    );
  });

  it('served once the lookup recovers within the timeout', async () => {
    const { clock, zone, solver } = setup();
    zone.lookupFails = 'resolver down';
    const p = solver.present({ name: 'home.example.test', token: 't', value: 'v1' });
    await clock.settle();
    clock.advance(250);
    zone.lookupFails = null;
    expect((await drive(clock, p)).value).toEqual({ ok: true, value: undefined });
  });

  it('no account can write TXT: the config failure as given, nothing written; cleanUp then does nothing', async () => {
    const failure: TxtAccessFailure = { kind: 'config', message: 'no DDNS account holds home.example.test' };
    const { solver, sets, deleted } = setup({ access: fail(failure) });
    const task = { name: '*.home.example.test', token: 't', value: 'v1' };
    expect(await solver.present(task)).toEqual({ ok: false, error: failure });
    await solver.cleanUp(task);
    expect(sets()).toEqual([]);
    expect(deleted).toEqual([]);
  });

  it.each([
    [{ kind: 'transient', message: 'HTTP 503' }, 'transient'],
    [{ kind: 'auth', message: 'BADSIG', code: 'BADSIG' }, 'config'],
  ] as [ProviderFailure, ChallengeFailure['kind']][])(
    'a write the provider refuses (%j) fails as %s; cleanUp still removes the value',
    async (failure, kind) => {
      const { zone, solver, deleted } = setup();
      zone.failNext.push(failure);
      const task = { name: 'home.example.test', token: 't', value: 'v1' };
      expect(await solver.present(task)).toEqual({
        ok: false,
        error: { kind, message: `writing TXT ${rname} at "Home DNS" (Fake): ${failure.message}` },
      });
      await solver.cleanUp(task);
      expect(deleted).toEqual([{ zone: 'example.test', name: rname, type: 'TXT' }]);
    },
  );

  it('stopped while waiting: transient at once, saying what it waited for', async () => {
    const { clock, zone, solver } = setup();
    zone.lagMs = 60_000;
    const stop = new AbortController();
    const p = solver.present({ name: 'home.example.test', token: 't', value: 'v1' }, stop.signal);
    await clock.sleeping();
    stop.abort(new Error('stopping'));
    expect(await p).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        message: `stopped while waiting for TXT ${rname} at "Home DNS" (Fake): it is not served yet by ns1 (serves no TXT value), ns2 (serves no TXT value)`,
      },
    });
  });

  it('stopped before: nothing is written', async () => {
    const { solver, sets, asked } = setup();
    const stop = new AbortController();
    stop.abort(new Error('stopping'));
    const r = await solver.present({ name: 'home.example.test', token: 't', value: 'v1' }, stop.signal);
    expect(r).toEqual({
      ok: false,
      error: { kind: 'transient', message: `stopped before writing TXT ${rname}` },
    });
    expect(sets()).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('cleanUp never throws: a refused removal is logged, a throwing adapter too', async () => {
    const { zone, solver, logger, provider } = setup();
    const task = { name: 'home.example.test', token: 't', value: 'v1' };
    await solver.present(task);
    (provider as { delete?: DnsProvider['delete'] }).delete = () =>
      Promise.resolve(fail({ kind: 'transient', message: 'HTTP 502' }));
    await solver.cleanUp(task);
    expect(logger.lines.find((l) => l.level === 'warn')?.msg).toBe(
      `cert: removing the DNS-01 value from TXT ${rname} at "Home DNS" (Fake) failed: HTTP 502`,
    );
    await solver.present(task);
    (provider as { delete?: DnsProvider['delete'] }).delete = () => Promise.reject(new Error('adapter bug'));
    await expect(solver.cleanUp(task)).resolves.toBeUndefined();
    expect(logger.lines.find((l) => l.level === 'error')).toMatchObject({
      fields: { name: rname, err: 'adapter bug' },
      msg: 'cert: DNS-01 clean-up failed',
    });
    // The lock is free again: the next write goes through.
    expect(zone.servedNow(rname, 'TXT')).toEqual(['v1']);
    expect((await solver.present({ ...task, value: 'v2' })).ok).toBe(true);
    expect(zone.servedNow(rname, 'TXT')).toEqual(['v2']);
  });
});
