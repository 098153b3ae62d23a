import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  formatFirstIssue,
  migrateToCurrent,
  migrateV1ToV2,
  migrateV2ToV3,
  type StateV1,
} from './migrations.js';
import { stateSchema, stateV2Schema } from './schema.js';

const v1: StateV1 = {
  version: 1,
  instanceId: 'abc',
  createdAt: '2025-06-01T10:00:00.000Z',
  admin: {
    username: 'admin',
    passwordHash: 'scrypt$32768$8$1$c2FsdA$aGFzaA',
    createdAt: '2025-06-01T10:05:00.000Z',
  },
  sessions: [
    {
      id: 'raw-session-id',
      createdAt: '2025-06-02T10:00:00.000Z',
      expiresAt: '2025-06-03T10:00:00.000Z',
      csrfToken: 'c',
    },
  ],
  apiTokens: [{ id: 't1', name: 'ha', scope: 'read', tokenHash: 'h', createdAt: '2025-06-02T10:00:00.000Z' }],
  audit: [{ at: '2025-06-01T10:05:00.000Z', type: 'setup.completed', actor: 'admin', detail: 'first run' }],
};

describe('migrateV1ToV2', () => {
  it('turns the single admin into a user list and keeps the password hash', () => {
    const v2 = migrateV1ToV2(v1);
    expect(v2.users).toHaveLength(1);
    expect(v2.users[0]).toMatchObject({
      username: 'admin',
      passwordHash: v1.admin?.passwordHash,
      totpSecret: null,
    });
    expect(v2.setupCompletedAt).toBe(v1.admin?.createdAt);
  });

  it('stores session ids only as hashes and keeps them bound to the admin', () => {
    const v2 = migrateV1ToV2(v1);
    const expected = createHash('sha256').update('raw-session-id').digest('hex');
    expect(v2.sessions[0]?.idHash).toBe(expected);
    expect(v2.sessions[0]?.userId).toBe(v2.users[0]?.id);
    expect(JSON.stringify(v2)).not.toContain('raw-session-id');
  });

  it('produces a document the version 2 schema accepts', () => {
    expect(stateV2Schema.safeParse(migrateV1ToV2(v1)).success).toBe(true);
    expect(stateV2Schema.safeParse(migrateV1ToV2({ ...v1, admin: null, sessions: [] })).success).toBe(true);
  });

  it('drops v1 sessions when there is no admin to own them', () => {
    expect(migrateV1ToV2({ ...v1, admin: null }).sessions).toEqual([]);
  });
});

describe('migrateV2ToV3', () => {
  it('keeps everything of version 2 and adds empty reachability and alerts', () => {
    const v2 = migrateV1ToV2(v1);
    const v3 = migrateV2ToV3(v2);
    expect(v3.version).toBe(3);
    expect(v3.users).toEqual(v2.users);
    expect(v3.audit).toEqual(v2.audit);
    expect(v3.reachability).toEqual({ history: [], current: { ipv4: null, ipv6: null } });
    expect(v3.alerts).toEqual({ channels: [], items: [], deliveries: [], notifications: [] });
    expect(stateSchema.safeParse(v3).success).toBe(true);
  });

  it('reads a version 3 document written before the alerts ledger (the new fields default to empty)', () => {
    const v3 = migrateV2ToV3(migrateV1ToV2(v1));
    const item = {
      id: 'a1',
      rule: 'reach.cgnat',
      key: '',
      severity: 'critical',
      title: 't',
      message: 'm',
      remedy: null,
      raisedAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:00:00.000Z',
      occurrences: 1,
      clearedAt: null,
      acknowledgedAt: null,
      details: {},
    };
    const parsed = stateSchema.parse({ ...v3, alerts: { channels: [], items: [item], deliveries: [] } });
    expect(parsed.alerts.notifications).toEqual([]);
    expect(parsed.alerts.items[0]?.notifiedChannelIds).toEqual([]);
  });
});

describe('migrateToCurrent', () => {
  it.each([
    [{}, 'no "version" number'],
    [{ version: 9 }, 'newer Gatehouse'],
    [{ version: 0 }, 'unknown version 0'],
    [{ ...v1, admin: { username: 5 } }, 'version 1 document: admin.username'],
  ])('refuses %j with a message', (doc, message) => {
    const result = migrateToCurrent(doc);
    expect(result.kind).toBe('error');
    if (result.kind === 'error') expect(result.message).toContain(message);
  });

  it('passes the current version through untouched (validation comes after)', () => {
    const doc = { version: 3, anything: true };
    expect(migrateToCurrent(doc)).toEqual({ kind: 'current', state: doc });
  });

  it('migrates version 1 through 2 to 3', () => {
    const result = migrateToCurrent(v1);
    expect(result).toMatchObject({ kind: 'migrated', from: 1 });
    if (result.kind === 'migrated') expect(stateSchema.safeParse(result.state).success).toBe(true);
  });

  it('migrates version 2, refusing a broken one with the version named', () => {
    expect(migrateToCurrent(migrateV1ToV2(v1))).toMatchObject({ kind: 'migrated', from: 2 });
    const broken = migrateToCurrent({ ...migrateV1ToV2(v1), users: 'nobody' });
    expect(broken).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('version 2 document: users'),
    });
  });
});

