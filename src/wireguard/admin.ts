/**
 * @module Managing WireGuard peers, the service catalog and grants: the one place they are written, every change
 * audited; the API, the control socket (CLI) and the UI go through it. Keys go through the secrets port and never
 * come back out except inside a peer's own config. Failures are values with codes; the HTTP edge maps the codes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/record.js';
import type { Clock } from '../core/clock.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Secrets } from '../core/secrets.js';
import type { ExposureSettings, WireguardSettings } from '../config/schema.js';
import { checkServiceHost } from '../exposure/lan-ranges.js';
import type { Store } from '../store/store.js';
import {
  describeIssues,
  grantsSchema,
  parsePorts,
  peerCreateSchema,
  peerPatchSchema,
  serviceCreateSchema,
  servicePatchSchema,
} from './inputs.js';
import { checkKey, generateKeyPair, generatePresharedKey } from './keys.js';
import type { GrantSubject } from './model.js';
import {
  configFacts,
  grantedServiceIds,
  outdatedReasons,
  type ConfigContext,
  type ConfigFacts,
} from './peer-config.js';
import { allocateAddress } from './pool.js';
import { configFileName, renderClientConfig } from './render.js';
import type { Grant, OnboardingLink, Peer, Service } from './slice.js';

export const wireguardAuditTypes = {
  'wireguard.peer-added': 'A WireGuard peer was added',
  'wireguard.peer-changed': 'A WireGuard peer was changed (settings, groups, enabled)',
  'wireguard.peer-removed': 'A WireGuard peer was removed',
  'wireguard.peer-expired': 'A WireGuard peer was disabled because its expiry passed',
  'wireguard.config-downloaded': "A WireGuard peer's config (or its QR code) was fetched",
  'wireguard.key-forgotten': "A peer's private key was removed from the box after its first download",
  'wireguard.link-created': 'A one-time onboarding link was created for a peer',
  'wireguard.link-used': "A one-time onboarding link was opened and the peer's config fetched",
  'wireguard.service-added': 'A LAN service was added to the catalog',
  'wireguard.service-changed': 'A LAN service was changed',
  'wireguard.service-removed': 'A LAN service was removed (with its grants)',
  'wireguard.grants-changed': 'Grants of services to peers or groups were changed',
  'wireguard.applied': 'The WireGuard interface and firewall were applied by hand',
} as const;

export type WireguardFailureCode =
  | 'wireguard.invalid'
  | 'wireguard.duplicate'
  | 'wireguard.peer-not-found'
  | 'wireguard.service-not-found'
  | 'wireguard.pool-full'
  | 'wireguard.no-endpoint'
  | 'wireguard.key-forgotten'
  | 'wireguard.qr-too-long'
  | 'wireguard.link-not-found'
  | 'wireguard.link-used'
  | 'wireguard.link-expired';

export interface WireguardFailure {
  readonly code: WireguardFailureCode;
  readonly message: string;
  /** The input field the failure is about, for the form. */
  readonly field?: string;
}

export interface WireguardActor {
  readonly actor: string;
  readonly clientAddress: string;
}

const invalid = (message: string, field?: string): { ok: false; error: WireguardFailure } =>
  fail({ code: 'wireguard.invalid', message, ...(field === undefined ? {} : { field }) });

/** What the API says of a peer (never a key but the public one). */
export interface PeerView {
  readonly id: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly publicKey: string;
  readonly keyMode: Peer['keyMode'];
  /** Whether the box can still show the config with its private key. */
  readonly privateKeyAvailable: boolean;
  readonly ipv4: string;
  readonly ipv6: string | null;
  readonly enabled: boolean;
  readonly disabledReason: Peer['disabledReason'];
  readonly expiresAt: string | null;
  readonly dns: readonly string[] | null;
  readonly persistentKeepalive: number | null;
  readonly tunnel: Peer['tunnel'];
  /** Effective grants: direct and through groups. */
  readonly services: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly configOutdated: boolean;
  readonly outdatedReasons: readonly string[];
}

export type ServiceView = Service;

export interface RenderedConfig {
  readonly text: string;
  readonly fileName: string;
  readonly facts: ConfigFacts;
}

