/**
 * @module The dashboard and the alerts agree (issue 9 B). The real reachability capability runs in the real app
 * around a scripted probe; each scenario drives its loop (and the port mapper's events on the bus), then reads the
 * dashboard card and the Alerts page through the HTTP API as the browser does. Every problem the card shows has
 * exactly one active alert, raised once and delivered to a channel, and cleared (and told) on recovery; a card
 * that shows no problem has no active reachability alert. What the phone could not hear while the box was offline
 * reaches it once the box is back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReachabilityCapability } from '../../src/reach/capability.js';
import type { SecurityCapability } from '../../src/status/security.js';
import type { ReachabilityReport } from '../../src/reach/probe.js';
import { reachabilityRules } from '../../src/reach/alert-rules.js';
import { known, unavailable, type SourceResult } from '../../src/reach/types.js';
import { scriptedReport, type ScriptedReportOptions } from '../fakes/reach-report.js';
import { createHarness } from '../support/app-harness.js';
import { startReceiver, type Receiver } from '../support/loopback-receiver.js';

const publicRanges = ['198.51.100.0/24', '203.0.113.0/24'];
const agree = (address: string): SourceResult[] => [
  known('stun:a:3478', 'ipv4', address),
  known('stun:b:19302', 'ipv4', address),
  known('http:echo', 'ipv4', address),
];

interface Card {
  id: string;
  state: 'ok' | 'warning' | 'error' | 'unknown';
  summary: string;
}
interface ApiAlert {
  rule: string;
  key: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  occurrences: number;
}

/** The dashboard's cards and the active alerts, read through the API as the browser reads them. */
async function cardsAndAlerts(h: Awaited<ReturnType<typeof createHarness>>, cookie: string) {
  const status = (await (await h.request('GET', '/api/v1/status', { cookie })).json()) as { cards: Card[] };
  const alerts = (await (await h.request('GET', '/api/v1/alerts', { cookie })).json()) as {
    active: ApiAlert[];
  };
  return { cards: status.cards, active: alerts.active };
}

const conditionRules = new Set(
  Object.entries(reachabilityRules)
    .filter(([, r]) => r.kind === 'condition')
    .map(([id]) => id),
);

