import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { scriptedReport } from '../../test/fakes/reach-report.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { initialState } from '../store/schema.js';
import type { AlertInput, AlertSink } from './alerts-port.js';
import { decideAddress } from './consensus.js';
import type { ProbeProgress, ReachabilityReport } from './probe.js';
import { ReachabilityService } from './service.js';
import type { AcceptedConsensus } from './settle-plan.js';
import { createEventBus } from '../core/events.js';
import { readAll } from '../store/log.js';
import { known, unavailable, type SourceResult } from './types.js';

// Probed when setup()'s clock starts.
const report = (
  v4: SourceResult[],
  path: (string | null)[] | null = null,
  tcpWorks = true,
): ReachabilityReport => scriptedReport(v4, { path, tcpWorks, now: new Date('2026-05-01T00:00:00Z') });

class RecordingSink implements AlertSink {
  readonly raised: AlertInput[] = [];
  readonly cleared: string[] = [];
  raise(a: AlertInput) {
    this.raised.push(a);
    return Promise.resolve();
  }
  clear(rule: string, key: string) {
    this.cleared.push(`${rule}/${key}`);
    return Promise.resolve();
  }
}

const agree = (address: string) => [known('stun:a', 'ipv4', address), known('stun:b', 'ipv4', address)];

interface SetupOptions {
  readonly routerEventGapMs?: number;
  /** 1 unless a test says otherwise: one probe per gap, the budget's simplest form. */
  readonly routerEventBurst?: number;
  readonly routerSettleMs?: readonly number[];
  /** Probe answers in turn; an Error is a probe that rejects. */
  readonly failures?: readonly number[];
  readonly state?: ReturnType<typeof initialState>;
}

function setup(reports: ReachabilityReport[], random: () => number = () => 0.5, options: SetupOptions = {}) {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  const store = new MemoryStore(options.state ?? initialState(clock.now(), 'x'));
  const alerts = new RecordingSink();
  const logger = new MemoryLogger();
  let i = 0;
  const bus = createEventBus(logger);
  const service = new ReachabilityService({
    bus,
    probe: () => {
      const n = i++;
      if (options.failures?.includes(n)) return Promise.reject(new Error(`probe ${n} broke`));
      return Promise.resolve(reports[Math.min(n, reports.length - 1)] ?? report([]));
    },
    store,
    clock,
    logger,
    alerts,
    backstopMs: 30_000,
    random,
    ...(options.routerEventGapMs === undefined ? {} : { routerEventGapMs: options.routerEventGapMs }),
    // Given as undefined: the service's default.
    ...('routerEventBurst' in options
      ? options.routerEventBurst === undefined
        ? {}
        : { routerEventBurst: options.routerEventBurst }
      : { routerEventBurst: 1 }),
    ...(options.routerSettleMs === undefined ? {} : { routerSettleMs: options.routerSettleMs }),
  });
  const probes = () => i;
  const nextReport = () =>
    new Promise<ReachabilityReport>((resolve) => {
      const off = bus.subscribe('reach.probed', ({ report: r }) => {
        off();
        resolve(r);
      });
    });
  return { clock, store, alerts, logger, service, nextReport, probes, bus };
}

