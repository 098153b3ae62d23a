/** @module CSRF defences: same-origin checks for every unsafe request, the X-CSRF-Token for cookie sessions. */
import { describe, expect, it } from 'vitest';
import { testPassword } from '../support/app-harness.js';
import {
  bearer,
  createToken,
  enableTotp,
  expectError,
  harnessPerTest,
  login,
  totpCodeAt,
} from '../support/api-helpers.js';

const createHarness = harnessPerTest();

const rename = (instanceName: string) => ({ body: { instanceName } });

describe('cookie sessions need the CSRF token', () => {
  it('refuses a cookie-authenticated change without X-CSRF-Token, and changes nothing', async () => {
    const h = await createHarness();
    const { cookie } = await h.setupAdmin();
    await expectError(
      await h.request('PATCH', '/api/v1/settings', { cookie, ...rename('Hijacked') }),
      403,
      'csrf.token-invalid',
    );
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');
    // Logout is a change too: without the token the session survives.
    await expectError(await h.request('POST', '/api/v1/auth/logout', { cookie }), 403, 'csrf.token-invalid');
    expect((await h.request('GET', '/api/v1/status', { cookie })).status).toBe(200);
  });

  it('refuses a wrong token, and the token of another session', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const other = await login(h);
    const otherCsrf = ((await other.res.json()) as { csrfToken: string }).csrfToken;
    expect(otherCsrf).not.toBe(session.csrf);
    for (const csrf of ['wrong', `${session.csrf}x`, session.csrf.slice(0, -1), otherCsrf]) {
      await expectError(
        await h.request('PATCH', '/api/v1/settings', { cookie: session.cookie, csrf, ...rename('Hijacked') }),
        403,
        'csrf.token-invalid',
      );
    }
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');
  });

  it('accepts the right token', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('PATCH', '/api/v1/settings', { ...session, ...rename('Home gateway') });
    expect(res.status).toBe(200);
    expect(h.store.read().settings.instanceName).toBe('Home gateway');
    // A browser that also sends Sec-Fetch-Site: same-origin is fine.
    const again = await h.request('PATCH', '/api/v1/settings', {
      ...session,
      ...rename('Cabin gateway'),
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(again.status).toBe(200);
  });

  it('needs no token for safe methods', async () => {
    const h = await createHarness();
    const { cookie } = await h.setupAdmin();
    expect((await h.request('GET', '/api/v1/settings', { cookie })).status).toBe(200);
  });
});

describe('same-origin checks', () => {
  it.each([
    ['a foreign Origin', { origin: 'http://evil.test' }, 'csrf.origin-mismatch'],
    ['a foreign port', { origin: 'http://gatehouse.test:8443' }, 'csrf.origin-mismatch'],
    ['a look-alike host', { origin: 'http://gatehouse.test.evil.test' }, 'csrf.origin-mismatch'],
    ['an opaque Origin', { origin: 'null' }, 'csrf.origin-mismatch'],
    ['an unparsable Origin', { origin: 'not a url' }, 'csrf.origin-mismatch'],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 'csrf.cross-site'],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }, 'csrf.cross-site'],
  ])('refuses %s even with the right token', async (_what, headers, code) => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    await expectError(
      await h.request('PATCH', '/api/v1/settings', { ...session, ...rename('Hijacked'), headers }),
      403,
      code,
    );
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');
  });

  it('refuses an anonymous login from a foreign origin (login CSRF) without counting or issuing anything', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const sessionsBefore = h.store.read().sessions.length;
    const res = await h.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: testPassword },
      headers: { origin: 'http://evil.test' },
    });
    await expectError(res, 403, 'csrf.origin-mismatch');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(h.store.read().sessions).toHaveLength(sessionsBefore);
    await expectError(
      await h.request('POST', '/api/v1/auth/login', {
        body: { username: 'admin', password: testPassword },
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
      403,
      'csrf.cross-site',
    );
  });

  it('refuses a cross-site setup attempt', async () => {
    const h = await createHarness();
    await expectError(
      await h.request('POST', '/api/v1/setup', {
        body: { setupToken: h.setupToken, username: 'admin', password: testPassword },
        headers: { origin: 'http://evil.test' },
      }),
      403,
      'csrf.origin-mismatch',
    );
    expect(h.auth.needsSetup()).toBe(true);
  });
});

describe('bearer tokens', () => {
  it('change things without a CSRF token: the header is not an ambient credential', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'automation', 'write');
    const res = await h.app.request('http://gatehouse.test/api/v1/settings', {
      method: 'PATCH',
      headers: { host: 'gatehouse.test', 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ instanceName: 'Scripted' }),
    });
    expect(res.status).toBe(200);
    expect(h.store.read().settings.instanceName).toBe('Scripted');
  });
});

describe('the second login step', () => {
  it('works from the pending cookie alone: a pending session has no CSRF token to send', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { secret } = await enableTotp(h, session);
    h.clock.advance(30_000);
    const first = await login(h);
    const pending = (await first.res.json()) as { stage: string; csrfToken: string };
    expect(pending).toMatchObject({ stage: 'pending-mfa', csrfToken: '' });
    const res = await h.request('POST', '/api/v1/auth/login/totp', {
      cookie: first.cookie!,
      body: { code: totpCodeAt(secret, h.clock.now()) },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { stage: string }).stage).toBe('complete');
  });

  it('is still refused from a foreign origin', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { secret } = await enableTotp(h, session);
    h.clock.advance(30_000);
    const first = await login(h);
    await expectError(
      await h.request('POST', '/api/v1/auth/login/totp', {
        cookie: first.cookie!,
        body: { code: totpCodeAt(secret, h.clock.now()) },
        headers: { origin: 'http://evil.test' },
      }),
      403,
      'csrf.origin-mismatch',
    );
  });
});
