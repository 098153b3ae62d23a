/**
 * @module The reachability capability: the probe loop, the router's clients and event channels, the WireGuard
 * port mapper, their alert rules, routes and status card — built from ports, started and stopped as one.
 */
import type { TemporaryPortOpener } from '../cert/ports.js';
import type { ReachabilitySettings } from '../config/index.js';
import type { Capability } from '../core/capability.js';
import type { Ports } from '../core/ports.js';
import type { ProcessLauncher } from '../core/runner.js';
import type { Store } from '../store/store.js';
import { reachabilityRules } from './alert-rules.js';
import { planMappingAlerts, planStaleConditions, type ConditionPlan } from './condition-alerts.js';
import type { AlertSink } from './alerts-port.js';
import {
  fresh,
  inboundFreshMs,
  probeReachability,
  type ProbeProgress,
  type ReachabilityReport,
} from './probe.js';
import { PushedAddressSource } from './push-source.js';
import { AnnouncementListener } from './router/announce.js';
import { GenaSubscriber, type GenaCallbackListener } from './router/gena.js';
import {
  createRouterClients,
  createRouterSources,
  defaultRouteGateway,
  PortMapper,
  type PortMappingStatus,
  type RouterClients,
  type UdpTransport,
} from './router/index.js';
import { RouterPortOpener } from './router/temporary-mapping.js';
import { reachabilityRoutes } from './routes.js';
import { ReachabilityService, type RouterEventsStatus } from './service.js';
import { activeProblems, reachabilityCard } from './status-card.js';
import type { StunClient } from './stun-client.js';
import type { InboundObservation, PortMappingFacts } from './verdict.js';

declare module '../core/events.js' {
  interface GatehouseEvents {
    /**
     * A router told us its WAN address (a dyndns2-style push to the inbound DDNS endpoint): one more source for
     * the quorum, never the answer by itself.
     */
    'reach.wan-pushed': {
      readonly address: string;
      readonly from: string;
      /** From a client the owner marked trusted: its address is accepted without a quorum. */
      readonly trusted?: boolean;
    };
  }
}

/** The adapters only reachability uses; the composition root constructs them. */
export interface ReachabilityAdapters {
  readonly udp: UdpTransport;
  readonly stun: StunClient;
  /** Runs `ip monitor address` to hear of interface changes. */
  readonly launcher: ProcessLauncher;
  /** The HTTP listener a router's UPnP event NOTIFYs arrive at. */
  readonly genaListener: GenaCallbackListener;
  /**
   * Replaces the probe (its sources, traceroute and router protocols) with a scripted one; everything else — the
   * loop, its alerts, the port mapper's alerts, the card and the routes — stays production's. Tests only: the
   * composition root never sets it.
   */
  readonly probe?: (signal: AbortSignal, progress: ProbeProgress) => Promise<ReachabilityReport>;
}

export interface ReachabilityDeps {
  readonly store: Store;
  readonly alerts: AlertSink;
  readonly adapters: ReachabilityAdapters;
}

export interface ReachabilityCapability extends Capability {
  /** The probe loop (absent from nothing: with reachability off it exists but never runs). */
  readonly service: ReachabilityService;
  /** Where a router's push of its WAN address lands (published on `reach.wan-pushed`). */
  readonly pushSource: PushedAddressSource;
  /** TCP port 80 on the router for the length of an HTTP-01 challenge (the certificate capability's port). */
  readonly temporaryPorts: TemporaryPortOpener;
}

/** The port mapper's state as the verdict reads it (null while the first attempt runs). */
function portMappingFacts(status: PortMappingStatus): PortMappingFacts | null {
  if (status.state === 'pending') return null;
  return {
    state: status.state,
    ...(status.protocol ? { protocol: status.protocol } : {}),
    ...(status.externalPort === undefined ? {} : { externalPort: status.externalPort }),
    ...(status.externalAddress === undefined ? {} : { externalAddress: status.externalAddress }),
    ...(status.error === undefined ? {} : { error: status.error }),
  };
}

