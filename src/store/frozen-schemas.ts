/**
 * @module The store documents of older versions, as migrations read them. Frozen: when a record schema used here
 * changes, the version that changes it keeps a copy of the old one here.
 */
import { z } from 'zod';
import { auditEventSchema } from '../audit/event.js';
import { isoDate } from './slice.js';
import { alertSchema, channelSchema, deliverySchema, notificationSchema } from './slices/alerts.js';
import { apiTokenSchema, sessionSchema, userSchema } from './slices/auth.js';
import { addressChangeSchema, currentAddressesSchema } from './slices/reachability.js';
import { settingsSchema } from './slices/settings.js';

/** Version 2: the base product (admin account, sessions, tokens, audit in the document). */
export const stateV2Schema = z
  .object({
    version: z.literal(2),
    instanceId: z.string().min(1),
    createdAt: isoDate,
    setupCompletedAt: isoDate.nullable(),
    settings: settingsSchema,
    // Users of version 2 had no device epoch yet (an optional field added later, no version of its own).
    users: z.array(userSchema.omit({ deviceEpoch: true })),
    sessions: z.array(sessionSchema),
    apiTokens: z.array(apiTokenSchema),
    audit: z.array(auditEventSchema),
  })
  .strict();

export type StateV2 = z.infer<typeof stateV2Schema>;

/** Version 3: reachability and alerts, with the address history and the deliveries still in the document. */
export const stateV3Schema = stateV2Schema
  .extend({
    version: z.literal(3),
    reachability: z
      .object({
        /** Newest last. */
        history: z.array(addressChangeSchema),
        current: currentAddressesSchema,
      })
      .strict(),
    alerts: z
      .object({
        // Channels of version 3 had no last delivery yet (an optional field added later, no version of its own).
        channels: z.array(channelSchema.omit({ lastDelivery: true })),
        items: z.array(alertSchema),
        /** Newest last. */
        deliveries: z.array(deliverySchema),
        // Version 3 files written before the alerts ledger have none.
        notifications: z.array(notificationSchema).default([]),
      })
      .strict(),
  })
  .strict();

export type StateV3 = z.infer<typeof stateV3Schema>;
