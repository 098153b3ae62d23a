/** @module The audit log over HTTP: newest first, filtered by type, paged with `before`; settings changes audited. */
import { describe, expect, it } from 'vitest';
import type { Harness } from '../support/app-harness.js';
import { createToken, harnessPerTest, login, type BrowserSession } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();

interface AuditEventBody {
  id: string;
  at: string;
  type: string;
  actor: string;
  outcome: string;
  details: Record<string, unknown>;
}

async function audit(h: Harness, cookie: string, query = '') {
  const res = await h.request('GET', `/api/v1/audit${query}`, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as { events: AuditEventBody[]; hasMore: boolean };
}

/** Eight events, one minute apart, of a few types. */
async function busyMorning(): Promise<{ h: Harness; session: BrowserSession }> {
  const h = await createHarness();
  const session = await h.setupAdmin(); // setup.completed
  const steps: (() => unknown)[] = [
    () => login(h, { password: 'wrong password 1', from: '198.51.100.1' }), // login.failure
    () => login(h, { from: '198.51.100.2' }), // login.success
    () => createToken(h, session, 'one', 'read'), // token.created
    () => login(h, { password: 'wrong password 2', from: '198.51.100.3' }), // login.failure
    () => h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: 'Morning' } }), // settings.changed
    () => createToken(h, session, 'two', 'write'), // token.created
    () => login(h, { password: 'wrong password 3', from: '198.51.100.4' }), // login.failure
  ];
  for (const step of steps) {
    h.clock.advance(60_000);
    await step();
  }
  return { h, session };
}

describe('GET /api/v1/audit', () => {
  it('lists events newest first', async () => {
    const { h, session } = await busyMorning();
    const { events, hasMore } = await audit(h, session.cookie);
    expect(hasMore).toBe(false);
    expect(events.map((e) => e.type)).toEqual([
      'login.failure',
      'token.created',
      'settings.changed',
      'login.failure',
      'token.created',
      'login.success',
      'login.failure',
      'setup.completed',
    ]);
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBe(times.length);
  });

  it('filters by type', async () => {
    const { h, session } = await busyMorning();
    const { events } = await audit(h, session.cookie, '?type=login.failure');
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.type === 'login.failure' && e.outcome === 'failure')).toBe(true);
    expect((await audit(h, session.cookie, '?type=no.such.type')).events).toEqual([]);
  });

  it('pages with limit and before, losing and repeating nothing', async () => {
    const { h, session } = await busyMorning();
    const all = (await audit(h, session.cookie)).events;
    const collected: AuditEventBody[] = [];
    let query = '?limit=3';
    const pages: number[] = [];
    for (;;) {
      const page = await audit(h, session.cookie, query);
      pages.push(page.events.length);
      collected.push(...page.events);
      if (!page.hasMore) break;
      const oldest = page.events.at(-1);
      expect(oldest).toBeDefined();
      query = `?limit=3&before=${encodeURIComponent(oldest!.at)}`;
    }
    expect(pages).toEqual([3, 3, 2]);
    expect(collected.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('combines type and before', async () => {
    const { h, session } = await busyMorning();
    const failures = (await audit(h, session.cookie, '?type=login.failure')).events;
    const older = await audit(
      h,
      session.cookie,
      `?type=login.failure&before=${encodeURIComponent(failures[0]!.at)}&limit=1`,
    );
    expect(older.events.map((e) => e.id)).toEqual([failures[1]!.id]);
    expect(older.hasMore).toBe(true);
  });

  it('accepts a before with a time-zone offset', async () => {
    const { h, session } = await busyMorning();
    const all = (await audit(h, session.cookie)).events;
    // 12:03 UTC written as 13:03+01:00: strictly older means setup, the first failure and the success.
    const res = await audit(h, session.cookie, `?before=${encodeURIComponent('2026-03-01T13:03:00+01:00')}`);
    expect(res.events.map((e) => e.id)).toEqual(all.slice(-3).map((e) => e.id));
  });
});

describe('settings changes', () => {
  it('are audited with the names of the fields that changed, and a no-op change is not', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('PATCH', '/api/v1/settings', {
      ...session,
      body: { instanceName: 'Lake house' },
    });
    expect(res.status).toBe(200);
    const changed = readAuditLog(h.store.log('audit')).filter((e) => e.type === 'settings.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      actor: 'admin',
      outcome: 'success',
      clientAddress: '203.0.113.50',
      details: { changed: 'instanceName' },
    });

    expect(
      (await h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: 'Lake house' } }))
        .status,
    ).toBe(200);
    expect((await h.request('PATCH', '/api/v1/settings', { ...session, body: {} })).status).toBe(200);
    expect(readAuditLog(h.store.log('audit')).filter((e) => e.type === 'settings.changed')).toHaveLength(1);
  });

  it('trims the instance name before comparing and storing it', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('PATCH', '/api/v1/settings', {
      ...session,
      body: { instanceName: '  Gatehouse  ' },
    });
    expect(await res.json()).toEqual({ instanceName: 'Gatehouse' });
    expect(readAuditLog(h.store.log('audit')).filter((e) => e.type === 'settings.changed')).toHaveLength(0);
  });
});

describe('GET /api/v1/audit/types', () => {
  it("lists every registered type with its owner and description: the core's and each capability's", async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/api/v1/audit/types', { cookie: session.cookie });
    expect(res.status).toBe(200);
    const { types } = (await res.json()) as {
      types: { type: string; owner: string; description: string }[];
    };
    expect(types).toContainEqual({
      type: 'login.failure',
      owner: 'auth',
      description: 'A sign-in failed (unknown user or wrong password)',
    });
    expect(types).toContainEqual({
      type: 'alerts.channel-tested',
      owner: 'alerts',
      description: 'A test alert was sent to a channel',
    });
    expect(types.map((t) => t.owner)).toContain('settings');
    // Every type an event was recorded with is listed, so the filter can offer each one.
    const recorded = new Set(readAuditLog(h.store.log('audit')).map((e) => e.type));
    expect(recorded.size).toBeGreaterThan(0);
    for (const type of recorded) expect(types.map((t) => t.type)).toContain(type);
    expect(new Set(types.map((t) => t.type)).size).toBe(types.length);
    for (const t of types) expect(t.description).toMatch(/^[A-Z].*[^.\n]$/);
  });

  it('needs a login, and takes no parameters', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    expect((await h.request('GET', '/api/v1/audit/types')).status).toBe(401);
    const res = await h.request('GET', '/api/v1/audit/types?owner=auth', { cookie: session.cookie });
    expect(res.status).toBe(400);
  });
});
