/**
 * @module Lockouts that hold and cannot be turned against the owner: they survive a restart (a store slice), and a
 * browser that has logged in before keeps trying with its device cookie (OWASP "device cookies") and a failure limit
 * of its own, while strangers stay locked out. Also: a rejected setup token is credited to nobody.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/audit/read.js';
import { deviceKeyFileName, issueDeviceToken } from '../../src/auth/device-cookie.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { FakeClock } from '../fakes/clock.js';
import { testPassword } from '../support/app-harness.js';
import { enableTotp, expectError, harnessPerTest, totpCodeAt } from '../support/api-helpers.js';
import type { Harness } from '../support/app-harness.js';
import { testConfig } from '../support/config.js';

const createHarness = harnessPerTest();
const wrong = 'not the password at all';
const deviceCookieName = 'gatehouse_device';

function deviceCookieFrom(res: Response): string | undefined {
  const header = res.headers.getSetCookie().find((c) => c.startsWith(`${deviceCookieName}=`));
  return header ? /^[^=]+=([^;]*)/.exec(header)?.[1] : undefined;
}

async function loginFrom(
  h: Harness,
  from: string,
  opts: { username?: string; password?: string; device?: string } = {},
) {
  return h.request('POST', '/api/v1/auth/login', {
    body: { username: opts.username ?? 'admin', password: opts.password ?? testPassword },
    headers: {
      'x-forwarded-for': from,
      ...(opts.device === undefined ? {} : { cookie: `${deviceCookieName}=${opts.device}` }),
    },
  });
}

/** A stranger on the LAN fails five times on the admin account: the account is locked for strangers. */
async function lockAdminOut(h: Harness) {
  for (let i = 0; i < 5; i++)
    expect((await loginFrom(h, '203.0.113.66', { password: wrong })).status).toBe(401);
  expect((await loginFrom(h, '198.51.100.200')).status).toBe(429);
}

