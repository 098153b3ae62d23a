/**
 * @module The store's document and logs as the rest of the code sees them: the types, schemas and retention of
 * every registered slice (document.ts lists them), and the store's definition that openLowdbStore uses.
 */
import { gatehouseStore, type Document, type DocumentLogs } from './document.js';

export { auditEventSchema, auditRetention, type AuditEvent } from '../audit/event.js';
export {
  alertRetention,
  alertSchema,
  channelSchema,
  channelTargetSchema,
  deliveryRetention,
  deliverySchema,
  emptyAlerts,
  notificationSchema,
  severitySchema,
  type Alert,
  type AlertsState,
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
export { lockoutRetention, lockoutSchema, type LockoutRecord } from './slices/lockouts.js';
export {
  addressChangeSchema,
  emptyReachability,
  reachabilityHistoryRetention,
  type AddressChange,
} from './slices/reachability.js';
export { settingsSchema, type Settings } from './slices/settings.js';

/** The store's definition: every registered slice, its logs and the one migration list. */
export const storeDefinition = gatehouseStore;
export const currentVersion = gatehouseStore.version;
/** The document, validated whenever it is loaded or written. */
export const stateSchema = gatehouseStore.schema;
export type State = Document;
/** Each log's record type, by log name. */
export type StoreLogs = DocumentLogs;

export function initialState(now: Date, instanceId: string): State {
  return gatehouseStore.initial(now, instanceId);
}
