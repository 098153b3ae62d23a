/**
 * @module Composition root: the ports with their real adapters, then the list of capabilities. Policy lives in
 * the capabilities; this file only builds and wires. Adding a capability is one line in `capabilities` below.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import { createAlerts } from './alerts/capability.js';
import { createNotifierFactory } from './alerts/notifiers/factory.js';
import { AuthService } from './auth/service.js';
import type { SessionPolicy } from './auth/sessions.js';
import type { AppConfig } from './config/index.js';
import type { Capability } from './core/capability.js';
import { createChildProcessLauncher, createChildProcessRunner } from './core/child-process-runner.js';
import { systemClock, type Clock } from './core/clock.js';
import { createEventBus } from './core/events.js';
import { createFileSecrets } from './core/file-secrets.js';
import { createLifecycle } from './core/lifecycle.js';
import type { Logger } from './core/log.js';
import { nodePrivateFiles } from './core/node-fs.js';
import { createPinoLogger } from './core/pino-logger.js';
import type { Ports } from './core/ports.js';
import { createApp } from './http/app.js';
import { createControlApi, statusSource } from './control/api.js'; // control API
import { controlSocketPath } from './control/socket-path.js'; // control API
import { startControlServer } from './control/socket-server.js'; // control API
import { createMetrics } from './http/metrics.js';
import { listen, type RunningServer } from './http/node-server.js';
import { loadStaticAssets } from './http/static-assets.js';
import { createReachability, type ReachabilityAdapters } from './reach/capability.js';
import type { AlertSink } from './reach/alerts-port.js';
import { createDgramUdp } from './core/dgram-udp.js';
import { nodeGenaListener } from './reach/router/gena-http.js';
import { createUdpStunClient } from './reach/stun-udp.js';
import { securityCard, systemCard } from './status/core-cards.js';
import { acquireDataDirLock, ensureDataDir } from './store/data-dir.js';
import { openLowdbStore } from './store/lowdb-store.js';
import type { Store } from './store/store.js';
import { ensureBootstrapCertificate } from './tls/bootstrap-cert.js';
import { readVersion } from './version.js';

export type { Ports } from './core/ports.js';

export interface StartOptions {
  /** Where reachability's alerts go instead of the alerts engine (tests). */
  readonly alerts?: AlertSink;
  /** Replace any port (tests); the rest get their real adapters. */
  readonly ports?: Partial<Ports>;
  /** Log destination (tests capture the log to prove what it contains). */
  readonly logDestination?: DestinationStream;
  readonly webRoot?: string;
  /** Process-level metrics (event loop, memory); off in tests that start several instances. */
  readonly processMetrics?: boolean;
}

export function createPorts(config: AppConfig, options: StartOptions = {}): Ports {
  const logger: Logger = options.ports?.logger ?? createPinoLogger(config.logLevel, options.logDestination);
  const clock = options.ports?.clock ?? systemClock;
  return {
    clock,
    runner: options.ports?.runner ?? createChildProcessRunner(),
    fetch: options.ports?.fetch ?? globalThis.fetch,
    logger,
    files: options.ports?.files ?? nodePrivateFiles,
    bus: options.ports?.bus ?? createEventBus(logger.child({ module: 'events' })),
    secrets: options.ports?.secrets ?? createFileSecrets(config.dataDir, { clock, logger }),
  };
}

/** The sockets and processes reachability needs, real. */
export function reachabilityAdapters(clock: Clock): ReachabilityAdapters {
  const udp = createDgramUdp();
  return {
    udp,
    stun: createUdpStunClient({ udp, clock }),
    launcher: createChildProcessLauncher(),
    genaListener: nodeGenaListener(),
  };
}

/** Where the built web UI lives, relative to this file in src/ (development) or dist/ (built). */
export function defaultWebRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
}

export function sessionPolicyOf(config: AppConfig): SessionPolicy {
  return {
    idleMs: config.sessionIdleMinutes * 60_000,
    maxAgeMs: config.sessionMaxAgeHours * 3600_000,
    pendingMfaMs: 5 * 60_000,
  };
}

export interface CapabilityDeps {
  readonly store: Store;
  readonly adapters: ReachabilityAdapters;
  /** Where reachability's alerts go instead of the alerts engine (tests). */
  readonly alertSink?: AlertSink;
}

/**
 * The capabilities, in the order they start (and the reverse of the order they stop). Alerts come first: the
 * others raise through it. The test harness builds its app from this same list.
 */
export function createCapabilities(ports: Ports, config: AppConfig, deps: CapabilityDeps) {
  const { store } = deps;
  const alerts = createAlerts(ports, { store, notifiers: createNotifierFactory({ fetch: ports.fetch }) });
  const sink = deps.alertSink ?? alerts.sink;
  const reachability = createReachability(ports, config.reachability, {
    store,
    alerts: sink,
    adapters: deps.adapters,
  });
  const capabilities: readonly Capability[] = [alerts, reachability];
  alerts.registerRules(capabilities);
  return { capabilities, alerts, reachability };
}

export interface Gatehouse {
  readonly server: RunningServer;
  readonly store: Store;
  readonly auth: AuthService;
  readonly logger: Logger;
  readonly ports: Ports;
  readonly capabilities: readonly Capability[];
  /** Stops the capabilities (in reverse), then serving, and releases the data directory. */
  stop(): Promise<void>;
}

export async function startGatehouse(config: AppConfig, options: StartOptions = {}): Promise<Gatehouse> {
  const ports = createPorts(config, options);
  const { clock, logger, files } = ports;
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

    const { capabilities } = createCapabilities(ports, config, {
      store,
      adapters: reachabilityAdapters(clock),
      ...(options.alerts ? { alertSink: options.alerts } : {}),
    });
    let listenUrl = `${config.tls ? 'https' : 'http'}://${config.listen.host}:${config.listen.port}`;
    const startedAt = clock.now(); // control API: uptime in `gatehouse status`
    // control API: the dashboard and the control socket's GET /v1/status show the same core cards
    const statusProviders = [
      systemCard({ version, startedAt, clock, listenUrl: () => listenUrl, tls: config.tls }),
      securityCard(store, clock),
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
      statusProviders, // control API
      capabilities,
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
    // control API: the CLI's Unix socket <dataDir>/control.sock (0600); capabilities' controlRoutes mount on it
    const control = await startControlServer({
      socketPath: controlSocketPath(config.dataDir),
      app: createControlApi({
        logger,
        capabilities,
        status: statusSource({
          version,
          pid: process.pid,
          startedAt,
          clock,
          url: () => listenUrl,
          providers: statusProviders,
          capabilities,
        }),
      }),
      logger,
    });
    const lifecycle = createLifecycle(capabilities, { clock, logger });
    await lifecycle.start();
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
      capabilities,
      async stop() {
        if (stopped) return;
        stopped = true;
        await control.close(); // control API: no CLI command reaches a stopping server
        await lifecycle.stop();
        await ports.bus.idle();
        await server.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}
