/** @module Browser sessions over HTTP: the session endpoint, logout, idle and absolute expiry, password change. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/crypto.js';
import { testPassword } from '../support/app-harness.js';
import { auditTypes, expectError, harnessPerTest, login, loginSession } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();
const minute = 60_000;
const hour = 60 * minute;

describe('GET /api/v1/auth/session', () => {
  it('describes the session and returns the CSRF token issued at login', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/api/v1/auth/session', { cookie: session.cookie });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      stage: 'complete',
      username: 'admin',
      totpEnabled: false,
      csrfToken: session.csrf,
      expiresAt: new Date(h.clock.now().getTime() + hour).toISOString(),
    });
  });

  it('lists the live sessions of the account and marks the current one', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    await loginSession(h, '198.51.100.7');
    const res = await h.request('GET', '/api/v1/auth/sessions', { cookie: a.cookie });
    const { sessions } = (await res.json()) as { sessions: { current: boolean; clientAddress: string }[] };
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current).map((s) => s.clientAddress)).toEqual(['203.0.113.50']);
    expect(sessions.find((s) => !s.current)?.clientAddress).toBe('198.51.100.7');
    // Nothing in the list can be replayed as a cookie or CSRF token.
    expect(JSON.stringify(sessions)).not.toContain(a.csrf);
    expect(JSON.stringify(sessions)).not.toContain('idHash');
  });
});

describe('logout', () => {
  it('ends the session: the cookie is cleared and the old value no longer works', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('POST', '/api/v1/auth/logout', session);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^gatehouse_session=;/);
    expect(setCookie).toMatch(/Max-Age=0/);
    await expectError(
      await h.request('GET', '/api/v1/status', { cookie: session.cookie }),
      401,
      'auth.required',
    );
    await expectError(
      await h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: 'After logout' } }),
      401,
      'auth.required',
    );
    expect(h.store.read().sessions).toEqual([]);
    expect(auditTypes(h)).toContain('logout');
  });

  it('ends only this session', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const b = await loginSession(h, '198.51.100.7');
    expect((await h.request('POST', '/api/v1/auth/logout', a)).status).toBe(200);
    expect((await h.request('GET', '/api/v1/status', { cookie: b.cookie })).status).toBe(200);
  });
});

describe('expiry', () => {
  it('ends a session that stays idle longer than the idle limit', async () => {
    const h = await createHarness();
    const { cookie } = await h.setupAdmin();
    h.clock.advance(hour - 1_000);
    expect((await h.request('GET', '/api/v1/status', { cookie })).status).toBe(200);
    // That request counted as activity: the idle limit starts again from here.
    h.clock.advance(hour - 1_000);
    expect((await h.request('GET', '/api/v1/status', { cookie })).status).toBe(200);
    h.clock.advance(hour + 1);
    await expectError(await h.request('GET', '/api/v1/status', { cookie }), 401, 'auth.required');
  });

  it('ends an active session at its absolute maximum age', async () => {
    const h = await createHarness();
    const { cookie } = await h.setupAdmin();
    const start = h.clock.now().getTime();
    // Busy all day: a request every 25 minutes keeps the idle limit from ever triggering.
    while (h.clock.now().getTime() + 25 * minute < start + 24 * hour) {
      h.clock.advance(25 * minute);
      const res = await h.request('GET', '/api/v1/status', { cookie });
      expect(res.status, h.clock.now().toISOString()).toBe(200);
    }
    h.clock.advance(start + 24 * hour - 1_000 - h.clock.now().getTime());
    expect((await h.request('GET', '/api/v1/status', { cookie })).status).toBe(200);
    h.clock.advance(1_000);
    await expectError(await h.request('GET', '/api/v1/status', { cookie }), 401, 'auth.required');
  });

  it('sweeps expired sessions out of the store', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    h.clock.advance(2 * hour);
    const fresh = await loginSession(h);
    expect(h.store.read().sessions.map((s) => s.idHash)).toEqual([sha256Hex(fresh.cookie)]);
  });
});

describe('ending sessions everywhere', () => {
  it('logout-everywhere ends every session of the account, other browsers included', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const b = await loginSession(h, '198.51.100.7');
    const c = await loginSession(h, '198.51.100.8');
    const res = await h.request('POST', '/api/v1/auth/logout-everywhere', a);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sessionsEnded: 3 });
    expect(res.headers.get('set-cookie') ?? '').toMatch(/Max-Age=0/);
    for (const s of [a, b, c]) {
      await expectError(await h.request('GET', '/api/v1/status', { cookie: s.cookie }), 401, 'auth.required');
    }
    expect(readAuditLog(h.store.log('audit')).find((e) => e.type === 'logout.everywhere')?.details).toEqual({
      sessionsEnded: 3,
    });
  });

  it('a password change ends the other sessions but keeps the current one', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const b = await loginSession(h, '198.51.100.7');
    const newPassword = 'a brand new long password';
    const res = await h.request('POST', '/api/v1/auth/password', {
      ...a,
      body: { currentPassword: testPassword, newPassword },
    });
    expect(res.status).toBe(200);
    expect((await h.request('GET', '/api/v1/status', { cookie: a.cookie })).status).toBe(200);
    // The current session keeps its CSRF token too.
    expect(
      (await h.request('PATCH', '/api/v1/settings', { ...a, body: { instanceName: 'Still me' } })).status,
    ).toBe(200);
    await expectError(await h.request('GET', '/api/v1/status', { cookie: b.cookie }), 401, 'auth.required');

    await expectError((await login(h, { from: '198.51.100.9' })).res, 401, 'auth.invalid-credentials');
    expect((await login(h, { password: newPassword, from: '198.51.100.9' })).res.status).toBe(200);
    expect(auditTypes(h)).toContain('password.changed');
  });

  it('a password change with the wrong current password changes nothing', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const b = await loginSession(h, '198.51.100.7');
    const hashBefore = h.store.read().users[0]?.passwordHash;
    await expectError(
      await h.request('POST', '/api/v1/auth/password', {
        ...a,
        body: { currentPassword: 'a wrong current password', newPassword: 'a brand new long password' },
      }),
      403,
      'auth.wrong-password',
    );
    expect(h.store.read().users[0]?.passwordHash).toBe(hashBefore);
    expect((await h.request('GET', '/api/v1/status', { cookie: b.cookie })).status).toBe(200);
    expect(readAuditLog(h.store.log('audit')).at(-1)).toMatchObject({
      type: 'password.confirm-failed',
      outcome: 'failure',
    });
  });

  it('a password change refuses a new password shorter than 12 characters', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const body = await expectError(
      await h.request('POST', '/api/v1/auth/password', {
        ...a,
        body: { currentPassword: testPassword, newPassword: 'short' },
      }),
      400,
      'validation',
    );
    expect(body.error.message).toMatch(/^json\.newPassword/);
  });
});

describe('what the store keeps', () => {
  it('never writes the session cookie value, only its hash', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const b = await loginSession(h, '198.51.100.7');
    const file = fs.readFileSync(h.store.location, 'utf8');
    for (const cookie of [a.cookie, b.cookie]) {
      expect(file).not.toContain(cookie);
      expect(file).toContain(sha256Hex(cookie));
    }
    expect(JSON.stringify(h.store.read())).not.toContain(a.cookie);
  });
});

describe('revoking one session', () => {
  it('DELETE /auth/sessions/{id} ends that session only, audited as session.revoked', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    const b = await loginSession(h, '198.51.100.7');
    const list = await h.request('GET', '/api/v1/auth/sessions', { cookie: a.cookie });
    const { sessions } = (await list.json()) as {
      sessions: { id: string; current: boolean; clientAddress: string }[];
    };
    const other = sessions.find((s) => !s.current);
    expect(other?.id).toMatch(/^[0-9a-f]{32}$/);
    // The id is neither the cookie nor its stored hash.
    expect(JSON.stringify(sessions)).not.toContain(sha256Hex(b.cookie));
    expect(JSON.stringify(sessions)).not.toContain(b.cookie);

    const res = await h.request('DELETE', `/api/v1/auth/sessions/${other?.id ?? ''}`, a);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await h.request('GET', '/api/v1/auth/session', { cookie: b.cookie })).status).toBe(401);
    expect((await h.request('GET', '/api/v1/auth/session', { cookie: a.cookie })).status).toBe(200);
    const revoked = readAuditLog(h.store.log('audit')).filter((e) => e.type === 'session.revoked');
    expect(revoked.map((e) => [e.actor, e.details])).toEqual([['admin', { clientAddress: '198.51.100.7' }]]);

    // Gone now: a second revoke, or an id nobody has, is 404.
    await expectError(
      await h.request('DELETE', `/api/v1/auth/sessions/${other?.id ?? ''}`, a),
      404,
      'auth.session-not-found',
    );
    await expectError(
      await h.request('DELETE', `/api/v1/auth/sessions/${'0'.repeat(32)}`, a),
      404,
      'auth.session-not-found',
    );
  });

  it('needs the CSRF token like every change', async () => {
    const h = await createHarness();
    const a = await h.setupAdmin();
    await expectError(
      await h.request('DELETE', `/api/v1/auth/sessions/${'0'.repeat(32)}`, { cookie: a.cookie }),
      403,
      'csrf.token-invalid',
    );
  });
});
