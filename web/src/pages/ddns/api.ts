/** @module The DDNS capability's typed calls (its own routes, over the app's session) and the shapes they carry. */
import type { DdnsRoutes } from '../../../../src/ddns/routes.js';
import type { ApiClient, GatehouseClient, OkBody } from '../../api.js';

export type DdnsApi = ApiClient<DdnsRoutes>;

/** The DDNS routes through `client`'s session (CSRF token, session-lost report). */
export function connectDdns(client: GatehouseClient): DdnsApi {
  return client.connect<DdnsRoutes>();
}

type Ddns = DdnsApi['ddns'];

export type Overview = OkBody<Awaited<ReturnType<Ddns['$get']>>>;
export type RecordItem = Overview['records'][number];
export type RecordState = NonNullable<RecordItem['state']>;
export type AccountItem = Overview['accounts'][number];
export type ProviderItem = Overview['providers'][number];
export type ProviderField = ProviderItem['fields'][number];
export type HistoryEntry = OkBody<Awaited<ReturnType<Ddns['history']['$get']>>>[number];
export type Run = OkBody<Awaited<ReturnType<Ddns['update']['$post']>>>[number];
export type RecordType = RecordItem['type'];
export type ClientList = OkBody<Awaited<ReturnType<Ddns['credentials']['$get']>>>;
/** A client of the inbound dyndns2 endpoint: never its password or hash. */
export type ClientItem = ClientList['clients'][number];
/** The add's answer: the only time the password exists outside the client's configuration. */
export type ClientAdded = OkBody<Awaited<ReturnType<Ddns['credentials']['$post']>>>;
