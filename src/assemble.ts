/**
 * @module What the server and the test harness both run on top of the ports: the admin account, the capabilities
 * (main.ts lists them) and the HTTP app with the dashboard's core cards. One wiring for both, so a test exercises
 * the app that ships.
 */
import type { AlertsCapability } from './alerts/capability.js';
import type { AuditTypeRegistry } from './audit/registry.js';
import type { KeyAndCert } from './cert/bootstrap.js';
import type { AcmeCaFactory } from './cert/ports.js';
import { createAuditTypesCapability } from './audit/routes.js';
import { AuthService } from './auth/service.js';
import { sessionPolicyOf } from './auth/sessions.js';
import type { AppConfig } from './config/index.js';
import type { Capability } from './core/capability.js';
import type { Ports } from './core/ports.js';
import { createHostAllowList } from './http/allowed-hosts.js';
import { createApp } from './http/app.js';
import type { StaticAssets } from './http/assets.js';
import { createMetrics } from './http/metrics.js';
import type { AlertSink } from './reach/alerts-port.js';
import type { ReachabilityAdapters } from './reach/capability.js';
import { systemCard } from './status/core-cards.js';
import type { Store } from './store/store.js';

export interface CapabilityDeps {
  readonly store: Store;
  /** Each capability's audit types are registered here (the store refuses unregistered ones). */
  readonly auditTypes: AuditTypeRegistry;
  readonly adapters: ReachabilityAdapters;
  /** Where reachability's alerts go instead of the alerts engine (tests). */
  readonly alertSink?: AlertSink;
  /**
   * Built for a command line with no server running: capabilities store changes but do not apply them to the
   * system (WireGuard's interface and firewall belong to the server).
   */
  readonly offline?: boolean;
  /** The ACME CA adapter (tests: a fake CA); default: acme-client against the configured directory. */
  readonly acmeCa?: AcmeCaFactory;
  /** The self-signed certificate the HTTPS listener serves by default (absent when it serves plain HTTP). */
  readonly bootstrapCertificate?: KeyAndCert & { readonly fingerprintSha256: string };
}

export type CapabilityList = (
  ports: Ports,
  config: AppConfig,
  deps: CapabilityDeps,
) => { readonly capabilities: readonly Capability[]; readonly alerts: AlertsCapability };

export interface AssemblyDeps extends CapabilityDeps {
  readonly version: string;
  readonly startedAt: Date;
  /** Where the server listens (known once it listens), for the system card. */
  readonly listenUrl: () => string;
  readonly assets: StaticAssets;
  readonly processMetrics: boolean;
  /**
   * The machine's names and a reader of its interface addresses (main.ts: os.hostname(), os.networkInterfaces()),
   * which the Host check accepts besides the listen host, loopback and the allowedHosts setting.
   */
  readonly machine?: { readonly names: readonly string[]; readonly addresses: () => readonly string[] };
  /** Capabilities that replace the listed ones of the same id (tests: e.g. reachability around a scripted probe). */
  readonly replace?: readonly Capability[];
}

/** The admin account, the capabilities and the HTTP app on top: what the server and the test harness both run. */
export function assembleGatehouse(
  ports: Ports,
  config: AppConfig,
  /** main.ts's createCapabilities: the list of capabilities. */
  list: CapabilityList,
  deps: AssemblyDeps,
) {
  const { store } = deps;
  const { clock, logger, files } = ports;
  const metrics = createMetrics({ processMetrics: deps.processMetrics });
  const sessionPolicy = sessionPolicyOf(config);
  const events = metrics.authEvents;
  const auth = new AuthService({
    store,
    clock,
    logger,
    files,
    dataDir: config.dataDir,
    sessionPolicy,
    events,
  });
  const made = list(ports, config, deps);
  const capabilities = made.capabilities.map((c) => deps.replace?.find((r) => r.id === c.id) ?? c);
  // The dashboard and the control socket's status show the same core cards, then the capabilities' own.
  const { version, startedAt, listenUrl } = deps;
  // (The admin-security card is the security capability's, with its alert.)
  const providers = [systemCard({ version, startedAt, clock, listenUrl, tls: config.tls })];
  const hosts = createHostAllowList({
    listenHost: config.listen.host,
    configured: config.allowedHosts,
    machineNames: deps.machine?.names ?? [],
    ...(deps.machine ? { ownAddresses: deps.machine.addresses } : {}),
  });
  // A capability with names of its own (DDNS hostnames) is asked for them at each check.
  for (const c of capabilities) if (c.hostNames) hosts.provide(c.hostNames);
  const app = createApp({
    ...{ store, auth, clock, logger, metrics, version, tls: config.tls, trustProxy: config.trustProxy },
    hosts,
    statusProviders: providers,
    // The audit log's list of types is the core's, but is filled by the capabilities: served beside theirs.
    capabilities: [...capabilities, createAuditTypesCapability(deps.auditTypes)],
    assets: deps.assets,
  });
  return { app, auth, metrics, capabilities, alerts: made.alerts, providers };
}
