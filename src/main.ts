/** @module Composition root: the only place that constructs adapters and wires them into the app. */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import { AuthService, type AuthFailure } from './auth/service.js';
import type { SessionPolicy } from './auth/sessions.js';
import { createChildProcessLauncher, createChildProcessRunner } from './core/child-process-runner.js';
import type { Fetch } from './core/fetch.js';
import type { Outcome } from './core/outcome.js';
import type { CommandRunner } from './core/runner.js';
import type { User } from './store/schema.js';
import type { AppConfig } from './config/index.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Logger } from './core/log.js';
import { nodePrivateFiles, type PrivateFiles } from './core/node-fs.js';
import { createPinoLogger } from './core/pino-logger.js';
import { securityCard, systemCard } from './status/core-cards.js';
import { acquireDataDirLock, ensureDataDir } from './store/data-dir.js';
import { openLowdbStore } from './store/lowdb-store.js';
import type { Store } from './store/store.js';
import { ensureBootstrapCertificate } from './tls/bootstrap-cert.js';
import { createApp } from './http/app.js';
import { createMetrics } from './http/metrics.js';
import { listen, type RunningServer } from './http/node-server.js';
import { loadStaticAssets } from './http/static-assets.js';
import { readVersion } from './version.js';
import { probeReachability, type ReachabilityReport } from './reach/probe.js';
import { createUdpStunClient } from './reach/stun-udp.js';
import type { AlertSink } from './reach/alerts-port.js';
import { createNotifierFactory } from './alerts/notifiers/factory.js';
import { AlertService, alertSink as toAlertSink } from './alerts/service.js';
import { PushedAddressSource } from './reach/push-source.js';
import { createDgramUdp } from './reach/router/dgram-udp.js';
import {
  createRouterClients,
  defaultRouteGateway,
  createRouterSources,
  PortMapper,
  type PortMappingStatus,
} from './reach/router/index.js';
import { ReachabilityService } from './reach/service.js';
import { AnnouncementListener } from './reach/router/announce.js';
import { GenaSubscriber } from './reach/router/gena.js';
import { nodeGenaListener } from './reach/router/gena-http.js';
import { reachabilityCard } from './reach/status-card.js';
import type { PortMappingFacts } from './reach/verdict.js';

/**
 * The ports every capability is built on, each with its real adapter here and a fake in test/fakes/.
 * Capabilities receive them from this root; nothing else constructs an adapter.
 */
export interface Ports {
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly fetch: Fetch;
  readonly logger: Logger;
  readonly files: PrivateFiles;
}

export function createPorts(config: AppConfig, options: StartOptions = {}): Ports {
  return {
    clock: options.ports?.clock ?? systemClock,
    runner: options.ports?.runner ?? createChildProcessRunner(),
    fetch: options.ports?.fetch ?? globalThis.fetch,
    logger: options.ports?.logger ?? createPinoLogger(config.logLevel, options.logDestination),
    files: options.ports?.files ?? nodePrivateFiles,
  };
}

/** Where the built web UI lives, relative to this file in src/ (development) or dist/ (built). */
export function defaultWebRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
}

function portMappingFacts(status: PortMappingStatus): PortMappingFacts | null {
  if (status.state === 'pending') return null;
  return {
    state: status.state,
    ...(status.protocol ? { protocol: status.protocol } : {}),
    ...(status.externalPort === undefined ? {} : { externalPort: status.externalPort }),
    ...(status.error === undefined ? {} : { error: status.error }),
  };
}

export interface Gatehouse {
  readonly server: RunningServer;
  readonly store: Store;
  readonly auth: AuthService;
  readonly logger: Logger;
  readonly ports: Ports;
  readonly reachability: ReachabilityService;
  /** Where a router's dyndns2-style push of its WAN address lands (the DDNS endpoint feeds it). */
  readonly pushSource: PushedAddressSource;
  /** Stops serving and releases the data directory. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where alerts go (the alerts engine); default: the log. */
  readonly alerts?: AlertSink;
  /** Replace any port (tests); the rest get their real adapters. */
  readonly ports?: Partial<Ports>;
  /** Log destination (tests capture the log to prove what it contains). */
  readonly logDestination?: DestinationStream;
  readonly webRoot?: string;
  /** Process-level metrics (event loop, memory); off in tests that start several instances. */
  readonly processMetrics?: boolean;
}

