/** @module Two-factor authentication over HTTP: enrolment, the second login step, replay, recovery codes, lockout. */
import { describe, expect, it } from 'vitest';
import { testPassword, type Harness } from '../support/app-harness.js';
import {
  auditTypes,
  bearer,
  createToken,
  enableTotp,
  expectError,
  harnessPerTest,
  login,
  totpCodeAt,
  type BrowserSession,
} from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();
const step = 30_000;

/** Setup with TOTP on; the clock is moved one step on so the enrolment code cannot be reused. */
async function adminWithTotp(): Promise<{
  h: Harness;
  session: BrowserSession;
  secret: string;
  recoveryCodes: string[];
}> {
  const h = await createHarness();
  const session = await h.setupAdmin();
  const { secret, recoveryCodes } = await enableTotp(h, session);
  h.clock.advance(step);
  return { h, session, secret, recoveryCodes };
}

/** Password step; asserts it stopped at pending-mfa and returns the pending cookie. */
async function passwordStep(h: Harness, from?: string): Promise<string> {
  const { res, cookie } = await login(h, from === undefined ? {} : { from });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ stage: 'pending-mfa', csrfToken: '', totpEnabled: true });
  expect(cookie).toBeDefined();
  return cookie!;
}

const secondStep = (h: Harness, cookie: string, body: Record<string, string>, from?: string) =>
  h.request('POST', '/api/v1/auth/login/totp', {
    cookie,
    body,
    headers: from === undefined ? {} : { 'x-forwarded-for': from },
  });

describe('enrolment', () => {
  it('returns a secret, a matching otpauth URI and an SVG QR code; confirming returns 10 distinct recovery codes', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const enrol = await h.request('POST', '/api/v1/auth/totp/enrol', session);
    expect(enrol.status).toBe(200);
    const { secret, uri, qrSvg } = (await enrol.json()) as { secret: string; uri: string; qrSvg: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.searchParams.get('secret')).toBe(secret);
    expect(parsed.searchParams.get('issuer')).toBe('Gatehouse');
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Not on yet: logging in still needs only the password.
    expect(h.store.read().users[0]?.totpSecret).toBeNull();

    await expectError(
      await h.request('POST', '/api/v1/auth/totp/confirm', { ...session, body: { code: '000000' } }),
      400,
      'totp.invalid-code',
    );
    const confirm = await h.request('POST', '/api/v1/auth/totp/confirm', {
      ...session,
      body: { code: totpCodeAt(secret, h.clock.now()) },
    });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    // The store keeps hashes only.
    const stored = JSON.stringify(h.store.read().users);
    for (const code of recoveryCodes) expect(stored).not.toContain(code);
    expect(auditTypes(h)).toContain('totp.enabled');
    expect(
      (
        (await (await h.request('GET', '/api/v1/auth/session', { cookie: session.cookie })).json()) as {
          totpEnabled: boolean;
        }
      ).totpEnabled,
    ).toBe(true);
  });

  it('refuses to confirm before enrolment, and to enrol twice', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    await expectError(
      await h.request('POST', '/api/v1/auth/totp/confirm', { ...session, body: { code: '123456' } }),
      409,
      'totp.not-started',
    );
    await enableTotp(h, session);
    await expectError(
      await h.request('POST', '/api/v1/auth/totp/enrol', session),
      409,
      'totp.already-enabled',
    );
  });
});

