/**
 * @module The inbound dyndns2 endpoint as the DDNS capability uses it: the public sub-app (`/nic/update`,
 * `/v3/update`), the clients service with its control routes, the audit types, and the clients' hostnames for the
 * Host allow-list.
 */
import type { Hono } from 'hono';
import type { ControlRoutes } from '../../control/api.js';
import type { AppEnv } from '../../http/context.js';
import { createInboundDyndnsApp, type InboundDyndnsDeps } from './app.js';
import { ddnsInboundAuditTypes } from './audit-types.js';
import { DdnsClients } from './clients.js';
import { clientControlRoutes } from './control-routes.js';

export { createInboundDyndnsApp, inboundPaths, type InboundDyndnsDeps, type InboundWanPush } from './app.js';
export { ddnsInboundAuditTypes } from './audit-types.js';
export { DdnsClients, type PublicDdnsClient } from './clients.js';
export { clientControlRoutes } from './control-routes.js';

export interface DdnsInbound {
  /** Mounted at the root of the public app (not under /api: no session guard, no CSRF check; Host check applies). */
  readonly app: Hono<AppEnv>;
  readonly clients: DdnsClients;
  /** `/credentials` routes for the control socket (mounted under `/v1/ddns/`). */
  readonly controlRoutes: ControlRoutes;
  readonly auditTypes: typeof ddnsInboundAuditTypes;
  /**
   * The hostnames the clients may push for: a router may call the endpoint by one of them (they point at the box),
   * so the Host allow-list should accept them (`Capability.hostNames`). Read at each call.
   */
  readonly hostNames: () => readonly string[];
}

export function createDdnsInbound(deps: InboundDyndnsDeps): DdnsInbound {
  const clients = new DdnsClients({ store: deps.store, clock: deps.clock });
  return {
    app: createInboundDyndnsApp(deps),
    clients,
    controlRoutes: clientControlRoutes(clients),
    auditTypes: ddnsInboundAuditTypes,
    hostNames: () => [...new Set(deps.store.read().ddns.clients.flatMap((c) => c.hostnames))],
  };
}
