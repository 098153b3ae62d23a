/**
 * @module The DDNS capability: keeps hostnames pointed at this box. It follows `reach.address-accepted`, updates
 * the records at their providers, verifies them at the authoritative servers and publishes `ddns.applied`; it
 * contributes the API, the control-socket routes of `gatehouse ddns`, the dashboard card, its alert rules and
 * audit types, and its hostnames to the Host check.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { readJsonBody, type ControlEnv } from '../control/api.js';
import type { Capability } from '../core/capability.js';
import type { Ports } from '../core/ports.js';
import type { AlertSink } from '../alerts/service.js';
import type { DdnsSettings, ReachabilitySettings } from '../config/schema.js';
import { ApiProblem } from '../http/errors.js';
import type { Store } from '../store/store.js';
import { DdnsAdmin, ddnsAuditTypes } from './admin.js';
import { ddnsRules } from './alert-rules.js';
import { DdnsEngine, type ServedLookup } from './engine.js';
import { createDdnsInbound, type DdnsInbound } from './inbound/index.js';
import type { ProviderDeps } from './provider.js';
import type { ProviderDescriptor } from './providers/descriptor.js';
import { providerRegistry } from './providers/index.js';
import { ddnsRoutes, failDdns, runJson } from './routes.js';
import { createServedLookup, type ServedLookupDeps } from './served.js';
import { createTxtAccess, type TxtAccessPort } from './txt-access.js';
import { createConditionSync } from './conditions.js';
import { ddnsCard } from './status-card.js';
import { readVersion } from '../version.js';

export interface DdnsDeps {
  readonly store: Store;
  readonly alerts: AlertSink;
  /** The providers by kind; default: every provider Gatehouse speaks to (providers/index.ts). */
  readonly providers?: ReadonlyMap<string, ProviderDescriptor>;
  /**
   * The sockets DNS needs (UDP shared with reachability, TCP for long answers) and the resolv.conf reader
   * (default: /etc/resolv.conf through the files port).
   */
  readonly adapters: Omit<ServedLookupDeps, 'clock' | 'resolvConf'> &
    Partial<Pick<ServedLookupDeps, 'resolvConf'>>;
  /** Sent with every provider request (default `Gatehouse/<version>`); the dyndns2 adapter shapes it as each service asks. */
  readonly userAgent?: string;
  /** Replaces the authoritative lookup (tests). */
  readonly served?: ServedLookup;
  /** Reachability's public ranges: documentation ranges count as public in a test bed. */
  readonly reachability: Pick<ReachabilitySettings, 'publicRanges'>;
}

export interface DdnsCapability extends Capability {
  readonly admin: DdnsAdmin;
  /** Undefined when `ddns.enabled` is false. */
  readonly engine: DdnsEngine | undefined;
  /** The inbound dyndns2 endpoint and its clients. */
  readonly inbound: DdnsInbound;
  /** The account that can write a name's TXT records (ACME DNS-01), with its provider and authoritative lookup. */
  readonly txtAccess: TxtAccessPort;
}

const local = { actor: 'local', clientAddress: 'local' } as const;

/** The routes `gatehouse ddns …` uses on the control socket (the caller is the local administrator). */
function controlRoutes(admin: DdnsAdmin, engine: DdnsEngine | undefined) {
  const needEngine = () => {
    if (!engine) throw failOff();
    return engine;
  };
  const idBody = z.object({ id: z.string().min(1).max(64) }).strict();
  return new Hono<ControlEnv>()
    .get('/list', async (c) => c.json({ records: admin.records(), accounts: await admin.accounts() }))
    .get('/providers', (c) => c.json(admin.providers()))
    .get('/plan', async (c) => c.json((await needEngine().plan()).map(runJson)))
    .post('/update', async (c) => {
      const runner = needEngine();
      await admin.auditUpdateRequest(local);
      return c.json((await runner.reconcile('asked from the command line')).map(runJson));
    })
    .post('/records', async (c) => {
      const r = await admin.addRecord(await readJsonBody(c, z.record(z.string(), z.unknown())), local);
      if (!r.ok) return failDdns(r.error);
      void engine?.reconcile('record added');
      return c.json(r.value, 201);
    })
    .post('/records/remove', async (c) => {
      const r = await admin.removeRecord((await readJsonBody(c, idBody)).id, local);
      if (!r.ok) return failDdns(r.error);
      return c.json({ ok: true });
    })
    .post('/accounts', async (c) => {
      const r = await admin.addAccount(await readJsonBody(c, z.record(z.string(), z.unknown())), local);
      if (!r.ok) return failDdns(r.error);
      return c.json(r.value, 201);
    })
    .post('/accounts/test', async (c) => {
      const body = await readJsonBody(
        c,
        z.object({ id: z.string().min(1).max(64), zone: z.string().max(253).optional() }).strict(),
      );
      const r = await admin.testAccount({ id: body.id }, body.zone, local);
      if (!r.ok) return failDdns(r.error);
      return c.json(r.value);
    })
    .post('/accounts/remove', async (c) => {
      const r = await admin.removeAccount((await readJsonBody(c, idBody)).id, local);
      if (!r.ok) return failDdns(r.error);
      return c.json({ ok: true });
    });
}