describe('login with TOTP on', () => {
  it('stops at pending-mfa; the pending cookie cannot reach the API', async () => {
    const { h } = await adminWithTotp();
    const pending = await passwordStep(h);
    for (const path of ['/api/v1/status', '/api/v1/auth/session', '/api/v1/settings', '/api/v1/tokens']) {
      await expectError(await h.request('GET', path, { cookie: pending }), 401, 'auth.mfa-required');
    }
    await expectError(
      await h.request('POST', '/api/v1/auth/totp/disable', {
        cookie: pending,
        body: { password: testPassword },
      }),
      401,
      'auth.mfa-required',
    );
    // The password step alone is not a login in the audit log either.
    expect(auditTypes(h).filter((t) => t === 'login.success')).toHaveLength(0);
  });

  it('refuses a wrong code, then completes with the right one and a NEW cookie; the pending cookie dies', async () => {
    const { h, secret } = await adminWithTotp();
    const pending = await passwordStep(h);
    const wrongCode = totpCodeAt(secret, new Date(h.clock.now().getTime() + 10 * step));
    await expectError(await secondStep(h, pending, { code: wrongCode }), 401, 'auth.invalid-code');

    const res = await secondStep(h, pending, { code: totpCodeAt(secret, h.clock.now()) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { stage: string; csrfToken: string };
    expect(body.stage).toBe('complete');
    expect(body.csrfToken.length).toBeGreaterThan(0);
    const complete = h.sessionCookieFrom(res);
    expect(complete).toBeDefined();
    expect(complete).not.toBe(pending);

    expect((await h.request('GET', '/api/v1/status', { cookie: complete })).status).toBe(200);
    await expectError(await h.request('GET', '/api/v1/status', { cookie: pending }), 401, 'auth.required');
    // The pending cookie cannot be completed a second time either.
    await expectError(
      await secondStep(h, pending, { code: totpCodeAt(secret, h.clock.now()) }),
      401,
      'auth.no-pending-login',
    );
    expect(
      (
        await h.request('PATCH', '/api/v1/settings', {
          cookie: complete!,
          csrf: body.csrfToken,
          body: { instanceName: 'X' },
        })
      ).status,
    ).toBe(200);
    expect(
      readAuditLog(h.store.log('audit'))
        .filter((e) => e.type === 'login.success')
        .at(-1)?.details,
    ).toEqual({ method: 'totp' });
  });

  it('refuses a replay of an accepted code within the same time step', async () => {
    const { h, secret } = await adminWithTotp();
    const code = totpCodeAt(secret, h.clock.now());
    const first = await passwordStep(h);
    expect((await secondStep(h, first, { code })).status).toBe(200);

    const second = await passwordStep(h, '198.51.100.7');
    await expectError(await secondStep(h, second, { code }, '198.51.100.7'), 401, 'auth.invalid-code');
    // A code from the next step is fine.
    h.clock.advance(step);
    expect(
      (await secondStep(h, second, { code: totpCodeAt(secret, h.clock.now()) }, '198.51.100.7')).status,
    ).toBe(200);
  });

  it('refuses the code used to confirm enrolment', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const enrol = await h.request('POST', '/api/v1/auth/totp/enrol', session);
    const { secret } = (await enrol.json()) as { secret: string };
    const code = totpCodeAt(secret, h.clock.now());
    expect(
      (await h.request('POST', '/api/v1/auth/totp/confirm', { ...session, body: { code } })).status,
    ).toBe(200);
    const pending = await passwordStep(h);
    await expectError(await secondStep(h, pending, { code }), 401, 'auth.invalid-code');
  });

  it('accepts one step of clock drift but not more', async () => {
    const { h, secret } = await adminWithTotp();
    h.clock.advance(10 * step);
    const pending = await passwordStep(h);
    const now = h.clock.now().getTime();
    await expectError(
      await secondStep(h, pending, { code: totpCodeAt(secret, new Date(now - 2 * step)) }),
      401,
    );
    expect((await secondStep(h, pending, { code: totpCodeAt(secret, new Date(now - step)) })).status).toBe(
      200,
    );
  });

  it('lets a pending login expire after five minutes', async () => {
    const { h, secret } = await adminWithTotp();
    const pending = await passwordStep(h);
    h.clock.advance(5 * 60_000 + 1);
    await expectError(
      await secondStep(h, pending, { code: totpCodeAt(secret, h.clock.now()) }),
      401,
      'auth.no-pending-login',
    );
  });

  it('needs exactly one of code and recoveryCode', async () => {
    const { h, secret, recoveryCodes } = await adminWithTotp();
    const pending = await passwordStep(h);
    await expectError(await secondStep(h, pending, {}), 400, 'validation');
    await expectError(
      await secondStep(h, pending, {
        code: totpCodeAt(secret, h.clock.now()),
        recoveryCode: recoveryCodes[0]!,
      }),
      400,
      'validation',
    );
  });
});

describe('recovery codes', () => {
  it('log in once and only once, in any case and spacing', async () => {
    const { h, recoveryCodes } = await adminWithTotp();
    const code = recoveryCodes[3]!;
    const first = await passwordStep(h);
    const res = await secondStep(h, first, { recoveryCode: ` ${code.toUpperCase().replaceAll('-', ' ')} ` });
    expect(res.status).toBe(200);
    expect(h.sessionCookieFrom(res)).toBeDefined();
    expect(h.store.read().users[0]?.recoveryCodeHashes).toHaveLength(9);
    expect(readAuditLog(h.store.log('audit')).find((e) => e.type === 'recovery-code.used')?.details).toEqual({
      remaining: 9,
    });

    const second = await passwordStep(h);
    await expectError(await secondStep(h, second, { recoveryCode: code }), 401, 'auth.invalid-code');
    // Another unused code still works.
    expect((await secondStep(h, second, { recoveryCode: recoveryCodes[4]! })).status).toBe(200);
  });

  it('log in once even when two requests race with the same code', async () => {
    const { h, recoveryCodes } = await adminWithTotp();
    const code = recoveryCodes[0]!;
    const a = await passwordStep(h, '198.51.100.1');
    const b = await passwordStep(h, '198.51.100.2');
    const results = await Promise.all([
      secondStep(h, a, { recoveryCode: code }, '198.51.100.1'),
      secondStep(h, b, { recoveryCode: code }, '198.51.100.2'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(h.store.read().users[0]?.recoveryCodeHashes).toHaveLength(9);
    expect(h.store.read().sessions.filter((s) => s.stage === 'complete')).toHaveLength(2); // setup's + one
  });

  it('a pending login completes only once even when two codes race', async () => {
    const { h, recoveryCodes } = await adminWithTotp();
    const pending = await passwordStep(h);
    const results = await Promise.all([
      secondStep(h, pending, { recoveryCode: recoveryCodes[0]! }),
      secondStep(h, pending, { recoveryCode: recoveryCodes[1]! }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(h.store.read().sessions.filter((s) => s.stage === 'complete')).toHaveLength(2);
    // The losing request spent no recovery code.
    expect(h.store.read().users[0]?.recoveryCodeHashes).toHaveLength(9);
  });

  it('can be regenerated with the password, which voids the old ones', async () => {
    const { h, session, recoveryCodes } = await adminWithTotp();
    await expectError(
      await h.request('POST', '/api/v1/auth/recovery-codes', {
        ...session,
        body: { password: 'wrong password!!' },
      }),
      403,
      'auth.wrong-password',
    );
    const res = await h.request('POST', '/api/v1/auth/recovery-codes', {
      ...session,
      body: { password: testPassword },
    });
    expect(res.status).toBe(200);
    const fresh = ((await res.json()) as { recoveryCodes: string[] }).recoveryCodes;
    expect(fresh).toHaveLength(10);
    const pending = await passwordStep(h);
    await expectError(await secondStep(h, pending, { recoveryCode: recoveryCodes[0]! }), 401);
    expect((await secondStep(h, pending, { recoveryCode: fresh[0]! })).status).toBe(200);
  });
});

describe('lockout in the second step', () => {
  it('counts wrong codes toward the lockout; then even the right code and the password step are refused', async () => {
    const { h, secret } = await adminWithTotp();
    const pending = await passwordStep(h);
    for (let i = 1; i <= 5; i++) {
      const bad = String((Number(totpCodeAt(secret, h.clock.now())) + i) % 1_000_000).padStart(6, '0');
      await expectError(await secondStep(h, pending, { code: bad }), 401, 'auth.invalid-code');
    }
    const locked = await secondStep(h, pending, { code: totpCodeAt(secret, h.clock.now()) });
    await expectError(locked, 429, 'auth.locked');
    expect(locked.headers.get('retry-after')).toBe('30');
    // The account is locked for the password step too, from anywhere.
    await expectError((await login(h, { from: '198.51.100.99' })).res, 429, 'auth.locked');
    expect(auditTypes(h).filter((t) => t === 'login.mfa-failure')).toHaveLength(5);
    expect(auditTypes(h)).toContain('login.lockout');

    h.clock.advance(step + 1);
    const again = await passwordStep(h);
    expect((await secondStep(h, again, { code: totpCodeAt(secret, h.clock.now()) })).status).toBe(200);
  });

  it('counts wrong recovery codes too', async () => {
    const { h } = await adminWithTotp();
    const pending = await passwordStep(h);
    for (let i = 0; i < 5; i++) {
      await expectError(await secondStep(h, pending, { recoveryCode: `aaaa-bbbb-ccc${i}` }), 401);
    }
    await expectError(await secondStep(h, pending, { recoveryCode: 'aaaa-bbbb-cccc' }), 429, 'auth.locked');
  });
});

describe('turning TOTP off', () => {
  it('requires the password; afterwards the password alone logs in', async () => {
    const { h, session } = await adminWithTotp();
    await expectError(
      await h.request('POST', '/api/v1/auth/totp/disable', {
        ...session,
        body: { password: 'not my password' },
      }),
      403,
      'auth.wrong-password',
    );
    expect(h.store.read().users[0]?.totpSecret).not.toBeNull();
    await expectError(
      await h.request('POST', '/api/v1/auth/totp/disable', { ...session, body: {} }),
      400,
      'validation',
    );

    const res = await h.request('POST', '/api/v1/auth/totp/disable', {
      ...session,
      body: { password: testPassword },
    });
    expect(res.status).toBe(200);
    const user = h.store.read().users[0];
    expect(user?.totpSecret).toBeNull();
    expect(user?.recoveryCodeHashes).toEqual([]);
    expect(auditTypes(h)).toContain('totp.disabled');
    const { res: loginRes } = await login(h);
    expect(((await loginRes.json()) as { stage: string }).stage).toBe('complete');
  });
});

describe('API tokens with TOTP on', () => {
  it('keep working: a token is its own second factor', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'monitoring', 'read');
    await enableTotp(h, session);
    expect((await h.request('GET', '/api/v1/status', { headers: bearer(token) })).status).toBe(200);
  });
});