describe('device cookies', () => {
  it('a successful login sets a signed, HttpOnly, SameSite=Strict device cookie for user and device', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const res = await loginFrom(h, '198.51.100.7');
    expect(res.status).toBe(200);
    const header = res.headers.getSetCookie().find((c) => c.startsWith(`${deviceCookieName}=`)) ?? '';
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).toMatch(/Path=\//);
    expect(header).toMatch(/Max-Age=\d{7,}/);
    const device = deviceCookieFrom(res) ?? '';
    expect(device.length).toBeGreaterThan(40);
    // A failed login sets none.
    expect(deviceCookieFrom(await loginFrom(h, '198.51.100.7', { password: wrong }))).toBeUndefined();
  });

  it('the owner with a device cookie still logs in while the account is locked for strangers', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const device = deviceCookieFrom(await loginFrom(h, '198.51.100.7')) ?? '';
    await lockAdminOut(h);

    // The owner on another address without the cookie is a stranger too.
    await expectError(await loginFrom(h, '198.51.100.8'), 429, 'auth.locked');
    // With it: in.
    const owner = await loginFrom(h, '198.51.100.8', { device });
    expect(owner.status).toBe(200);
    expect(h.sessionCookieFrom(owner)).toBeDefined();

    // The stranger stays locked out, with or without a made-up or altered device cookie.
    await expectError(await loginFrom(h, '203.0.113.66'), 429, 'auth.locked');
    const forged = `${device.slice(0, -4)}AAAA`;
    await expectError(await loginFrom(h, '203.0.113.66', { device: forged }), 429, 'auth.locked');
    await expectError(await loginFrom(h, '203.0.113.66', { device: 'v1.YWRtaW4.00.AA' }), 429, 'auth.locked');
  });

  it('a device cookie opens only the account it was issued for', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const device = deviceCookieFrom(await loginFrom(h, '198.51.100.7')) ?? '';
    // Five failures for a name nobody has from one address: that name is locked for strangers.
    for (let i = 0; i < 5; i++) await loginFrom(h, '203.0.113.66', { username: 'ghost', password: wrong });
    await expectError(await loginFrom(h, '198.51.100.9', { username: 'ghost', device }), 429, 'auth.locked');
  });

  it('a device has its own failure limit: five wrong passwords lock that device, not the owner elsewhere', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const device = deviceCookieFrom(await loginFrom(h, '198.51.100.7')) ?? '';
    const other = deviceCookieFrom(await loginFrom(h, '198.51.100.8')) ?? '';
    for (let i = 0; i < 5; i++) {
      expect((await loginFrom(h, '198.51.100.7', { device, password: wrong })).status).toBe(401);
    }
    const locked = await expectError(await loginFrom(h, '198.51.100.7', { device }), 429, 'auth.locked');
    expect(locked.error.message).toMatch(/try again/);
    // The device's failures are its own: the account is not locked for the other device, nor for strangers.
    expect((await loginFrom(h, '198.51.100.8', { device: other })).status).toBe(200);
    expect((await loginFrom(h, '198.51.100.50')).status).toBe(200);
  });

  it('with two-factor on, the cookie is set once the code is right, and it carries the owner through a lockout', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { secret } = await enableTotp(h, session);
    const first = await loginFrom(h, '198.51.100.7');
    expect(first.status).toBe(200);
    expect(deviceCookieFrom(first)).toBeUndefined();
    h.clock.advance(30_000);
    const mfa = await h.request('POST', '/api/v1/auth/login/totp', {
      cookie: h.sessionCookieFrom(first) ?? '',
      body: { code: totpCodeAt(secret, h.clock.now()) },
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(mfa.status).toBe(200);
    const device = deviceCookieFrom(mfa) ?? '';
    expect(device).not.toBe('');

    await lockAdminOut(h);
    const again = await loginFrom(h, '198.51.100.7', { device });
    expect(again.status).toBe(200);
    h.clock.advance(30_000);
    // Both cookies, as the browser sends them: the pending login's and the device's.
    const both = `${h.cookieName}=${h.sessionCookieFrom(again) ?? ''}; ${deviceCookieName}=${device}`;
    const second = await h.request('POST', '/api/v1/auth/login/totp', {
      body: { code: totpCodeAt(secret, h.clock.now()) },
      headers: { 'x-forwarded-for': '198.51.100.7', cookie: both },
    });
    expect(second.status).toBe(200);
  });
});

describe('device cookies end with the password and with log-out-everywhere', () => {
  /** Logs in from the owner's browser: its session and device cookie. */
  async function ownerBrowser(h: Harness) {
    const res = await loginFrom(h, '198.51.100.7');
    expect(res.status).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { session: h.sessionCookieFrom(res) ?? '', csrf: csrfToken, device: deviceCookieFrom(res) ?? '' };
  }

  it('the offline password reset: an old device cookie no longer exempts from the lockout', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const { device } = await ownerBrowser(h);
    const epoch = h.store.read().users[0]?.deviceEpoch;
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await h.auth.resetPassword('admin', 'a brand new password', false)).ok).toBe(true);
    expect(h.store.read().users[0]?.deviceEpoch).not.toBe(epoch);
    await lockAdminOut(h);
    const stolen = { device, password: 'a brand new password' };
    await expectError(await loginFrom(h, '198.51.100.7', stolen), 429, 'auth.locked');
    await expectError(await loginFrom(h, '198.51.100.7', { ...stolen, password: wrong }), 429, 'auth.locked');
  });

  it('log-out-everywhere: an old device cookie no longer exempts; a new login gets one that does', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const owner = await ownerBrowser(h);
    const out = await h.request('POST', '/api/v1/auth/logout-everywhere', {
      cookie: owner.session,
      csrf: owner.csrf,
    });
    expect(out.status).toBe(200);
    const fresh = deviceCookieFrom(await loginFrom(h, '198.51.100.8')) ?? '';
    await lockAdminOut(h);
    await expectError(await loginFrom(h, '198.51.100.7', { device: owner.device }), 429, 'auth.locked');
    expect((await loginFrom(h, '198.51.100.8', { device: fresh })).status).toBe(200);
  });

  it('a password change: the old device cookie no longer exempts', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const owner = await ownerBrowser(h);
    const changed = await h.request('POST', '/api/v1/auth/password', {
      cookie: owner.session,
      csrf: owner.csrf,
      body: { currentPassword: testPassword, newPassword: 'a brand new password' },
    });
    expect(changed.status).toBe(200);
    await lockAdminOut(h);
    const res = await loginFrom(h, '198.51.100.7', {
      device: owner.device,
      password: 'a brand new password',
    });
    await expectError(res, 429, 'auth.locked');
  });

  it('signing out of one session leaves the device cookie good', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const owner = await ownerBrowser(h);
    const out = await h.request('POST', '/api/v1/auth/logout', { cookie: owner.session, csrf: owner.csrf });
    expect(out.status).toBe(200);
    await lockAdminOut(h);
    expect((await loginFrom(h, '198.51.100.7', { device: owner.device })).status).toBe(200);
  });
});

