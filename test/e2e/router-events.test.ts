// Router events in the test bed (miniupnpd in nat-upnp). UPnP GENA: Gatehouse subscribes to miniupnpd's WANIPConnection events and hears a WAN address
// change as soon as the router announces it (a WAN-up hook's SIGUSR1), long before any STUN backstop.
// miniupnpd 2.3.1 drops an event raised while an earlier NOTIFY to the same subscriber is in flight (its STUN
// re-check of the new address blocks its loop ~3 s), and its netlink notice of a renumbered WAN is sometimes
// missing: which event carries the new address varies from run to run. Gatehouse therefore probes on every
// router event and again 5 s and 20 s later; these tests assert what holds in every run.
// NAT-PMP / PCP: miniupnpd multicasts announcements of its new external address to 224.0.0.1:5350 (RFC 6886
// §3.2.1, RFC 6887 §14.1.3), which Gatehouse also takes as a reason to probe.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachabilitySettingsSchema } from '../../src/config/schema.js';
import { addr, gatehouseReachabilityConfig } from '../testbed/plan.js';
import {
  acceptedIpv4,
  lastCheckedAt,
  pcpProbeNonces,
  readAddressHistory,
  routerEventTimes,
} from '../testbed/server-evidence.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('router events');
const repo = path.resolve(import.meta.dirname, '../..');

/** A GenaSubscriber on its own in gw, printing what it hears. */
const subscriberScript = `
import { systemClock } from '${repo}/src/core/clock.ts';
import { createDgramUdp } from '${repo}/src/core/dgram-udp.ts';
import { createEventBus } from '${repo}/src/core/events.ts';
import { GenaSubscriber } from '${repo}/src/reach/router/gena.ts';
import { nodeGenaListener } from '${repo}/src/reach/router/gena-http.ts';
import { UpnpIgdClient } from '${repo}/src/reach/router/upnp-client.ts';
const udp = createDgramUdp();
const bus = createEventBus({ debug() {}, info() {}, warn() {}, error: (f, m) => console.log(m, f), child() { return this; } });
const upnp = new UpnpIgdClient({ udp, fetch, clock: systemClock });
const gena = new GenaSubscriber({
  upnp, fetch, clock: systemClock, udp, bus, listener: nodeGenaListener(),
  log: (m) => console.log(m),
});
bus.subscribe('router.wan-changed', (e) => {
  if (e.address) console.log('ANNOUNCED ' + e.address);
  console.log('EVENT ' + JSON.stringify(e.properties));
});
await gena.start();
process.on('SIGTERM', () => void gena.stop().then(() => { console.log('STOPPED'); process.exit(0); }));
`;

/** An AnnouncementListener on its own in gw, printing what it hears. */
const announcementScript = `
import { systemClock } from '${repo}/src/core/clock.ts';
import { createChildProcessRunner } from '${repo}/src/core/child-process-runner.ts';
import { createDgramUdp } from '${repo}/src/core/dgram-udp.ts';
import { createEventBus } from '${repo}/src/core/events.ts';
import { AnnouncementListener } from '${repo}/src/reach/router/announce.ts';
import { defaultRouteGateway } from '${repo}/src/reach/router/gateway.ts';
const bus = createEventBus({ debug() {}, info() {}, warn() {}, error: (f, m) => console.log(m, f), child() { return this; } });
const listener = new AnnouncementListener({
  udp: createDgramUdp(), gateway: defaultRouteGateway(createChildProcessRunner()), clock: systemClock, bus,
  log: (m) => console.log(m), minIntervalMs: 0,
});
bus.subscribe('router.wan-changed', (a) => console.log('ANNOUNCEMENT ' + JSON.stringify(a)));
console.log(await listener.start() ? 'LISTENING' : 'NOT LISTENING');
process.on('SIGTERM', () => void listener.stop().then(() => process.exit(0)));
`;

