import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { stateV2Schema, stateV3Schema, type StateV3 } from './frozen-schemas.js';
import {
  composeMigrations,
  formatFirstIssue,
  migrateToCurrent as migrateWith,
  migrateV1ToV2,
  migrateV2ToV3,
  migrateV3ToV4,
  storeMigrations,
  type MigrationStep,
  type StateV1,
} from './migrations.js';

const migrateToCurrent = (doc: unknown) => migrateWith(doc, storeMigrations);
/**
 * The store as the app composes it (its full migration list and the current, version 5, document schema). Loading
 * document.ts runs composeMigrations over storeMigrations, so it is imported inside the tests: a broken migration
 * list then fails those tests instead of the loading of this file, which mutation testing would not count.
 */
const currentStore = async () => (await import('./document.js')).gatehouseStore;
const currentSchema = async () => (await currentStore()).schema;
/**
 * A document the store's own steps produced, taken on through the slices' later steps (version 5 adds the
 * lockouts slice, empty), as loading a store does; for checking it against the current schema.
 */
const completed = async (state: unknown) => {
  const rest = migrateWith(state, (await currentStore()).migrations);
  return rest.kind === 'migrated' ? rest.state : state;
};

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
    expect(stateV3Schema.safeParse(v3).success).toBe(true);
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
    const parsed = stateV3Schema.parse({ ...v3, alerts: { channels: [], items: [item], deliveries: [] } });
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
    const doc = { version: 4, anything: true };
    expect(migrateToCurrent(doc)).toEqual({ kind: 'current', state: doc });
  });

  it('migrates version 1 through 2 and 3 to 4', async () => {
    const stateSchema = await currentSchema();
    const result = migrateToCurrent(v1);
    expect(result).toMatchObject({ kind: 'migrated', from: 1 });
    if (result.kind === 'migrated')
      expect(stateSchema.safeParse(await completed(result.state)).success).toBe(true);
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
  it('version 1 → current: every token, session and audit detail, with the documented fill-ins', async () => {
    const stateSchema = await currentSchema();
    const result = migrateToCurrent(busyV1);
    if (result.kind !== 'migrated') throw new Error(JSON.stringify(result));
    const state = stateSchema.parse(await completed(result.state));
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
      version: 8,
      lockouts: [],
      ddns: { accounts: [], records: [], states: [], clients: [] },
      wireguard: { peers: [], services: [], grants: [], links: [], lastApply: null, publicHandshakes: [] },
      cert: {
        account: null,
        certificate: null,
        current: null,
        renewal: {
          ari: null,
          failures: 0,
          lastError: null,
          nextAttemptAt: null,
          lastAttemptAt: null,
          lastSuccessAt: null,
        },
        history: [],
      },
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
    const audit = result.logs.audit as { id: string }[];
    expect(audit.map(({ id: _id, ...rest }) => rest)).toEqual(
      busyV1.audit.map((e) => ({
        at: e.at,
        type: e.type,
        actor: e.actor,
        clientAddress: 'unknown',
        outcome: 'success',
        details: { detail: e.detail },
      })),
    );
    expect(new Set(audit.map((e) => e.id)).size).toBe(3);
    expect(result.logs).toMatchObject({ 'reach.history': [], 'alerts.deliveries': [] });
  });

  it('tokens of a store without an admin name their creator as unknown', () => {
    expect(migrateV1ToV2({ ...busyV1, admin: null }).apiTokens.map((t) => t.createdBy)).toEqual([
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it('version 2 → current keeps the settings, tokens and sessions as they are, the audit events in their log', async () => {
    const stateSchema = await currentSchema();
    const v2 = { ...migrateV1ToV2(busyV1), settings: { instanceName: 'Cabin gateway' } };
    const result = migrateToCurrent(v2);
    if (result.kind !== 'migrated') throw new Error(JSON.stringify(result));
    const parsed = stateSchema.parse(await completed(result.state));
    const {
      version: _v,
      reachability: _r,
      alerts: _a,
      lockouts: _l,
      ddns: _d,
      wireguard: _w,
      cert: _c,
      ...kept
    } = parsed;
    const { version: _v2, audit, ...expected } = v2;
    expect(kept).toEqual(expected);
    expect(result.logs.audit).toEqual(audit);
  });
});

/** A busy version 3 store: audit events, address history, deliveries, and everything that stays. */
function busyV3(): StateV3 {
  const v3 = migrateV2ToV3({ ...migrateV1ToV2(busyV1), settings: { instanceName: 'Cabin gateway' } });
  return {
    ...v3,
    reachability: {
      current: { ipv4: '203.0.113.7', ipv6: null },
      history: [
        {
          at: '2026-01-01T00:00:00.000Z',
          family: 'ipv4',
          address: '203.0.113.6',
          previous: null,
          sources: ['upnp'],
        },
        {
          at: '2026-01-02T00:00:00.000Z',
          family: 'ipv4',
          address: '203.0.113.7',
          previous: '203.0.113.6',
          sources: ['stun:a', 'stun:b'],
        },
      ],
    },
    alerts: {
      channels: [],
      items: [],
      deliveries: [
        { at: '2026-01-02T00:00:01.000Z', alertId: 'a1', channelId: 'c1', ok: true, error: null },
        { at: '2026-01-02T00:00:02.000Z', alertId: null, channelId: 'c2', ok: false, error: 'refused' },
      ],
      notifications: [
        {
          at: '2026-01-02T00:00:00.000Z',
          alertId: 'a1',
          rule: 'r',
          key: '',
          event: 'raised',
          channelIds: ['c1'],
        },
      ],
    },
  };
}

describe('migrateV3ToV4', () => {
  it('moves the audit events, address history and deliveries into their logs, oldest first, and keeps the rest', async () => {
    const stateSchema = await currentSchema();
    const v3 = busyV3();
    const { doc, logs } = migrateV3ToV4(v3);
    expect(logs).toEqual({
      audit: v3.audit,
      'reach.history': v3.reachability.history,
      'alerts.deliveries': v3.alerts.deliveries,
    });
    const { audit: _a, reachability: _r, alerts: _al, version: _v, ...kept } = v3;
    expect(doc).toEqual({
      ...kept,
      version: 4,
      reachability: { current: { ipv4: '203.0.113.7', ipv6: null } },
      alerts: { channels: [], items: [], notifications: v3.alerts.notifications },
    });
    expect(stateSchema.parse(await completed(doc))).toEqual({
      ...doc,
      version: 8,
      lockouts: [],
      ddns: { accounts: [], records: [], states: [], clients: [] },
      wireguard: { peers: [], services: [], grants: [], links: [], lastApply: null, publicHandshakes: [] },
      cert: {
        account: null,
        certificate: null,
        current: null,
        renewal: {
          ari: null,
          failures: 0,
          lastError: null,
          nextAttemptAt: null,
          lastAttemptAt: null,
          lastSuccessAt: null,
        },
        history: [],
      },
    });
  });

  it('runs as the step to version 4, naming version 3 when the document is broken', () => {
    const result = migrateToCurrent(busyV3());
    expect(result).toMatchObject({ kind: 'migrated', from: 3 });
    if (result.kind === 'migrated') expect(result.logs['reach.history']).toHaveLength(2);
    expect(migrateToCurrent({ ...busyV3(), reachability: { current: null, history: [] } })).toEqual({
      kind: 'error',
      message: expect.stringMatching(/^version 3 document: reachability\.current: /),
    });
  });
});

describe('the store migration list', () => {
  it('is one step per version, in order, each owned and described', async () => {
    const gatehouseStore = await currentStore();
    expect(storeMigrations.map((m) => [m.to, m.owner, m.summary])).toEqual([
      [2, 'store', 'a list of users; session ids kept only as hashes'],
      [3, 'store', 'adds reachability and alerts'],
      [4, 'store', 'audit events, address history and alert deliveries move into logs'],
    ]);
    expect(gatehouseStore.version).toBe(8);
    expect(gatehouseStore.migrations.slice(0, 3)).toEqual(storeMigrations);
    // Then the slices' own: version 5 adds the lockouts slice (src/store/slices/lockouts.ts), 6 the DDNS slice
    // (src/ddns/slice.ts), 7 the WireGuard slice (src/wireguard/slice.ts), 8 the certificate slice
    // (src/cert/slice.ts), all empty.
    expect(gatehouseStore.migrations.slice(3).map((m) => [m.to, m.owner, m.summary])).toEqual([
      [5, 'lockouts', 'adds the lockouts slice, empty'],
      [6, 'ddns', 'adds the ddns slice, empty'],
      [7, 'wireguard', 'adds the wireguard slice, empty'],
      [8, 'cert', 'adds the cert slice, empty'],
    ]);
  });
});

const step = (to: number, owner = 'x', logs?: Record<string, unknown[]>): MigrationStep => ({
  to,
  owner,
  summary: `to ${to} by ${owner}`,
  up: (doc) => ({
    ok: true,
    doc: {
      ...doc,
      trail: [...((doc.trail as string[] | undefined) ?? []), `${owner}${to}:${String(doc.version)}`],
    },
    ...(logs ? { logs } : {}),
  }),
});

describe('composeMigrations', () => {
  it('orders by version, keeping the given order among steps to the same version', () => {
    const steps = [step(3, 'store'), step(2, 'store'), step(3, 'ddns'), step(2, 'wg')];
    expect(composeMigrations(steps).map((m) => `${m.owner}${m.to}`)).toEqual([
      'store2',
      'wg2',
      'store3',
      'ddns3',
    ]);
    expect(composeMigrations([])).toEqual([]);
  });

  it.each([
    [[step(2), step(4)], 'no migration produces version 3'],
    [[step(3)], 'no migration produces version 2'],
    [[step(1)], 'migration "to 1 by x" (x) produces version 1; the first is 2'],
    [[step(2), step(2.5)], 'produces version 2.5'],
  ])('refuses a list with a gap or a bad version (%#)', (steps, message) => {
    expect(() => composeMigrations(steps)).toThrow(message);
  });
});

describe('migrateToCurrent with any list of steps', () => {
  it('runs every step above the document version, in order, each seeing the version before it', () => {
    const steps = composeMigrations([step(2), step(3), step(3, 'y'), step(4)]);
    expect(migrateWith({ version: 2 }, steps)).toEqual({
      kind: 'migrated',
      from: 2,
      state: { version: 4, trail: ['x3:2', 'y3:3', 'x4:3'] },
      logs: {},
    });
    expect(migrateWith({ version: 1 }, steps)).toMatchObject({
      state: { trail: ['x2:1', 'x3:2', 'y3:3', 'x4:3'] },
    });
  });

  it('gathers the records each step moves out, per log, oldest step first', () => {
    const steps = [step(2, 'x', { a: [1, 2], b: [9] }), step(3, 'x', { a: [3] })];
    expect(migrateWith({ version: 1 }, steps)).toMatchObject({ logs: { a: [1, 2, 3], b: [9] } });
  });

  it('stops at the first step that cannot read its input', () => {
    const failing: MigrationStep = {
      to: 3,
      owner: 'x',
      summary: 's',
      up: () => ({ ok: false, message: 'no' }),
    };
    expect(migrateWith({ version: 1 }, [step(2), failing, step(4)])).toEqual({
      kind: 'error',
      message: 'no',
    });
  });

  it('without steps, reads only version 1 documents', () => {
    expect(migrateWith({ version: 1, a: 1 }, [])).toEqual({ kind: 'current', state: { version: 1, a: 1 } });
    expect(migrateWith({ version: 2 }, [])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('up to 1'),
    });
  });

  it('refuses a version that is not a whole number', () => {
    expect(migrateToCurrent({ version: 1.5 })).toEqual({
      kind: 'error',
      message: 'no "version" number at the top level',
    });
    expect(migrateToCurrent({ version: '4' })).toMatchObject({ kind: 'error' });
    expect(migrateToCurrent(null)).toMatchObject({ kind: 'error' });
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

describe('the store’s own steps', () => {
  it('lead from version 1 to 4, one version each, each saying what it does and refusing a document it cannot read', () => {
    expect(storeMigrations.map((s) => [s.to, s.owner])).toEqual([
      [2, 'store'],
      [3, 'store'],
      [4, 'store'],
    ]);
    expect(storeMigrations.map((s) => s.summary)).toEqual([
      'a list of users; session ids kept only as hashes',
      'adds reachability and alerts',
      'audit events, address history and alert deliveries move into logs',
    ]);
    for (const step of storeMigrations)
      expect(step.up({ version: step.to - 1 })).toMatchObject({
        ok: false,
        message: expect.stringMatching(new RegExp(`^version ${step.to - 1} document: `)) as unknown,
      });
    expect(storeMigrations[0]?.up(v1)).toMatchObject({ ok: true, doc: { version: 2 }, logs: {} });
  });
});
