/**
 * @module The WireGuard capability's vocabulary: peers, services, grants and the desired state of the interface and
 * the firewall, as plain data. The store slice (slice.ts) validates them with zod at the boundary; the planners
 * (render, pool, reconcile, exposure/ruleset) take these shapes and return data.
 */

/** How a peer's private key is held. */
export type KeyMode =
  /** The box generated the keypair and keeps the private key (secrets port): the config can be shown again. */
  | 'kept'
  /** The box generated it and forgets the private key after the first download of the config. */
  | 'forget-after-download'
  /** The peer brought its own public key: the box never sees a private key; its config has a blank to fill in. */
  | 'own';

/** What the peer's client routes into the tunnel (its AllowedIPs); the firewall enforces the grants regardless. */
export type TunnelMode =
  /** Only the addresses of the services granted to the peer (aggregated CIDRs). */
  | 'services'
  /** The LAN ranges. */
  | 'lan'
  /** Everything: 0.0.0.0/0 (and ::/0 when the pool has IPv6). */
  | 'full';

export interface PeerSpec {
  readonly id: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly publicKey: string;
  readonly keyMode: KeyMode;
  /** Tunnel addresses, one per family (a /32 and a /128). */
  readonly ipv4: string;
  readonly ipv6: string | null;
  readonly enabled: boolean;
  /** ISO time at which the peer is disabled, or null. */
  readonly expiresAt: string | null;
  /** DNS servers for the client config; null = the interface default. */
  readonly dns: readonly string[] | null;
  /** Seconds; 0 = off; null = the interface default. */
  readonly persistentKeepalive: number | null;
  readonly tunnel: TunnelMode;
}

export type Protocol = 'tcp' | 'udp';

export interface ServiceSpec {
  readonly id: string;
  readonly name: string;
  /** An IP literal inside the LAN ranges, or one of the box's own addresses (then it is an input-chain service). */
  readonly host: string;
  readonly protocol: Protocol;
  readonly portFrom: number;
  /** Equal to portFrom for a single port. */
  readonly portTo: number;
  readonly webUrl: string | null;
}

export type GrantSubject =
  { readonly kind: 'peer'; readonly peerId: string } | { readonly kind: 'group'; readonly group: string };

export interface GrantSpec {
  readonly subject: GrantSubject;
  readonly serviceId: string;
}

/** The server side of the interface as it should be. */
export interface InterfaceSpec {
  /** Interface name, at most 15 characters of [A-Za-z0-9_=+.-]. */
  readonly name: string;
  readonly listenPort: number;
  /** The interface's own addresses with prefix length, e.g. `10.8.0.1/24`, `fd8a:1b2c:3d4e::1/64`. */
  readonly addresses: readonly string[];
  readonly mtu: number | null;
}

/** One peer as the interface should carry it (`wg set` / the wg-only config). */
export interface DevicePeer {
  readonly publicKey: string;
  /** Base64, or null when the peer has none. */
  readonly presharedKey: string | null;
  /** The peer's tunnel addresses as /32 and /128. */
  readonly allowedIps: readonly string[];
  /** Seconds, 0 = off. */
  readonly persistentKeepalive: number;
}

/** One peer as `wg show <if> dump` reports it (validated). */
export interface DumpPeer {
  readonly publicKey: string;
  readonly presharedKey: string | null;
  /** `ip:port` / `[ipv6]:port`, or null. */
  readonly endpoint: string | null;
  readonly allowedIps: readonly string[];
  /** Unix seconds of the latest handshake; null = never. */
  readonly latestHandshake: number | null;
  readonly rxBytes: number;
  readonly txBytes: number;
  /** Seconds, 0 = off. */
  readonly persistentKeepalive: number;
}

/** `wg show <if> dump` (validated): the interface line never carries the private key out of the parser. */
export interface DumpState {
  readonly publicKey: string | null;
  readonly listenPort: number;
  readonly fwmark: number | null;
  /** True when the interface has a private key set (the key itself never leaves the parser). */
  readonly hasPrivateKey: boolean;
  readonly peers: readonly DumpPeer[];
}