function failOff(): ApiProblem {
  return new ApiProblem(409, 'ddns.off', 'the DDNS engine is turned off (ddns.enabled)');
}

export function createDdns(ports: Ports, settings: DdnsSettings, deps: DdnsDeps): DdnsCapability {
  const { store } = deps;
  const providers = deps.providers ?? providerRegistry;
  const providerDeps: ProviderDeps = {
    udp: deps.adapters.udp,
    ...(deps.adapters.tcp ? { tcp: deps.adapters.tcp } : {}),
    userAgent: deps.userAgent ?? `Gatehouse/${readVersion()}`,
    fetch: ports.fetch,
    clock: ports.clock,
  };
  const resolvConf = deps.adapters.resolvConf ?? (() => ports.files.read('/etc/resolv.conf'));
  const served =
    deps.served ?? createServedLookup({ ...deps.adapters, resolvConf, clock: ports.clock }, settings);
  const conditions = createConditionSync({
    store,
    alerts: deps.alerts,
    verifySeconds: settings.verifySeconds,
  });
  const admin = new DdnsAdmin({
    store,
    secrets: ports.secrets,
    providers,
    providerDeps,
    clock: ports.clock,
    newId: () => randomUUID(),
    // A record or account removed or changed may end a condition (or start one) before the next run.
    changed: () => void (settings.enabled ? conditions.sync() : undefined),
  });
  const engine = settings.enabled
    ? new DdnsEngine({
        store,
        secrets: ports.secrets,
        providers,
        providerDeps,
        served,
        clock: ports.clock,
        logger: ports.logger.child({ capability: 'ddns' }),
        alerts: deps.alerts,
        conditions,
        bus: ports.bus,
        publicRanges: deps.reachability.publicRanges,
        verifyTimeoutMs: settings.verifySeconds * 1000,
        recheckMs: settings.recheckSeconds * 1000,
      })
    : undefined;
  // The inbound dyndns2 endpoint: routers and ddclient / inadyn push their WAN address to reachability.
  const inbound = createDdnsInbound({
    store,
    clock: ports.clock,
    bus: ports.bus,
    logger: ports.logger.child({ capability: 'ddns', module: 'inbound' }),
    publicRanges: () => deps.reachability.publicRanges,
  });
  return {
    id: 'ddns',
    admin,
    engine,
    inbound,
    txtAccess: createTxtAccess({ store, secrets: ports.secrets, providers, providerDeps, served }),
    routes: ddnsRoutes(admin, engine, store, inbound.clients),
    publicRoutes: inbound.app,
    controlRoutes: controlRoutes(admin, engine).route('/', inbound.controlRoutes),
    statusCards: [ddnsCard(store, engine !== undefined)],
    alertRules: ddnsRules,
    auditTypes: { ...ddnsAuditTypes, ...inbound.auditTypes },
    hostNames: () => [
      ...new Set([...store.read().ddns.records.map((r) => r.hostname), ...inbound.hostNames()]),
    ],
    uiPages: ['ddns'],
    async start() {
      // With DDNS off nothing keeps a condition true or ends it: the alerts of an earlier run end here.
      if (!engine) await conditions.clearAll();
      engine?.start();
      // Records pending from before a restart, and any change while the box was down.
      void engine?.reconcile('start');
    },
    async stop() {
      await engine?.stop();
    },
  };
}