export interface WireguardAdminDeps {
  readonly store: Store;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly settings: WireguardSettings;
  readonly exposure: ExposureSettings;
  /** The LAN ranges services must lie in (the config's, or detected from the box's interfaces). */
  readonly lanRanges: () => readonly string[];
  /** The box's own addresses (a service on one of them is the box itself, e.g. its admin UI). */
  readonly boxAddresses: () => readonly string[];
  /** Where peers reach the box (host and port), or undefined while it is not known. */
  readonly endpoint: () => { readonly host: string; readonly port: number } | undefined;
  /** The server's public key (made on first use). */
  readonly serverPublicKey: () => Promise<string>;
  /** Told after every change that the interface or the firewall must follow. */
  readonly changed?: (reason: string) => void;
}

export const peerKeyName = (peerId: string): string => `wireguard/peer-${peerId}-key`;
export const peerPskName = (peerId: string): string => `wireguard/peer-${peerId}-psk`;

/** How long the box keeps a `forget-after-download` key after the first fetch (the QR dialog and the download). */
const forgetGraceMs = 10 * 60_000;

export class WireguardAdmin {
  constructor(private readonly deps: WireguardAdminDeps) {}

  private get state() {
    return this.deps.store.read().wireguard;
  }

  private context(): ConfigContext {
    const { settings } = this.deps;
    return {
      pool: settings.pool,
      lanRanges: this.deps.lanRanges(),
      dns: settings.dns,
      persistentKeepalive: settings.persistentKeepalive,
      mtu: settings.mtu,
    };
  }

  /** A peer by id or (case-insensitive) name. */
  findPeer(ref: string): Peer | undefined {
    const lower = ref.toLowerCase();
    return (
      this.state.peers.find((p) => p.id === ref) ??
      this.state.peers.find((p) => p.name.toLowerCase() === lower)
    );
  }

  /** A service by id or name. */
  findService(ref: string): Service | undefined {
    const lower = ref.toLowerCase();
    return this.state.services.find((s) => s.id === ref) ?? this.state.services.find((s) => s.name === lower);
  }

  private grantedHosts(peer: Peer, granted = grantedServiceIds(this.state.grants)): string[] {
    const ids = granted(peer);
    return this.state.services.filter((s) => ids.has(s.id)).map((s) => s.host);
  }

  /** Every peer as the API shows it, in the order they were added (the grants indexed once for all of them). */
  async peers(): Promise<PeerView[]> {
    const serverKey = await this.deps.serverPublicKey();
    const endpoint = this.deps.endpoint();
    const ctx = this.context();
    const granted = grantedServiceIds(this.state.grants);
    return this.state.peers.map((p) => this.view(p, serverKey, endpoint, ctx, granted));
  }

  async peer(ref: string): Promise<Outcome<PeerView, WireguardFailure>> {
    const p = this.findPeer(ref);
    if (!p) return notFound(ref);
    return ok(this.view(p, await this.deps.serverPublicKey(), this.deps.endpoint(), this.context()));
  }

  private view(
    p: Peer,
    serverKey: string,
    endpoint: { host: string; port: number } | undefined,
    ctx: ConfigContext,
    granted = grantedServiceIds(this.state.grants),
  ): PeerView {
    const ids = granted(p);
    const services = this.state.services.filter((s) => ids.has(s.id)).map((s) => s.id);
    const reasons =
      endpoint === undefined
        ? []
        : outdatedReasons(
            p.configSeen,
            configFacts(p, this.grantedHosts(p, granted), endpoint, serverKey, ctx),
          );
    // The box holds the private key unless the peer brought its own or it was forgotten after the first download
    // (the only two ways a peer's key is not kept: the store says which).
    const privateKeyAvailable = p.keyMode !== 'own' && p.privateKeyForgottenAt === null;
    return {
      id: p.id,
      name: p.name,
      groups: p.groups,
      publicKey: p.publicKey,
      keyMode: p.keyMode,
      privateKeyAvailable,
      ipv4: p.ipv4,
      ipv6: p.ipv6,
      enabled: p.enabled,
      disabledReason: p.disabledReason,
      expiresAt: p.expiresAt,
      dns: p.dns,
      persistentKeepalive: p.persistentKeepalive,
      tunnel: p.tunnel,
      services,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      configOutdated: reasons.length > 0,
      outdatedReasons: reasons,
    };
  }

