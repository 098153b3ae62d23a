/**
 * @module The store's document and logs as the rest of the code sees them (types, schemas, retention), composed
 * from the registered slices.
 *
 * TRANSITION: until every caller reads the logs, this is still the version 3 document (audit, address history and
 * deliveries inside it); `document.ts` holds version 4, which replaces it.
 */
import { storeMigrations } from './migrations.js';
import { stateV3Schema, type StateV3 } from './frozen-schemas.js';
import type { StoreDefinition } from './define-store.js';

export { auditEventSchema, auditRetention, type AuditEvent } from '../audit/event.js';
export {
  alertRetention,
  alertSchema,
  channelSchema,
  channelTargetSchema,
  deliveryRetention,
  deliverySchema,
  notificationSchema,
  severitySchema,
  type Alert,
  type Channel,
  type ChannelTarget,
  type Delivery,
  type NotificationRecord,
  type Severity,
} from './slices/alerts.js';
export {
  apiTokenSchema,
  sessionSchema,
  userSchema,
  type ApiToken,
  type Session,
  type User,
} from './slices/auth.js';
export {
  addressChangeSchema,
  reachabilityHistoryRetention,
  type AddressChange,
} from './slices/reachability.js';
export { settingsSchema, type Settings } from './slices/settings.js';
export { stateV2Schema, type StateV2 } from './frozen-schemas.js';

export const currentVersion = 3;

export const stateSchema = stateV3Schema;
export type State = StateV3;
export type AlertsState = State['alerts'];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- version 3 has no logs yet
export type StoreLogs = {};

export function emptyReachability(): State['reachability'] {
  return { history: [], current: { ipv4: null, ipv6: null } };
}

export function emptyAlerts(): State['alerts'] {
  return { channels: [], items: [], deliveries: [], notifications: [] };
}

export function initialState(now: Date, instanceId: string): State {
  return {
    version: currentVersion,
    instanceId,
    createdAt: now.toISOString(),
    setupCompletedAt: null,
    settings: { instanceName: 'Gatehouse' },
    users: [],
    sessions: [],
    apiTokens: [],
    audit: [],
    reachability: emptyReachability(),
    alerts: emptyAlerts(),
  };
}

/** The store as openLowdbStore and the test store use it by default. */
export const storeDefinition: StoreDefinition<State, StoreLogs> = {
  version: currentVersion,
  schema: stateSchema,
  logs: new Map(),
  migrations: storeMigrations.filter((m) => m.to <= currentVersion),
  initial: initialState,
};
