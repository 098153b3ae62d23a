/**
 * @module The registered store slices: the one list that makes a slice part of Gatehouse's store. A capability
 * declares its slice in its own folder (`defineSlice`) and adds it here with one line.
 */
import { auditSlice } from '../audit/event.js';
import { certSlice } from '../cert/slice.js';
import { ddnsSlice } from '../ddns/slice.js';
import { wireguardSlice } from '../wireguard/slice.js';
import { defineStore, type DocumentOf, type LogsOf } from './define-store.js';
import { storeMigrations } from './migrations.js';
import { alertsSlice } from './slices/alerts.js';
import { authSlice } from './slices/auth.js';
import { lockoutsSlice } from './slices/lockouts.js';
import { reachabilitySlice } from './slices/reachability.js';
import { settingsSlice } from './slices/settings.js';

export const registeredSlices = [
  authSlice,
  lockoutsSlice,
  settingsSlice,
  reachabilitySlice,
  alertsSlice,
  auditSlice,
  ddnsSlice,
  wireguardSlice,
  certSlice,
] as const;

export const gatehouseStore = defineStore(registeredSlices, storeMigrations);

export type Document = DocumentOf<typeof registeredSlices>;
export type DocumentLogs = LogsOf<typeof registeredSlices>;