/** A busier version 1 store: several tokens of both scopes, audit entries with details, several sessions. */
const busyV1: StateV1 = {
  ...v1,
  sessions: [
    {
      id: 's-one',
      createdAt: '2025-06-02T10:00:00.000Z',
      expiresAt: '2025-06-03T10:00:00.000Z',
      csrfToken: 'c1',
    },
    {
      id: 's-two',
      createdAt: '2025-06-02T11:00:00.000Z',
      expiresAt: '2025-06-03T11:00:00.000Z',
      csrfToken: 'c2',
    },
  ],
  apiTokens: [
    {
      id: 't1',
      name: 'home assistant',
      scope: 'read',
      tokenHash: 'h1',
      createdAt: '2025-06-02T10:00:00.000Z',
    },
    {
      id: 't2',
      name: 'backup script',
      scope: 'write',
      tokenHash: 'h2',
      createdAt: '2025-06-03T10:00:00.000Z',
    },
    { id: 't3', name: 'grafana', scope: 'read', tokenHash: 'h3', createdAt: '2025-06-04T10:00:00.000Z' },
  ],
  audit: [
    { at: '2025-06-01T10:05:00.000Z', type: 'setup.completed', actor: 'admin', detail: 'first run' },
    { at: '2025-06-02T10:00:00.000Z', type: 'token.created', actor: 'admin', detail: 'home assistant' },
    { at: '2025-06-05T08:00:00.000Z', type: 'login.failure', actor: 'root', detail: 'wrong password' },
  ],
};

describe('migrating keeps every record, field by field', () => {
  it('version 1 → current: every token, session and audit detail, with the documented fill-ins', () => {
    const result = migrateToCurrent(busyV1);
    if (result.kind !== 'migrated') throw new Error(JSON.stringify(result));
    const state = stateSchema.parse(result.state);
    const userId = state.users[0]?.id;
    expect(state.users).toEqual([
      {
        id: userId,
        username: 'admin',
        passwordHash: v1.admin?.passwordHash,
        createdAt: v1.admin?.createdAt,
        passwordChangedAt: v1.admin?.createdAt,
        totpSecret: null,
        pendingTotpSecret: null,
        recoveryCodeHashes: [],
        totpLastStep: null,
      },
    ]);
    expect(state).toMatchObject({
      version: 3,
      instanceId: 'abc',
      createdAt: v1.createdAt,
      setupCompletedAt: v1.admin?.createdAt,
      settings: { instanceName: 'Gatehouse' },
    });
    const sha = (x: string) => createHash('sha256').update(x).digest('hex');
    expect(state.sessions).toEqual(
      busyV1.sessions.map((s) => ({
        idHash: sha(s.id),
        userId,
        createdAt: s.createdAt,
        lastSeenAt: s.createdAt,
        expiresAt: s.expiresAt,
        stage: 'complete',
        csrfToken: s.csrfToken,
        clientAddress: 'unknown',
        userAgent: 'unknown',
      })),
    );
    expect(state.apiTokens).toEqual(
      busyV1.apiTokens.map((t) => ({ ...t, prefix: '', lastUsedAt: null, createdBy: 'admin' })),
    );
    expect(state.audit.map(({ id: _id, ...rest }) => rest)).toEqual(
      busyV1.audit.map((e) => ({
        at: e.at,
        type: e.type,
        actor: e.actor,
        clientAddress: 'unknown',
        outcome: 'success',
        details: { detail: e.detail },
      })),
    );
    expect(new Set(state.audit.map((e) => e.id)).size).toBe(3);
  });

  it('tokens of a store without an admin name their creator as unknown', () => {
    expect(migrateV1ToV2({ ...busyV1, admin: null }).apiTokens.map((t) => t.createdBy)).toEqual([
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it('version 2 → 3 keeps the settings, tokens, sessions and audit as they are', () => {
    const v2 = { ...migrateV1ToV2(busyV1), settings: { instanceName: 'Cabin gateway' } };
    const result = migrateToCurrent(v2);
    if (result.kind !== 'migrated') throw new Error(JSON.stringify(result));
    const { version: _v, reachability: _r, alerts: _a, ...kept } = stateSchema.parse(result.state);
    const { version: _v2, ...expected } = v2;
    expect(kept).toEqual(expected);
  });
});

describe('formatFirstIssue', () => {
  it('names the path of the first issue, "(top level)" for the document itself, and copes with none', () => {
    const top = migrateToCurrent({ ...v1, extra: true });
    expect(top).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^version 1 document: \(top level\): /),
    });
    const nested = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: 'x' } });
    expect(nested.success || formatFirstIssue(nested.error)).toMatch(/^a\.b: /);
    expect(formatFirstIssue(new z.ZodError([]))).toBe('invalid');
  });
});