  async addPeer(input: unknown, by: WireguardActor): Promise<Outcome<PeerView, WireguardFailure>> {
    const parsed = peerCreateSchema.safeParse(input);
    if (!parsed.success) {
      const d = describeIssues(parsed.error);
      return invalid(d.message, d.field);
    }
    const body = parsed.data;
    const now = this.deps.clock.now();
    if (this.findPeerByName(body.name))
      return fail({
        code: 'wireguard.duplicate',
        field: 'name',
        message: `a peer named "${body.name}" exists already`,
      });
    if (body.expiresAt !== null && Date.parse(body.expiresAt) <= now.getTime())
      return invalid('the expiry is in the past', 'expiresAt');
    const services: string[] = [];
    for (const ref of body.services) {
      const s = this.findService(ref);
      if (!s)
        return fail({
          code: 'wireguard.service-not-found',
          field: 'services',
          message: `no service "${ref}"`,
        });
      services.push(s.id);
    }
    let publicKey: string;
    let privateKey: string | undefined;
    if (body.keyMode === 'own') {
      if (body.publicKey === undefined)
        return invalid(
          "a peer that brings its own key needs its public key (wg pubkey's output)",
          'publicKey',
        );
      const problem = checkKey(body.publicKey);
      if (problem !== undefined) return invalid(`publicKey: ${problem}`, 'publicKey');
      publicKey = body.publicKey;
    } else {
      if (body.publicKey !== undefined)
        return invalid(
          'a public key is given only with keyMode "own" (the box makes the keys otherwise)',
          'publicKey',
        );
      const pair = generateKeyPair();
      publicKey = pair.publicKey;
      privateKey = pair.privateKey;
    }
    if (this.state.peers.some((p) => p.publicKey === publicKey))
      return fail({
        code: 'wireguard.duplicate',
        field: 'publicKey',
        message: 'another peer has this public key',
      });
    const { pool } = this.deps.settings;
    const ipv4 = allocateAddress(
      pool.ipv4,
      this.state.peers.map((p) => p.ipv4),
    );
    if (!ipv4.ok) return fail({ code: 'wireguard.pool-full', message: ipv4.error.message });
    let ipv6: string | null = null;
    if (pool.ipv6 !== null) {
      const v6 = allocateAddress(
        pool.ipv6,
        this.state.peers.flatMap((p) => (p.ipv6 === null ? [] : [p.ipv6])),
      );
      if (!v6.ok) return fail({ code: 'wireguard.pool-full', message: v6.error.message });
      ipv6 = v6.value;
    }
    const id = this.deps.newId();
    if (privateKey !== undefined) {
      const stored = await this.deps.secrets.set(peerKeyName(id), privateKey);
      if (!stored.ok) return invalid(stored.error.message);
    }
    const psk = await this.deps.secrets.set(peerPskName(id), generatePresharedKey());
    if (!psk.ok) return invalid(psk.error.message);
    const at = now.toISOString();
    const peer: Peer = {
      id,
      name: body.name,
      groups: [...new Set(body.groups)],
      publicKey,
      keyMode: body.keyMode,
      privateKeyForgottenAt: null,
      ipv4: ipv4.value,
      ipv6,
      enabled: true,
      disabledReason: null,
      expiresAt: body.expiresAt,
      dns: body.dns,
      persistentKeepalive: body.persistentKeepalive,
      tunnel: body.tunnel,
      createdAt: at,
      updatedAt: at,
      configSeen: null,
      forgetKeyAt: null,
    };
    await this.deps.store.update((draft, tx) => {
      draft.wireguard.peers.push(peer);
      for (const serviceId of new Set(services))
        draft.wireguard.grants.push({ subject: { kind: 'peer', peerId: id }, serviceId, createdAt: at });
      appendAudit(tx, now, {
        type: 'wireguard.peer-added',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { peer: peer.name, address: peer.ipv4, keyMode: peer.keyMode, services: services.length },
      });
    });
    this.deps.changed?.('peer added');
    return this.peer(id);
  }

  private findPeerByName(name: string, except?: string): Peer | undefined {
    const lower = name.toLowerCase();
    return this.state.peers.find((p) => p.id !== except && p.name.toLowerCase() === lower);
  }

