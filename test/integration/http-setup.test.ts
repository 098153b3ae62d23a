/** @module First-run setup over HTTP: the setup token, the first session cookie, and that setup happens once. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupTokenFileName } from '../../src/auth/setup-token.js';
import { testPassword } from '../support/app-harness.js';
import { auditTypes, expectError, harnessPerTest } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();

/** The Set-Cookie attributes, lower-cased names → values ('' for flags). */
/** The first Set-Cookie (the session's; a device cookie may follow it) as name, value and attributes. */
function cookieAttributes(res: Response): { name: string; value: string; attrs: Map<string, string> } {
  const header = res.headers.getSetCookie()[0] ?? '';
  const [pair = '', ...rest] = header.split(';').map((p) => p.trim());
  const eq = pair.indexOf('=');
  const attrs = new Map(
    rest.map((a) => {
      const i = a.indexOf('=');
      return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

const setupBody = (setupToken: string, password = testPassword) => ({
  setupToken,
  username: 'admin',
  password,
});

describe('setup', () => {
  it('refuses a wrong setup token with 403, creates nothing and audits the attempt', async () => {
    const h = await createHarness();
    const res = await h.request('POST', '/api/v1/setup', { body: setupBody(`${h.setupToken}x`) });
    await expectError(res, 403, 'setup.bad-token');
    expect(res.headers.get('set-cookie')).toBeNull();
    const state = h.store.read();
    expect(state.users).toEqual([]);
    expect(state.setupCompletedAt).toBeNull();
    const audit = readAuditLog(h.store.log('audit'));
    const event = audit.find((e) => e.type === 'setup.token-rejected');
    // The username typed with a wrong token is no account: the attempt is credited to nobody.
    expect(event).toMatchObject({ outcome: 'failure', clientAddress: '203.0.113.50', actor: 'anonymous' });
    expect(JSON.stringify(audit)).not.toContain(h.setupToken);
  });

  it('creates the admin with the right token: 201, a strict session cookie, and a usable session', async () => {
    const h = await createHarness();
    const res = await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      stage: string;
      username: string;
      csrfToken: string;
      totpEnabled: boolean;
    };
    expect(body).toMatchObject({ stage: 'complete', username: 'admin', totpEnabled: false });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(24);

    const cookie = cookieAttributes(res);
    expect(cookie.name).toBe('gatehouse_session');
    expect(cookie.value.length).toBeGreaterThanOrEqual(40);
    expect(cookie.attrs.has('httponly')).toBe(true);
    expect(cookie.attrs.get('samesite')).toBe('Strict');
    expect(cookie.attrs.get('path')).toBe('/');
    expect(cookie.attrs.has('domain')).toBe(false);
    // Over plain HTTP a Secure cookie would never come back.
    expect(cookie.attrs.has('secure')).toBe(false);
    expect(Number(cookie.attrs.get('max-age'))).toBe(86400); // until the absolute end (24 h in the harness); idle expiry is enforced by the server

    expect((await h.request('GET', '/api/v1/status', { cookie: cookie.value })).status).toBe(200);
    expect(auditTypes(h)).toContain('setup.completed');
    expect(h.store.read().users.map((u) => u.username)).toEqual(['admin']);
  });

  it('sets a Secure __Host- cookie when served over TLS', async () => {
    const h = await createHarness({ tls: true });
    const res = await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken) });
    expect(res.status).toBe(201);
    const cookie = cookieAttributes(res);
    expect(cookie.name).toBe('__Host-gatehouse_session');
    expect(cookie.attrs.has('secure')).toBe(true);
    expect(cookie.attrs.has('httponly')).toBe(true);
    expect(cookie.attrs.get('samesite')).toBe('Strict');
    expect(cookie.attrs.get('path')).toBe('/');
    expect(cookie.attrs.has('domain')).toBe(false);
    expect((await h.request('GET', '/api/v1/status', { cookie: cookie.value })).status).toBe(200);
    // The plain name is not accepted over TLS.
    const plain = await h.app.request('http://gatehouse.test/api/v1/status', {
      headers: { host: 'gatehouse.test', cookie: `gatehouse_session=${cookie.value}` },
    });
    await expectError(plain, 401, 'auth.required');
  });

  it('answers 409 to a second setup, even from someone who knew the old token', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const again = await h.request('POST', '/api/v1/setup', {
      body: { setupToken: h.setupToken, username: 'intruder', password: 'another long password' },
    });
    await expectError(again, 409, 'setup.already-complete');
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(h.store.read().users.map((u) => u.username)).toEqual(['admin']);
    expect(await (await h.request('GET', '/api/v1/setup')).json()).toEqual({ needsSetup: false });
  });

  it('refuses a password shorter than 12 characters and keeps setup open', async () => {
    const h = await createHarness();
    const body = await expectError(
      await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken, 'elevenchars') }),
      400,
      'validation',
    );
    expect(body.error.message).toContain('password');
    expect(h.store.read().users).toEqual([]);
    // Exactly 12 is enough.
    const ok = await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken, 'twelve chars') });
    expect(ok.status).toBe(201);
  });

  it.each([[''], ['has space'], ['x'.repeat(65)], ['semi;colon']])(
    'refuses the username %j',
    async (username) => {
      const h = await createHarness();
      const body = await expectError(
        await h.request('POST', '/api/v1/setup', {
          body: { setupToken: h.setupToken, username, password: testPassword },
        }),
        400,
        'validation',
      );
      expect(body.error.message).toMatch(/^json\.username/);
    },
  );

  it('removes the setup token file once setup is complete', async () => {
    const h = await createHarness();
    const file = path.join(h.dataDir, setupTokenFileName);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(h.setupToken);
    await h.setupAdmin();
    expect(fs.existsSync(file)).toBe(false);
    expect(h.auth.pendingSetupToken()).toBeUndefined();
  });

  it('throttles repeated wrong tokens from one address, even when the right one follows', async () => {
    const h = await createHarness();
    for (let i = 0; i < 5; i++) {
      await expectError(
        await h.request('POST', '/api/v1/setup', { body: setupBody(`wrong-${i}`) }),
        403,
        'setup.bad-token',
      );
    }
    const locked = await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken) });
    await expectError(locked, 429, 'auth.locked');
    expect(Number(locked.headers.get('retry-after'))).toBe(30);
    expect(h.store.read().users).toEqual([]);
    // Another address is not affected by this one's failures.
    const elsewhere = await h.request('POST', '/api/v1/setup', {
      body: setupBody('wrong-elsewhere'),
      headers: { 'x-forwarded-for': '198.51.100.20' },
    });
    await expectError(elsewhere, 403, 'setup.bad-token');

    h.clock.advance(29_000);
    await expectError(
      await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken) }),
      429,
      'auth.locked',
    );
    h.clock.advance(2_000);
    expect((await h.request('POST', '/api/v1/setup', { body: setupBody(h.setupToken) })).status).toBe(201);
    expect(auditTypes(h).filter((t) => t === 'setup.token-rejected')).toHaveLength(6);
  });
});
