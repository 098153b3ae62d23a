/**
 * @module One source of truth for alerts: every alert reachability raises — through the real alerts capability
 * and rules engine — carries its rule's severity and title, so a channel set to "critical only" hears of CGNAT
 * and UDP being blocked (it did not when raisers picked their own severities).
 */
import { describe, expect, it } from 'vitest';
import { createAlerts } from '../../src/alerts/capability.js';
import { titleOf } from '../../src/alerts/catalogue.js';
import { createNotifierFactory } from '../../src/alerts/notifiers/factory.js';
import { createEventBus } from '../../src/core/events.js';
import type { Ports } from '../../src/core/ports.js';
import type { ReachabilityReport } from '../../src/reach/probe.js';
import { reachabilityRules } from '../../src/reach/alert-rules.js';
import { ReachabilityService } from '../../src/reach/service.js';
import { known, unavailable, type SourceResult } from '../../src/reach/types.js';
import { initialState } from '../../src/store/schema.js';
import { FakeClock } from '../fakes/clock.js';
import { MemoryLogger } from '../fakes/logger.js';
import { scriptedReport } from '../fakes/reach-report.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { MemoryStore } from '../fakes/store.js';
import { startReceiver } from '../support/loopback-receiver.js';

// The documentation ranges count as public here, as the test bed's addresses do.
const publicRanges = ['198.51.100.0/24', '203.0.113.0/24'];
const agree = (address: string): SourceResult[] => [
  known('stun:a', 'ipv4', address),
  known('stun:b', 'ipv4', address),
];

describe('raised alerts and their rules', () => {
  it('every alert reachability raises has exactly its rule’s severity and title, and critical-only channels hear CGNAT', async () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    const logger = new MemoryLogger();
    const store = new MemoryStore(initialState(clock.now(), 'x'));
    const ports: Ports = {
      clock,
      logger,
      runner: new FakeRunner(),
      fetch: globalThis.fetch,
      files: { write: () => undefined, read: () => undefined } as unknown as Ports['files'],
      bus: createEventBus(logger),
      secrets: new FakeSecrets(clock),
    };
    const alerts = createAlerts(ports, {
      store,
      notifiers: createNotifierFactory({ fetch: globalThis.fetch }),
    });
    alerts.registerRules([alerts, { id: 'reachability', alertRules: reachabilityRules }]);
    const receiver = await startReceiver();
    try {
      const created = await alerts.service.createChannel(
        {
          name: 'pager',
          enabled: true,
          minSeverity: 'critical',
          target: { kind: 'webhook', url: `${receiver.origin}/hook`, secret: 'a'.repeat(32) },
        },
        { actor: 'test', clientAddress: '127.0.0.1' },
      );
      expect(created.ok).toBe(true);

      const at = () => clock.now();
      const reports: ReachabilityReport[] = [
        scriptedReport(agree('198.51.100.7'), { now: at(), publicRanges }),
        // The address changes: an info event.
        scriptedReport(agree('198.51.100.8'), { now: at(), publicRanges }),
        // Two sources disagree with no quorum.
        scriptedReport([known('stun:a', 'ipv4', '198.51.100.8'), known('stun:b', 'ipv4', '203.0.113.9')], {
          now: at(),
          publicRanges,
        }),
        // CGNAT: the shared address space on the path and as the public answer.
        scriptedReport(agree('100.64.0.9'), { now: at(), publicRanges, path: ['10.0.0.1', '100.64.0.1'] }),
        // Double NAT: two private hops before a public address.
        scriptedReport(agree('198.51.100.8'), {
          now: at(),
          path: ['10.0.0.1', '192.168.100.1', '198.51.100.1'],
        }),
        // UDP blocked: no STUN answer on two ports while TCP works.
        scriptedReport(
          [unavailable('stun:a:3478', 'ipv4', 'timeout'), unavailable('stun:b:19302', 'ipv4', 'timeout')],
          { now: at(), publicRanges },
        ),
        // Offline: nothing answers, TCP neither.
        scriptedReport(
          [unavailable('stun:a:3478', 'ipv4', 'ENOTFOUND'), unavailable('stun:b:19302', 'ipv4', 'ENOTFOUND')],
          { now: at(), publicRanges, tcpWorks: false },
        ),
      ];
      let i = 0;
      const service = new ReachabilityService({
        probe: () => Promise.resolve(reports[i++] ?? reports[0]!),
        store,
        clock,
        logger,
        alerts: alerts.sink,
        bus: ports.bus,
        backstopMs: 30_000,
      });
      for (const _ of reports) await service.probeNow();

      const raised = store.read().alerts.items;
      expect(new Set(raised.map((a) => a.rule))).toEqual(
        new Set([
          'reach.address-changed',
          'reach.sources-disagree',
          'reach.cgnat',
          'reach.double-nat',
          'reach.udp-blocked',
          'reach.offline',
        ]),
      );
      for (const alert of raised) {
        const rule = reachabilityRules[alert.rule as keyof typeof reachabilityRules];
        expect(alert.severity, alert.rule).toBe(rule.severity);
        expect(alert.title, alert.rule).toBe(titleOf(rule, alert.details));
      }
      // The channel set to critical only heard exactly the critical ones.
      const heard = receiver.requests.map(
        (r) => (JSON.parse(r.body) as { alert: { rule: string } }).alert.rule,
      );
      expect(new Set(heard)).toEqual(new Set(['reach.cgnat', 'reach.udp-blocked', 'reach.offline']));
      expect(logger.lines.filter((l) => l.msg.includes('no capability registered'))).toEqual([]);
      await service.stop();
    } finally {
      await receiver.close();
    }
  });
});