export async function startGatehouse(config: AppConfig, options: StartOptions = {}): Promise<Gatehouse> {
  const ports = createPorts(config, options);
  const { clock, logger, files } = ports;
  const pushSource = new PushedAddressSource(clock);
  ensureDataDir(config.dataDir);
  const lock = acquireDataDirLock(config.dataDir);
  try {
    const opened = await openLowdbStore(config.dataDir, clock);
    const { store } = opened;
    if (opened.migratedFrom) {
      logger.warn(
        { from: opened.migratedFrom.version, backup: opened.migratedFrom.backup },
        'store migrated to the current version; the old file was backed up',
      );
    }
    const version = readVersion();
    const metrics = createMetrics({ processMetrics: options.processMetrics ?? true });
    const auth = new AuthService({
      store,
      clock,
      logger,
      files,
      dataDir: config.dataDir,
      sessionPolicy: sessionPolicyOf(config),
      events: metrics.authEvents,
    });

    const tls = config.tls
      ? ensureBootstrapCertificate(
          files,
          config.dataDir,
          { hostname: os.hostname(), listenHost: config.listen.host },
          clock.now(),
        )
      : undefined;
    if (tls?.created)
      logger.info(
        { fingerprintSha256: tls.fingerprintSha256 },
        'created a self-signed bootstrap certificate',
      );

    // Reachability: router clients (UPnP / NAT-PMP / PCP), the WireGuard port mapper, and the probe loop.
    const udp = createDgramUdp();
    const gateway = defaultRouteGateway(ports.runner);
    const router = createRouterClients({ udp, fetch: ports.fetch, clock, runner: ports.runner, gateway });
    // NAT-PMP / PCP gateways announce a change of their external address on 224.0.0.1:5350.
    const announcements = new AnnouncementListener({
      udp,
      gateway,
      clock,
      log: (m) => logger.info({ module: 'announce' }, m),
    });
    // UPnP GENA: a router that offers eventing tells us when its external address changes.
    const gena = new GenaSubscriber({
      upnp: router.upnp,
      fetch: ports.fetch,
      clock,
      runner: ports.runner,
      listener: nodeGenaListener(),
      log: (m) => logger.info({ module: 'gena' }, m),
    });
    const portMapper = new PortMapper({
      clients: [router.pcp, router.natpmp, router.upnp],
      clock,
      logger,
      settings: config.reachability.portMapping,
    });
    const alerts = new AlertService({
      store,
      clock,
      logger: logger.child({ module: 'alerts' }),
      notifiers: createNotifierFactory({ fetch: ports.fetch }),
    });
    const alertsLoop = new AbortController();
    const alertSink = options.alerts ?? toAlertSink(alerts);
    portMapper.onLost((e) => {
      void alertSink.raise({
        rule: 'reach.port-mapping-lost',
        key: String(e.externalPort),
        severity: 'warning',
        title: 'Port mapping lost',
        message: `The router dropped the mapping of UDP ${e.externalPort} (${e.protocol}): ${e.reason}.`,
        remedy: `Forward UDP port ${config.reachability.portMapping.port} on the router to this box by hand, or check the router's UPnP / NAT-PMP setting.`,
        details: { protocol: e.protocol, port: e.externalPort },
      });
    });
    portMapper.onChange((status) => {
      if (status.state === 'mapped')
        void alertSink.clear('reach.port-mapping-lost', String(status.externalPort ?? ''));
    });
    const reachability = new ReachabilityService({
      probe: (signal) =>
        probeReachability(
          {
            runner: ports.runner,
            fetch: ports.fetch,
            clock,
            stun: createUdpStunClient(),
            extraSources: [...createRouterSources(router), pushSource],
            portMapping: () => portMappingFacts(portMapper.status()),
          },
          config.reachability,
          signal,
        ),
      store,
      clock,
      logger,
      alerts: alertSink,
      ...(config.reachability.watchInterfaces ? { launcher: createChildProcessLauncher() } : {}),
      backstopMs: config.reachability.backstopSeconds * 1000,
      routerEvents: () => {
        if (!config.reachability.routerEvents) return { upnp: 'off', upnpDetail: null, announcements: 'off' };
        const upnp = gena.status();
        return {
          upnp: upnp.subscribed ? 'subscribed' : 'not-subscribed',
          upnpDetail: upnp.subscribed ? null : (upnp.lastError ?? null),
          announcements: announcements.listening() ? 'listening' : 'not-listening',
        };
      },
    });
    gena.onEvent(() => reachability.routerEvent());
    announcements.onAnnouncement(() => reachability.routerEvent());
    const startedAt = clock.now();
    let listenUrl = `${config.tls ? 'https' : 'http'}://${config.listen.host}:${config.listen.port}`;
    const statusProviders = [
      systemCard({
        version,
        startedAt,
        clock,
        listenUrl: () => listenUrl,
        tls: config.tls,
      }),
      securityCard(store, clock),
      reachabilityCard(reachability, store),
    ];
    const app = createApp({
      store,
      auth,
      clock,
      logger,
      metrics,
      version,
      tls: config.tls,
      trustProxy: config.trustProxy,
      statusProviders,
      ...(config.reachability.enabled ? { reachability } : {}),
      alerts,
      assets: loadStaticAssets(options.webRoot ?? defaultWebRoot()),
    });
    const server = await listen({
      fetch: app.fetch,
      host: config.listen.host,
      port: config.listen.port,
      ...(tls ? { tls } : {}),
    });
    listenUrl = server.url;
    lock.announce(server.url);
    void alerts.runPendingLoop(alertsLoop.signal);
    if (config.reachability.enabled) {
      portMapper.start();
      reachability.start();
      if (config.reachability.routerEvents) {
        void gena.start();
        void announcements.start();
      }
    } else {
      logger.warn(
        {},
        'reachability checks and port mapping are off (reachability.enabled / GATEHOUSE_REACHABILITY)',
      );
    }
    logger.info({ url: server.url, dataDir: config.dataDir, version }, 'Gatehouse is listening');
    if (tls) {
      logger.info(
        { fingerprintSha256: tls.fingerprintSha256 },
        'HTTPS uses a self-signed certificate until an ACME certificate replaces it; check this fingerprint in your browser',
      );
    }
    const setupToken = auth.pendingSetupToken();
    if (setupToken !== undefined) {
      // The setup token is meant to be read from this log (or `gatehouse setup-token`); it dies with setup.
      logger.warn(
        { setupUrl: `${server.url}/#/setup` },
        `first run: open the UI and enter the setup token ${setupToken}`,
      );
    }
    let stopped = false;
    return {
      server,
      store,
      auth,
      logger,
      ports,
      reachability,
      pushSource,
      async stop() {
        if (stopped) return;
        stopped = true;
        alertsLoop.abort();
        await gena.stop();
        await announcements.stop();
        await reachability.stop();
        // Removes the router mapping: a stopped box should not keep a port open.
        await portMapper.stop();
        await server.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * Offline password reset for `gatehouse admin reset-password`: takes the data directory's lock (so no server
 * writes the store meanwhile), sets the password, ends every session and optionally turns TOTP off.
 */
export async function resetAdminPassword(
  config: AppConfig,
  input: { username: string | undefined; password: string; disableTotp: boolean },
  options: StartOptions = {},
): Promise<Outcome<User, AuthFailure>> {
  const ports = createPorts({ ...config, logLevel: 'silent' }, options);
  ensureDataDir(config.dataDir);
  const lock = acquireDataDirLock(config.dataDir);
  try {
    const { store } = await openLowdbStore(config.dataDir, ports.clock);
    const auth = new AuthService({
      store,
      clock: ports.clock,
      logger: ports.logger,
      files: ports.files,
      dataDir: config.dataDir,
      sessionPolicy: sessionPolicyOf(config),
    });
    return await auth.resetPassword(input.username, input.password, input.disableTotp);
  } finally {
    lock.release();
  }
}

function sessionPolicyOf(config: AppConfig): SessionPolicy {
  return {
    idleMs: config.sessionIdleMinutes * 60_000,
    maxAgeMs: config.sessionMaxAgeHours * 3600_000,
    pendingMfaMs: 5 * 60_000,
  };
}

/** One reachability probe with the real adapters (for `gatehouse doctor`; the server runs it in a loop). */
export async function runReachabilityProbe(
  config: AppConfig,
  options: StartOptions = {},
): Promise<ReachabilityReport> {
  const ports = createPorts({ ...config, logLevel: 'silent' }, options);
  const router = createRouterClients({
    udp: createDgramUdp(),
    fetch: ports.fetch,
    clock: ports.clock,
    runner: ports.runner,
  });
  return probeReachability(
    {
      runner: ports.runner,
      fetch: ports.fetch,
      clock: ports.clock,
      stun: createUdpStunClient(),
      extraSources: createRouterSources(router),
    },
    config.reachability,
  );
}
