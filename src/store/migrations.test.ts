import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { migrateToCurrent, migrateV1ToV2, migrateV2ToV3, type StateV1 } from './migrations.js';
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
