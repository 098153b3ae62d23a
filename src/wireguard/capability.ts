/**
 * @module The WireGuard capability: the endpoint (interface, server key, peers), the service catalog and grants
 * enforced by Gatehouse's nftables table, client configs and QR codes, one-time onboarding links, and the live
 * status of peers. It follows `ddns.applied`, `reach.address-accepted` and `portmap.changed` to keep the endpoint of
 * client configs current (`wg.endpoint-changed`), and publishes `wg.handshake` — a handshake from a public address
 * is the proof that the box is reachable from outside.
 */
import { randomUUID } from 'node:crypto';
import type { AlertSink } from '../alerts/service.js';
import type { ExposureSettings, ReachabilitySettings, WireguardSettings } from '../config/schema.js';
import type { Capability } from '../core/capability.js';
import type { Ports } from '../core/ports.js';
import { detectLanRanges, type InterfaceEntry } from '../exposure/lan-ranges.js';
import type { NftFirewall } from '../exposure/nft.js';
import type { Store } from '../store/store.js';
import { WireguardAdmin, wireguardAuditTypes } from './admin.js';
import { wireguardRules } from './alert-rules.js';
import { planConditions, type ConditionState } from './conditions.js';
import { controlRoutes } from './control-routes.js';
import { generateKeyPair, publicKeyOf } from './keys.js';
import { checkPool, poolOverlaps } from './pool.js';
import { isPublicEndpoint, peerStatus } from './peer-status.js';
import { Reconciler, type Forwarding } from './reconciler.js';
import { onboardingRoutes, wireguardRoutes } from './routes.js';
import { wireguardCard } from './status-card.js';
import type { WgDevice } from './wg-cli.js';

declare module '../core/events.js' {
  interface GatehouseEvents {
    /** Where client configs point now (host and port); published when it changes. */
    'wg.endpoint-changed': { readonly host: string; readonly port: number; readonly previous: string | null };
    /** A peer completed a handshake (seen in `wg show dump`); `public`: from an address on the internet. */
    'wg.handshake': {
      readonly peerId: string;
      readonly peerName: string;
      readonly endpoint: string | null;
      readonly at: string;
      readonly public: boolean;
    };
  }
}

export interface WireguardDeps {
  readonly store: Store;
  readonly alerts: AlertSink;
  readonly device: WgDevice;
  readonly firewall: NftFirewall;
  readonly forwarding: Forwarding;
  /** The box's interfaces (os.networkInterfaces()): LAN ranges when the config names none, and the box's addresses. */
  readonly interfaces: () => Record<string, readonly InterfaceEntry[] | undefined>;
  /** Reachability's public ranges: documentation ranges count as public in a test bed. */
  readonly reachability: Pick<ReachabilitySettings, 'publicRanges'>;
  /**
   * Built for a command line with no server running: changes are stored, never applied (the interface and the
   * firewall belong to the server, which applies them when it starts).
   */
  readonly offline?: boolean;
}

export interface WireguardCapability extends Capability {
  readonly admin: WireguardAdmin;
  readonly reconciler: Reconciler;
}

export const serverKeyName = 'wireguard/server-key';