describe('the reachability card and the active alerts', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('show the same problems for every verdict the loop reaches, each alert raised once and cleared on recovery', async () => {
    let next: ReachabilityReport | undefined;
    const h = await createHarness({
      reachability: {
        probe: () => {
          if (!next) throw new Error('the test set no report');
          return Promise.resolve(next);
        },
      },
    });
    // The phone's receiver; `down` while the box is offline (its deliveries fail), `delivered` what got through.
    let down = false;
    const delivered: { event: string; rule: string; raisedAt: string; clearedAt: string | null }[] = [];
    const receiver: Receiver = await startReceiver((req) => {
      if (down) return { status: 503, body: 'unreachable' };
      const body = JSON.parse(req.body) as {
        event: string;
        alert: { rule: string; raisedAt: string; clearedAt: string | null };
      };
      const { rule, raisedAt, clearedAt } = body.alert;
      delivered.push({ event: body.event, rule, raisedAt, clearedAt });
      return { status: 200, body: 'ok' };
    });
    cleanup = async () => {
      await receiver.close();
      h.cleanup();
    };
    const reach = h.capabilities.find((c) => c.id === 'reachability') as ReachabilityCapability;
    const session = await h.setupAdmin();
    const created = await h.request('POST', '/api/v1/alerts/channels', {
      cookie: session.cookie,
      csrf: session.csrf,
      body: {
        name: 'phone',
        enabled: true,
        minSeverity: 'info',
        target: { kind: 'webhook', url: `${receiver.origin}/hook`, secret: 'a'.repeat(32) },
      },
    });
    expect(created.status).toBe(201);

    const report = (sources: SourceResult[], options: Partial<ScriptedReportOptions> = {}) =>
      scriptedReport(sources, { now: h.clock.now(), publicRanges, ...options });
    /**
     * One scenario through the running loop (the port mapper's events once, then the probe again) (a condition that stays true is not news again). Twenty minutes
     * pass per probe: the channel's rate limit (10 an hour) never holds a notification back here, and the session
     * (60 idle minutes) stays open.
     */
    const drive = async (r: ReachabilityReport | undefined, mapping?: () => void) => {
      if (r) next = r;
      for (let i = 0; i < 2; i++) {
        h.clock.advance(20 * 60_000);
        if (r) await reach.service.probeNow();
        if (i === 0) mapping?.();
        await h.bus.idle();
      }
    };
    const read = async () => {
      const { cards, active } = await cardsAndAlerts(h, session.cookie);
      const card = cards.find((c) => c.id === 'reachability');
      if (!card) throw new Error('no reachability card');
      return { card, active: active.filter((a) => conditionRules.has(a.rule)) };
    };
    /** The card's state is the worst active condition; with none, the card shows no problem. */
    const expectAgreement = async (rules: string[], quiet: 'ok' | 'unknown') => {
      const { card, active } = await read();
      expect(active.map((a) => a.rule).sort(), card.summary).toEqual([...rules].sort());
      // One alert per problem, however often the loop saw it.
      expect(new Set(active.map((a) => `${a.rule}/${a.key}`)).size).toBe(active.length);
      const worst = active.some((a) => a.severity === 'critical')
        ? 'error'
        : active.length > 0
          ? 'warning'
          : quiet;
      expect(card.state, card.summary).toBe(worst);
      if (active.length > 0) {
        const first =
          active.find((a) => a.severity === 'critical') ?? active.find((a) => a.severity === 'warning');
        expect(card.summary.startsWith(`${first?.title}.`), card.summary).toBe(true);
      }
      return { card, active };
    };
    const raisedTo = (rule: string, event = 'raised') =>
      delivered.filter((d) => d.rule === rule && d.event === event).length;

    // The box holds its public address: nothing wrong, and the card says OK.
    await drive(report(agree('198.51.100.7'), { localAddresses: ['198.51.100.7'] }));
    await expectAgreement([], 'ok');

    // Offline: no source answers and TCP fails too; nothing reaches the phone meanwhile.
    down = true;
    await drive(
      report(
        [
          unavailable('stun:a:3478', 'ipv4', 'getaddrinfo ENOTFOUND stun.example'),
          unavailable('stun:b:19302', 'ipv4', 'getaddrinfo ENOTFOUND stun.example'),
          unavailable('http:echo', 'ipv4', 'getaddrinfo ENOTFOUND echo.example'),
        ],
        { tcpWorks: false, localAddresses: ['198.51.100.7'] },
      ),
    );
    const offline = await expectAgreement(['reach.offline'], 'ok');
    expect(offline.card.state).toBe('error');
    expect(offline.active[0]?.occurrences).toBe(2);

    // Back online behind CGNAT: offline ends, CGNAT begins. The outage the phone could not hear of arrives as
    // one "cleared" naming both times, from the alerts' pending run.
    down = false;
    await drive(report(agree('100.64.0.9'), { path: ['10.0.0.1', '100.64.0.1'] }));
    await expectAgreement(['reach.cgnat'], 'unknown');
    expect(raisedTo('reach.offline')).toBe(0);
    await h.alerts.deliverPending();
    expect(delivered.filter((d) => d.rule === 'reach.offline')).toEqual([
      {
        event: 'cleared',
        rule: 'reach.offline',
        raisedAt: expect.any(String),
        clearedAt: expect.any(String),
      },
    ]);
    await h.alerts.deliverPending();
    expect(raisedTo('reach.offline', 'cleared')).toBe(1);

    // Double NAT: two private hops before a public address.
    await drive(report(agree('198.51.100.8'), { path: ['10.0.0.1', '192.168.100.1', '198.51.100.1'] }));
    await expectAgreement(['reach.double-nat'], 'unknown');

    // UDP blocked: STUN on two ports silent while TCP works.
    await drive(
      report(
        [
          unavailable('stun:a:3478', 'ipv4', 'no answer within 1 s'),
          unavailable('stun:b:19302', 'ipv4', 'no answer within 1 s'),
          known('http:echo', 'ipv4', '198.51.100.8'),
        ],
        { path: ['10.0.0.1', '198.51.100.1'] },
      ),
    );
    await expectAgreement(['reach.udp-blocked'], 'unknown');

    // Sources disagree with no quorum, behind an ordinary NAT.
    await drive(
      report(
        [
          known('stun:a:3478', 'ipv4', '198.51.100.8'),
          known('stun:b:19302', 'ipv4', '203.0.113.9'),
          unavailable('http:echo', 'ipv4', 'HTTP 503'),
        ],
        { path: ['10.0.0.1', '198.51.100.1'] },
      ),
    );
    await expectAgreement(['reach.sources-disagree'], 'unknown');

    // Behind an ordinary NAT the router refuses the mapping, later loses one it had granted.
    const nat = report(agree('198.51.100.8'), { path: ['10.0.0.1', '198.51.100.1'] });
    await drive(nat, () =>
      h.bus.publish('portmap.changed', {
        state: 'refused',
        protocol: 'natpmp',
        internalPort: 51820,
        error: 'NAT-PMP result 2 (not authorized)',
      }),
    );
    await expectAgreement(['reach.port-mapping-refused'], 'unknown');
    await drive(undefined, () => {
      h.bus.publish('portmap.changed', {
        state: 'mapped',
        protocol: 'natpmp',
        externalPort: 51820,
        internalPort: 51820,
      });
      h.bus.publish('portmap.lost', {
        protocol: 'natpmp',
        externalPort: 51820,
        reason: 'renewal via NAT-PMP failed: no answer',
        at: h.clock.now(),
      });
    });
    await expectAgreement(['reach.port-mapping-lost'], 'unknown');

    // Recovery: the box holds its public address again and the mapping is back; nothing is active.
    await drive(report(agree('198.51.100.7'), { localAddresses: ['198.51.100.7'] }), () =>
      h.bus.publish('portmap.changed', {
        state: 'mapped',
        protocol: 'natpmp',
        externalPort: 51820,
        internalPort: 51820,
      }),
    );
    await expectAgreement([], 'ok');

    // Every condition was told once when it began, and once when it ended where its rule says so.
    for (const rule of [
      'reach.cgnat',
      'reach.double-nat',
      'reach.udp-blocked',
      'reach.sources-disagree',
      'reach.port-mapping-refused',
      'reach.port-mapping-lost',
    ]) {
      expect(raisedTo(rule), rule).toBe(1);
      const notifyOnClear = reachabilityRules[rule as keyof typeof reachabilityRules].notifyOnClear;
      expect(raisedTo(rule, 'cleared'), rule).toBe(notifyOnClear ? 1 : 0);
    }
  });

  it('the security card and the two-factor alert agree: off is a warning with its alert, on is neither', async () => {
    const h = await createHarness();
    cleanup = () => {
      h.cleanup();
      return Promise.resolve();
    };
    const security = h.capabilities.find((c) => c.id === 'security') as SecurityCapability;
    const session = await h.setupAdmin();
    const read = async () => {
      const { cards, active } = await cardsAndAlerts(h, session.cookie);
      return {
        card: cards.find((c) => c.id === 'security'),
        active: active.filter((a) => a.rule.startsWith('security.')).map((a) => `${a.rule}/${a.severity}`),
      };
    };
    await security.reconcile();
    expect(await read()).toMatchObject({
      card: { state: 'warning' },
      active: ['security.two-factor-off/warning'],
    });
    await h.store.update((d) => {
      for (const u of d.users) u.totpSecret = 'JBSWY3DPEHPK3PXP';
    });
    await security.reconcile();
    expect(await read()).toMatchObject({ card: { state: 'ok' }, active: [] });
  });
});
