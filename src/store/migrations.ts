/**
 * @module Pure migrations from every older store version to the current one: one ordered list of steps, each
 * reading the document of the version before it (validated with that version's frozen schema) and returning the
 * next document, plus the records it moves out of the document into append-only logs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { stateV2Schema, stateV3Schema, type StateV2, type StateV3 } from './frozen-schemas.js';

export type StepResult =
  | {
      readonly ok: true;
      readonly doc: Record<string, unknown>;
      /** Records this step moves into logs, by log name, oldest first. */
      readonly logs?: Readonly<Record<string, readonly unknown[]>>;
    }
  | { readonly ok: false; readonly message: string };

export interface MigrationStep {
  /** The version this step produces; it reads documents of version `to - 1`. */
  readonly to: number;
  /** `store`, or the slice's owner. */
  readonly owner: string;
  /** What changes, in a few words. */
  readonly summary: string;
  /** Pure. Validates what it reads; a document it cannot read is an error naming the version and the field. */
  up(doc: Record<string, unknown>): StepResult;
}

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
export function migrateV2ToV3(v2: StateV2): StateV3 {
  return {
    ...v2,
    version: 3,
    reachability: { history: [], current: { ipv4: null, ipv6: null } },
    alerts: { channels: [], items: [], deliveries: [], notifications: [] },
  };
}

/**
 * Version 4 moves the append-heavy lists out of the document into logs: the audit events (`audit`), the address
 * history (`reach.history`) and the alert deliveries (`alerts.deliveries`), oldest first as they were.
 */
export function migrateV3ToV4(v3: StateV3) {
  const { audit, reachability, alerts, ...rest } = v3;
  const { deliveries, ...alertsKept } = alerts;
  return {
    doc: { ...rest, version: 4, reachability: { current: reachability.current }, alerts: alertsKept },
    logs: { audit, 'reach.history': reachability.history, 'alerts.deliveries': deliveries },
  };
}

/** A step that validates its input with `schema` (the version `to - 1` document) before changing it. */
function fromSchema<T>(
  to: number,
  summary: string,
  schema: z.ZodType<T>,
  change: (doc: T) => { doc: object; logs?: Record<string, readonly unknown[]> },
): MigrationStep {
  return {
    to,
    owner: 'store',
    summary,
    up(doc) {
      const parsed = schema.safeParse(doc);
      if (!parsed.success) {
        return { ok: false, message: `version ${to - 1} document: ${formatFirstIssue(parsed.error)}` };
      }
      const next = change(parsed.data);
      return { ok: true, doc: next.doc as Record<string, unknown>, logs: next.logs ?? {} };
    },
  };
}

/** The store's own steps, oldest first. Slices add theirs (see define-store.ts). */
export const storeMigrations: readonly MigrationStep[] = [
  fromSchema(2, 'a list of users; session ids kept only as hashes', stateV1Schema, (v1) => ({
    doc: migrateV1ToV2(v1),
  })),
  fromSchema(3, 'adds reachability and alerts', stateV2Schema, (v2) => ({ doc: migrateV2ToV3(v2) })),
  fromSchema(
    4,
    'audit events, address history and alert deliveries move into logs',
    stateV3Schema,
    migrateV3ToV4,
  ),
];

/**
 * Orders steps by the version they produce (steps to the same version keep their order: the store's first) and
 * checks that every version from 2 to the last has one. Throws on a gap or a bad version: a programming error.
 */
export function composeMigrations(steps: readonly MigrationStep[]): MigrationStep[] {
  const ordered = [...steps].sort((a, b) => a.to - b.to);
  let expected = 2;
  for (const step of ordered) {
    if (!Number.isInteger(step.to) || step.to < 2) {
      throw new Error(
        `migration "${step.summary}" (${step.owner}) produces version ${step.to}; the first is 2`,
      );
    }
    if (step.to > expected) throw new Error(`no migration produces version ${expected}`);
    expected = step.to + 1;
  }
  return ordered;
}

export type MigrationResult =
  | { kind: 'current'; state: unknown }
  | { kind: 'migrated'; from: number; state: unknown; logs: Record<string, unknown[]> }
  | { kind: 'error'; message: string };

/**
 * Brings a parsed store document to the version of the last step, running the steps in order; the log records
 * the steps move out are gathered, oldest first per log. The result still needs validating.
 */
export function migrateToCurrent(doc: unknown, steps: readonly MigrationStep[]): MigrationResult {
  const versionOf = z.object({ version: z.number().int() }).loose().safeParse(doc);
  if (!versionOf.success) return { kind: 'error', message: 'no "version" number at the top level' };
  const from = versionOf.data.version;
  const current = steps.at(-1)?.to ?? 1;
  if (from > current) {
    return {
      kind: 'error',
      message: `version ${from} was written by a newer Gatehouse (this one reads up to ${current})`,
    };
  }
  if (from === current) return { kind: 'current', state: doc };
  if (from < 1) return { kind: 'error', message: `unknown version ${from}` };
  let state: Record<string, unknown> = versionOf.data;
  const logs: Record<string, unknown[]> = {};
  for (const step of steps) {
    if (step.to <= from) continue;
    const result = step.up(state);
    if (!result.ok) return { kind: 'error', message: result.message };
    state = { ...result.doc, version: step.to };
    for (const [name, records] of Object.entries(result.logs ?? {})) (logs[name] ??= []).push(...records);
  }
  return { kind: 'migrated', from, state, logs };
}

export function formatFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `${where}: ${issue.message}`;
}
