/** @module The store's current schema (version 2), validated with zod whenever the file is loaded or written. */
import { z } from 'zod';

export const currentVersion = 3;

const isoDate = z.iso.datetime({ offset: true });

export const userSchema = z
  .object({
    id: z.string().min(1),
    username: z.string().min(1).max(64),
    /** scrypt hash in the self-describing form `scrypt$N$r$p$salt$hash` (see auth/passwords.ts). */
    passwordHash: z.string().min(1),
    createdAt: isoDate,
    passwordChangedAt: isoDate,
    /** Confirmed TOTP secret (base32); null until enrolment is confirmed with a valid code. */
    totpSecret: z.string().nullable(),
    /** Secret offered during enrolment but not yet confirmed. */
    pendingTotpSecret: z.string().nullable(),
    /** SHA-256 hashes of unused recovery codes. */
    recoveryCodeHashes: z.array(z.string()),
    /** Last accepted TOTP time step: a code is never accepted twice, even across restarts. */
    totpLastStep: z.number().int().nullable(),
  })
  .strict();

export const sessionSchema = z
  .object({
    /** SHA-256 of the cookie value; the cookie value itself is never stored. */
    idHash: z.string().min(1),
    userId: z.string().min(1),
    createdAt: isoDate,
    lastSeenAt: isoDate,
    expiresAt: isoDate,
    /** pending: password ok, TOTP still required; such a session can only complete the login. */
    stage: z.enum(['pending-mfa', 'complete']),
    csrfToken: z.string().min(1),
    clientAddress: z.string(),
    userAgent: z.string(),
  })
  .strict();

export const apiTokenSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1).max(64),
    scope: z.enum(['read', 'write']),
    /** SHA-256 of the token; the token is shown once at creation and never stored. */
    tokenHash: z.string().min(1),
    /** First characters of the token, so a person can tell tokens apart. */
    prefix: z.string(),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
    createdBy: z.string(),
  })
  .strict();

export const auditEventSchema = z
  .object({
    id: z.string().min(1),
    at: isoDate,
    type: z.string().min(1),
    actor: z.string(),
    clientAddress: z.string(),
    outcome: z.enum(['success', 'failure']),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .strict();

export const settingsSchema = z
  .object({
    /** A name for this box, shown in the UI title and TOTP issuer. */
    instanceName: z.string().min(1).max(64),
  })
  .strict();

/** Version 2: the base product (admin account, sessions, tokens, audit). Frozen; version 3 extends it. */
export const stateV2Schema = z
  .object({
    version: z.literal(2),
    instanceId: z.string().min(1),
    createdAt: isoDate,
    setupCompletedAt: isoDate.nullable(),
    settings: settingsSchema,
    users: z.array(userSchema),
    sessions: z.array(sessionSchema),
    apiTokens: z.array(apiTokenSchema),
    audit: z.array(auditEventSchema),
  })
  .strict();

export type StateV2 = z.infer<typeof stateV2Schema>;

const family = z.enum(['ipv4', 'ipv6']);

/** One accepted change of the public address (or its loss), with the sources that agreed. */
export const addressChangeSchema = z
  .object({
    at: isoDate,
    family,
    /** null: no address could be agreed on any more. */
    address: z.string().nullable(),
    previous: z.string().nullable(),
    /** Sources that agreed on `address`, e.g. ["stun:stun.example.net:3478", "upnp"]. */
    sources: z.array(z.string()),
  })
  .strict();

export const reachabilityStateSchema = z
  .object({
    /** Newest last; trimmed to reachabilityHistoryRetention. */
    history: z.array(addressChangeSchema),
    /** The last accepted address per family, so a restart is not mistaken for a change. */
    current: z.object({ ipv4: z.string().nullable(), ipv6: z.string().nullable() }).strict(),
  })
  .strict();

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
    /** Newest last; trimmed to deliveryRetention. */
    deliveries: z.array(deliverySchema),
    notifications: z.array(notificationSchema).default([]),
  })
  .strict();

export const stateSchema = stateV2Schema
  .extend({
    version: z.literal(currentVersion),
    reachability: reachabilityStateSchema,
    alerts: alertsStateSchema,
  })
  .strict();

export type State = z.infer<typeof stateSchema>;
export type AddressChange = z.infer<typeof addressChangeSchema>;
export type Alert = z.infer<typeof alertSchema>;
export type Channel = z.infer<typeof channelSchema>;
export type ChannelTarget = z.infer<typeof channelTargetSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type NotificationRecord = z.infer<typeof notificationSchema>;
export type AlertsState = State['alerts'];
export type Severity = z.infer<typeof severitySchema>;

export const reachabilityHistoryRetention = 1000;
export const alertRetention = 1000;
export const deliveryRetention = 500;

export function emptyReachability(): State['reachability'] {
  return { history: [], current: { ipv4: null, ipv6: null } };
}

export function emptyAlerts(): State['alerts'] {
  return { channels: [], items: [], deliveries: [], notifications: [] };
}
export type User = z.infer<typeof userSchema>;
export type Session = z.infer<typeof sessionSchema>;
export type ApiToken = z.infer<typeof apiTokenSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;
export type Settings = z.infer<typeof settingsSchema>;

/** The audit log keeps this many newest events. */
export const auditRetention = 10_000;

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
