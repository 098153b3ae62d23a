import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { scriptedReport } from '../../test/fakes/reach-report.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { initialState } from '../store/schema.js';
import type { AlertInput, AlertSink } from './alerts-port.js';
import type { ReachabilityReport } from './probe.js';
import { ReachabilityService } from './service.js';
import { known, type SourceResult } from './types.js';

// Probed when setup()'s clock starts.
const report = (v4: SourceResult[], path: (string | null)[] | null = null): ReachabilityReport =>
  scriptedReport(v4, { path, now: new Date('2026-05-01T00:00:00Z') });

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

function setup(reports: ReachabilityReport[]) {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  const store = new MemoryStore(initialState(clock.now(), 'x'));
  const alerts = new RecordingSink();
  let i = 0;
  const service = new ReachabilityService({
    probe: () => Promise.resolve(reports[Math.min(i++, reports.length - 1)] ?? report([])),
    store,
    clock,
    logger: new MemoryLogger(),
    alerts,
    backstopMs: 30_000,
    random: () => 0.5,
  });
  const nextReport = () =>
    new Promise<ReachabilityReport>((resolve) => {
      const off = service.onReport((r) => {
        off();
        resolve(r);
      });
    });
  return { clock, store, alerts, service, nextReport };
}

describe('ReachabilityService', () => {
  it('probes at start and then every backstop period, recording accepted changes with their sources', async () => {
    const t = setup([report(agree('1.1.1.1')), report(agree('1.1.1.1')), report(agree('2.2.2.2'))]);
    const first = t.nextReport();
    t.service.start();
    await first;
    expect(t.store.read().reachability.current.ipv4).toBe('1.1.1.1');
    expect(t.store.read().reachability.history).toEqual([
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
    expect(t.store.read().reachability.history).toHaveLength(1);

    const third = t.nextReport();
    await t.clock.sleeping();
    t.clock.advance(30_000);
    await third;
    expect(t.store.read().reachability.history.at(-1)).toMatchObject({
      address: '2.2.2.2',
      previous: '1.1.1.1',
    });
    expect(t.alerts.raised.find((a) => a.rule === 'reach.address-changed')).toMatchObject({
      key: 'ipv4',
      details: { previous: '1.1.1.1' },
    });
    await t.service.stop();
  });

  it('does not wake before the backstop period (with jitter) has passed', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    let probes = 0;
    t.service.onReport(() => probes++);
    const first = t.nextReport();
    t.service.start();
    await first;
    await t.clock.sleeping();
    t.clock.advance(29_000);
    await Promise.resolve();
    expect(probes).toBe(1);
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
    t.service.onReport(() => probes++);
    const settled = () => new Promise((r) => setImmediate(r));
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

  it('says how changes are noticed: the interface monitor while it runs, the router channels, the backstop', async () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    let exit: ((reason: string) => void) | undefined;
    let line: ((l: string) => void) | undefined;
    const launched: (readonly string[])[] = [];
    let probes = 0;
    const service = new ReachabilityService({
      probe: () => {
        probes++;
        return Promise.resolve(report(agree('1.1.1.1')));
      },
      store: new MemoryStore(initialState(clock.now(), 'x')),
      clock,
      logger: new MemoryLogger(),
      alerts: new RecordingSink(),
      backstopMs: 45_000,
      debounceMs: 10,
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
        const off = service.onReport(() => {
          off();
          resolve();
        });
      });
    expect(service.changeDetection().interfaceEvents).toBe('stopped');
    const first = next();
    service.start();
    expect(launched).toEqual([['ip', 'monitor', 'address']]);
    expect(service.changeDetection()).toEqual({
      interfaceEvents: 'watching',
      upnp: 'subscribed',
      upnpDetail: null,
      announcements: 'listening',
      backstopSeconds: 45,
    });
    // An address event is debounced into one probe.
    await first;
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // the first probe has ended
    const second = next();
    line?.('3: eth0    inet 203.0.113.9/24 scope global eth0');
    line?.('3: eth0    inet 203.0.113.9/24 scope global eth0');
    await second;
    // Without the debounce the second line would start one more probe as soon as this one ends.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(probes).toBe(2);
    exit?.('ip exited with code 1');
    expect(service.changeDetection().interfaceEvents).toBe('stopped');
    await service.stop();
    expect(probes).toBe(2);
  });

  it('coalesces probe requests that arrive while one runs', async () => {
    const t = setup([report(agree('1.1.1.1'))]);
    const a = t.service.probeNow();
    const b = t.service.probeNow();
    expect(await a).toBe(await b);
    await t.service.stop();
  });
});
