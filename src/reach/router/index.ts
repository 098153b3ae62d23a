/** @module The router side of reachability: protocol clients, address sources and the WireGuard port mapper. */
import type { Clock } from '../../core/clock.js';
import type { Fetch } from '../../core/fetch.js';
import type { CommandRunner } from '../../core/runner.js';
import { defaultRouteGateway, type GatewayLocator } from './gateway.js';
import { NatPmpClient } from './natpmp-client.js';
import { PcpClient } from './pcp-client.js';
import { UpnpIgdClient } from './upnp-client.js';
import type { UdpTransport } from '../../core/udp.js';

export { defaultRouteGateway, type GatewayLocator } from './gateway.js';
export type { GrantedMapping, MappingProtocol, RouterFailure, RouterResult } from './mapping.js';
export {
  PortMapper,
  type MappingLostEvent,
  type PortMapperOptions,
  type PortMappingSettings,
  type PortMappingStatus,
} from './port-mapper.js';
export { createRouterSources, routerObservations } from './router-source.js';
export type { RouterWanChanged } from './router-events.js';
export type { UdpTransport } from '../../core/udp.js';

export interface RouterClientsOptions {
  readonly udp: UdpTransport;
  readonly fetch: Fetch;
  readonly clock: Clock;
  /** Finds the default gateway through `ip -j route show default` unless `gateway` is given. */
  readonly runner: CommandRunner;
  readonly gateway?: GatewayLocator;
  /** A known IGD description URL skips SSDP discovery (some routers answer SSDP badly). */
  readonly upnpDescriptionUrl?: string;
  /** Per protocol and request; 2 s keeps a router that does not answer from delaying anything much. */
  readonly timeoutMs?: number;
}

export interface RouterClients {
  readonly pcp: PcpClient;
  readonly natpmp: NatPmpClient;
  readonly upnp: UpnpIgdClient;
}

/** The three clients sharing one gateway locator; sources and the port mapper take them from here. */
export function createRouterClients(options: RouterClientsOptions): RouterClients {
  const gateway = options.gateway ?? defaultRouteGateway(options.runner);
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    pcp: new PcpClient({ udp: options.udp, gateway, timeoutMs }),
    natpmp: new NatPmpClient({ udp: options.udp, gateway, timeoutMs }),
    upnp: new UpnpIgdClient({
      udp: options.udp,
      fetch: options.fetch,
      clock: options.clock,
      discoveryTimeoutMs: timeoutMs,
      httpTimeoutMs: timeoutMs,
      ...(options.upnpDescriptionUrl ? { descriptionUrl: options.upnpDescriptionUrl } : {}),
    }),
  };
}
