/** @module Pure migrations from every older store version to the current one. */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  currentVersion,
  emptyAlerts,
  emptyReachability,
  stateV2Schema,
  type State,
  type StateV2,
} from './schema.js';

/**
 * Version 1 had a single `admin` record and stored session ids in clear text.
 * Version 2 holds a list of users (with TOTP and recovery codes), stores only session id hashes,
 * and records when setup completed.
 */
export const stateV1Schema = z
  .object({
    version: z.literal(1),
    instanceId: z.string().min(1),
    createdAt: z.string(),
    admin: z
      .object({
        username: z.string().min(1),
        passwordHash: z.string().min(1),
        createdAt: z.string(),
      })
      .strict()
      .nullable(),
    sessions: z.array(
      z
        .object({
          id: z.string().min(1),
          createdAt: z.string(),
          expiresAt: z.string(),
          csrfToken: z.string(),
        })
        .strict(),
    ),
    apiTokens: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          scope: z.enum(['read', 'write']),
          tokenHash: z.string(),
          createdAt: z.string(),
        })
        .strict(),
    ),
    audit: z.array(
      z
        .object({
          at: z.string(),
          type: z.string(),
          actor: z.string(),
          detail: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

export type StateV1 = z.infer<typeof stateV1Schema>;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function migrateV1ToV2(v1: StateV1): StateV2 {
  const admin = v1.admin;
  const adminId = admin ? randomUUID() : undefined;
  return {
    version: 2,
    instanceId: v1.instanceId,
    createdAt: v1.createdAt,
    setupCompletedAt: admin ? admin.createdAt : null,
    settings: { instanceName: 'Gatehouse' },
    users: admin
      ? [
          {
            id: adminId ?? randomUUID(),
            username: admin.username,
            passwordHash: admin.passwordHash,
            createdAt: admin.createdAt,
            passwordChangedAt: admin.createdAt,
            totpSecret: null,
            pendingTotpSecret: null,
            recoveryCodeHashes: [],
            totpLastStep: null,
          },
        ]
      : [],
    // Existing logins stay valid: the clear-text ids are replaced by their hashes.
    sessions:
      adminId === undefined
        ? []
        : v1.sessions.map((s) => ({
            idHash: sha256(s.id),
            userId: adminId,
            createdAt: s.createdAt,
            lastSeenAt: s.createdAt,
            expiresAt: s.expiresAt,
            stage: 'complete' as const,
            csrfToken: s.csrfToken,
            clientAddress: 'unknown',
            userAgent: 'unknown',
          })),
    apiTokens: v1.apiTokens.map((t) => ({
      ...t,
      prefix: '',
      lastUsedAt: null,
      createdBy: admin?.username ?? 'unknown',
    })),
    audit: v1.audit.map((e) => ({
      id: randomUUID(),
      at: e.at,
      type: e.type,
      actor: e.actor,
      clientAddress: 'unknown',
      outcome: 'success' as const,
      details: { detail: e.detail },
    })),
  };
}

/** Version 3 adds the reachability history and the alerts (rules' state, channels, deliveries). */
export function migrateV2ToV3(v2: StateV2): State {
  return { ...v2, version: 3, reachability: emptyReachability(), alerts: emptyAlerts() };
}

export type MigrationResult =
  | { kind: 'current'; state: unknown }
  | { kind: 'migrated'; from: number; state: unknown }
  | { kind: 'error'; message: string };

/** Brings a parsed store document to the current version. The result still needs validating. */
export function migrateToCurrent(doc: unknown): MigrationResult {
  const versionOf = z.object({ version: z.number().int() }).safeParse(doc);
  if (!versionOf.success) return { kind: 'error', message: 'no "version" number at the top level' };
  const version = versionOf.data.version;
  if (version > currentVersion) {
    return {
      kind: 'error',
      message: `version ${version} was written by a newer Gatehouse (this one reads up to ${currentVersion})`,
    };
  }
  if (version === currentVersion) return { kind: 'current', state: doc };
  // Each step validates its input against that version's frozen schema, then the chain continues.
  if (version === 1) {
    const v1 = stateV1Schema.safeParse(doc);
    if (!v1.success) return { kind: 'error', message: `version 1 document: ${formatFirstIssue(v1.error)}` };
    return { kind: 'migrated', from: 1, state: migrateV2ToV3(migrateV1ToV2(v1.data)) };
  }
  if (version === 2) {
    const v2 = stateV2Schema.safeParse(doc);
    if (!v2.success) return { kind: 'error', message: `version 2 document: ${formatFirstIssue(v2.error)}` };
    return { kind: 'migrated', from: 2, state: migrateV2ToV3(v2.data) };
  }
  return { kind: 'error', message: `unknown version ${version}` };
}

export function formatFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `${where}: ${issue.message}`;
}
