/** @module API tokens over HTTP: shown once, stored hashed, scoped, session-only management, revocation, audit. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSecret, sha256Hex } from '../../src/auth/crypto.js';
import { testPassword, type Harness } from '../support/app-harness.js';
import { auditTypes, bearer, createToken, expectError, harnessPerTest } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();
const someUuid = '3f1c2b9e-8d4a-4c1e-9b7f-2a6d5e4c3b21';

/** A request as a script would send it: bearer token, no cookie, no Origin, no CSRF header. */
function scripted(h: Harness, method: string, path: string, token: string, body?: unknown) {
  return h.app.request(`http://gatehouse.test${path}`, {
    method,
    headers: {
      host: 'gatehouse.test',
      ...bearer(token),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('creating and listing tokens', () => {
  it('shows the secret once; the list and the store hold neither the secret nor its hash', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('POST', '/api/v1/tokens', {
      ...session,
      body: { name: 'home-assistant', scope: 'read' },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { token: string; record: Record<string, unknown> };
    expect(created.token).toMatch(/^gth_[A-Za-z0-9_-]{43}$/);
    expect(created.record).toMatchObject({
      name: 'home-assistant',
      scope: 'read',
      createdBy: 'admin',
      lastUsedAt: null,
    });
    expect(created.record.prefix).toBe(created.token.slice(0, 8));
    expect(created.record).not.toHaveProperty('tokenHash');

    const list = await h.request('GET', '/api/v1/tokens', { cookie: session.cookie });
    expect(list.status).toBe(200);
    const text = await list.text();
    const hash = sha256Hex(created.token);
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(hash);
    expect(text).not.toContain('tokenHash');
    const { tokens } = JSON.parse(text) as { tokens: { id: string; name: string }[] };
    expect(tokens.map((t) => t.name)).toEqual(['home-assistant']);
    expect(tokens[0]?.id).toBe(created.record.id);

    const file = fs.readFileSync(h.store.location, 'utf8');
    expect(file).not.toContain(created.token);
    expect(file).toContain(hash);
  });

  it('answers 409 to a second token with the same name', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    await createToken(h, session, 'backup', 'read');
    await expectError(
      await h.request('POST', '/api/v1/tokens', { ...session, body: { name: 'backup', scope: 'write' } }),
      409,
      'token.name-taken',
    );
    expect(h.store.read().apiTokens).toHaveLength(1);
  });

  it('keeps names unique even when two creations race', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const results = await Promise.all([
      h.request('POST', '/api/v1/tokens', { ...session, body: { name: 'twin', scope: 'read' } }),
      h.request('POST', '/api/v1/tokens', { ...session, body: { name: 'twin', scope: 'write' } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(h.store.read().apiTokens.map((t) => t.name)).toEqual(['twin']);
  });

  it('audits creation and revocation without the secret', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token, id } = await createToken(h, session, 'ci', 'write');
    expect((await h.request('DELETE', `/api/v1/tokens/${id}`, session)).status).toBe(200);
    const audit = readAuditLog(h.store.log('audit'));
    expect(audit.find((e) => e.type === 'token.created')).toMatchObject({
      actor: 'admin',
      details: { name: 'ci', scope: 'write', id },
    });
    expect(audit.find((e) => e.type === 'token.revoked')).toMatchObject({
      actor: 'admin',
      details: { name: 'ci', id },
    });
    expect(JSON.stringify(audit)).not.toContain(token);
  });
});

describe('using tokens', () => {
  it('a read token can read but not change: 403 auth.read-only-token', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'grafana', 'read');
    for (const path of ['/api/v1/status', '/api/v1/settings', '/api/v1/audit']) {
      expect((await scripted(h, 'GET', path, token)).status, path).toBe(200);
    }
    await expectError(
      await scripted(h, 'PATCH', '/api/v1/settings', token, { instanceName: 'Read-only?' }),
      403,
      'auth.read-only-token',
    );
    await expectError(
      await scripted(h, 'POST', '/api/v1/auth/logout', token, {}),
      403,
      'auth.read-only-token',
    );
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');
  });

  it('a write token can change settings, and the audit names the token', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'ansible', 'write');
    const res = await scripted(h, 'PATCH', '/api/v1/settings', token, { instanceName: 'Managed' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ instanceName: 'Managed' });
    expect(readAuditLog(h.store.log('audit')).at(-1)).toMatchObject({
      type: 'settings.changed',
      actor: 'token:ansible',
    });
  });

  it('records when a token was last used', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token, id } = await createToken(h, session, 'probe', 'read');
    h.clock.advance(5 * 60_000);
    await scripted(h, 'GET', '/api/v1/status', token);
    expect(h.store.read().apiTokens.find((t) => t.id === id)?.lastUsedAt).toBe(h.clock.now().toISOString());
  });

  it.each([
    ['GET', '/api/v1/tokens'],
    ['POST', '/api/v1/tokens'],
    ['DELETE', `/api/v1/tokens/${someUuid}`],
    ['POST', '/api/v1/auth/password'],
    ['POST', '/api/v1/auth/totp/enrol'],
    ['POST', '/api/v1/auth/totp/confirm'],
    ['POST', '/api/v1/auth/totp/disable'],
    ['POST', '/api/v1/auth/recovery-codes'],
    ['POST', '/api/v1/auth/logout-everywhere'],
    ['GET', '/api/v1/auth/sessions'],
    ['GET', '/api/v1/auth/session'],
  ])('no token, not even a write token, reaches the session-only route %s %s', async (method, path) => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'root-ish', 'write');
    const before = JSON.stringify({ ...h.store.read(), apiTokens: [], audit: [] });
    const body: Record<string, unknown> = {
      'POST /api/v1/tokens': { name: 'minted', scope: 'write' },
      'POST /api/v1/auth/password': { currentPassword: testPassword, newPassword: 'taken over by a token' },
      'POST /api/v1/auth/totp/confirm': { code: '123456' },
      'POST /api/v1/auth/totp/disable': { password: testPassword },
      'POST /api/v1/auth/recovery-codes': { password: testPassword },
    };
    const res = await scripted(
      h,
      method,
      path,
      token,
      body[`${method} ${path}`] ?? (method === 'GET' ? undefined : {}),
    );
    await expectError(res, 403, 'auth.session-required');
    expect(JSON.stringify({ ...h.store.read(), apiTokens: [], audit: [] })).toBe(before);
    expect(h.store.read().apiTokens).toHaveLength(1);
  });

  it('a revoked token is refused with 401', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token, id } = await createToken(h, session, 'old', 'write');
    expect((await scripted(h, 'GET', '/api/v1/status', token)).status).toBe(200);
    expect((await h.request('DELETE', `/api/v1/tokens/${id}`, session)).status).toBe(200);
    await expectError(await scripted(h, 'GET', '/api/v1/status', token), 401, 'auth.required');
    await expectError(await h.request('DELETE', `/api/v1/tokens/${id}`, session), 404, 'token.not-found');
    expect(auditTypes(h)).toContain('token.rejected');
  });

  it('an invalid bearer token is not rescued by a valid session cookie', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'real', 'read');
    for (const authorization of [`Bearer ${token}x`, 'Bearer ', 'Basic YWRtaW46eA==', token]) {
      await expectError(
        await h.request('GET', '/api/v1/status', { cookie: session.cookie, headers: { authorization } }),
        401,
        'auth.required',
      );
    }
  });

  it('still accepts a token issued before the prefix changed (ghp_…), and lists and revokes it', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    // As an older Gatehouse stored it: GitHub's prefix, only the hash of the whole token kept.
    const legacy = `ghp_${generateSecret(32)}`;
    await h.store.update((draft) => {
      draft.apiTokens.push({
        id: someUuid,
        name: 'legacy',
        scope: 'read',
        tokenHash: sha256Hex(legacy),
        prefix: legacy.slice(0, 8),
        createdAt: '2025-06-01T00:00:00.000Z',
        lastUsedAt: null,
        createdBy: 'admin',
      });
    });
    expect((await scripted(h, 'GET', '/api/v1/status', legacy)).status).toBe(200);
    const list = (await (await h.request('GET', '/api/v1/tokens', { cookie: session.cookie })).json()) as {
      tokens: { name: string; prefix: string; lastUsedAt: string | null }[];
    };
    expect(list.tokens).toEqual([
      expect.objectContaining({
        name: 'legacy',
        prefix: legacy.slice(0, 8),
        lastUsedAt: h.clock.now().toISOString(),
      }),
    ]);
    // A new token next to it gets the new prefix.
    expect((await createToken(h, session, 'fresh', 'read')).token).toMatch(/^gth_/);
    expect((await h.request('DELETE', `/api/v1/tokens/${someUuid}`, session)).status).toBe(200);
    await expectError(await scripted(h, 'GET', '/api/v1/status', legacy), 401, 'auth.required');
  });

  it('is case-insensitive about the Bearer scheme name only', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'curl', 'read');
    const res = await h.request('GET', '/api/v1/status', { headers: { authorization: `bearer ${token}` } });
    expect(res.status).toBe(200);
    await expectError(
      await h.request('GET', '/api/v1/status', {
        headers: { authorization: `Bearer ${token.toUpperCase()}` },
      }),
      401,
    );
  });
});
