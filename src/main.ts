/**
 * @module Composition root: the ports with their real adapters, then the list of capabilities. Policy lives in
 * the capabilities; this file only builds and wires. Adding a capability is one line in `createCapabilities`.
 */
import os from 'node:os';
import { createAlerts } from './alerts/capability.js';
import { createNotifierFactory } from './alerts/notifiers/factory.js';
import { coreAuditTypes } from './audit/core-types.js';
import { registerCapabilityAuditTypes } from './audit/registry.js';
import { assembleGatehouse, type CapabilityList } from './assemble.js';
import type { AppConfig } from './config/index.js';
import { statusSource } from './control/api.js';
import { controlSocket } from './control/capability.js';
import type { Capability } from './core/capability.js';
import { createDdns } from './ddns/capability.js';
import { createAcmeCaFactory, createCertificateKeyAndCsr } from './cert/acme-client.js';
import { createCert } from './cert/capability.js';
import { createHttp01Server } from './cert/http01-server.js';
import { createNetDnsStream } from './ddns/dns/net-tcp.js';
import { createNftFirewall } from './exposure/nft.js';
import { createForwarding } from './exposure/forwarding.js';
import { createWireguard } from './wireguard/capability.js';
import { createWgDevice } from './wireguard/wg-cli.js';
import { createChildProcessLauncher, createChildProcessRunner } from './core/child-process-runner.js';
import { systemClock, type Clock } from './core/clock.js';
import { createDgramUdp } from './core/dgram-udp.js';
import { createEventBus } from './core/events.js';
import { createFileSecrets } from './core/file-secrets.js';
import { createLifecycle } from './core/lifecycle.js';
import { nodePrivateFiles } from './core/node-fs.js';
import { createPinoLogger } from './core/pino-logger.js';
import type { Ports } from './core/ports.js';
import { checkListenHost, listen } from './http/node-server.js';
import { logStartup, terminalWriter } from './http/startup-log.js';
import { defaultWebRoot, loadStaticAssets } from './http/static-assets.js';
import { createReachability, type ReachabilityAdapters } from './reach/capability.js';
import { nodeGenaListener } from './reach/router/gena-http.js';
import { createUdpStunClient } from './reach/stun-udp.js';
import { createAdminSecurity } from './status/security.js';
import { acquireDataDirLock, ensureDataDir } from './store/data-dir.js';
import { openLowdbStore } from './store/lowdb-store.js';
import { ensureBootstrapCertificate } from './cert/bootstrap.js';
import { readVersion } from './version.js';

export type { Ports } from './core/ports.js';
export type { Gatehouse, StartOptions } from './gatehouse.js';
import type { Gatehouse, StartOptions } from './gatehouse.js';

export function createPorts(config: AppConfig, options: StartOptions = {}): Ports {
  const given = options.ports ?? {};
  const logger = given.logger ?? createPinoLogger(config.logLevel, options.logDestination);
  const clock = given.clock ?? systemClock;
  return {
    clock,
    logger,
    runner: given.runner ?? createChildProcessRunner(),
    fetch: given.fetch ?? globalThis.fetch,
    files: given.files ?? nodePrivateFiles,
    bus: given.bus ?? createEventBus(logger.child({ module: 'events' })),
    secrets: given.secrets ?? createFileSecrets(config.dataDir, { clock, logger }),
  };
}

/** The sockets and processes reachability needs, real (one UDP adapter shared by STUN and the router clients). */
export function reachabilityAdapters(clock: Clock): ReachabilityAdapters {
  const udp = createDgramUdp();
  return {
    udp,
    stun: createUdpStunClient({ udp, clock }),
    launcher: createChildProcessLauncher(),
    genaListener: nodeGenaListener(),
  };
}

/**
 * The capabilities, in the order they start (and the reverse of the order they stop). Alerts come first: the
 * others raise through it. The test harness builds its app from this same list.
 */
