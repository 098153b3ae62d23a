/** @module The alerts capability's typed calls (its own routes, over the app's session) and the shapes they carry. */
import type { AlertRoutes } from '../../../../src/alerts/routes.js';
import type { ApiClient, GatehouseClient, OkBody } from '../../api.js';

export type AlertsApi = ApiClient<AlertRoutes>;

/** The alerts routes through `client`'s session (CSRF token, session-lost report). */
export function connectAlerts(client: GatehouseClient): AlertsApi {
  return client.connect<AlertRoutes>();
}

type Channels = AlertsApi['alerts']['channels'];

export type AlertList = OkBody<Awaited<ReturnType<AlertsApi['alerts']['$get']>>>;
export type AlertItem = AlertList['active'][number];
export type ChannelItem = OkBody<Awaited<ReturnType<Channels['$get']>>>['channels'][number];
export type NewChannelJson = Parameters<Channels['$post']>[0]['json'];
export type ChannelPatchJson = Parameters<Channels[':id']['$patch']>[0]['json'];
export type Delivery = OkBody<
  Awaited<ReturnType<AlertsApi['alerts']['deliveries']['$get']>>
>['deliveries'][number];
export type Kind = ChannelItem['target']['kind'];
export type Severity = ChannelItem['minSeverity'];
export type Security = Extract<ChannelItem['target'], { kind: 'email' }>['security'];
