/**
 * @module What the API, the control socket and the UI may send to manage peers, services and grants (zod, at the
 * boundary), and the one rule for each name: peer names are any printable text (they never enter a config or a
 * ruleset), group and service names are short lowercase words a command line can carry.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isoDate } from '../store/slice.js';

/** Control characters, format characters and line/paragraph separators: nothing that can break a line or hide. */
const unprintable = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export const peerNameSchema = z
  .string()
  .trim()
  .min(1, 'a peer needs a name')
  .max(64, 'a peer name is at most 64 characters')
  .refine((s) => !unprintable.test(s), 'a peer name cannot hold line breaks or control characters');

/** Lowercase word: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const word = /^[a-z0-9][a-z0-9._-]*$/;

export const groupNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(32, 'a group name is at most 32 characters')
  .regex(word, 'a group name is lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

export const serviceNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'a service needs a name')
  .max(32, 'a service name is at most 32 characters')
  .regex(
    word,
    'a service name is lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

const ipLiteral = z
  .string()
  .trim()
  .refine((s) => isIP(s) !== 0, 'expected an IP address');

const keepalive = z.number().int().min(0).max(65535);

export const peerCreateSchema = z
  .object({
    name: peerNameSchema,
    groups: z.array(groupNameSchema).max(16).default([]),
    /** Service ids or names granted to this peer directly. */
    services: z.array(z.string().min(1).max(64)).max(1000).default([]),
    expiresAt: isoDate.nullable().default(null),
    dns: z.array(ipLiteral).max(4).nullable().default(null),
    persistentKeepalive: keepalive.nullable().default(null),
    tunnel: z.enum(['services', 'lan', 'full']).default('services'),
    keyMode: z.enum(['kept', 'forget-after-download', 'own']).default('kept'),
    /** The peer's own public key (keyMode `own`): the box never sees its private key. */
    publicKey: z.string().trim().max(100).optional(),
  })
  .strict();

export type PeerCreate = z.output<typeof peerCreateSchema>;

export const peerPatchSchema = z
  .object({
    name: peerNameSchema.optional(),
    groups: z.array(groupNameSchema).max(16).optional(),
    expiresAt: isoDate.nullable().optional(),
    dns: z.array(ipLiteral).max(4).nullable().optional(),
    persistentKeepalive: keepalive.nullable().optional(),
    tunnel: z.enum(['services', 'lan', 'full']).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export type PeerPatch = z.output<typeof peerPatchSchema>;

/** `8000`, `"8000"` or `"8000-8010"`. */
const portSpec = z.union([
  z.number().int().min(1).max(65535),
  z
    .string()
    .trim()
    .regex(/^\d{1,5}(-\d{1,5})?$/, 'expected a port (8000) or a range (8000-8010)'),
]);

/** `{from, to}` of a port spec, or why it is not one. */
export function parsePorts(spec: number | string): { from: number; to: number } | string {
  const [a, b] = String(spec).split('-') as [string, string?];
  const from = Number(a);
  const to = b === undefined ? from : Number(b);
  if (from < 1 || from > 65535 || to < 1 || to > 65535) return 'a port is between 1 and 65535';
  if (to < from) return `the range ${String(spec)} ends before it begins`;
  return { from, to };
}

const webUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'expected an http:// or https:// URL')
  .nullable();

export const serviceCreateSchema = z
  .object({
    name: serviceNameSchema,
    host: ipLiteral,
    protocol: z.enum(['tcp', 'udp']),
    port: portSpec,
    webUrl: webUrl.default(null),
  })
  .strict();

export type ServiceCreate = z.output<typeof serviceCreateSchema>;

export const servicePatchSchema = z
  .object({
    name: serviceNameSchema.optional(),
    host: ipLiteral.optional(),
    protocol: z.enum(['tcp', 'udp']).optional(),
    port: portSpec.optional(),
    webUrl: webUrl.optional(),
  })
  .strict();

export type ServicePatch = z.output<typeof servicePatchSchema>;

export const grantInputSchema = z
  .object({
    subject: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('peer'), peerId: z.string().min(1).max(64) }).strict(),
      z.object({ kind: z.literal('group'), group: groupNameSchema }).strict(),
    ]),
    serviceId: z.string().min(1).max(64),
  })
  .strict();

export const grantsSchema = z.object({ grants: z.array(grantInputSchema).max(50_000) }).strict();

/** The first issue of a failed parse as a field path and a message for people. */
export function describeIssues(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = (issue?.path ?? []).map(String).join('.');
  return { field, message: `${field === '' ? '' : `${field}: `}${issue?.message ?? 'invalid'}` };
}