export const createCapabilities: CapabilityList = (ports, config, deps) => {
  const { store } = deps;
  const alerts = createAlerts(ports, { store, notifiers: createNotifierFactory({ fetch: ports.fetch }) });
  const sink = deps.alertSink ?? alerts.sink;
  const reachability = createReachability(ports, config.reachability, {
    store,
    alerts: sink,
    adapters: deps.adapters,
  });
  const ddns = createDdns(ports, config.ddns, {
    store,
    alerts: sink,
    adapters: { udp: deps.adapters.udp, tcp: createNetDnsStream() },
    reachability: config.reachability,
  });
  const capabilities: readonly Capability[] = [
    alerts,
    createAdminSecurity(ports, { store, alerts: alerts.sink }),
    reachability,
    ddns,
    createWireguard(ports, config, {
      store,
      alerts: sink,
      device: createWgDevice({ ...ports, launcher: deps.adapters.launcher }),
      firewall: createNftFirewall(ports.runner),
      forwarding: createForwarding(ports.runner),
      interfaces: () => os.networkInterfaces(),
      reachability: config.reachability,
      ...(deps.offline === true ? { offline: true } : {}),
    }),
    createCert(ports, config.acme, {
      store,
      alerts: sink,
      dataDir: config.dataDir,
      caFactory: deps.acmeCa ?? createAcmeCaFactory({ clock: ports.clock }),
      makeKeyAndCsr: (names, keyType) => createCertificateKeyAndCsr({ names, keyType }),
      http01Server: (tokens) =>
        createHttp01Server({
          listen: config.acme.http01.listen,
          tokens,
          httpsPort: config.listen.port,
          logger: ports.logger.child({ capability: 'cert' }),
        }),
      txtAccess: ddns.txtAccess,
      portOpener: reachability.temporaryPorts,
      ...(deps.bootstrapCertificate ? { bootstrap: deps.bootstrapCertificate } : {}),
      ...(deps.offline === true ? { offline: true } : {}),
    }),
  ];
  alerts.registerRules(capabilities);
  registerCapabilityAuditTypes(deps.auditTypes, capabilities);
  return { capabilities, alerts };
};

export async function startGatehouse(config: AppConfig, options: StartOptions = {}): Promise<Gatehouse> {
  const ports = createPorts(config, options);
  const { clock, logger, files } = ports;
  const { dataDir } = config;
  // A listen name that does not resolve fails here, before the data directory or a certificate for it is written.
  await checkListenHost(config.listen.host);
  ensureDataDir(dataDir);
  const lock = acquireDataDirLock(dataDir);
  try {
    const auditTypes = coreAuditTypes();
    const { store, migratedFrom } = await openLowdbStore(dataDir, clock, {
      checkRecord: auditTypes.checkRecord,
    });
    if (migratedFrom) logger.warn({ ...migratedFrom }, 'store migrated; the old file was backed up');
    const version = readVersion();
    const names = { hostname: os.hostname(), listenHost: config.listen.host };
    const tls = config.tls ? ensureBootstrapCertificate(files, dataDir, names, clock.now()) : undefined;
    if (tls?.replaced !== undefined)
      logger.warn({ reason: tls.replaced }, 'the bootstrap certificate could not be read; made a new one');
    if (tls?.created)
      logger.info(
        { fingerprintSha256: tls.fingerprintSha256 },
        'created a self-signed bootstrap certificate',
      );
    const startedAt = clock.now();
    let url = `${config.tls ? 'https' : 'http'}://${config.listen.host}:${config.listen.port}`;
    const { app, auth, capabilities, providers } = assembleGatehouse(ports, config, createCapabilities, {
      store,
      auditTypes,
      adapters: reachabilityAdapters(clock),
      ...(options.alerts ? { alertSink: options.alerts } : {}),
      ...(tls ? { bootstrapCertificate: tls } : {}),
      version,
      startedAt,
      listenUrl: () => url,
      assets: loadStaticAssets(options.webRoot ?? defaultWebRoot()),
      processMetrics: options.processMetrics ?? true,
      machine: {
        names: [os.hostname(), `${os.hostname()}.local`],
        addresses: () =>
          Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)),
      },
    });
    const { host, port } = config.listen;
    const server = await listen({
      fetch: app.fetch,
      host,
      port,
      ...(tls ? { tls } : {}),
      // An ACME certificate for the names it covers (SNI), read at each handshake: a renewal is served at once.
      selectCertificate: (name) => {
        for (const c of capabilities) {
          const pair = c.tlsCertificate?.(name);
          if (pair) return pair;
        }
        return undefined;
      },
    });
    url = server.url;
    lock.announce(url);
    // The CLI's socket opens last and closes first: no local command reaches a box that is not whole.
    const pid = process.pid;
    const status = statusSource({ version, pid, startedAt, clock, url: () => url, providers, capabilities });
    const control = controlSocket({ dataDir, logger, capabilities, status });
    const lifecycle = createLifecycle([...capabilities, control], { clock, logger });
    await lifecycle.start().catch(async (e: unknown) => {
      await server.close();
      throw e;
    });
    const fingerprintSha256 = tls?.fingerprintSha256;
    logStartup(
      logger,
      { url, dataDir, version, fingerprintSha256, setupToken: auth.pendingSetupToken() },
      options.logDestination ? undefined : terminalWriter(),
    );
    let stopping: Promise<void> | undefined;
    const stop = async () => {
      await lifecycle.stop();
      await ports.bus.idle();
      await server.close();
      lock.release();
    };
    return { server, store, auth, logger, ports, capabilities, stop: () => (stopping ??= stop()) };
  } catch (e) {
    lock.release();
    throw e;
  }
}