describe('an unusable device key file', () => {
  it.each([
    ['empty (a crash or a full disk when it was made)', ''],
    ['junk', '!!!!\n'],
  ])('%s is replaced: cookies signed with what it held do not lift the lockout', async (_what, content) => {
    const h = await createHarness();
    fs.writeFileSync(path.join(h.dataDir, deviceKeyFileName), content, { mode: 0o600 });
    await h.setupAdmin();
    await lockAdminOut(h);
    // What the old code signed with: Buffer.from('', 'base64url'), a key anyone has.
    const user = h.store.read().users[0];
    const forged = issueDeviceToken(Buffer.from(content.trim(), 'base64url'), {
      username: 'admin',
      deviceEpoch: user?.deviceEpoch,
    });
    for (let i = 0; i < 3; i++)
      await expectError(
        await loginFrom(h, '203.0.113.66', { password: wrong, device: forged }),
        429,
        'auth.locked',
      );
    await expectError(await loginFrom(h, '203.0.113.66', { device: forged }), 429, 'auth.locked');
    const stored = fs.readFileSync(path.join(h.dataDir, deviceKeyFileName), 'utf8').trim();
    expect(Buffer.from(stored, 'base64url').length).toBe(32);
    expect(h.logger.lines.filter((l) => l.level === 'warn' && /device cookie key/.test(l.msg))).toHaveLength(
      1,
    );
    expect(JSON.stringify(h.logger.lines)).not.toContain(stored);
  });
});

describe('over HTTPS', () => {
  it('the device cookie is __Host- prefixed and Secure, and it is what the next login is read from', async () => {
    const h = await createHarness({ tls: true });
    await h.setupAdmin();
    const res = await loginFrom(h, '198.51.100.7');
    const header = res.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_device=')) ?? '';
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/Path=\//);
    const device = /^[^=]+=([^;]*)/.exec(header)?.[1] ?? '';
    await lockAdminOut(h);
    const owner = await h.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: testPassword },
      headers: { 'x-forwarded-for': '198.51.100.8', cookie: `__Host-gatehouse_device=${device}` },
    });
    expect(owner.status).toBe(200);
  });
});

describe('the offline password reset', () => {
  it('lifts the lockout of the account it resets (the address lockouts stay)', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    await lockAdminOut(h);
    const reset = await h.auth.resetPassword('admin', 'a brand new password', false);
    expect(reset.ok).toBe(true);
    expect(h.store.read().lockouts.map((l) => l.key)).toEqual(['client:203.0.113.66']);
    expect((await loginFrom(h, '198.51.100.8', { password: 'a brand new password' })).status).toBe(200);
    await expectError(
      await loginFrom(h, '203.0.113.66', { password: 'a brand new password' }),
      429,
      'auth.locked',
    );
  });
});

