/**
 * @module The WireGuard slice of the store: peers (public keys and settings; private and preshared keys live in the
 * secrets port), the service catalog, grants, one-time onboarding links, and what the capability knows of the live
 * interface (the last apply, the proof that peers reach the box from outside).
 */
import { z } from 'zod';
import { defineSlice, isoDate } from '../store/slice.js';

const id = z.string().min(1).max(64);

export const peerSchema = z
  .object({
    id,
    /** For people; any printable text. It never enters a config file or a ruleset (ids and addresses do). */
    name: z.string().min(1).max(64),
    groups: z.array(z.string().min(1).max(32)).max(16),
    publicKey: z.string().length(44),
    keyMode: z.enum(['kept', 'forget-after-download', 'own']),
    /** Set when a `forget-after-download` peer's private key was removed after the first download. */
    privateKeyForgottenAt: isoDate.nullable(),
    ipv4: z.string().min(7).max(15),
    ipv6: z.string().min(2).max(45).nullable(),
    enabled: z.boolean(),
    /** Why a disabled peer is off: by hand, or its expiry passed. */
    disabledReason: z.enum(['manual', 'expired']).nullable(),
    expiresAt: isoDate.nullable(),
    dns: z.array(z.string().min(2).max(45)).max(4).nullable(),
    persistentKeepalive: z.number().int().min(0).max(65535).nullable(),
    tunnel: z.enum(['services', 'lan', 'full']),
    createdAt: isoDate,
    updatedAt: isoDate,
    /**
     * What the peer's config said when it was last shown or downloaded, and when: a config rendered now that says
     * something else is outdated on the device (the UI marks the peer and offers the new QR code).
     */
    configSeen: z
      .object({
        at: isoDate,
        endpoint: z.string().max(300),
        allowedIps: z.array(z.string().max(50)).max(5000),
        dns: z.array(z.string().max(45)).max(4),
        persistentKeepalive: z.number().int().min(0).max(65535),
        serverPublicKey: z.string().max(44),
      })
      .strict()
      .nullable(),
    /** A `forget-after-download` peer's private key is removed at this time (a short grace after the first fetch). */
    forgetKeyAt: isoDate.nullable(),
  })
  .strict();

export type Peer = z.infer<typeof peerSchema>;

export const serviceSchema = z
  .object({
    id,
    name: z.string().min(1).max(32),
    host: z.string().min(2).max(45),
    protocol: z.enum(['tcp', 'udp']),
    portFrom: z.number().int().min(1).max(65535),
    portTo: z.number().int().min(1).max(65535),
    webUrl: z.string().max(2000).nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .strict();

export type Service = z.infer<typeof serviceSchema>;

export const grantSubjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('peer'), peerId: id }).strict(),
  z.object({ kind: z.literal('group'), group: z.string().min(1).max(32) }).strict(),
]);

export const grantSchema = z
  .object({ subject: grantSubjectSchema, serviceId: id, createdAt: isoDate })
  .strict();

export type Grant = z.infer<typeof grantSchema>;

/** A one-time onboarding link: only the SHA-256 of its token is stored. */
export const onboardingLinkSchema = z
  .object({
    id,
    peerId: id,
    tokenSha256: z.string().length(64),
    createdAt: isoDate,
    expiresAt: isoDate,
    /** Set when the page was opened; the config can then be downloaded once, for a short grace period. */
    openedAt: isoDate.nullable(),
    /** Set when the config was downloaded: the link is dead. */
    usedAt: isoDate.nullable(),
  })
  .strict();

export type OnboardingLink = z.infer<typeof onboardingLinkSchema>;

export const wireguardStateSchema = z
  .object({
    peers: z.array(peerSchema).max(5000),
    services: z.array(serviceSchema).max(1000),
    grants: z.array(grantSchema).max(50_000),
    links: z.array(onboardingLinkSchema).max(1000),
    /** The last reconcile: when, whether the interface and firewall now match, and what was said. */
    lastApply: z
      .object({ at: isoDate, ok: z.boolean(), message: z.string().max(2000) })
      .strict()
      .nullable(),
    /**
     * Peers seen completing a handshake from a public address, with the latest such time: the proof that the box
     * is reachable from outside (and the base of the "handshakes stopped" alert).
     */
    publicHandshakes: z
      .array(z.object({ peerId: id, at: isoDate, endpoint: z.string().max(64) }).strict())
      .max(5000),
  })
  .strict();

export type WireguardState = z.infer<typeof wireguardStateSchema>;

export function emptyWireguard(): WireguardState {
  return { peers: [], services: [], grants: [], links: [], lastApply: null, publicHandshakes: [] };
}

export const wireguardSlice = defineSlice({
  owner: 'wireguard',
  shape: { wireguard: wireguardStateSchema },
  empty: () => ({ wireguard: emptyWireguard() }),
  introducedIn: 7,
});
