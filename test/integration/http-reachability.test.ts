/**
 * @module GET /api/v1/reachability and POST /api/v1/reachability/probe with a running ReachabilityService (a
 * scripted probe): the report, the accepted history and how changes are noticed.
 */
import { describe, expect, it } from 'vitest';
import { ReachabilityService, type RouterEventsStatus } from '../../src/reach/service.js';
import { createEventBus } from '../../src/core/events.js';
import { reachabilityRoutes } from '../../src/reach/routes.js';
import { decideAddress } from '../../src/reach/consensus.js';
import type { ProbeProgress } from '../../src/reach/probe.js';
import { known } from '../../src/reach/types.js';
import { scriptedReport } from '../fakes/reach-report.js';
import { expectError, harnessPerTest } from '../support/api-helpers.js';

const createHarness = harnessPerTest();
const report = (address: string, now: Date) =>
  scriptedReport([known('stun:a', 'ipv4', address), known('http:echo', 'ipv4', address)], {
    publicRanges: ['203.0.113.0/24'],
    now,
  });

describe('reachability over HTTP', () => {
  it('probes on request and reports the verdict, the history and how changes are noticed', async () => {
    let service: ReachabilityService | undefined;
    let routerEvents: RouterEventsStatus = {
      upnp: 'not-subscribed',
      upnpDetail: 'no UPnP IGD to subscribe to (no IGD answered an SSDP search within 2 s)',
      announcements: 'listening',
    };
    const h = await createHarness({
      replace: ({ store, clock, logger }) => {
        service = new ReachabilityService({
          probe: () => Promise.resolve(report('203.0.113.7', clock.now())),
          store,
          clock,
          logger,
          alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
          bus: createEventBus(logger),
          backstopMs: 30_000,
          routerEvents: () => routerEvents,
        });
        return [{ id: 'reachability', routes: reachabilityRoutes(store, service) }];
      },
    });
    const session = await h.setupAdmin();
    const before = await h.request('GET', '/api/v1/reachability', { cookie: session.cookie });
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({
      report: null,
      current: { ipv4: null, ipv6: null },
      history: [],
      changeDetection: {
        // Not started: no interface monitor runs (the harness gives no process launcher).
        interfaceEvents: 'off',
        upnp: 'not-subscribed',
        upnpDetail: expect.stringContaining('no IGD answered'),
        announcements: 'listening',
        backstopSeconds: 30,
      },
    });

    // A POST without the session's CSRF token is refused; with it, the probe runs.
    await expectError(await h.request('POST', '/api/v1/reachability/probe', { cookie: session.cookie }), 403);
    const probed = await h.request('POST', '/api/v1/reachability/probe', {
      cookie: session.cookie,
      csrf: session.csrf,
    });
    expect(probed.status).toBe(200);
    const body = (await probed.json()) as {
      report: {
        at: string;
        ipv4: { publicAddress: string; consensus: string };
        sources: { source: string }[];
      };
      current: { ipv4: string };
      history: { address: string; sources: string[] }[];
    };
    expect(body.report.ipv4).toMatchObject({ publicAddress: '203.0.113.7', consensus: 'accepted' });
    // Issue 9 A: how sure, CGNAT (no path traced: not ruled out), what the router did (nothing tried), and no
    // summary of failures while sources answer.
    expect(body.report).toMatchObject({
      level: 'unlikely',
      inbound: 'needs-port-forward',
      ipv4: { cgnat: 'not-ruled-out', portMapping: 'not-tried' },
      portMappingStatus: null,
      sourcesSummary: null,
    });
    // The probe ran on the server's clock (the harness's FakeClock), not the wall clock.
    expect(body.report.at).toBe(h.clock.now().toISOString());
    expect(body.report.sources.map((s) => s.source)).toEqual(['stun:a', 'http:echo']);
    expect(body.current.ipv4).toBe('203.0.113.7');
    expect(body.history).toMatchObject([{ address: '203.0.113.7', sources: ['stun:a', 'http:echo'] }]);

    routerEvents = { upnp: 'subscribed', upnpDetail: null, announcements: 'not-listening' };
    const after = (await (
      await h.request('GET', '/api/v1/reachability', { cookie: session.cookie })
    ).json()) as { changeDetection: RouterEventsStatus };
    expect(after.changeDetection).toMatchObject(routerEvents);
    await service?.stop();
  });

  it('while a new address is accepted ahead of its verdict, says the verdict is being made again', async () => {
    let service: ReachabilityService | undefined;
    let progress: ProbeProgress | undefined;
    let finish: (() => void) | undefined;
    const h = await createHarness({
      replace: ({ store, clock, logger }) => {
        service = new ReachabilityService({
          probe: (_signal, p) =>
            new Promise((resolve) => {
              progress = p;
              finish = () => resolve(report('203.0.113.8', clock.now()));
            }),
          store,
          clock,
          logger,
          alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
          bus: createEventBus(logger),
          backstopMs: 30_000,
        });
        return [{ id: 'reachability', routes: reachabilityRoutes(store, service) }];
      },
    });
    const session = await h.setupAdmin();
    const get = async () =>
      (await (await h.request('GET', '/api/v1/reachability', { cookie: session.cookie })).json()) as {
        current: { ipv4: string | null };
        rechecking: unknown;
      };
    expect((await get()).rechecking).toBeNull();
    const probing = service?.probeNow();
    const decided = decideAddress(
      'ipv4',
      [known('stun:a', 'ipv4', '203.0.113.8'), known('http:echo', 'ipv4', '203.0.113.8')],
      { quorum: 2, trustedSource: null, publicRanges: ['203.0.113.0/24'] },
    );
    if (decided.kind !== 'accepted' || !progress || !finish) throw new Error('the probe did not start');
    progress.settled(decided, ['upnp']);
    await h.clock.settle();
    expect(await get()).toMatchObject({
      current: { ipv4: '203.0.113.8' },
      rechecking: { since: h.clock.now().toISOString(), families: ['ipv4'] },
    });
    finish();
    await probing;
    expect(await get()).toMatchObject({ current: { ipv4: '203.0.113.8' }, rechecking: null });
    await service?.stop();
  });

  it('without a running service, the change detection is null and a probe is refused with 409', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/api/v1/reachability', { cookie: session.cookie });
    expect(((await res.json()) as { changeDetection: unknown }).changeDetection).toBeNull();
    await expectError(
      await h.request('POST', '/api/v1/reachability/probe', { cookie: session.cookie, csrf: session.csrf }),
      409,
      'reachability.off',
    );
  });
});
