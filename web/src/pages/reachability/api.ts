/** @module The reachability capability's typed calls (its own routes, over the app's session) and their answer. */
import type { reachabilityRoutes } from '../../../../src/reach/routes.js';
import type { ApiClient, GatehouseClient, OkBody } from '../../api.js';

export type ReachabilityApi = ApiClient<ReturnType<typeof reachabilityRoutes>>;

/** The reachability routes through `client`'s session (CSRF token, session-lost report). */
export function connectReachability(client: GatehouseClient): ReachabilityApi {
  return client.connect<ReturnType<typeof reachabilityRoutes>>();
}

export type Reachability = OkBody<Awaited<ReturnType<ReachabilityApi['reachability']['$get']>>>;
