/** @module What the router clients (PCP, NAT-PMP, UPnP IGD) promise: read the external address, map and unmap. */

export type MappingProtocol = 'pcp' | 'natpmp' | 'upnp';

/** What a mapping carries: UDP (the WireGuard port) or TCP (port 80 for an ACME HTTP-01 challenge). */
export type MappingTransport = 'udp' | 'tcp';

export const transportNames: Readonly<Record<MappingTransport, string>> = { udp: 'UDP', tcp: 'TCP' };

/** A request's or mapping's transport; absent means UDP, so callers from before TCP keep their meaning. */
export function transportOf(mapping: {
  readonly transport?: MappingTransport | undefined;
}): MappingTransport {
  return mapping.transport ?? 'udp';
}

export const protocolNames: Readonly<Record<MappingProtocol, string>> = {
  pcp: 'PCP',
  natpmp: 'NAT-PMP',
  upnp: 'UPnP IGD',
};

/**
 * Why a router did not help. `unsupported`: nothing answered in this protocol (no router, no service, another
 * protocol version); `refused`: the router answered and said no (not authorised, conflict, no resources).
 */
export interface RouterFailure {
  readonly kind: 'unsupported' | 'refused';
  readonly reason: string;
}

export type RouterResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: RouterFailure };

export interface MappingRequest {
  /** UDP unless said otherwise. */
  readonly transport?: MappingTransport;
  /** Port on this box. */
  readonly internalPort: number;
  /** Port wished for on the router's external side; the router may grant another. */
  readonly externalPort: number;
  readonly lifetimeSeconds: number;
  /** Shown in the router's mapping list (UPnP). */
  readonly description: string;
  /**
   * An IGD that grants only permanent mappings (UPnP error 725) is asked again for a permanent one, unless this is
   * false: a temporary mapping (port 80 for a challenge) must not outlive a crash of this box. Default true.
   */
  readonly permanentAllowed?: boolean;
}

export interface GrantedMapping {
  readonly protocol: MappingProtocol;
  /** As requested; absent means UDP. */
  readonly transport?: MappingTransport;
  readonly internalPort: number;
  readonly externalPort: number;
  /** The router's external address, when the protocol told us (PCP, UPnP, NAT-PMP's separate query). */
  readonly externalAddress?: string;
  /** Granted lifetime; the router may shorten what was asked for. */
  readonly lifetimeSeconds: number;
}

export interface ExternalAddressClient {
  readonly protocol: MappingProtocol;
  /** The router's external IPv4 address. Never throws; a silent or refusing router is a failure value. */
  externalAddress(signal?: AbortSignal): Promise<RouterResult<string>>;
}

export interface PortMappingClient {
  readonly protocol: MappingProtocol;
  /**
   * Creates or renews (same request again) a mapping to this box (UDP unless the request says TCP). Never throws. Renewing an existing
   * mapping keeps its external port when the router allows.
   */
  map(request: MappingRequest, signal?: AbortSignal): Promise<RouterResult<GrantedMapping>>;
  /** Removes a mapping made by `map`. Never throws; removing a mapping that is already gone is ok. */
  unmap(mapping: GrantedMapping, signal?: AbortSignal): Promise<RouterResult<void>>;
}

export type RouterClient = ExternalAddressClient & PortMappingClient;

export function unsupported(reason: string): { readonly ok: false; readonly failure: RouterFailure } {
  return { ok: false, failure: { kind: 'unsupported', reason } };
}

export function refused(reason: string): { readonly ok: false; readonly failure: RouterFailure } {
  return { ok: false, failure: { kind: 'refused', reason } };
}

export function granted<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}