describe('ReachabilityService', () => {
  it('probes at start and then every backstop period, recording accepted changes with their sources', async () => {
    const t = setup([report(agree('1.1.1.1')), report(agree('1.1.1.1')), report(agree('2.2.2.2'))]);
    const first = t.nextReport();
    t.service.start();
    await first;
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    expect(readAll(t.store.log('reach.history'))).toEqual([
      {
        at: '2026-05-01T00:00:00.000Z',
        family: 'ipv4',
        address: '1.1.1.1',
        previous: null,
        sources: ['stun:a', 'stun:b'],
      },
    ]);
    // The first address is no "change": no alert.
    expect(t.alerts.raised.filter((a) => a.rule === 'reach.address-changed')).toEqual([]);

    const second = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    await second;
    expect(readAll(t.store.log('reach.history'))).toHaveLength(1);

    const third = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    await third;
    expect(readAll(t.store.log('reach.history')).at(-1)).toMatchObject({
      address: '2.2.2.2',
      previous: '1.1.1.1',
    });
    expect(t.alerts.raised.find((a) => a.rule === 'reach.address-changed')).toMatchObject({
      key: 'ipv4',
      details: { previous: '1.1.1.1' },
    });
    await t.service.stop();
  });

  // README: "a STUN backstop every 30 s (±20 %)". random() scripts the jitter.
  it.each([
    [0, 24_000],
    [0.25, 27_000],
    [0.5, 30_000],
    [0.75, 33_000],
    [0.999_999, 36_000],
  ])('random() = %s: the backstop sleeps %i ms, and probes then, not a millisecond before', async (r, ms) => {
    const t = setup([report(agree('1.1.1.1'))], () => r);
    const first = t.nextReport();
    t.service.start();
    await first;
    await t.clock.sleeping();
    expect(t.clock.sleepsAsked()).toEqual([ms]);
    t.clock.advance(ms - 1);
    await t.clock.settle();
    expect(t.probes()).toBe(1);
    const second = t.nextReport();
    t.clock.advance(1);
    await second;
    expect(t.probes()).toBe(2);
    await t.service.stop();
  });

  it('every backstop sleep lies within 30 s ± 20 %, whatever the random source says', async () => {
    const script = [0, 0.999_999, 0.5, 0.1, 0.9];
    let n = 0;
    const t = setup([report(agree('1.1.1.1'))], () => script[n++ % script.length] ?? 0);
    const first = t.nextReport();
    t.service.start();
    await first;
    for (let i = 0; i < script.length; i++) {
      await t.clock.sleeping();
      const [due] = t.clock.pendingWakeups();
      const next = t.nextReport();
      t.clock.advance(due ?? 0);
      await next;
    }
    await t.clock.sleeping();
    const sleeps = t.clock.sleepsAsked();
    expect(sleeps).toEqual([24_000, 36_000, 30_000, 25_200, 34_800, 24_000]);
    for (const ms of sleeps) {
      expect(ms).toBeGreaterThanOrEqual(24_000);
      expect(ms).toBeLessThanOrEqual(36_000);
    }
    expect(t.probes()).toBe(script.length + 1);
    await t.service.stop();
  });

  it('failing sources never erase a known address: when every source fails, the address and history stay', async () => {
    const t = setup([
      report(agree('1.1.1.1')),
      report(
        [unavailable('stun:a', 'ipv4', 'timeout'), unavailable('stun:b', 'ipv4', 'timeout')],
        null,
        false,
      ),
    ]);
    const first = t.nextReport();
    t.service.start();
    await first;
    const historyBefore = structuredClone(readAll(t.store.log('reach.history')));
    const second = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    const failed = await second;
    expect(failed.consensus.ipv4.kind).toBe('insufficient');
    expect(t.service.latest()).toBe(failed);
    expect(t.store.read().reachability.current).toEqual({ ipv4: '1.1.1.1', ipv6: null });
    expect(readAll(t.store.log('reach.history'))).toEqual(historyBefore);
    expect(t.alerts.raised.filter((a) => a.rule === 'reach.address-changed')).toEqual([]);
    await t.service.stop();
  });

  it('sources that disagree publish nothing and raise an alert listing every answer; agreement clears it', async () => {
    const t = setup([
      report(agree('1.1.1.1')),
      report([known('stun:a', 'ipv4', '1.1.1.1'), known('http:liar', 'ipv4', '6.6.6.6')]),
      report(agree('1.1.1.1')),
    ]);
    const r1 = t.nextReport();
    t.service.start();
    await r1;
    const r2 = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    await r2;
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    const alert = t.alerts.raised.find((a) => a.rule === 'reach.sources-disagree');
    expect(alert?.message).toMatch(/stun:a: 1\.1\.1\.1; http:liar: 6\.6\.6\.6/);
    const r3 = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    await r3;
    expect(t.alerts.cleared).toContain('reach.sources-disagree/ipv4');
    await t.service.stop();
  });

  it('raises the CGNAT alert with a remedy, and clears it when the verdict changes', async () => {
    const t = setup([
      report(agree('8.8.8.8'), ['10.0.0.1', '100.64.0.1']),
      report(agree('8.8.8.8'), ['10.0.0.1', '8.8.4.4']),
    ]);
    const r1 = t.nextReport();
    t.service.start();
    await r1;
    expect(t.alerts.raised.find((a) => a.rule === 'reach.cgnat')?.remedy).toMatch(/public IPv4 address/);
    const r2 = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    await r2;
    expect(t.alerts.cleared).toContain('reach.cgnat/ipv4');
    await t.service.stop();
  });

  it('a router event probes at once and after the settle delays; a newer event restarts the series', async () => {
    const t = setup([report(agree('1.1.1.1')), report(agree('1.1.1.1')), report(agree('2.2.2.2'))]);
    let probes = 0;
    t.bus.subscribe('reach.probed', () => {
      probes++;
    });
    const settled = () => t.clock.settle();
    const first = t.nextReport();
    t.service.routerEvent();
    await first;
    await t.clock.sleeping();
    t.clock.advance(4_999);
    await settled();
    expect(probes).toBe(1);
    const second = t.nextReport();
    t.clock.advance(1);
    await second;
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    await t.clock.sleeping();
    const third = t.nextReport();
    t.clock.advance(15_000);
    await third;
    // The address the router had not announced yet is found by the last settle probe.
    expect(t.store.read().reachability.current.ipv4).toBe('2.2.2.2');
    t.clock.advance(600_000);
    await settled();
    expect(probes).toBe(3);

    // Event at t, another at t+1 s: the second's first probe waits for the 2 s gap (t+2 s), the first
    // series ends (no probe at t+5 s), the second goes on at t+6 s and t+21 s.
    const a = t.nextReport();
    t.service.routerEvent();
    await a;
    expect(probes).toBe(4);
    await t.clock.sleeping();
    t.clock.advance(1_000);
    t.service.routerEvent();
    await settled();
    t.clock.advance(999);
    await settled();
    expect(probes).toBe(4);
    const c = t.nextReport();
    t.clock.advance(1);
    await c;
    expect(probes).toBe(5);
    await t.clock.sleeping();
    t.clock.advance(3_999);
    await settled();
    expect(probes).toBe(5);
    const d = t.nextReport();
    t.clock.advance(1);
    await d;
    expect(probes).toBe(6);
    await t.clock.sleeping();
    const e = t.nextReport();
    t.clock.advance(15_000);
    await e;
    expect(probes).toBe(7);
    t.clock.advance(600_000);
    await settled();
    expect(probes).toBe(7);
    await t.service.stop();
  });

  function withMonitor(debounceMs?: number, failing: readonly number[] = []) {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    const logger = new MemoryLogger();
    let exit: ((reason: string) => void) | undefined;
    let line: ((l: string) => void) | undefined;
    const launched: (readonly string[])[] = [];
    let probes = 0;
    const bus = createEventBus(logger);
    const service = new ReachabilityService({
      bus,
      probe: () => {
        if (failing.includes(probes++)) return Promise.reject(new Error(`probe ${probes - 1} broke`));
        return Promise.resolve(report(agree('1.1.1.1')));
      },
      store: new MemoryStore(initialState(clock.now(), 'x')),
      clock,
      logger,
      alerts: new RecordingSink(),
      backstopMs: 45_000,
      random: () => 0.5,
      ...(debounceMs === undefined ? {} : { debounceMs }),
      launcher: {
        launch: (argv, handlers) => {
          launched.push(argv);
          exit = handlers.onExit;
          line = handlers.onLine;
          return { stop: () => Promise.resolve() };
        },
      },
      routerEvents: () => ({ upnp: 'subscribed', upnpDetail: null, announcements: 'listening' }),
    });
    const next = () =>
      new Promise<void>((resolve) => {
        const off = bus.subscribe('reach.probed', () => {
          off();
          resolve();
        });
      });
    const event = () => line?.('3: eth0    inet 203.0.113.9/24 scope global eth0');
    return {
      clock,
      logger,
      service,
      launched,
      next,
      event,
      exit: (r: string) => exit?.(r),
      probes: () => probes,
    };
  }

  it('says how changes are noticed: the interface monitor while it runs, the router channels, the backstop', async () => {
    const m = withMonitor();
    expect(m.service.changeDetection().interfaceEvents).toBe('stopped');
    const first = m.next();
    m.service.start();
    expect(m.launched).toEqual([['ip', 'monitor', 'address']]);
    expect(m.service.changeDetection()).toEqual({
      interfaceEvents: 'watching',
      upnp: 'subscribed',
      upnpDetail: null,
      announcements: 'listening',
      backstopSeconds: 45,
    });
    await first;
    m.exit('ip exited with code 1');
    expect(m.service.changeDetection().interfaceEvents).toBe('stopped');
    expect(m.logger.lines).toContainEqual({
      level: 'warn',
      fields: { reason: 'ip exited with code 1' },
      msg: 'interface monitor stopped; the STUN backstop still runs',
    });
    await m.service.stop();
  });

  it('an address event probes after 500 ms of quiet; a burst of events is one probe', async () => {
    const m = withMonitor();
    const first = m.next();
    m.service.start();
    await first;
    await m.clock.settle();
    expect(m.probes()).toBe(1);
    m.event();
    m.clock.advance(300);
    m.event(); // restarts the quiet time: the probe is due at 300 + 500
    m.clock.advance(499);
    await m.clock.settle();
    expect(m.probes()).toBe(1);
    const second = m.next();
    m.clock.advance(1);
    await second;
    await m.clock.settle();
    expect(m.probes()).toBe(2);
    // Nothing else is due before the backstop.
    expect(m.clock.pendingWakeups()).toEqual([45_000 - 800]);
    await m.service.stop();
  });

  it('an event right after the quiet time ran out (before its probe started) restarts it: one probe, not two', async () => {
    const m = withMonitor(10);
    const first = m.next();
    m.service.start();
    await first;
    m.event();
    m.clock.advance(10); // the quiet time is over: its wake-up is queued…
    m.event(); // …and a newer event arrives before it runs
    await m.clock.settle();
    expect(m.probes()).toBe(1);
    m.clock.advance(9);
    await m.clock.settle();
    expect(m.probes()).toBe(1);
    m.clock.advance(1);
    await m.clock.settle();
    expect(m.probes()).toBe(2);
    await m.service.stop();
  });

  it('a debounced probe that fails is logged', async () => {
    const m = withMonitor(10, [1]);
    const first = m.next();
    m.service.start();
    await first;
    // The first probe has ended, so the debounced one starts on its own (not as a coalesced follow-up).
    await m.clock.settle();
    m.event();
    m.clock.advance(10);
    await m.clock.settle();
    expect(m.probes()).toBe(2);
    expect(m.logger.lines.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', fields: { err: 'probe 1 broke' }, msg: 'reachability probe failed' },
    ]);
    await m.service.stop();
  });

  it('address events after stop() probe nothing', async () => {
    const m = withMonitor(10);
    const first = m.next();
    m.service.start();
    await first;
    await m.service.stop();
    m.event();
    m.clock.advance(60_000);
    await m.clock.settle();
    expect(m.probes()).toBe(1);
  });

  it('the debounce is configurable, and stop() cancels a pending one', async () => {
    const m = withMonitor(10);
    const first = m.next();
    m.service.start();
    await first;
    m.event();
    m.clock.advance(9);
    await m.clock.settle();
    expect(m.probes()).toBe(1);
    const second = m.next();
    m.clock.advance(1);
    await second;
    m.event();
    await m.service.stop();
    m.clock.advance(60_000);
    await m.clock.settle();
    expect(m.probes()).toBe(2);
    expect(m.clock.pendingWakeups()).toEqual([]);
  });

  it('coalesces probe requests that arrive while one runs into one more probe right after it', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    expect(t.service.latest()).toBeNull();
    const a = t.service.probeNow();
    const b = t.service.probeNow();
    const c = t.service.probeNow();
    expect(await a).toBe(await b);
    expect(await c).toBe(await a);
    await t.clock.settle();
    expect(t.probes()).toBe(2);
    expect(t.service.latest()).not.toBeNull();
    // One request alone is one probe.
    await t.service.probeNow();
    await t.clock.settle();
    expect(t.probes()).toBe(3);
    await t.service.stop();
  });

  it('a coalesced probe that fails is logged', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, { failures: [1] });
    const a = t.service.probeNow();
    void t.service.probeNow();
    await a;
    await t.clock.settle();
    expect(t.probes()).toBe(2);
    expect(t.logger.lines.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', fields: { err: 'probe 1 broke' }, msg: 'reachability probe failed' },
    ]);
    await t.service.stop();
  });

  it('stop() aborts the running probe, saying why', async () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    let seen: AbortSignal | undefined;
    const service = new ReachabilityService({
      bus: createEventBus(new MemoryLogger()),
      probe: (signal) => {
        seen = signal;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error)),
        );
      },
      store: new MemoryStore(initialState(clock.now(), 'x')),
      clock,
      logger: new MemoryLogger(),
      alerts: new RecordingSink(),
      backstopMs: 30_000,
    });
    service.start();
    expect(seen?.aborted).toBe(false);
    await service.stop();
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toEqual(new Error('stopping'));
  });

  it('a settle probe whose series a newer event replaced in the same instant is dropped', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, { routerSettleMs: [5_000] });
    t.service.routerEvent();
    await t.clock.sleeping();
    expect(t.probes()).toBe(1);
    t.clock.advance(5_000); // wakes the old series' settle probe ...
    t.service.routerEvent(); // ... which a newer event replaces before it runs
    await t.clock.settle();
    expect(t.probes()).toBe(2);
    await t.service.stop();
  });

  it('a request during a probe that stop() interrupts starts no further probe', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    const a = t.service.probeNow();
    void t.service.probeNow();
    const stopping = t.service.stop();
    await a;
    await stopping;
    await t.clock.settle();
    expect(t.probes()).toBe(1);
  });

  it('publishes each accepted address once, the first with no previous, and never a repeat', async () => {
    const t = setup([report(agree('1.1.1.1')), report(agree('1.1.1.1')), report(agree('2.2.2.2'))]);
    const accepted: unknown[] = [];
    t.bus.subscribe('reach.address-accepted', (e) => {
      accepted.push(e);
    });
    await t.service.probeNow();
    await t.service.probeNow();
    await t.service.probeNow();
    expect(accepted).toEqual([
      { family: 'ipv4', address: '1.1.1.1', previous: null, sources: ['stun:a', 'stun:b'] },
      { family: 'ipv4', address: '2.2.2.2', previous: '1.1.1.1', sources: ['stun:a', 'stun:b'] },
    ]);
    expect(t.bus.last('reach.address-accepted')).toMatchObject({ address: '2.2.2.2' });
    await t.service.stop();
  });

  it('publishes a verdict change when the NAT kind, the way in or the headline changes, not on every probe', async () => {
    const t = setup([
      report(agree('1.1.1.1')),
      report(agree('1.1.1.1')),
      report(agree('100.64.0.9'), ['10.0.0.1', '100.64.0.1']),
    ]);
    const changes: { kind: string; previous: string | null }[] = [];
    t.bus.subscribe('reach.verdict-changed', ({ verdict, previous }) => {
      changes.push({ kind: verdict.ipv4.kind, previous: previous?.ipv4.kind ?? null });
    });
    await t.service.probeNow();
    await t.service.probeNow();
    expect(changes).toHaveLength(1);
    expect(changes[0]?.previous).toBeNull();
    await t.service.probeNow();
    expect(changes).toHaveLength(2);
    expect(changes[1]).toEqual({ kind: 'cgnat', previous: changes[0]?.kind });
    await t.service.stop();
  });

  it('reach.probed subscribers hear every probe until they unsubscribe', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    const heard: string[] = [];
    const off = t.bus.subscribe('reach.probed', ({ report: r }) => {
      heard.push(r.at);
    });
    await t.service.probeNow();
    off();
    await t.service.probeNow();
    expect(heard).toEqual(['2026-05-01T00:00:00.000Z']);
    await t.service.stop();
  });

  it('without a launcher or router channels, only the backstop notices changes', () => {
    const t = setup([report(agree('1.1.1.1'))]);
    expect(t.service.changeDetection()).toEqual({
      interfaceEvents: 'off',
      upnp: 'off',
      upnpDetail: null,
      announcements: 'off',
      backstopSeconds: 30,
    });
  });

  it('a failed probe is logged and the backstop goes on', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, { failures: [0] });
    t.service.start();
    await t.clock.sleeping();
    expect(t.logger.lines).toContainEqual({
      level: 'error',
      fields: { err: 'probe 0 broke' },
      msg: 'reachability probe failed',
    });
    const next = t.nextReport();
    t.clock.advance(30_000);
    await next;
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    expect(t.logger.lines).toContainEqual({
      level: 'info',
      fields: { family: 'ipv4', address: '1.1.1.1', previous: null, sources: ['stun:a', 'stun:b'] },
      msg: 'public address accepted',
    });
    await t.service.stop();
  });

  it('a failed router-event probe is logged, and the settle probes still run', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, { failures: [0], routerSettleMs: [5_000] });
    t.service.routerEvent();
    await t.clock.sleeping();
    expect(t.logger.lines.filter((l) => l.msg === 'reachability probe failed')).toEqual([
      { level: 'error', fields: { err: 'probe 0 broke' }, msg: 'reachability probe failed' },
    ]);
    const next = t.nextReport();
    t.clock.advance(5_000);
    await next;
    expect(t.probes()).toBe(2);
    await t.service.stop();
  });

  it('writes the store only when the address changes', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    await t.service.probeNow();
    await t.service.probeNow();
    await t.service.probeNow();
    expect(t.store.commits).toHaveLength(1);
    await t.service.stop();
  });

  it('keeps the newest 1000 history entries', async () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    const state = initialState(clock.now(), 'x');
    const old = (n: number) => ({
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      family: 'ipv4' as const,
      address: `1.1.${Math.floor(n / 250)}.${n % 250}`,
      previous: null,
      sources: ['stun:a'],
    });
    state.reachability.current.ipv4 = '1.1.3.248';
    const t = setup([report(agree('2.2.2.2')), report(agree('3.3.3.3'))], () => 0.5, { state });
    await t.store.update((_d, tx) => {
      for (let n = 0; n < 999; n++) tx.append('reach.history', old(n));
    });
    await t.service.probeNow();
    expect(readAll(t.store.log('reach.history'))).toHaveLength(1000);
    expect(readAll(t.store.log('reach.history'))[0]).toEqual(old(0));
    await t.service.probeNow();
    const history = readAll(t.store.log('reach.history'));
    expect(history).toHaveLength(1000);
    expect(history[0]).toEqual(old(1));
    expect(history.at(-1)).toMatchObject({ address: '3.3.3.3', previous: '2.2.2.2' });
    await t.service.stop();
  });

  it('router events after stop() probe nothing', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    await t.service.stop();
    t.service.routerEvent();
    t.clock.advance(60_000);
    await t.clock.settle();
    expect(t.probes()).toBe(0);
  });

  // The first probe of a router event waits for the gap since the last router probe.
  it.each<[string, number, number]>([
    ['an event 500 ms after the last router probe waits 1500 ms', 500, 1_500],
    ['an event exactly one gap later probes at once', 2_000, 0],
    ['an event long after probes at once', 10_000, 0],
  ])('%s', async (_name, later, wait) => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, { routerSettleMs: [] });
    t.service.routerEvent();
    await t.clock.settle();
    expect(t.probes()).toBe(1);
    t.clock.advance(later);
    t.service.routerEvent();
    await t.clock.settle();
    if (wait > 0) {
      expect(t.probes()).toBe(1);
      t.clock.advance(wait - 1);
      await t.clock.settle();
      expect(t.probes()).toBe(1);
      t.clock.advance(1);
      await t.clock.settle();
    }
    expect(t.probes()).toBe(2);
    t.clock.advance(600_000);
    await t.clock.settle();
    expect(t.probes()).toBe(2);
    await t.service.stop();
  });

  it('a router announcing a change in steps is followed at once three times (the default budget); a fourth event waits', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, {
      routerSettleMs: [],
      routerEventBurst: undefined,
    });
    for (const expected of [1, 2, 3]) {
      t.service.routerEvent();
      await t.clock.settle();
      expect(t.probes()).toBe(expected);
      t.clock.advance(100);
    }
    // 300 ms after three probes: 300 ms of a gap earned, 1700 ms to go.
    t.service.routerEvent();
    await t.clock.settle();
    t.clock.advance(1_699);
    await t.clock.settle();
    expect(t.probes()).toBe(3);
    t.clock.advance(1);
    await t.clock.settle();
    expect(t.probes()).toBe(4);
    await t.service.stop();
  });

  it('a router event after the wall clock stepped back (NTP) probes at once instead of waiting', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, { routerSettleMs: [] });
    t.clock.advance(10_000);
    t.service.routerEvent();
    await t.clock.settle();
    expect(t.probes()).toBe(1);
    t.clock.advance(-5_000); // the last router probe now lies 5 s in the future
    t.service.routerEvent();
    await t.clock.settle();
    expect(t.probes()).toBe(2);
    await t.service.stop();
  });

  it('a settle time the gap already reached is not probed twice', async () => {
    const t = setup([report(agree('1.1.1.1'))], () => 0.5, {
      routerEventGapMs: 5_000,
      routerSettleMs: [5_000, 20_000],
    });
    t.service.routerEvent();
    await t.clock.settle();
    expect(t.probes()).toBe(1);
    t.service.routerEvent(); // at once again: its first probe waits 5 s, which is also its first settle time
    await t.clock.settle();
    t.clock.advance(5_000);
    await t.clock.settle();
    expect(t.probes()).toBe(2);
    t.clock.advance(15_000);
    await t.clock.settle();
    expect(t.probes()).toBe(3);
    t.clock.advance(600_000);
    await t.clock.settle();
    expect(t.probes()).toBe(3);
    await t.service.stop();
  });
});

