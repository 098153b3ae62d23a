/**
 * @module The alerts slice of the store: channels, the rules' alerts and their notification ledger (in the
 * document), and the delivery attempts (the `alerts.deliveries` log).
 */
import { z } from 'zod';
import { defineLog } from '../log.js';
import { defineSlice, isoDate } from '../slice.js';

export const severitySchema = z.enum(['info', 'warning', 'critical']);

/** An alert raised by a rule; the same (rule, key) is one alert however often it fires (de-duplication). */
export const alertSchema = z
  .object({
    id: z.string().min(1),
    rule: z.string().min(1),
    /** De-duplication key within the rule, e.g. "ipv4". */
    key: z.string(),
    severity: severitySchema,
    title: z.string(),
    message: z.string(),
    /** A concrete remedy in plain words, when there is one. */
    remedy: z.string().nullable(),
    raisedAt: isoDate,
    lastSeenAt: isoDate,
    occurrences: z.number().int().positive(),
    clearedAt: isoDate.nullable(),
    acknowledgedAt: isoDate.nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    /** Channels already told that this alert was raised: the ones a "cleared" goes to, and never told twice. */
    notifiedChannelIds: z.array(z.string()).default([]),
    /**
     * Channels this alert was for while it was active: enabled, and the severity reaching their minimum, at a raise
     * or a pending run. Only they may get its late "cleared" summary. Absent on alerts stored before it was kept:
     * then the channels that existed when it was raised.
     */
    audienceChannelIds: z.array(z.string()).optional(),
  })
  .strict();

/** Where alerts are delivered. Secrets (HMAC secret, tokens, SMTP password) are write-only in the API. */
export const channelTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('webhook'), url: z.url(), secret: z.string().min(16) }).strict(),
  z.object({ kind: z.literal('ntfy'), url: z.url(), token: z.string().nullable() }).strict(),
  z.object({ kind: z.literal('gotify'), url: z.url(), token: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('discord'), url: z.url() }).strict(),
  z.object({ kind: z.literal('slack'), url: z.url() }).strict(),
  z
    .object({
      kind: z.literal('email'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      security: z.enum(['tls', 'starttls', 'none']),
      username: z.string().nullable(),
      password: z.string().nullable(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
    })
    .strict(),
]);

export const channelSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1).max(64),
    enabled: z.boolean(),
    /** Alerts below this severity are not sent to this channel (they still show in the UI). */
    minSeverity: severitySchema,
    createdAt: isoDate,
    target: channelTargetSchema,
    /**
     * The outcome of the last attempt to send to this channel (an alert or the test button), kept with the
     * channel so the list shows it after a reload even once the delivery log has moved on. Absent: never sent.
     */
    lastDelivery: z
      .object({
        at: isoDate,
        event: z.enum(['raised', 'cleared', 'test']),
        ok: z.boolean(),
        error: z.string().nullable(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const deliverySchema = z
  .object({
    at: isoDate,
    alertId: z.string().nullable(),
    channelId: z.string(),
    ok: z.boolean(),
    error: z.string().nullable(),
  })
  .strict();

/**
 * One notification the rules engine decided to send, to the channels named: the ledger its rate limits count
 * (persisted, so a restart does not reset them). Newest last; only the longest rate-limit window is kept.
 */
export const notificationSchema = z
  .object({
    at: isoDate,
    alertId: z.string(),
    rule: z.string(),
    key: z.string(),
    event: z.enum(['raised', 'cleared']),
    channelIds: z.array(z.string()),
  })
  .strict();

export const alertsStateSchema = z
  .object({
    channels: z.array(channelSchema),
    items: z.array(alertSchema),
    notifications: z.array(notificationSchema).default([]),
  })
  .strict();

export type Alert = z.infer<typeof alertSchema>;
export type Channel = z.infer<typeof channelSchema>;
export type ChannelTarget = z.infer<typeof channelTargetSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type NotificationRecord = z.infer<typeof notificationSchema>;
export type AlertsState = z.infer<typeof alertsStateSchema>;
export type Severity = z.infer<typeof severitySchema>;

export const alertRetention = 1000;
export const deliveryRetention = 500;

export const deliveriesLog = defineLog({
  name: 'alerts.deliveries',
  schema: deliverySchema,
  retention: deliveryRetention,
});

export function emptyAlerts(): AlertsState {
  return { channels: [], items: [], notifications: [] };
}

export const alertsSlice = defineSlice({
  owner: 'alerts',
  shape: { alerts: alertsStateSchema },
  empty: () => ({ alerts: emptyAlerts() }),
  logs: [deliveriesLog],
});