  async updatePeer(
    ref: string,
    input: unknown,
    by: WireguardActor,
  ): Promise<Outcome<PeerView, WireguardFailure>> {
    const parsed = peerPatchSchema.safeParse(input);
    if (!parsed.success) {
      const d = describeIssues(parsed.error);
      return invalid(d.message, d.field);
    }
    const patch = parsed.data;
    const current = this.findPeer(ref);
    if (!current) return notFound(ref);
    if (patch.name !== undefined && this.findPeerByName(patch.name, current.id))
      return fail({
        code: 'wireguard.duplicate',
        field: 'name',
        message: `a peer named "${patch.name}" exists already`,
      });
    const now = this.deps.clock.now();
    if (patch.expiresAt != null && Date.parse(patch.expiresAt) <= now.getTime() && patch.enabled !== false)
      return invalid('the expiry is in the past', 'expiresAt');
    // Enabling a peer whose expiry passed would be undone within the minute: ask for a new expiry with it.
    const expiry = patch.expiresAt === undefined ? current.expiresAt : patch.expiresAt;
    if (patch.enabled === true && expiry !== null && Date.parse(expiry) <= now.getTime())
      return invalid('the peer expired: give it a new expiry (or none) to enable it again', 'expiresAt');
    await this.deps.store.update((draft, tx) => {
      const p = draft.wireguard.peers.find((x) => x.id === current.id);
      if (!p) return;
      if (patch.name !== undefined) p.name = patch.name;
      if (patch.groups !== undefined) p.groups = [...new Set(patch.groups)];
      if (patch.expiresAt !== undefined) p.expiresAt = patch.expiresAt;
      if (patch.dns !== undefined) p.dns = patch.dns;
      if (patch.persistentKeepalive !== undefined) p.persistentKeepalive = patch.persistentKeepalive;
      if (patch.tunnel !== undefined) p.tunnel = patch.tunnel;
      if (patch.enabled !== undefined) {
        p.enabled = patch.enabled;
        p.disabledReason = patch.enabled ? null : 'manual';
      }
      p.updatedAt = now.toISOString();
      appendAudit(tx, now, {
        type: 'wireguard.peer-changed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { peer: p.name, changed: Object.keys(patch).join(',') },
      });
    });
    this.deps.changed?.(patch.enabled === false ? 'peer disabled' : 'peer changed');
    return this.peer(current.id);
  }