const acceptedOf = (results: SourceResult[]): AcceptedConsensus => {
  const c = decideAddress('ipv4', results, { quorum: 2, trustedSource: null, publicRanges: [] });
  if (c.kind !== 'accepted') throw new Error(`not accepted: ${c.kind}`);
  return c;
};

/**
 * A service whose probes the test drives: each probe waits until the test settles an address, says it has
 * decided, and hands over (or fails) its report.
 */
function setupDriven(state?: ReturnType<typeof initialState>) {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  const store = new MemoryStore(state ?? initialState(clock.now(), 'x'));
  let failWrite = false;
  // The store, except that the next update fails when the test says so.
  const flakyStore = new Proxy(store, {
    get(target, prop) {
      if (prop === 'update' && failWrite) {
        failWrite = false;
        return () => Promise.reject(new Error('disk full'));
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const alerts = new RecordingSink();
  const logger = new MemoryLogger();
  const bus = createEventBus(logger);
  const calls: {
    readonly signal: AbortSignal;
    readonly progress: ProbeProgress;
    readonly report: (r: ReachabilityReport) => void;
    readonly fail: (e: Error) => void;
  }[] = [];
  const service = new ReachabilityService({
    bus,
    probe: (signal, progress) =>
      new Promise<ReachabilityReport>((report, fail) => calls.push({ signal, progress, report, fail })),
    store: flakyStore,
    clock,
    logger,
    alerts,
    backstopMs: 30_000,
  });
  const accepted: unknown[] = [];
  bus.subscribe('reach.address-accepted', (e) => void accepted.push(e));
  const probed: ReachabilityReport[] = [];
  bus.subscribe('reach.probed', ({ report: r }) => void probed.push(r));
  const call = (i: number) => {
    const c = calls[i];
    if (!c) throw new Error(`probe ${i} did not start`);
    return c;
  };
  const history = () => readAll(store.log('reach.history'));
  return {
    clock,
    store,
    alerts,
    logger,
    service,
    calls,
    call,
    accepted,
    probed,
    history,
    failNextWrite: () => (failWrite = true),
  };
}

describe('ReachabilityService accepts at quorum', () => {
  it('stores, records and announces a settled address before the report; the late sources add evidence, not a second acceptance', async () => {
    const t = setupDriven();
    const done = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    t.call(0).progress.decided();
    await t.clock.settle();
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    expect(t.history()).toEqual([
      {
        at: '2026-05-01T00:00:00.000Z',
        family: 'ipv4',
        address: '1.1.1.1',
        previous: null,
        sources: ['stun:a', 'stun:b'],
      },
    ]);
    expect(t.accepted).toEqual([
      { family: 'ipv4', address: '1.1.1.1', previous: null, sources: ['stun:a', 'stun:b'] },
    ]);
    expect(t.logger.lines).toContainEqual({
      level: 'info',
      msg: 'public address accepted',
      fields: {
        family: 'ipv4',
        address: '1.1.1.1',
        previous: null,
        sources: ['stun:a', 'stun:b'],
        pending: ['upnp'],
      },
    });
    // The report is not in yet.
    expect(t.probed).toEqual([]);
    expect(t.service.latest()).toBeNull();
    expect(t.alerts.raised).toEqual([]);

    // The router answers late, and otherwise.
    const answers = report([
      ...agree('1.1.1.1'),
      known('upnp', 'ipv4', '9.9.9.9'),
      known('http:x', 'ipv4', '1.1.1.1'),
    ]);
    // The IPv6 side of the same source is not part of what came late for IPv4.
    const full = {
      ...answers,
      sources: [...answers.sources, unavailable('upnp', 'ipv6', 'UPnP reports only the IPv4 address')],
    };
    t.call(0).report(full);
    expect(await done).toBe(full);
    expect(t.probed).toEqual([full]);
    expect(t.service.latest()).toBe(full);
    expect(t.accepted).toHaveLength(1);
    expect(t.history()).toHaveLength(1);
    expect(t.alerts.raised.map((a) => a.rule)).toContain('reach.sources-disagree');
    expect(t.logger.lines).toContainEqual({
      level: 'info',
      msg: 'slow sources answered after the address was accepted',
      fields: { family: 'ipv4', address: '1.1.1.1', late: ['upnp: 9.9.9.9'] },
    });
  });

  it('says the verdict is being made again while an accepted address is ahead of its report', async () => {
    const t = setupDriven();
    expect(t.service.rechecking()).toBeNull();
    const first = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    t.call(0).progress.decided();
    await t.clock.settle();
    expect(t.service.rechecking()).toEqual({ since: new Date('2026-05-01T00:00:00Z'), families: ['ipv4'] });
    t.call(0).report(report(agree('1.1.1.1')));
    await first;
    expect(t.service.rechecking()).toBeNull();

    // Accepting the same address again is no news: nothing to re-check.
    const second = t.service.probeNow();
    t.call(1).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    await t.clock.settle();
    expect(t.service.rechecking()).toBeNull();
    t.call(1).report(report(agree('1.1.1.1')));
    await second;

    // A new address, then a newer probe's report arrives first (the older one is dropped): that report clears it.
    t.clock.advance(1000);
    const third = t.service.probeNow();
    t.call(2).progress.settled(acceptedOf(agree('2.2.2.2')), ['upnp']);
    t.call(2).progress.decided();
    await t.clock.settle();
    expect(t.service.rechecking()).toEqual({ since: new Date('2026-05-01T00:00:01Z'), families: ['ipv4'] });
    const fourth = t.service.probeNow();
    t.call(3).progress.decided();
    t.call(3).report(report(agree('2.2.2.2')));
    await fourth;
    expect(t.service.rechecking()).toBeNull();
    t.call(2).report(report(agree('2.2.2.2')));
    await third;
    expect(t.service.rechecking()).toBeNull();
  });

  it('names both families when one probe accepts both ahead of its report, since the first', async () => {
    const t = setupDriven();
    const done = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    await t.clock.settle();
    t.clock.advance(300);
    const v6 = decideAddress(
      'ipv6',
      [known('stun:a', 'ipv6', '2001:db8::1'), known('stun:b', 'ipv6', '2001:db8::1')],
      { quorum: 2, trustedSource: null, publicRanges: ['2001:db8::/32'] },
    );
    if (v6.kind !== 'accepted') throw new Error(v6.kind);
    t.call(0).progress.settled(v6, []);
    await t.clock.settle();
    expect(t.service.rechecking()).toEqual({
      since: new Date('2026-05-01T00:00:00Z'),
      families: ['ipv4', 'ipv6'],
    });
    t.call(0).report(report(agree('1.1.1.1')));
    await done;
    expect(t.service.rechecking()).toBeNull();
  });

  it('a change settled early raises the address-changed alert then, once', async () => {
    const state = initialState(new Date('2026-05-01T00:00:00Z'), 'x');
    const t = setupDriven({ ...state, reachability: { current: { ipv4: '1.1.1.1', ipv6: null } } });
    const done = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('2.2.2.2')), ['pcp']);
    await t.clock.settle();
    expect(t.alerts.cleared).toEqual(['reach.address-changed/ipv4']);
    expect(t.alerts.raised).toEqual([
      {
        rule: 'reach.address-changed',
        key: 'ipv4',
        message: 'The public address changed from 1.1.1.1 to 2.2.2.2 (agreed by stun:a, stun:b).',
        details: { family: 'ipv4', previous: '1.1.1.1', address: '2.2.2.2' },
      },
    ]);
    t.call(0).report(report([...agree('2.2.2.2'), unavailable('pcp', 'ipv4', 'no PCP answer')]));
    await done;
    expect(t.alerts.raised.filter((a) => a.rule === 'reach.address-changed')).toHaveLength(1);
    expect(t.history().map((h) => [h.previous, h.address])).toEqual([['1.1.1.1', '2.2.2.2']]);
    // The router's late silence is evidence too.
    expect(t.logger.lines).toContainEqual({
      level: 'info',
      msg: 'slow sources answered after the address was accepted',
      fields: { family: 'ipv4', address: '2.2.2.2', late: ['pcp: no PCP answer'] },
    });
  });

  it('a request while a probe decides waits for its decision, not for its slow sources', async () => {
    const t = setupDriven();
    const first = t.service.probeNow();
    expect(t.service.probeNow()).toBe(first);
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    await t.clock.settle();
    // Settled, but the other family is not decided yet.
    expect(t.calls).toHaveLength(1);
    t.call(0).progress.decided();
    await t.clock.settle();
    expect(t.calls).toHaveLength(2);
    // The second probe decides; a new request starts a third at once, the first one's report still to come.
    t.call(1).progress.decided();
    await t.clock.settle();
    void t.service.probeNow();
    expect(t.calls).toHaveLength(3);
    for (const c of t.calls) c.report(report(agree('1.1.1.1')));
    await first;
    await t.service.stop();
  });

  it('a report that arrives after a newer probe accepted another address is not applied', async () => {
    const t = setupDriven();
    const first = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    t.call(0).progress.decided();
    await t.clock.settle();
    const second = t.service.probeNow();
    t.call(1).progress.settled(acceptedOf(agree('2.2.2.2')), []);
    t.call(1).progress.decided();
    await t.clock.settle();
    // The first probe's slow sources come in now: its report speaks of the old address.
    t.call(0).report(report(agree('1.1.1.1')));
    await first;
    expect(t.store.read().reachability.current.ipv4).toBe('2.2.2.2');
    expect(t.history().map((h) => h.address)).toEqual(['1.1.1.1', '2.2.2.2']);
    expect(t.probed).toEqual([]);
    expect(t.service.latest()).toBeNull();
    expect(t.logger.lines).toContainEqual({
      level: 'debug',
      msg: 'a newer probe overtook this report; not applied',
      fields: { probe: 1 },
    });
    const newer = report(agree('2.2.2.2'));
    t.call(1).report(newer);
    await second;
    expect(t.probed).toEqual([newer]);
  });

  it('a report that arrives after a newer report is not applied', async () => {
    const t = setupDriven();
    const first = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    t.call(0).progress.decided();
    await t.clock.settle();
    const second = t.service.probeNow();
    const newer = report(agree('1.1.1.1'), ['10.0.0.1']);
    t.call(1).progress.settled(acceptedOf(agree('1.1.1.1')), []);
    t.call(1).progress.decided();
    t.call(1).report(newer);
    await second;
    // Settled with nothing pending: nothing came late.
    expect(t.logger.lines.map((l) => l.msg)).not.toContain(
      'slow sources answered after the address was accepted',
    );
    t.call(0).report(report(agree('1.1.1.1')));
    await first;
    expect(t.probed).toEqual([newer]);
    expect(t.service.latest()).toBe(newer);
  });

  it('an acceptance whose write fails is logged; the report still applies the address', async () => {
    const t = setupDriven();
    t.failNextWrite();
    const done = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    t.call(0).progress.decided();
    await t.clock.settle();
    expect(t.logger.lines).toContainEqual({
      level: 'error',
      msg: 'reachability probe failed',
      fields: { err: 'disk full' },
    });
    expect(t.store.read().reachability.current.ipv4).toBeNull();
    t.call(0).report(report(agree('1.1.1.1')));
    await done;
    // The report accepts it instead, once.
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    expect(t.history()).toHaveLength(1);
    expect(t.accepted).toHaveLength(1);
  });

  it('a probe that fails after settling keeps the accepted address', async () => {
    const t = setupDriven();
    const done = t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    await t.clock.settle();
    t.call(0).fail(new Error('probe broke'));
    await expect(done).rejects.toThrow('probe broke');
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    // It has ended, so the next request starts a probe at once.
    void t.service.probeNow();
    expect(t.calls).toHaveLength(2);
  });

  it('stop() aborts and waits for a probe that is still gathering evidence', async () => {
    const t = setupDriven();
    void t.service.probeNow();
    t.call(0).progress.settled(acceptedOf(agree('1.1.1.1')), ['upnp']);
    t.call(0).progress.decided();
    await t.clock.settle();
    let stopped = false;
    const stopping = t.service.stop().then(() => (stopped = true));
    await t.clock.settle();
    expect(t.call(0).signal.aborted).toBe(true);
    expect(stopped).toBe(false);
    t.call(0).report(report(agree('1.1.1.1')));
    await stopping;
  });
});