describe('lockouts are kept in the store', () => {
  it('the running lockout is in the store document (account and client keys)', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    await lockAdminOut(h);
    const keys = h.store.read().lockouts.filter((l) => Date.parse(l.lockedUntil) > h.clock.now().getTime());
    expect(keys.map((l) => l.key).sort()).toEqual(['account:admin', 'client:203.0.113.66']);
  });

  describe('across a restart of the real server', () => {
    let dir: string;
    let gh: Gatehouse | undefined;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lockouts-'));
    });
    afterEach(async () => {
      await gh?.stop();
      gh = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a lockout still holds after a restart, for its remaining time', async () => {
      const clock = new FakeClock('2026-03-01T12:00:00.000Z');
      const start = () =>
        startGatehouse(testConfig({ dataDir: dir }), { processMetrics: false, ports: { clock } });
      gh = await start();
      let url = gh.server.url;
      const setupToken = fs.readFileSync(path.join(dir, 'setup-token'), 'utf8').trim();
      const post = (route: string, body: unknown) =>
        fetch(`${url}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(
        (await post('/api/v1/setup', { setupToken, username: 'admin', password: testPassword })).status,
      ).toBe(201);
      for (let i = 0; i < 5; i++) {
        expect((await post('/api/v1/auth/login', { username: 'admin', password: wrong })).status).toBe(401);
      }
      expect((await post('/api/v1/auth/login', { username: 'admin', password: testPassword })).status).toBe(
        429,
      );

      await gh.stop();
      clock.advance(10_000);
      gh = await start();
      url = gh.server.url;
      const after = await post('/api/v1/auth/login', { username: 'admin', password: testPassword });
      expect(after.status).toBe(429);
      expect(after.headers.get('retry-after')).toBe('20');
      clock.advance(20_000);
      expect((await post('/api/v1/auth/login', { username: 'admin', password: testPassword })).status).toBe(
        200,
      );
    });

    it('a device cookie from before a restart still lets the owner in while strangers stay locked out', async () => {
      const clock = new FakeClock('2026-03-01T12:00:00.000Z');
      const start = () =>
        startGatehouse(testConfig({ dataDir: dir }), { processMetrics: false, ports: { clock } });
      gh = await start();
      let url = gh.server.url;
      const setupToken = fs.readFileSync(path.join(dir, 'setup-token'), 'utf8').trim();
      const post = (route: string, body: unknown, device?: string) =>
        fetch(`${url}${route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(device === undefined ? {} : { cookie: `${deviceCookieName}=${device}` }),
          },
          body: JSON.stringify(body),
        });
      const setup = await post('/api/v1/setup', { setupToken, username: 'admin', password: testPassword });
      expect(setup.status).toBe(201);
      const device = deviceCookieFrom(setup) ?? '';
      expect(device).not.toBe('');
      // Strangers (here: the same loopback address, without the cookie) lock the account and the address.
      for (let i = 0; i < 5; i++) {
        expect((await post('/api/v1/auth/login', { username: 'admin', password: wrong })).status).toBe(401);
      }
      await gh.stop();
      gh = await start();
      url = gh.server.url;
      expect((await post('/api/v1/auth/login', { username: 'admin', password: testPassword })).status).toBe(
        429,
      );
      const owner = await post('/api/v1/auth/login', { username: 'admin', password: testPassword }, device);
      expect(owner.status).toBe(200);
    });
  });
});

describe('a rejected setup token', () => {
  it('is credited to nobody: the audit record does not name the username the visitor typed', async () => {
    const h = await createHarness();
    const res = await h.request('POST', '/api/v1/setup', {
      body: { setupToken: 'wrong-token', username: 'victim-name', password: testPassword },
    });
    await expectError(res, 403, 'setup.bad-token');
    const rejected = readAuditLog(h.store.log('audit')).filter((e) => e.type === 'setup.token-rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.actor).toBe('anonymous');
    expect(JSON.stringify(rejected)).not.toContain('victim-name');
    expect(JSON.stringify(h.store.read().lockouts)).not.toContain('victim-name');
  });
});
