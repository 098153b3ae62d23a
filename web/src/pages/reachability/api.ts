/** @module The reachability capability's typed calls (its own routes, over the app's session) and their answer. */
import type { ReachabilityRoutes } from '../../../../src/reach/routes.js';
import type { ApiClient, GatehouseClient, OkBody } from '../../api.js';

export type ReachabilityApi = ApiClient<ReachabilityRoutes>;

/** The reachability routes through `client`'s session (CSRF token, session-lost report). */
export function connectReachability(client: GatehouseClient): ReachabilityApi {
  return client.connect<ReachabilityRoutes>();
}

export type Reachability = OkBody<Awaited<ReturnType<ReachabilityApi['reachability']['$get']>>>;
