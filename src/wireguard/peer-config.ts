/**
 * @module What a peer's client config says, computed from the store's data: the services it is granted (directly
 * and through its groups), the addresses its client routes into the tunnel, and whether the config on the device
 * is outdated (and why). Pure.
 */
import { clientAllowedIps } from './allowed-ips.js';
import type { GrantSpec, PeerSpec, ServiceSpec } from './model.js';
import { serverAddress } from './pool.js';

/**
 * The grants indexed once: a function from a peer to the ids of the services granted to it, directly or through
 * one of its groups. For many peers at once (the peers list): each lookup costs the peer's grants, not all grants.
 */
export function grantedServiceIds(
  grants: readonly GrantSpec[],
): (peer: Pick<PeerSpec, 'id' | 'groups'>) => ReadonlySet<string> {
  const byPeer = new Map<string, string[]>();
  const byGroup = new Map<string, string[]>();
  for (const g of grants) {
    const [index, key] = g.subject.kind === 'peer' ? [byPeer, g.subject.peerId] : [byGroup, g.subject.group];
    index.set(key, [...(index.get(key) ?? []), g.serviceId]);
  }
  return (peer) =>
    new Set([...(byPeer.get(peer.id) ?? []), ...peer.groups.flatMap((group) => byGroup.get(group) ?? [])]);
}

/** Ids of the services granted to `peer`, directly or through one of its groups, in catalog order. */
export function effectiveServiceIds(
  peer: Pick<PeerSpec, 'id' | 'groups'>,
  grants: readonly GrantSpec[],
  services: readonly Pick<ServiceSpec, 'id'>[],
): string[] {
  const granted = grantedServiceIds(grants)(peer);
  return services.filter((s) => granted.has(s.id)).map((s) => s.id);
}

export interface ConfigContext {
  readonly pool: { readonly ipv4: string; readonly ipv6: string | null };
  readonly lanRanges: readonly string[];
  /** Interface defaults for peers that have none of their own. */
  readonly dns: readonly string[];
  readonly persistentKeepalive: number;
  readonly mtu: number | null;
}

/** The values a config carries besides the keys: what the device must match to be current. */
export interface ConfigFacts {
  readonly endpoint: string;
  readonly allowedIps: readonly string[];
  readonly dns: readonly string[];
  readonly persistentKeepalive: number;
  readonly serverPublicKey: string;
}

/** The server's tunnel addresses (one per family of the pool). */
export function serverTunnelAddresses(pool: ConfigContext['pool']): string[] {
  return [serverAddress(pool.ipv4), ...(pool.ipv6 === null ? [] : [serverAddress(pool.ipv6)])];
}

/** The facts of `peer`'s config now. */
export function configFacts(
  peer: Pick<PeerSpec, 'tunnel' | 'dns' | 'persistentKeepalive'>,
  grantedHosts: readonly string[],
  endpoint: { readonly host: string; readonly port: number },
  serverPublicKey: string,
  ctx: ConfigContext,
): ConfigFacts {
  return {
    endpoint: formatEndpoint(endpoint),
    allowedIps: clientAllowedIps({
      mode: peer.tunnel,
      serviceHosts: grantedHosts,
      lanRanges: ctx.lanRanges,
      serverAddresses: serverTunnelAddresses(ctx.pool),
      ipv6: ctx.pool.ipv6 !== null,
    }),
    dns: peer.dns ?? ctx.dns,
    persistentKeepalive: peer.persistentKeepalive ?? ctx.persistentKeepalive,
    serverPublicKey,
  };
}

/** `host:port`, an IPv6 literal in brackets. */
export function formatEndpoint(endpoint: { readonly host: string; readonly port: number }): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${String(endpoint.port)}`;
}

/**
 * Why the config the device holds (`seen`, as last shown or downloaded) is not the config now, one sentence per
 * difference; empty when it is current. A config never shown is not outdated: there is nothing on a device yet.
 */
export function outdatedReasons(seen: ConfigFacts | null, now: ConfigFacts): string[] {
  if (seen === null) return [];
  const reasons: string[] = [];
  if (seen.endpoint !== now.endpoint)
    reasons.push(`the endpoint is now ${now.endpoint} (was ${seen.endpoint})`);
  if (seen.allowedIps.join(',') !== now.allowedIps.join(','))
    reasons.push(`the addresses it routes through the tunnel changed: ${now.allowedIps.join(', ')}`);
  if (seen.dns.join(',') !== now.dns.join(','))
    reasons.push(`the DNS servers changed: ${now.dns.length === 0 ? 'none' : now.dns.join(', ')}`);
  if (seen.persistentKeepalive !== now.persistentKeepalive)
    reasons.push(`the keepalive is now ${String(now.persistentKeepalive)} s`);
  if (seen.serverPublicKey !== now.serverPublicKey) reasons.push("the box's public key changed");
  return reasons;
}