  async removePeer(ref: string, by: WireguardActor): Promise<Outcome<{ id: string }, WireguardFailure>> {
    const current = this.findPeer(ref);
    if (!current) return notFound(ref);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      const w = draft.wireguard;
      w.peers = w.peers.filter((p) => p.id !== current.id);
      w.grants = w.grants.filter((g) => !(g.subject.kind === 'peer' && g.subject.peerId === current.id));
      w.links = w.links.filter((l) => l.peerId !== current.id);
      w.publicHandshakes = w.publicHandshakes.filter((h) => h.peerId !== current.id);
      appendAudit(tx, now, {
        type: 'wireguard.peer-removed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { peer: current.name, address: current.ipv4 },
      });
    });
    await this.deps.secrets.delete(peerKeyName(current.id));
    await this.deps.secrets.delete(peerPskName(current.id));
    this.deps.changed?.('peer removed');
    return ok({ id: current.id });
  }

  /**
   * The peer's client config. `fetch` marks it as on the device (the outdated check compares with it) and, for a
   * `forget-after-download` peer, starts the short grace after which the box removes the private key.
   */
  async clientConfig(
    ref: string,
    options: { readonly fetch: boolean; readonly by?: WireguardActor },
  ): Promise<Outcome<RenderedConfig, WireguardFailure>> {
    const p = this.findPeer(ref);
    if (!p) return notFound(ref);
    const endpoint = this.deps.endpoint();
    if (endpoint === undefined)
      return fail({
        code: 'wireguard.no-endpoint',
        message:
          'Gatehouse does not know yet how peers reach it: no DDNS hostname and no agreed public address. Add a ' +
          'DDNS record, wait for reachability to agree on the public address, or set wireguard.endpointHost.',
      });
    let privateKey: string | null = null;
    if (p.keyMode !== 'own') {
      const key = await this.deps.secrets.get(peerKeyName(p.id));
      if (!key.ok || key.value === undefined)
        return fail({
          code: 'wireguard.key-forgotten',
          message:
            `the box no longer holds ${p.name}'s private key (it was forgotten after the first download): ` +
            'remove the peer and add it again for a new config',
        });
      privateKey = key.value;
    }
    const psk = await this.deps.secrets.get(peerPskName(p.id));
    const presharedKey = psk.ok ? (psk.value ?? null) : null;
    const serverPublicKey = await this.deps.serverPublicKey();
    const ctx = this.context();
    const facts = configFacts(p, this.grantedHosts(p), endpoint, serverPublicKey, ctx);
    const text = renderClientConfig({
      privateKey,
      address: { ipv4: p.ipv4, ipv6: p.ipv6 },
      dns: facts.dns,
      mtu: ctx.mtu,
      serverPublicKey,
      presharedKey,
      allowedIps: facts.allowedIps,
      endpoint,
      persistentKeepalive: facts.persistentKeepalive,
    });
    if (options.fetch) {
      const now = this.deps.clock.now();
      await this.deps.store.update((draft, tx) => {
        const d = draft.wireguard.peers.find((x) => x.id === p.id);
        if (!d) return;
        d.configSeen = {
          at: now.toISOString(),
          ...facts,
          allowedIps: [...facts.allowedIps],
          dns: [...facts.dns],
        };
        if (
          d.keyMode === 'forget-after-download' &&
          d.forgetKeyAt === null &&
          d.privateKeyForgottenAt === null
        )
          d.forgetKeyAt = new Date(now.getTime() + forgetGraceMs).toISOString();
        if (options.by)
          appendAudit(tx, now, {
            type: 'wireguard.config-downloaded',
            actor: options.by.actor,
            clientAddress: options.by.clientAddress,
            outcome: 'success',
            details: { peer: d.name },
          });
      });
    }
    return ok({ text, fileName: configFileName(p.name), facts });
  }

  /** Records an apply asked for by hand (API, CLI) and what it did. */
  async auditApply(
    by: WireguardActor,
    report: { readonly ok: boolean; readonly message: string },
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.update((_draft, tx) => {
      appendAudit(tx, now, {
        type: 'wireguard.applied',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: report.ok ? 'success' : 'failure',
        details: { message: report.message.slice(0, 500) },
      });
    });
  }

  /** Removes the private keys whose grace after the first download has passed. */
  async forgetDueKeys(): Promise<number> {
    const now = this.deps.clock.now();
    const due = this.state.peers.filter(
      (p) => p.forgetKeyAt !== null && Date.parse(p.forgetKeyAt) <= now.getTime(),
    );
    for (const p of due) await this.deps.secrets.delete(peerKeyName(p.id));
    if (due.length === 0) return 0;
    const ids = new Set(due.map((p) => p.id));
    await this.deps.store.update((draft, tx) => {
      for (const p of draft.wireguard.peers.filter((x) => ids.has(x.id))) {
        p.forgetKeyAt = null;
        p.privateKeyForgottenAt = now.toISOString();
        appendAudit(tx, now, {
          type: 'wireguard.key-forgotten',
          actor: 'system',
          clientAddress: 'local',
          outcome: 'success',
          details: { peer: p.name },
        });
      }
    });
    return due.length;
  }

  /** Disables the enabled peers whose expiry has passed; returns their names. */
  async expireDue(): Promise<string[]> {
    const now = this.deps.clock.now();
    const due = this.state.peers.filter(
      (p) => p.enabled && p.expiresAt !== null && Date.parse(p.expiresAt) <= now.getTime(),
    );
    if (due.length === 0) return [];
    const ids = new Set(due.map((p) => p.id));
    await this.deps.store.update((draft, tx) => {
      for (const p of draft.wireguard.peers.filter((x) => ids.has(x.id))) {
        p.enabled = false;
        p.disabledReason = 'expired';
        p.updatedAt = now.toISOString();
        appendAudit(tx, now, {
          type: 'wireguard.peer-expired',
          actor: 'system',
          clientAddress: 'local',
          outcome: 'success',
          details: { peer: p.name, expiresAt: p.expiresAt ?? '' },
        });
      }
    });
    return due.map((p) => p.name);
  }

  /** The earliest future expiry of an enabled peer (the capability wakes then), or undefined. */
  nextExpiry(): Date | undefined {
    const times = this.state.peers
      .filter((p) => p.enabled && p.expiresAt !== null)
      .map((p) => Date.parse(p.expiresAt ?? ''));
    const forget = this.state.peers
      .filter((p) => p.forgetKeyAt !== null)
      .map((p) => Date.parse(p.forgetKeyAt ?? ''));
    const all = [...times, ...forget];
    return all.length === 0 ? undefined : new Date(Math.min(...all));
  }

  // ---- services -------------------------------------------------------------------------------------------------

  services(): ServiceView[] {
    return [...this.state.services];
  }

  private checkService(
    host: string,
    port: number | string,
  ): Outcome<{ from: number; to: number }, WireguardFailure> {
    const problem = checkServiceHost(host, this.deps.lanRanges(), this.deps.boxAddresses());
    if (problem !== undefined) return invalid(problem, 'host');
    const ports = parsePorts(port);
    if (typeof ports === 'string') return invalid(ports, 'port');
    return ok(ports);
  }

  async addService(input: unknown, by: WireguardActor): Promise<Outcome<ServiceView, WireguardFailure>> {
    const parsed = serviceCreateSchema.safeParse(input);
    if (!parsed.success) {
      const d = describeIssues(parsed.error);
      return invalid(d.message, d.field);
    }
    const body = parsed.data;
    if (this.state.services.some((s) => s.name === body.name))
      return fail({
        code: 'wireguard.duplicate',
        field: 'name',
        message: `a service named "${body.name}" exists already`,
      });
    const checked = this.checkService(body.host, body.port);
    if (!checked.ok) return checked;
    const now = this.deps.clock.now();
    const service: Service = {
      id: this.deps.newId(),
      name: body.name,
      host: body.host,
      protocol: body.protocol,
      portFrom: checked.value.from,
      portTo: checked.value.to,
      webUrl: body.webUrl,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await this.deps.store.update((draft, tx) => {
      draft.wireguard.services.push(service);
      appendAudit(tx, now, {
        type: 'wireguard.service-added',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: {
          service: service.name,
          host: service.host,
          protocol: service.protocol,
          ports: portText(service),
        },
      });
    });
    this.deps.changed?.('service added');
    return ok(service);
  }

  async updateService(
    ref: string,
    input: unknown,
    by: WireguardActor,
  ): Promise<Outcome<ServiceView, WireguardFailure>> {
    const parsed = servicePatchSchema.safeParse(input);
    if (!parsed.success) {
      const d = describeIssues(parsed.error);
      return invalid(d.message, d.field);
    }
    const patch = parsed.data;
    const current = this.findService(ref);
    if (!current) return serviceNotFound(ref);
    if (
      patch.name !== undefined &&
      this.state.services.some((s) => s.id !== current.id && s.name === patch.name)
    )
      return fail({
        code: 'wireguard.duplicate',
        field: 'name',
        message: `a service named "${patch.name}" exists already`,
      });
    const checked = this.checkService(
      patch.host ?? current.host,
      patch.port ?? `${String(current.portFrom)}-${String(current.portTo)}`,
    );
    if (!checked.ok) return checked;
    const now = this.deps.clock.now();
    const updated = await this.deps.store.update((draft, tx) => {
      const s = draft.wireguard.services.find((x) => x.id === current.id);
      if (!s) return undefined;
      if (patch.name !== undefined) s.name = patch.name;
      if (patch.host !== undefined) s.host = patch.host;
      if (patch.protocol !== undefined) s.protocol = patch.protocol;
      s.portFrom = checked.value.from;
      s.portTo = checked.value.to;
      if (patch.webUrl !== undefined) s.webUrl = patch.webUrl;
      s.updatedAt = now.toISOString();
      appendAudit(tx, now, {
        type: 'wireguard.service-changed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { service: s.name, changed: Object.keys(patch).join(',') },
      });
      return { ...s };
    });
    if (!updated) return serviceNotFound(ref);
    this.deps.changed?.('service changed');
    return ok(updated);
  }

  async removeService(ref: string, by: WireguardActor): Promise<Outcome<{ id: string }, WireguardFailure>> {
    const current = this.findService(ref);
    if (!current) return serviceNotFound(ref);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      const w = draft.wireguard;
      w.services = w.services.filter((s) => s.id !== current.id);
      w.grants = w.grants.filter((g) => g.serviceId !== current.id);
      appendAudit(tx, now, {
        type: 'wireguard.service-removed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { service: current.name },
      });
    });
    this.deps.changed?.('service removed');
    return ok({ id: current.id });
  }

  // ---- grants ---------------------------------------------------------------------------------------------------

  grants(): { subject: GrantSubject; serviceId: string }[] {
    return this.state.grants.map((g) => ({ subject: g.subject, serviceId: g.serviceId }));
  }

  /** Replaces every grant at once (the matrix). Unknown peers or services are refused; nothing changes then. */
  async setGrants(
    input: unknown,
    by: WireguardActor,
  ): Promise<Outcome<{ changed: number }, WireguardFailure>> {
    const parsed = grantsSchema.safeParse(input);
    if (!parsed.success) {
      const d = describeIssues(parsed.error);
      return invalid(d.message, d.field);
    }
    const wanted: { subject: GrantSubject; serviceId: string }[] = [];
    for (const g of parsed.data.grants) {
      if (!this.state.services.some((s) => s.id === g.serviceId)) return serviceNotFound(g.serviceId);
      if (
        g.subject.kind === 'peer' &&
        !this.state.peers.some((p) => p.id === (g.subject as { peerId: string }).peerId)
      )
        return notFound(g.subject.peerId);
      wanted.push(g);
    }
    return this.replaceGrants(dedupeGrants(wanted), by);
  }

  /**
   * Grants (or revokes) services to a peer (`name` or id) or a group (`@group`), as the CLI's `grant` and
   * `revoke` say it.
   */
  async changeGrants(
    subjectRef: string,
    serviceRefs: readonly string[],
    grant: boolean,
    by: WireguardActor,
  ): Promise<Outcome<{ changed: number }, WireguardFailure>> {
    let subject: GrantSubject;
    if (subjectRef.startsWith('@')) {
      const group = subjectRef.slice(1).trim().toLowerCase();
      if (!/^[a-z0-9][a-z0-9._-]{0,31}$/.test(group))
        return invalid(`"${subjectRef}" is not a group name`, 'subject');
      subject = { kind: 'group', group };
    } else {
      const p = this.findPeer(subjectRef);
      if (!p) return notFound(subjectRef);
      subject = { kind: 'peer', peerId: p.id };
    }
    const ids: string[] = [];
    for (const ref of serviceRefs) {
      const s = this.findService(ref);
      if (!s) return serviceNotFound(ref);
      ids.push(s.id);
    }
    const same = (g: { subject: GrantSubject }) => subjectKey(g.subject) === subjectKey(subject);
    const current = this.grants();
    const next = grant
      ? dedupeGrants([...current, ...ids.map((serviceId) => ({ subject, serviceId }))])
      : current.filter((g) => !(same(g) && ids.includes(g.serviceId)));
    return this.replaceGrants(next, by);
  }

  private async replaceGrants(
    next: readonly { subject: GrantSubject; serviceId: string }[],
    by: WireguardActor,
  ): Promise<Outcome<{ changed: number }, WireguardFailure>> {
    const key = (g: { subject: GrantSubject; serviceId: string }) =>
      `${subjectKey(g.subject)}>${g.serviceId}`;
    const before = new Set(this.state.grants.map(key));
    const after = new Set(next.map(key));
    const added = [...after].filter((k) => !before.has(k)).length;
    const removed = [...before].filter((k) => !after.has(k)).length;
    if (added + removed === 0) return ok({ changed: 0 });
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      const kept = new Map(draft.wireguard.grants.map((g) => [key(g), g.createdAt]));
      draft.wireguard.grants = next.map((g): Grant => ({
        subject: g.subject,
        serviceId: g.serviceId,
        createdAt: kept.get(key(g)) ?? now.toISOString(),
      }));
      appendAudit(tx, now, {
        type: 'wireguard.grants-changed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { added, removed },
      });
    });
    this.deps.changed?.('grants changed');
    return ok({ changed: added + removed });
  }

  // ---- one-time onboarding links ---------------------------------------------------------------------------------

  /** A new one-time link for the peer; the token is returned once and only its hash is kept. */
  async createLink(
    ref: string,
    minutes: number,
    by: WireguardActor,
  ): Promise<Outcome<{ token: string; expiresAt: string }, WireguardFailure>> {
    const p = this.findPeer(ref);
    if (!p) return notFound(ref);
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440)
      return invalid('a link lasts 5 to 1440 minutes', 'minutes');
    if (p.keyMode !== 'own') {
      const has = await this.deps.secrets.has(peerKeyName(p.id));
      if (!has.ok || !has.value)
        return fail({
          code: 'wireguard.key-forgotten',
          message: `the box no longer holds ${p.name}'s private key`,
        });
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const link: OnboardingLink = {
      id: this.deps.newId(),
      peerId: p.id,
      tokenSha256: sha256(token),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
      openedAt: null,
      usedAt: null,
    };
    await this.deps.store.update((draft, tx) => {
      // One live link per peer: a new one replaces the old.
      draft.wireguard.links = [...draft.wireguard.links.filter((l) => l.peerId !== p.id), link];
      appendAudit(tx, now, {
        type: 'wireguard.link-created',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { peer: p.name, expiresAt: link.expiresAt },
      });
    });
    return ok({ token, expiresAt: link.expiresAt });
  }

  /** What a link is for, without spending it (the page before the button). */
  peekLink(token: string): Outcome<{ peerName: string; expiresAt: string }, WireguardFailure> {
    const link = this.state.links.find((l) => l.tokenSha256 === sha256(token));
    if (!link)
      return fail({ code: 'wireguard.link-not-found', message: 'this link is not known (or was replaced)' });
    const now = this.deps.clock.now().getTime();
    if (link.usedAt !== null)
      return fail({ code: 'wireguard.link-used', message: 'this link was used already: ask for a new one' });
    if (Date.parse(link.expiresAt) <= now)
      return fail({ code: 'wireguard.link-expired', message: 'this link expired: ask for a new one' });
    const peer = this.state.peers.find((p) => p.id === link.peerId);
    if (!peer)
      return fail({ code: 'wireguard.link-not-found', message: 'the peer of this link was removed' });
    return ok({ peerName: peer.name, expiresAt: link.expiresAt });
  }

  /**
   * Uses a one-time link: the first use renders the config and kills the link (a browser's repeated request within
   * a few seconds gets the same answer). Unknown → not found; used or expired → its own code (the page says which).
   */
  async useLink(
    token: string,
    clientAddress: string,
  ): Promise<Outcome<{ config: RenderedConfig; peerName: string }, WireguardFailure>> {
    const hash = sha256(token);
    const link = this.state.links.find((l) => l.tokenSha256 === hash);
    if (!link)
      return fail({ code: 'wireguard.link-not-found', message: 'this link is not known (or was replaced)' });
    const now = this.deps.clock.now();
    const graceMs = 10_000;
    if (link.usedAt !== null && now.getTime() - Date.parse(link.usedAt) > graceMs)
      return fail({ code: 'wireguard.link-used', message: 'this link was used already: ask for a new one' });
    if (link.usedAt === null && Date.parse(link.expiresAt) <= now.getTime())
      return fail({ code: 'wireguard.link-expired', message: 'this link expired: ask for a new one' });
    const peer = this.state.peers.find((p) => p.id === link.peerId);
    if (!peer)
      return fail({ code: 'wireguard.link-not-found', message: 'the peer of this link was removed' });
    const config = await this.clientConfig(peer.id, { fetch: true });
    if (!config.ok) return config;
    if (link.usedAt === null)
      await this.deps.store.update((draft, tx) => {
        const l = draft.wireguard.links.find((x) => x.id === link.id);
        if (!l) return;
        l.usedAt = now.toISOString();
        appendAudit(tx, now, {
          type: 'wireguard.link-used',
          actor: 'link',
          clientAddress,
          outcome: 'success',
          details: { peer: peer.name },
        });
      });
    return ok({ config: config.value, peerName: peer.name });
  }

  /** Drops links that expired or were used more than a day ago. */
  async pruneLinks(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const dead = (l: OnboardingLink) => Date.parse(l.usedAt ?? l.expiresAt) + 24 * 3600_000 < now;
    if (!this.state.links.some(dead)) return;
    await this.deps.store.update((draft) => {
      draft.wireguard.links = draft.wireguard.links.filter((l) => !dead(l));
    });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function subjectKey(s: GrantSubject): string {
  return s.kind === 'peer' ? `peer:${s.peerId}` : `group:${s.group}`;
}

function dedupeGrants<G extends { subject: GrantSubject; serviceId: string }>(list: readonly G[]): G[] {
  const seen = new Set<string>();
  return list.filter((g) => {
    const k = `${subjectKey(g.subject)}>${g.serviceId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function portText(s: Pick<Service, 'portFrom' | 'portTo'>): string {
  return s.portFrom === s.portTo ? String(s.portFrom) : `${String(s.portFrom)}-${String(s.portTo)}`;
}

function notFound(ref: string): { ok: false; error: WireguardFailure } {
  return fail({ code: 'wireguard.peer-not-found', message: `no peer "${ref}"` });
}

function serviceNotFound(ref: string): { ok: false; error: WireguardFailure } {
  return fail({ code: 'wireguard.service-not-found', message: `no service "${ref}"` });
}