/** The UPnP / NAT-PMP / PCP clients for the box's default gateway. */
function routerClients(ports: Ports, udp: UdpTransport): RouterClients {
  return createRouterClients({
    udp,
    fetch: ports.fetch,
    clock: ports.clock,
    runner: ports.runner,
    gateway: defaultRouteGateway(ports.runner),
  });
}

/** One probe with every source but no port mapper: what `gatehouse doctor` runs. */
export function probeOnce(
  ports: Ports,
  settings: ReachabilitySettings,
  adapters: Pick<ReachabilityAdapters, 'udp' | 'stun'>,
): Promise<ReachabilityReport> {
  const router = routerClients(ports, adapters.udp);
  return probeReachability(
    {
      runner: ports.runner,
      fetch: ports.fetch,
      clock: ports.clock,
      stun: adapters.stun,
      extraSources: createRouterSources(router),
    },
    settings,
  );
}

export function createReachability(
  ports: Ports,
  settings: ReachabilitySettings,
  deps: ReachabilityDeps,
): ReachabilityCapability {
  const { clock, logger } = ports;
  const { udp, stun, launcher, genaListener } = deps.adapters;
  const log = logger.child({ capability: 'reachability' });
  const pushSource = new PushedAddressSource(clock);
  const subscriptions: (() => void)[] = [];
  subscriptions.push(
    ports.bus.subscribe('reach.wan-pushed', ({ address, from, trusted }) => {
      if (!pushSource.push(address, from, trusted === true))
        log.warn({ address, from }, 'ignored a pushed WAN address that is no IP address');
    }),
  );
  const gateway = defaultRouteGateway(ports.runner);
  const router = createRouterClients({ udp, fetch: ports.fetch, clock, runner: ports.runner, gateway });
  // NAT-PMP / PCP gateways announce a change of their external address on 224.0.0.1:5350.
  const announcements = new AnnouncementListener({
    udp,
    gateway,
    clock,
    bus: ports.bus,
    log: (m) => log.info({ module: 'announce' }, m),
  });
  // UPnP GENA: a router that offers eventing tells us when its external address changes.
  const gena = new GenaSubscriber({
    upnp: router.upnp,
    fetch: ports.fetch,
    clock,
    udp,
    bus: ports.bus,
    listener: genaListener,
    log: (m) => log.info({ module: 'gena' }, m),
  });
  const portMapper = new PortMapper({
    clients: [router.pcp, router.natpmp, router.upnp],
    clock,
    logger,
    bus: ports.bus,
    settings: settings.portMapping,
  });
  // The same clients; the protocol that holds the WireGuard mapping is asked first.
  const temporaryPorts = new RouterPortOpener({
    clients: [router.pcp, router.natpmp, router.upnp],
    preferred: () => portMapper.status().protocol,
    clock,
    logger,
    ...(settings.enabled
      ? {}
      : { disabledReason: 'router port mapping is off (reachability.enabled / GATEHOUSE_REACHABILITY)' }),
  });
  // The port mapping's alerts follow the mapper's state: refused, lost, or ended by a new mapping. The bus logs
  // a handler that rejects; its promise lets an orderly stop (and a test) wait with bus.idle().
  const applyMappingPlan = async (plan: ConditionPlan): Promise<void> => {
    for (const c of plan.clear) await deps.alerts.clear(c.rule, c.key);
    for (const a of plan.raise) await deps.alerts.raise(a);
  };
  subscriptions.push(
    ports.bus.subscribe('portmap.lost', (lost) =>
      applyMappingPlan(planMappingAlerts({ lost }, settings.portMapping.port)),
    ),
    ports.bus.subscribe('portmap.changed', (status) =>
      applyMappingPlan(planMappingAlerts({ status }, settings.portMapping.port)),
    ),
  );

  const routerEvents = (): RouterEventsStatus => {
    if (!settings.routerEvents) return { upnp: 'off', upnpDetail: null, announcements: 'off' };
    const upnp = gena.status();
    return {
      upnp: upnp.subscribed ? 'subscribed' : 'not-subscribed',
      upnpDetail: upnp.subscribed ? null : (upnp.lastError ?? null),
      announcements: announcements.listening() ? 'listening' : 'not-listening',
    };
  };

  // The proof: a WireGuard handshake from a public address (the WireGuard capability publishes each one). The
  // first turns the verdict to proven at once; later ones keep it fresh, and `since` says how long it has held.
  let inboundSeen: InboundObservation | null = null;
  subscriptions.push(
    ports.bus.subscribe('wg.handshake', (h) => {
      if (!h.public || h.endpoint === null) return;
      const continues =
        inboundSeen !== null && Date.parse(h.at) - Date.parse(inboundSeen.at) <= inboundFreshMs;
      const first = inboundSeen === null || fresh(inboundSeen, clock.now()) === null;
      inboundSeen = {
        from: h.endpoint,
        at: h.at,
        via: 'WireGuard handshake',
        since: continues && inboundSeen !== null ? (inboundSeen.since ?? inboundSeen.at) : h.at,
      };
      if (first && settings.enabled && started)
        service
          .probeNow()
          .catch((e: unknown) =>
            log.debug({ err: e instanceof Error ? e.message : String(e) }, 'probe after a handshake failed'),
          );
    }),
  );

  let started = false;
  const service = new ReachabilityService({
    probe:
      deps.adapters.probe ??
      ((signal, progress) =>
        probeReachability(
          {
            runner: ports.runner,
            fetch: ports.fetch,
            clock,
            stun,
            extraSources: [...createRouterSources(router), pushSource],
            portMapping: () => portMappingFacts(portMapper.status()),
            inboundSeen: () => inboundSeen,
          },
          settings,
          signal,
          progress,
        )),
    store: deps.store,
    clock,
    logger: log,
    alerts: deps.alerts,
    bus: ports.bus,
    ...(settings.watchInterfaces ? { launcher } : {}),
    backstopMs: settings.backstopSeconds * 1000,
    routerEvents,
  });
  subscriptions.push(ports.bus.subscribe('router.wan-changed', () => service.routerEvent()));
  // The verdict reads the port mapper's state: when that state changes (mapped, refused, lost, ...), decide again
  // instead of showing the old one until the next probe.
  let mapperState: PortMappingStatus['state'] | undefined;
  subscriptions.push(
    ports.bus.subscribe('portmap.changed', (status) => {
      const changed = status.state !== mapperState;
      mapperState = status.state;
      if (!changed || status.state === 'pending' || !settings.enabled || !started) return;
      service
        .probeNow()
        .catch((e: unknown) =>
          log.debug(
            { err: e instanceof Error ? e.message : String(e) },
            'probe after a port mapping change failed',
          ),
        );
    }),
  );

  return {
    id: 'reachability',
    service,
    pushSource,
    temporaryPorts,
    // With reachability off the routes still answer with the stored history (and refuse to probe).
    routes: reachabilityRoutes(deps.store, settings.enabled ? service : undefined),
    statusCards: [reachabilityCard(service, deps.store, settings.enabled)],
    alertRules: reachabilityRules,
    uiPages: ['reachability'],
    async start() {
      started = true;
      // Conditions an earlier run raised that these settings would never clear.
      for (const c of planStaleConditions(activeProblems(deps.store), settings))
        await deps.alerts.clear(c.rule, c.key);
      if (!settings.enabled) {
        log.warn(
          {},
          'reachability checks and port mapping are off (reachability.enabled / GATEHOUSE_REACHABILITY)',
        );
        return;
      }
      portMapper.start();
      service.start();
      if (settings.routerEvents) {
        void gena.start();
        void announcements.start();
      }
    },
    async stop() {
      started = false;
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      if (!settings.enabled) return;
      await gena.stop();
      await announcements.stop();
      await service.stop();
      // Removes the router mapping: a stopped box should not keep a port open.
      await portMapper.stop();
    },
  };
}