export function createWireguard(
  ports: Ports,
  settings: { readonly wireguard: WireguardSettings; readonly exposure: ExposureSettings },
  deps: WireguardDeps,
): WireguardCapability {
  const { store } = deps;
  const { wireguard, exposure } = settings;
  const { clock, bus, secrets } = ports;
  const logger = ports.logger.child({ capability: 'wireguard' });

  const lanRanges = (): readonly string[] =>
    exposure.lanRanges ?? detectLanRanges(deps.interfaces(), [wireguard.interface]);
  const boxAddresses = (): readonly string[] =>
    Object.entries(deps.interfaces())
      .filter(([name]) => name !== wireguard.interface)
      .flatMap(([, list]) => (list ?? []).filter((a) => !a.internal).map((a) => a.address));

  /** The pool must be a private (or ULA) range outside every LAN range: else peers and LAN devices collide. */
  const settingsProblem = (): string | undefined => {
    const { ipv4, ipv6 } = wireguard.pool;
    const problem =
      checkPool(ipv4, 'ipv4') ??
      (ipv6 === null ? undefined : checkPool(ipv6, 'ipv6')) ??
      poolOverlaps(ipv4, lanRanges()) ??
      (ipv6 === null ? undefined : poolOverlaps(ipv6, lanRanges()));
    return problem === undefined ? undefined : `wireguard.pool: ${problem}`;
  };

  let serverKey: { privateKey: string; publicKey: string } | undefined;
  const loadServerKey = async () => {
    if (serverKey) return serverKey;
    const stored = await secrets.get(serverKeyName);
    if (stored.ok && stored.value !== undefined) {
      const pub = publicKeyOf(stored.value);
      if (pub.ok) return (serverKey = { privateKey: stored.value, publicKey: pub.value });
      logger.warn({}, 'the stored server key is not a WireGuard key; a new one is made');
    }
    const pair = generateKeyPair();
    const saved = await secrets.set(serverKeyName, pair.privateKey);
    if (!saved.ok) throw new Error(`could not store the server key: ${saved.error.message}`);
    logger.info({ publicKey: pair.publicKey }, 'made the WireGuard server key');
    return (serverKey = pair);
  };

  /** Where peers reach the box: the configured host, else the first DDNS hostname, else the accepted IPv4. */
  const endpoint = (): { host: string; port: number } | undefined => {
    const mapping = bus.last('portmap.changed');
    const port =
      mapping?.state === 'mapped' && mapping.externalPort !== undefined
        ? mapping.externalPort
        : wireguard.listenPort;
    if (wireguard.endpointHost !== null) return { host: wireguard.endpointHost, port };
    const doc = store.read();
    const record = doc.ddns.records.find((r) => r.enabled && r.value.kind === 'public');
    if (record) return { host: record.hostname, port };
    const v4 = doc.reachability.current.ipv4;
    return v4 === null ? undefined : { host: v4, port };
  };

  const reconciler = new Reconciler({
    store,
    secrets,
    clock,
    logger,
    settings: wireguard,
    exposure,
    device: deps.device,
    firewall: deps.firewall,
    forwarding: deps.forwarding,
    lanRanges,
    boxAddresses,
    serverKey: loadServerKey,
    settingsProblem,
  });

  let wake: (() => void) | undefined;
  const admin = new WireguardAdmin({
    store,
    secrets,
    clock,
    newId: () => randomUUID(),
    settings: wireguard,
    exposure,
    lanRanges,
    boxAddresses,
    endpoint,
    serverPublicKey: async () => (await loadServerKey()).publicKey,
    changed: (reason) => {
      if (deps.offline === true) return;
      void reconciler.request(reason).then(() => conditions());
      // An expiry set or changed moves the loop's next wake-up.
      wake?.();
    },
  });

  // ---- endpoint follow-up ---------------------------------------------------------------------------------------
  let lastEndpoint: string | null = null;
  const followEndpoint = () => {
    const now = endpoint();
    const text = now === undefined ? null : `${now.host}:${String(now.port)}`;
    if (now === undefined || text === lastEndpoint) return;
    const previous = lastEndpoint;
    lastEndpoint = text;
    bus.publish('wg.endpoint-changed', { host: now.host, port: now.port, previous });
  };

  // ---- handshakes: proof and status ----------------------------------------------------------------------------
  const lastSeen = new Map<string, number>();
  const trackHandshakes = async () => {
    const dump = reconciler.status.dump;
    if (!dump) return;
    const peers = store.read().wireguard.peers;
    const byKey = new Map(peers.map((p) => [p.publicKey, p]));
    const publicSeen: { peerId: string; at: string; endpoint: string }[] = [];
    for (const d of dump.peers) {
      const peer = byKey.get(d.publicKey);
      if (!peer || d.latestHandshake === null) continue;
      if (lastSeen.get(peer.id) === d.latestHandshake) continue;
      lastSeen.set(peer.id, d.latestHandshake);
      const at = new Date(d.latestHandshake * 1000).toISOString();
      const isPublic = d.endpoint !== null && isPublicEndpoint(d.endpoint, deps.reachability.publicRanges);
      bus.publish('wg.handshake', {
        peerId: peer.id,
        peerName: peer.name,
        endpoint: d.endpoint,
        at,
        public: isPublic,
      });
      if (isPublic) publicSeen.push({ peerId: peer.id, at, endpoint: d.endpoint });
    }
    // The proof is kept across restarts; written at most once per peer per five minutes (handshakes come every 2).
    const known = new Map(store.read().wireguard.publicHandshakes.map((h) => [h.peerId, h]));
    const worth = publicSeen.filter((h) => {
      const before = known.get(h.peerId);
      return (
        !before || Date.parse(h.at) - Date.parse(before.at) >= 5 * 60_000 || before.endpoint !== h.endpoint
      );
    });
    if (worth.length === 0) return;
    await store.update((draft) => {
      const list = draft.wireguard.publicHandshakes;
      for (const h of worth) {
        const i = list.findIndex((x) => x.peerId === h.peerId);
        if (i >= 0) list[i] = h;
        else list.push(h);
      }
    });
  };

  // ---- conditions → alerts --------------------------------------------------------------------------------------
  let active = new Set<string>();
  const startedAt = clock.now();
  const conditions = async () => {
    const doc = store.read().wireguard;
    const state: ConditionState = {
      enabled: wireguard.enabled,
      peers: doc.peers.length,
      status: reconciler.status,
      lastApply: doc.lastApply,
      publicHandshakes: doc.publicHandshakes,
      now: clock.now(),
      upSince: startedAt,
    };
    const wanted = planConditions(state);
    const keys = new Set(wanted.map((c) => c.rule));
    for (const c of wanted) await deps.alerts.raise(c);
    for (const rule of active) if (!keys.has(rule)) await deps.alerts.clear(rule, '');
    active = keys;
  };

  // ---- the loop -------------------------------------------------------------------------------------------------
  let stopping: AbortController | undefined;
  let loop: Promise<void> | undefined;
  const tick = async () => {
    const expired = await admin.expireDue();
    if (expired.length > 0) logger.info({ peers: expired }, 'peers expired and were disabled');
    await admin.forgetDueKeys();
    await admin.pruneLinks();
    await reconciler.request(expired.length > 0 ? 'peer expired' : 'check');
    await trackHandshakes();
    followEndpoint();
    await conditions();
  };
  const run = async (signal: AbortSignal) => {
    while (!signal.aborted) {
      try {
        await tick();
      } catch (e) {
        logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'WireGuard check failed');
      }
      const next = admin.nextExpiry();
      const checkMs = wireguard.checkSeconds * 1000;
      const untilExpiry = next === undefined ? checkMs : Math.max(0, next.getTime() - clock.now().getTime());
      const early = new AbortController();
      wake = () => early.abort();
      // Either ends the sleep: a stop (even one that came while the tick ran) or a change that moves an expiry.
      await clock
        .sleep(Math.min(checkMs, untilExpiry), AbortSignal.any([signal, early.signal]))
        .catch(() => undefined);
      wake = undefined;
    }
  };

  const unsubscribe: (() => void)[] = [];
  return {
    id: 'wireguard',
    admin,
    reconciler,
    routes: wireguardRoutes({
      admin,
      reconciler,
      store,
      firewall: deps.firewall,
      settings: wireguard,
      lanRanges,
      endpoint,
      serverPublicKey: async () => (await loadServerKey()).publicKey,
      nowMs: () => clock.now().getTime(),
    }),
    publicRoutes: onboardingRoutes(admin),
    controlRoutes: controlRoutes({ admin, reconciler }),
    statusCards: [
      wireguardCard({
        store,
        status: () => reconciler.status,
        settings: wireguard,
        nowMs: () => clock.now().getTime(),
        peerStatus,
      }),
    ],
    alertRules: wireguardRules,
    auditTypes: wireguardAuditTypes,
    uiPages: ['peers', 'services'],
    start() {
      for (const topic of ['ddns.applied', 'reach.address-accepted', 'portmap.changed'] as const)
        unsubscribe.push(bus.subscribe(topic, () => followEndpoint()));
      followEndpoint();
      stopping = new AbortController();
      loop = run(stopping.signal);
    },
    async stop() {
      for (const u of unsubscribe.splice(0)) u();
      stopping?.abort();
      await loop;
      await reconciler.stop();
    },
  };
}
