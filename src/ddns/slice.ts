/**
 * @module The DDNS slice of the store: provider accounts (settings only — their credentials are in the secrets
 * port), records (a hostname and one type each), each record's state (what was applied, what is pending, the last
 * result), and the history of changes (the `ddns.history` log).
 */
import { z } from 'zod';
import { defineLog } from '../store/log.js';
import { defineSlice, isoDate } from '../store/slice.js';

/** A provider account: which API, its non-secret settings (validated by the provider's descriptor). */
export const ddnsAccountSchema = z
  .object({
    id: z.string().min(1).max(64),
    /** For people, e.g. "Cloudflare (home)". */
    name: z.string().min(1).max(64),
    kind: z.string().min(1).max(32),
    settings: z.record(z.string(), z.unknown()),
    createdAt: isoDate,
    updatedAt: isoDate,
    /**
     * Set when the provider refused the credentials or stopped the account (dyndns2 `badauth`, `abuse`, …): nothing
     * is sent to it until its settings or credentials change (which clears this).
     */
    stopped: z
      .object({ at: isoDate, code: z.string().max(64).nullable(), message: z.string().max(1000) })
      .strict()
      .nullable(),
    /** No call to this account before then (a rate limit, dyndns2 `911`). */
    notBefore: isoDate.nullable(),
  })
  .strict();

export type DdnsAccount = z.infer<typeof ddnsAccountSchema>;

/**
 * Where a record's value comes from: the accepted public address of its family, a fixed address, or (AAAA) the
 * box's current global IPv6 prefix followed by a LAN device's interface identifier — so a camera with IPv6 keeps
 * its name when the ISP changes the prefix.
 */
export const ddnsValueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('public') }).strict(),
  z.object({ kind: z.literal('fixed'), address: z.string().min(2).max(45) }).strict(),
  z
    .object({
      kind: z.literal('ipv6-host'),
      /** The low 64 bits, written as an IPv6 address whose high 64 bits are zero, e.g. `::211:32ff:fe12:3456`. */
      suffix: z.string().min(2).max(45),
    })
    .strict(),
]);

export type DdnsValue = z.infer<typeof ddnsValueSchema>;

export const ddnsRecordSchema = z
  .object({
    id: z.string().min(1).max(64),
    /** Lowercase FQDN without the trailing dot. */
    hostname: z.string().min(1).max(253),
    /** The zone at the provider the hostname lies in; the hostname itself or one of its parents. */
    zone: z.string().min(1).max(253),
    type: z.enum(['A', 'AAAA']),
    accountId: z.string().min(1).max(64),
    value: ddnsValueSchema,
    ttl: z.number().int().min(1).max(86_400),
    enabled: z.boolean(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .strict();

export type DdnsRecord = z.infer<typeof ddnsRecordSchema>;

const attemptSchema = z
  .object({
    at: isoDate,
    ok: z.boolean(),
    /** The failure kind of the provider port, or "verify" when the servers did not serve it in time. */
    kind: z.string().max(32).nullable(),
    code: z.string().max(64).nullable(),
    message: z.string().max(1000),
  })
  .strict();

/** What the engine knows of one record; survives restarts, so a pending update is finished later. */
export const ddnsRecordStateSchema = z
  .object({
    recordId: z.string().min(1).max(64),
    /** The value the record should hold now; null when it cannot be known (no agreed address): nothing is sent. */
    desired: z.string().max(45).nullable(),
    /** The last value the provider confirmed, and when. */
    applied: z.string().max(45).nullable(),
    appliedAt: isoDate.nullable(),
    /** When the authoritative servers were last seen serving `applied`, and how long after the change it was. */
    verifiedAt: isoDate.nullable(),
    propagationMs: z.number().int().min(0).nullable(),
    /** An update still to make (the provider failed or limited us): `value` at `nextAttemptAt` at the earliest. */
    pending: z
      .object({
        value: z.string().max(45),
        since: isoDate,
        attempts: z.number().int().min(0),
        nextAttemptAt: isoDate,
      })
      .strict()
      .nullable(),
    /** Set when the provider said this record's configuration is wrong (name not in the zone, …). */
    stopped: z
      .object({ at: isoDate, message: z.string().max(1000) })
      .strict()
      .nullable(),
    /** Someone changed the record outside Gatehouse: the value served then, and when it was seen. */
    drift: z
      .object({ at: isoDate, served: z.string().max(200) })
      .strict()
      .nullable(),
    lastAttempt: attemptSchema.nullable(),
  })
  .strict();

export type DdnsRecordState = z.infer<typeof ddnsRecordStateSchema>;

/** One change made (or tried) at a provider. */
export const ddnsHistorySchema = z
  .object({
    at: isoDate,
    recordId: z.string(),
    hostname: z.string(),
    type: z.enum(['A', 'AAAA']),
    value: z.string(),
    previous: z.string().nullable(),
    ok: z.boolean(),
    message: z.string().max(1000),
    /** From the provider's confirmation to the last authoritative server serving it; null when not verified. */
    propagationMs: z.number().int().min(0).nullable(),
  })
  .strict();

export type DdnsHistoryEntry = z.infer<typeof ddnsHistorySchema>;

export const ddnsHistoryLog = defineLog({ name: 'ddns.history', schema: ddnsHistorySchema, retention: 2000 });

/**
 * A client of the inbound dyndns2 endpoint (`/nic/update`): a router (FRITZ!Box, OpenWrt, UniFi) or ddclient /
 * inadyn pushing its WAN address. Its own credentials, apart from the admin login, scoped to named hostnames.
 */
export const ddnsClientSchema = z
  .object({
    id: z.string().min(1).max(64),
    /** The Basic-auth user name, e.g. "fritzbox". */
    name: z.string().min(1).max(64),
    /** scrypt hash of the generated password (src/auth/passwords.ts); the password is shown once. */
    passwordHash: z.string().min(1).max(512),
    /** The hostnames it may update; a request for any other answers `nohost`. */
    hostnames: z.array(z.string().min(1).max(253)).min(1).max(20),
    /** A trusted client's address is accepted on its own; otherwise it is one vote in the quorum. */
    trusted: z.boolean(),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
  })
  .strict();

export type DdnsClient = z.infer<typeof ddnsClientSchema>;

export const ddnsStateSchema = z
  .object({
    accounts: z.array(ddnsAccountSchema).max(100),
    records: z.array(ddnsRecordSchema).max(500),
    states: z.array(ddnsRecordStateSchema).max(500),
    clients: z.array(ddnsClientSchema).max(50),
  })
  .strict();

export type DdnsState = z.infer<typeof ddnsStateSchema>;

export function emptyDdns(): DdnsState {
  return { accounts: [], records: [], states: [], clients: [] };
}

export const ddnsSlice = defineSlice({
  owner: 'ddns',
  shape: { ddns: ddnsStateSchema },
  empty: () => ({ ddns: emptyDdns() }),
  logs: [ddnsHistoryLog],
  introducedIn: 6,
});