describe.skipIf(skip !== undefined)('router events: UPnP GENA and NAT-PMP / PCP announcements', () => {
  let bed = undefined as unknown as Testbed;
  let dir = '';

  beforeAll(async () => {
    bed = await Testbed.up('nat-upnp');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-gena-'));
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const miniupnpdSubscribers = () =>
    bed
      .log('miniupnpd')
      .match(/addSubscriber\(\/evt\/IPConn, http:\/\/10\.10\.0\.2:\d+\/gatehouse\/gena\/\w+/g) ?? [];

  it("miniupnpd NOTIFYs the subscriber when the router's WAN address changes", async () => {
    const script = path.join(dir, 'gena-subscriber.mts');
    fs.writeFileSync(script, subscriberScript);
    const before = miniupnpdSubscribers().length;
    const probe = bed.spawn('gw', 'gena-subscriber', [process.execPath, '--import', 'tsx', script]);
    await waitFor('the subscription', () =>
      Promise.resolve(
        /GENA: subscribed to http:\/\/10\.10\.0\.1:5000\/evt\/IPConn/.test(bed.log('gena-subscriber'))
          ? true
          : undefined,
      ),
    );
    // The callback names gw's LAN address (prefsrc toward the router), on the port the listener got.
    expect(bed.log('gena-subscriber')).toMatch(/callback <http:\/\/10\.10\.0\.2:\d+\/gatehouse\/gena\/\w+>/);
    expect(miniupnpdSubscribers().length).toBe(before + 1);
    await waitFor('the initial event delivered', () =>
      Promise.resolve(
        /upnp_event_send: sending event notify message to 10\.10\.0\.2/.test(bed.log('miniupnpd'))
          ? true
          : undefined,
      ),
    );

    const events = () =>
      [...bed.log('gena-subscriber').matchAll(/^EVENT (.*)$/gm)].map(
        (m) => JSON.parse(m[1] ?? '{}') as Record<string, string>,
      );
    expect(events()).toEqual([]);
    await bed.renumberRouterWan('203.0.113.3');
    await waitFor(
      'an event from the router',
      () => Promise.resolve(events().length > 0 ? true : undefined),
      // miniupnpd re-runs its own STUN check before it sends the event: ~3 s in the bed. The limit bounds a
      // hang only; the event path's time is measured by npm run bench:reachability.
      30_000,
    );
    // The first event may still name the old address (miniupnpd answers the netlink notice from its cache):
    // the event is a reason to probe, not an answer.
    expect(events()[0]).toHaveProperty('ConnectionStatus');

    process.kill(probe.pid, 'SIGTERM');
    await waitFor('the subscriber to stop', () =>
      Promise.resolve(bed.log('gena-subscriber').includes('STOPPED') ? true : undefined),
    );
    expect(bed.log('miniupnpd')).toMatch(/UNSUBSCRIBE \/evt\/IPConn/);
    await bed.renumberRouterWan(addr.routerWan);
  }, 90_000);

  it('the router multicasts NAT-PMP and PCP announcements of its new address to the LAN', async () => {
    const script = path.join(dir, 'announcements.mts');
    fs.writeFileSync(script, announcementScript);
    const listener = bed.spawn('gw', 'announcements', [process.execPath, '--import', 'tsx', script]);
    const log = () => bed.log('announcements');
    await waitFor('the listener', () => Promise.resolve(/LISTENING/.test(log()) ? true : undefined));
    expect(log()).not.toMatch(/NOT LISTENING/);
    await bed.renumberRouterWan('203.0.113.3');
    const heard = () =>
      [...log().matchAll(/^ANNOUNCEMENT (.*)$/gm)].map(
        (m) => JSON.parse(m[1] ?? '{}') as { via: string; from: string; address?: string },
      );
    await waitFor(
      'NAT-PMP announcing 203.0.113.3',
      () =>
        Promise.resolve(
          heard().some((a) => a.via === 'natpmp-announcement' && a.address === '203.0.113.3')
            ? true
            : undefined,
        ),
      30_000,
    );
    await waitFor('a PCP ANNOUNCE', () =>
      Promise.resolve(heard().some((a) => a.via === 'pcp-announcement') ? true : undefined),
    );
    process.kill(listener.pid, 'SIGTERM');
    await bed.renumberRouterWan(addr.routerWan);
  }, 60_000);

  /**
   * A running server, with one kind of router event blocked by a firewall in gw, hears a WAN renumbering
   * through the other kind alone. Each run has its own server, so no follow-up probe of an earlier event helps.
   * After the new address is accepted, the server's follow-up probes must not bring the old one back, and
   * between them it must not probe (a feedback loop would).
   */
  async function detectWith(only: 'gena' | 'announcements', from: string, to: string) {
    const run = path.join(dir, `server-${only}`);
    fs.mkdirSync(run);
    const config = gatehouseReachabilityConfig({ backstopSeconds: 3600 });
    fs.writeFileSync(path.join(run, 'config.json'), config);
    // The port mapper's own mapping, which is no probe (pcpProbeNonces).
    const wireguardPort = reachabilitySettingsSchema.parse(
      (JSON.parse(config) as { reachability: unknown }).reachability,
    ).portMapping.port;
    const dataDir = path.join(run, 'data');
    const store = () => {
      try {
        return (
          JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')) as {
            reachability: { current: { ipv4: string | null } };
          }
        ).reachability.current.ipv4;
      } catch {
        return null;
      }
    };
    // Blocks the announcements (UDP to 5350), or the router's NOTIFY connections to gw's callback port.
    const block =
      only === 'gena'
        ? 'udp dport 5350 counter drop'
        : `ip saddr ${addr.routerLan} meta l4proto tcp ct state new counter drop`;
    const nft = await bed.exec('gw', ['nft', '-f', '-'], {
      stdin: `table inet gatehouse_e2e {\n chain input {\n  type filter hook input priority -10;\n  ${block}\n }\n}\n`,
    });
    expect(nft.stderr).toBe('');
    const logStart = bed.log('gatehouse').length;
    const log = () => bed.log('gatehouse').slice(logStart);
    // The server's probes as the router sees them, each with the time this test first saw it (every wait below
    // looks, so the times are those of the polls: within ~0.1 s).
    const routerLogStart = bed.log('miniupnpd').length;
    const probesSeen = new Map<string, number>();
    const probes = (now = Date.now()) => {
      for (const nonce of pcpProbeNonces(
        bed.log('miniupnpd').slice(routerLogStart),
        addr.gwLan,
        wireguardPort,
      ))
        if (!probesSeen.has(nonce)) probesSeen.set(nonce, now);
      return probesSeen;
    };
    const probesSince = (t: number, now = Date.now()) =>
      [...probes(now).values()].filter((seen) => seen >= t).length;
    const before = miniupnpdSubscribers().length;
    const server = bed.spawnGatehouse(path.join(run, 'config.json'), dataDir);
    try {
      await waitFor('the public address accepted', () =>
        Promise.resolve(store() === from ? true : undefined),
      );
      await waitFor(
        'the server subscribed on miniupnpd',
        () => Promise.resolve(miniupnpdSubscribers().length > before ? true : undefined),
        30_000,
      );
      probes();
      const renumberedAt = Date.now();
      await bed.renumberRouterWan(to);
      // The backstop is an hour away: only the router's event can explain a detection within this minute.
      // How fast the event path is, is measured by npm run bench:reachability, not asserted here.
      await waitFor(
        'the new public address accepted',
        () => {
          probes();
          return Promise.resolve(store() === to ? true : undefined);
        },
        60_000,
      );
      const acceptedAt = Date.now();
      const dropped = (await bed.counters('gw')).filter((c) => c.table.includes('gatehouse_e2e'));
      expect(dropped.reduce((n, c) => n + c.packets, 0)).toBeGreaterThan(0);

      // The settle window, observed: the server probes again 5 s and 20 s after the newest router event it acted
      // on (service.ts, routerSettleMs), so it is done once a report that ended at least 20 s after that event has
      // been applied; its reachability card says when its newest applied report ended. A newer router event moves
      // the mark. A feedback loop (each probe's PCP mapping raising the router event that starts the next probe)
      // restarts the series at every event and never lets the mark be reached: once the probes since the
      // renumbering pass the bound, the wait ends and the count below fails.
      const settleProbeBound = 12;
      // From the first look at which the report of the probe 5 s after the newest router event was applied.
      let quiet: { event: number; from: number } | undefined;
      await waitFor(
        'a probe report 20 s after the last router event (the last follow-up)',
        async () => {
          const checked = await lastCheckedAt(dataDir);
          // After the status: a probe whose report was applied has its PCP request in the router's log by now.
          const now = Date.now();
          if (probesSince(renumberedAt, now) > settleProbeBound) return true;
          const event = routerEventTimes(log()).at(-1);
          if (event === undefined || checked === undefined) return undefined;
          if (quiet?.event !== event) quiet = undefined;
          if (quiet === undefined && checked >= event + 5_000) quiet = { event, from: now };
          return checked >= event + 20_000 ? true : undefined;
        },
        60_000,
      );
      const settledAt = Date.now();
      const settleProbes = probesSince(renumberedAt);
      // Normally a handful: the router's events in the first second (three at once, then one per 2 s at most),
      // then the 5 s and 20 s follow-ups. A loop probes about every 2 s: past the bound within ~25 s.
      expect(settleProbes, 'probes from the renumbering to the last follow-up').toBeLessThanOrEqual(
        settleProbeBound,
      );
      // Between the follow-ups nothing should probe: from the 5 s follow-up's report to the 20 s follow-up
      // (which starts 20 s after the event, so it is seen no earlier), both ends observed, about 15 s. The events
      // of the 5 s follow-up's own PCP mapping change no WAN variable (gena.ts publishes such an event once a
      // minute at most, and one published would have moved the mark); the backstop is an hour away. The loop
      // fixed in gena.ts probed about every 2 s: some seven in this window.
      expect(quiet, 'the report of the 5 s follow-up').toBeDefined();
      const window = { from: quiet?.from ?? 0, to: (quiet?.event ?? 0) + 20_000 };
      const quietProbes = [...probesSeen.values()].filter((t) => t > window.from && t < window.to).length;
      expect(
        quietProbes,
        `probes between the follow-ups (${((window.to - window.from) / 1000).toFixed(1)} s)`,
      ).toBeLessThanOrEqual(1);

      // The ordering: the history of accepted addresses goes from `from` to `to` once and never back (no record
      // after `to`, so no stale value published after the new one), and `to` is still current.
      const changes = readAddressHistory(dataDir)
        .filter((c) => c.family === 'ipv4')
        .map((c) => `${c.previous ?? 'none'} -> ${c.address ?? 'none'}`);
      expect(changes).toEqual([`none -> ${from}`, `${from} -> ${to}`]);
      // What it published on the bus in that order (logged just before each publication).
      expect(acceptedIpv4(log())).toEqual([from, to]);
      expect(store()).toBe(to);
      return {
        log: log(),
        figures: {
          detectedMs: acceptedAt - renumberedAt,
          settledMs: settledAt - renumberedAt,
          settleProbes,
          quietWindowMs: window.to - window.from,
          quietProbes,
        },
      };
    } finally {
      process.kill(server.pid, 'SIGTERM');
      await waitFor('the server to exit', () =>
        Promise.resolve(fs.existsSync(path.join(dataDir, 'gatehouse.lock')) ? undefined : true),
      );
      await bed.exec('gw', ['nft', 'delete', 'table', 'inet', 'gatehouse_e2e']);
    }
  }

  it('the running server accepts the new address from the UPnP event alone, well before the backstop, and does not probe in a loop after it', async ({
    annotate,
  }) => {
    const { log, figures } = await detectWith('gena', addr.routerWan, '203.0.113.3');
    await annotate(JSON.stringify(figures));
    expect(log).toMatch(/GENA: router event/);
    expect(log).not.toMatch(/router announcements: (NAT-PMP|PCP)/);
  }, 180_000);

  it('the running server accepts the new address from the NAT-PMP / PCP announcement alone', async ({
    annotate,
  }) => {
    const { log, figures } = await detectWith('announcements', '203.0.113.3', addr.routerWan);
    await annotate(JSON.stringify(figures));
    expect(log).toMatch(/router announcements: (NAT-PMP|PCP) .*from 10\.10\.0\.1/);
    expect(log).not.toMatch(/GENA: router event/);
  }, 180_000);
});
